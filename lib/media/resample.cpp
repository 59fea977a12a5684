// 16 -> 8 kHz conversion of prompts with libsoxr (media feature only).
#include <soxr.h>

#include "outbound/error.hpp"
#include "outbound/media.hpp"

namespace outbound::media {

std::vector<std::int16_t> to_8khz(const Pcm& audio) {
  if (audio.sample_rate == kSampleRate) return audio.samples;
  if (audio.sample_rate != 16000)
    throw Error(ErrorCode::invalid_argument, "to_8khz: sample rate " + std::to_string(audio.sample_rate) +
                                                 " Hz is not supported (only 8000 or 16000)");
  std::vector<std::int16_t> out(audio.samples.size() / 2 + 1);
  std::size_t done = 0;
  soxr_io_spec_t io = soxr_io_spec(SOXR_INT16_I, SOXR_INT16_I);
  io.flags |= SOXR_NO_DITHER;  // the same input gives the same output, every run
  soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  soxr_error_t err = soxr_oneshot(audio.sample_rate, kSampleRate, 1, audio.samples.data(), audio.samples.size(),
                                  nullptr, out.data(), out.size(), &done, &io, &quality, nullptr);
  if (err) throw Error(ErrorCode::generic, std::string("resampling to 8 kHz failed: ") + err);
  out.resize(done);
  return out;
}

}  // namespace outbound::media
