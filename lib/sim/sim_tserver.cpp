// A simulated T-Server: the switch places calls, detects call progress, queues
// live answers for the longest-ready agent, and reports agent states, as a
// Genesys T-Server does for OCS. Every step is a timer on the engine's loop.
#include <algorithm>

#include "outbound/error.hpp"
#include "outbound/sim.hpp"

namespace outbound::sim {

/// One call in the switch.
struct SimTServer::Call {
  DialRequest request;
  CallFate fate;
  Time answered_at{};
  bool answered = false;
  bool connected = false;
  std::vector<TimerId> timers;  // pending steps, cancelled when the call ends early
};

/// One simulated person at a desk.
struct SimTServer::SimAgent {
  std::string id;
  AgentState state = AgentState::logged_out;
  Time ready_since{};
  bool leaving = false;  // log out after the current call
  TimerId timer = 0;
};

SimTServer::SimTServer(Network& network, AgentModel agent_model, int agents, std::string agent_prefix)
    : net_(network), agent_model_(agent_model), prefix_(std::move(agent_prefix)), target_agents_(agents) {
  if (agents < 0) throw Error(ErrorCode::invalid_argument, "agent count must not be negative");
}

SimTServer::~SimTServer() {
  for (auto& [id, call] : calls_)
    for (TimerId t : call->timers) net_.loop().cancel(t);
  for (auto& [id, agent] : agents_)
    if (agent->timer) net_.loop().cancel(agent->timer);
}

DriverCapabilities SimTServer::capabilities() const {
  DriverCapabilities c;
  c.kind = DriverKind::tserver;
  c.reports_agent_states = true;
  c.routes_to_agents = true;
  c.detects_machines = true;
  return c;
}

void SimTServer::start(EventSink& sink) {
  sink_ = &sink;
  running_ = true;
  set_agent_count(target_agents_);
}

void SimTServer::emit(CallEventKind kind, CallId id, AnswerClass answer, const std::string& agent, CallResult result,
                      const std::string& detail) {
  if (!sink_) return;
  CallEvent e;
  e.kind = kind;
  e.call_id = id;
  e.at = net_.loop().now();
  e.answer = answer;
  e.agent_id = agent;
  e.result = result;
  e.detail = detail;
  sink_->on_call_event(e);
}

void SimTServer::set_agent(SimAgent& agent, AgentState state) {
  agent.state = state;
  if (state == AgentState::ready) agent.ready_since = net_.loop().now();
  if (sink_) sink_->on_agent_event({agent.id, state, net_.loop().now()});
}

void SimTServer::set_agent_count(int n) {
  if (n < 0) throw Error(ErrorCode::invalid_argument, "agent count must not be negative");
  target_agents_ = n;
  if (!running_) return;
  int logged_in = 0;
  for (auto& [id, a] : agents_)
    if (a->state != AgentState::logged_out && !a->leaving) ++logged_in;
  for (int i = 1; logged_in < n; ++i) {  // log in the lowest-numbered agents who are out
    std::string id = prefix_ + std::to_string(i);
    auto& slot = agents_[id];
    if (!slot) slot = std::make_unique<SimAgent>(SimAgent{id});
    if (slot->leaving) {
      slot->leaving = false;
      ++logged_in;
    } else if (slot->state == AgentState::logged_out) {
      set_agent(*slot, AgentState::ready);
      ++logged_in;
    }
  }
  for (auto it = agents_.rbegin(); it != agents_.rend() && logged_in > n; ++it) {  // highest-numbered leave first
    SimAgent& a = *it->second;
    if (a.state == AgentState::logged_out || a.leaving) continue;
    if (a.state == AgentState::ready)
      set_agent(a, AgentState::logged_out);
    else
      a.leaving = true;
    --logged_in;
  }
  route_waiting();
}

void SimTServer::dial(const DialRequest& request) {
  if (!running_) throw Error(ErrorCode::invalid_state, "sim-tserver is not started");
  if (request.call_id == 0 || calls_.count(request.call_id))
    throw Error(ErrorCode::invalid_argument, "call id " + std::to_string(request.call_id) + " is zero or already in use");
  if (request.phone.empty()) throw Error(ErrorCode::invalid_argument, "dial request has no phone number");
  auto call = std::make_unique<Call>();
  call->request = request;
  call->fate = net_.draw();
  const CallId id = request.call_id;
  const auto& m = net_.model();
  double timeout_s = request.ring_timeout.count() > 0 ? to_seconds(request.ring_timeout) : m.no_answer_timeout_s;
  ++stats_.dials;
  auto& timers = call->timers;
  auto at = [&](double seconds, auto fn) { timers.push_back(net_.loop().schedule_after(from_seconds(seconds), fn)); };
  calls_.emplace(id, std::move(call));
  emit(CallEventKind::dialing, id);
  const CallFate fate = calls_[id]->fate;
  switch (fate.kind) {
    case CallFate::Kind::busy:
      at(m.busy_signal_s, [this, id] { release(id, CallResult::busy); });
      break;
    case CallFate::Kind::sit:
      at(m.sit_s, [this, id] { release(id, CallResult::sit_invalid_num); });
      break;
    case CallFate::Kind::no_answer:
      at(0.5, [this, id] { emit(CallEventKind::ringing, id); });
      at(timeout_s, [this, id] { release(id, CallResult::no_answer); });
      break;
    case CallFate::Kind::live:
    case CallFate::Kind::machine:
      at(0.5, [this, id] { emit(CallEventKind::ringing, id); });
      if (fate.ring_s >= timeout_s)
        at(timeout_s, [this, id] { release(id, CallResult::no_answer); });
      else
        at(std::max(0.5, fate.ring_s), [this, id] { answer(id); });
      break;
  }
}

void SimTServer::answer(CallId id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  call.answered = true;
  call.answered_at = net_.loop().now();
  const auto& m = net_.model();
  bool machine = call.fate.kind == CallFate::Kind::machine;
  bool detect = call.request.amd != AmdMode::none;
  bool classified_machine = detect && (machine || call.fate.amd_false_positive);
  if (classified_machine && call.request.amd == AmdMode::detect_drop) {
    // The detector listens for a few seconds, then drops the call.
    call.timers.push_back(net_.loop().schedule_after(from_seconds(m.amd_s), [this, id] {
      ++stats_.machines;
      emit(CallEventKind::answered, id, AnswerClass::machine);
      release(id, CallResult::answering_machine);
    }));
    return;
  }
  if (machine) ++stats_.machines; else ++stats_.live_answers;
  emit(CallEventKind::answered, id, machine && detect ? AnswerClass::machine : AnswerClass::live);
  waiting_.push_back(id);
  if (!machine) {
    // A live callee hangs up after their patience when nobody comes.
    call.timers.push_back(net_.loop().schedule_after(from_seconds(call.fate.patience_s), [this, id] {
      auto c = calls_.find(id);
      if (c != calls_.end() && !c->second->connected) {
        ++stats_.abandoned;
        waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), id), waiting_.end());
        emit(CallEventKind::abandoned, id);
        release(id, CallResult::abandoned, "callee hung up waiting for an agent");
      }
    }));
  }
  route_waiting();
}

SimTServer::SimAgent* SimTServer::longest_ready() {
  SimAgent* best = nullptr;
  for (auto& [id, a] : agents_)
    if (a->state == AgentState::ready && !a->leaving && (!best || a->ready_since < best->ready_since)) best = a.get();
  return best;
}

void SimTServer::route_waiting() {
  while (!waiting_.empty()) {
    SimAgent* agent = longest_ready();
    if (!agent) return;
    CallId id = waiting_.front();
    waiting_.pop_front();
    auto it = calls_.find(id);
    if (it != calls_.end()) connect(*it->second, *agent);
  }
}

void SimTServer::connect(Call& call, SimAgent& agent) {
  call.connected = true;
  ++stats_.connected;
  stats_.wait_to_connect_s += to_seconds(net_.loop().now() - call.answered_at);
  set_agent(agent, AgentState::busy);
  const CallId id = call.request.call_id;
  emit(CallEventKind::connected, id, AnswerClass::unknown, agent.id);
  double talk = call.fate.kind == CallFate::Kind::machine ? net_.model().machine_talk_s : net_.rng().sample(agent_model_.talk);
  std::string agent_id = agent.id;
  agent.timer = net_.loop().schedule_after(from_seconds(std::max(1.0, talk)), [this, agent_id, id] { finish_talk(agent_id, id); });
}

void SimTServer::finish_talk(const std::string& agent_id, CallId id) {
  auto& agent = *agents_.at(agent_id);
  agent.timer = 0;
  auto it = calls_.find(id);
  bool machine = it != calls_.end() && it->second->fate.kind == CallFate::Kind::machine;
  release(id, machine ? CallResult::answering_machine : CallResult::answer);
  set_agent(agent, AgentState::wrap_up);
  agent.timer = net_.loop().schedule_after(from_seconds(net_.rng().sample(agent_model_.wrap)),
                                           [this, agent_id] { finish_wrap(agent_id); });
}

void SimTServer::finish_wrap(const std::string& agent_id) {
  auto& agent = *agents_.at(agent_id);
  agent.timer = 0;
  if (agent.leaving) {
    agent.leaving = false;
    set_agent(agent, AgentState::logged_out);
    return;
  }
  set_agent(agent, AgentState::ready);
  route_waiting();
}

void SimTServer::release(CallId id, CallResult result, const std::string& detail) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  for (TimerId t : it->second->timers) net_.loop().cancel(t);
  calls_.erase(it);
  emit(CallEventKind::released, id, AnswerClass::unknown, {}, result, detail);
}

void SimTServer::cancel(CallId id) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second->connected) return;
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), id), waiting_.end());
  release(id, CallResult::cleared, "cancelled by the engine");
}

void SimTServer::release_abandoned(CallId id) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second->connected) return;
  ++stats_.abandoned;
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), id), waiting_.end());
  emit(CallEventKind::abandoned, id);
  release(id, CallResult::abandoned, "abandonment message played");
}

void SimTServer::stop() {
  if (!running_) return;
  std::vector<CallId> ids;
  for (auto& [id, c] : calls_) ids.push_back(id);
  for (CallId id : ids) release(id, CallResult::cleared, "driver stopped");
  waiting_.clear();
  for (auto& [id, a] : agents_) {
    if (a->timer) net_.loop().cancel(a->timer);
    a->timer = 0;
    if (a->state != AgentState::logged_out) set_agent(*a, AgentState::logged_out);
  }
  running_ = false;
  sink_ = nullptr;
}

}  // namespace outbound::sim
