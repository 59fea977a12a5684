// Voice activity and the cadence of a greeting: where voice began, how many
// words it had, where the last one ended, how long it has been quiet since.
#pragma once

#include "frame_analysis.hpp"

namespace outbound::media::detail {

/// Follows voice frame by frame and groups it into words and a greeting.
class VoiceCadence {
 public:
  /// Voice this long carries a greeting on once it has begun (a first word needs min_word_ms).
  static constexpr int kContinueMs = 40;
  /// Uses the word and threshold settings of `s`.
  explicit VoiceCadence(const AmdSettings& s) : s_(s) {}
  /// Tonal frames in a row that can still be a held harmonic inside a word.
  static constexpr int kMaxTonalInVoice = 3;
  /// True when a frame is voice: well above the noise floor and loud enough. A
  /// tonal frame only continues voice (a held harmonic inside a word), for at most
  /// kMaxTonalInVoice frames, and never starts it: beeps, SITs and fax tones are not voice.
  bool is_voice(const FrameFeatures& f, double noise_floor_db, bool tonal) const;
  /// Takes the frame ending at `end_ms`: whether it was voice, and whether it was tonal.
  void feed(bool voice, bool tonal, int end_ms);
  /// Words heard so far (voice of at least min_word_ms, apart by at least between_words_ms).
  int words() const noexcept { return words_; }
  /// Where the first word began (-1: no word yet).
  int greeting_start_ms() const noexcept { return greeting_start_ms_; }
  /// Where the last word's voice ended so far (-1: no word yet).
  int last_voice_ms() const noexcept { return last_voice_ms_; }
  /// Length of the greeting so far: first word's start to last word's voice.
  int greeting_ms() const noexcept { return greeting_start_ms_ < 0 ? 0 : last_voice_ms_ - greeting_start_ms_; }
  /// Quiet since the last word's voice, at `now_ms` (0 before any word).
  int quiet_ms(int now_ms) const noexcept { return greeting_start_ms_ < 0 ? 0 : now_ms - last_voice_ms_; }

 private:
  AmdSettings s_;
  int words_ = 0;
  bool in_word_ = false;
  int voice_run_ms_ = 0;   // voice in the current burst, short gaps included
  int gap_ms_ = 0;         // non-voice since the burst's last voice frame
  int burst_start_ms_ = -1;
  int greeting_start_ms_ = -1;
  int last_voice_ms_ = -1;
  bool last_was_voice_ = false;
  int tonal_run_ = 0;  // tonal frames in a row, up to the last one fed
};

}  // namespace outbound::media::detail
