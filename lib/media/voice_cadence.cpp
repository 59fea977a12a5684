// Voice activity detection and word grouping.
#include "voice_cadence.hpp"

#include <algorithm>

namespace outbound::media::detail {

bool VoiceCadence::is_voice(const FrameFeatures& f, double noise_floor_db, bool tonal) const {
  if (tonal && (!last_was_voice_ || tonal_run_ >= kMaxTonalInVoice)) return false;
  return f.energy_db >= s_.min_voice_dbfs && f.energy_db >= noise_floor_db + s_.voice_threshold_db;
}

void VoiceCadence::feed(bool voice, bool tonal, int end_ms) {
  last_was_voice_ = voice;
  tonal_run_ = tonal ? tonal_run_ + 1 : 0;
  if (voice) {
    if (voice_run_ms_ == 0) burst_start_ms_ = end_ms - kFrameMs;
    voice_run_ms_ += kFrameMs;
    gap_ms_ = 0;
    if (!in_word_ && voice_run_ms_ >= s_.min_word_ms) {
      in_word_ = true;
      ++words_;
      if (greeting_start_ms_ < 0) greeting_start_ms_ = burst_start_ms_;
    }
    // Once the greeting has begun, shorter voice still carries it on: in
    // noise, the quiet parts of words come through only in fragments.
    if (in_word_ || (greeting_start_ms_ >= 0 && voice_run_ms_ >= kContinueMs)) last_voice_ms_ = end_ms;
    return;
  }
  gap_ms_ += kFrameMs;
  if (gap_ms_ >= s_.between_words_ms) {  // the word (or the click) is over
    in_word_ = false;
    voice_run_ms_ = 0;
  }
}

}  // namespace outbound::media::detail
