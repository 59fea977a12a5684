// G.711, WAV files, 16 -> 8 kHz conversion and the prompt player.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>

#include "audio_fixtures.hpp"

using namespace outbound;
using namespace outbound::media;
using namespace obtest::audio;

namespace {

double snr_db(const Samples& ref, const Samples& got) {
  double sig = 0, err = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    sig += double(ref[i]) * ref[i];
    err += (double(ref[i]) - got[i]) * (double(ref[i]) - got[i]);
  }
  return 10.0 * std::log10(sig / err);
}

// Power of `x` at `hz` relative to its total power (a single-bin DFT).
double share_at(const Samples& x, double hz, int rate) {
  double re = 0, im = 0, total = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    re += x[i] * std::cos(2 * M_PI * hz * double(i) / rate);
    im += x[i] * std::sin(2 * M_PI * hz * double(i) / rate);
    total += double(x[i]) * x[i];
  }
  return 2.0 * (re * re + im * im) / (double(x.size()) * total);
}

// A WAV header with chosen fields, then `data_bytes` of data (zeros) of which `present` are written.
std::vector<std::uint8_t> wav_bytes(std::uint16_t format, std::uint16_t channels, std::uint32_t rate, std::uint16_t bits,
                                    std::uint32_t data_bytes, std::uint32_t present) {
  std::vector<std::uint8_t> b(44 + present);
  auto text = [&](std::size_t at, const char* t) { std::memcpy(&b[at], t, 4); };
  auto u32 = [&](std::size_t at, std::uint32_t v) { for (std::size_t i = 0; i < 4; ++i) b[at + i] = std::uint8_t(v >> (8 * i)); };
  auto u16 = [&](std::size_t at, std::uint16_t v) { b[at] = std::uint8_t(v); b[at + 1] = std::uint8_t(v >> 8); };
  std::uint16_t align = static_cast<std::uint16_t>(channels * bits / 8);
  text(0, "RIFF"); u32(4, 36 + data_bytes); text(8, "WAVE");
  text(12, "fmt "); u32(16, 16); u16(20, format); u16(22, channels); u32(24, rate); u32(28, rate * align);
  u16(32, align); u16(34, bits);
  text(36, "data"); u32(40, data_bytes);
  return b;
}

std::string refusal(const std::vector<std::uint8_t>& bytes) {
  try {
    parse_wav(bytes, "x.wav");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("G.711 round trips keep speech-grade quality and fixed points, in both laws") {
  for (G711Law law : {G711Law::ulaw, G711Law::alaw}) {
    Samples x = tone(440, 200, 0.5);
    Samples y = g711_decode(law, g711_encode(law, x));
    REQUIRE(y.size() == x.size());
    CHECK(snr_db(x, y) > 30.0);  // 8-bit log PCM: about 38 dB on a loud sine
    // A decoded value is a code point: through the codec again it comes back unchanged
    // (µ-law has two codes for zero, so compare values, not bytes).
    int moved = 0;
    for (int code = 0; code < 256; ++code) {
      std::int16_t v = g711_decode(law, std::vector<std::uint8_t>{std::uint8_t(code)})[0];
      moved += g711_decode(law, g711_encode(law, Samples{v}))[0] != v;
    }
    CHECK(moved == 0);
    // Every 16-bit input lands on the nearest code point's segment: the error is under 1/16 of the value (+ the step near zero).
    int too_far = 0;
    for (int v = -32768; v <= 32767; ++v) {
      std::int16_t back = g711_decode(law, g711_encode(law, Samples{static_cast<std::int16_t>(v)}))[0];
      too_far += std::abs(back - v) > std::abs(v) / 16 + 16;
    }
    CHECK(too_far == 0);
  }
  // The well-known silence bytes: 0xFF in µ-law, 0xD5 in A-law.
  CHECK(g711_encode(G711Law::ulaw, Samples{0})[0] == 0xFF);
  CHECK(g711_encode(G711Law::alaw, Samples{0})[0] == 0xD5);
  std::vector<std::uint8_t> small(3);
  CHECK_THROWS_AS(g711_encode(G711Law::ulaw, Samples(4), small), Error);
}

TEST_CASE("a WAV written is read back sample for sample, at 8 and 16 kHz") {
  obtest::TempDir dir;
  for (int rate : {8000, 16000}) {
    Samples x = tone(700, 120, 0.3, rate);
    Pcm back = read_wav(save(dir.path(), "t.wav", x, rate));
    CHECK(back.sample_rate == rate);
    CHECK(back.samples == x);
  }
}

TEST_CASE("a file that is not an 8/16 kHz mono 16-bit PCM WAV is refused with the reason") {
  CHECK(refusal({}).find("empty") != std::string::npos);
  std::vector<std::uint8_t> text(64, 'a');
  CHECK(refusal(text).find("not a RIFF file") != std::string::npos);
  CHECK(refusal(wav_bytes(1, 2, 8000, 16, 320, 320)).find("stereo") != std::string::npos);
  CHECK(refusal(wav_bytes(1, 1, 8000, 24, 300, 300)).find("24-bit") != std::string::npos);
  CHECK(refusal(wav_bytes(1, 1, 44100, 16, 320, 320)).find("44100 Hz") != std::string::npos);
  CHECK(refusal(wav_bytes(3, 1, 8000, 32, 320, 320)).find("float") != std::string::npos);
  CHECK(refusal(wav_bytes(7, 1, 8000, 8, 320, 320)).find("law") != std::string::npos);
  CHECK(refusal(wav_bytes(1, 1, 8000, 16, 32000, 1000)).find("truncated") != std::string::npos);
  CHECK(refusal(wav_bytes(1, 1, 8000, 16, 0, 0)).find("no audio") != std::string::npos);
  auto header_only = wav_bytes(1, 1, 8000, 16, 0, 0);
  header_only.resize(36);  // fmt chunk, and no data chunk
  CHECK(refusal(header_only).find("no data chunk") != std::string::npos);
  auto riff = wav_bytes(1, 1, 8000, 16, 320, 320);
  std::memcpy(riff.data() + 8, "AVI ", 4);
  CHECK(refusal(riff).find("not WAVE") != std::string::npos);
  // A file that does not exist is not_found, and says which.
  try {
    read_wav("/nonexistent/dir/x.wav");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::not_found);
    CHECK(std::string(e.what()).find("/nonexistent/dir/x.wav") != std::string::npos);
  }
}

TEST_CASE("16 kHz audio becomes 8 kHz without aliasing") {
  // 1 kHz stays; 6 kHz, above the 4 kHz Nyquist of 8 kHz audio, must be filtered out, not folded to 2 kHz.
  Samples in = tone(1000, 500, 0.2, 16000);
  Samples high = tone(6000, 500, 0.2, 16000);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::int16_t>(in[i] + high[i]);
  Samples out = to_8khz(Pcm{16000, in});
  CHECK(std::abs(static_cast<long>(out.size()) - 4000) <= 2);
  Samples steady(out.begin() + 400, out.end() - 400);  // away from the filter's edges
  CHECK(share_at(steady, 1000, 8000) > 0.95);
  CHECK(share_at(steady, 2000, 8000) < 1e-3);  // where 6 kHz would alias
  Samples same = tone(300, 100);
  CHECK(to_8khz(Pcm{8000, same}) == same);
  CHECK_THROWS_AS(to_8khz(Pcm{11025, same}), Error);
}

TEST_CASE("a prompt plays as 20 ms frames, the last one padded with silence") {
  obtest::TempDir dir;
  PromptPlayer p(tone(500, 50));  // 400 samples: two whole frames and half of one
  CHECK(p.frame_count() == 3);
  CHECK(p.duration_ms() == 50);
  std::array<std::int16_t, kFrameSamples> f{};
  int frames = 0;
  while (p.next_frame(f)) ++frames;
  CHECK(frames == 3);
  CHECK(f[79] != 0);
  CHECK(std::all_of(f.begin() + 80, f.end(), [](std::int16_t s) { return s == 0; }));
  CHECK(p.done());
  p.rewind();
  CHECK(p.next_frame(f));
  // A 16 kHz message is played at 8 kHz: half the samples, the same length in time.
  PromptPlayer from_file = PromptPlayer::from_wav(save(dir.path(), "m.wav", tone(400, 1000, 0.3, 16000), 16000));
  CHECK(std::abs(from_file.duration_ms() - 1000) <= 1);
  CHECK_THROWS_AS(PromptPlayer::from_wav((dir.path() / "missing.wav").string()), Error);
}
