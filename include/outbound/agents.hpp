// outbound — agents and their states, as reported by the switch or the host.
// The pool keeps how long each agent has been in its state and integrates time
// per state, which gives occupancy and feeds the pacer.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outbound/clock.hpp"
#include "outbound/export.hpp"

namespace outbound {

/// An agent's state.
enum class AgentState : int {
  logged_out = 0,  ///< not working this campaign
  not_ready = 1,   ///< logged in, unavailable (break, inbound work)
  ready = 2,       ///< waiting for a call
  reserved = 3,    ///< held by the engine (engaged/seized, personal callback)
  busy = 4,        ///< talking to a customer
  wrap_up = 5,     ///< after-call work
};
/// Number of agent states.
inline constexpr int kAgentStateCount = 6;

/// Name of an agent state ("wrap_up").
OB_API std::string_view to_string(AgentState s) noexcept;

/// One agent as the engine sees it.
struct Agent {
  std::string id;                          ///< agent id (login or place)
  AgentState state = AgentState::logged_out;  ///< current state
  Time since{};                            ///< when the current state began
  std::array<double, kAgentStateCount> seconds_in{};  ///< seconds spent per state, closed periods
  int calls = 0;                           ///< calls connected to the agent
  std::optional<Time> expected_ready;      ///< when the agent said it would be ready (a hint)
};

/// Time totals over all agents, in seconds.
struct AgentTotals {
  double ready_s = 0;     ///< waiting for calls
  double reserved_s = 0;  ///< held by the engine
  double busy_s = 0;      ///< talking
  double wrap_s = 0;      ///< after-call work
  double not_ready_s = 0; ///< unavailable
  /// (busy + wrap) / (busy + wrap + ready + reserved): the busy factor; 0 when nobody worked.
  double occupancy() const noexcept;
};

/// The agents of a campaign group.
class OB_API AgentPool {
 public:
  /// Records `id` entering `state` at `t` (an unknown agent is added).
  void set_state(const std::string& id, AgentState state, Time t);
  /// Records the agent's own estimate of when it will be ready.
  void set_expected_ready(const std::string& id, Time at);
  /// Counts a call connected to `id`.
  void count_call(const std::string& id);
  /// The agent, or nullptr.
  const Agent* find(const std::string& id) const;
  /// Number of agents in `state` now.
  int count(AgentState state) const noexcept { return counts_[static_cast<std::size_t>(state)]; }
  /// Agents logged in (any state but logged_out).
  int logged_in() const noexcept;
  /// Every agent.
  const std::map<std::string, Agent>& agents() const { return agents_; }
  /// Totals including the open periods up to `now`.
  AgentTotals totals(Time now) const;
  /// Seconds each agent in `state` has been in it at `now`.
  std::vector<double> time_in_state(AgentState state, Time now) const;
  /// A ready agent that has waited longest, if any.
  std::optional<std::string> longest_ready(Time now) const;

 private:
  std::map<std::string, Agent> agents_;
  std::array<int, kAgentStateCount> counts_{};
};

}  // namespace outbound
