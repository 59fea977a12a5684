// The `outbound amd FILE.wav [--settings JSON]` contract, through the real
// command: one JSON line {"class": ..., "decision_ms": N} for a good WAV, exit
// code 2 and a reason on stderr for anything that is not an 8/16 kHz mono
// 16-bit PCM WAV.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "audio_fixtures.hpp"

using namespace outbound::media;
using namespace obtest::audio;

namespace {

struct Run {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string outbound_tool() {
  const char* build = std::getenv("OB_TEST_BUILD_DIR");
  REQUIRE_MESSAGE(build, "OB_TEST_BUILD_DIR is not set (meson test sets it)");
  return std::string(build) + "/tools/outbound";
}

// Runs `outbound amd ARGS`; single quotes around each argument (none of ours holds one).
Run amd(const obtest::TempDir& dir, const std::vector<std::string>& args) {
  std::string cmd = "'" + outbound_tool() + "' amd";
  for (const std::string& a : args) cmd += " '" + a + "'";
  auto out = dir.path() / "stdout", err = dir.path() / "stderr";
  int rc = std::system((cmd + " >'" + out.string() + "' 2>'" + err.string() + "'").c_str());
  Run r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// The contract's line, exactly: {"class": "live", "decision_ms": 640}
const std::regex kLine(R"re(\{"class": "(live|machine|fax|silence|unknown)", "decision_ms": ([0-9]+)\}\n)re");

std::pair<std::string, int> verdict(const Run& r) {
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_match(r.out, m, kLine), "stdout: " << r.out << " stderr: " << r.err);
  return {m[1], std::stoi(m[2])};
}

}  // namespace

TEST_CASE("outbound amd prints one JSON line with the class and the decision time of good WAVs") {
  obtest::TempDir dir;
  Samples live = silence(400);
  live += speak(dir.path(), "Hello?");
  int live_end = static_cast<int>(live.size() * 1000 / kSampleRate);
  live += silence(3000);
  Samples machine = silence(200);
  machine += speak(dir.path(), "Hello, you have reached Acme Plumbing. Our office is now closed. Please leave a message.");
  machine += silence(1000);
  Samples fax = silence(300);
  fax += tone(1100, 500, 0.1);
  fax += silence(3000);

  auto [cls, ms] = verdict(amd(dir, {save(dir.path(), "live.wav", live)}));
  CHECK(cls == "live");
  CHECK(ms > live_end);
  CHECK(ms < live_end + 1000);
  CHECK(verdict(amd(dir, {save(dir.path(), "machine.wav", machine)})).first == "machine");
  CHECK(verdict(amd(dir, {save(dir.path(), "fax.wav", fax)})).first == "fax");
  auto quiet = verdict(amd(dir, {save(dir.path(), "silence.wav", silence(5000))}));
  CHECK(quiet.first == "silence");
  CHECK(quiet.second == AmdSettings{}.initial_silence_ms);

  // 16 kHz: the same verdict, the time still counted from the start of the file.
  std::string wide = (dir.path() / "live16.wav").string();
  REQUIRE(sh("sox -D -V1 " + (dir.path() / "live.wav").string() + " -r 16000 " + wide));
  auto [cls16, ms16] = verdict(amd(dir, {wide}));
  CHECK(cls16 == "live");
  CHECK(std::abs(ms16 - ms) <= 60);

  // --settings changes the decision: a longer wait before calling it live.
  auto slower = verdict(amd(dir, {(dir.path() / "live.wav").string(), "--settings", R"({"after_greeting_silence_ms": 1500})"}));
  CHECK(slower.first == "live");
  CHECK(slower.second >= ms + 700);

  // --details adds why, where the greeting was, and beeps; the first two keys stay.
  Run detailed = amd(dir, {(dir.path() / "live.wav").string(), "--details"});
  CHECK(detailed.status == 0);
  auto j = nlohmann::json::parse(detailed.out);
  CHECK(j["class"] == "live");
  CHECK(j["decision_ms"] == ms);
  CHECK(j["reason"].is_string());
  CHECK(j["beeps"].is_array());
}

TEST_CASE("outbound amd refuses what is not an 8/16 kHz mono 16-bit PCM WAV: exit 2, the reason, nothing on stdout") {
  obtest::TempDir dir;
  std::string good = save(dir.path(), "good.wav", tone(500, 1000));
  auto p = [&](const char* name) { return (dir.path() / name).string(); };
  REQUIRE(sh("sox -D -V1 " + good + " -c 2 " + p("stereo.wav")));
  REQUIRE(sh("sox -D -V1 " + good + " -b 24 " + p("24bit.wav")));
  REQUIRE(sh("sox -D -V1 " + good + " -r 44100 " + p("44k.wav")));
  REQUIRE(sh("head -c 1000 " + good + " > " + p("truncated.wav")));
  REQUIRE(sh(": > " + p("empty.wav")));
  REQUIRE(sh("echo 'just some text, not audio at all' > " + p("text.wav")));
  const std::pair<std::string, std::string> cases[] = {
      {p("text.wav"), "not a RIFF file"}, {p("stereo.wav"), "stereo"},  {p("24bit.wav"), "24-bit"},
      {p("44k.wav"), "44100 Hz"},         {p("truncated.wav"), "truncated"}, {p("empty.wav"), "empty"},
      {p("missing.wav"), "no such file"},
  };
  for (const auto& [file, reason] : cases) {
    CAPTURE(file);
    Run r = amd(dir, {file});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(reason) != std::string::npos);
    CHECK(r.err.find(file) != std::string::npos);
  }
  // Bad settings and bad usage are refused the same way.
  Run bad_settings = amd(dir, {good, "--settings", R"({"max_greeting_ms": -5})"});
  CHECK(bad_settings.status == 2);
  CHECK(bad_settings.err.find("max_greeting_ms") != std::string::npos);
  Run no_file = amd(dir, {});
  CHECK(no_file.status == 2);
  CHECK(no_file.err.find("usage") != std::string::npos);
}
