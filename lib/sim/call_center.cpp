// Routing answered calls to simulated agents: the T-Server's queue to the
// longest-ready agent, the CPD server's transfer mode (the same queue behind
// board channels), and ASM: the board holds ready agents on the line by
// internal "engaging" calls (reported reserved) and bridges each live answer
// to an engaged agent at once; a callee who finds none hears the abandonment
// message, which offers an opt-out.
#include "call_center.hpp"

#include <algorithm>

#include "outbound/error.hpp"

namespace outbound::sim::detail {

CallCenter::CallCenter(Network& net, AgentModel model, int agents, std::string prefix, CenterSetup setup)
    : SimDriverCore(net, setup.name, setup.call_limit), setup_(std::move(setup)), floor_(net, model, agents, std::move(prefix)) {
  floor_.on_ready([this] { agent_ready(); });
}

CallCenter::~CallCenter() {
  for (auto& [id, leg] : legs_)
    if (leg.timer) net().loop().cancel(leg.timer);
  if (retry_timer_) net().loop().cancel(retry_timer_);
}

void CallCenter::start(EventSink& sink) {
  SimDriverCore::start(sink);
  floor_.start(sink);
}

void CallCenter::agent_ready() {
  if (engine_routing_) return;  // the engine hears the agent's ready event and routes
  if (!setup_.engage_first) {
    route_waiting();
    return;
  }
  drop_leaving_legs();
  engage_ready_agents();
}

// --- transfer: a queue in front of the agents ---------------------------------

void CallCenter::place(SimCall& call) {
  const std::string wanted = call.request.agent_id;
  if (!setup_.engage_first || wanted.empty()) {
    ring(call);  // transfer mode; or ASM bridging to whichever engaged agent is free on the answer
    return;
  }
  // ASM with a named agent (reserved by the engine, or a personal callback):
  // dial the customer once that agent is on the line.
  SimAgent* agent = floor_.find(wanted);
  auto leg = legs_.find(wanted);
  const bool free_leg = leg != legs_.end() && leg->second.call == 0;
  const bool can_open = leg == legs_.end() && agent && AgentFloor::available(*agent) &&
                        static_cast<int>(legs_.size()) < setup_.leg_limit;
  if (!free_leg && !can_open) return refuse_engaged(call, "engaged agent " + wanted + " cannot be reached");
  call.agent = wanted;
  if (!free_leg) return open_leg(*agent, call.request.call_id);
  leg->second.call = call.request.call_id;
  if (leg->second.up) ring(call);  // else the engaging call under way rings the customer when it is up
}

void CallCenter::answered(SimCall& call) {
  const CallId id = call.request.call_id;
  const std::optional<Judgement> j = classify_answer(call);
  if (!j) return;
  SimCall* c = find(id);
  if (!c) return;
  if (setup_.engage_first) return bridge_or_opt_out(*c);
  if (wants_message(*c)) return leave_message(*c);  // no agent: the message, then the hang-up
  if (engine_routing_) return await_engine(*c, *j);
  waiting_.push_back(id);
  c->abandonable = true;  // queued: the engine may have the message played and the call released
  if (j->person) {
    // A person hangs up after their patience when nobody comes.
    after(*c, c->fate.patience_s, [this, id] {
      SimCall* w = find(id);
      if (w && w->abandonable) abandon(id, CallResult::abandoned, "callee hung up waiting for an agent");
    });
  } else {
    // A machine kept for an agent (detect_connect): the engine hears of the answer first and may
    // apply its treatment's call action (drop, transfer) before an agent takes it.
    after(*c, 0.0, [this] { route_waiting(); });
    return;
  }
  route_waiting();
}

// Queue order, each call to the longest-ready agent; a call for a named agent
// (a personal callback) waits for that agent and lets the others pass.
void CallCenter::route_waiting() {
  if (!running()) return;
  for (bool moved = true; moved;) {
    moved = false;
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      SimCall* call = find(*it);
      if (call && call->connected) call = nullptr;  // transferred meanwhile: no agent for it
      const std::string wanted = call ? call->request.agent_id : std::string();
      SimAgent* agent = wanted.empty() ? floor_.longest_ready() : floor_.find(wanted);
      if (call && !(agent && AgentFloor::available(*agent))) {
        if (wanted.empty()) return;  // nobody ready: the calls behind wait too
        continue;
      }
      waiting_.erase(it);
      if (call) connect(*call, *agent);
      moved = true;
      break;  // connect() reported events: start over on the changed queue
    }
  }
}

void CallCenter::connect(SimCall& call, SimAgent& agent) {
  const CallId id = call.request.call_id;
  const Judgement j = judge(call.fate, call.request.amd);
  call.connected = true;
  call.abandonable = false;
  call.agent = agent.id;
  ++stats_.connected;
  stats_.wait_to_connect_s += to_seconds(now() - call.answered_at);
  floor_.take(agent);
  emit(CallEventKind::connected, id, AnswerClass::unknown, agent.id);
  const double talk = j.person ? floor_.draw_talk() : net().model().machine_talk_s;
  floor_.talk_for(agent, talk, [this, id, result = j.end_result] { release(id, result); });
}

// --- engine routing: the engine picks the agent and asks for it --------------------

void CallCenter::set_engine_routing(bool on) {
  if (running()) throw Error(ErrorCode::invalid_state, name() + ": set_engine_routing() must come before start()");
  if (on && setup_.engage_first)
    throw Error(ErrorCode::invalid_argument, name() + ": ASM bridges answers to engaged agents itself; no engine routing");
  engine_routing_ = on;
}

// A live (or unclassified) answer waits for connect() until the callee's patience
// runs out; a machine the detector let through gets its message and is hung
// up, as the SIP driver does, since the engine routes only people.
void CallCenter::await_engine(SimCall& call, const Judgement& j) {
  const CallId id = call.request.call_id;
  if (j.reported != AnswerClass::live && j.reported != AnswerClass::unknown) {
    after(call, net().model().machine_talk_s, [this, id, r = j.end_result] { release(id, r, "message left"); });
    return;
  }
  call.abandonable = true;
  const double patience = j.person ? call.fate.patience_s : net().model().machine_talk_s;
  after(call, patience, [this, id, person = j.person] {
    SimCall* w = find(id);
    if (!w || !w->abandonable) return;
    if (person) return abandon(id, CallResult::abandoned, "callee hung up waiting for an agent");
    release(id, CallResult::answering_machine, "the machine's greeting ended with no agent");
  });
}

void CallCenter::connect_on_request(CallId id, const std::string& agent_id) {
  if (!engine_routing_) throw Error(ErrorCode::unsupported, name() + " routes answers itself (set_engine_routing(true) first)");
  if (!running()) throw Error(ErrorCode::invalid_state, name() + " is not started");
  SimCall* call = find(id);
  if (!call || !call->abandonable || call->connected)
    throw Error(ErrorCode::invalid_state, name() + ": call " + std::to_string(id) + " is not an answered call waiting for an agent");
  SimAgent* agent = floor_.find(agent_id);
  if (!agent) throw Error(ErrorCode::not_found, name() + ": no agent " + agent_id);
  if (!AgentFloor::available(*agent)) {
    ++stats_.connect_failures;
    return emit(CallEventKind::connect_failed, id, AnswerClass::unknown, agent_id, CallResult::unknown,
                "agent " + agent_id + " is " + std::string(to_string(agent->state)));
  }
  connect(*call, *agent);
}

void CallCenter::released(SimCall& call) {
  const CallId id = call.request.call_id;
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), id), waiting_.end());
  if (!running() || !setup_.engage_first || call.agent.empty()) return;
  auto leg = legs_.find(call.agent);
  if (leg == legs_.end() || leg->second.call != id) return;
  if (call.connected)
    drop_leg(call.agent);  // the conversation is over: the agent goes to wrap-up, the leg is freed
  else
    leg->second.call = 0;  // no conversation: the agent stays on the line for the next call
}

void CallCenter::on_stop() {
  for (auto& [id, leg] : legs_)
    if (leg.timer) net().loop().cancel(leg.timer);
  legs_.clear();
  if (retry_timer_) net().loop().cancel(retry_timer_);
  retry_timer_ = 0;
  waiting_.clear();
  floor_.stop();
}

// --- ASM: agent legs -----------------------------------------------------------

void CallCenter::engage_ready_agents() {
  if (!running()) return;
  for (SimAgent* agent : floor_.ready_agents()) {
    if (static_cast<int>(legs_.size()) >= setup_.leg_limit) return;
    if (!legs_.count(agent->id)) open_leg(*agent, 0);
  }
}

void CallCenter::open_leg(SimAgent& agent, CallId call) {
  Leg& leg = legs_[agent.id];
  leg.call = call;
  const bool fails = setup_.engage_failure > 0 && net().rng().uniform() < setup_.engage_failure;
  leg.timer = net().loop().schedule_after(from_seconds(setup_.engage_s),
                                          [this, id = agent.id, fails] { leg_up(id, fails); });
}

void CallCenter::leg_up(const std::string& agent_id, bool fails) {
  auto it = legs_.find(agent_id);
  if (it == legs_.end()) return;
  it->second.timer = 0;
  SimAgent* agent = floor_.find(agent_id);
  if (fails || !agent || !AgentFloor::available(*agent)) {
    const CallId call = it->second.call;
    legs_.erase(it);
    if (fails) ++stats_.engage_failures;
    if (call) release(call, CallResult::general_error, "agent " + agent_id + " did not take the engaging call");
    if (fails && !retry_timer_)  // try the agents again a little later
      retry_timer_ = net().loop().schedule_after(from_seconds(std::max(5.0, setup_.engage_s)), [this] {
        retry_timer_ = 0;
        engage_ready_agents();
      });
    return;
  }
  Leg& leg = it->second;
  leg.up = true;
  leg.since = ++leg_seq_;
  ++stats_.engaged;
  floor_.reserve(*agent);
  if (leg.call)
    if (SimCall* call = find(leg.call)) ring(*call);
}

void CallCenter::drop_leg(const std::string& agent_id) {
  auto it = legs_.find(agent_id);
  if (it == legs_.end()) return;
  if (it->second.timer) net().loop().cancel(it->second.timer);
  legs_.erase(it);
  engage_ready_agents();  // its channel may engage someone else
}

// Agents told to log out (fewer agents wanted) leave the line when they are free.
void CallCenter::drop_leaving_legs() {
  std::vector<std::string> leaving;
  for (auto& [id, leg] : legs_)
    if (SimAgent* a = floor_.find(id); a && a->leaving && leg.up && leg.call == 0) leaving.push_back(id);
  for (const auto& id : leaving) {
    legs_.erase(id);
    floor_.unreserve(*floor_.find(id));  // leaving: logged out
  }
}

void CallCenter::refuse_engaged(SimCall& call, const std::string& why) {
  ++stats_.engage_failures;
  after(call, setup_.engage_s, [this, id = call.request.call_id, why] { release(id, CallResult::general_error, why); });
}

// The engaged agent waiting longest with no call paired, or "".
std::string CallCenter::free_leg() {
  const std::pair<const std::string, Leg>* best = nullptr;
  for (const auto& entry : legs_)
    if (entry.second.up && entry.second.call == 0 && (!best || entry.second.since < best->second.since)) best = &entry;
  return best ? best->first : std::string();
}

// ASM on an answer: bridge to the paired agent (or any free engaged one); with
// nobody on the line the board plays the abandonment message, which offers an opt-out.
void CallCenter::bridge_or_opt_out(SimCall& call) {
  const CallId id = call.request.call_id;
  if (call.agent.empty()) {
    call.agent = free_leg();
    if (!call.agent.empty()) legs_.at(call.agent).call = id;
  }
  if (SimAgent* agent = call.agent.empty() ? nullptr : floor_.find(call.agent)) return connect(call, *agent);
  const Judgement j = judge(call.fate, call.request.amd);
  if (!j.person) return release(id, j.end_result, "no engaged agent for the machine");
  const bool opted = setup_.opt_out > 0 && net().rng().uniform() < setup_.opt_out;
  if (opted) ++stats_.opt_outs;
  abandon(id, opted ? CallResult::do_not_call : CallResult::abandoned,
          opted ? "no agent free; the callee pressed the opt-out digit" : "no agent free; abandonment message played");
}

}  // namespace outbound::sim::detail
