// Answering-machine detection: tones first (fax, SIT), then the cadence of
// voice. A person answers with a short greeting and waits; a machine talks on.
// So: no voice for initial_silence_ms is silence; a greeting that ends and is
// followed by after_greeting_silence_ms of quiet is live; a greeting that goes
// on past max_greeting_ms, or has more than max_words words, is a machine, and
// so is a greeting followed by a beep (a tone is not quiet). After a machine
// decision it keeps listening for the beep, to say when a message may start.
// (A beep before any voice decides nothing: the steps of a SIT and a fax's CNG
// look like beeps until their own detectors have spoken.)
#include <algorithm>

#include "beep_detector.hpp"
#include "frame_analysis.hpp"
#include "outbound/error.hpp"
#include "outbound/media.hpp"
#include "voice_cadence.hpp"

namespace outbound::media {

namespace detail {
namespace {
ToneOptions amd_tones(const AmdSettings& s) { return ToneOptions{s.detect_tones, s.detect_tones, false}; }
}  // namespace
}  // namespace detail

struct AmdDetector::State {
  AmdSettings s;
  CallProgressDetector tones;
  detail::FrameAnalyzer analyzer;
  detail::NoiseFloor floor;
  detail::BeepDetector beep;
  detail::VoiceCadence cadence;
  long samples = 0;
  int now_ms = 0;
  std::optional<AmdDecision> decision;
  std::vector<Beep> beeps;
  std::optional<int> message_ms;
  int last_sound_ms = 0;  // end of the last frame of voice or tone, for the message cue
  int last_tone_ms = -1;  // end of the last tonal frame

  explicit State(const AmdSettings& settings)
      : s(settings), tones(detail::amd_tones(settings)), beep(settings.beep_min_ms, settings.beep_max_ms),
        cadence(settings) {}

  AmdDecision make(AmdClass cls, std::string_view reason, std::optional<SitCode> sit = std::nullopt) const {
    AmdDecision d;
    d.cls = cls;
    d.decision_ms = now_ms;
    d.reason = reason;
    d.sit = sit;
    d.greeting_start_ms = cadence.greeting_start_ms();
    if (cadence.greeting_start_ms() >= 0 && cadence.quiet_ms(now_ms) > 0) d.greeting_end_ms = cadence.last_voice_ms();
    return d;
  }

  std::optional<AmdDecision> decide_on_tone(const ToneEvent& e) const {
    if (e.kind == ToneKind::fax_cng || e.kind == ToneKind::fax_ced) return make(AmdClass::fax, "fax tone");
    if (e.kind == ToneKind::sit) return make(AmdClass::machine, "special information tone", e.sit);
    return std::nullopt;
  }

  // The cadence rules, in order; nullopt while undecided.
  std::optional<AmdDecision> decide_on_voice(bool beeped) const {
    if (cadence.greeting_start_ms() < 0) {
      if (now_ms >= s.initial_silence_ms) return make(AmdClass::silence, "no voice");
      if (now_ms >= s.max_decision_ms) return make(AmdClass::unknown, "no decision in time");
      return std::nullopt;
    }
    if (cadence.words() > s.max_words) return make(AmdClass::machine, "too many words");
    if (cadence.greeting_ms() > s.max_greeting_ms) return make(AmdClass::machine, "long greeting");
    if (beeped) return make(AmdClass::machine, "beep after the greeting");
    // Quiet means neither voice nor tone: a beep right after a short greeting is no person's wait.
    if (now_ms - std::max(cadence.last_voice_ms(), last_tone_ms) >= s.after_greeting_silence_ms)
      return make(AmdClass::live, "short greeting then silence");
    if (now_ms >= s.max_decision_ms) return make(AmdClass::machine, "still talking at the decision time");
    return std::nullopt;
  }

  // After a machine: the beep and the quiet after it, or a long quiet, or the time limit.
  void follow_message_cue() {
    if (message_ms || !decision || decision->cls != AmdClass::machine) return;
    int quiet = now_ms - last_sound_ms;
    bool after_beep = !beeps.empty() && beeps.back().end_ms >= cadence.greeting_start_ms() &&
                      quiet >= s.after_beep_silence_ms && last_sound_ms <= beeps.back().end_ms + kFrameMs;
    if (after_beep || quiet >= s.no_beep_silence_ms || now_ms >= s.max_message_wait_ms) message_ms = now_ms;
  }

  std::optional<AmdDecision> feed(Frame frame) {
    std::vector<ToneEvent> heard;
    if (s.detect_tones) heard = tones.feed(frame);
    detail::FrameFeatures f = analyzer.analyze(frame);
    samples += static_cast<long>(frame.size());
    now_ms = static_cast<int>(samples * 1000 / kSampleRate);
    double noise = floor.update(f.energy_db);
    bool tonal = detail::BeepDetector::is_tonal(f, noise);
    std::optional<Beep> b = beep.feed(f, noise, now_ms);
    if (b) beeps.push_back(*b);
    bool voice = cadence.is_voice(f, noise, tonal);
    cadence.feed(voice, tonal, now_ms);
    if (voice || tonal) last_sound_ms = now_ms;
    if (tonal) last_tone_ms = now_ms;
    if (decision) {
      follow_message_cue();
      return std::nullopt;
    }
    std::optional<AmdDecision> d;
    for (const ToneEvent& e : heard)
      if (!d) d = decide_on_tone(e);
    if (!d) d = decide_on_voice(b.has_value());
    if (d) {
      decision = d;
      follow_message_cue();
    }
    return d;
  }
};

AmdDetector::AmdDetector(const AmdSettings& settings) {
  settings.validate();
  state_ = std::make_unique<State>(settings);
}
AmdDetector::~AmdDetector() = default;
AmdDetector::AmdDetector(AmdDetector&&) noexcept = default;
AmdDetector& AmdDetector::operator=(AmdDetector&&) noexcept = default;

std::optional<AmdDecision> AmdDetector::feed(Frame frame) { return state_->feed(frame); }

std::optional<AmdDecision> AmdDetector::telephone_event(const TelephoneEvent& packet) {
  if (state_->decision || !state_->s.detect_tones) return std::nullopt;
  std::optional<ToneEvent> e = state_->tones.telephone_event(packet);
  if (!e) return std::nullopt;
  std::optional<AmdDecision> d = state_->decide_on_tone(*e);
  if (d) state_->decision = d;
  return d;
}

AmdDecision AmdDetector::finish() {
  State& st = *state_;
  if (st.decision) return *st.decision;
  // The audio stopped: what was heard is all there is. A greeting that had not
  // run long is a person's; one that had is a machine's.
  if (st.cadence.greeting_start_ms() < 0)
    st.decision = st.make(AmdClass::silence, "no voice before the audio ended");
  else if (st.cadence.greeting_ms() > st.s.max_greeting_ms || st.cadence.words() > st.s.max_words)
    st.decision = st.make(AmdClass::machine, "long greeting");
  else
    st.decision = st.make(AmdClass::live, "short greeting, then the audio ended");
  return *st.decision;
}

const std::optional<AmdDecision>& AmdDetector::decision() const noexcept { return state_->decision; }
const std::vector<Beep>& AmdDetector::beeps() const noexcept { return state_->beeps; }
std::optional<int> AmdDetector::message_start_ms() const noexcept { return state_->message_ms; }
int AmdDetector::elapsed_ms() const noexcept { return state_->now_ms; }

AmdDecision classify(const Pcm& audio, const AmdSettings& settings) {
  std::vector<std::int16_t> pcm = to_8khz(audio);
  AmdDetector detector(settings);
  for (std::size_t at = 0; at < pcm.size(); at += kFrameSamples) {
    std::size_t n = std::min<std::size_t>(kFrameSamples, pcm.size() - at);
    if (auto d = detector.feed(Frame(pcm.data() + at, n))) return *d;
  }
  return detector.finish();
}

std::string_view to_string(AmdClass c) noexcept {
  switch (c) {
    case AmdClass::live: return "live";
    case AmdClass::machine: return "machine";
    case AmdClass::fax: return "fax";
    case AmdClass::silence: return "silence";
    case AmdClass::unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace outbound::media
