// Simulated agents shared by the drivers that route calls to people (the
// T-Server and the CPD server): logging in and out, longest-ready selection,
// engaging (reserved), talking, wrap-up, and the agent events they report.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "outbound/driver/sim.hpp"

namespace outbound::sim::detail {

/// One simulated person at a desk.
struct SimAgent {
  std::string id;
  AgentState state = AgentState::logged_out;
  Time ready_since{};
  bool leaving = false;  // log out after the current call
  TimerId timer = 0;     // end of talk or of wrap-up
};

/// The agents of one simulated switch or CPD server.
class AgentFloor {
 public:
  /// `agents` agents named prefix1..prefixN, logged in by start().
  AgentFloor(Network& net, AgentModel model, int agents, std::string prefix);
  ~AgentFloor();
  AgentFloor(const AgentFloor&) = delete;
  AgentFloor& operator=(const AgentFloor&) = delete;

  /// Logs the agents in, reporting to `sink`.
  void start(EventSink& sink);
  /// Ends talks and wrap-ups, logs everyone out, and forgets the sink.
  void stop();
  /// Logs agents in or out so that `n` are logged in (busy agents leave after their call).
  void set_count(int n);
  /// Replaces the talk and wrap-up model from now on.
  void set_model(const AgentModel& model) { model_ = model; }
  /// Called whenever an agent becomes ready (the owner routes waiting calls).
  void on_ready(std::function<void()> fn) { on_ready_ = std::move(fn); }

  /// The ready agent who has waited longest, or nullptr.
  SimAgent* longest_ready();
  /// The agent, or nullptr.
  SimAgent* find(const std::string& id);
  /// The available agents, longest ready first.
  std::vector<SimAgent*> ready_agents();
  /// True when the agent is logged in, ready and staying.
  static bool available(const SimAgent& a) { return a.state == AgentState::ready && !a.leaving; }

  /// The agent is held by an engaging call (ASM).
  void reserve(SimAgent& agent);
  /// The engaging call ended without a customer: back to ready (or out when leaving).
  void unreserve(SimAgent& agent);
  /// The agent takes a call: busy.
  void take(SimAgent& agent);
  /// The agent talks for `seconds`; then `hangup` runs, wrap-up follows, then ready.
  void talk_for(SimAgent& agent, double seconds, std::function<void()> hangup);
  /// A talk time drawn from the agent model.
  double draw_talk() { return net_.rng().sample(model_.talk); }

 private:
  void set(SimAgent& agent, AgentState state);
  void finish_wrap(const std::string& id);
  void become_ready(SimAgent& agent);

  Network& net_;
  AgentModel model_;
  std::string prefix_;
  int target_;
  EventSink* sink_ = nullptr;
  std::map<std::string, std::unique_ptr<SimAgent>> agents_;
  // The ready agents, longest ready first (ties in id order, as agents_ has them):
  // routing a call is O(log agents), not a scan of the floor.
  std::set<std::pair<Time, std::string>> ready_;
  std::function<void()> on_ready_;
};

}  // namespace outbound::sim::detail
