// `outbound amd FILE.wav [--settings JSON] [--details]`: classifies one
// recording as if it were the audio after an answer and prints one JSON line,
// {"class": "...", "decision_ms": N}. Exit 2, with the reason on stderr, for a
// file that is not an 8/16 kHz mono 16-bit PCM WAV or for bad settings.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "outbound/error.hpp"
#include "outbound/media.hpp"

namespace outbound::cli {

namespace {

struct AmdArgs {
  std::string file;
  std::string settings;  // JSON text, or the path of a JSON file
  bool details = false;
};

AmdArgs parse_amd_args(const std::vector<std::string>& args) {
  AmdArgs a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--settings") {
      if (i + 1 >= args.size()) throw Error(ErrorCode::invalid_argument, "--settings needs a JSON object");
      a.settings = args[++i];
    } else if (args[i] == "--details") {
      a.details = true;
    } else if (a.file.empty() && args[i].rfind("--", 0) != 0) {
      a.file = args[i];
    } else {
      throw Error(ErrorCode::invalid_argument, "unexpected argument " + args[i]);
    }
  }
  if (a.file.empty()) throw Error(ErrorCode::invalid_argument, "usage: outbound amd FILE.wav [--settings JSON]");
  return a;
}

media::AmdSettings load_settings(const std::string& arg) {
  if (arg.empty()) return {};
  auto first = arg.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && arg[first] == '{') return media::amd_settings_from_json(arg);
  std::ifstream f(arg);
  if (!f) throw Error(ErrorCode::invalid_argument, "--settings: neither a JSON object nor a readable file: " + arg);
  std::stringstream text;
  text << f.rdbuf();
  return media::amd_settings_from_json(text.str());
}

// The whole file through one detector: the decision, then (for --details) the
// beeps and the message cue that follow it.
nlohmann::ordered_json analyse(const media::Pcm& audio, const media::AmdSettings& settings, bool details) {
  std::vector<std::int16_t> pcm = media::to_8khz(audio);
  int length_ms = static_cast<int>(pcm.size() * 1000 / media::kSampleRate);
  media::AmdDetector detector(settings);
  for (std::size_t at = 0; at < pcm.size(); at += media::kFrameSamples) {
    std::size_t n = std::min<std::size_t>(media::kFrameSamples, pcm.size() - at);
    detector.feed(media::Frame(pcm.data() + at, n));
    if (detector.decision() && !details) break;
  }
  media::AmdDecision d = detector.decision() ? *detector.decision() : detector.finish();
  nlohmann::ordered_json out;
  out["class"] = std::string(media::to_string(d.cls));
  out["decision_ms"] = std::min(d.decision_ms, length_ms);
  if (!details) return out;
  out["reason"] = std::string(d.reason);
  if (d.sit) {
    out["sit"] = std::string(media::to_string(*d.sit));
    out["sit_result"] = static_cast<int>(media::sit_call_result(*d.sit));
  }
  out["greeting_start_ms"] = d.greeting_start_ms;
  out["greeting_end_ms"] = d.greeting_end_ms;
  nlohmann::ordered_json beeps = nlohmann::ordered_json::array();
  for (const media::Beep& b : detector.beeps())
    beeps.push_back({{"start_ms", b.start_ms}, {"end_ms", b.end_ms}, {"hz", static_cast<int>(b.frequency_hz + 0.5)}});
  out["beeps"] = beeps;
  if (auto m = detector.message_start_ms()) out["message_start_ms"] = *m;
  return out;
}

// One line in the contract's spacing, {"class": "live", "decision_ms": 640}
// (nlohmann's compact dump leaves out the spaces).
std::string one_line(const nlohmann::ordered_json& obj) {
  std::string out = "{";
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it != obj.begin()) out += ", ";
    out += nlohmann::json(it.key()).dump() + ": " + it.value().dump();
  }
  return out + "}";
}

}  // namespace

int run_amd(const std::vector<std::string>& args) {
  try {
    AmdArgs a = parse_amd_args(args);
    media::AmdSettings settings = load_settings(a.settings);
    media::Pcm audio = media::read_wav(a.file);
    std::cout << one_line(analyse(audio, settings, a.details)) << "\n";
    return 0;
  } catch (const Error& e) {
    std::cerr << "outbound amd: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace outbound::cli
