// AMD settings: ranges, and JSON in and out (the `--settings` of `outbound amd`).
// Built with or without the media feature: a campaign checks its settings with it.
#include <nlohmann/json.hpp>

#include "outbound/error.hpp"
#include "outbound/media.hpp"

namespace outbound::media {

namespace {

[[noreturn]] void out_of_range(const char* name, const std::string& value, const char* range) {
  throw Error(ErrorCode::invalid_argument,
              std::string("AMD setting ") + name + " = " + value + " is out of range (" + range + ")");
}
void check_ms(const char* name, int v, int lo, int hi) {
  if (v < lo || v > hi)
    out_of_range(name, std::to_string(v), (std::to_string(lo) + ".." + std::to_string(hi) + " ms").c_str());
}

// Every setting once, with its JSON name: reading and writing both go through this list.
template <class F>
void for_each_setting(AmdSettings& s, F&& f) {
  f("initial_silence_ms", s.initial_silence_ms);
  f("max_greeting_ms", s.max_greeting_ms);
  f("after_greeting_silence_ms", s.after_greeting_silence_ms);
  f("min_word_ms", s.min_word_ms);
  f("between_words_ms", s.between_words_ms);
  f("max_words", s.max_words);
  f("max_decision_ms", s.max_decision_ms);
  f("voice_threshold_db", s.voice_threshold_db);
  f("min_voice_dbfs", s.min_voice_dbfs);
  f("detect_tones", s.detect_tones);
  f("beep_min_ms", s.beep_min_ms);
  f("beep_max_ms", s.beep_max_ms);
  f("after_beep_silence_ms", s.after_beep_silence_ms);
  f("no_beep_silence_ms", s.no_beep_silence_ms);
  f("max_message_wait_ms", s.max_message_wait_ms);
}

template <class T>
void read_value(const nlohmann::json& v, const std::string& key, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) throw Error(ErrorCode::invalid_argument, "AMD setting " + key + " must be true or false");
    out = v.get<bool>();
  } else if constexpr (std::is_same_v<T, int>) {
    if (!v.is_number_integer())
      throw Error(ErrorCode::invalid_argument, "AMD setting " + key + " must be an integer, not " + v.dump());
    auto n = v.get<long long>();
    if (n < -1000000 || n > 1000000) out_of_range(key.c_str(), v.dump(), "-1000000..1000000");
    out = static_cast<int>(n);
  } else {
    if (!v.is_number()) throw Error(ErrorCode::invalid_argument, "AMD setting " + key + " must be a number, not " + v.dump());
    out = v.get<double>();
  }
}

}  // namespace

void AmdSettings::validate() const {
  check_ms("initial_silence_ms", initial_silence_ms, 500, 30000);
  check_ms("max_greeting_ms", max_greeting_ms, 200, 30000);
  check_ms("after_greeting_silence_ms", after_greeting_silence_ms, 100, 10000);
  check_ms("min_word_ms", min_word_ms, 20, 2000);
  check_ms("between_words_ms", between_words_ms, 20, 5000);
  if (max_words < 1 || max_words > 100) out_of_range("max_words", std::to_string(max_words), "1..100");
  check_ms("max_decision_ms", max_decision_ms, 500, 60000);
  if (!(voice_threshold_db >= 1.0 && voice_threshold_db <= 40.0))
    out_of_range("voice_threshold_db", std::to_string(voice_threshold_db), "1..40 dB");
  if (!(min_voice_dbfs >= -90.0 && min_voice_dbfs <= -10.0))
    out_of_range("min_voice_dbfs", std::to_string(min_voice_dbfs), "-90..-10 dBFS");
  check_ms("beep_min_ms", beep_min_ms, 40, 5000);
  check_ms("beep_max_ms", beep_max_ms, beep_min_ms, 10000);
  check_ms("after_beep_silence_ms", after_beep_silence_ms, 0, 10000);
  check_ms("no_beep_silence_ms", no_beep_silence_ms, 100, 30000);
  check_ms("max_message_wait_ms", max_message_wait_ms, 1000, 120000);
}

AmdSettings amd_settings_from_json(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::invalid_argument, std::string("AMD settings are not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(ErrorCode::invalid_argument, "AMD settings must be a JSON object");
  AmdSettings s;
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for_each_setting(s, [&](const char* name, auto& member) {
      if (it.key() == name) {
        read_value(it.value(), it.key(), member);
        known = true;
      }
    });
    if (!known) throw Error(ErrorCode::invalid_argument, "unknown AMD setting \"" + it.key() + "\"");
  }
  s.validate();
  return s;
}

std::string to_json(const AmdSettings& settings) {
  AmdSettings s = settings;
  nlohmann::json j = nlohmann::json::object();
  for_each_setting(s, [&](const char* name, auto& member) { j[name] = member; });
  return j.dump();
}

}  // namespace outbound::media
