// What each simulated driver kind adds over the base interface: the CPD
// server's answer classes, SIT kinds, channels, transfer and ASM modes and
// opt-out; the GVP's voice applications and ports; the T-Server's agents.
// (The behaviour every driver shares is in tests/drivers, the conformance suite.)
#include <doctest/doctest.h>

#include <cmath>
#include <tuple>

#include "../drivers/conformance.hpp"

using namespace outbound;
using namespace std::chrono_literals;
using conformance::kStart;
using conformance::request;
using conformance::RecordingSink;

namespace {

/// A loop, a network with one kind of callee, and a sink.
struct World {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  EventLoop loop{clock};
  RecordingSink sink{loop};
  sim::Network net;

  explicit World(sim::NetworkModel m, std::uint64_t seed = 1) : net(loop, m, seed) {}
  void run_for(Duration d) { loop.run_until(clock->now() + d); }
  /// Seconds after kStart of call `id`'s first event of `kind`, or -1.
  double at(CallId id, CallEventKind kind) {
    for (const auto& e : sink.of(id))
      if (e.kind == kind) return to_seconds(e.at - kStart);
    return -1;
  }
  std::vector<CallEventKind> kinds(CallId id) {
    std::vector<CallEventKind> out;
    for (const auto& e : sink.of(id)) out.push_back(e.kind);
    return out;
  }
  /// The states reported for `agent`, in order.
  std::vector<AgentState> states(const std::string& agent) {
    std::vector<AgentState> out;
    for (const auto& a : sink.agents())
      if (a.agent_id == agent) out.push_back(a.state);
    return out;
  }
};

/// Everyone answers as `kind` after `ring_s` seconds.
sim::NetworkModel only(sim::CallFate::Kind kind, double ring_s = 5.0) {
  sim::NetworkModel m;
  m.live_answer = m.busy = m.no_answer = m.machine = m.sit = m.fax = m.silence = 0.0;
  switch (kind) {
    case sim::CallFate::Kind::live: m.live_answer = 1; break;
    case sim::CallFate::Kind::busy: m.busy = 1; break;
    case sim::CallFate::Kind::no_answer: m.no_answer = 1; break;
    case sim::CallFate::Kind::machine: m.machine = 1; break;
    case sim::CallFate::Kind::sit: m.sit = 1; break;
    case sim::CallFate::Kind::fax: m.fax = 1; break;
    case sim::CallFate::Kind::silence: m.silence = 1; break;
  }
  m.ring = {sim::Distribution::Kind::constant, ring_s, 0.0};
  return m;
}

sim::AgentModel fixed_agents(double talk_s = 60, double wrap_s = 10) {
  return {{sim::Distribution::Kind::constant, talk_s, 0.0}, {sim::Distribution::Kind::constant, wrap_s, 0.0}};
}

sim::CpdOptions asm_options(double opt_out = 0.0) {
  sim::CpdOptions o;
  o.mode = sim::CpdMode::asm_mode;
  o.channels = 10;
  o.engage_s = 1.5;
  o.opt_out = opt_out;
  return o;
}

using K = CallEventKind;

}  // namespace

TEST_CASE("CPD: SIT kinds are reported as OCS results 11-16, without an answer") {
  World w(only(sim::CallFate::Kind::sit));
  sim::CpdOptions o;
  o.channels = 100;
  sim::SimCpd cpd(w.net, fixed_agents(), 1, o);
  cpd.start(w.sink);
  for (CallId id = 1; id <= 100; ++id) cpd.dial(request(id));
  w.run_for(1min);
  std::map<CallResult, int> seen;
  for (CallId id = 1; id <= 100; ++id) {
    REQUIRE(w.kinds(id) == std::vector<K>{K::dialing, K::released});
    CallResult r = w.sink.of(id).back().result;
    CHECK(static_cast<int>(r) >= 11);
    CHECK(static_cast<int>(r) <= 16);
    ++seen[r];
  }
  CHECK(seen.size() >= 4);  // the default mix spreads over the kinds
  cpd.stop();
}

TEST_CASE("CPD: fax and silence are classified, then dropped with results 17 and 32") {
  for (auto [kind, cls, result] : {std::tuple{sim::CallFate::Kind::fax, AnswerClass::fax, CallResult::fax},
                                   std::tuple{sim::CallFate::Kind::silence, AnswerClass::silence, CallResult::silence}}) {
    World w(only(kind));
    sim::SimCpd cpd(w.net, fixed_agents(), 2);
    cpd.start(w.sink);
    cpd.dial(request(1));
    w.run_for(1min);
    CHECK(w.kinds(1) == std::vector<K>{K::dialing, K::ringing, K::answered, K::released});
    CHECK(w.sink.of(1)[2].answer == cls);
    CHECK(w.sink.of(1).back().result == result);
    CHECK(w.at(1, K::answered) == doctest::Approx(5.0 + 2.5));  // ring, then amd_s of listening
    cpd.stop();
  }
}

TEST_CASE("CPD: machines per AMD mode - drop, connect to an agent, or no detection") {
  struct Case {
    AmdMode amd;
    std::vector<K> kinds;
    AnswerClass reported;
  };
  for (const auto& c : {Case{AmdMode::detect_drop, {K::dialing, K::ringing, K::answered, K::released}, AnswerClass::machine},
                        Case{AmdMode::detect_connect, {K::dialing, K::ringing, K::answered, K::connected, K::released},
                             AnswerClass::machine},
                        Case{AmdMode::none, {K::dialing, K::ringing, K::answered, K::connected, K::released},
                             AnswerClass::live}}) {
    World w(only(sim::CallFate::Kind::machine));
    sim::SimCpd cpd(w.net, fixed_agents(), 1);
    cpd.start(w.sink);
    auto rq = request(1);
    rq.amd = c.amd;
    cpd.dial(rq);
    w.run_for(2min);
    INFO("amd mode ", static_cast<int>(c.amd));
    CHECK(w.kinds(1) == c.kinds);
    CHECK(w.sink.of(1)[2].answer == c.reported);
    CHECK(w.sink.of(1).back().result == CallResult::answering_machine);
    cpd.stop();
  }
}

TEST_CASE("CPD transfer mode: a live answer goes to the longest-ready agent, whose states are reported") {
  World w(only(sim::CallFate::Kind::live));
  sim::SimCpd cpd(w.net, fixed_agents(60, 10), 2);
  cpd.start(w.sink);
  CHECK(w.states("agent1") == std::vector<AgentState>{AgentState::ready});
  CHECK(w.states("agent2") == std::vector<AgentState>{AgentState::ready});
  cpd.dial(request(1));
  w.run_for(10s);
  CHECK(w.sink.of(1)[3].agent_id == "agent1");  // both ready since start: the first in line
  cpd.dial(request(2));
  w.run_for(10s);
  CHECK(w.sink.of(2)[3].agent_id == "agent2");
  w.run_for(2min);
  CHECK(w.states("agent1") ==
        std::vector<AgentState>{AgentState::ready, AgentState::busy, AgentState::wrap_up, AgentState::ready});
  CHECK(w.sink.of(1).back().result == CallResult::answer);
  // agent1 has been ready longer now, so it takes the next call.
  cpd.dial(request(3));
  w.run_for(10s);
  CHECK(w.sink.of(3)[3].agent_id == "agent1");
  CHECK(cpd.stats().connected == 3);
  cpd.stop();
}

TEST_CASE("T-Server and CPD transfer: a call for a named agent (personal callback) waits for that agent only") {
  World w(only(sim::CallFate::Kind::live, 2.0));
  sim::SimTServer ts(w.net, fixed_agents(60, 10), 2);
  ts.start(w.sink);
  auto mine = request(1);
  mine.agent_id = "agent2";  // agent1 has waited just as long, and comes first otherwise
  ts.dial(mine);
  w.run_for(5s);
  REQUIRE(w.sink.count(K::connected, 1) == 1);
  CHECK(w.sink.of(1)[3].agent_id == "agent2");
  // agent2 is busy now: a second callback for agent2 waits, and a general call
  // answered after it still goes to agent1.
  auto again = request(2);
  again.agent_id = "agent2";
  ts.dial(again);
  w.run_for(1s);
  ts.dial(request(3));
  w.run_for(5s);
  CHECK(w.sink.count(K::connected, 2) == 0);
  CHECK(w.sink.of(3)[3].agent_id == "agent1");
  ts.stop();
}

TEST_CASE("CPD channels: transfer holds one a call; ASM holds agents on half the board and dials on the other half") {
  World w(only(sim::CallFate::Kind::no_answer));
  sim::CpdOptions t;
  t.channels = 6;
  sim::SimCpd transfer(w.net, fixed_agents(), 0, t);
  auto a = asm_options();
  a.channels = 6;
  sim::SimCpd engaged(w.net, fixed_agents(), 5, a);
  CHECK(transfer.capabilities().max_concurrent_calls == 6);
  CHECK(engaged.capabilities().max_concurrent_calls == 3);
  CHECK(engaged.capabilities().supports_engaging);
  CHECK_FALSE(transfer.capabilities().supports_engaging);
  CHECK(transfer.capabilities().kind == DriverKind::cpd);
  transfer.start(w.sink);
  for (CallId id = 1; id <= 6; ++id) transfer.dial(request(id));
  CHECK(transfer.channels_in_use() == 6);
  CHECK_THROWS_AS(transfer.dial(request(7)), Error);
  RecordingSink other(w.loop);
  engaged.start(other);
  w.run_for(3s);
  int reserved = 0;
  for (const auto& e : other.agents()) reserved += e.state == AgentState::reserved;
  CHECK(reserved == 3);  // five agents ready, three agent legs
  for (CallId id = 1; id <= 3; ++id) engaged.dial(request(id));
  CHECK(engaged.channels_in_use() == 6);
  CHECK_THROWS_AS(engaged.dial(request(4)), Error);
  CHECK_THROWS_AS(sim::SimCpd(w.net, fixed_agents(), 0, [] { auto o = asm_options(); o.channels = 1; return o; }()), Error);
  CHECK_THROWS_AS(sim::SimCpd(w.net, fixed_agents(), 0, [] { auto o = asm_options(); o.opt_out = 2; return o; }()), Error);
  transfer.stop();
  engaged.stop();
  CHECK(engaged.channels_in_use() == 0);
  CHECK(transfer.channels_in_use() == 0);
}

TEST_CASE("CPD ASM: ready agents are engaged first (reserved); the customer is bridged to one on the answer") {
  World w(only(sim::CallFate::Kind::live, 4.0));
  sim::SimCpd cpd(w.net, fixed_agents(60, 10), 3, asm_options());
  cpd.start(w.sink);
  auto rq = request(1);
  rq.agent_id = "agent2";  // the engine names the agent (reserved by it, or a personal callback)
  cpd.dial(rq);
  CHECK(w.sink.count(K::ringing, 1) == 0);
  w.run_for(30s);
  CHECK(w.kinds(1) == std::vector<K>{K::dialing, K::ringing, K::answered, K::connected});
  CHECK(w.at(1, K::ringing) == doctest::Approx(1.5 + 0.5));  // the customer leg starts once agent2 is on the line
  CHECK(w.at(1, K::answered) == doctest::Approx(1.5 + 4.0));
  CHECK(w.at(1, K::connected) == w.at(1, K::answered));      // bridged at once: nobody waits
  CHECK(w.sink.of(1)[3].agent_id == "agent2");
  // A call that names nobody is bridged to the agent engaged longest.
  cpd.dial(request(2));
  w.run_for(10s);
  CHECK(w.at(2, K::ringing) - to_seconds(w.sink.of(2)[0].at - kStart) == doctest::Approx(0.5));  // no engaging wait
  CHECK(w.sink.of(2)[3].agent_id == "agent1");
  w.run_for(2min);
  CHECK(w.sink.of(1).back().result == CallResult::answer);
  CHECK(w.states("agent2") == std::vector<AgentState>{AgentState::ready, AgentState::reserved, AgentState::busy,
                                                       AgentState::wrap_up, AgentState::ready, AgentState::reserved});
  CHECK(cpd.stats().abandoned == 0);
  CHECK(cpd.stats().connected == 2);
  cpd.stop();
}

TEST_CASE("CPD ASM: an engaged agent who cannot be reached ends the call with an error result") {
  World w(only(sim::CallFate::Kind::live));
  sim::SimCpd cpd(w.net, fixed_agents(), 2, asm_options());
  cpd.start(w.sink);
  auto unknown = request(1);
  unknown.agent_id = "nobody";
  cpd.dial(unknown);
  auto first = request(2);
  first.agent_id = "agent1";
  cpd.dial(first);
  auto again = request(3);
  again.agent_id = "agent1";  // already paired with call 2
  cpd.dial(again);
  w.run_for(1min);
  for (CallId id : {1, 3}) {
    CHECK(w.kinds(id) == std::vector<K>{K::dialing, K::released});
    CHECK(w.sink.of(id).back().result == CallResult::general_error);
    CHECK(w.sink.of(id).back().detail.find("cannot be reached") != std::string::npos);
  }
  CHECK(w.sink.of(2)[3].agent_id == "agent1");
  CHECK(cpd.stats().engage_failures == 2);
  cpd.stop();

  // An agent who does not take the engaging call: the same, and the agent is never held.
  World v(only(sim::CallFate::Kind::live));
  auto o = asm_options();
  o.engage_failure = 1.0;
  sim::SimCpd flaky(v.net, fixed_agents(), 1, o);
  flaky.start(v.sink);
  auto named = request(1);
  named.agent_id = "agent1";
  flaky.dial(named);
  v.run_for(1min);
  CHECK(v.kinds(1) == std::vector<K>{K::dialing, K::released});
  CHECK(v.sink.of(1).back().result == CallResult::general_error);
  CHECK(v.states("agent1") == std::vector<AgentState>{AgentState::ready});
  CHECK(flaky.stats().engage_failures > 1);  // the board keeps trying
  flaky.stop();
}

TEST_CASE("CPD ASM: a callee who finds no engaged agent hears the message and may opt out (released with do_not_call)") {
  for (double opt_out : {1.0, 0.0}) {
    World w(only(sim::CallFate::Kind::live));
    sim::SimCpd cpd(w.net, fixed_agents(), 0, asm_options(opt_out));  // nobody to engage
    cpd.start(w.sink);
    cpd.dial(request(1));
    w.run_for(1min);
    INFO("opt-out share ", opt_out);
    CHECK(w.kinds(1) == std::vector<K>{K::dialing, K::ringing, K::answered, K::abandoned, K::released});
    CHECK(w.at(1, K::released) == w.at(1, K::answered));  // at once, well inside the 2 s rule
    CHECK(w.sink.of(1).back().result == (opt_out > 0 ? CallResult::do_not_call : CallResult::abandoned));
    CHECK(cpd.stats().opt_outs == (opt_out > 0 ? 1 : 0));
    cpd.stop();
  }
  // More answers than engaged agents: the extra callees get the message; the
  // share of them who opt out is the configured one.
  World w(only(sim::CallFate::Kind::live));
  auto o = asm_options(0.25);
  o.channels = 2000;
  sim::SimCpd cpd(w.net, fixed_agents(), 2, o);
  cpd.start(w.sink);
  w.run_for(5s);
  for (CallId id = 1; id <= 802; ++id) cpd.dial(request(id));
  w.run_for(1min);
  CHECK(cpd.stats().connected == 2);
  CHECK(cpd.stats().abandoned == 800);
  const double share = cpd.stats().opt_outs / 800.0;
  CHECK(std::fabs(share - 0.25) < 5 * std::sqrt(0.25 * 0.75 / 800));
  cpd.stop();
}

TEST_CASE("CPD ASM: an engaged agent whose customer does not answer stays on the line for the next call") {
  World w(only(sim::CallFate::Kind::busy));
  sim::SimCpd cpd(w.net, fixed_agents(), 1, asm_options());
  cpd.start(w.sink);
  w.run_for(5s);
  auto rq = request(1);
  rq.agent_id = "agent1";
  cpd.dial(rq);
  w.run_for(1min);
  CHECK(w.sink.of(1).back().result == CallResult::busy);
  CHECK(w.states("agent1") == std::vector<AgentState>{AgentState::ready, AgentState::reserved});
  cpd.set_agent_count(0);  // told to leave: the free engaged agent logs out at once
  CHECK(w.states("agent1").back() == AgentState::logged_out);
  CHECK(cpd.channels_in_use() == 0);
  cpd.stop();
}

TEST_CASE("GVP: each answer starts the named voice application with the record's data, then ends with answer") {
  World w(only(sim::CallFate::Kind::live, 6.0));
  sim::GvpOptions o;
  o.ports = 3;
  o.ivr = {sim::Distribution::Kind::constant, 40.0, 0.0};
  sim::SimGvp gvp(w.net, o);
  std::vector<sim::GvpSession> sessions;
  gvp.on_session([&](const sim::GvpSession& s) { sessions.push_back(s); });
  gvp.start(w.sink);
  auto rq = request(1);
  rq.voice_application = "payment-reminder";
  rq.attributes = {{"name", "Ada"}, {"amount_due", "12.50"}};
  gvp.dial(rq);
  w.run_for(2min);
  CHECK(w.kinds(1) == std::vector<K>{K::dialing, K::ringing, K::answered, K::connected, K::released});
  CHECK(w.sink.of(1)[3].agent_id.empty());  // no agent: the IVR
  CHECK(w.at(1, K::connected) == w.at(1, K::answered));
  CHECK(w.at(1, K::released) == doctest::Approx(6.0 + 40.0));
  CHECK(w.sink.of(1).back().result == CallResult::answer);
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].application == "payment-reminder");
  CHECK(sessions[0].attributes == rq.attributes);
  CHECK(sessions[0].started == kStart + 6s);
  CHECK(w.sink.agents().empty());  // a GVP reports no agents
  const auto caps = gvp.capabilities();
  CHECK(caps.kind == DriverKind::gvp);
  CHECK(caps.max_concurrent_calls == 3);
  CHECK(caps.runs_voice_applications);
  CHECK_FALSE(caps.reports_agent_states);
  auto nameless = request(2);
  nameless.voice_application.clear();
  CHECK_THROWS_WITH_AS(gvp.dial(nameless), doctest::Contains("voice application"), Error);
  gvp.stop();
}

TEST_CASE("GVP: machines per AMD mode; busy and no answer as the network says") {
  World w(only(sim::CallFate::Kind::machine));
  sim::SimGvp gvp(w.net);
  gvp.start(w.sink);
  auto drop = request(1);
  drop.amd = AmdMode::detect_drop;
  auto connect = request(2);
  connect.amd = AmdMode::detect_connect;
  gvp.dial(drop);
  gvp.dial(connect);
  w.run_for(2min);
  CHECK(w.kinds(1) == std::vector<K>{K::dialing, K::ringing, K::answered, K::released});
  CHECK(w.kinds(2) == std::vector<K>{K::dialing, K::ringing, K::answered, K::connected, K::released});
  CHECK(w.sink.of(1).back().result == CallResult::answering_machine);
  CHECK(w.sink.of(2).back().result == CallResult::answering_machine);  // the application left a message
  w.net.set_model(only(sim::CallFate::Kind::no_answer));
  auto ring = request(3);
  ring.ring_timeout = 20s;
  gvp.dial(ring);
  w.run_for(1min);
  CHECK(w.sink.of(3).back().result == CallResult::no_answer);
  CHECK(w.at(3, K::released) - to_seconds(w.sink.of(3).front().at - kStart) == doctest::Approx(20.0));
  gvp.stop();
}

TEST_CASE("one network, three drivers: a model change reaches them all") {
  World w(only(sim::CallFate::Kind::live));
  sim::SimTServer ts(w.net, fixed_agents(), 1, "ts");
  sim::SimCpd cpd(w.net, fixed_agents(), 1, sim::CpdOptions{}, "cpd");
  sim::SimGvp gvp(w.net);
  RecordingSink s1(w.loop), s2(w.loop), s3(w.loop);
  ts.start(s1);
  cpd.start(s2);
  gvp.start(s3);
  w.net.set_model(only(sim::CallFate::Kind::busy));
  ts.dial(request(1));
  cpd.dial(request(1));
  gvp.dial(request(1));
  w.run_for(1min);
  for (auto* s : {&s1, &s2, &s3}) CHECK(s->of(1).back().result == CallResult::busy);
  CHECK(ts.capabilities().kind == DriverKind::tserver);
  ts.stop();
  cpd.stop();
  gvp.stop();
}
