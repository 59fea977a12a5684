// The app_amd baseline (see the header for the rules and where they come from).
#include "app_amd_baseline.hpp"

#include <algorithm>
#include <cstdlib>

namespace outbound::bench {

std::optional<AppAmdResult> AppAmdBaseline::feed(media::Frame frame) {
  if (decided_ || frame.empty()) return std::nullopt;
  int frame_ms = static_cast<int>(frame.size() * 1000 / media::kSampleRate);
  now_ms_ += frame_ms;
  long sum = 0;
  for (std::int16_t v : frame) sum += std::abs(static_cast<int>(v));
  bool silent = sum / static_cast<long>(frame.size()) < s_.silence_threshold;
  std::optional<AppAmdResult> r;
  if (now_ms_ >= s_.total_analysis_time) {
    r = verdict(AppAmdResult::notsure, "TOOLONG");
  } else if (silent) {
    silence_ms_ += frame_ms;
    consecutive_voice_ms_ = 0;
    if (in_word_ && silence_ms_ >= s_.between_words_silence) in_word_ = false;
    if (!in_greeting_ && silence_ms_ >= s_.initial_silence) r = verdict(AppAmdResult::machine, "INITIALSILENCE");
    else if (in_greeting_ && silence_ms_ >= s_.after_greeting_silence) r = verdict(AppAmdResult::human, "HUMAN");
  } else {
    silence_ms_ = 0;
    consecutive_voice_ms_ += frame_ms;
    if (in_greeting_) voice_ms_ += frame_ms;
    if (!in_word_ && consecutive_voice_ms_ >= s_.min_word_length) {
      in_word_ = true;
      ++words_;
      if (!in_greeting_) {  // the greeting begins with its first word
        in_greeting_ = true;
        voice_ms_ = consecutive_voice_ms_;
      }
    }
    if (words_ > s_.maximum_number_of_words) r = verdict(AppAmdResult::machine, "MAXWORDS");
    else if (consecutive_voice_ms_ >= s_.maximum_word_length) r = verdict(AppAmdResult::machine, "MAXWORDLENGTH");
    else if (in_greeting_ && voice_ms_ >= s_.greeting) r = verdict(AppAmdResult::machine, "LONGGREETING");
  }
  if (r) decided_ = true;
  return r;
}

AppAmdResult AppAmdBaseline::classify(const std::vector<std::int16_t>& pcm, const AppAmdSettings& s) {
  AppAmdBaseline amd(s);
  for (std::size_t at = 0; at < pcm.size(); at += media::kFrameSamples) {
    std::size_t n = std::min<std::size_t>(media::kFrameSamples, pcm.size() - at);
    if (auto r = amd.feed(media::Frame(pcm.data() + at, n))) return *r;
  }
  return AppAmdResult{AppAmdResult::notsure, "TOOLONG", amd.now_ms_};
}

}  // namespace outbound::bench
