// A campaign's call audio settings (outbound::CampaignAudio): their checks and
// how they lay over a driver's own AMD settings. Built with or without the
// media feature: a campaign checks its settings and messages either way.
#include "outbound/error.hpp"
#include "outbound/media.hpp"

namespace outbound {

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw Error(ErrorCode::invalid_argument, field + ": " + why);
}

// A time setting: 0 (the driver's own) or within [lo, hi] ms.
void check_ms(const std::string& field, Duration d, long lo, long hi) {
  const auto ms = d.count();
  if (ms != 0 && (ms < lo || ms > hi))
    bad(field, std::to_string(ms) + " ms is out of range (" + std::to_string(lo) + ".." + std::to_string(hi) +
                   " ms, or 0 for the driver's own)");
}

// A message: "" (the driver's own) or a readable 8/16 kHz mono 16-bit WAV with audio in it.
void check_message(const std::string& field, const std::string& path) {
  if (path.empty()) return;
  std::size_t samples = 0;
  try {
    samples = media::read_wav(path).samples.size();
  } catch (const Error& e) {  // missing, unreadable, or not such a WAV: the reader says which
    bad(field, e.what());
  }
  if (samples == 0) bad(field, path + " holds no audio");
}

}  // namespace

void validate(const CampaignAudio& a, const std::string& field) {
  const std::string f = field.empty() ? std::string() : field + ".";
  check_ms(f + "amd_initial_silence", a.amd_initial_silence, 500, 30000);
  check_ms(f + "amd_max_greeting", a.amd_max_greeting, 200, 30000);
  check_ms(f + "amd_after_greeting_silence", a.amd_after_greeting_silence, 100, 10000);
  if (a.amd_max_words != 0 && (a.amd_max_words < 1 || a.amd_max_words > 100))
    bad(f + "amd_max_words", std::to_string(a.amd_max_words) + " is out of range (1..100, or 0 for the driver's own)");
  check_ms(f + "amd_max_decision", a.amd_max_decision, 500, 60000);
  check_ms(f + "amd_max_message_wait", a.amd_max_message_wait, 1000, 120000);
  const std::string digits = "0123456789*#";
  if (a.opt_out_digit != 0 && digits.find(a.opt_out_digit) == std::string::npos)
    bad(f + "opt_out_digit", "must be one of 0-9, * and # (or none)");
  check_message(f + "abandon_message", a.abandon_message);
  check_message(f + "machine_message", a.machine_message);
}

namespace media {

AmdSettings amd_settings_for(const CampaignAudio& a, AmdSettings base) {
  auto ms = [](Duration d, int& out) {
    if (d.count() != 0) out = static_cast<int>(d.count());
  };
  ms(a.amd_initial_silence, base.initial_silence_ms);
  ms(a.amd_max_greeting, base.max_greeting_ms);
  ms(a.amd_after_greeting_silence, base.after_greeting_silence_ms);
  if (a.amd_max_words != 0) base.max_words = a.amd_max_words;
  ms(a.amd_max_decision, base.max_decision_ms);
  ms(a.amd_max_message_wait, base.max_message_wait_ms);
  return base;
}

}  // namespace media

}  // namespace outbound
