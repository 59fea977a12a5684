// The simulated drivers that route answered calls to people: the T-Server
// (a switch: no channel limit) and the CPD server (board channels; transfer or
// ASM mode). Both classify answers, keep agents on an AgentFloor and report
// their states; only what the network kind adds differs.
#pragma once

#include <deque>
#include <map>

#include "agent_floor.hpp"
#include "sim_core.hpp"

namespace outbound::sim::detail {

/// The routing rules of one network kind.
struct CenterSetup {
  std::string name;             // driver name for logs and errors
  int call_limit = 0;           // customer calls at once (0: no limit)
  bool engage_first = false;    // ASM: agents are engaged by internal calls, customers bridged to them
  int leg_limit = 0;            // ASM: agent legs at once
  double engage_s = 0.0;        // ASM: time for an engaging call
  double engage_failure = 0.0;  // ASM: share of engaging calls not taken
  double opt_out = 0.0;         // ASM: share of callees finding no agent who opt out
};

/// A T-Server or CPD server with simulated agents.
class CallCenter final : public SimDriverCore {
 public:
  CallCenter(Network& net, AgentModel model, int agents, std::string prefix, CenterSetup setup);
  ~CallCenter() override;

  void start(EventSink& sink) override;
  AgentFloor& floor() { return floor_; }
  /// Engine routing: live answers wait for connect(call, agent) instead of the switch's queue
  /// (before start; not in ASM, which bridges to engaged agents itself). Throws Error otherwise.
  void set_engine_routing(bool on);
  bool engine_routing() const { return engine_routing_; }
  /// Engine routing: joins a waiting call to `agent_id` (connected), or connect_failed when that
  /// agent is not ready. Error(invalid_state) for a call not waiting, Error(not_found) for an unknown agent.
  void connect_on_request(CallId id, const std::string& agent_id);
  /// Channels in use: customer calls plus ASM agent legs.
  int board_channels() const { return channels_in_use() + static_cast<int>(legs_.size()); }

 protected:
  void place(SimCall& call) override;
  void answered(SimCall& call) override;
  void released(SimCall& call) override;
  void on_stop() override;

 private:
  /// ASM: the internal call that holds an agent on the line.
  struct Leg {
    TimerId timer = 0;       // the engaging call is being placed
    bool up = false;         // the agent is on the line (reported reserved)
    CallId call = 0;         // the customer call it is paired with, or 0 (free)
    std::uint64_t since = 0; // order in which legs came up (longest engaged first)
  };

  void agent_ready();
  void route_waiting();
  void await_engine(SimCall& call, const Judgement& j);  // engine routing: the answer waits for connect()
  void connect(SimCall& call, SimAgent& agent);
  // --- ASM ---
  void engage_ready_agents();
  void open_leg(SimAgent& agent, CallId call);
  void leg_up(const std::string& agent_id, bool fails);
  void drop_leg(const std::string& agent_id);
  void drop_leaving_legs();
  void refuse_engaged(SimCall& call, const std::string& why);
  std::string free_leg();
  void bridge_or_opt_out(SimCall& call);

  CenterSetup setup_;
  AgentFloor floor_;
  std::deque<CallId> waiting_;        // answered, queued for an agent, in queue order
  std::map<std::string, Leg> legs_;   // ASM: agent -> its leg
  std::uint64_t leg_seq_ = 0;
  TimerId retry_timer_ = 0;           // ASM: engage again after failed engaging calls
  bool engine_routing_ = false;       // live answers wait for the engine's connect()
};

}  // namespace outbound::sim::detail
