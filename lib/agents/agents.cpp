#include "outbound/agents.hpp"

namespace outbound {

std::string_view to_string(AgentState s) noexcept {
  switch (s) {
    case AgentState::logged_out: return "logged_out";
    case AgentState::not_ready: return "not_ready";
    case AgentState::ready: return "ready";
    case AgentState::reserved: return "reserved";
    case AgentState::busy: return "busy";
    case AgentState::wrap_up: return "wrap_up";
  }
  return "invalid";
}

double AgentTotals::occupancy() const noexcept {
  double working = busy_s + wrap_s;
  double available = working + ready_s + reserved_s;
  return available > 0 ? working / available : 0.0;
}

void AgentPool::set_state(const std::string& id, AgentState state, Time t) {
  auto [it, added] = agents_.try_emplace(id);
  Agent& a = it->second;
  if (added) {
    a.id = id;
    a.since = t;
    a.state = state;
    ++counts_[static_cast<std::size_t>(state)];
    return;
  }
  if (t > a.since) a.seconds_in[static_cast<std::size_t>(a.state)] += to_seconds(t - a.since);
  --counts_[static_cast<std::size_t>(a.state)];
  ++counts_[static_cast<std::size_t>(state)];
  a.state = state;
  a.since = std::max(a.since, t);
  if (state == AgentState::ready) a.expected_ready.reset();
}

void AgentPool::set_expected_ready(const std::string& id, Time at) {
  auto it = agents_.find(id);
  if (it != agents_.end()) it->second.expected_ready = at;
}

void AgentPool::count_call(const std::string& id) {
  auto it = agents_.find(id);
  if (it != agents_.end()) ++it->second.calls;
}

const Agent* AgentPool::find(const std::string& id) const {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

int AgentPool::logged_in() const noexcept {
  return static_cast<int>(agents_.size()) - count(AgentState::logged_out);
}

AgentTotals AgentPool::totals(Time now) const {
  std::array<double, kAgentStateCount> sum{};
  for (const auto& [id, a] : agents_) {
    for (std::size_t s = 0; s < sum.size(); ++s) sum[s] += a.seconds_in[s];
    if (now > a.since) sum[static_cast<std::size_t>(a.state)] += to_seconds(now - a.since);
  }
  AgentTotals t;
  t.ready_s = sum[static_cast<std::size_t>(AgentState::ready)];
  t.reserved_s = sum[static_cast<std::size_t>(AgentState::reserved)];
  t.busy_s = sum[static_cast<std::size_t>(AgentState::busy)];
  t.wrap_s = sum[static_cast<std::size_t>(AgentState::wrap_up)];
  t.not_ready_s = sum[static_cast<std::size_t>(AgentState::not_ready)];
  return t;
}

std::vector<double> AgentPool::time_in_state(AgentState state, Time now) const {
  std::vector<double> out;
  for (const auto& [id, a] : agents_)
    if (a.state == state) out.push_back(now > a.since ? to_seconds(now - a.since) : 0.0);
  return out;
}

std::optional<std::string> AgentPool::longest_ready(Time now) const {
  std::optional<std::string> best;
  Time best_since = now;
  for (const auto& [id, a] : agents_)
    if (a.state == AgentState::ready && (!best || a.since < best_since)) {
      best = id;
      best_since = a.since;
    }
  return best;
}

}  // namespace outbound
