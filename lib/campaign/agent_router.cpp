// Engine-side routing of live answers: the waiting calls and the agent each gets next.
#include "agent_router.hpp"

#include <algorithm>

namespace outbound::detail {

void AgentRouter::enqueue(CallId call, std::string reserved) {
  if (find(call)) return;
  queue_.push_back({call, std::move(reserved), {}, false});
}

void AgentRouter::forget(CallId call) {
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [call](const Waiting& w) { return w.call == call; }),
               queue_.end());
}

void AgentRouter::connecting(CallId call) {
  if (Waiting* w = find(call)) w->connecting = true;
}

void AgentRouter::failed(CallId call, const std::string& agent) {
  if (Waiting* w = find(call)) {
    w->connecting = false;
    w->tried.insert(agent);
  }
}

bool AgentRouter::waiting(CallId call) const { return find(call) != nullptr; }

std::optional<std::string> AgentRouter::pick(CallId call, const AgentPool& pool, const std::set<std::string>& held) const {
  const Waiting* w = find(call);
  if (!w || w->connecting) return std::nullopt;
  return pick_for(*w, pool, held);
}

std::optional<AgentRouter::Match> AgentRouter::next_match(const AgentPool& pool, const std::set<std::string>& held) const {
  for (const Waiting& w : queue_) {
    if (w.connecting) continue;
    if (auto agent = pick_for(w, pool, held)) return Match{w.call, *agent};
  }
  return std::nullopt;
}

// The reserved agent first (it is held for this very call); else the agent
// ready longest (earliest `since`, ties in id order) not held and not tried.
std::optional<std::string> AgentRouter::pick_for(const Waiting& w, const AgentPool& pool,
                                                 const std::set<std::string>& held) const {
  if (!w.reserved.empty() && !w.tried.count(w.reserved))
    if (const Agent* a = pool.find(w.reserved); a && a->state == AgentState::ready) return w.reserved;
  const Agent* best = nullptr;
  for (const auto& [id, a] : pool.agents()) {
    if (a.state != AgentState::ready || w.tried.count(id) || (held.count(id) && id != w.reserved)) continue;
    if (!best || a.since < best->since) best = &a;
  }
  if (!best) return std::nullopt;
  return best->id;
}

const AgentRouter::Waiting* AgentRouter::find(CallId call) const {
  for (const Waiting& w : queue_)
    if (w.call == call) return &w;
  return nullptr;
}

AgentRouter::Waiting* AgentRouter::find(CallId call) {
  return const_cast<Waiting*>(static_cast<const AgentRouter*>(this)->find(call));
}

}  // namespace outbound::detail
