// Frame level, tonality and noise floor.
#include "frame_analysis.hpp"

#include <algorithm>
#include <cmath>

namespace outbound::media::detail {

namespace {
constexpr double kBinHz = double(kSampleRate) / kFrameSamples;  // 50 Hz
constexpr int kFirstBin = 5, kLastBin = 60;                       // 250-3000 Hz: where beeps and tones live
constexpr double kHighPassHz = 250.0;
}  // namespace

Biquad Biquad::high_pass(double hz, double q) {
  // The RBJ audio-EQ-cookbook high-pass.
  double w = 2.0 * M_PI * hz / kSampleRate;
  double alpha = std::sin(w) / (2.0 * q);
  double c = std::cos(w);
  double a0 = 1.0 + alpha;
  Biquad f;
  f.b0 = (1.0 + c) / 2.0 / a0;
  f.b1 = -(1.0 + c) / a0;
  f.b2 = f.b0;
  f.a1 = -2.0 * c / a0;
  f.a2 = (1.0 - alpha) / a0;
  return f;
}

FrameAnalyzer::FrameAnalyzer()
    // Two sections with the Q of a 4th-order Butterworth.
    : high_pass_{Biquad::high_pass(kHighPassHz, 0.5412), Biquad::high_pass(kHighPassHz, 1.3066)} {
  for (int k = kFirstBin; k <= kLastBin; ++k) {
    goertzel_descriptor_t d{};
    make_goertzel_descriptor(&d, static_cast<float>(k * kBinHz), kFrameSamples);
    bank_.push_back(d);
    bank_hz_.push_back(k * kBinHz);
  }
}

FrameFeatures FrameAnalyzer::analyze(Frame frame) {
  FrameFeatures f;
  if (frame.empty()) return f;
  filtered_.resize(frame.size());
  double energy = 0;
  for (std::size_t i = 0; i < frame.size(); ++i) {
    double v = high_pass_[1].step(high_pass_[0].step(frame[i]));
    filtered_[i] = static_cast<std::int16_t>(std::clamp(v, -32768.0, 32767.0));
    energy += v * v;
  }
  const std::vector<std::int16_t>& x = filtered_;
  double mean_square = energy / static_cast<double>(frame.size());
  f.energy_db = 10.0 * std::log10(mean_square / (32768.0 * 32768.0) + 1e-10);
  if (energy <= 0) return f;
  // spandsp's result for a sine at the centre of a bin is 2 (N A / 2)^2, so
  // result / (N * sum of squares) is the share of the frame's energy in that bin.
  std::vector<double> share(bank_.size());
  for (std::size_t k = 0; k < bank_.size(); ++k) {
    goertzel_state_t st{};
    goertzel_init(&st, &bank_[k]);
    goertzel_update(&st, x.data(), static_cast<int>(x.size()));
    share[k] = goertzel_result(&st) / (static_cast<double>(frame.size()) * energy);
  }
  for (std::size_t k = 0; k + 1 < share.size(); ++k) {
    double pair = share[k] + share[k + 1];
    if (pair > f.tone_share) {
      f.tone_share = pair;
      f.tone_hz = (bank_hz_[k] * share[k] + bank_hz_[k + 1] * share[k + 1]) / pair;
    }
  }
  return f;
}

double NoiseFloor::update(double energy_db) {
  levels_.push_back(energy_db);
  if (levels_.size() > window_) levels_.pop_front();
  floor_ = *std::min_element(levels_.begin(), levels_.end());
  return floor_;
}

}  // namespace outbound::media::detail
