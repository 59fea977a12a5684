// The conformance cases every driver must pass, instantiated for the
// contexts the including test program names in OB_CONFORMANCE_CONTEXTS
// (test_conformance.cpp: the simulated drivers and the sample; tests/sip: the
// SIP driver against baresip).
#pragma once

#include <algorithm>

#include "conformance.hpp"

#ifndef OB_CONFORMANCE_CONTEXTS
#error "define OB_CONFORMANCE_CONTEXTS (a list of driver contexts) before including conformance_cases.hpp"
#endif


using namespace conformance;

namespace {

// Dials `id` and runs until the driver has reported it (threaded drivers dial asynchronously).
void dial_and_see(Rig& rig, CallId id, CallEventKind until = CallEventKind::dialing) {
  rig.driver->dial(request(id));
  REQUIRE(rig.settle([&] { return rig.sink.count(until, id) > 0; }, std::chrono::minutes(5)));
}

ErrorCode code_of_dial(Rig& rig, const DialRequest& rq, std::string* message = nullptr) {
  try {
    rig.driver->dial(rq);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return ErrorCode::generic;  // no error: the caller's CHECK fails on it
}

}  // namespace

TEST_CASE_TEMPLATE("every call keeps the lifecycle order and is released exactly once", Ctx, OB_CONFORMANCE_CONTEXTS) {
  auto rig = Ctx::make(Scenario::mixed, 11);
  rig->start();
  const int total = 150;
  dial_many(*rig, total, Ctx::capacity ? Ctx::capacity : 8);
  for (CallId id = 1; id <= static_cast<CallId>(total); ++id) {
    INFO(Ctx::name, " call ", id);
    CHECK(lifecycle_error(rig->sink.of(id)) == "");
  }
  // The mix reaches every step, so the order checks above had something to check.
  CHECK(rig->sink.count(CallEventKind::ringing) > 0);
  CHECK(rig->sink.count(CallEventKind::answered) > 0);
  CHECK(rig->sink.count(CallEventKind::connected) > 0);
  for (const auto& e : rig->sink.calls()) CHECK(e.call_id >= 1);
  for (const auto& e : rig->sink.calls()) CHECK(e.call_id <= static_cast<CallId>(total));
  if (!rig->threaded) {
    auto all = rig->sink.calls();
    CHECK(std::is_sorted(all.begin(), all.end(), [](const CallEvent& a, const CallEvent& b) { return a.at < b.at; }));
  }
  if (rig->in_progress) CHECK(rig->in_progress() == 0);  // nothing leaks
  rig->stop();
  CHECK(rig->sink.late() == 0);
}

TEST_CASE_TEMPLATE("a call cancelled before the answer is released and says nothing more", Ctx, OB_CONFORMANCE_CONTEXTS) {
  auto rig = Ctx::make(Scenario::rings, 3);
  rig->start();
  for (CallId id = 1; id <= 3; ++id) dial_and_see(*rig, id);
  rig->driver->cancel(2);
  // The released event is out when cancel() returns (the simulated drivers send it
  // from inside cancel(); the threaded one waits for its thread).
  auto two = rig->sink.of(2);
  REQUIRE(!two.empty());
  CHECK(two.back().kind == CallEventKind::released);
  CHECK(two.back().result == CallResult::cleared);
  CHECK(rig->sink.count(CallEventKind::answered, 2) == 0);
  rig->idle(std::chrono::seconds(5));
  CHECK(lifecycle_error(rig->sink.of(2)) == "");
  CHECK(rig->sink.of(2).size() == two.size());  // nothing after the release
  CHECK(rig->sink.count(CallEventKind::released, 1) == 0);  // the others ring on
  CHECK(rig->sink.count(CallEventKind::released, 3) == 0);
  rig->driver->cancel(2);  // a second cancel of the same call is ignored
  CHECK(rig->sink.count(CallEventKind::released, 2) == 1);
  rig->stop();
}

TEST_CASE_TEMPLATE("cancel and release_abandoned of an unknown call id are ignored", Ctx, OB_CONFORMANCE_CONTEXTS) {
  auto rig = Ctx::make(Scenario::rings, 3);
  CHECK_NOTHROW(rig->driver->cancel(77));  // not even started
  rig->start();
  CHECK_NOTHROW(rig->driver->cancel(77));
  CHECK_NOTHROW(rig->driver->release_abandoned(77));
  dial_and_see(*rig, 1);
  CHECK_NOTHROW(rig->driver->cancel(78));
  CHECK_NOTHROW(rig->driver->release_abandoned(78));
  CHECK_NOTHROW(rig->driver->release_abandoned(1));  // ringing, not waiting for an agent: ignored
  rig->idle(std::chrono::seconds(1));
  CHECK(rig->sink.of(77).empty());
  CHECK(rig->sink.of(78).empty());
  CHECK(rig->sink.count(CallEventKind::released, 1) == 0);
  rig->stop();
  CHECK_NOTHROW(rig->driver->cancel(1));  // after stop
  CHECK(rig->sink.late() == 0);
}

TEST_CASE_TEMPLATE("capacity: a dial beyond it gets Error busy and nothing leaks", Ctx, OB_CONFORMANCE_CONTEXTS) {
  auto rig = Ctx::make(Scenario::rings, 5);
  rig->start();
  const int cap = Ctx::capacity ? Ctx::capacity : 200;  // no limit: 200 calls must all be taken
  CHECK(rig->driver->capabilities().max_concurrent_calls == Ctx::capacity);
  std::vector<CallId> placed;
  for (CallId id = 1; id <= static_cast<CallId>(cap); ++id) {
    rig->driver->dial(request(id));
    placed.push_back(id);
  }
  if (Ctx::capacity) {
    std::string message;
    CHECK(code_of_dial(*rig, request(1000), &message) == ErrorCode::busy);
    CHECK(!message.empty());
    rig->driver->cancel(1);  // the released call frees its line at once
    CHECK_NOTHROW(rig->driver->dial(request(1001)));
    placed.push_back(1001);
    CHECK(code_of_dial(*rig, request(1002)) == ErrorCode::busy);
  }
  const int n = static_cast<int>(placed.size());
  REQUIRE(rig->settle([&] { return rig->sink.count(CallEventKind::dialing) >= n; }));
  for (CallId id : placed) rig->driver->cancel(id);
  REQUIRE(rig->settle([&] { return rig->sink.count(CallEventKind::released) >= n; }));
  CHECK(rig->sink.of(1000).empty());
  CHECK(rig->sink.of(1002).empty());
  if (rig->in_progress) CHECK(rig->in_progress() == 0);
  // All of the capacity is free again.
  for (CallId id = 2001; id < 2001 + static_cast<CallId>(cap); ++id) CHECK_NOTHROW(rig->driver->dial(request(id)));
  rig->stop();
  CHECK(rig->sink.count(CallEventKind::released) == n + cap);
  CHECK(rig->sink.late() == 0);
}

TEST_CASE_TEMPLATE("bad requests get clear errors and no events", Ctx, OB_CONFORMANCE_CONTEXTS) {
  auto rig = Ctx::make(Scenario::rings, 7);
  std::string message;
  CHECK(code_of_dial(*rig, request(1), &message) == ErrorCode::invalid_state);  // before start
  CHECK(message.find("start") != std::string::npos);
  rig->start();
  CHECK(code_of_dial(*rig, request(0), &message) == ErrorCode::invalid_argument);
  CHECK(message.find("call id") != std::string::npos);
  DialRequest no_phone = request(2);
  no_phone.phone.clear();
  CHECK(code_of_dial(*rig, no_phone, &message) == ErrorCode::invalid_argument);
  CHECK(message.find("phone") != std::string::npos);
  DialRequest short_ring = request(3);
  short_ring.ring_timeout = std::chrono::seconds(5);
  CHECK(code_of_dial(*rig, short_ring, &message) == ErrorCode::invalid_argument);
  CHECK(message.find("15 s") != std::string::npos);
  dial_and_see(*rig, 4);
  CHECK(code_of_dial(*rig, request(4), &message) == ErrorCode::invalid_argument);  // id in use
  CHECK(message.find("4") != std::string::npos);
  CHECK(rig->sink.of(0).empty());
  CHECK(rig->sink.of(2).empty());
  CHECK(rig->sink.of(3).empty());
  CHECK(rig->sink.of(4).size() >= 1);  // the first call 4 goes on
  rig->stop();
  CHECK(code_of_dial(*rig, request(5), &message) == ErrorCode::invalid_state);  // after stop
  CHECK(rig->sink.late() == 0);
  CHECK(rig->sink.of(5).empty());
}

TEST_CASE_TEMPLATE("release_abandoned on a waiting live call: abandoned, then released(abandoned), at once", Ctx,
                   OB_CONFORMANCE_CONTEXTS) {
  if (!Ctx::can_wait_live) {
    // This driver never lets a person wait: release_abandoned must leave a connected call alone.
    auto rig = Ctx::make(Scenario::connects, 9);
    rig->start();
    dial_and_see(*rig, 1, CallEventKind::connected);
    const auto before = rig->sink.of(1).size();
    rig->driver->release_abandoned(1);
    rig->driver->cancel(1);  // connected: not cancellable either
    CHECK(rig->sink.of(1).size() == before);
    CHECK(rig->sink.count(CallEventKind::abandoned) == 0);
    rig->stop();
    CHECK(lifecycle_error(rig->sink.of(1)) == "");
    return;
  }
  auto rig = Ctx::make(Scenario::waits_live, 9);
  rig->start();
  dial_and_see(*rig, 1, CallEventKind::answered);
  dial_and_see(*rig, 2, CallEventKind::answered);
  REQUIRE(rig->sink.of(1).back().kind == CallEventKind::answered);
  // A driver without call progress detection cannot tell a person from a machine: unknown.
  const AnswerClass heard = rig->sink.of(1).back().answer;
  CHECK((heard == AnswerClass::live || (!rig->driver->capabilities().detects_machines && heard == AnswerClass::unknown)));
  rig->driver->release_abandoned(1);
  auto one = rig->sink.of(1);  // no loop turn in between
  REQUIRE(one.size() >= 3);
  CHECK(one[one.size() - 2].kind == CallEventKind::abandoned);
  CHECK(one.back().kind == CallEventKind::released);
  CHECK(one.back().result == CallResult::abandoned);
  CHECK(lifecycle_error(one) == "");
  CHECK(rig->sink.count(CallEventKind::released, 2) == 0);  // the other caller still waits
  rig->driver->release_abandoned(1);  // twice: ignored
  CHECK(rig->sink.of(1).size() == one.size());
  rig->stop();
  CHECK(rig->sink.of(2).back().result == CallResult::cleared);
}

TEST_CASE_TEMPLATE("stop releases the calls in flight and nothing reaches the sink after it returns", Ctx,
                   OB_CONFORMANCE_CONTEXTS) {
  auto rig = Ctx::make(Scenario::mixed, 13);
  rig->start();
  const int n = Ctx::capacity ? Ctx::capacity : 10;
  for (CallId id = 1; id <= static_cast<CallId>(n); ++id) rig->driver->dial(request(id));
  REQUIRE(rig->settle([&] { return rig->sink.count(CallEventKind::dialing) >= n; }));
  rig->stop();
  const auto events_at_stop = rig->sink.calls().size();
  for (CallId id = 1; id <= static_cast<CallId>(n); ++id) {
    INFO(Ctx::name, " call ", id);
    CHECK(lifecycle_error(rig->sink.of(id)) == "");
  }
  rig->idle(std::chrono::hours(3));  // timers the driver had set must not fire into the sink
  CHECK(rig->sink.late() == 0);
  CHECK(rig->sink.calls().size() == events_at_stop);
  if (rig->in_progress) CHECK(rig->in_progress() == 0);
  CHECK_NOTHROW(rig->driver->stop());  // a second stop is harmless
  // Agents reported by the driver are logged out by the stop.
  std::map<std::string, AgentState> last;
  for (const auto& a : rig->sink.agents()) last[a.agent_id] = a.state;
  for (const auto& [id, state] : last) CHECK(state == AgentState::logged_out);
  // A stopped driver can be started again (a campaign loaded anew).
  rig->sink.reopen();
  rig->start();
  dial_and_see(*rig, 500);
  rig->stop();
  CHECK(rig->sink.count(CallEventKind::released, 500) == 1);
}

TEST_CASE_TEMPLATE("deterministic under a ManualClock: the same seed gives the same event trace", Ctx, OB_CONFORMANCE_CONTEXTS) {
  auto run = [](std::uint64_t seed) {
    auto rig = Ctx::make(Scenario::mixed, seed);
    rig->start();
    dial_many(*rig, 80, Ctx::capacity ? Ctx::capacity : 8);
    rig->stop();
    if (!rig->threaded) return trace(rig->sink.calls(), true);
    // A driver with its own thread interleaves calls as its thread runs, and
    // stamps the manual clock as it stands: each call's own steps must repeat.
    std::string per_call;
    for (CallId id = 1; id <= 80; ++id) {
      auto events = rig->sink.of(id);
      for (auto& e : events) e.agent_id.clear();  // which desk takes it depends on timing
      per_call += trace(events, false);
    }
    return per_call;
  };
  const std::string first = run(42);
  CHECK(first == run(42));
  CHECK(!first.empty());
  if (Ctx::seeded) CHECK(first != run(43));  // the seed matters
}

TEST_CASE_TEMPLATE("connect: a live answer joins the agent asked for; an agent who cannot take it gives connect_failed and the "
                   "call still waits", Ctx, OB_CONFORMANCE_CONTEXTS) {
  if constexpr (!requires { Ctx::refusing_agent(); }) {
    // A driver that routes answers itself (or has no agents) refuses connect() as unsupported.
    auto rig = Ctx::make(Scenario::mixed, 17);
    if (rig->driver->capabilities().connects_on_request) return;
    rig->start();
    ErrorCode code = ErrorCode::generic;
    try {
      rig->driver->connect(1, "agent1");
    } catch (const Error& e) {
      code = e.code();
    }
    CHECK(code == ErrorCode::unsupported);
    rig->stop();
  } else {
    auto rig = Ctx::make(Scenario::routed, 17);
    REQUIRE(rig->driver->capabilities().connects_on_request);
    CHECK_FALSE(rig->driver->capabilities().routes_to_agents);
    rig->start();
    for (CallId id : {1, 2, 3}) dial_and_see(*rig, id, CallEventKind::answered);
    auto code_of_connect = [&](CallId id, const std::string& agent) {
      try {
        rig->driver->connect(id, agent);
      } catch (const Error& e) {
        return e.code();
      }
      return ErrorCode::generic;
    };
    rig->driver->connect(1, "agent1");
    REQUIRE(rig->settle([&] { return rig->sink.count(CallEventKind::connected, 1) == 1; }));
    CHECK(rig->sink.of(1).back().agent_id == "agent1");
    CHECK(code_of_connect(1, "agent2") == ErrorCode::invalid_state);  // connected: not waiting any more
    CHECK(code_of_connect(2, "nobody") == ErrorCode::not_found);       // an agent the driver cannot reach
    CHECK(code_of_connect(999, "agent2") == ErrorCode::invalid_state); // no such call
    // The refusing agent: connect_failed names it, and the call goes on waiting.
    rig->driver->connect(2, Ctx::refusing_agent());
    REQUIRE(rig->settle([&] { return rig->sink.count(CallEventKind::connect_failed, 2) == 1; }));
    CHECK(rig->sink.of(2).back().agent_id == Ctx::refusing_agent());
    CHECK(rig->sink.count(CallEventKind::released, 2) == 0);
    rig->driver->connect(2, "agent2");  // the next agent takes it
    REQUIRE(rig->settle([&] { return rig->sink.count(CallEventKind::connected, 2) == 1; }));
    CHECK(rig->sink.of(2).back().agent_id == "agent2");
    // A call nobody takes is released by the engine as abandoned.
    rig->driver->release_abandoned(3);
    REQUIRE(rig->settle([&] { return rig->sink.count(CallEventKind::released, 3) == 1; }));
    CHECK(rig->sink.of(3).back().result == CallResult::abandoned);
    rig->stop();
    for (CallId id : {1, 2, 3}) CHECK(lifecycle_error(rig->sink.of(id)) == "");
    CHECK(rig->sink.late() == 0);
  }
}
