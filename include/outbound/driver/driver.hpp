// outbound — the dialer driver interface (the extension tier).
//
// A driver places calls on a network (a T-Server switch, CPD boards, GVP) and
// reports what happens to them as CallEvents, plus agent states where the
// network knows them. Drivers never touch the database.
//
// Threads: the engine calls start/dial/cancel/connect/release_abandoned/stop
// on its own loop thread, one at a time. A driver may call the EventSink from any
// thread, at any time between start() and the return of stop(); the sink
// queues the event to the loop thread and never blocks for long.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "outbound/agents.hpp"
#include "outbound/call.hpp"
#include "outbound/clock.hpp"
#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// The network a driver reaches.
enum class DriverKind : int { tserver = 0, cpd = 1, gvp = 2, custom = 3 };

/// A request to place one call.
struct DialRequest {
  CallId call_id = 0;                           ///< the engine's id for the call
  std::string phone;                            ///< number to dial, E.164 where known
  std::int64_t record_id = 0;                   ///< calling-list record
  int campaign_id = 0;                          ///< campaign that owns the record
  std::string campaign;                         ///< campaign group name
  std::map<std::string, std::string> attributes;  ///< record fields and custom fields for the desktop/IVR
  AmdMode amd = AmdMode::detect_drop;           ///< answering machine handling
  Duration ring_timeout{25000};                 ///< ring this long before no_answer (>= 15 s; 0: the driver's default)
  std::string agent_id;                         ///< the agent to engage (ASM) or to route the answer to (personal callback)
  std::string voice_application;                ///< GVP: the application to run on answer
  std::string caller_id;                        ///< number to present (E.164), "" for the network's default
  CampaignAudio audio;                          ///< the campaign's AMD settings, messages and opt-out digit (zero/empty: the driver's own)
};

/// Steps in a call's life, in order (answered/connect_failed/connected/abandoned are optional).
enum class CallEventKind : int {
  dialing = 0,         ///< the network accepted the call
  ringing = 1,         ///< the far end rings
  answered = 2,        ///< the far end answered; see answer class
  connected = 3,       ///< joined to an agent (or the IVR application started)
  abandoned = 4,       ///< answered live but no agent came in time
  released = 5,        ///< the call is over; result says how it ended
  connect_failed = 6,  ///< connect(call, agent) could not reach agent_id (rejected, no answer in time,
                       ///< unreachable): the call still waits for an agent; the agent is not ready
};
/// Number of call event kinds.
inline constexpr int kCallEventKindCount = 7;

/// Name of a call event kind ("ringing").
OB_API std::string_view to_string(CallEventKind k) noexcept;

/// Something that happened to a call.
struct CallEvent {
  CallEventKind kind = CallEventKind::dialing;  ///< what happened
  CallId call_id = 0;                           ///< which call
  Time at{};                                    ///< when (driver's clock; the engine may restamp)
  AnswerClass answer = AnswerClass::unknown;    ///< for answered
  std::string agent_id;                         ///< for connected and connect_failed
  CallResult result = CallResult::unknown;      ///< for released: the call result
  std::string detail;                           ///< free text for logs
  bool message_left = false;                    ///< for released: the campaign's machine_message was left on the machine
};

/// An agent's state change reported by the network (T-Server).
struct AgentEvent {
  std::string agent_id;                    ///< which agent
  AgentState state = AgentState::logged_out;  ///< new state
  Time at{};                               ///< when
};

/// What a driver can do.
struct DriverCapabilities {
  DriverKind kind = DriverKind::custom;  ///< the network kind
  int max_concurrent_calls = 0;          ///< channels / ports; 0 = no fixed limit
  bool reports_agent_states = false;     ///< true when agent states come from the driver
  bool routes_to_agents = false;         ///< the network connects answered calls to agents itself
  bool detects_machines = false;         ///< call progress detection of answering machines
  bool supports_engaging = false;        ///< ASM/seizing: holds ready agents on the line (reported reserved) and bridges answers at once
  bool runs_voice_applications = false;  ///< GVP: runs an IVR application on answer
  bool connects_on_request = false;      ///< the engine routes live answers: it picks the agent and calls
                                         ///< connect(call, agent), and the driver joins the agent's line
};

/// Where a driver sends events; implemented by the engine; thread-safe.
class OB_API EventSink {
 public:
  virtual ~EventSink();
  /// Reports a call event; callable from any thread.
  virtual void on_call_event(const CallEvent& event) = 0;
  /// Reports an agent state change; callable from any thread.
  virtual void on_agent_event(const AgentEvent& event) = 0;
};

/// A dialer driver. start, dial, cancel and stop are required; the rest have
/// defaults a driver overrides when its network can do more.
class OB_API Driver {
 public:
  virtual ~Driver();
  /// What this driver can do (default: a custom driver with no limits and no agents of its own).
  virtual DriverCapabilities capabilities() const;
  /// Starts the driver; events go to `sink` until stop() returns.
  virtual void start(EventSink& sink) = 0;
  /// Places a call; throws Error (busy, invalid_argument, invalid_state…) when it cannot.
  virtual void dial(const DialRequest& request) = 0;
  /// Cancels a call not yet connected; a released event follows. Unknown ids are ignored.
  virtual void cancel(CallId call_id) = 0;
  /// Joins an answered call waiting for an agent to `agent_id`'s line (drivers with
  /// connects_on_request). Either connected (with the agent) or connect_failed follows; throws
  /// Error(invalid_state) for a call not waiting for an agent, Error(not_found) for an agent the
  /// driver cannot reach. Default: throws Error(unsupported).
  virtual void connect(CallId call_id, const std::string& agent_id);
  /// Plays the abandonment message to a live call no agent took, then releases it
  /// (a released event with result abandoned follows, or do_not_call when the
  /// callee pressed the opt-out digit: the engine then lists the number).
  /// Default: cancel(call_id) (no message; the engine records the call as abandoned).
  virtual void release_abandoned(CallId call_id);
  /// Sends an answered call (a machine, fax or silence a treatment's connect/transfer rule names)
  /// to `destination`, a number or address of the network; released follows when it ends.
  /// Default: throws Error(unsupported) (the engine reports it and leaves the call to the driver).
  virtual void transfer(CallId call_id, const std::string& destination);
  /// Stops the driver: calls in flight are released; no event is sent after it returns.
  virtual void stop() = 0;
  /// Short name for logs ("sim-tserver"; default "custom").
  virtual std::string name() const;
};

}  // namespace outbound
