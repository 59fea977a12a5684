// outbound — a seeded discrete-event model of callees, agents and the network,
// and simulated drivers of the three kinds on it (T-Server, CPD boards, GVP).
// Everything runs on the engine's EventLoop, so under a ManualClock a whole day
// is deterministic for a given seed. The drivers call the EventSink on the loop
// thread, from the loop's timers or from inside dial/cancel/release_abandoned.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

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

/// Relative weights of the SIT kinds among SIT calls (OCS results 11–16).
struct SitMix {
  double invalid_number = 0.40;      ///< 11 sit_invalid_num
  double vacant = 0.25;              ///< 12 sit_vacant
  double operator_intercept = 0.10;  ///< 13 sit_oper_intercept
  double unknown = 0.05;             ///< 14 sit_unknown
  double no_circuit = 0.10;          ///< 15 sit_no_circuit
  double reorder = 0.10;             ///< 16 sit_reorder
};

/// How callees answer. The seven shares sum to 1.
struct NetworkModel {
  double live_answer = 0.30;   ///< share of calls a person answers
  double busy = 0.10;          ///< share that get a busy signal
  double no_answer = 0.45;     ///< share that ring out
  double machine = 0.10;       ///< share an answering machine takes
  double sit = 0.05;           ///< share that get special information tones
  double fax = 0.0;            ///< share a fax machine answers
  double silence = 0.0;        ///< share answered by silence (dead air)
  SitMix sit_kinds;            ///< which SIT a SIT call gets
  Distribution ring{Distribution::Kind::lognormal, 8.0, 4.0};  ///< time until answer, s
  double no_answer_timeout_s = 25.0;  ///< default ring timeout when the request has none
  double patience_s = 2.0;            ///< how long an answered callee waits for an agent before hanging up
  double busy_signal_s = 3.0;         ///< time until a busy result
  double sit_s = 2.0;                 ///< time until a SIT result
  double amd_s = 2.5;                 ///< time to classify a machine, fax or silence after the answer
  double amd_false_positive = 0.0;    ///< share of live answers the detector takes for machines
  double machine_talk_s = 20.0;       ///< agent (or IVR) time on a machine, fax or silence connected undetected
};

/// Throws Error(invalid_argument) unless shares are in [0,1] and sum to 1 (±1e-6),
/// SIT weights are non-negative with a positive sum, and times are positive.
OB_API void validate(const NetworkModel& m);

/// How simulated agents work.
struct AgentModel {
  Distribution talk{Distribution::Kind::lognormal, 180.0, 120.0};  ///< talk time, s
  Distribution wrap{Distribution::Kind::exponential, 15.0, 0.0};   ///< wrap-up time, s
};

/// What the network will do with one call, drawn when it is dialed.
struct CallFate {
  /// The outcome category.
  enum class Kind { live, busy, no_answer, machine, sit, fax, silence };
  Kind kind = Kind::no_answer;  ///< outcome
  double ring_s = 0.0;          ///< seconds until answer (live/machine/fax/silence)
  double patience_s = 2.0;      ///< live: seconds the callee waits for an agent
  bool amd_false_positive = false;  ///< live answer the detector takes for a machine
  CallResult sit_result = CallResult::sit_invalid_num;  ///< sit: which SIT (results 11–16)
};

/// The shared simulated world: draws call fates from the model with one seeded
/// generator. Every simulated driver of a run dials on the same Network, which
/// (with its loop) must outlive the drivers or see them stopped first.
class OB_API Network {
 public:
  /// A network on `loop` (its clock is the simulation clock).
  Network(EventLoop& loop, NetworkModel model, std::uint64_t seed);
  /// Replaces the model from now on (scenario changes).
  void set_model(const NetworkModel& model);
  /// The current model.
  const NetworkModel& model() const { return model_; }
  /// Draws the fate of the next call.
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
  long connected = 0;          ///< joined to an agent (GVP: a voice application started)
  long abandoned = 0;          ///< live answers released without an agent
  long machines = 0;           ///< answered by a machine
  double wait_to_connect_s = 0.0;  ///< sum of answer-to-agent waits of connected calls
  long engaged = 0;            ///< CPD ASM: engaging calls placed to agents
  long engage_failures = 0;    ///< CPD ASM: engaged agents who could not be reached
  long opt_outs = 0;           ///< CPD ASM: callees who pressed the opt-out digit
};

namespace detail {
class CallCenter;
class IvrPlatform;
}  // namespace detail

/// A simulated T-Server: the switch dials, classifies answers, queues live
/// answers for the longest-ready agent (or the agent a personal callback's
/// DialRequest::agent_id names), and reports agent states. Agents are
/// simulated people with talk and wrap-up times. No channel limit.
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
  void set_agent_model(const AgentModel& model);
  /// Calls currently in the switch.
  std::size_t calls_in_progress() const;
  /// Counters so far.
  const SimDriverStats& stats() const;

 private:
  std::unique_ptr<detail::CallCenter> impl_;
};

/// How a CPD server hands live answers to agents.
enum class CpdMode : int {
  transfer = 0,  ///< classify the answer, then transfer a live call to the longest-ready agent
  asm_mode = 1,  ///< hold agents on the line by engaging calls first, dial customers, bridge live answers at once
};

/// A simulated CPD server's settings.
struct CpdOptions {
  CpdMode mode = CpdMode::transfer;  ///< transfer or ASM
  int channels = 60;                 ///< board channels; ASM uses half for agent legs, half for customer calls
  double engage_s = 1.5;             ///< ASM: time for an engaging call to reach the agent
  double engage_failure = 0.0;       ///< ASM: share of engaging calls the agent does not take
  double opt_out = 0.10;             ///< ASM: share of callees finding no agent who press the opt-out digit
};

/// A simulated CPD server on board channels: call progress detection (live,
/// machine, fax, silence, the six SIT kinds), then transfer mode (live calls
/// queue for the longest-ready agent, as on the T-Server) or ASM mode: every
/// ready agent is engaged by an internal call (reported reserved), customers
/// are dialed on the other half of the board, and a live answer is bridged at
/// once to the agent named in DialRequest::agent_id or to the agent engaged
/// longest. A callee who finds no engaged agent hears the abandonment message
/// and may opt out (released with do_not_call); a named agent who cannot be
/// engaged ends the call with general_error. In both modes a request's
/// agent_id (a personal callback) routes the call to that agent only.
class OB_API SimCpd final : public Driver {
 public:
  /// A CPD server on `network` with `agents` agents named prefix1..prefixN; throws Error(invalid_argument) on bad options.
  SimCpd(Network& network, AgentModel agent_model, int agents, CpdOptions options = {},
         std::string agent_prefix = "agent");
  ~SimCpd() override;

  DriverCapabilities capabilities() const override;
  void start(EventSink& sink) override;
  void dial(const DialRequest& request) override;
  void cancel(CallId call_id) override;
  void release_abandoned(CallId call_id) override;
  void stop() override;
  std::string name() const override;

  /// Logs agents in or out so that `n` are logged in (busy agents leave after their call).
  void set_agent_count(int n);
  /// Replaces the agents' talk and wrap-up model from now on.
  void set_agent_model(const AgentModel& model);
  /// Calls currently on the boards.
  std::size_t calls_in_progress() const;
  /// Board channels in use (customer calls plus ASM agent legs).
  int channels_in_use() const;
  /// The settings.
  const CpdOptions& options() const { return options_; }
  /// Counters so far.
  const SimDriverStats& stats() const;

 private:
  CpdOptions options_;
  std::unique_ptr<detail::CallCenter> impl_;
};

/// A simulated GVP's settings.
struct GvpOptions {
  int ports = 30;                                              ///< calls the platform can hold at once
  Distribution ivr{Distribution::Kind::lognormal, 45.0, 20.0};  ///< how long a voice application runs with a person, s
};

/// A voice application session as it starts (for hosts and tests watching the IVR).
struct GvpSession {
  CallId call_id = 0;                             ///< the call
  std::string application;                        ///< DialRequest::voice_application
  std::map<std::string, std::string> attributes;  ///< the record's data it runs with
  Time started{};                                 ///< when it started
};

/// A simulated GVP (outbound IVR): each answered call runs the voice
/// application named in the request with the record's attributes (connected
/// with no agent), then ends with result answer. Capacity is ports; no agents.
class OB_API SimGvp final : public Driver {
 public:
  /// A platform on `network`; throws Error(invalid_argument) on bad options.
  explicit SimGvp(Network& network, GvpOptions options = {});
  ~SimGvp() override;

  DriverCapabilities capabilities() const override;
  void start(EventSink& sink) override;
  /// Places a call; also throws Error(invalid_argument) when the request names no voice application.
  void dial(const DialRequest& request) override;
  void cancel(CallId call_id) override;
  void release_abandoned(CallId call_id) override;
  void stop() override;
  std::string name() const override { return "sim-gvp"; }

  /// Calls `observer` (on the loop thread) each time a voice application starts.
  void on_session(std::function<void(const GvpSession&)> observer);
  /// Calls currently on the platform.
  std::size_t calls_in_progress() const;
  /// The settings.
  const GvpOptions& options() const { return options_; }
  /// Counters so far.
  const SimDriverStats& stats() const;

 private:
  GvpOptions options_;
  std::unique_ptr<detail::IvrPlatform> impl_;
};

}  // namespace outbound::sim
