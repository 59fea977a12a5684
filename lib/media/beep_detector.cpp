// Beep detection on per-frame tonality.
#include "beep_detector.hpp"

#include <cmath>

namespace outbound::media::detail {

namespace {
constexpr double kToneShare = 0.75;     // share of the frame's energy in one 100 Hz band
constexpr double kToneAboveFloorDb = 10.0;
constexpr double kMinToneDbfs = -50.0;
constexpr double kSteadyHz = 40.0;       // a beep's pitch wanders less than this between frames
}  // namespace

bool BeepDetector::is_tonal(const FrameFeatures& f, double noise_floor_db) {
  return f.tone_share >= kToneShare && f.energy_db >= kMinToneDbfs && f.energy_db >= noise_floor_db + kToneAboveFloorDb;
}

std::optional<Beep> BeepDetector::feed(const FrameFeatures& f, double noise_floor_db, int end_ms) {
  bool tonal = is_tonal(f, noise_floor_db);
  if (tonal && run_frames_ > 0 && std::abs(f.tone_hz - run_hz_) <= kSteadyHz) {
    ++run_frames_;
    hz_sum_ += f.tone_hz;
    run_hz_ = hz_sum_ / run_frames_;
    return std::nullopt;
  }
  if (tonal) candidate_.reset();  // another tone follows: a sequence, not a beep
  int length = run_frames_ * kFrameMs;
  // A run ended: by a jump to another tone (run_frames_ > 0 and tonal) it is
  // part of a sequence; into non-tone it may be a beep, once quiet follows.
  if (run_frames_ > 0 && !tonal && length >= min_ms_ && length <= max_ms_)
    candidate_ = Beep{run_start_ms_, end_ms - kFrameMs, run_hz_};
  run_frames_ = tonal ? 1 : 0;
  run_start_ms_ = end_ms - kFrameMs;
  run_hz_ = hz_sum_ = tonal ? f.tone_hz : 0.0;
  if (candidate_ && end_ms - candidate_->end_ms >= kQuietAfterMs) {
    Beep beep = *candidate_;
    candidate_.reset();
    return beep;
  }
  return std::nullopt;
}

}  // namespace outbound::media::detail
