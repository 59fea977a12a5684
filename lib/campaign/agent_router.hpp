// Private: engine-side routing of live answers to agents, for drivers that
// join an agent's line on request (DriverCapabilities::connects_on_request,
// the SIP driver). It keeps which answered calls wait for an agent, in answer
// order, which agents each call has tried, and picks the agent each gets
// next: its reserved agent (a personal callback's) while that one is ready
// and untried, else the agent ready longest who is neither held for another
// call nor already tried. The campaign (engine_routing.cpp) calls the driver
// and changes agent states; this class decides nothing else.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "outbound/agents.hpp"
#include "outbound/call.hpp"

namespace outbound::detail {

class AgentRouter {
 public:
  /// A waiting call and the agent it goes to.
  struct Match {
    CallId call = 0;
    std::string agent;
  };

  /// A live answer waits for an agent; `reserved` is the agent it is for ("" any).
  void enqueue(CallId call, std::string reserved);
  /// The call no longer waits (connected, abandoned, released).
  void forget(CallId call);
  /// A connect is under way: the call is not offered again until it fails.
  void connecting(CallId call);
  /// `agent` did not take the call: it is not offered that agent again.
  void failed(CallId call, const std::string& agent);
  /// True while the call waits (connecting or not).
  bool waiting(CallId call) const;
  /// The agent `call` would get now, if any. `held`: agents reserved for other calls.
  std::optional<std::string> pick(CallId call, const AgentPool& pool, const std::set<std::string>& held) const;
  /// The first waiting call, in answer order, that has an agent now (calls under a connect skipped).
  std::optional<Match> next_match(const AgentPool& pool, const std::set<std::string>& held) const;
  /// Forgets every call.
  void clear() { queue_.clear(); }

 private:
  struct Waiting {
    CallId call = 0;
    std::string reserved;        // the personal callback's agent, or ""
    std::set<std::string> tried; // agents that did not take it
    bool connecting = false;     // a connect is under way
  };
  const Waiting* find(CallId call) const;
  Waiting* find(CallId call);
  std::optional<std::string> pick_for(const Waiting& w, const AgentPool& pool, const std::set<std::string>& held) const;

  std::vector<Waiting> queue_;  // answer order
};

}  // namespace outbound::detail
