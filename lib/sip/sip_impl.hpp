// The SIP driver's insides (private to lib/sip): the engine-facing state
// (guarded by a mutex, used from the engine's thread) and the calls and legs
// that live on the reactor's thread, where every sofia-sip callback runs.
#pragma once

#include <sofia-sip/nua.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "call_audio.hpp"
#include "dial_gate.hpp"
#include "outbound/driver/sip.hpp"
#include "reactor.hpp"
#include "rtp.hpp"
#include "sip_config.hpp"

namespace outbound::sip {

/// Which side of a call a SIP dialog reaches (agent: the second party joined to the customer,
/// an agent's phone or a treatment's transfer destination).
enum class Role { customer, agent, stray };

/// Where one INVITE dialog stands.
enum class LegState {
  inviting,   ///< INVITE sent, nothing heard
  early,      ///< a provisional response came
  confirmed,  ///< answered (2xx, ACKed)
  ending,     ///< CANCEL or BYE sent
  done,       ///< over (final failure, BYE received): nothing more to send
};

/// One INVITE dialog (a nua handle); owned by the driver until sofia says it terminated.
struct Leg {
  Leg() = default;
  Leg(const Leg&) = delete;
  Leg& operator=(const Leg&) = delete;
  CallId call = 0;
  Role role = Role::stray;
  nua_handle_t* nh = nullptr;
  LegState state = LegState::inviting;
  bool auth_tried = false;    ///< credentials already sent once
  bool probing = false;       ///< an OPTIONS probe is out
  bool bye_sent = false;      ///< we hung up an answered dialog
  bool final_seen = false;    ///< the INVITE got its final response
  Timer linger;               ///< frees a dialog whose INVITE is still open (see forget_leg)
};

/// Where a call stands, as far as the engine can tell.
enum class Stage {
  queued,      ///< waiting for the dial gate
  dialing,     ///< INVITE sent to the customer
  ringing,     ///< 180/183 came
  classifying, ///< answered; AMD listens (the answered event waits for its verdict)
  messaging,   ///< a machine under detect_connect: waiting for the beep, then leaving the message
  waiting,     ///< answered; waits for connect()
  abandoning,  ///< no agent came: the abandon message plays (the opt-out digit listened for)
  connecting,  ///< agent's phone (or the transfer destination) INVITEd
  bridging,    ///< it answered; the customer is re-INVITEd with its media
  connected,   ///< customer and agent (or destination) talk
};

/// A call's audio settings with its messages read and resampled to 8 kHz (null: none).
struct LoadedAudio {
  SipCampaignAudio settings;
  std::shared_ptr<const std::vector<std::int16_t>> abandon_message, machine_message;
};

/// One call of the engine's.
struct Call {
  DialRequest request;
  std::shared_ptr<const LoadedAudio> sound;  // its campaign's AMD settings, messages and opt-out digit
  Stage stage = Stage::queued;
  Leg* customer = nullptr;  // owned by Impl::legs_
  Leg* agent = nullptr;
  std::string agent_id;
  std::string transfer_to;               // set: the second leg goes to this URI for a treatment, not to an agent
  std::string customer_sdp, agent_sdp;  // as each party last described its media
  std::unique_ptr<RtpPort> rtp;
  std::unique_ptr<CallAudio> audio;      // what the customer's side says, analysed
  int payload_type = 0;                  // the G.711 law the customer's answer chose
  Timer audio_timer;                     // bounds AMD, the wait for the beep and the messages
  Timer ring_timer, agent_timer, max_timer, check_timer, retry_timer;
  std::uint64_t session_id = 0;          // our SDP origin toward either party
  std::uint64_t customer_version = 1, agent_version = 0;
  bool agent_gone = false;               // the agent hung up while the customer was being re-INVITEd
  bool message_left = false;             // the machine message went out whole (released says so)
  std::chrono::steady_clock::time_point answered_at{};
};

}  // namespace outbound::sip

namespace outbound {

class SipDriver::Impl {
 public:
  Impl(SipConfig config, std::shared_ptr<Clock> clock);
  ~Impl();

  // --- the engine's side (sip_driver.cpp) ---
  void start(EventSink& sink);
  void dial(const DialRequest& request);
  void cancel(CallId id);
  void connect(CallId id, const std::string& agent_id);
  void transfer(CallId id, const std::string& destination);
  void release_abandoned(CallId id);
  void stop();
  SipDriverStats stats() const;
  void on_audio(std::function<void(const SipAudioFrame&)> observer) { audio_observer_ = std::move(observer); }
  void play(CallId id, std::span<const std::uint8_t> g711);
  const SipConfig& config() const { return cfg_; }

  // --- the reactor's side (call_flow.cpp) ---
  static void on_nua(nua_event_t event, int status, const char* phrase, nua_t* nua, nua_magic_t* magic,
                     nua_handle_t* nh, nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]);

 private:
  using Leg = sip::Leg;
  using Call = sip::Call;
  using Stage = sip::Stage;

  using AudioPtr = std::shared_ptr<const sip::LoadedAudio>;

  // Engine side helpers.
  void emit(CallEventKind kind, CallId id, AnswerClass answer = AnswerClass::unknown, const std::string& agent = {},
            CallResult result = CallResult::unknown, const std::string& detail = {}, bool message_left = false);
  void join_previous();

  // Stack life (reactor thread).
  void create_stack();
  void destroy_stack();
  void begin_shutdown();

  // Call flow (reactor thread).
  void on_event(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Leg* leg, const sip_t* sip,
                tagi_t tags[]);
  void take_call(const DialRequest& rq, AudioPtr audio);
  void pump();
  void send_invite(Call& c);
  void on_customer_response(Leg& leg, Call* c, int status, const char* phrase, const sip_t* sip);
  void on_agent_response(Leg& leg, Call* c, int status, const char* phrase, const sip_t* sip);
  void answered(Call& c, const sip_t* sip);
  void failed(Call& c, int status, const char* phrase, const sip_t* sip);
  void start_join(Call& c, const std::string& uri);  // INVITEs the second party (agent or transfer destination)
  void agent_answered(Call& c, const sip_t* sip);
  void agent_failed(Call& c, const std::string& why);
  void transfer_failed(Call& c, const std::string& why);
  void transferred_call_ends(Call& c, const std::string& detail);
  void bridged(Call& c);
  void on_bye(Leg& leg);
  void on_incoming_invite(nua_handle_t* nh, Leg* leg);
  void on_probe(Leg& leg, int status, const sip_t* sip);
  void probe_legs(CallId id);
  void ring_out(CallId id);
  void release(Call& c, CallResult result, const std::string& detail);
  // Audio (call_audio_flow.cpp).
  void load_audio();
  const AudioPtr& audio_for(const std::string& campaign) const;
  AudioPtr audio_of(const DialRequest& rq);  // the request's settings over the config's (engine thread)
  std::shared_ptr<const std::vector<std::int16_t>> message(const std::string& path, const std::string& field);
  void on_rtp(CallId id, const sip::RtpPacket& p);
  void observe(CallId id, const sip::RtpPacket& p);  // hands a G.711 frame to the on_audio observer
  void start_classifying(Call& c);
  void classified(Call& c, const media::AmdDecision& d);
  void leave_message(Call& c);
  void play_abandon_message(Call& c, const std::string& detail);
  void play_prompt(Call& c, const std::vector<std::int16_t>& prompt);
  void after_prompt(Call& c, std::function<void()> then);  // once the prompt's last frame left, and 300 ms more
  void customer_gone_while_listening(Call& c);
  void abandon(Call& c, const std::string& detail);
  void hang_up(Leg* leg);
  bool authenticate(Leg& leg, const sip_t* sip);
  Leg* new_leg(CallId id, sip::Role role, const std::string& to);
  void forget_leg(Leg& leg);
  void drop_leg(Leg* leg);
  Call* find(CallId id);
  std::string from_header(const DialRequest& rq) const;

  const SipConfig cfg_;
  const std::shared_ptr<Clock> clock_;
  const sip::HostPort listen_;
  std::string media_address_;
  std::string trunk_host_;

  // Engine-facing state, guarded by mu_ (the sink is called under it: it only queues).
  mutable std::mutex mu_;
  EventSink* sink_ = nullptr;
  bool started_ = false;
  std::set<CallId> active_;  // accepted and not yet released
  SipDriverStats stats_;

  std::function<void(const SipAudioFrame&)> audio_observer_;
  AudioPtr default_audio_;
  std::map<std::string, AudioPtr> campaign_audio_;
  std::map<std::string, std::shared_ptr<const std::vector<std::int16_t>>> messages_;  // by path, read once (engine thread)
  std::unique_ptr<sip::Reactor> reactor_;  // the running or draining thread

  // Reactor-thread state.
  nua_t* nua_ = nullptr;
  std::map<CallId, std::unique_ptr<Call>> calls_;
  std::map<Leg*, std::unique_ptr<Leg>> legs_;
  std::deque<CallId> queue_;
  sip::DialGate gate_;
  sip::Timer gate_timer_;
  sip::RtpCounters rtp_counters_;
  std::atomic<long> open_dialogs_{0};  // legs_.size(), readable from any thread
  int rtp_cursor_ = 0;
  std::uint64_t next_session_ = 0;
};

}  // namespace outbound
