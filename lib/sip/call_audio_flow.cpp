// The SIP driver's audio work, on the reactor's thread: SIT in early media
// ends the call with the SIT's result; after the answer the answering-machine
// detector decides the answer class before the engine hears of the answer;
// machines are released, or get the campaign's message after their beep;
// abandoned callees hear the campaign's message, and the opt-out digit
// pressed during it ends the call with do_not_call.
#include "outbound/error.hpp"
#include "sip_impl.hpp"

namespace outbound {

using sip::Stage;

namespace {

// Slack after a message's last frame before the BYE, so the far end's jitter buffer plays it out.
constexpr Duration kPlayOut{300};
// With no audio at all, AMD still decides this long after its own limit.
constexpr Duration kAmdGrace{1000};

std::vector<std::int16_t> read_message(const std::string& path, const std::string& field) {
  try {
    auto samples = media::to_8khz(media::read_wav(path));
    if (samples.empty()) throw Error(ErrorCode::invalid_argument, path + " holds no audio");
    return samples;
  } catch (const Error& e) {
    throw Error(ErrorCode::invalid_argument, field + ": " + e.what());
  }
}

CallResult result_of(AnswerClass cls) {
  switch (cls) {
    case AnswerClass::machine: return CallResult::answering_machine;
    case AnswerClass::fax: return CallResult::fax;
    case AnswerClass::silence: return CallResult::silence;
    default: return CallResult::abandoned;
  }
}

}  // namespace

void SipDriver::Impl::load_audio() {
  auto load = [this](const SipCampaignAudio& a, const std::string& field) {
    auto out = std::make_shared<sip::LoadedAudio>();
    out->settings = a;
    out->abandon_message = message(a.abandon_message, field + ".abandon_message");
    out->machine_message = message(a.machine_message, field + ".machine_message");
    return AudioPtr(std::move(out));
  };
  default_audio_ = load(cfg_.audio, "SIP config audio");
  for (const auto& [name, a] : cfg_.campaign_audio)
    campaign_audio_.emplace(name, load(a, "SIP config campaign_audio." + name));
}

std::shared_ptr<const std::vector<std::int16_t>> SipDriver::Impl::message(const std::string& path,
                                                                          const std::string& field) {
  if (path.empty()) return nullptr;
  auto& cached = messages_[path];
  if (!cached) cached = std::make_shared<const std::vector<std::int16_t>>(read_message(path, field));
  return cached;
}

const SipDriver::Impl::AudioPtr& SipDriver::Impl::audio_for(const std::string& campaign) const {
  auto it = campaign_audio_.find(campaign);
  return it == campaign_audio_.end() ? default_audio_ : it->second;
}

// What the campaign sent with the dial wins, field by field; what it left empty comes from
// the config (campaign_audio by name, else audio). Messages are read once per path.
SipDriver::Impl::AudioPtr SipDriver::Impl::audio_of(const DialRequest& rq) {
  const AudioPtr& base = audio_for(rq.campaign);
  const CampaignAudio& own = rq.audio;
  if (own == CampaignAudio{}) return base;
  const std::string field = "call " + std::to_string(rq.call_id) + ": audio";
  auto out = std::make_shared<sip::LoadedAudio>(*base);
  out->settings.amd = media::amd_settings_for(own, base->settings.amd);
  if (own.opt_out_digit) out->settings.opt_out_digit = own.opt_out_digit;
  try {  // a host's driver calls may carry anything: the same checks as a campaign's
    validate(CampaignAudio{own.amd_initial_silence, own.amd_max_greeting, own.amd_after_greeting_silence,
                           own.amd_max_words, own.amd_max_decision, own.amd_max_message_wait, {}, {}, own.opt_out_digit},
             field);
    out->settings.amd.validate();
  } catch (const Error& e) {
    throw Error(ErrorCode::invalid_argument, e.what());
  }
  if (!own.abandon_message.empty()) {
    out->settings.abandon_message = own.abandon_message;
    out->abandon_message = message(own.abandon_message, field + ".abandon_message");
  }
  if (!own.machine_message.empty()) {
    out->settings.machine_message = own.machine_message;
    out->machine_message = message(own.machine_message, field + ".machine_message");
  }
  return out;
}

void SipDriver::Impl::on_rtp(CallId id, const sip::RtpPacket& p) {
  Call* c = find(id);
  if (!c || !c->audio || !c->rtp) return;
  const sip::Heard h = c->rtp->is_event(p) ? c->audio->on_event(p) : c->audio->on_audio(p);
  if (h.sit && (c->stage == Stage::dialing || c->stage == Stage::ringing))
    return release(*c, media::sit_call_result(*h.sit),
                   "special information tone in early media (" + std::string(media::to_string(*h.sit)) + ")");
  if (h.amd && c->stage == Stage::classifying) {
    classified(*c, *h.amd);
    if (!(c = find(id))) return;  // released on its class
  }
  if (h.message_may_start && c->stage == Stage::messaging) return leave_message(*c);
  const char opt_out = c->sound->settings.opt_out_digit;
  if (c->stage == Stage::abandoning && opt_out)
    for (char d : h.digits)
      if (d == opt_out) {
        {
          std::lock_guard lock(mu_);
          ++stats_.opt_outs;
        }
        return release(*c, CallResult::do_not_call,
                       std::string("the callee pressed the opt-out digit ") + d + " during the abandon message");
      }
}

void SipDriver::Impl::start_classifying(Call& c) {
  c.stage = Stage::classifying;
  c.audio->answered();
  const CallId id = c.request.call_id;
  const Duration limit{c.sound->settings.amd.max_decision_ms};
  c.audio_timer.set(reactor_->root(), limit + kAmdGrace, [this, id] {
    Call* late = find(id);
    if (late && late->stage == Stage::classifying) classified(*late, late->audio->finish());
  });
}

void SipDriver::Impl::classified(Call& c, const media::AmdDecision& d) {
  c.audio_timer.cancel();
  const CallId id = c.request.call_id;
  const auto cls = static_cast<AnswerClass>(static_cast<int>(d.cls));
  {
    std::lock_guard lock(mu_);
    ++stats_.answers[c.request.campaign][cls];
  }
  const std::string why = std::string(media::to_string(d.cls)) + " after " + std::to_string(d.decision_ms) +
                          " ms: " + std::string(d.reason);
  if (d.sit)  // a network announcement answered: the call failed, and the SIT says why
    return release(c, media::sit_call_result(*d.sit),
                   "special information tone after the answer (" + std::string(media::to_string(*d.sit)) + ")");
  emit(CallEventKind::answered, id, cls, {}, CallResult::unknown, why);
  if (cls == AnswerClass::live || cls == AnswerClass::unknown) {
    c.stage = Stage::waiting;
    return;
  }
  if (cls != AnswerClass::machine || c.request.amd != AmdMode::detect_connect) return release(c, result_of(cls), why);
  // detect_connect: the machine gets the campaign's message once its beep (and the silence after it) passed.
  c.stage = Stage::messaging;
  const auto& amd = c.sound->settings.amd;
  const Duration wait{std::max(0, amd.max_message_wait_ms - c.audio->since_answer_ms())};
  c.audio_timer.set(reactor_->root(), wait + kAmdGrace, [this, id] {
    Call* late = find(id);
    if (late && late->stage == Stage::messaging) leave_message(*late);
  });
}

void SipDriver::Impl::leave_message(Call& c) {
  c.audio_timer.cancel();
  const auto message = c.sound->machine_message;
  if (!message) return release(c, CallResult::answering_machine, "answering machine; no machine_message to leave");
  const int start_ms = c.audio->message_start_ms().value_or(c.audio->since_answer_ms());
  play_prompt(c, *message);
  c.stage = Stage::messaging;
  const CallId id = c.request.call_id;
  c.audio = nullptr;  // nothing more to listen for
  after_prompt(c, [this, id, start_ms] {
    Call* done = find(id);
    if (!done) return;
    {
      std::lock_guard lock(mu_);
      ++stats_.machine_messages;
    }
    done->message_left = true;
    release(*done, CallResult::answering_machine,
            "answering machine; message left " + std::to_string(start_ms) + " ms after the answer");
  });
}

void SipDriver::Impl::after_prompt(Call& c, std::function<void()> then) {
  // The pacer may fall behind on a loaded host: wait for the last frame to leave, not for the clock.
  const CallId id = c.request.call_id;
  const std::size_t queued = c.rtp ? c.rtp->queued() : 0;
  const Duration wait = queued ? Duration{static_cast<long>(queued) / 8 + 20} : kPlayOut;
  c.audio_timer.set(reactor_->root(), wait, [this, id, queued, then = std::move(then)]() mutable {
    Call* again = find(id);
    if (!again) return;
    if (queued) return after_prompt(*again, std::move(then));
    then();
  });
}

void SipDriver::Impl::play_abandon_message(Call& c, const std::string& detail) {
  const auto message = c.sound->abandon_message;
  emit(CallEventKind::abandoned, c.request.call_id);
  if (!message || !c.rtp) return release(c, CallResult::abandoned, detail);
  if (c.agent) {  // an agent's phone still ringing for this call: it is too late for it
    c.agent_timer.cancel();
    hang_up(c.agent);
    c.agent = nullptr;
    c.agent_id.clear();
  }
  c.stage = Stage::abandoning;
  play_prompt(c, *message);
  const CallId id = c.request.call_id;
  after_prompt(c, [this, id, detail] {
    Call* done = find(id);
    if (!done || done->stage != Stage::abandoning) return;
    {
      std::lock_guard lock(mu_);
      ++stats_.abandon_messages;
    }
    release(*done, CallResult::abandoned, detail + "; the abandon message was played");
  });
}

void SipDriver::Impl::play_prompt(Call& c, const std::vector<std::int16_t>& prompt) {
  const auto law = c.payload_type == 8 ? media::G711Law::alaw : media::G711Law::ulaw;
  c.rtp->play(media::g711_encode(law, prompt));
}

void SipDriver::Impl::customer_gone_while_listening(Call& c) {
  switch (c.stage) {
    case Stage::classifying: {
      // Hung up before AMD decided: decided on what was heard, so the answer is still counted.
      const media::AmdDecision d = c.audio->finish();
      const auto cls = static_cast<AnswerClass>(static_cast<int>(d.cls));
      emit(CallEventKind::answered, c.request.call_id, cls, {}, CallResult::unknown, std::string(d.reason));
      if (cls == AnswerClass::live || cls == AnswerClass::unknown)
        return abandon(c, "the customer hung up before an agent was joined");
      return release(c, result_of(cls), "the far end hung up while being classified");
    }
    case Stage::messaging:
      return release(c, CallResult::answering_machine, "the machine hung up before the message was left");
    case Stage::abandoning:
      return release(c, CallResult::abandoned, "the customer hung up during the abandon message");
    default:
      return;
  }
}

}  // namespace outbound
