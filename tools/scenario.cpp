// Strict scenario parsing: every key is known, every value checked, and an
// error names the path of the key ("network.ring_s.mean").
#include "scenario.hpp"

#include <cctype>
#include <climits>
#include <nlohmann/json.hpp>

#include "json_reader.hpp"
#include "outbound/error.hpp"

namespace outbound::cli {
namespace {

using nlohmann::json;

// A change's partial network: the shares it names replace those of the model
// in force; if they no longer sum to 1, no_answer absorbs the difference.
sim::NetworkModel changed_network(const json& obj, const std::string& path, const sim::NetworkModel& current) {
  sim::NetworkModel m = network(obj, path, current);
  if (!obj.contains("no_answer")) {
    double others = m.live_answer + m.busy + m.machine + m.sit + m.fax + m.silence;
    if (others > 1.0 + 1e-9) bad(path, "shares sum to more than 1");
    m.no_answer = 1.0 - others;
  }
  try {
    sim::validate(m);
  } catch (const Error& e) {
    bad(path, e.what());
  }
  return m;
}

void parse_goal(const json& obj, Scenario& s) {
  if (!obj.contains("goal")) return;
  const auto& g = obj.at("goal");
  only_keys(g, "goal", {"overdial_rate", "busy_factor", "wait_time_s", "distribution_time_s"});
  if (g.size() != 1) bad("goal", "name exactly one goal");
  auto first = g.items().begin();  // copies: items() proxies are temporaries
  const std::string key = first.key();
  const nlohmann::json value = first.value();
  if (!value.is_number()) bad("goal." + key, "expected a number");
  s.target = value.get<double>();
  if (key == "overdial_rate") s.goal = OptimizationGoal::overdial_rate;
  if (key == "busy_factor") s.goal = OptimizationGoal::busy_factor;
  if (key == "wait_time_s") s.goal = OptimizationGoal::wait_time;
  if (key == "distribution_time_s") s.goal = OptimizationGoal::distribution_time;
  const bool seconds = key == "wait_time_s" || key == "distribution_time_s";
  if (!(s.target >= 0) || (!seconds && s.target > 1))
    bad("goal." + key, std::string(seconds ? "must be 0 s or more" : "must lie in [0, 1]") + ", not " + value.dump());
}

void parse_list(const json& obj, Scenario& s) {
  if (!obj.contains("list")) return;
  const auto& l = obj.at("list");
  only_keys(l, "list", {"records", "connection", "table", "dnc_table", "call_log_table", "tz_map", "start_utc", "in_place",
                        "customer_id_field", "treatments"});
  s.list.records = static_cast<long>(number(l, "records", "list", static_cast<double>(s.list.records), 1, 1e8));
  s.list.records_given = l.contains("records");
  s.list.connection = text(l, "connection", "list", "");
  s.list.table = text(l, "table", "list", s.list.table);
  s.list.dnc_table = text(l, "dnc_table", "list", "");
  s.list.call_log_table = text(l, "call_log_table", "list", "");
  s.list.start_utc = text(l, "start_utc", "list", "");
  s.list.in_place = boolean(l, "in_place", "list", false);
  s.list.customer_id_field = text(l, "customer_id_field", "list", "");
  if (!s.list.customer_id_field.empty() && !is_safe_identifier(s.list.customer_id_field))
    bad("list.customer_id_field", "expected a plain column name");
  if (l.contains("treatments")) s.treatments = treatments(l.at("treatments"), "list.treatments");
  if (l.contains("tz_map")) {
    const auto& m = l.at("tz_map");
    if (!m.is_object()) bad("list.tz_map", "expected an object of tz_dbid: \"Zone/Name\"");
    for (const auto& [k, v] : m.items()) {
      if (!v.is_string()) bad("list.tz_map." + k, "expected a zone name");
      // The whole key is the tz_dbid: "1abc" is refused, and "01" is tz_dbid 1,
      // which may not be given twice.
      std::size_t used = 0;
      long long id = 0;
      try {
        id = std::stoll(k, &used);
      } catch (const std::logic_error&) {
        used = 0;
      }
      if (used == 0 || used != k.size() || !std::isdigit(static_cast<unsigned char>(k.back())) || id < INT_MIN || id > INT_MAX ||
          k.find_first_of(" \t") != std::string::npos)
        bad("list.tz_map." + k, "keys are integer tz_dbid values");
      if (!s.list.tz_map.emplace(static_cast<int>(id), v.get<std::string>()).second)
        bad("list.tz_map." + k, "tz_dbid " + std::to_string(id) + " is given twice");
    }
  }
}

void parse_changes(const json& obj, Scenario& s) {
  if (!obj.contains("changes")) return;
  const auto& arr = obj.at("changes");
  if (!arr.is_array()) bad("changes", "expected an array");
  sim::NetworkModel current = s.network;
  double last_h = -1;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string p = "changes[" + std::to_string(i) + "]";
    const auto& c = arr[i];
    only_keys(c, p, {"at_h", "network", "agents"});
    if (!c.contains("at_h")) bad(p + ".at_h", "required");
    ScenarioChange ch;
    ch.at_h = number(c, "at_h", p, 0, 0, s.duration_h);
    if (ch.at_h < last_h) bad(p + ".at_h", "changes must be in time order");
    last_h = ch.at_h;
    if (c.contains("network")) {
      current = changed_network(c.at("network"), p + ".network", current);
      ch.network = current;
    }
    if (c.contains("agents")) ch.agents = static_cast<int>(number(c, "agents", p, 0, 0, 100000));
    s.changes.push_back(ch);
  }
}

// "sip": the far end decides, so only agent modes on a real clock make sense.
void parse_sip(const json& obj, Scenario& s) {
  if (!obj.contains("sip")) return;
  const auto& j = obj.at("sip");
  only_keys(j, "sip", {"listen", "customer_uri", "agents", "cps", "agent_answer_timeout_ms"});
  ScenarioSip sip;
  sip.listen = text(j, "listen", "sip", sip.listen);
  sip.customer_uri = text(j, "customer_uri", "sip", sip.customer_uri);
  sip.cps = number(j, "cps", "sip", 0, 0, 10000);
  sip.agent_answer_timeout_ms = static_cast<int>(integer(j, "agent_answer_timeout_ms", "sip", 1000, 1, 600000));
  if (!j.contains("agents") || !j.at("agents").is_object() || j.at("agents").empty())
    bad("sip.agents", "expected an object of agent id: \"sip:...\" (at least one agent)");
  for (const auto& [id, uri] : j.at("agents").items()) {
    if (!uri.is_string()) bad("sip.agents." + id, "expected a SIP URI");
    sip.agents[id] = uri.get<std::string>();
  }
  if (!s.real_clock) bad("sip", "needs \"clock\": \"real\" (SIP calls take wall time)");
  if (!is_autonomous(s.mode) || is_gvp(s.mode) || is_seizing(s.mode))
    bad("sip", "mode " + std::string(to_string(s.mode)) + " cannot run over SIP (progressive, predictive or power)");
  s.agents = static_cast<int>(sip.agents.size());
  s.sip = std::move(sip);
}

Scenario parse_scenario_json(const json& j) {
  Scenario s;
  only_keys(j, "", {"seed", "duration_h", "agents", "mode", "goal", "pacer", "ratio", "ports", "abandon_cap",
                    "network", "talk_s", "wrap_s", "changes", "list", "max_attempts", "auto_complete", "engine_id", "clock",
                    "baseline_guard", "sip", "contact_limits", "no_call_days"});
  s.seed = static_cast<std::uint64_t>(number(j, "seed", "", 1, 0, 9e15));
  s.duration_h = number(j, "duration_h", "", s.duration_h, 0.01, 24 * 31);
  s.agents = static_cast<int>(number(j, "agents", "", s.agents, 0, 100000));
  std::string mode = text(j, "mode", "", "predictive");
  auto m = dial_mode_from_string(mode);
  if (!m || *m == DialMode::none) bad("mode", "unknown dialing mode \"" + mode + "\"");
  s.mode = *m;
  parse_goal(j, s);
  s.pacer = text(j, "pacer", "", s.pacer);
  s.ratio = number(j, "ratio", "", s.ratio, 0.1, 10);
  s.ports = static_cast<int>(number(j, "ports", "", s.ports, 1, 100000));
  if (j.contains("abandon_cap")) {
    const auto& c = j.at("abandon_cap");
    only_keys(c, "abandon_cap", {"rate", "window_h"});
    s.abandon_cap_rate = number(c, "rate", "abandon_cap", s.abandon_cap_rate, 0, 1);
    s.abandon_window_h = number(c, "window_h", "abandon_cap", s.abandon_window_h, 0.01, 24 * 366);
  }
  if (j.contains("network")) s.network = network(j.at("network"), "network", s.network);
  try {
    sim::validate(s.network);
  } catch (const Error& e) {
    bad("network", e.what());
  }
  s.agent_model.talk = distribution(j, "talk_s", "", s.agent_model.talk);
  s.agent_model.wrap = distribution(j, "wrap_s", "", s.agent_model.wrap);
  parse_changes(j, s);
  parse_list(j, s);
  s.max_attempts = static_cast<int>(number(j, "max_attempts", "", 0, 0, 1000));
  s.contact_limits = contact_limits(j, "");
  s.no_call_days = no_call_days(j, "");
  if (j.contains("auto_complete")) {
    if (!j.at("auto_complete").is_boolean()) bad("auto_complete", "expected true or false");
    s.auto_complete = j.at("auto_complete").get<bool>();
  }
  s.engine_id = text(j, "engine_id", "", s.engine_id);
  std::string clock = text(j, "clock", "", "manual");
  if (clock != "manual" && clock != "real") bad("clock", "expected \"manual\" or \"real\"");
  s.real_clock = clock == "real";
  if (j.contains("baseline_guard")) {
    if (!j.at("baseline_guard").is_boolean()) bad("baseline_guard", "expected true or false");
    s.baseline_guard = j.at("baseline_guard").get<bool>();
  }
  parse_sip(j, s);
  return s;
}

}  // namespace

Scenario parse_scenario(const std::string& json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {  // parse errors, and numbers out of range
    throw Error(ErrorCode::invalid_argument, std::string("scenario is not valid JSON: ") + e.what());
  }
  try {
    return parse_scenario_json(j);
  } catch (const JsonPathError& e) {
    throw Error(ErrorCode::invalid_argument, "scenario key \"" + e.path() + "\": " + e.what());
  }
}

}  // namespace outbound::cli
