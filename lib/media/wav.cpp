// WAV files: a strict RIFF/WAVE reader for 8/16 kHz mono 16-bit PCM, and a
// writer. Built with or without the media feature: a campaign checks its
// messages with it (16 -> 8 kHz conversion, which needs libsoxr, is in resample.cpp).
//
// The reader is ours rather than libsndfile's because the `outbound amd`
// contract needs a precise refusal for every file that is not such a WAV:
// libsndfile opens a WAV whose data chunk is cut short and reads what is
// there, and says only "Format not recognised" for most other faults.
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "outbound/error.hpp"
#include "outbound/media.hpp"

namespace outbound::media {

namespace {

constexpr std::uint64_t kMaxWavBytes = 512ull << 20;  // 512 MiB: hours of 16 kHz audio

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
std::uint16_t le16(const std::uint8_t* p) { return std::uint16_t(p[0] | p[1] << 8); }

[[noreturn]] void bad(std::string_view name, const std::string& why) {
  throw Error(ErrorCode::invalid_argument, std::string(name) + ": " + why);
}

struct FmtChunk {
  std::uint16_t format = 0;
  std::uint16_t channels = 0;
  std::uint32_t rate = 0;
  std::uint32_t byte_rate = 0;
  std::uint16_t block_align = 0;
  std::uint16_t bits = 0;
};

std::string format_name(std::uint16_t format) {
  switch (format) {
    case 3: return "32-bit float";
    case 6: return "G.711 A-law";
    case 7: return "G.711 µ-law";
    case 2: return "MS ADPCM";
    case 0x11: return "IMA ADPCM";
    case 0x55: return "MP3";
    default: return "format tag " + std::to_string(format);
  }
}

FmtChunk parse_fmt(std::span<const std::uint8_t> body, std::string_view name) {
  if (body.size() < 16) bad(name, "fmt chunk too short (" + std::to_string(body.size()) + " bytes)");
  FmtChunk f{le16(&body[0]), le16(&body[2]), le32(&body[4]), le32(&body[8]), le16(&body[12]), le16(&body[14])};
  if (f.format == 0xFFFE) {  // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID
    if (body.size() < 40) bad(name, "extensible fmt chunk too short (" + std::to_string(body.size()) + " bytes)");
    f.format = le16(&body[24]);
  }
  if (f.format != 1) bad(name, format_name(f.format) + " audio: only 16-bit PCM WAV is accepted");
  if (f.channels != 1)
    bad(name, (f.channels == 2 ? std::string("stereo") : std::to_string(f.channels) + " channels") +
                  ": only mono WAV is accepted");
  if (f.bits != 16) bad(name, std::to_string(f.bits) + "-bit samples: only 16-bit PCM WAV is accepted");
  if (f.rate != 8000 && f.rate != 16000)
    bad(name, std::to_string(f.rate) + " Hz: only 8000 or 16000 Hz WAV is accepted");
  if (f.block_align != 2 || f.byte_rate != f.rate * 2)
    bad(name, "inconsistent fmt chunk (block align " + std::to_string(f.block_align) + ", byte rate " +
                  std::to_string(f.byte_rate) + ")");
  return f;
}

}  // namespace

Pcm parse_wav(std::span<const std::uint8_t> bytes, std::string_view name) {
  if (bytes.empty()) bad(name, "empty file, not a WAV");
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0) {
    if (bytes.size() >= 4 && std::memcmp(bytes.data(), "RIFX", 4) == 0) bad(name, "big-endian RIFX is not supported");
    bad(name, "not a RIFF file");
  }
  if (std::memcmp(bytes.data() + 8, "WAVE", 4) != 0) bad(name, "a RIFF file but not WAVE");
  std::optional<FmtChunk> fmt;
  std::size_t at = 12;
  while (at + 8 <= bytes.size()) {
    std::string id(reinterpret_cast<const char*>(bytes.data() + at), 4);
    std::uint64_t size = le32(bytes.data() + at + 4);
    std::size_t body = at + 8;
    std::uint64_t present = bytes.size() - body;
    if (id == "data") {
      if (!fmt) bad(name, "data chunk before the fmt chunk");
      if (size > present)
        bad(name, "truncated: the data chunk says " + std::to_string(size) + " bytes, the file holds " +
                      std::to_string(present));
      if (size % 2 != 0) bad(name, "truncated: the data chunk ends in half a sample");
      if (size == 0) bad(name, "no audio samples");
      Pcm pcm;
      pcm.sample_rate = static_cast<int>(fmt->rate);
      pcm.samples.resize(size / 2);
      for (std::size_t i = 0; i < pcm.samples.size(); ++i)
        pcm.samples[i] = static_cast<std::int16_t>(le16(bytes.data() + body + 2 * i));
      return pcm;
    }
    if (size > present) bad(name, "truncated: the " + id + " chunk runs past the end of the file");
    if (id == "fmt ") fmt = parse_fmt(bytes.subspan(body, size), name);
    at = body + size + (size & 1);  // chunks are padded to an even length
  }
  bad(name, fmt ? "no data chunk" : "no fmt chunk");
}

Pcm read_wav(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::not_found, path + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) bad(path, "not a regular file");
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(ErrorCode::not_found, path + ": " + ec.message());
  if (size > kMaxWavBytes) bad(path, "too large (" + std::to_string(size) + " bytes)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::not_found, path + ": cannot open");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_wav(bytes, path);
}

void write_wav(const std::string& path, const Pcm& audio) {
  if (audio.sample_rate != 8000 && audio.sample_rate != 16000)
    throw Error(ErrorCode::invalid_argument, "write_wav: sample rate " + std::to_string(audio.sample_rate) +
                                                 " Hz is not supported (only 8000 or 16000)");
  auto rate = static_cast<std::uint32_t>(audio.sample_rate);
  auto data = static_cast<std::uint32_t>(audio.samples.size() * 2);
  std::array<std::uint8_t, 44> header{};
  auto text = [&](std::size_t at, const char* s) { std::memcpy(&header[at], s, 4); };
  auto u32 = [&](std::size_t at, std::uint32_t v) { for (std::size_t i = 0; i < 4; ++i) header[at + i] = std::uint8_t(v >> (8 * i)); };
  auto u16 = [&](std::size_t at, std::uint16_t v) { header[at] = std::uint8_t(v); header[at + 1] = std::uint8_t(v >> 8); };
  text(0, "RIFF"); u32(4, 36 + data); text(8, "WAVE");
  text(12, "fmt "); u32(16, 16); u16(20, 1); u16(22, 1); u32(24, rate); u32(28, rate * 2); u16(32, 2); u16(34, 16);
  text(36, "data"); u32(40, data);
  std::vector<std::uint8_t> body(data);
  for (std::size_t i = 0; i < audio.samples.size(); ++i) {
    auto v = static_cast<std::uint16_t>(audio.samples[i]);
    body[2 * i] = std::uint8_t(v);
    body[2 * i + 1] = std::uint8_t(v >> 8);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size()));
  f.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
  if (!f) throw Error(ErrorCode::generic, "write_wav: cannot write " + path);
}

}  // namespace outbound::media
