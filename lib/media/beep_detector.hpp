// Beeps: runs of tonal frames at one steady frequency, followed by at least
// kQuietAfterMs without a tone. A frequency jump, or another tone soon after,
// makes the run part of a tone sequence (the three steps of a SIT), not a
// beep; a held vowel does not keep one narrow band for long, so it is not one
// either.
#pragma once

#include <optional>

#include "frame_analysis.hpp"

namespace outbound::media::detail {

/// Follows tonal frames and reports each beep once, when it ends.
class BeepDetector {
 public:
  /// Beeps last between min_ms and max_ms.
  BeepDetector(int min_ms, int max_ms) : min_ms_(min_ms), max_ms_(max_ms) {}
  /// True when `f` is a tone: one narrow band holds most of a frame that stands out of the noise.
  static bool is_tonal(const FrameFeatures& f, double noise_floor_db);
  /// Tone-free time that must follow a run before it counts as a beep.
  static constexpr int kQuietAfterMs = 100;
  /// Takes the frame ending at `end_ms`; returns a beep once kQuietAfterMs have followed it.
  std::optional<Beep> feed(const FrameFeatures& f, double noise_floor_db, int end_ms);
  /// True while a run of tonal frames is going on.
  bool in_tone() const noexcept { return run_frames_ > 0; }

 private:
  int min_ms_, max_ms_;
  int run_frames_ = 0;
  int run_start_ms_ = 0;
  double run_hz_ = 0.0;
  double hz_sum_ = 0.0;
  std::optional<Beep> candidate_;  // a run that ended, waiting for its quiet
};

}  // namespace outbound::media::detail
