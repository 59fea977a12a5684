#include "call_audio.hpp"

#include <array>

namespace outbound::sip {

namespace {

// Packets held back for a late one to slot in before it is given up as lost:
// 3 frames (60 ms) covers the jitter of a sound network, and AMD's latency
// grows by no more than that.
constexpr std::size_t kReorderWindow = 3;
// A jump this far ahead is a new stream (a new SSRC, a restart), not loss.
constexpr int kMaxGap = 50;  // 1 s

}  // namespace

CallAudio::CallAudio(AmdMode mode, const media::AmdSettings& amd)
    : mode_(mode), progress_(media::ToneOptions{true, false, true}), settings_(amd) {}

void CallAudio::answered() {
  answered_ = true;
  if (mode_ != AmdMode::none) amd_.emplace(settings_);
}

const std::optional<media::AmdDecision>& CallAudio::decision() const {
  static const std::optional<media::AmdDecision> none;
  return amd_ ? amd_->decision() : none;
}

media::AmdDecision CallAudio::finish() {
  if (!amd_) amd_.emplace(settings_);
  return amd_->finish();
}

Heard CallAudio::on_audio(const RtpPacket& p) {
  Heard out;
  std::vector<std::uint8_t> payload(p.payload.begin(), p.payload.end());
  if (!have_seq_) {
    have_seq_ = true;
    next_seq_ = p.sequence;
  }
  const auto ahead = static_cast<std::uint16_t>(p.sequence - next_seq_);
  if (ahead >= 0x8000) {  // behind what was already played out: too late, or a duplicate
    ++counts_.late;
    return out;
  }
  if (ahead > kMaxGap) {  // a new stream: start over from it
    waiting_.clear();
    next_seq_ = p.sequence;
    feed(payload, p.payload_type, out);
    ++next_seq_;
    return out;
  }
  waiting_[ahead] = {p.payload_type, std::move(payload)};
  for (;;) {
    auto it = waiting_.find(0);
    if (it != waiting_.end()) {
      auto [pt, bytes] = std::move(it->second);
      waiting_.erase(it);
      feed(bytes, pt, out);
    } else if (waiting_.size() > kReorderWindow) {
      lose_one(out);
    } else {
      break;
    }
    ++next_seq_;
    std::map<std::uint16_t, std::pair<int, std::vector<std::uint8_t>>> shifted;
    for (auto& [d, v] : waiting_) shifted.emplace(static_cast<std::uint16_t>(d - 1), std::move(v));
    waiting_ = std::move(shifted);
  }
  return out;
}

void CallAudio::lose_one(Heard& out) {
  ++counts_.lost;
  // The detectors keep their time right: the gap is fed as silence.
  std::vector<std::uint8_t> silence(media::kFrameSamples, last_pt_ == 8 ? 0xd5 : 0xff);
  feed(silence, last_pt_, out);
  --counts_.frames;
}

void CallAudio::feed(const std::vector<std::uint8_t>& g711, int payload_type, Heard& out) {
  last_pt_ = payload_type;
  ++counts_.frames;
  const auto law = payload_type == 8 ? media::G711Law::alaw : media::G711Law::ulaw;
  const std::vector<std::int16_t> pcm = media::g711_decode(law, g711);
  tones(progress_.feed(pcm), out);
  if (answered_) after_answer(pcm, out);
}

void CallAudio::after_answer(media::Frame frame, Heard& out) {
  if (!amd_) return;
  const bool undecided = !amd_->decision();
  auto d = amd_->feed(frame);
  if (d && undecided) out.amd = d;
  if (!reported_message_ && amd_->message_start_ms()) {
    reported_message_ = true;
    out.message_may_start = true;
  }
}

void CallAudio::tones(const std::vector<media::ToneEvent>& events, Heard& out) {
  for (const auto& e : events) {
    if (e.kind == media::ToneKind::sit && !out.sit) out.sit = e.sit;
    if (e.kind == media::ToneKind::dtmf) out.digits.push_back(e.digit);
  }
}

Heard CallAudio::on_event(const RtpPacket& p) {
  Heard out;
  if (p.payload.size() < 4) return out;
  media::TelephoneEvent te;
  te.event = p.payload[0];
  te.end = p.payload[1] & 0x80;
  te.duration = static_cast<std::uint16_t>(p.payload[2] << 8 | p.payload[3]);
  te.rtp_timestamp = p.timestamp;
  if (auto e = progress_.telephone_event(te); e && e->kind == media::ToneKind::dtmf) out.digits.push_back(e->digit);
  if (amd_ && !amd_->decision())
    if (auto d = amd_->telephone_event(te)) out.amd = d;
  return out;
}

}  // namespace outbound::sip
