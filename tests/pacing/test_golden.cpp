// Golden files: a behaviour change shows as a diff (OB_UPDATE_GOLDEN=1 rewrites them).
//  - decisions: every pacer's answer on a recorded sequence of snapshots (a
//    simulated world driven by a fixed policy, so each pacer sees the same);
//  - scenarios: selected keys of `outbound sim` reports for small scenarios
//    (the real binary: campaign, simulated switch, SQLite list).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/test_support.hpp"
#include "outbound/pacing.hpp"
#include "toy_world.hpp"

using namespace outbound;
namespace fs = std::filesystem;

namespace {

const fs::path kGolden = fs::path(OB_TEST_SOURCE_DIR) / "pacing" / "golden";

bool updating() {
  const char* flag = std::getenv("OB_UPDATE_GOLDEN");
  return flag && *flag == '1';
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Compares `actual` with the golden file, line by line, naming the first difference.
void check_golden(const std::string& name, const std::string& actual) {
  const fs::path file = kGolden / name;
  if (updating()) {
    std::ofstream(file) << actual;
    MESSAGE("rewrote " << file.string());
    return;
  }
  if (!fs::exists(file)) {
    FAIL_CHECK("missing golden file " << file.string() << " (run with OB_UPDATE_GOLDEN=1 to create it)");
    return;
  }
  std::istringstream want(read_file(file)), got(actual);
  std::string w, g;
  for (int line = 1;; ++line) {
    const bool more_w = static_cast<bool>(std::getline(want, w)), more_g = static_cast<bool>(std::getline(got, g));
    if (!more_w && !more_g) return;
    if (w != g || more_w != more_g) {
      FAIL_CHECK(name << " differs at line " << line << "\n  golden: " << w << "\n  now:    " << g);
      return;
    }
  }
}

// One line every 10 s: the world, then each pacer's decision on the same snapshot.
std::string decisions(int agents, std::uint64_t seed) {
  toy::Config c;
  c.seed = seed;
  c.agents = agents;
  c.ratio = 1.4;  // the driving policy: progressive with 1.4 lines per ready agent
  toy::World w(c);
  ProgressivePacer driver;
  auto overdial = make_pacer(DialMode::predictive), busy = make_pacer(DialMode::predictive);
  auto vicidial = make_pacer(DialMode::predictive, "vicidial_adapt"), webitel = make_pacer(DialMode::predictive, "webitel");
  auto fixed = make_pacer(DialMode::predictive, "fixed_ratio");
  std::ostringstream out;
  out << "# t ready busy wrap dialing waiting | predictive busy_factor_0.85 vicidial_adapt webitel fixed_ratio_1.3\n";
  for (int t = 0; t < 1800; ++t) {
    PacingSnapshot s = w.snapshot();
    PacingSnapshot b = s;
    b.goal = OptimizationGoal::busy_factor;
    b.target = 0.85;
    PacingSnapshot f = s;
    f.ratio = 1.3;
    const int d[] = {overdial->dials_now(s), busy->dials_now(b), vicidial->dials_now(s), webitel->dials_now(s),
                     fixed->dials_now(f)};
    if (t % 10 == 0)
      out << t << ' ' << s.agents_ready << ' ' << s.agents_busy << ' ' << s.agents_wrap << ' ' << s.calls_dialing << ' '
          << s.calls_waiting << " | " << d[0] << ' ' << d[1] << ' ' << d[2] << ' ' << d[3] << ' ' << d[4] << '\n';
    w.dial(driver.dials_now(s));
    w.advance(1.0);
  }
  return out.str();
}

}  // namespace

TEST_CASE("golden: every pacer's decisions on a recorded snapshot sequence") {
  check_golden("decisions_8_agents.txt", decisions(8, 11));
  check_golden("decisions_40_agents.txt", decisions(40, 12));
}

namespace {

// Runs `outbound sim` on a scenario; the report as JSON.
nlohmann::json simulate(const fs::path& scenario) {
  const char* build = std::getenv("OB_TEST_BUILD_DIR");
  REQUIRE_MESSAGE(build, "OB_TEST_BUILD_DIR is not set (meson test sets it)");
  const fs::path tool = fs::path(build) / "tools" / "outbound";
  REQUIRE_MESSAGE(fs::exists(tool), "no " << tool.string() << ": build tools/outbound first");
  const std::string command = tool.string() + " sim " + scenario.string() + " --quiet";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
  }
  return nlohmann::json::parse(out);
}

const char* const kKeys[] = {"dials",          "live_answers", "connected",       "abandoned",
                             "machine",        "busy",         "no_answer",       "sit",
                             "records_final",  "abandon_rate", "agent_occupancy", "max_window_abandon_rate",
                             "max_hour_abandon_rate"};

}  // namespace

TEST_CASE("golden: scenario reports of the simulator") {
  for (const char* name : {"sim_5_agents", "sim_20_agents", "sim_20_vicidial", "sim_20_collapse"}) {
    CAPTURE(name);
    // The sanitizer run (OB_TEST_SUBSET=1) skips sim_20_agents: sim_20_collapse runs the
    // same 20 agents, pacer and network for its first half hour, then its changes.
    if (obtest::subset_only() && std::string(name) == "sim_20_agents") continue;
    nlohmann::json report = simulate(kGolden / (std::string(name) + ".json"));
    nlohmann::ordered_json picked;
    for (const char* key : kKeys) picked[key] = report.at(key);
    std::ostringstream text;
    for (const auto& [key, value] : picked.items()) {
      if (value.is_number_float()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f", value.get<double>());  // six places: a change in behaviour, not in rounding
        text << key << ' ' << buf << '\n';
      } else {
        text << key << ' ' << value.dump() << '\n';
      }
    }
    check_golden(std::string(name) + ".expected.txt", text.str());
  }
}
