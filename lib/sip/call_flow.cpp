// The SIP driver's call flow, on the reactor's thread: the customer's INVITE
// and what its responses mean, third-party call control on connect and on a
// treatment's transfer (RFC 3725: the agent's phone, or the destination, gets
// the customer's media description, the customer is re-INVITEd with its
// answer), hang-ups from either side, and the
// timers that bound every dialog (ring timeout, agent answer timeout, leg
// checks, maximum call duration).
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag.h>

#include <algorithm>

#include "outbound/error.hpp"
#include "sdp.hpp"
#include "sip_impl.hpp"

namespace outbound {

using sip::Leg;
using sip::LegState;
using sip::Role;
using sip::Stage;

namespace {

// Who the second leg reaches, for details.
std::string second_party(const sip::Call& c) {
  return c.transfer_to.empty() ? "the agent's phone" : "the destination " + c.transfer_to;
}

// sofia-sip marks the responses it makes itself (a transaction that timed
// out, a transport that failed) with this bit of sip_flags: NTA_INTERNAL_MSG
// in its private nta_internal.h.
constexpr unsigned kSofiaInternalMessage = 1u << 15;

bool made_by_sofia(const sip_t* sip, int status) {
  return !sip || (sip->sip_flags & kSofiaInternalMessage) || status >= 700;
}

std::string body_of(const sip_t* sip) {
  if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data) return {};
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

Time steady_now() {
  return Time(std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

std::string response_text(int status, const char* phrase) {
  return std::to_string(status) + (phrase && *phrase ? std::string(" ") + phrase : std::string());
}

/// The G.711 payload type the answer chose (the first of 0 and 8 it lists).
int chosen_payload_type(const sip::AudioStream& a) {
  for (int pt : a.payload_types)
    if (pt == 0 || pt == 8) return pt;
  return 0;
}

const char* kSdp = "application/sdp";

}  // namespace

// --- the stack's life -----------------------------------------------------------

void SipDriver::Impl::create_stack() {
  su_root_threading(reactor_->root(), 0);  // the stack runs on this very thread: one thread for everything
  const bool v6 = listen_.host.find(':') != std::string::npos;
  const std::string url = "sip:" + (v6 ? "[" + listen_.host + "]" : listen_.host) + ":" + std::to_string(listen_.port);
  const auto t1x64 = static_cast<unsigned>(cfg_.transaction_timeout.count());
  nua_ = nua_create(reactor_->root(), &Impl::on_nua, reinterpret_cast<nua_magic_t*>(this), NUTAG_URL(url.c_str()),
                    NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOANSWER(0), NUTAG_AUTOALERT(0), NUTAG_AUTOACK(1),
                    NUTAG_AUTO302(0), NUTAG_SESSION_TIMER(0), NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS"),
                    NUTAG_USER_AGENT("outbound"), NTATAG_SIP_T1X64(t1x64),
                    TAG_IF(!cfg_.outbound_proxy.empty(), NUTAG_PROXY(cfg_.outbound_proxy.c_str())), TAG_END());
  if (!nua_)
    throw Error(ErrorCode::busy, "the SIP driver cannot take SIP on " + cfg_.listen +
                                     " (UDP and TCP): the address is in use or not this host's");
}

void SipDriver::Impl::begin_shutdown() {
  calls_.clear();
  gate_timer_.cancel();
  // Our CANCELs and BYEs are on their way; letting go of the dialogs now keeps
  // the shutdown from waiting on far ends that do not answer them.
  for (auto& [raw, leg] : legs_) {
    nua_handle_bind(leg->nh, nullptr);
    nua_handle_destroy(leg->nh);
  }
  legs_.clear();
  open_dialogs_ = 0;
  nua_shutdown(nua_);
}

void SipDriver::Impl::destroy_stack() {
  calls_.clear();
  queue_.clear();
  gate_timer_.cancel();
  if (nua_) nua_destroy(nua_);
  nua_ = nullptr;
  legs_.clear();
}

// --- events from sofia-sip -------------------------------------------------------

void SipDriver::Impl::on_nua(nua_event_t event, int status, const char* phrase, nua_t*, nua_magic_t* magic,
                             nua_handle_t* nh, nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
  auto* self = reinterpret_cast<Impl*>(magic);
  if (!self) return;
  try {
    self->on_event(event, status, phrase, nh, reinterpret_cast<Leg*>(hmagic), sip, tags);
  } catch (...) {
    // Nothing may unwind into C; a call that could not be handled is ended by its timers.
  }
}

void SipDriver::Impl::on_event(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Leg* leg,
                               const sip_t* sip, tagi_t tags[]) {
  if (leg && !legs_.count(leg)) leg = nullptr;  // a handle we let go of already
  if (!leg && nh && event != nua_i_invite && event != nua_r_shutdown) {
    // A request outside any call of ours (MESSAGE, SUBSCRIBE…) came with a handle of its own,
    // which is ours to free; sofia has answered it (405 or 501).
    nua_handle_destroy(nh);
    return;
  }
  switch (event) {
    case nua_i_invite:
      on_incoming_invite(nh, leg);
      break;
    case nua_r_invite:
      if (leg && status >= 200) leg->final_seen = true;
      if (leg && leg->role == Role::customer) on_customer_response(*leg, find(leg->call), status, phrase, sip);
      if (leg && leg->role == Role::agent) on_agent_response(*leg, find(leg->call), status, phrase, sip);
      break;
    case nua_i_bye:
      if (leg) on_bye(*leg);
      break;
    case nua_r_options:
      if (leg) on_probe(*leg, status, sip);
      break;
    case nua_i_state: {
      int state = -1;
      tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
      if (leg && state == nua_callstate_terminated) forget_leg(*leg);
      break;
    }
    case nua_r_shutdown:
      if (status >= 200) reactor_->quit();
      break;
    default:
      break;
  }
}

void SipDriver::Impl::on_incoming_invite(nua_handle_t* nh, Leg* leg) {
  if (leg) {
    // A party's own re-INVITE (hold, a new address): 488 leaves the session as it was.
    nua_respond(nh, SIP_488_NOT_ACCEPTABLE, TAG_END());
    return;
  }
  // outbound places calls; it takes none. The handle is kept until sofia ends it.
  auto stray = std::make_unique<Leg>();
  stray->role = Role::stray;
  stray->nh = nh;
  stray->state = LegState::done;
  nua_handle_bind(nh, reinterpret_cast<nua_hmagic_t*>(stray.get()));
  legs_.emplace(stray.get(), std::move(stray));
  open_dialogs_ = static_cast<long>(legs_.size());
  nua_respond(nh, 403, "outbound takes no calls", TAG_END());
}

// --- placing the customer's call -------------------------------------------------------

void SipDriver::Impl::take_call(const DialRequest& rq, AudioPtr sound) {
  auto call = std::make_unique<Call>();
  call->request = rq;
  call->sound = std::move(sound);
  call->session_id = next_session_++;
  Call& c = *call;
  calls_.emplace(rq.call_id, std::move(call));
  c.rtp = sip::RtpPort::open(*reactor_, media_address_, cfg_.rtp_port_min, cfg_.rtp_port_max, rtp_cursor_,
                             rtp_counters_);
  if (!c.rtp) return release(c, CallResult::no_free_port, "no free RTP port in " + std::to_string(cfg_.rtp_port_min) +
                                                              ".." + std::to_string(cfg_.rtp_port_max));
  const CallId id = rq.call_id;
  c.audio = std::make_unique<sip::CallAudio>(rq.amd, c.sound->settings.amd);
  c.rtp->on_packet([this, id](const sip::RtpPacket& p) {
    if (audio_observer_ && p.payload_type <= 8) observe(id, p);
    on_rtp(id, p);  // last: it may end the call
  });
  queue_.push_back(id);
  pump();
}

void SipDriver::Impl::observe(CallId id, const sip::RtpPacket& p) {
  {
    SipAudioFrame f;
    f.call_id = id;
    f.payload_type = p.payload_type;
    f.sequence = p.sequence;
    f.timestamp = p.timestamp;
    f.payload = p.payload;
    audio_observer_(f);
  }
}

void SipDriver::Impl::pump() {
  while (!queue_.empty()) {
    const Time now = steady_now();
    const Time allowed = gate_.next_allowed();
    if (allowed > now) {
      gate_timer_.set(reactor_->root(), allowed - now, [this] { pump(); });
      return;
    }
    const CallId id = queue_.front();
    queue_.pop_front();
    Call* c = find(id);
    if (!c || c->stage != Stage::queued) continue;
    gate_.sent(now);
    send_invite(*c);
  }
}

std::string SipDriver::Impl::from_header(const DialRequest& rq) const {
  const std::string& number = sip::is_e164(rq.caller_id) ? rq.caller_id : cfg_.caller_id;
  if (number.empty()) return "\"Anonymous\" <sip:anonymous@anonymous.invalid>";  // RFC 3323
  return "<sip:" + number + "@" + (trunk_host_.empty() ? listen_.host : trunk_host_) + ">";
}

void SipDriver::Impl::send_invite(Call& c) {
  const std::string uri = sip::customer_uri(cfg_.customer_uri, c.request.phone);
  Leg* leg = new_leg(c.request.call_id, Role::customer, uri);
  if (!leg) return release(c, CallResult::system_error, "the SIP stack refused a new dialog");
  c.customer = leg;
  c.stage = Stage::dialing;
  const std::string from = from_header(c.request);
  const bool anonymous = from.front() == '"';
  const std::string pai = "P-Asserted-Identity: " + from.substr(from.find('<'));
  const std::string offer = sip::make_offer(media_address_, c.rtp->port(), c.session_id, c.customer_version);
  nua_invite(leg->nh, NUTAG_URL(uri.c_str()), SIPTAG_FROM_STR(from.c_str()), TAG_IF(!anonymous, SIPTAG_HEADER_STR(pai.c_str())),
             TAG_IF(anonymous, SIPTAG_PRIVACY_STR("id")), SIPTAG_CONTENT_TYPE_STR(kSdp),
             SIPTAG_PAYLOAD_STR(offer.c_str()), TAG_END());
  {
    std::lock_guard lock(mu_);
    ++stats_.invites;
  }
  const Duration ring = c.request.ring_timeout.count() ? c.request.ring_timeout : cfg_.default_ring_timeout;
  const CallId id = c.request.call_id;
  c.ring_timer.set(reactor_->root(), ring, [this, id] { ring_out(id); });
}

void SipDriver::Impl::ring_out(CallId id) {
  Call* c = find(id);
  if (!c || (c->stage != Stage::dialing && c->stage != Stage::ringing)) return;
  if (c->customer && c->customer->state == LegState::inviting) {
    // Not even a provisional response: the trunk is not there (no answer would be a lie).
    const bool paused = gate_.trouble(steady_now()).count() > 0;
    std::lock_guard lock(mu_);
    ++stats_.timeouts;
    if (paused) ++stats_.backoffs;
  }
  const bool silent = c->customer && c->customer->state == LegState::inviting;
  release(*c, silent ? CallResult::no_progress : CallResult::no_answer,
          silent ? "no response from the trunk within the ring timeout" : "no answer within the ring timeout");
}

void SipDriver::Impl::on_customer_response(Leg& leg, Call* c, int status, const char* phrase, const sip_t* sip) {
  const bool current = c && c->customer == &leg;
  if (status < 200) {
    if (status >= 100 && leg.state == LegState::inviting) leg.state = LegState::early;
    if (current && status >= 180 && c->stage == Stage::dialing) {
      c->stage = Stage::ringing;
      emit(CallEventKind::ringing, c->request.call_id, AnswerClass::unknown, {}, CallResult::unknown,
           response_text(status, phrase));
    }
    return;
  }
  if ((status == 401 || status == 407) && leg.state != LegState::ending && authenticate(leg, sip)) return;
  if (status < 300) {
    const bool first = leg.state != LegState::confirmed && leg.state != LegState::ending;
    if (!current || leg.state == LegState::ending) {
      // Answered after we gave up on it (a CANCEL crossed the 200): hang up, once.
      if (!leg.bye_sent) {
        leg.state = LegState::confirmed;
        hang_up(&leg);
      }
      return;
    }
    leg.state = LegState::confirmed;
    if (first && (c->stage == Stage::dialing || c->stage == Stage::ringing)) return answered(*c, sip);
    if (c->stage == Stage::bridging) return bridged(*c);
    return;
  }
  if (leg.state != LegState::confirmed) leg.state = LegState::done;
  if (!current) return;  // the end of an INVITE we cancelled
  if (c->stage == Stage::dialing || c->stage == Stage::ringing) return failed(*c, status, phrase, sip);
  if (c->stage == Stage::bridging) {
    // The customer refused the agent's media. 491: both sides re-INVITEd at once; try again shortly.
    if (status == 491 && !c->retry_timer.armed()) {
      const CallId id = c->request.call_id;
      c->retry_timer.set(reactor_->root(), Duration(150), [this, id] {
        Call* again = find(id);
        if (!again || again->stage != Stage::bridging || !again->customer) return;
        const auto offer = sip::with_origin(again->agent_sdp, again->session_id, ++again->customer_version);
        if (offer)
          nua_invite(again->customer->nh, SIPTAG_CONTENT_TYPE_STR(kSdp), SIPTAG_PAYLOAD_STR(offer->c_str()), TAG_END());
      });
      return;
    }
    if (!c->transfer_to.empty())
      return transfer_failed(*c, "the customer refused the destination's media: " + response_text(status, phrase));
    release(*c, CallResult::call_drop_error, "the customer refused the agent's media: " + response_text(status, phrase));
  }
}

void SipDriver::Impl::answered(Call& c, const sip_t* sip) {
  c.ring_timer.cancel();
  c.stage = Stage::waiting;
  c.customer_sdp = body_of(sip);
  c.answered_at = std::chrono::steady_clock::now();
  if (auto a = sip::audio_stream(c.customer_sdp); a && c.rtp) {
    c.payload_type = chosen_payload_type(*a);
    c.rtp->set_peer(a->address, a->port, c.payload_type);
    if (a->telephone_event >= 0) c.rtp->set_event_payload_type(a->telephone_event);
  }
  gate_.healthy();
  {
    std::lock_guard lock(mu_);
    ++stats_.final_responses[200];
  }
  const CallId id = c.request.call_id;
  c.max_timer.set(reactor_->root(), cfg_.max_call_duration, [this, id] {
    Call* over = find(id);
    if (!over) return;
    if (!over->transfer_to.empty()) return transferred_call_ends(*over, "the maximum call duration passed");
    if (over->stage == Stage::connected) return release(*over, CallResult::answer, "the maximum call duration passed");
    abandon(*over, "the maximum call duration passed with no agent");
  });
  // With AMD the engine hears of the answer once the detector has its class.
  if (c.request.amd != AmdMode::none) return start_classifying(c);
  c.audio->answered();  // DTMF is still listened for (the opt-out digit)
  emit(CallEventKind::answered, id, AnswerClass::live);
}

void SipDriver::Impl::failed(Call& c, int status, const char* phrase, const sip_t* sip) {
  const Time now = steady_now();
  CallResult result;
  std::string detail = response_text(status, phrase);
  bool trouble = false;
  std::optional<Duration> retry_after;
  {
    std::lock_guard lock(mu_);
    if (made_by_sofia(sip, status) && status == 408) {
      result = CallResult::no_progress;
      detail = "no final response from the trunk within the transaction timeout";
      ++stats_.timeouts;
      trouble = true;
    } else if (made_by_sofia(sip, status)) {
      result = CallResult::switch_error;
      detail = "the trunk could not be reached: " + detail;
      ++stats_.transport_failures;
      trouble = true;
    } else {
      ++stats_.final_responses[status];
      result = sip_call_result(status);
      trouble = status == 503;
      if (trouble && sip->sip_retry_after) retry_after = std::chrono::seconds(sip->sip_retry_after->af_delta);
    }
  }
  if (trouble && gate_.trouble(now, retry_after).count() > 0) {
    std::lock_guard lock(mu_);
    ++stats_.backoffs;
  }
  if (!trouble) gate_.healthy();
  release(c, result, detail);
}

bool SipDriver::Impl::authenticate(Leg& leg, const sip_t* sip) {
  const auto& cr = cfg_.credentials;
  if (cr.username.empty() || leg.auth_tried || !sip) return false;
  const msg_auth_t* challenge = sip->sip_proxy_authenticate ? sip->sip_proxy_authenticate : sip->sip_www_authenticate;
  if (!challenge || !challenge->au_scheme) return false;
  const char* realm = msg_params_find(challenge->au_params, "realm=");
  if (!realm) return false;
  std::string quoted = realm;  // as the challenge spells it, quotes included
  std::string bare = quoted.size() >= 2 && quoted.front() == '"' ? quoted.substr(1, quoted.size() - 2) : quoted;
  if (!cr.realm.empty() && bare != cr.realm) return false;
  leg.auth_tried = true;
  const std::string auth = std::string(challenge->au_scheme) + ":\"" + bare + "\":" + cr.username + ":" + cr.password;
  nua_authenticate(leg.nh, NUTAG_AUTH(auth.c_str()), TAG_END());
  return true;
}

// --- connect: third-party call control -----------------------------------------------------

// The second party is an agent's phone (connect: c.agent_id) or a treatment's destination
// (transfer: c.transfer_to); both get the same 3PCC and the same answer timeout.
void SipDriver::Impl::start_join(Call& c, const std::string& uri) {
  const CallId id = c.request.call_id;
  const auto offer = sip::with_origin(c.customer_sdp, c.session_id + (1ull << 63), ++c.agent_version);
  if (!offer) return agent_failed(c, "the customer's answer has no usable media description to offer " + second_party(c));
  Leg* leg = new_leg(id, Role::agent, uri);
  if (!leg) return agent_failed(c, "the SIP stack refused a new dialog");
  c.agent = leg;
  c.stage = Stage::connecting;
  // The agent's phone (or the destination) shows whom it is about to talk to.
  const std::string from = "<sip:" + c.request.phone + "@" + listen_.host + ">";
  nua_invite(leg->nh, NUTAG_URL(uri.c_str()), SIPTAG_FROM_STR(from.c_str()), SIPTAG_CONTENT_TYPE_STR(kSdp),
             SIPTAG_PAYLOAD_STR(offer->c_str()), TAG_END());
  c.agent_timer.set(reactor_->root(), cfg_.agent_answer_timeout, [this, id] {
    Call* late = find(id);
    if (late && late->stage == Stage::connecting)
      agent_failed(*late, "no answer within " + std::to_string(cfg_.agent_answer_timeout.count()) + " ms from " +
                              second_party(*late) + " (agent_answer_timeout)");
  });
}

void SipDriver::Impl::on_agent_response(Leg& leg, Call* c, int status, const char* phrase, const sip_t* sip) {
  const bool current = c && c->agent == &leg;
  if (status < 200) {
    if (leg.state == LegState::inviting) leg.state = LegState::early;
    return;
  }
  if (status < 300) {
    if (!current || leg.state == LegState::ending || c->stage != Stage::connecting) {
      if (!leg.bye_sent) {  // answered too late (after its timeout, or the customer left): BYE
        leg.state = LegState::confirmed;
        hang_up(&leg);
      }
      return;
    }
    leg.state = LegState::confirmed;
    return agent_answered(*c, sip);
  }
  leg.state = LegState::done;
  if (current && c->stage == Stage::connecting) agent_failed(*c, second_party(*c) + " answered " + response_text(status, phrase));
}

void SipDriver::Impl::agent_answered(Call& c, const sip_t* sip) {
  c.agent_timer.cancel();
  c.agent_sdp = body_of(sip);
  const auto offer = sip::with_origin(c.agent_sdp, c.session_id, ++c.customer_version);
  if (!offer) return agent_failed(c, second_party(c) + " answered with no usable media description");
  c.stage = Stage::bridging;
  nua_invite(c.customer->nh, SIPTAG_CONTENT_TYPE_STR(kSdp), SIPTAG_PAYLOAD_STR(offer->c_str()), TAG_END());
}

void SipDriver::Impl::agent_failed(Call& c, const std::string& why) {
  if (!c.transfer_to.empty()) return transfer_failed(c, why);
  c.agent_timer.cancel();
  hang_up(c.agent);
  c.agent = nullptr;
  const std::string agent = std::move(c.agent_id);
  c.agent_id.clear();
  c.stage = Stage::waiting;
  {
    std::lock_guard lock(mu_);
    ++stats_.connect_failures;
  }
  emit(CallEventKind::connect_failed, c.request.call_id, AnswerClass::unknown, agent, CallResult::unknown, why);
}

// A destination that refused, never answered or could not be joined: the call ends at once (the
// machine gets no message). `cleared`, as for a hang-up the engine asked for, so the engine keeps
// the result of the answer that chose the transfer (its treatment still applies).
void SipDriver::Impl::transfer_failed(Call& c, const std::string& why) {
  {
    std::lock_guard lock(mu_);
    ++stats_.transfer_failures;
  }
  release(c, CallResult::cleared, "the transfer failed: " + why);
}

// A transferred call ended after it was joined (or on its way there): `answer`, which the engine
// turns into the result of the answer that chose the transfer.
void SipDriver::Impl::transferred_call_ends(Call& c, const std::string& detail) {
  if (c.stage != Stage::connected) return transfer_failed(c, detail);
  release(c, CallResult::answer, "transferred to " + c.transfer_to + "; " + detail);
}

void SipDriver::Impl::bridged(Call& c) {
  c.retry_timer.cancel();
  const bool transfer = !c.transfer_to.empty();
  if (c.agent_gone && transfer) return transfer_failed(c, "the destination hung up while the call was being joined");
  if (c.agent_gone) return release(c, CallResult::call_drop_error, "the agent hung up while the call was being joined");
  c.stage = Stage::connected;
  c.rtp.reset();  // audio flows customer <-> agent now, not through the driver
  {
    std::lock_guard lock(mu_);
    ++(transfer ? stats_.transfers : stats_.connects);
  }
  // No agent takes a transferred call: the engine hears of it again when it is released.
  if (!transfer) emit(CallEventKind::connected, c.request.call_id, AnswerClass::unknown, c.agent_id);
  if (cfg_.leg_check_interval.count() > 0) {
    const CallId id = c.request.call_id;
    c.check_timer.set(reactor_->root(), cfg_.leg_check_interval, [this, id] { probe_legs(id); });
  }
}

// --- hang-ups and checks --------------------------------------------------------------------

void SipDriver::Impl::on_bye(Leg& leg) {
  leg.state = LegState::done;  // sofia answered the BYE
  Call* c = find(leg.call);
  if (!c) return;
  if (leg.role == Role::customer && c->customer == &leg) {
    c->customer = nullptr;
    if (!c->transfer_to.empty()) return transferred_call_ends(*c, "the customer's side hung up");
    if (c->stage == Stage::connected) return release(*c, CallResult::answer, "the customer hung up");
    if (c->stage == Stage::waiting || c->stage == Stage::connecting || c->stage == Stage::bridging)
      return abandon(*c, "the customer hung up before an agent was joined");
    if (c->stage == Stage::classifying || c->stage == Stage::messaging || c->stage == Stage::abandoning)
      return customer_gone_while_listening(*c);
    return release(*c, CallResult::remote_release, "the far end ended the call before answering (BYE)");
  }
  if (leg.role == Role::agent && c->agent == &leg) {
    c->agent = nullptr;
    if (c->stage == Stage::connected && !c->transfer_to.empty()) return transferred_call_ends(*c, "the destination hung up");
    if (c->stage == Stage::connected) return release(*c, CallResult::answer, "the agent hung up");
    if (c->stage == Stage::bridging) c->agent_gone = true;
  }
}

void SipDriver::Impl::probe_legs(CallId id) {
  Call* c = find(id);
  if (!c || c->stage != Stage::connected) return;
  for (Leg* leg : {c->customer, c->agent}) {
    if (!leg || leg->probing) continue;  // an answer still due: the transaction timeout decides
    leg->probing = true;
    nua_options(leg->nh, TAG_END());
  }
  c->check_timer.set(reactor_->root(), cfg_.leg_check_interval, [this, id] { probe_legs(id); });
}

void SipDriver::Impl::on_probe(Leg& leg, int status, const sip_t* sip) {
  leg.probing = false;
  // Any answer but these shows the party is there (even 405 or 501).
  const bool gone = status == 481 || status == 408 || (made_by_sofia(sip, status) && status >= 300);
  Call* c = find(leg.call);
  if (!gone || !c || c->stage != Stage::connected) return;
  const bool agent = leg.role == Role::agent;
  leg.state = LegState::done;  // nothing to BYE: it is gone
  if (agent) c->agent = nullptr; else c->customer = nullptr;
  {
    std::lock_guard lock(mu_);
    ++stats_.legs_lost;
  }
  release(*c, CallResult::call_drop_error,
          agent ? "the agent's phone (or transfer destination) stopped answering (" + std::to_string(status) + ")"
                : "the customer's side stopped answering (" + std::to_string(status) + ")");
}

void SipDriver::Impl::abandon(Call& c, const std::string& detail) {
  emit(CallEventKind::abandoned, c.request.call_id);
  release(c, CallResult::abandoned, detail);
}

void SipDriver::Impl::release(Call& c, CallResult result, const std::string& detail) {
  const CallId id = c.request.call_id;
  hang_up(c.customer);
  hang_up(c.agent);
  if (c.audio) {
    std::lock_guard lock(mu_);
    stats_.rtp_lost += c.audio->counts().lost;
    stats_.rtp_late += c.audio->counts().late;
  }
  auto it = calls_.find(id);
  std::unique_ptr<Call> gone = std::move(it->second);  // its timers and RTP port go with it
  calls_.erase(it);
  emit(CallEventKind::released, id, AnswerClass::unknown, {}, result, detail, gone->message_left);
}

void SipDriver::Impl::hang_up(Leg* leg) {
  if (!leg) return;
  switch (leg->state) {
    case LegState::inviting:
    case LegState::early:
      nua_cancel(leg->nh, TAG_END());
      leg->state = LegState::ending;
      break;
    case LegState::confirmed:
      nua_bye(leg->nh, TAG_END());
      leg->state = LegState::ending;
      leg->bye_sent = true;
      break;
    case LegState::ending:
    case LegState::done:
      break;
  }
}

// --- dialogs ---------------------------------------------------------------------------------

Leg* SipDriver::Impl::new_leg(CallId id, Role role, const std::string& to) {
  auto leg = std::make_unique<Leg>();
  leg->call = id;
  leg->role = role;
  const std::string to_header = "<" + to + ">";
  leg->nh = nua_handle(nua_, reinterpret_cast<nua_hmagic_t*>(leg.get()), SIPTAG_TO_STR(to_header.c_str()), TAG_END());
  if (!leg->nh) return nullptr;
  Leg* raw = leg.get();
  legs_.emplace(raw, std::move(leg));
  open_dialogs_ = static_cast<long>(legs_.size());
  return raw;
}

void SipDriver::Impl::forget_leg(Leg& leg) {
  if (Call* c = find(leg.call)) {
    // sofia ended a dialog we still count on (e.g. it gave up on a BYE or re-INVITE): end the call too.
    if (c->customer == &leg) c->customer = nullptr;
    const CallId id = c->request.call_id;
    if (c->agent == &leg) {
      c->agent = nullptr;
      if (c->stage == Stage::connecting || c->stage == Stage::bridging) agent_failed(*c, "the agent's dialog ended");
      c = find(id);  // a failed transfer ends the call
    }
    if (c && !c->customer && c->stage != Stage::queued)
      release(*c, c->stage == Stage::connected ? CallResult::call_drop_error : CallResult::general_error,
              "the customer's dialog ended unexpectedly");
  }
  if (!leg.final_seen && leg.role != Role::stray && !leg.linger.armed()) {
    // The dialog ended (a BYE on it while it was early) with its INVITE still open: sofia-sip
    // leaks an open INVITE whose handle goes, so the handle stays until that INVITE's timeout.
    Leg* raw = &leg;
    leg.linger.set(reactor_->root(), cfg_.transaction_timeout + Duration(500), [this, raw] { drop_leg(raw); });
    return;
  }
  drop_leg(&leg);
}

void SipDriver::Impl::drop_leg(Leg* leg) {
  nua_handle_bind(leg->nh, nullptr);
  nua_handle_destroy(leg->nh);
  legs_.erase(leg);
  open_dialogs_ = static_cast<long>(legs_.size());
}

SipDriver::Impl::Call* SipDriver::Impl::find(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second.get();
}

}  // namespace outbound
