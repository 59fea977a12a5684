// Audio for the media tests: tones, silence, seeded noise and speech (espeak-ng
// through sox, both Debian packages), all 8 kHz mono 16-bit.
#pragma once

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "../support/test_support.hpp"
#include "outbound/error.hpp"
#include "outbound/media.hpp"

namespace obtest::audio {

using Samples = std::vector<std::int16_t>;

/// `ms` of a sine at `hz`, peak amplitude `amp` (0..1 of full scale).
inline Samples tone(double hz, int ms, double amp = 0.25, int rate = outbound::media::kSampleRate) {
  Samples out(static_cast<std::size_t>(rate / 1000 * ms));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::int16_t>(amp * 32767.0 * std::sin(2.0 * M_PI * hz * static_cast<double>(i) / rate));
  return out;
}

/// Two sines at once (a DTMF digit).
inline Samples dual_tone(double f1, double f2, int ms, double amp = 0.2) {
  Samples a = tone(f1, ms, amp), b = tone(f2, ms, amp);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::int16_t>(a[i] + b[i]);
  return a;
}

/// `ms` of digital silence.
inline Samples silence(int ms) { return Samples(static_cast<std::size_t>(outbound::media::kSampleRate / 1000 * ms)); }

/// Appends `b` to `a`.
inline Samples& operator+=(Samples& a, const Samples& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

/// Adds Gaussian noise of RMS `rms` (0..1 of full scale), the same every run; `brown`
/// integrates it (rumble: most of its energy far below the voice band).
inline void add_noise(Samples& x, double rms, unsigned seed, bool brown = false) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0.0, 1.0);
  std::vector<double> v(x.size());
  double acc = 0, sum = 0;
  for (double& s : v) {
    acc = brown ? 0.995 * acc + n(rng) : n(rng);
    s = acc;
    sum += s * s;
  }
  double scale = rms * 32767.0 / std::sqrt(sum / static_cast<double>(v.size()));
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<std::int16_t>(std::clamp(x[i] + scale * v[i], -32768.0, 32767.0));
}

/// A special information tone: segments 1 and 2 low/high and short/long, segment 3 fixed.
inline Samples sit_tone(bool high1, bool long1, bool high2, bool long2, double amp = 0.15) {
  Samples s = tone(high1 ? 985.2 : 913.8, long1 ? 380 : 276, amp);
  s += tone(high2 ? 1428.5 : 1370.6, long2 ? 380 : 276, amp);
  s += tone(1776.7, 380, amp);
  return s;
}

/// Runs a shell command; false when it fails.
inline bool sh(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

/// `text` spoken by espeak-ng (voice, words a minute), at 8 kHz with its leading
/// and trailing silence trimmed; files go to `dir`.
inline Samples speak(const std::filesystem::path& dir, const std::string& text, const std::string& voice = "en-us",
                     int wpm = 160) {
  static int n = 0;
  std::string raw = (dir / ("raw" + std::to_string(n) + ".wav")).string();
  std::string out = (dir / ("speech" + std::to_string(n++) + ".wav")).string();
  if (!sh("espeak-ng -v " + voice + " -s " + std::to_string(wpm) + " -w " + raw + " \"" + text + "\"") ||
      !sh("sox -D -V1 " + raw + " -r 8000 -c 1 -b 16 " + out +
          " silence 1 0.01 0.2% reverse silence 1 0.01 0.2% reverse"))
    throw outbound::Error(outbound::ErrorCode::generic, "espeak-ng or sox failed (both are in ./run's PACKAGES)");
  return outbound::media::read_wav(out).samples;
}

/// Writes 8 kHz samples as a WAV file and returns its path.
inline std::string save(const std::filesystem::path& dir, const std::string& name, const Samples& s, int rate = 8000) {
  std::string path = (dir / name).string();
  outbound::media::write_wav(path, outbound::media::Pcm{rate, s});
  return path;
}

/// Feeds `x` frame by frame to an AMD detector until it decides, then finish() if it never did.
inline outbound::media::AmdDecision run_amd(outbound::media::AmdDetector& amd, const Samples& x) {
  for (std::size_t at = 0; at < x.size(); at += outbound::media::kFrameSamples) {
    std::size_t n = std::min<std::size_t>(outbound::media::kFrameSamples, x.size() - at);
    if (auto d = amd.feed(outbound::media::Frame(x.data() + at, n))) return *d;
  }
  return amd.finish();
}

/// Feeds the whole of `x` (beeps and the message cue go on after the decision).
inline void feed_all(outbound::media::AmdDetector& amd, const Samples& x) {
  for (std::size_t at = 0; at < x.size(); at += outbound::media::kFrameSamples)
    amd.feed(outbound::media::Frame(x.data() + at, std::min<std::size_t>(outbound::media::kFrameSamples, x.size() - at)));
}

}  // namespace obtest::audio
