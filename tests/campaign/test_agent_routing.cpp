// Engine-side routing through the real path (a SQLite list, the engine loop
// under a manual clock): with a driver that connects on request, the campaign
// picks the agent for each live answer (the reserved one, else the longest
// ready), holds it busy, asks the driver, and on connect_failed or silence puts
// that agent not ready and tries the next; with nobody left the call is
// released as abandoned and counted under the cap.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z

/// A driver that connects on request: every call is answered live after 1 s and waits for
/// connect(); each agent takes a call after 100 ms (talk `talk`), refuses it, or never answers.
class RoutingDriver final : public Driver {
 public:
  enum class Agent { takes, refuses, silent };
  explicit RoutingDriver(EventLoop& loop) : loop_(loop) {}

  DriverCapabilities capabilities() const override {
    DriverCapabilities c;
    c.connects_on_request = true;
    return c;
  }
  void start(EventSink& sink) override { sink_ = &sink; }
  void dial(const DialRequest& rq) override {
    requests.push_back(rq);
    const CallId id = rq.call_id;
    send(CallEventKind::dialing, id);
    later(id, 1s, [this, id] {
      waiting.insert(id);
      send(CallEventKind::answered, id, AnswerClass::live);
    });
  }
  void connect(CallId id, const std::string& agent) override {
    if (!waiting.count(id)) throw Error(ErrorCode::invalid_state, "call " + std::to_string(id) + " is not waiting");
    connects.push_back({id, agent, loop_.now()});
    waiting.erase(id);
    const Agent how = behaviour.count(agent) ? behaviour[agent] : Agent::takes;
    if (how == Agent::silent) return;
    later(id, 100ms, [this, id, agent, how] {
      if (how == Agent::refuses) {
        waiting.insert(id);
        return send(CallEventKind::connect_failed, id, AnswerClass::unknown, agent);
      }
      if (on_line.count(agent)) ++double_booked;
      on_line.insert(agent);
      send(CallEventKind::connected, id, AnswerClass::unknown, agent);
      later(id, talk, [this, id, agent] {
        on_line.erase(agent);
        release(id, CallResult::answer);
      });
    });
  }
  void cancel(CallId id) override { release(id, CallResult::cleared); }
  void release_abandoned(CallId id) override {
    if (!timers_.count(id)) return;
    waiting.erase(id);
    send(CallEventKind::abandoned, id);
    if (abandon_message == Duration::zero()) return release(id, CallResult::abandoned);
    later(id, abandon_message, [this, id] { release(id, CallResult::abandoned); });  // the message plays first
  }
  void stop() override {
    std::vector<CallId> ids;
    for (auto& [id, t] : timers_) ids.push_back(id);
    for (CallId id : ids) release(id, CallResult::cleared);
    sink_ = nullptr;
  }
  std::string name() const override { return "routing"; }

  struct Connect {
    CallId call;
    std::string agent;
    Time at;
  };
  std::vector<DialRequest> requests;
  std::vector<Connect> connects;
  std::map<std::string, Agent> behaviour;  ///< by agent id (default: takes)
  std::set<CallId> waiting;
  std::set<std::string> on_line;
  int double_booked = 0;  ///< an agent connected while already on a call
  Duration talk = 30s;
  Duration abandon_message{0};  ///< how long release_abandoned plays a message before the release

 private:
  void send(CallEventKind kind, CallId id, AnswerClass answer = AnswerClass::unknown, const std::string& agent = {},
            CallResult result = CallResult::unknown) {
    if (sink_) sink_->on_call_event(obtest::call_event(kind, id, loop_.now(), answer, agent, result));
  }
  void later(CallId id, Duration d, std::function<void()> fn) {
    timers_[id].push_back(loop_.schedule_after(d, std::move(fn)));
  }
  void release(CallId id, CallResult result) {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    for (TimerId t : it->second) loop_.cancel(t);
    timers_.erase(it);
    waiting.erase(id);
    send(CallEventKind::released, id, AnswerClass::unknown, {}, result);
  }

  EventLoop& loop_;
  EventSink* sink_ = nullptr;
  std::map<CallId, std::vector<TimerId>> timers_;
};

struct Rig {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  Engine engine{clock};
  obtest::TempDir dir;
  std::shared_ptr<CallingList> list;
  std::shared_ptr<RoutingDriver> driver = std::make_shared<RoutingDriver>(engine.loop());
  Campaign* campaign = nullptr;
  std::vector<CampaignEvent> events;

  explicit Rig(std::vector<Record> records, CampaignConfig cfg = {}) {
    ListOptions o;
    o.create_if_missing = true;
    list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
    list->insert(records);
    cfg.name = "routing";
    campaign = &engine.add_campaign(cfg, driver);
    campaign->add_list(list);
    campaign->on_event([this](const CampaignEvent& e) { events.push_back(e); });
    campaign->load();
  }
  /// Agents made ready one second apart, in the order given (the first has waited longest).
  void ready_in_order(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      campaign->set_agent_state(id, AgentState::ready);
      run_for(1s);
    }
  }
  void run_for(Duration d) { engine.run_until(clock->now() + d); }
  AgentState state_of(const std::string& id) const { return campaign->agents().find(id)->state; }
  Record row(std::int64_t id) { return list->get(id).value(); }
  void finish() {
    campaign->stop();
    engine.loop().run_until(clock->now() + 1h, [&] { return campaign->calls_in_flight() == 0; });
    campaign->unload();
    CHECK(list->count_by_status()[RecordStatus::retrieved] == 0);
  }
};

std::vector<std::string> agents_connected(const RoutingDriver& d) {
  std::vector<std::string> out;
  for (const auto& c : d.connects) out.push_back(c.agent);
  return out;
}

}  // namespace

TEST_CASE("engine routing: each live answer goes to the agent ready longest, and that agent is offered no other call") {
  Rig rig(obtest::make_records(3));
  rig.ready_in_order({"c", "a", "b"});  // c has waited longest, then a, then b
  rig.campaign->start();
  rig.run_for(5s);
  REQUIRE(rig.driver->connects.size() == 3);
  // Calls answer in call-id order; each takes the longest-ready agent left.
  CHECK(agents_connected(*rig.driver) == std::vector<std::string>{"c", "a", "b"});
  CHECK(rig.driver->connects[0].call < rig.driver->connects[1].call);
  CHECK(rig.campaign->stats().connected == 3);
  for (const char* id : {"a", "b", "c"}) CHECK(rig.state_of(id) == AgentState::busy);
  rig.run_for(1min);  // talks end: agents ready again
  for (const char* id : {"a", "b", "c"}) CHECK(rig.state_of(id) == AgentState::ready);
  rig.finish();
  for (std::int64_t id = 1; id <= 3; ++id) CHECK(rig.row(id).call_result == CallResult::answer);
  CHECK(rig.driver->double_booked == 0);
}

TEST_CASE("engine routing: an agent who rejects is put not ready and the next ready agent takes the call") {
  Rig rig(obtest::make_records(1));
  rig.driver->behaviour["a"] = RoutingDriver::Agent::refuses;
  rig.ready_in_order({"a", "b"});
  rig.campaign->start();
  rig.run_for(5s);
  CHECK(agents_connected(*rig.driver) == std::vector<std::string>{"a", "b"});
  CHECK(rig.state_of("a") == AgentState::not_ready);
  CHECK(rig.state_of("b") == AgentState::busy);
  CHECK(rig.campaign->stats().connected == 1);
  CHECK(rig.campaign->stats().abandoned == 0);
  rig.run_for(1min);
  rig.finish();
  CHECK(rig.row(1).call_result == CallResult::answer);
  CHECK(rig.state_of("a") == AgentState::not_ready);  // the host says when a comes back
}

TEST_CASE("engine routing: with no agent left to take it the call is released abandoned and counted under the cap") {
  Rig rig(obtest::make_records(1));
  rig.driver->behaviour["a"] = RoutingDriver::Agent::refuses;
  rig.driver->behaviour["b"] = RoutingDriver::Agent::refuses;
  rig.ready_in_order({"a", "b"});
  rig.campaign->start();
  rig.run_for(1500ms);  // answered at +1 s, a refuses at +1.1 s, b at +1.2 s: before abandon_after (2 s)
  CHECK(agents_connected(*rig.driver) == std::vector<std::string>{"a", "b"});
  CHECK(rig.campaign->stats().abandoned == 1);
  CHECK(rig.campaign->stats().live_answers == 1);
  CHECK(rig.campaign->stats().window_abandon_rate == doctest::Approx(1.0));
  CHECK(rig.state_of("a") == AgentState::not_ready);
  CHECK(rig.state_of("b") == AgentState::not_ready);
  rig.finish();
  CHECK(rig.row(1).call_result == CallResult::abandoned);
}

TEST_CASE("engine routing: a personal callback goes to its reserved agent, not the one ready longest") {
  auto records = obtest::make_records(1);
  records[0].record_type = RecordType::personal_callback;
  records[0].agent_id = "b";
  records[0].dial_sched_time = to_epoch_seconds(kStart);
  Rig rig(records);
  rig.ready_in_order({"a", "b"});
  rig.campaign->start();
  rig.run_for(5s);
  REQUIRE(rig.driver->requests.size() == 1);
  CHECK(rig.driver->requests[0].agent_id == "b");
  CHECK(agents_connected(*rig.driver) == std::vector<std::string>{"b"});
  CHECK(rig.state_of("a") == AgentState::ready);
  rig.run_for(1min);
  rig.finish();
}

TEST_CASE("engine routing: a live answer with nobody ready waits, and the first agent to become ready takes it") {
  Rig rig(obtest::make_records(1));
  rig.campaign->set_agent_state("a", AgentState::ready);
  rig.campaign->start();
  rig.run_for(500ms);  // dialed; a goes on a break before the answer
  REQUIRE(rig.driver->requests.size() == 1);
  rig.campaign->set_agent_state("a", AgentState::not_ready);
  rig.run_for(1s);
  CHECK(rig.driver->connects.empty());
  rig.campaign->set_agent_state("b", AgentState::ready);  // within abandon_after (2 s) of the answer
  rig.run_for(1s);
  CHECK(agents_connected(*rig.driver) == std::vector<std::string>{"b"});
  CHECK(rig.campaign->stats().abandoned == 0);
  rig.run_for(1min);
  rig.finish();
  CHECK(rig.row(1).call_result == CallResult::answer);
}

TEST_CASE("engine routing: an agent the driver never answers for within agent_answer_timeout is not ready; the call is abandoned") {
  CampaignConfig cfg;
  cfg.abandon_after = 10s;
  cfg.agent_answer_timeout = 1500ms;
  Rig rig(obtest::make_records(1), cfg);
  rig.driver->behaviour["a"] = RoutingDriver::Agent::silent;
  rig.ready_in_order({"a", "b"});
  rig.campaign->start();
  rig.run_for(2s);
  CHECK(agents_connected(*rig.driver) == std::vector<std::string>{"a"});
  CHECK(rig.campaign->stats().abandoned == 0);
  rig.run_for(2s);  // 1.5 s after the connect
  CHECK(rig.state_of("a") == AgentState::not_ready);
  CHECK(rig.state_of("b") == AgentState::ready);
  CHECK(rig.campaign->stats().abandoned == 1);
  rig.finish();
  CHECK(rig.row(1).call_result == CallResult::abandoned);
}

TEST_CASE("engine routing: a call abandoned while its agent's phone rings frees that agent, who stays ready") {
  CampaignConfig cfg;
  cfg.abandon_after = 1500ms;
  cfg.agent_answer_timeout = 3s;
  Rig rig(obtest::make_records(1), cfg);
  rig.driver->behaviour["a"] = RoutingDriver::Agent::silent;
  rig.driver->abandon_message = 5s;
  rig.ready_in_order({"a"});
  rig.campaign->start();
  rig.run_for(10s);  // answered at +1 s, abandoned at +2.5 s, released at +7.5 s; the engine's own deadline was +4 s
  CHECK(agents_connected(*rig.driver) == std::vector<std::string>{"a"});
  CHECK(rig.campaign->stats().abandoned == 1);
  CHECK(rig.state_of("a") == AgentState::ready);
  rig.finish();
  CHECK(rig.row(1).call_result == CallResult::abandoned);
}

TEST_CASE("engine routing, predictive, many calls with random refusals: no agent ever has two calls, nothing is lost") {
  CampaignConfig cfg;
  cfg.mode = DialMode::predictive;
  cfg.goal = OptimizationGoal::overdial_rate;
  cfg.target = 0.03;
  Rig rig(obtest::make_records(600), cfg);
  std::mt19937 rng(7);
  for (int i = 0; i < 8; ++i) {
    const std::string id = "p" + std::to_string(i);
    if (i < 2) rig.driver->behaviour[id] = RoutingDriver::Agent::refuses;
    rig.campaign->set_agent_state(id, AgentState::ready);
  }
  rig.driver->talk = 20s;
  rig.campaign->start();
  // Agents who refused come back after a while, as a host would bring them back.
  for (int minute = 0; minute < 60; ++minute) {
    rig.run_for(1min);
    for (const auto& [id, a] : rig.campaign->agents().agents())
      if (a.state == AgentState::not_ready && rng() % 2) rig.campaign->set_agent_state(id, AgentState::ready);
  }
  const auto st = rig.campaign->stats();
  CHECK(rig.driver->double_booked == 0);
  CHECK(st.connected > 300);
  CHECK(st.abandoned + st.connected <= st.live_answers);
  rig.finish();
  std::map<CallId, int> connected_per_call;
  for (const auto& c : rig.driver->connects) ++connected_per_call[c.call];
  for (const auto& [call, n] : connected_per_call) CHECK(n <= 3);
}
