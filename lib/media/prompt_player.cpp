// Prompts as 20 ms frames: the abandon message and the machine message.
#include <algorithm>

#include "outbound/media.hpp"

namespace outbound::media {

PromptPlayer::PromptPlayer(std::vector<std::int16_t> samples_8khz) : samples_(std::move(samples_8khz)) {}

PromptPlayer PromptPlayer::from_wav(const std::string& path) { return PromptPlayer(to_8khz(read_wav(path))); }

bool PromptPlayer::next_frame(std::span<std::int16_t, kFrameSamples> out) {
  if (done()) return false;
  std::size_t n = std::min<std::size_t>(kFrameSamples, samples_.size() - position_);
  auto from = samples_.begin() + static_cast<std::ptrdiff_t>(position_);
  std::copy(from, from + static_cast<std::ptrdiff_t>(n), out.begin());
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), std::int16_t{0});
  position_ += n;
  return true;
}

}  // namespace outbound::media
