// What the simulated drivers share: the call table, request checks, the
// call-progress script every dial follows on the network (ring, busy, SIT,
// answer), the answer classification per AMD mode, and event emission.
// Every step is a timer on the network's loop, so events reach the sink on the
// loop thread and a run is deterministic under a ManualClock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/driver/sim.hpp"

namespace outbound::sim::detail {

/// One call a simulated driver holds.
struct SimCall {
  DialRequest request;
  CallFate fate;
  bool answered = false;     // the answered event went out
  bool abandonable = false;  // answered and queued for an agent (release_abandoned applies)
  bool connected = false;    // joined to an agent or a voice application
  Time answered_at{};
  std::string agent;         // the engaged (ASM) or connected agent
  std::vector<TimerId> timers;  // pending steps, cancelled when the call ends
  double message_s = 0.0;    // detect_connect with the campaign's machine_message: its length
  bool message_left = false; // the machine message went out whole
};

/// What the call-progress detector makes of an answered call.
struct Judgement {
  AnswerClass reported = AnswerClass::live;      // the class the answered event carries
  bool drop = false;                             // released once classified (after amd_s)
  CallResult drop_result = CallResult::unknown;  // the result when dropped
  bool person = false;                           // a person: hangs up after their patience
  CallResult end_result = CallResult::answer;    // the result when the call ends after talking
};

/// The detector's verdict on `fate` under `amd` (no detection: every answer is live).
Judgement judge(const CallFate& fate, AmdMode amd);

/// The call table and call-progress script of a simulated driver. A driver
/// derives from it and says what happens on an answer and what a call frees.
class SimDriverCore {
 public:
  /// A driver named `name` on `net` holding at most `capacity` calls (channels, ports; 0: no limit).
  SimDriverCore(Network& net, std::string name, int capacity);
  virtual ~SimDriverCore();
  SimDriverCore(const SimDriverCore&) = delete;
  SimDriverCore& operator=(const SimDriverCore&) = delete;

  // --- the Driver operations -----------------------------------------------
  virtual void start(EventSink& sink);
  void dial(const DialRequest& request);
  void cancel(CallId id);
  void release_abandoned(CallId id);
  void transfer(CallId id, const std::string& destination);
  void stop();

  const std::string& name() const { return name_; }
  std::size_t calls_in_progress() const { return calls_.size(); }
  int channels_in_use() const { return static_cast<int>(calls_.size()); }
  const SimDriverStats& stats() const { return stats_; }

 protected:
  // --- what each driver adds -----------------------------------------------
  /// Extra request checks (throw Error(invalid_argument)).
  virtual void check_request(const DialRequest&) const {}
  /// Starts a call whose dialing event went out (default: ring the customer).
  virtual void place(SimCall& call) { ring(call); }
  /// The far end picked up.
  virtual void answered(SimCall& call) = 0;
  /// A call was released: free what it held (agents, queue places).
  virtual void released(SimCall&) {}
  /// Stop: calls are released; now free the rest (agents).
  virtual void on_stop() {}

  // --- tools for drivers ------------------------------------------------------
  /// Dials the customer: ringing, then answer, busy, SIT or no answer as the fate says.
  void ring(SimCall& call);
  /// Runs `fn` in `seconds` unless the call has ended by then.
  void after(SimCall& call, double seconds, std::function<void()> fn);
  /// The call, or nullptr when it has ended.
  SimCall* find(CallId id);
  /// Sends a call event stamped now.
  void emit(CallEventKind kind, CallId id, AnswerClass answer = AnswerClass::unknown, const std::string& agent = {},
            CallResult result = CallResult::unknown, const std::string& detail = {});
  /// Ends a call: cancels its steps, frees its channel, sends released, then calls released().
  void release(CallId id, CallResult result, const std::string& detail = {});
  /// A waiting person is abandoned: abandoned, then released with the abandonment result.
  void abandon(CallId id, CallResult result, const std::string& detail);
  /// Marks the call answered now and sends the answered event.
  void announce_answer(SimCall& call, AnswerClass reported);
  /// Runs the detector on an answer. A call it drops is classified after
  /// amd_s and released (nullopt); any other is counted, announced and its
  /// judgement returned. The call may have ended when this returns: find() it.
  std::optional<Judgement> classify_answer(SimCall& call);
  /// True for a machine the campaign wants its machine_message left on (detect_connect).
  bool wants_message(const SimCall& call) const;
  /// Leaves the campaign's message: the engine hears of the answer first (it may drop or transfer
  /// the call), the beep comes amd_s later, the message plays, and the call ends answering_machine.
  void leave_message(SimCall& call);
  /// True between start() and stop().
  bool running() const { return running_; }
  EventSink* sink() const { return sink_; }
  Network& net() { return net_; }
  Time now() const { return net_.loop().now(); }

  SimDriverStats stats_;

 private:
  Network& net_;
  std::string name_;
  int capacity_;
  EventSink* sink_ = nullptr;
  bool running_ = false;
  std::map<CallId, std::unique_ptr<SimCall>> calls_;
  std::map<std::string, double> message_seconds_;  // machine messages' lengths by path, read once
};

}  // namespace outbound::sim::detail
