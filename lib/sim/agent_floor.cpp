// Simulated agents: people with talk and wrap-up times who log in and out.
#include "agent_floor.hpp"

#include <algorithm>

#include "outbound/error.hpp"

namespace outbound::sim::detail {

AgentFloor::AgentFloor(Network& net, AgentModel model, int agents, std::string prefix)
    : net_(net), model_(model), prefix_(std::move(prefix)), target_(agents) {
  if (agents < 0) throw Error(ErrorCode::invalid_argument, "agent count must not be negative (got " + std::to_string(agents) + ")");
}

AgentFloor::~AgentFloor() {
  for (auto& [id, agent] : agents_)
    if (agent->timer) net_.loop().cancel(agent->timer);
}

void AgentFloor::start(EventSink& sink) {
  sink_ = &sink;
  set_count(target_);
}

void AgentFloor::stop() {
  for (auto& [id, a] : agents_) {
    if (a->timer) net_.loop().cancel(a->timer);
    a->timer = 0;
    a->leaving = false;
    if (a->state != AgentState::logged_out) set(*a, AgentState::logged_out);
  }
  sink_ = nullptr;
}

void AgentFloor::set(SimAgent& agent, AgentState state) {
  if (agent.state == AgentState::ready) ready_.erase({agent.ready_since, agent.id});
  agent.state = state;
  if (state == AgentState::ready) {
    agent.ready_since = net_.loop().now();
    ready_.emplace(agent.ready_since, agent.id);
  }
  if (sink_) sink_->on_agent_event({agent.id, state, net_.loop().now()});
}

void AgentFloor::set_count(int n) {
  if (n < 0) throw Error(ErrorCode::invalid_argument, "agent count must not be negative (got " + std::to_string(n) + ")");
  target_ = n;
  if (!sink_) return;  // not started: start() logs them in
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
      set(*slot, AgentState::ready);
      ++logged_in;
    }
  }
  for (auto it = agents_.rbegin(); it != agents_.rend() && logged_in > n; ++it) {  // highest-numbered leave first
    SimAgent& a = *it->second;
    if (a.state == AgentState::logged_out || a.leaving) continue;
    if (a.state == AgentState::ready)
      set(a, AgentState::logged_out);
    else
      a.leaving = true;
    --logged_in;
  }
  if (on_ready_) on_ready_();
}

SimAgent* AgentFloor::longest_ready() {
  for (const auto& [since, id] : ready_)
    if (SimAgent* a = agents_.at(id).get(); available(*a)) return a;
  return nullptr;
}

std::vector<SimAgent*> AgentFloor::ready_agents() {
  std::vector<SimAgent*> out;
  for (const auto& [since, id] : ready_)
    if (SimAgent* a = agents_.at(id).get(); available(*a)) out.push_back(a);
  return out;
}

SimAgent* AgentFloor::find(const std::string& id) {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : it->second.get();
}

void AgentFloor::reserve(SimAgent& agent) { set(agent, AgentState::reserved); }

void AgentFloor::unreserve(SimAgent& agent) {
  if (agent.state != AgentState::reserved) return;
  become_ready(agent);
}

void AgentFloor::take(SimAgent& agent) { set(agent, AgentState::busy); }

void AgentFloor::talk_for(SimAgent& agent, double seconds, std::function<void()> hangup) {
  const std::string id = agent.id;
  agent.timer = net_.loop().schedule_after(from_seconds(std::max(1.0, seconds)), [this, id, hangup = std::move(hangup)] {
    SimAgent& a = *agents_.at(id);
    a.timer = 0;
    hangup();
    set(a, AgentState::wrap_up);
    a.timer = net_.loop().schedule_after(from_seconds(net_.rng().sample(model_.wrap)), [this, id] { finish_wrap(id); });
  });
}

void AgentFloor::finish_wrap(const std::string& id) {
  SimAgent& agent = *agents_.at(id);
  agent.timer = 0;
  become_ready(agent);
}

void AgentFloor::become_ready(SimAgent& agent) {
  if (agent.leaving) {
    agent.leaving = false;
    set(agent, AgentState::logged_out);
    return;
  }
  set(agent, AgentState::ready);
  if (on_ready_) on_ready_();
}

}  // namespace outbound::sim::detail
