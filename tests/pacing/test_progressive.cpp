#include <doctest/doctest.h>

#include "outbound/error.hpp"
#include "outbound/pacing.hpp"

#include <cmath>

using namespace outbound;

namespace {
PacingSnapshot snap(int ready, int dialing, int waiting = 0, double ratio = 1.0) {
  PacingSnapshot s;
  s.mode = DialMode::progressive;
  s.ratio = ratio;
  s.agents_ready = ready;
  s.calls_dialing = dialing;
  s.calls_waiting = waiting;
  s.abandon.live_in_window = 10000;  // room under the abandon cap for lines beyond the ready agents
  return s;
}
}  // namespace

TEST_CASE("progressive dials for ready agents, minus calls already under way") {
  ProgressivePacer p;
  CHECK(p.dials_now(snap(5, 0)) == 5);
  CHECK(p.dials_now(snap(5, 3)) == 2);
  CHECK(p.dials_now(snap(5, 4, 1)) == 0);
  CHECK(p.dials_now(snap(0, 0)) == 0);
  CHECK(p.dials_now(snap(2, 7)) == 0);  // never negative
}

TEST_CASE("a lines-per-agent ratio above 1 dials more lines per ready agent") {
  ProgressivePacer p;
  CHECK(p.dials_now(snap(4, 0, 0, 2.0)) == 8);
  CHECK(p.dials_now(snap(1, 0, 0, 1.5)) == 2);
  CHECK(p.dials_now(snap(3, 2, 0, 1.5)) == 3);  // ceil(4.5) - 2
}

TEST_CASE("lines beyond the ready agents are subject to the abandon guard") {
  ProgressivePacer p;
  auto s = snap(4, 0, 0, 2.0);
  s.abandon.live_in_window = 0;  // nothing answered yet: no risk allowed
  CHECK(p.dials_now(s) == 4);
  s.abandon.live_in_window = 100;  // 3 abandons of room: 3 worst-case calls
  CHECK(p.dials_now(s) == 7);
}

TEST_CASE("ports bound progressive dialing") {
  ProgressivePacer p;
  auto s = snap(10, 2);
  s.ports = 5;
  s.calls_connected = 2;
  CHECK(p.dials_now(s) == 1);
}

TEST_CASE("the pacer is a pure function: the same snapshot, the same answer") {
  ProgressivePacer p;
  for (int ready = 0; ready < 30; ++ready)
    for (int dialing = 0; dialing < 30; ++dialing) {
      auto s = snap(ready, dialing, 0, 1.3);
      int a = p.dials_now(s), b = p.dials_now(s);
      CHECK(a == b);
      CHECK(a >= 0);
      CHECK(a + dialing <= static_cast<int>(std::ceil(1.3 * ready - 1e-9)) + (a == 0 ? dialing : 0));
    }
}

TEST_CASE("dial mode names and codes follow the OCS SDK order") {
  CHECK(static_cast<int>(DialMode::predictive) == 1);
  CHECK(static_cast<int>(DialMode::power_gvp) == 11);
  CHECK(dial_mode_from_string("push_preview") == DialMode::push_preview);
  CHECK_FALSE(dial_mode_from_string("turbo").has_value());
  CHECK(is_gvp(DialMode::predictive_gvp));
  CHECK_FALSE(is_autonomous(DialMode::preview));
  CHECK(static_cast<int>(OptimizationGoal::distribution_time) == 4);
}
