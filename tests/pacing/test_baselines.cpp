// The comparison baselines do what their published descriptions say.
#include <doctest/doctest.h>

#include "outbound/pacing.hpp"

using namespace outbound;

namespace {
PacingSnapshot floor_state(double now_s, int ready, int busy, int dialing, int waiting = 0) {
  PacingSnapshot s;
  s.mode = DialMode::predictive;
  s.stats.now_s = now_s;
  s.agents_ready = ready;
  s.agents_busy = busy;
  s.agents_logged_in = ready + busy;
  s.calls_dialing = dialing;
  s.calls_waiting = waiting;
  s.calls_connected = busy;
  return s;
}
}  // namespace

TEST_CASE("fixed ratio: ratio lines for every agent ready or talking") {
  auto p = make_pacer(DialMode::predictive, "fixed_ratio");
  auto s = floor_state(0, 2, 18, 3);
  s.ratio = 1.3;
  CHECK(p->dials_now(s) == 5);  // round(1.3 x 20) - 3 dialing - 18 connected
  s.ratio = 1.0;
  CHECK(p->dials_now(s) == 0);
}

TEST_CASE("VICIdial adapt: the level follows idle agents every 15 s, within 1..3") {
  auto p = make_pacer(DialMode::predictive, "vicidial_adapt");
  // Level 1: lines for agents ready or talking, less calls in progress: progressive.
  CHECK(p->dials_now(floor_state(0, 5, 15, 0)) == 5);
  for (int t = 1; t < 15; ++t) CHECK(p->dials_now(floor_state(t, 5, 15, 5)) == 0);  // no recalculation yet
  // At 15 s: 5 ready of 20 agents on average -> level x 1.25.
  CHECK(p->dials_now(floor_state(15, 5, 15, 5)) == 5);  // round(1.25 x 20) = 25 - 5 dialing - 15 talking
  CHECK(p->dials_now(floor_state(16, 5, 15, 0)) == 10);
  for (int t = 17; t < 400; ++t) p->dials_now(floor_state(t, 5, 15, 0));
  CHECK(p->dials_now(floor_state(400, 5, 15, 0)) == 45);  // capped at level 3: 60 lines
}

TEST_CASE("VICIdial adapt: waiting calls pull the level down") {
  auto p = make_pacer(DialMode::predictive, "vicidial_adapt");
  for (int t = 0; t < 200; ++t) p->dials_now(floor_state(t, 5, 15, 0));  // level up to 3
  for (int t = 200; t < 260; ++t) p->dials_now(floor_state(t, 0, 20, 10, 4));
  // Differential -4 over 20 agents each 15 s: 3 x 0.8^n, never below 1.
  int n = p->dials_now(floor_state(261, 0, 20, 0));
  CHECK(n >= 0);
  CHECK(n < 40);  // below level 3
}

TEST_CASE("VICIdial adapt: today's drop rate over the limit cuts the level") {
  for (bool average : {false, true}) {
    auto p = make_pacer(DialMode::predictive, average ? "vicidial_adapt_average" : "vicidial_adapt");
    for (int t = 0; t < 200; ++t) p->dials_now(floor_state(t, 5, 15, 0));  // level 3
    auto dropping = floor_state(200, 5, 15, 0);
    dropping.stats.resolved = 400;
    dropping.stats.live_answers = 100;
    dropping.stats.abandoned = 5;  // 5 % of today's answers
    dropping.abandon.cap_rate = 0.03;
    for (int t = 200; t < 216; ++t) {
      dropping.stats.now_s = t;
      p->dials_now(dropping);
    }
    dropping.stats.now_s = 216;
    // The differential still raises the level 25 % first; then the cut.
    CHECK(p->dials_now(dropping) == (average ? 15 : 5));  // hard limit: level 1; average: 3 / 2 = 1.5 -> 30 lines
  }
}

TEST_CASE("Webitel: progressive until enough answers, then 1 / hit rate scaled by abandon headroom") {
  auto p = make_pacer(DialMode::predictive, "webitel");
  auto s = floor_state(0, 2, 18, 3);
  s.abandon.cap_rate = 0.03;
  s.stats.last_hour = {400, 400, 10, 0};  // only 10 live answers: too few
  CHECK(p->dials_now(s) == 0);            // 2 ready - 3 dialing
  s.stats.last_hour = {400, 400, 100, 0};  // hit rate 0.25: overdial 4, + 30 % for 3 points of headroom
  CHECK(p->dials_now(s) == 7);             // floor(2 x 5.2) - 3
  s.stats.last_hour.abandoned = 1;        // 1 %: + 20 %
  CHECK(p->dials_now(s) == 6);            // floor(2 x 4.8) - 3
  s.stats.last_hour.abandoned = 3;        // at the cap: back to progressive
  CHECK(p->dials_now(s) == 0);
}
