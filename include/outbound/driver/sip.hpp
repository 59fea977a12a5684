// outbound — the SIP driver: outbound as a SIP call controller (third-party
// call control, RFC 3725) in front of a SIP trunk or PBX, on sofia-sip.
//
// It INVITEs the customer with its own media (an RTP port, G.711), reports
// the call's progress, and on connect(call, agent) INVITEs the agent's phone
// with the customer's media description, then re-INVITEs the customer with
// the agent's answer, so that audio flows customer <-> agent directly. A BYE
// from either side ends both legs. Final responses and timeouts become OCS
// call results through sip_call_result() (the table is in docs/sip.md).
//
// Threads: one thread of the driver's own carries every call (SIP, RTP and
// timers); events reach the EventSink from that thread (dialing from the
// caller of dial). dial/cancel/connect/release_abandoned/stop may be called
// from any one thread at a time (the engine's loop thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "outbound/clock.hpp"
#include "outbound/driver/driver.hpp"
#include "outbound/export.hpp"
#include "outbound/media.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// Digest credentials for a trunk that challenges (401/407) the driver's requests.
struct SipCredentials {
  std::string username;  ///< "" = no credentials: a challenge ends the call (dial_error)
  std::string password;  ///< the password
  std::string realm;     ///< answer only this realm's challenges ("" = whatever realm the trunk names)
};

/// What a campaign's calls hear and how their answers are told apart (SipConfig::audio, campaign_audio).
struct SipCampaignAudio {
  media::AmdSettings amd;       ///< answering-machine detection, for requests that ask for it
  std::string abandon_message;  ///< WAV (8/16 kHz mono 16-bit) release_abandoned plays before hanging up ("" = none)
  std::string machine_message;  ///< WAV left on a machine after its beep under detect_connect ("" = none)
  char opt_out_digit = 0;       ///< '0'-'9', '*', '#': pressed during the abandon message, the number goes on the DNC list (0 = none)
};

/// How the SIP driver reaches the trunk and the agents' phones. validate() says what is wrong.
struct SipConfig {
  std::string listen = "127.0.0.1:5070";  ///< host:port the driver takes SIP on (UDP and TCP)
  /// Request-URI of a customer: "{number}" becomes the E.164 number as dialed ("+12125550100").
  std::string customer_uri = "sip:{number}@127.0.0.1:5071";
  std::string outbound_proxy;             ///< "" = none; else the SIP URI every request is sent through
  SipCredentials credentials;             ///< answers to the trunk's digest challenges
  /// E.164 number presented in From and P-Asserted-Identity when a request names none ("" = anonymous).
  std::string caller_id;
  std::map<std::string, std::string> agents;  ///< agent id -> SIP URI of the agent's phone
  int max_concurrent_calls = 0;           ///< calls at once; a dial beyond gets Error(busy) (0 = no limit)
  double calls_per_second = 0;            ///< INVITEs per second toward the trunk (0 = no limit); dials wait their turn
  Duration agent_answer_timeout{1000};    ///< an agent's phone answering later is given up (connect_failed)
  Duration default_ring_timeout{25000};   ///< ring timeout of requests that give 0 (at least 15 s)
  Duration max_call_duration{std::chrono::hours(4)};  ///< an answered call is hung up after this, whatever happens
  Duration leg_check_interval{std::chrono::seconds(30)};  ///< connected legs are probed (OPTIONS) this often (0 = never)
  Duration transaction_timeout{32000};    ///< SIP timer B/F (64 x T1): a request with no final response fails after it
  Duration backoff_initial{1000};         ///< the first pause after a 503, timeout or transport failure; doubles each time
  Duration backoff_max{std::chrono::seconds(60)};  ///< the longest pause (a Retry-After above it is cut to it)
  std::string rtp_address;                ///< address RTP binds to and the SDP offers ("" = the listen host)
  int rtp_port_min = 16384;               ///< lowest RTP port (even ports only, one a call)
  int rtp_port_max = 32766;               ///< highest RTP port
  SipCampaignAudio audio;                 ///< messages and AMD settings of campaigns not in campaign_audio
  std::map<std::string, SipCampaignAudio> campaign_audio;  ///< by campaign group name (DialRequest::campaign)
};

/// Throws Error(invalid_argument), naming the field, when `config` is malformed: listen address, URIs,
/// the {number} template, agents' URIs, a caller id that is not E.164, negative limits, timeouts, ports.
OB_API void validate(const SipConfig& config);

/// The call result a SIP final response ends a customer call with (the docs/sip.md table): 486/600
/// busy, 404/604 SIT vacant, 410 SIT intercept, 484 SIT invalid number, 408/480 no answer, 503 all
/// trunks busy, 500/502 switch error, 603 busy (declined)… Codes under 300 give CallResult::unknown.
OB_API CallResult sip_call_result(int status) noexcept;

/// Counters of a SIP driver since it was made.
struct SipDriverStats {
  std::map<int, long> final_responses;  ///< customer INVITE final responses by status code
  long invites = 0;                     ///< customer INVITEs sent
  long timeouts = 0;                    ///< customer INVITEs that got no final response in time
  long transport_failures = 0;          ///< customer INVITEs the transport could not deliver
  long backoffs = 0;                    ///< pauses taken after 503s, timeouts or transport failures
  long connects = 0;                    ///< agent legs bridged
  long connect_failures = 0;            ///< agent legs that failed (connect_failed events)
  long legs_lost = 0;                   ///< connected legs found gone by the leg check
  long transfers = 0;                   ///< calls joined to a treatment's destination (transfer())
  long transfer_failures = 0;           ///< transfers whose destination refused, never answered or could not be joined
  long rtp_packets = 0;                 ///< RTP packets received on the driver's media ports
  long rtp_rejected = 0;                ///< datagrams on media ports that were not G.711 RTP
  long open_dialogs = 0;                ///< SIP dialogs (legs) the driver holds now, ended calls' included
  long rtp_lost = 0;                    ///< 20 ms frames that never arrived (fed to the detectors as silence)
  long rtp_late = 0;                    ///< packets that came after their turn (dropped)
  std::map<std::string, std::map<AnswerClass, long>> answers;  ///< AMD verdicts by campaign, then class
  long abandon_messages = 0;            ///< abandon messages played to the end or to an opt-out
  long machine_messages = 0;            ///< messages left on machines
  long opt_outs = 0;                    ///< callees who pressed the opt-out digit
};

/// One 20 ms frame of a call's audio as G.711 (160 bytes of µ-law or A-law).
struct SipAudioFrame {
  CallId call_id = 0;                      ///< the call
  int payload_type = 0;                    ///< 0 PCMU (µ-law), 8 PCMA (A-law)
  std::uint16_t sequence = 0;              ///< RTP sequence number
  std::uint32_t timestamp = 0;             ///< RTP timestamp (8 kHz)
  std::span<const std::uint8_t> payload;   ///< the samples (valid during the callback)
};

/// A SIP driver on a trunk or PBX.
class OB_API SipDriver final : public Driver {
 public:
  /// A driver with `config` (validated: throws Error(invalid_argument)); events are stamped by `clock`
  /// (the system clock when null). Nothing is bound until start().
  explicit SipDriver(SipConfig config, std::shared_ptr<Clock> clock = nullptr);
  ~SipDriver() override;
  SipDriver(const SipDriver&) = delete;
  SipDriver& operator=(const SipDriver&) = delete;

  /// Kind custom, max_concurrent_calls from the config, connects_on_request.
  DriverCapabilities capabilities() const override;
  /// Binds the listen address and the SIP thread; throws Error(busy) when the address is taken.
  void start(EventSink& sink) override;
  /// Queues the customer's INVITE (dialing is reported at once); throws Error(invalid_argument) for a
  /// phone that is not E.164, Error(busy) at max_concurrent_calls, Error(invalid_state) when stopped.
  void dial(const DialRequest& request) override;
  /// CANCELs a call not yet answered (released: cleared); a waiting answered call is hung up too.
  void cancel(CallId call_id) override;
  /// INVITEs agent_id's phone with the customer's media, then re-INVITEs the customer with the
  /// agent's answer: connected, or connect_failed (rejected, no answer in agent_answer_timeout).
  /// Throws Error(not_found) for an agent not in the config, Error(invalid_state) for a call not waiting.
  void connect(CallId call_id, const std::string& agent_id) override;
  /// Joins an answered call (waiting, or a detect_connect machine before its message) to
  /// `destination`, a sip:/sips: URI, as connect joins an agent (no connected event); released
  /// follows when either side hangs up or max_call_duration passes (answer), or at once when the
  /// destination fails within agent_answer_timeout (cleared). Throws Error(invalid_argument) for a
  /// destination that is not a SIP URI, Error(invalid_state) for a call that cannot be transferred.
  void transfer(CallId call_id, const std::string& destination) override;
  /// Hangs up a live call no agent took: abandoned, then released (abandoned).
  void release_abandoned(CallId call_id) override;
  /// CANCELs or BYEs every call (released: cleared), then closes the SIP thread and ports.
  void stop() override;
  /// "sip".
  std::string name() const override { return "sip"; }

  /// Counters so far (any thread).
  SipDriverStats stats() const;
  /// Calls `observer` (on the SIP thread) with every audio frame a call's customer sends the driver's
  /// RTP port (before the call is connected to an agent). Set before start().
  void on_audio(std::function<void(const SipAudioFrame&)> observer);
  /// Sends G.711 audio (in the call's payload type, 160 bytes a 20 ms frame) to call_id's customer,
  /// paced in real time after what is queued already. Ignored for unknown or bridged calls.
  void play(CallId call_id, std::span<const std::uint8_t> g711);
  /// The address (host:port) SIP is taken on once started, e.g. for logs.
  std::string local_address() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outbound
