// The abandon-rate guard for large groups: its O(calls) bound against the
// exact computation, and the cap held in simulated worlds of hundreds to
// thousands of agents.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "../support/test_support.hpp"
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
// at most sqrt(calls in flight) + 2 dials (on average 6 with up to 300 calls
// dialing, 24 with up to 3,000: about 1.5 % of the calls in flight).
TEST_CASE("the bound never allows more dials than the exact computation, and at most sqrt(calls) + 2 fewer") {
  toy::Rng rng(2024);
  struct Sizes {
    int cases, dialing, ready, waiting;
    double mean_gap;
  };
  for (const Sizes& z : {Sizes{300, 300, 150, 20, 8.0}, Sizes{20, 3000, 500, 50, 40.0}}) {
    int binding = 0;
    double gaps = 0.0;
    for (int i = 0; i < z.cases; ++i) {
      PacingSnapshot s = random_calls(rng, z.dialing, z.ready, z.waiting);
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
    CHECK(binding >= z.cases * 8 / 10);  // the cases test the tail, not the ends of the range
    CHECK(gaps / z.cases < z.mean_gap);
  }
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

// With more calls in flight than the live-answer rate remembers outcomes
// (half-life 200), that rate follows whichever outcome came back last: busy
// and SIT in 2-3 s, live in ~8 s, no answer at 25 s. The guard then bounds it
// by the calls placed lately, those still dialing counted as live.
TEST_CASE("above 200 calls, a live-answer rate the first fast outcomes biased does not loosen the guard") {
  PacingSnapshot s = fixtures::team(500, 0, 0, 1000, 0, 0, 3.0);  // 1000 calls for 500 agents, 3 s old
  s.stats.live_answer_rate = 0.03;  // 150 busy and SIT outcomes, 5 live answers so far
  s.stats.live_answer_samples = 155;
  s.abandon.live_in_window = 100;
  s.abandon.abandoned_in_window = 0;
  s.stats.recent_dials = {1000, 5, 150, 0};  // 845 still dialing
  const auto first_wave = abandon_guard(s);
  s.stats.recent_dials = {100000, 30000, 70000, 0};  // had the dials behind the rate all come back
  const auto settled = abandon_guard(s);
  CHECK(first_wave.max_dials == 0);  // most of the 1000 calls may still answer live: no more
  CHECK(first_wave.protected_dials == 0);
  CHECK(settled.max_dials > 100);
}

namespace {
toy::Config large_world(std::uint64_t seed) {
  toy::Rng rng(seed * 104729);
  toy::Config c;
  c.seed = seed;
  c.agents = 200 + static_cast<int>(rng.uniform() * 1800);
  c.live = 0.1 + 0.4 * rng.uniform();
  c.machine = 0.1 * rng.uniform();
  c.ring_mean_s = 4 + 10 * rng.uniform();
  c.talk_mean_s = 60 + 200 * rng.uniform();
  c.talk_sd_s = c.talk_mean_s * rng.uniform();
  c.wrap_mean_s = 1 + 20 * rng.uniform();
  c.patience_s = rng.uniform() < 0.5 ? 2 : 3;
  c.cap = rng.uniform() < 0.3 ? 0.01 : 0.03;
  if (rng.uniform() < 0.3) c.window_s = 300;  // a short sliding window: answers expire
  if (rng.uniform() < 0.3) c.amd_false_positive = 0.002 + 0.004 * rng.uniform(), c.machine = 0.1, c.cap = 0.03;
  return c;
}
}  // namespace

TEST_CASE("property, 200 to 2,000 agents: driven as hard as the guard allows, no window ever exceeds its cap") {
  long dials = 0, abandons = 0;
  // The sanitizer run (OB_TEST_SUBSET=1) takes worlds 1 to 4: a fixed and a sliding
  // window and the UK estimate, 55,840 dials and 103 abandons, so the totals below
  // hold unchanged; worlds 5 to 8 repeat those paths on other numbers.
  const std::uint64_t last = obtest::subset_only() ? 4 : 8;
  for (std::uint64_t seed = 1; seed <= last; ++seed) {
    toy::World w(large_world(seed));
    toy::run(w, 600, [](const PacingSnapshot& s) { return abandon_guard(s).max_dials; });
    INFO("world " << seed << " (" << w.config().agents << " agents): " << w.dials << " dials, " << w.abandoned
                  << " abandoned of " << w.live_answers);
    CHECK(w.violations == 0);
    dials += w.dials;
    abandons += w.abandoned;
  }
  CHECK(abandons > 100);  // pushed: it let calls be abandoned, just never too many
  CHECK(dials > 50000);
}

TEST_CASE("property, 200 to 2,000 agents: our predictive pacer keeps every window within its cap") {
  for (std::uint64_t seed = 101; seed <= 103; ++seed) {
    toy::Config c = large_world(seed);
    c.target = c.cap;
    toy::World w(c);
    auto pacer = make_pacer(DialMode::predictive);
    toy::run(w, 600, [&](const PacingSnapshot& s) { return pacer->dials_now(s); });
    INFO("world " << seed << " (" << c.agents << " agents): " << w.dials << " dials, " << w.abandoned << " abandoned of "
                  << w.live_answers);
    CHECK(w.violations == 0);
  }
}

namespace {
// Runs `outbound sim` (the engine, a SQLite list, the simulated switch) on a scenario; the report.
nlohmann::json simulate(const std::string& scenario_json) {
  namespace fs = std::filesystem;
  const char* build = std::getenv("OB_TEST_BUILD_DIR");
  REQUIRE_MESSAGE(build, "OB_TEST_BUILD_DIR is not set (meson test sets it)");
  const fs::path tool = fs::path(build) / "tools" / "outbound";
  REQUIRE_MESSAGE(fs::exists(tool), "no " << tool.string() << ": build tools/outbound first");
  const fs::path scenario = fs::temp_directory_path() / ("ob_guard_large_" + std::to_string(::getpid()) + ".json");
  std::ofstream(scenario) << scenario_json;
  std::string out;
  if (FILE* p = ::popen((tool.string() + " sim " + scenario.string() + " --quiet").c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
  }
  fs::remove(scenario);
  return nlohmann::json::parse(out);
}
}  // namespace

// The whole engine at 1,000 agents: the first wave of calls comes back busy
// and SIT first, and its no-answers all at once 25 s later. Before the guard
// bounded the live-answer share by the recent dials, the window reached 7.1 %
// against a 3 % cap in the first minutes.
TEST_CASE("1,000 agents in the simulator: the window stays within the cap from the first minute") {
  auto r = simulate(R"({"seed": 1, "duration_h": 0.05, "agents": 1000, "mode": "predictive",
                        "abandon_cap": {"rate": 0.03, "window_h": 720}, "list": {"records": 8000}})");
  INFO(r.dump());
  CHECK(r.at("dials").get<long>() > 3000);
  CHECK(r.at("max_window_abandon_rate").get<double>() <= 0.03);
  CHECK(r.at("abandon_rate").get<double>() <= 0.03);
}
