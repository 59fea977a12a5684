// The tracker learns what pacers need from the campaign's events.
#include <doctest/doctest.h>

#include "outbound/pacing.hpp"

using namespace outbound;

namespace {
Time at(double s) { return Time{} + from_seconds(1.0e9 + s); }
Duration secs(double s) { return from_seconds(s); }
}  // namespace

TEST_CASE("the live-answer rate is learned from how each call's dialing ended") {
  PacingTracker t;
  for (int i = 0; i < 100; ++i) {
    t.on_dial(at(i));
    if (i % 4 == 0) {
      t.on_answer(at(i + 8), true, secs(8));                       // live
      t.on_release(at(i + 100), CallResult::answer, secs(100));     // after the talk: not a second outcome
    } else if (i % 4 == 1) {
      t.on_answer(at(i + 10), false, secs(10));                    // machine
      t.on_release(at(i + 10), CallResult::answering_machine, secs(10));
    } else if (i % 4 == 2) {
      t.on_release(at(i + 25), CallResult::no_answer, secs(25));
    } else {
      t.on_release(at(i + 3), CallResult::busy, secs(3));
    }
  }
  t.on_release(at(200), CallResult::cleared, secs(1));  // cancelled: says nothing about the network
  auto s = t.stats(at(300));
  CHECK(s.dials == 100);
  CHECK(s.resolved == 100);
  CHECK(s.live_answers == 25);
  CHECK(s.live_answer_rate == doctest::Approx(0.25).epsilon(0.05));
  CHECK(s.answer_delay.quantile(0.5) == doctest::Approx(8.5).epsilon(0.1));
  CHECK(s.other_delay.survival(5) == doctest::Approx(2.0 / 3.0).epsilon(0.05));  // machine and no answer outlast 5 s
  CHECK(s.now_s == doctest::Approx(1.0e9 + 300));
}

TEST_CASE("an explicit answered flag overrides the result's usual meaning") {
  PacingTracker t;
  t.on_release(at(0), CallResult::answer, secs(4), false);  // a driver that never reported the answer
  CHECK(t.stats(at(1)).resolved == 1);
  t.on_release(at(2), CallResult::no_answer, secs(25), true);
  CHECK(t.stats(at(3)).resolved == 1);
}

TEST_CASE("recent weighting follows a network that changes") {
  PacingTracker t;
  double now = 0;
  for (int i = 0; i < 2000; ++i, now += 1) t.on_answer(at(now), i % 10 < 3, secs(8));  // 30 % live
  CHECK(t.stats(at(now)).live_answer_rate == doctest::Approx(0.30).epsilon(0.05));
  for (int i = 0; i < 1000; ++i, now += 1) t.on_answer(at(now), i % 10 < 1, secs(8));  // now 10 %
  auto s = t.stats(at(now));
  CHECK(s.live_answer_rate == doctest::Approx(0.10).epsilon(0.15));
  CHECK(s.live_answer_samples < 700);  // recent-weighted: not all 3000 calls count fully
}

TEST_CASE("talk and wrap-up times come from agent state changes") {
  PacingTracker t;
  for (int i = 0; i < 50; ++i) {
    t.on_agent_state(at(i * 300), AgentState::ready, AgentState::busy, secs(20));
    t.on_agent_state(at(i * 300 + 180), AgentState::busy, AgentState::wrap_up, secs(100 + 4 * i));
    t.on_agent_state(at(i * 300 + 195), AgentState::wrap_up, AgentState::ready, secs(15));
  }
  auto s = t.stats(at(20000));
  CHECK(s.talk.samples() > 30);
  CHECK(s.mean_talk_s == doctest::Approx(201).epsilon(0.1));
  CHECK(s.mean_wrap_s == doctest::Approx(15).epsilon(0.05));
  CHECK(s.mean_handle_s == doctest::Approx(s.mean_talk_s + s.mean_wrap_s));
  CHECK(s.recent_occupancy == doctest::Approx((200.0 + 15) / (200 + 15 + 20)).epsilon(0.05));
}

TEST_CASE("abandons, connections and the last minute and hour") {
  PacingTracker t;
  for (int i = 0; i < 100; ++i) {
    t.on_dial(at(i * 10));
    t.on_answer(at(i * 10 + 5), true, secs(5));
    if (i % 10 == 0) t.on_abandon(at(i * 10 + 7));
    else t.on_connect(at(i * 10 + 5.5), secs(0.5));
  }
  auto s = t.stats(at(1000));
  CHECK(s.abandoned == 10);
  CHECK(s.connected == 90);
  CHECK(s.recent_abandon_rate == doctest::Approx(0.10).epsilon(0.1));
  CHECK(s.recent_live_weight == doctest::Approx(100).epsilon(0.1));
  CHECK(s.recent_distribution_s == doctest::Approx(0.5));
  CHECK(s.last_minute.dials == 5);
  CHECK(s.last_hour.dials == 100);
  CHECK(s.last_hour.live_answers == 100);
  CHECK(s.last_hour.abandoned == 10);
  auto later = t.stats(at(5000));
  CHECK(later.last_hour.dials == 0);
  CHECK(later.dials == 100);
}

TEST_CASE("a connected call's duration teaches the session distribution") {
  PacingTracker t;
  for (int i = 0; i < 20; ++i) t.on_release(at(i), CallResult::answer, secs(70), true, secs(60));
  CHECK(t.stats(at(100)).session.mean() == doctest::Approx(60.5).epsilon(0.05));
}

TEST_CASE("the recent dials count every call placed, by what became of it so far") {
  PacingTracker t;
  for (int i = 0; i < 100; ++i) t.on_dial(at(i * 0.1));  // 100 calls in 10 s
  // The fast outcomes come back first: 30 busy at 3 s, then 5 live answers.
  for (int i = 0; i < 30; ++i) t.on_release(at(i * 0.1 + 3), CallResult::busy, secs(3));
  for (int i = 30; i < 35; ++i) t.on_answer(at(i * 0.1 + 8), true, secs(8));
  t.on_release(at(12), CallResult::cleared, secs(12 - 3.5));  // the call placed at 3.5 s, cleared unanswered
  auto s = t.stats(at(12));
  CHECK(s.live_answer_rate < 0.2);  // over the resolved calls: mostly busy so far
  CHECK(s.recent_dials.dials == 100);
  CHECK(s.recent_dials.live == 5);
  CHECK(s.recent_dials.other == 30);
  CHECK(s.recent_dials.cleared == 1);  // 64 still dialing: any of them may yet answer live
  // An outcome is counted with its call's dial second, and leaves with it after 600 s.
  t.on_dial(at(400));
  t.on_release(at(425), CallResult::no_answer, secs(25));
  s = t.stats(at(605));
  CHECK(s.recent_dials.dials == 41);  // the calls placed within the last 600 s (from 6 s on), and the one at 400 s
  CHECK(s.recent_dials.other == 1);
  CHECK(s.recent_dials.live == 0);
  CHECK(s.recent_dials.cleared == 0);
  CHECK(t.stats(at(1001)).recent_dials.dials == 0);
}
