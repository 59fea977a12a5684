// The Bellcore (Telcordia) special information tones: three segments, the
// first two low or high in frequency and short or long, the third fixed.
#pragma once

#include <array>

#include "outbound/media.hpp"

namespace outbound::media::sit {

/// Nominal segment frequencies (Hz) and durations (ms).
inline constexpr int kFirstLowHz = 914, kFirstHighHz = 985;     // 913.8 / 985.2
inline constexpr int kSecondLowHz = 1371, kSecondHighHz = 1429;  // 1370.6 / 1428.5
inline constexpr int kThirdHz = 1777;                            // 1776.7
inline constexpr int kShortMs = 276, kLongMs = 380;

/// One segment of a SIT pattern: its band and its length.
struct Segment {
  bool high = false;  ///< the higher of the two frequencies of its slot
  bool longer = false;  ///< 380 ms rather than 276 ms
};

/// The code of a tri-tone whose first two segments are `first` and `second`.
SitCode code_of(Segment first, Segment second) noexcept;

/// Every combination of the first two segments (16), for a detector to listen for.
std::array<std::array<Segment, 2>, 16> all_patterns() noexcept;

}  // namespace outbound::media::sit
