// A baseline for the bench: Asterisk app_amd's algorithm, re-implemented from
// its published documentation (the AMD() application's parameters and the
// amd.conf sample), not from its code. Per 20 ms frame, a frame is silence
// when its mean absolute amplitude is under silence_threshold; durations of
// silence and voice are counted and the documented rules decide:
//   - silence longer than initial_silence before any word: MACHINE;
//   - silence longer than after_greeting_silence after the greeting began: HUMAN;
//   - voice of min_word_length starts a word; silence of between_words_silence ends it;
//   - more than maximum_number_of_words words: MACHINE;
//   - one word longer than maximum_word_length: MACHINE;
//   - voice in the greeting longer than greeting: MACHINE;
//   - no decision within total_analysis_time: NOTSURE.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "outbound/media.hpp"

namespace outbound::bench {

/// app_amd's parameters, with the defaults of its amd.conf sample.
struct AppAmdSettings {
  int initial_silence = 2500;         ///< ms
  int greeting = 1500;                ///< ms
  int after_greeting_silence = 800;   ///< ms
  int total_analysis_time = 5000;     ///< ms
  int min_word_length = 100;          ///< ms
  int between_words_silence = 50;     ///< ms
  int maximum_number_of_words = 2;    ///< words
  int silence_threshold = 256;        ///< mean absolute amplitude, 0..32767
  int maximum_word_length = 5000;     ///< ms
};

/// app_amd's verdicts (AMDSTATUS) and why (AMDCAUSE).
struct AppAmdResult {
  enum Status { human, machine, notsure } status = notsure;  ///< AMDSTATUS
  std::string_view cause;                                    ///< AMDCAUSE
  int decision_ms = 0;                                       ///< audio time at the verdict
};

/// Feeds 20 ms frames; a verdict once.
class AppAmdBaseline {
 public:
  /// A detector with these parameters.
  explicit AppAmdBaseline(const AppAmdSettings& s = {}) : s_(s) {}
  /// Takes one frame; the verdict on the frame that makes it.
  std::optional<AppAmdResult> feed(media::Frame frame);
  /// Classifies a whole recording at 8 kHz (NOTSURE if it ends undecided).
  static AppAmdResult classify(const std::vector<std::int16_t>& pcm, const AppAmdSettings& s = {});

 private:
  AppAmdResult verdict(AppAmdResult::Status status, std::string_view cause) const {
    return AppAmdResult{status, cause, now_ms_};
  }
  AppAmdSettings s_;
  int now_ms_ = 0;
  int silence_ms_ = 0;
  int voice_ms_ = 0;             // all voice since the greeting began
  int consecutive_voice_ms_ = 0;
  int words_ = 0;
  bool in_word_ = false;
  bool in_greeting_ = false;
  bool decided_ = false;
};

}  // namespace outbound::bench
