// outbound — simulated drivers of the three kinds (T-Server, CPD boards, GVP)
// on the seeded network model of outbound/sim.hpp. They call the EventSink on
// the loop thread, from the loop's timers or from inside
// dial/cancel/release_abandoned, so under a ManualClock a whole day is
// deterministic for a given seed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "outbound/driver/driver.hpp"
#include "outbound/export.hpp"
#include "outbound/sim.hpp"

namespace outbound::sim {

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
  long connect_failures = 0;   ///< engine routing: connect() to an agent who was not ready
  long transfers = 0;          ///< answers sent to a treatment's destination (Driver::transfer)
  std::vector<std::string> transfer_destinations;  ///< where each of them went, in order
  long machine_messages = 0;   ///< detect_connect machines left the campaign's machine_message
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
  /// Engine routing only: joins a waiting live answer to `agent_id` (connected, or connect_failed
  /// when that agent is not ready); Error(unsupported) when the switch routes itself.
  void connect(CallId call_id, const std::string& agent_id) override;
  void release_abandoned(CallId call_id) override;
  /// Records the transfer; the call then ends after the model's machine_talk_s with its own result.
  void transfer(CallId call_id, const std::string& destination) override;
  void stop() override;
  std::string name() const override { return "sim-tserver"; }

  /// Engine routing (before start()): live answers wait for the engine's connect() instead of the
  /// switch's queue, as over SIP; capabilities() then says connects_on_request, not routes_to_agents.
  void set_engine_routing(bool on);

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
  /// Engine routing only (transfer mode): joins a waiting live answer to `agent_id` (connected, or
  /// connect_failed when that agent is not ready); Error(unsupported) when the board routes itself.
  void connect(CallId call_id, const std::string& agent_id) override;
  void release_abandoned(CallId call_id) override;
  /// Records the transfer; the call then ends after the model's machine_talk_s with its own result.
  void transfer(CallId call_id, const std::string& destination) override;
  void stop() override;
  std::string name() const override;

  /// Engine routing (before start(); transfer mode only, else Error(invalid_argument)): live answers
  /// wait for the engine's connect(), as over SIP; capabilities() then says connects_on_request.
  void set_engine_routing(bool on);

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
  /// Records the transfer; the call then ends after the model's machine_talk_s with its own result.
  void transfer(CallId call_id, const std::string& destination) override;
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
