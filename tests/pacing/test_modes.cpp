// Every dial mode has a pacer; each does what its mode means.
#include <doctest/doctest.h>

#include "outbound/error.hpp"
#include "outbound/pacing.hpp"
#include "pacing_fixtures.hpp"

using namespace outbound;

namespace {
PacingSnapshot roomy(DialMode mode) {
  PacingSnapshot s;
  s.mode = mode;
  s.abandon.live_in_window = 20000;
  s.abandon.abandoned_in_window = 100;
  return s;
}
int dials(DialMode mode, const PacingSnapshot& s) { return make_pacer(mode)->dials_now(s); }
}  // namespace

TEST_CASE("preview modes never dial; 'none' and unknown pacers are refused") {
  auto s = roomy(DialMode::preview);
  s.agents_ready = 10;
  CHECK(dials(DialMode::preview, s) == 0);
  CHECK(dials(DialMode::push_preview, s) == 0);
  CHECK_THROWS_AS(make_pacer(DialMode::none), Error);
  CHECK_THROWS_AS(make_pacer(DialMode::predictive, "turbo"), Error);
  CHECK_THROWS_AS(make_pacer(DialMode::power_gvp, "webitel"), Error);
  CHECK_NOTHROW(make_pacer(DialMode::progressive, "webitel"));  // progressive is progressive, whoever paces
  CHECK(is_seizing(DialMode::power_seize));
  CHECK_FALSE(is_seizing(DialMode::predictive));
}

TEST_CASE("progressive with seizing dials one call for each engaged agent") {
  auto s = roomy(DialMode::progressive_seize);
  s.agents_ready = 7;  // not engaged: not counted
  s.agents_reserved = 3;
  s.calls_dialing = 1;
  CHECK(free_capacity(s) == 3);
  CHECK(dials(DialMode::progressive_seize, s) == 2);
  s.ratio = 2.0;
  s.mode = DialMode::power_seize;
  CHECK(dials(DialMode::power_seize, s) == 5);
}

TEST_CASE("predictive with seizing dials for engaged agents only") {
  auto s = fixtures::team(0, 40, 5, 0);
  s.mode = DialMode::predictive_seize;
  CHECK(dials(DialMode::predictive_seize, s) == 0);  // busy agents are not engaged
  s.agents_reserved = 4;
  int n = dials(DialMode::predictive_seize, s);
  CHECK(n >= 4);   // one line per engaged agent at least
  CHECK(n <= 20);  // and not a whole team's worth for four agents
}

TEST_CASE("power keeps a fixed number of calls in progress") {
  auto s = roomy(DialMode::power);
  s.ratio = 1.5;
  s.agents_ready = 2, s.agents_busy = 6, s.agents_wrap = 2;  // 10 working agents: 15 lines
  s.calls_dialing = 3, s.calls_connected = 6;
  CHECK(dials(DialMode::power, s) == 6);
  auto g = roomy(DialMode::power_gvp);
  g.ports = 30, g.calls_dialing = 10, g.calls_connected = 15;
  CHECK(dials(DialMode::power_gvp, g) == 5);
}

TEST_CASE("progressive GVP dials for free IVR ports") {
  auto s = roomy(DialMode::progressive_gvp);
  s.ports = 30, s.calls_connected = 26, s.calls_dialing = 1;
  CHECK(free_capacity(s) == 4);
  CHECK(dials(DialMode::progressive_gvp, s) == 3);
}

TEST_CASE("predictive GVP dials ahead of IVR sessions about to end") {
  auto s = fixtures::team(0, 0, 0, 0);
  s.mode = DialMode::predictive_gvp;
  s.ports = 20;
  s.calls_connected = 20;
  s.connected_elapsed_s.assign(20, 55.0);
  s.stats.session = DurationDistribution::lognormal(60, 10, 500);
  int n = dials(DialMode::predictive_gvp, s);
  CHECK(n > 0);    // no port free now, several soon
  CHECK(n <= 60);
  s.connected_elapsed_s.assign(20, 1.0);  // sessions just started: none ends soon
  CHECK(dials(DialMode::predictive_gvp, s) < n);
  s.stats = PacingStats{};  // nothing learned: dial for free ports only
  CHECK(dials(DialMode::predictive_gvp, s) == 0);
}

TEST_CASE("a channel limit bounds every mode") {
  auto s = fixtures::team(10, 30, 0, 0);
  s.ports = 35;  // 30 connected: 5 channels left
  CHECK(dials(DialMode::predictive, s) <= 5);
  CHECK(make_pacer(DialMode::progressive)->dials_now(s) <= 5);
}
