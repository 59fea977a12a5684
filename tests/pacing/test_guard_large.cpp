// The abandon-rate guard for large groups: its O(calls) bound against the
// exact computation.
#include <doctest/doctest.h>

#include <cmath>

#include "outbound/pacing.hpp"
#include "pacing_fixtures.hpp"
#include "toy_world.hpp"

using namespace outbound;

namespace {

// A predictive snapshot with random calls in flight and learned statistics
// (blind ones one time in ten: every call counts as live).
PacingSnapshot random_calls(toy::Rng& rng, int max_dialing, int max_ready, int max_waiting) {
  PacingSnapshot s;
  s.mode = DialMode::predictive;
  s.agents_ready = static_cast<int>(rng.uniform() * max_ready);
  s.calls_dialing = static_cast<int>(rng.uniform() * max_dialing);
  for (int i = 0; i < s.calls_dialing; ++i) s.dialing_elapsed_s.push_back(30.0 * rng.uniform());
  s.calls_waiting = rng.uniform() < 0.3 ? static_cast<int>(rng.uniform() * max_waiting) : 0;
  if (rng.uniform() < 0.9) s.stats = fixtures::learned(0.05 + 0.6 * rng.uniform());
  s.abandon.cap_rate = 0.03;
  s.abandon.live_in_window = 1000000;
  s.abandon.abandoned_in_window = 30000;
  return s;
}

// Sets the slack so that the bound allows about `beyond` dials over the protected ones.
void set_slack_for(PacingSnapshot& s, int beyond) {
  double lo = 0.0, hi = 30000.0;
  for (int i = 0; i < 40; ++i) {
    const double mid = 0.5 * (lo + hi);
    s.abandon.abandoned_in_window = 30000 - static_cast<long>(mid);
    const auto g = abandon_guard(s, GuardMethod::bound);
    (g.max_dials - g.protected_dials < beyond ? lo : hi) = mid;
  }
  s.abandon.abandoned_in_window = 30000 - static_cast<long>(hi);
}

}  // namespace

// The bound is Hoeffding's binomial bound of the Poisson-binomial tail (the
// lesser with the Poisson Chernoff bound): never below the exact chance, so
// it may only refuse dials the exact computation would allow. What it gives
// up is the binomial's extra spread, sum (q - mean q)^2 over the calls: here
// at most sqrt(calls in flight) + 2 dials (6 on average over these cases).
TEST_CASE("the bound never allows more dials than the exact computation, and at most sqrt(calls) + 2 fewer") {
  toy::Rng rng(2024);
  int binding = 0, cases = 300;
  double gaps = 0.0;
  for (int i = 0; i < cases; ++i) {
    PacingSnapshot s = random_calls(rng, 300, 150, 20);
    set_slack_for(s, static_cast<int>(rng.uniform() * 300));
    const auto exact = abandon_guard(s, GuardMethod::exact), bound = abandon_guard(s, GuardMethod::bound);
    const double in_flight = s.calls_waiting + s.calls_dialing + exact.max_dials;
    INFO("case " << i << ": " << s.calls_dialing << " dialing, " << s.calls_waiting << " waiting, " << s.agents_ready
                 << " ready: exact " << exact.max_dials << ", bound " << bound.max_dials);
    CHECK(bound.max_dials <= exact.max_dials);  // the safe direction, always
    CHECK(exact.max_dials - bound.max_dials <= std::sqrt(in_flight) + 2.0);
    CHECK(bound.protected_dials == exact.protected_dials);
    if (exact.max_dials > exact.protected_dials && exact.max_dials < exact.protected_dials + 500) ++binding;
    gaps += exact.max_dials - bound.max_dials;
  }
  CHECK(binding > cases * 9 / 10);  // the cases test the tail, not the ends of the range
  CHECK(gaps / cases < 8.0);
}

TEST_CASE("up to 200 calls the automatic guard is the exact computation, decision for decision") {
  toy::Rng rng(77);
  for (int i = 0; i < 400; ++i) {
    PacingSnapshot s = random_calls(rng, 150, 40, 10);
    if (rng.uniform() < 0.7) set_slack_for(s, static_cast<int>(rng.uniform() * 100));
    else s.abandon.abandoned_in_window = 30000 - static_cast<long>(rng.uniform() * 200);  // room to spare, often
    INFO("case " << i);
    CHECK(abandon_guard(s).max_dials == abandon_guard(s, GuardMethod::exact).max_dials);
  }
}
