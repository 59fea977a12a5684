// Parsing the serve config file (config.hpp): strict, with the JSON path of
// every error, and cross-references (a campaign's driver, lists, DNC table,
// treatments; a list's database) checked before anything is opened.
#include "config.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../json_reader.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

namespace outbound::serve {
namespace {

using nlohmann::json;
using cli::bad;
using cli::boolean;
using cli::integer;
using cli::join;
using cli::number;
using cli::only_keys;
using cli::require;
using cli::text;

// Names that appear in URLs, metric labels and SQL-free contexts.
void check_name(const std::string& name, const std::string& path) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok) bad(path, "names are 1 to 64 letters, digits, '_' or '-'");
}

const json& object_at(const json& j, const char* key, const std::string& path) {
  static const json empty = json::object();
  if (!j.contains(key)) return empty;
  if (!j.at(key).is_object()) bad(join(path, key), "expected an object");
  return j.at(key);
}

std::string identifier(const json& obj, const char* key, const std::string& path, const std::string& fallback) {
  std::string v = text(obj, key, path, fallback);
  if (!v.empty() && !is_safe_identifier(v)) bad(join(path, key), "expected a plain SQL identifier");
  return v;
}

// "08:30" -> 30600; "24:00" is allowed as an end.
int clock_time(const json& obj, const char* key, const std::string& path, int fallback) {
  if (!obj.contains(key)) return fallback;
  const std::string p = join(path, key);
  if (!obj.at(key).is_string()) bad(p, "expected \"HH:MM\" local time (a number would be ambiguous: hours or seconds?)");
  const std::string v = obj.at(key).get<std::string>();
  int h = -1, m = -1;
  char extra = 0;
  if (v.size() != 5 || std::sscanf(v.c_str(), "%2d:%2d%c", &h, &m, &extra) != 2 || h < 0 || m < 0 || m > 59 ||
      h * 60 + m > 24 * 60)
    bad(p, "expected \"HH:MM\" between 00:00 and 24:00");
  return (h * 60 + m) * 60;
}

std::map<std::string, std::string> parse_databases(const json& j, const EnvLookup& env) {
  std::map<std::string, std::string> out;
  for (const auto& [name, v] : object_at(j, "databases", "").items()) {
    const std::string p = join("databases", name);
    check_name(name, p);
    if (v.is_string()) {
      out[name] = v.get<std::string>();
      continue;
    }
    only_keys(v, p, {"connection", "connection_env"});
    if (v.contains("connection") == v.contains("connection_env")) bad(p, "give either connection or connection_env");
    if (v.contains("connection")) {
      out[name] = text(v, "connection", p, "");
    } else {
      const std::string var = text(v, "connection_env", p, "");
      auto value = env(var);
      if (!value || value->empty()) bad(join(p, "connection_env"), "environment variable " + var + " is not set");
      out[name] = *value;
    }
    if (out[name].empty()) bad(p, "empty connection");
  }
  return out;
}

std::string database_ref(const json& obj, const std::string& path, const ServeConfig& c) {
  require(obj, "database", path);
  std::string db = text(obj, "database", path, "");
  if (!c.databases.count(db)) bad(join(path, "database"), "no database named \"" + db + "\" in databases");
  return db;
}

std::map<int, std::string> parse_tz_map(const json& obj, const std::string& path) {
  std::map<int, std::string> out;
  if (!obj.contains("tz_map")) return out;
  const std::string p = join(path, "tz_map");
  if (!obj.at("tz_map").is_object()) bad(p, "expected an object of tz_dbid: \"Zone/Name\"");
  for (const auto& [k, v] : obj.at("tz_map").items()) {
    const std::string kp = join(p, k);
    bool digits = !k.empty() && k.size() <= 9 && (k == "0" || k[0] != '0');
    for (char ch : k) digits = digits && ch >= '0' && ch <= '9';
    if (!digits) bad(kp, "keys are tz_dbid integers written without leading zeros");
    if (!v.is_string() || !ZoneMap::is_known_zone(v.get<std::string>())) bad(kp, "expected a zone of the tz database (\"America/New_York\")");
    out[std::stoi(k)] = v.get<std::string>();
  }
  return out;
}

std::map<int, int> parse_priorities(const json& obj, const std::string& path) {
  std::map<int, int> out;
  for (const auto& [k, v] : object_at(obj, "record_type_priority", path).items()) {
    const std::string kp = join(join(path, "record_type_priority"), k);
    std::optional<int> type;
    for (int t = 0; t <= 7; ++t)
      if (to_string(static_cast<RecordType>(t)) == k) type = t;
    if (!type) bad(kp, "expected a record type name (general, personal_callback, campaign_callback…)");
    if (!v.is_number_integer()) bad(kp, "expected an integer priority (lower dials first)");
    out[*type] = v.get<int>();
  }
  return out;
}

void parse_lists(const json& j, ServeConfig& c) {
  for (const auto& [name, v] : object_at(j, "lists", "").items()) {
    const std::string p = join("lists", name);
    check_name(name, p);
    only_keys(v, p, {"database", "table", "filter", "order_by", "record_type_priority", "tz_map", "zone_column",
                     "customer_id_field", "sample_records"});
    ListConfig l;
    l.database = database_ref(v, p, c);
    l.connection = c.databases.at(l.database);
    l.table = identifier(v, "table", p, l.table);
    l.filter = text(v, "filter", p, "");
    l.order_by = text(v, "order_by", p, "");
    l.record_type_priority = parse_priorities(v, p);
    l.tz_map = parse_tz_map(v, p);
    l.zone_column = identifier(v, "zone_column", p, "");
    if (!l.zone_column.empty() && !l.tz_map.empty()) bad(join(p, "zone_column"), "give tz_map or zone_column, not both");
    l.customer_id_field = identifier(v, "customer_id_field", p, "");
    l.sample_records = static_cast<long>(integer(v, "sample_records", p, 0, 0, 10'000'000));
    c.lists[name] = std::move(l);
  }
}

void parse_dnc(const json& j, ServeConfig& c) {
  for (const auto& [name, v] : object_at(j, "dnc", "").items()) {
    const std::string p = join("dnc", name);
    check_name(name, p);
    only_keys(v, p, {"database", "table", "region"});
    DncConfig d;
    d.database = database_ref(v, p, c);
    d.connection = c.databases.at(d.database);
    d.table = identifier(v, "table", p, d.table);
    d.region = text(v, "region", p, d.region);
    if (d.region.size() != 2 || !std::isupper(static_cast<unsigned char>(d.region[0])) || !std::isupper(static_cast<unsigned char>(d.region[1])))
      bad(join(p, "region"), "expected an ISO 3166 region code (\"US\", \"GB\")");
    c.dnc[name] = std::move(d);
  }
}

// host:port, [v6]:port
std::pair<std::string, unsigned short> host_port(const std::string& v, const std::string& path) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) bad(path, "expected HOST:PORT");
  std::string host = v.substr(0, colon), port = v.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  bool digits = port.size() <= 5;
  for (char ch : port) digits = digits && ch >= '0' && ch <= '9';
  if (!digits || std::stol(port) > 65535) bad(path, "port \"" + port + "\" is not a number in 0..65535");
  return {host, static_cast<unsigned short>(std::stol(port))};
}

bool is_sip_uri(const std::string& u) { return (u.rfind("sip:", 0) == 0 && u.size() > 4) || (u.rfind("sips:", 0) == 0 && u.size() > 5); }

DriverConfig parse_sip_driver(const json& v, const std::string& p, const EnvLookup& env) {
  only_keys(v, p, {"type", "listen", "customer_uri", "outbound_proxy", "username", "password_env", "agents", "max_calls",
                   "calls_per_s", "agent_answer_timeout_ms"});
  DriverConfig d;
  d.kind = DriverConfig::Kind::sip;
  auto& s = d.sip;
  s.listen = text(v, "listen", p, s.listen);
  host_port(s.listen, join(p, "listen"));
  require(v, "customer_uri", p);
  s.customer_uri = text(v, "customer_uri", p, "");
  if (!is_sip_uri(s.customer_uri) || s.customer_uri.find("{number}") == std::string::npos)
    bad(join(p, "customer_uri"), "expected a SIP URI template with {number}, e.g. \"sip:{number}@trunk.example:5060\"");
  s.outbound_proxy = text(v, "outbound_proxy", p, "");
  if (!s.outbound_proxy.empty() && !is_sip_uri(s.outbound_proxy)) bad(join(p, "outbound_proxy"), "expected a SIP URI");
  s.username = text(v, "username", p, "");
  if (v.contains("password_env")) {
    const std::string var = text(v, "password_env", p, "");
    auto value = env(var);
    if (!value) bad(join(p, "password_env"), "environment variable " + var + " is not set");
    s.password = *value;
  }
  for (const auto& [agent, uri] : object_at(v, "agents", p).items()) {
    const std::string ap = join(join(p, "agents"), agent);
    check_name(agent, ap);
    if (!uri.is_string() || !is_sip_uri(uri.get<std::string>())) bad(ap, "expected the SIP URI of the agent's phone");
    s.agents[agent] = uri.get<std::string>();
  }
  s.max_calls = static_cast<int>(integer(v, "max_calls", p, s.max_calls, 1, 100000));
  s.calls_per_s = number(v, "calls_per_s", p, s.calls_per_s, 0.1, 10000);
  s.agent_answer_timeout_ms = static_cast<int>(integer(v, "agent_answer_timeout_ms", p, s.agent_answer_timeout_ms, 100, 60000));
  return d;
}

DriverConfig parse_sim_driver(const json& v, const std::string& p) {
  only_keys(v, p, {"type", "agents", "network", "talk_s", "wrap_s", "seed", "ports"});
  DriverConfig d;
  auto& s = d.sim;
  s.agents = static_cast<int>(integer(v, "agents", p, s.agents, 0, 100000));
  if (v.contains("network")) s.network = cli::network(v.at("network"), join(p, "network"), s.network);
  try {
    sim::validate(s.network);
  } catch (const Error& e) {
    bad(join(p, "network"), e.what());
  }
  s.agent_model.talk = cli::distribution(v, "talk_s", p, s.agent_model.talk);
  s.agent_model.wrap = cli::distribution(v, "wrap_s", p, s.agent_model.wrap);
  s.seed = static_cast<std::uint64_t>(integer(v, "seed", p, 1, 0, 9'000'000'000'000'000LL));
  s.ports = static_cast<int>(integer(v, "ports", p, s.ports, 1, 100000));
  return d;
}

void parse_drivers(const json& j, ServeConfig& c, const EnvLookup& env) {
  for (const auto& [name, v] : object_at(j, "drivers", "").items()) {
    const std::string p = join("drivers", name);
    check_name(name, p);
    if (!v.is_object()) bad(p, "expected an object");
    require(v, "type", p);
    std::string type = text(v, "type", p, "");
    if (type == "sim") c.drivers[name] = parse_sim_driver(v, p);
    else if (type == "sip") c.drivers[name] = parse_sip_driver(v, p, env);
    else bad(join(p, "type"), "expected \"sim\" or \"sip\"");
  }
}

void parse_goal(const json& v, const std::string& p, CampaignConfig& cfg) {
  if (!v.contains("goal")) return;
  const std::string gp = join(p, "goal");
  const auto& g = v.at("goal");
  only_keys(g, gp, {"overdial_rate", "busy_factor", "wait_time_s", "distribution_time_s"});
  if (g.size() != 1) bad(gp, "name exactly one goal");
  const std::string key = g.begin().key();
  const std::string kp = join(gp, key);
  if (!g.at(key).is_number()) bad(kp, "expected a number");
  cfg.target = g.at(key).get<double>();
  if (key == "overdial_rate") cfg.goal = OptimizationGoal::overdial_rate;
  if (key == "busy_factor") cfg.goal = OptimizationGoal::busy_factor;
  if (key == "wait_time_s") cfg.goal = OptimizationGoal::wait_time;
  if (key == "distribution_time_s") cfg.goal = OptimizationGoal::distribution_time;
  bool rate = key == "overdial_rate" || key == "busy_factor";
  if (!(cfg.target >= 0) || (rate && cfg.target > 1) || cfg.target > 3600)
    bad(kp, std::string(rate ? "must lie in [0, 1]" : "must lie in [0, 3600] s") + ", not " + g.at(key).dump());
}

std::vector<CampaignList> parse_campaign_lists(const json& v, const std::string& p, const ServeConfig& c) {
  require(v, "lists", p);
  const std::string lp = join(p, "lists");
  const auto& arr = v.at("lists");
  if (!arr.is_array() || arr.empty()) bad(lp, "expected a non-empty array of list names");
  std::vector<CampaignList> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string ip = lp + "[" + std::to_string(i) + "]";
    CampaignList cl;
    if (arr[i].is_string()) {
      cl.list = arr[i].get<std::string>();
    } else {
      only_keys(arr[i], ip, {"list", "share"});
      require(arr[i], "list", ip);
      cl.list = text(arr[i], "list", ip, "");
      cl.share = number(arr[i], "share", ip, 1.0, 1e-6, 1e6);
    }
    if (!c.lists.count(cl.list)) bad(ip, "no list named \"" + cl.list + "\" in lists");
    out.push_back(cl);
  }
  return out;
}

// What the lists of one campaign must agree on: the customer id field and the zones.
void check_campaign_lists(const CampaignSettings& s, const ServeConfig& c, const std::string& p, CampaignConfig& cfg) {
  const ListConfig& first = c.lists.at(s.lists.front().list);
  std::map<int, std::string> zones;
  for (std::size_t i = 0; i < s.lists.size(); ++i) {
    const ListConfig& l = c.lists.at(s.lists[i].list);
    const std::string ip = join(p, "lists") + "[" + std::to_string(i) + "]";
    if (l.customer_id_field != first.customer_id_field) bad(ip, "the campaign's lists name different customer_id_fields");
    if (l.zone_column != first.zone_column) bad(ip, "the campaign's lists name different zone columns");
    for (const auto& [id, zone] : l.tz_map)
      if (!zones.emplace(id, zone).second && zones[id] != zone)
        bad(ip, "tz_dbid " + std::to_string(id) + " maps to two zones in the campaign's lists");
  }
  cfg.customer_id_field = first.customer_id_field;
}

void parse_campaign_treatments(const json& v, const std::string& p, const ServeConfig& c, CampaignConfig& cfg) {
  if (!v.contains("treatments")) return;
  const auto& t = v.at("treatments");
  const std::string tp = join(p, "treatments");
  if (t.is_string()) {
    auto it = c.treatments.find(t.get<std::string>());
    if (it == c.treatments.end()) bad(tp, "no treatment set named \"" + t.get<std::string>() + "\" in treatments");
    cfg.treatments = it->second;
  } else {
    cfg.treatments = cli::treatments(t, tp);
  }
}

void parse_campaign_call_log(const json& v, const std::string& p, const ServeConfig& c, CampaignSettings& s) {
  if (!v.contains("call_log")) return;
  const std::string lp = join(p, "call_log");
  const auto& l = v.at("call_log");
  only_keys(l, lp, {"database", "table"});
  s.call_log_database = database_ref(l, lp, c);
  s.call_log_connection = c.databases.at(s.call_log_database);
  s.call_log_table = identifier(l, "table", lp, "ob_call_log");
}

Duration seconds_at(const json& v, const char* key, const std::string& p, Duration fallback, double lo, double hi) {
  return from_seconds(number(v, key, p, to_seconds(fallback), lo, hi));
}

void parse_campaign_dialing(const json& v, const std::string& p, CampaignConfig& cfg) {
  std::string mode = text(v, "mode", p, "progressive");
  auto m = dial_mode_from_string(mode);
  if (!m || *m == DialMode::none) bad(join(p, "mode"), "unknown dialing mode \"" + mode + "\"");
  cfg.mode = *m;
  parse_goal(v, p, cfg);
  cfg.pacer = text(v, "pacer", p, cfg.pacer);
  cfg.ratio = number(v, "ratio", p, cfg.ratio, 0.1, 10);
  cfg.campaign_id = static_cast<int>(integer(v, "campaign_id", p, cfg.campaign_id, 0, 2'000'000'000));
  cfg.chunk_size = static_cast<std::size_t>(integer(v, "chunk_size", p, 100, 1, 100000));
  cfg.caller_id = text(v, "caller_id", p, "");
  cfg.voice_application = text(v, "voice_application", p, "");
  std::string amd = text(v, "amd", p, "detect_drop");
  if (amd == "none") cfg.amd = AmdMode::none;
  else if (amd == "detect_drop") cfg.amd = AmdMode::detect_drop;
  else if (amd == "detect_connect") cfg.amd = AmdMode::detect_connect;
  else bad(join(p, "amd"), "expected none, detect_drop or detect_connect");
  cfg.ring_timeout = seconds_at(v, "ring_timeout_s", p, cfg.ring_timeout, 15, 600);
  cfg.max_attempts = static_cast<int>(integer(v, "max_attempts", p, 0, 0, 1000));
  cfg.auto_complete = boolean(v, "auto_complete", p, false);
  cfg.wait_for_desktop = boolean(v, "wait_for_desktop", p, false);
  cfg.desktop_timeout = seconds_at(v, "desktop_timeout_s", p, cfg.desktop_timeout, 1, 86400);
  cfg.callback_wait = seconds_at(v, "callback_wait_s", p, cfg.callback_wait, 1, 86400);
  cfg.abandoned_redial_lockout = from_seconds(number(v, "abandoned_redial_lockout_h", p, 0, 0, 24 * 366) * 3600.0);
  cfg.contact_limits = cli::contact_limits(v, p);
  cfg.no_call_days = cli::no_call_days(v, p);
  if (v.contains("abandon_cap")) {
    const std::string ap = join(p, "abandon_cap");
    const auto& a = v.at("abandon_cap");
    only_keys(a, ap, {"rate", "window_h", "amd_false_positive"});
    cfg.abandon_cap.rate = number(a, "rate", ap, cfg.abandon_cap.rate, 0, 1);
    cfg.abandon_cap.window = from_seconds(number(a, "window_h", ap, 720, 0.01, 24 * 366) * 3600.0);
    cfg.abandon_cap.amd_false_positive = number(a, "amd_false_positive", ap, 0, 0, 1);
  }
}

// The campaign's call audio ("audio": docs/campaigns.md, "Call audio"); times in seconds, 0 or
// absent: the driver's own. Checked as the campaign checks it (ranges, the WAV files).
void parse_campaign_audio(const json& v, const std::string& p, CampaignConfig& cfg) {
  if (!v.contains("audio")) return;
  const std::string ap = join(p, "audio");
  const auto& a = v.at("audio");
  only_keys(a, ap, {"amd_initial_silence_s", "amd_max_greeting_s", "amd_after_greeting_silence_s", "amd_max_words",
                    "amd_max_decision_s", "amd_max_message_wait_s", "abandon_message", "machine_message", "opt_out_digit"});
  auto& au = cfg.audio;
  au.amd_initial_silence = seconds_at(a, "amd_initial_silence_s", ap, Duration{0}, 0, 30);
  au.amd_max_greeting = seconds_at(a, "amd_max_greeting_s", ap, Duration{0}, 0, 30);
  au.amd_after_greeting_silence = seconds_at(a, "amd_after_greeting_silence_s", ap, Duration{0}, 0, 10);
  au.amd_max_words = static_cast<int>(integer(a, "amd_max_words", ap, 0, 0, 100));
  au.amd_max_decision = seconds_at(a, "amd_max_decision_s", ap, Duration{0}, 0, 60);
  au.amd_max_message_wait = seconds_at(a, "amd_max_message_wait_s", ap, Duration{0}, 0, 120);
  au.abandon_message = text(a, "abandon_message", ap, "");
  au.machine_message = text(a, "machine_message", ap, "");
  const std::string digit = text(a, "opt_out_digit", ap, "");
  if (digit.size() > 1) bad(join(ap, "opt_out_digit"), "expected one key: 0-9, * or #");
  au.opt_out_digit = digit.empty() ? 0 : digit[0];
  try {
    validate(au, ap);
  } catch (const Error& e) {
    bad(ap, e.what());
  }
}

void parse_campaigns(const json& j, ServeConfig& c) {
  for (const auto& [name, v] : object_at(j, "campaigns", "").items()) {
    const std::string p = join("campaigns", name);
    check_name(name, p);
    only_keys(v, p, {"lists", "driver", "dnc", "treatments", "mode", "goal", "pacer", "ratio", "campaign_id", "chunk_size",
                     "window", "caller_id", "voice_application", "amd", "ring_timeout_s", "abandon_cap", "max_attempts",
                     "abandoned_redial_lockout_h", "auto_complete", "wait_for_desktop", "desktop_timeout_s",
                     "callback_wait_s", "call_log", "autostart", "audio", "contact_limits",
                     "no_call_days"});
    CampaignSettings s;
    s.config.name = name;
    s.lists = parse_campaign_lists(v, p, c);
    require(v, "driver", p);
    s.driver = text(v, "driver", p, "");
    if (!c.drivers.count(s.driver)) bad(join(p, "driver"), "no driver named \"" + s.driver + "\" in drivers");
    s.dnc = text(v, "dnc", p, "");
    if (!s.dnc.empty() && !c.dnc.count(s.dnc)) bad(join(p, "dnc"), "no DNC table named \"" + s.dnc + "\" in dnc");
    parse_campaign_dialing(v, p, s.config);
    parse_campaign_audio(v, p, s.config);
    parse_campaign_treatments(v, p, c, s.config);
    check_campaign_lists(s, c, p, s.config);
    if (v.contains("window")) {
      const std::string wp = join(p, "window");
      only_keys(v.at("window"), wp, {"from", "till"});
      s.window = DailyWindow{clock_time(v.at("window"), "from", wp, 8 * 3600), clock_time(v.at("window"), "till", wp, 21 * 3600)};
    }
    parse_campaign_call_log(v, p, c, s);
    s.autostart = boolean(v, "autostart", p, false);
    const DriverConfig& d = c.drivers.at(s.driver);
    if (d.kind == DriverConfig::Kind::sim && !is_autonomous(s.config.mode) && d.sim.agents > 0)
      bad(join(p, "mode"), "simulated agents cannot answer previews: give driver \"" + s.driver +
                               "\" 0 agents and log agents in through the API");
    if (d.kind == DriverConfig::Kind::sim && is_gvp(s.config.mode)) s.config.ports = d.sim.ports;
    c.campaigns[name] = std::move(s);
  }
}

void parse_clock(const json& j, ServeConfig& c) {
  if (!j.contains("clock")) return;
  const auto& v = j.at("clock");
  if (v.is_string()) {
    if (v.get<std::string>() != "real") bad("clock", "expected \"real\" or {\"speed\": N}");
    return;
  }
  only_keys(v, "clock", {"speed", "start_utc", "run_h"});
  c.clock.simulated = true;
  c.clock.speed = number(v, "speed", "clock", 1, 0.01, 100000);
  if (v.contains("start_utc")) c.clock.start = cli::parse_utc_text(text(v, "start_utc", "clock", ""), "clock.start_utc");
  if (v.contains("run_h")) c.clock.run_h = number(v, "run_h", "clock", 8, 0.001, 24 * 366);
}

void parse_http(const json& j, ServeConfig& c, const EnvLookup& env) {
  const json& v = object_at(j, "http", "");
  only_keys(v, "http", {"listen", "token", "token_env", "max_body_bytes", "rate_limit", "max_connections", "engine_timeout_s"});
  auto& h = c.http;
  std::tie(h.address, h.port) = host_port(text(v, "listen", "http", "127.0.0.1:8080"), "http.listen");
  if (v.contains("token") && v.contains("token_env")) bad("http", "give token or token_env, not both");
  const std::string var = text(v, "token_env", "http", "OUTBOUND_TOKEN");
  if (v.contains("token")) h.token = text(v, "token", "http", "");
  else if (auto value = env(var)) h.token = *value;
  else if (v.contains("token_env")) bad("http.token_env", "environment variable " + var + " is not set");
  if (h.token.empty() && (v.contains("token") || v.contains("token_env"))) bad(v.contains("token") ? "http.token" : "http.token_env", "the token is empty");
  if (!h.token.empty() && h.token.size() < 16) bad(v.contains("token") ? "http.token" : "http.token_env", "a token needs at least 16 characters");
  h.token_configured = !h.token.empty();
  if (!is_loopback(h.address) && !h.token_configured)
    bad("http.listen", h.address + " is reachable beyond this machine: set http.token or http.token_env first");
  h.max_body_bytes = static_cast<std::size_t>(integer(v, "max_body_bytes", "http", 65536, 256, 64 * 1024 * 1024));
  if (v.contains("rate_limit")) {
    const auto& r = v.at("rate_limit");
    only_keys(r, "http.rate_limit", {"per_s", "burst"});
    h.rate_per_s = number(r, "per_s", "http.rate_limit", h.rate_per_s, 0.1, 1e6);
    h.burst = number(r, "burst", "http.rate_limit", std::max(h.burst, h.rate_per_s), 1, 1e7);
  }
  h.max_connections = static_cast<int>(integer(v, "max_connections", "http", h.max_connections, 1, 10000));
  h.engine_timeout_s = number(v, "engine_timeout_s", "http", h.engine_timeout_s, 0.05, 600);
}

// A SIP driver places real calls: wall time, an agent mode, and one campaign
// (the driver takes one address and reports to one campaign).
void check_sip_campaigns(const ServeConfig& c) {
  std::map<std::string, std::string> taken;  // driver -> campaign
  for (const auto& [name, s] : c.campaigns) {
    if (c.drivers.at(s.driver).kind != DriverConfig::Kind::sip) continue;
    const std::string p = join("campaigns", name);
    if (c.clock.simulated)
      bad(join(p, "driver"), "driver \"" + s.driver + "\" places real SIP calls: it needs \"clock\": \"real\"");
    const DialMode m = s.config.mode;
    if (!is_autonomous(m) || is_gvp(m) || is_seizing(m))
      bad(join(p, "mode"), "mode " + std::string(to_string(m)) + " cannot run over SIP (progressive, predictive or power)");
    if (auto [it, fresh] = taken.emplace(s.driver, name); !fresh)
      bad(join(p, "driver"), "SIP driver \"" + s.driver + "\" already serves campaign " + it->second +
                                 ": give each campaign a SIP driver of its own (its own listen address)");
  }
}

ServeConfig parse(const json& j, const EnvLookup& env) {
  only_keys(j, "", {"engine_id", "site_timezone", "databases", "lists", "dnc", "treatments", "drivers", "campaigns", "clock", "http"});
  ServeConfig c;
  c.engine_id = text(j, "engine_id", "", c.engine_id);
  if (c.engine_id.empty() || c.engine_id.size() > 64) bad("engine_id", "expected 1 to 64 characters");
  c.site_timezone = text(j, "site_timezone", "", c.site_timezone);
  if (!ZoneMap::is_known_zone(c.site_timezone)) bad("site_timezone", "expected a zone of the tz database");
  c.databases = parse_databases(j, env);
  parse_lists(j, c);
  parse_dnc(j, c);
  for (const auto& [name, v] : object_at(j, "treatments", "").items()) {
    check_name(name, join("treatments", name));
    c.treatments[name] = cli::treatments(v, join("treatments", name));
  }
  parse_drivers(j, c, env);
  parse_campaigns(j, c);
  parse_clock(j, c);
  check_sip_campaigns(c);
  parse_http(j, c, env);
  return c;
}

}  // namespace

void override_listen(ServeConfig& c, const std::string& listen) {
  try {
    std::tie(c.http.address, c.http.port) = host_port(listen, "--listen");
    if (!is_loopback(c.http.address) && !c.http.token_configured)
      bad("--listen", c.http.address + " is reachable beyond this machine: set http.token or http.token_env first");
  } catch (const cli::JsonPathError& e) {
    throw Error(ErrorCode::invalid_argument, e.path() + ": " + e.what());
  }
}

bool is_loopback(const std::string& address) {
  return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

ServeConfig parse_config(const std::string& json_text, const EnvLookup& env) {
  try {
    return parse(cli::parse_json_text(json_text), env);
  } catch (const cli::JsonPathError& e) {
    throw Error(ErrorCode::invalid_argument, "config key \"" + e.path() + "\": " + e.what());
  }
}

ServeConfig load_config(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error(ErrorCode::not_found, "cannot read config " + path);
  std::stringstream text;
  text << f.rdbuf();
  return parse_config(text.str(), [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  });
}

CallingWindows windows_of(const ServeConfig& c, const CampaignSettings& s, const std::vector<std::string>& zone_column_keys) {
  const ListConfig& first = c.lists.at(s.lists.front().list);
  bool zoned = !first.zone_column.empty();
  ZoneMap zones;
  for (const auto& cl : s.lists)
    for (const auto& [id, zone] : c.lists.at(cl.list).tz_map) {
      zones.add(id, zone);
      zoned = true;
    }
  if (!zoned) return {};
  for (const auto& key : zone_column_keys)
    if (ZoneMap::is_known_zone(key)) zones.add(key, key);
  return CallingWindows(zones, s.window.value_or(DailyWindow{8 * 3600, 21 * 3600}), first.zone_column);
}

}  // namespace outbound::serve
