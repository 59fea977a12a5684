// Per-frame measurements the AMD and the beep detector decide on: the frame's
// level, how much of it one narrow band holds (a tone rather than a voice),
// and a noise floor that follows the line's background.
#pragma once

#include <array>
#include <deque>
#include <vector>

#include "outbound/media.hpp"
#include "spandsp.hpp"

namespace outbound::media::detail {

/// What one frame sounds like.
struct FrameFeatures {
  double energy_db = -100.0;  ///< level above 250 Hz in dB full scale (a full-scale sine is -3)
  double tone_share = 0.0;    ///< share of the energy in the strongest 100 Hz band, 250-3000 Hz
  double tone_hz = 0.0;       ///< centre of that band, interpolated between the two bins
};

/// A second-order IIR section (direct form II transposed).
struct Biquad {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;  ///< coefficients, a0 normalised to 1
  double z1 = 0, z2 = 0;                          ///< state
  /// A Butterworth-Q high-pass at `hz` (bilinear transform, 8 kHz).
  static Biquad high_pass(double hz, double q);
  /// Filters one sample.
  double step(double x) {
    double y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    return y;
  }
};

/// Measures frames after a 4th-order high-pass at 250 Hz (the voice band
/// starts at 300 Hz; below it is hum and rumble that would pass for voice),
/// with a bank of Goertzel filters (spandsp) on the DFT bins of a 20 ms frame,
/// 50 Hz apart. Keeps the filter's state from frame to frame: one per call.
class FrameAnalyzer {
 public:
  FrameAnalyzer();
  /// Measures the next frame (any length; bins are exact for kFrameSamples).
  FrameFeatures analyze(Frame frame);

 private:
  std::array<Biquad, 2> high_pass_;
  std::vector<goertzel_descriptor_t> bank_;
  std::vector<double> bank_hz_;
  std::vector<std::int16_t> filtered_;
};

/// The background level: the lowest frame level of the last window (minimum
/// statistics), which speech pauses reach but speech itself does not.
class NoiseFloor {
 public:
  /// A floor over the last `window_frames` frames.
  explicit NoiseFloor(std::size_t window_frames = 75) : window_(window_frames) {}
  /// Adds a frame's level; returns the floor including it.
  double update(double energy_db);
  /// The current floor (-100 before any frame).
  double floor() const noexcept { return floor_; }

 private:
  std::size_t window_;
  std::deque<double> levels_;
  double floor_ = -100.0;
};

}  // namespace outbound::media::detail
