// `./run sim SCENARIO.json` over SIP (the contract of docs/simulation.md): a
// scenario with "clock": "real" and a "sip" section runs its campaign in wall
// time through the SIP driver against baresip (callees who say "Hello?",
// numbers that reject, numbers that do not exist; four agents' phones), and
// the report adds sip_final_responses, connect_ms_median and connect_ms_p99.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "../support/test_support.hpp"
#include "outbound/calling_list.hpp"
#include "rig.hpp"
#include "sip_fixture.hpp"

using namespace outbound;

namespace {

std::string outbound_program() {
  const char* build = std::getenv("OB_TEST_BUILD_DIR");
  return std::string(build ? build : "build") + "/tools/outbound";
}

std::string number_of(int i) { return "+1212557" + std::to_string(1000 + i); }

/// Runs `outbound sim` on `scenario`; returns its exit code, stdout (the report) and stderr.
struct SimRun {
  int rc = 0;
  std::string out, err;
};
SimRun run_sim(const rig::fs::path& dir, const nlohmann::json& scenario) {
  const auto file = dir / "scenario.json";
  std::ofstream(file) << scenario.dump(2);
  const std::string cmd = "'" + outbound_program() + "' sim '" + file.string() + "' > '" + (dir / "out").string() +
                          "' 2> '" + (dir / "err").string() + "'";
  SimRun r;
  r.rc = std::system(cmd.c_str());
  auto slurp = [](const rig::fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  return r;
}

}  // namespace

TEST_CASE("./run sim over SIP: a real-time campaign against baresip; the report adds the SIP figures") {
  siptest::Voices voices;
  const auto talk = voices.dir.path() / "talk.wav";
  rig::write_tone(talk, 1.5, 400);
  const int n = 40;
  std::vector<rig::Account> callees;
  int people = 0;
  for (int i = 0; i < n; ++i) {
    if (i % 5 < 3) callees.emplace_back(number_of(i), "auto", voices.hello.string()), ++people;
    if (i % 5 == 3) callees.emplace_back(number_of(i), "auto", "", true);  // rejects: 486
  }                                                                        // i % 5 == 4: no account, 404
  rig::Baresip customers(callees, voices.long_line);
  std::vector<rig::Account> agent_phones;
  nlohmann::json agents = nlohmann::json::object();
  for (int a = 1; a <= 4; ++a) agent_phones.emplace_back("ag" + std::to_string(a), "auto", talk.string());
  rig::Baresip phones(agent_phones, talk);
  for (int a = 1; a <= 4; ++a) agents["ag" + std::to_string(a)] = phones.uri("ag" + std::to_string(a));

  obtest::TempDir dir;
  ListOptions lo;
  lo.create_if_missing = true;
  {
    auto list = CallingList::open(dir.sqlite(), lo);
    auto records = obtest::make_records(n);
    for (int i = 0; i < n; ++i) records[static_cast<std::size_t>(i)].contact_info = number_of(i);
    list->insert(records);
  }
  const nlohmann::json scenario = {
      {"clock", "real"},
      {"mode", "progressive"},
      {"duration_h", 0.1},
      {"auto_complete", true},
      {"wrap_s", {{"dist", "constant"}, {"mean", 0.5}, {"sd", 0}}},
      {"network", {{"live_answer", 0.9}, {"no_answer", 0.1}, {"busy", 0}, {"machine", 0}, {"sit", 0}}},  // ignored over SIP
      {"list", {{"connection", dir.sqlite()}, {"in_place", true}, {"treatments", nlohmann::json::array()}}},
      {"sip",
       {{"listen", "127.0.0.1:" + std::to_string(rig::free_ports(2))},
        {"customer_uri", customers.customer_template()},
        {"agents", agents},
        {"cps", 20},
        {"agent_answer_timeout_ms", 1000}}}};
  const SimRun run = run_sim(rig::fs::path(dir.path()), scenario);
  INFO(run.err);
  REQUIRE(run.rc == 0);
  const auto report = nlohmann::json::parse(run.out);
  CHECK(report["dials"] == n);
  CHECK(report["records_final"] == n);
  CHECK(report["records_retrieved_left"] == 0);
  CHECK(report["agents"] == 4);
  CHECK(report["connected"] == people);
  CHECK(report["busy"] == n / 5);
  CHECK(report["sit"] == n / 5);
  const auto& codes = report["sip_final_responses"];
  CHECK(codes.value("200", 0) == people);
  CHECK(codes.value("486", 0) == n / 5);
  CHECK(codes.value("404", 0) == n / 5);
  REQUIRE(report["connect_ms_median"].is_number());
  REQUIRE(report["connect_ms_p99"].is_number());
  CHECK(report["connect_ms_median"].get<double>() > 0);
  CHECK(report["connect_ms_median"].get<double>() <= report["connect_ms_p99"].get<double>());
  CHECK(report["abandon_rate"].get<double>() <= 0.03);
  MESSAGE("connect ms: median ", report["connect_ms_median"], ", p99 ", report["connect_ms_p99"], "; wall ", report["wall_s"], " s");
}

TEST_CASE("./run sim: a sip section needs the real clock and an agent mode, and names what is wrong") {
  obtest::TempDir dir;
  nlohmann::json scenario = {{"sip", {{"agents", {{"a1", "sip:a1@127.0.0.1:5091"}}}}}};
  SimRun run = run_sim(rig::fs::path(dir.path()), scenario);
  CHECK(run.rc != 0);
  CHECK(run.err.find("\"sip\"") != std::string::npos);
  CHECK(run.err.find("clock") != std::string::npos);
  scenario["clock"] = "real";
  scenario["mode"] = "power_gvp";
  run = run_sim(rig::fs::path(dir.path()), scenario);
  CHECK(run.rc != 0);
  CHECK(run.err.find("power_gvp") != std::string::npos);
  scenario["mode"] = "progressive";
  scenario["sip"]["agents"] = nlohmann::json::object();
  run = run_sim(rig::fs::path(dir.path()), scenario);
  CHECK(run.rc != 0);
  CHECK(run.err.find("sip.agents") != std::string::npos);
  scenario["sip"]["agents"] = {{"a1", "not a uri"}};
  run = run_sim(rig::fs::path(dir.path()), scenario);
  CHECK(run.rc != 0);
  CHECK(run.err.find("a1") != std::string::npos);
}
