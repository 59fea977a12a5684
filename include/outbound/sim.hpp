// outbound — a seeded discrete-event model of callees, agents and the network,
// and simulated drivers on it. Everything runs on the engine's EventLoop, so
// under a ManualClock a whole day is deterministic for a given seed.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/driver/driver.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/export.hpp"

namespace outbound::sim {

/// A distribution of durations in seconds.
struct Distribution {
  /// Shape of the distribution.
  enum class Kind { constant, exponential, lognormal, uniform };
  Kind kind = Kind::constant;  ///< shape
  double mean = 0.0;           ///< mean (uniform: midpoint)
  double sd = 0.0;             ///< standard deviation (lognormal), half-width (uniform)
};

/// Builds a Distribution from its name ("lognormal") and parameters; throws Error(invalid_argument).
OB_API Distribution make_distribution(const std::string& kind, double mean, double sd = 0.0);

/// A small, fast, portable generator (xoshiro256**): same seed, same draws, on any platform.
class OB_API Rng {
 public:
  /// A generator seeded with `seed`.
  explicit Rng(std::uint64_t seed);
  /// The next 64 random bits.
  std::uint64_t next() noexcept;
  /// Uniform in [0, 1).
  double uniform() noexcept;
  /// Standard normal (Box-Muller).
  double normal() noexcept;
  /// A draw from `d`, never negative.
  double sample(const Distribution& d) noexcept;

 private:
  std::uint64_t s_[4];
};

/// How callees answer.
struct NetworkModel {
  double live_answer = 0.30;   ///< share of calls a person answers
  double busy = 0.10;          ///< share that get a busy signal
  double no_answer = 0.45;     ///< share that ring out
  double machine = 0.10;       ///< share an answering machine takes
  double sit = 0.05;           ///< share that get special information tones
  Distribution ring{Distribution::Kind::lognormal, 8.0, 4.0};  ///< time until answer, s
  double no_answer_timeout_s = 25.0;  ///< default ring timeout when the request has none
  double patience_s = 2.0;            ///< how long an answered callee waits for an agent before hanging up
  double busy_signal_s = 3.0;         ///< time until a busy result
  double sit_s = 2.0;                 ///< time until a SIT result
  double amd_s = 2.5;                 ///< time to classify a machine after it answers
  double amd_false_positive = 0.0;    ///< share of live answers the detector takes for machines
  double machine_talk_s = 20.0;       ///< agent time on a machine connected without detection
};

/// Throws Error(invalid_argument) unless shares are in [0,1] and sum to 1 (±1e-6) and times are positive.
OB_API void validate(const NetworkModel& m);

/// How simulated agents work.
struct AgentModel {
  Distribution talk{Distribution::Kind::lognormal, 180.0, 120.0};  ///< talk time, s
  Distribution wrap{Distribution::Kind::exponential, 15.0, 0.0};   ///< wrap-up time, s
};

/// What the network will do with one call, drawn when it is dialed.
struct CallFate {
  /// The outcome category.
  enum class Kind { live, busy, no_answer, machine, sit };
  Kind kind = Kind::no_answer;  ///< outcome
  double ring_s = 0.0;          ///< seconds until answer (live/machine)
  double patience_s = 2.0;      ///< live: seconds the callee waits for an agent
  bool amd_false_positive = false;  ///< live answer the detector takes for a machine
};

/// The shared simulated world: draws call fates from the model with one seeded generator.
class OB_API Network {
 public:
  /// A network on `loop` (its clock is the simulation clock).
  Network(EventLoop& loop, NetworkModel model, std::uint64_t seed);
  /// Replaces the model from now on (scenario changes).
  void set_model(const NetworkModel& model);
  /// The current model.
  const NetworkModel& model() const { return model_; }
  /// Draws the fate of a call to `phone`.
  CallFate draw();
  /// The loop the simulation runs on.
  EventLoop& loop() { return loop_; }
  /// The generator (agents draw their talk and wrap times from it).
  Rng& rng() { return rng_; }

 private:
  EventLoop& loop_;
  NetworkModel model_;
  Rng rng_;
};

/// Counters a simulated driver keeps (checked against the engine's).
struct SimDriverStats {
  long dials = 0;              ///< calls placed
  long live_answers = 0;       ///< answered by a person
  long connected = 0;          ///< joined to an agent
  long abandoned = 0;          ///< live answers released without an agent
  long machines = 0;           ///< answered by a machine
  double wait_to_connect_s = 0.0;  ///< sum of answer-to-agent waits of connected calls
};

/// A simulated T-Server: the switch dials, classifies answers, queues live
/// answers for the longest-ready agent, and reports agent states. Agents are
/// simulated people with talk and wrap-up times.
class OB_API SimTServer final : public Driver {
 public:
  /// A switch on `network` with `agents` agents named prefix1..prefixN.
  SimTServer(Network& network, AgentModel agent_model, int agents, std::string agent_prefix = "agent");
  ~SimTServer() override;

  DriverCapabilities capabilities() const override;
  void start(EventSink& sink) override;
  void dial(const DialRequest& request) override;
  void cancel(CallId call_id) override;
  void release_abandoned(CallId call_id) override;
  void stop() override;
  std::string name() const override { return "sim-tserver"; }

  /// Logs agents in or out so that `n` are logged in (busy agents leave after their call).
  void set_agent_count(int n);
  /// Replaces the agents' talk and wrap-up model from now on.
  void set_agent_model(const AgentModel& model) { agent_model_ = model; }
  /// Calls currently in the switch.
  std::size_t calls_in_progress() const { return calls_.size(); }
  /// Counters so far.
  const SimDriverStats& stats() const { return stats_; }

 private:
  struct Call;
  struct SimAgent;
  void answer(CallId id);
  void route_waiting();
  void connect(Call& call, SimAgent& agent);
  void finish_talk(const std::string& agent_id, CallId id);
  void finish_wrap(const std::string& agent_id);
  void release(CallId id, CallResult result, const std::string& detail = {});
  void emit(CallEventKind kind, CallId id, AnswerClass answer = AnswerClass::unknown,
            const std::string& agent = {}, CallResult result = CallResult::unknown, const std::string& detail = {});
  void set_agent(SimAgent& agent, AgentState state);
  SimAgent* longest_ready();

  Network& net_;
  AgentModel agent_model_;
  std::string prefix_;
  int target_agents_;
  EventSink* sink_ = nullptr;
  bool running_ = false;
  std::map<CallId, std::unique_ptr<Call>> calls_;
  std::map<std::string, std::unique_ptr<SimAgent>> agents_;
  std::deque<CallId> waiting_;  // answered live, in queue order
  SimDriverStats stats_;
};

}  // namespace outbound::sim
