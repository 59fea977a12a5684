// Strict JSON reading: the checks behind scenarios, the serve config and the
// API's request bodies. Each error is a JsonPathError naming the value's path.
#include "json_reader.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "outbound/error.hpp"

namespace outbound::cli {

using nlohmann::json;

void bad(const std::string& path, const std::string& what) { throw JsonPathError(path, what); }

namespace {
// A number as a reader wrote it: 0.5, 3600, 1e+06 (std::to_string would print 0.500000).
std::string shown(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}
}  // namespace

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

void only_keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) {
  if (!obj.is_object()) bad(path, "expected an object");
  for (const auto& [key, value] : obj.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) bad(join(path, key), "unknown key");
  }
}

void require(const json& obj, const char* key, const std::string& path) {
  if (!obj.contains(key)) bad(join(path, key), "required");
}

double number(const json& obj, const char* key, const std::string& path, double fallback, double lo, double hi) {
  if (!obj.contains(key)) return fallback;
  const auto& v = obj.at(key);
  std::string p = join(path, key);
  if (!v.is_number()) bad(p, "expected a number");
  double d = v.get<double>();
  if (!(d >= lo && d <= hi)) bad(p, "must lie in [" + shown(lo) + ", " + shown(hi) + "], not " + shown(d));
  return d;
}

long long integer(const json& obj, const char* key, const std::string& path, long long fallback, long long lo, long long hi) {
  if (!obj.contains(key)) return fallback;
  const auto& v = obj.at(key);
  std::string p = join(path, key);
  if (!v.is_number()) bad(p, "expected a whole number");
  double d = v.get<double>();
  if (d != std::floor(d)) bad(p, "expected a whole number");
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)))
    bad(p, "must lie in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], not " + shown(d));
  return static_cast<long long>(d);
}

std::string text(const json& obj, const char* key, const std::string& path, const std::string& fallback) {
  if (!obj.contains(key)) return fallback;
  if (!obj.at(key).is_string()) bad(join(path, key), "expected a string");
  return obj.at(key).get<std::string>();
}

bool boolean(const json& obj, const char* key, const std::string& path, bool fallback) {
  if (!obj.contains(key)) return fallback;
  if (!obj.at(key).is_boolean()) bad(join(path, key), "expected true or false");
  return obj.at(key).get<bool>();
}

namespace {

const char* kind_name(sim::Distribution::Kind k) {
  switch (k) {
    case sim::Distribution::Kind::constant: return "constant";
    case sim::Distribution::Kind::exponential: return "exponential";
    case sim::Distribution::Kind::lognormal: return "lognormal";
    case sim::Distribution::Kind::uniform: return "uniform";
  }
  return "lognormal";
}

CallResult call_result_at(const json& t, const std::string& path) {
  require(t, "result", path);
  const auto& v = t.at("result");
  const std::string p = join(path, "result");
  if (v.is_number_integer() && is_valid_call_result(v.get<int>())) return static_cast<CallResult>(v.get<int>());
  if (v.is_string())
    if (auto r = call_result_from_string(v.get<std::string>())) return *r;
  bad(p, "expected a call result name (\"busy\") or code (0..53)");
}

CallAction call_action_at(const json& t, const std::string& path) {
  std::string name = text(t, "call_action", path, "none");
  for (CallAction a : {CallAction::none, CallAction::connect, CallAction::transfer, CallAction::drop})
    if (to_string(a) == name) return a;
  bad(join(path, "call_action"), "expected none, connect, transfer or drop");
}

Treatment treatment_at(const json& t, const std::string& path, int index) {
  only_keys(t, path, {"id", "name", "result", "action", "sequence", "cycle_attempts", "interval_min", "increment_min",
                      "date_utc", "group_id", "call_action", "destination"});
  Treatment r;
  r.id = static_cast<int>(integer(t, "id", path, index + 1, 1, 1'000'000'000));
  r.name = text(t, "name", path, "");
  r.call_result = call_result_at(t, path);
  require(t, "action", path);
  std::string action = text(t, "action", path, "");
  auto a = record_action_from_string(action);
  if (!a) bad(join(path, "action"), "unknown record action \"" + action + "\"");
  r.action = *a;
  r.sequence = static_cast<int>(integer(t, "sequence", path, 1, 1, 1000));
  r.cycle_attempts = static_cast<int>(integer(t, "cycle_attempts", path, 1, 1, 1000));
  r.interval = std::chrono::milliseconds(static_cast<long long>(number(t, "interval_min", path, 0, 0, 366 * 24 * 60) * 60000));
  r.increment = std::chrono::milliseconds(static_cast<long long>(number(t, "increment_min", path, 0, 0, 366 * 24 * 60) * 60000));
  if (t.contains("date_utc")) r.date_time = parse_utc_text(text(t, "date_utc", path, ""), join(path, "date_utc"));
  r.group_id = static_cast<int>(integer(t, "group_id", path, 0, 0, 2'000'000'000));
  r.call_action = call_action_at(t, path);
  r.destination = text(t, "destination", path, "");
  return r;
}

}  // namespace

sim::Distribution distribution(const json& obj, const char* key, const std::string& path, sim::Distribution fallback) {
  if (!obj.contains(key)) return fallback;
  std::string p = join(path, key);
  const auto& d = obj.at(key);
  only_keys(d, p, {"dist", "mean", "sd"});
  std::string kind = text(d, "dist", p, kind_name(fallback.kind));
  double mean = number(d, "mean", p, fallback.mean, 0.0, 1e7);
  double sd = number(d, "sd", p, fallback.sd, 0.0, 1e7);
  try {
    return sim::make_distribution(kind, mean, sd);
  } catch (const Error& e) {
    bad(p, e.what());
  }
}

sim::NetworkModel network(const json& obj, const std::string& path, sim::NetworkModel m) {
  only_keys(obj, path, {"live_answer", "busy", "no_answer", "machine", "sit", "fax", "silence", "ring_s",
                        "no_answer_timeout_s", "patience_s", "amd_false_positive"});
  m.live_answer = number(obj, "live_answer", path, m.live_answer, 0, 1);
  m.busy = number(obj, "busy", path, m.busy, 0, 1);
  m.no_answer = number(obj, "no_answer", path, m.no_answer, 0, 1);
  m.machine = number(obj, "machine", path, m.machine, 0, 1);
  m.sit = number(obj, "sit", path, m.sit, 0, 1);
  m.fax = number(obj, "fax", path, m.fax, 0, 1);
  m.silence = number(obj, "silence", path, m.silence, 0, 1);
  m.ring = distribution(obj, "ring_s", path, m.ring);
  m.no_answer_timeout_s = number(obj, "no_answer_timeout_s", path, m.no_answer_timeout_s, 15, 600);
  m.patience_s = number(obj, "patience_s", path, m.patience_s, 0, 600);
  m.amd_false_positive = number(obj, "amd_false_positive", path, m.amd_false_positive, 0, 1);
  return m;
}

std::vector<ContactLimit> contact_limits(const json& obj, const std::string& path) {
  std::vector<ContactLimit> out;
  if (!obj.contains("contact_limits")) return out;
  const std::string lp = join(path, "contact_limits");
  const auto& limits = obj.at("contact_limits");
  if (!limits.is_array()) bad(lp, "expected a list of {\"max_calls\": N, \"window_h\": H}");
  for (std::size_t i = 0; i < limits.size(); ++i) {
    const std::string p = lp + "[" + std::to_string(i) + "]";
    only_keys(limits[i], p, {"max_calls", "window_h"});
    ContactLimit limit;
    limit.max_calls = static_cast<int>(number(limits[i], "max_calls", p, limit.max_calls, 1, 1000000));
    limit.window = from_seconds(number(limits[i], "window_h", p, 24, 0.001, 24 * 366) * 3600.0);
    out.push_back(limit);
  }
  return out;
}

std::vector<std::string> no_call_days(const json& obj, const std::string& path) {
  std::vector<std::string> out;
  if (!obj.contains("no_call_days")) return out;
  const std::string np = join(path, "no_call_days");
  const auto& days = obj.at("no_call_days");
  if (!days.is_array()) bad(np, "expected a list of \"YYYY-MM-DD\", \"sun\"..\"sat\" or \"Zone/Name:YYYY-MM-DD\"");
  for (std::size_t i = 0; i < days.size(); ++i) {
    if (!days[i].is_string()) bad(np + "[" + std::to_string(i) + "]", "expected a string such as \"2026-12-25\" or \"sun\"");
    out.push_back(days[i].get<std::string>());
  }
  return out;
}

TreatmentSet treatments(const json& arr, const std::string& path) {
  if (!arr.is_array()) bad(path, "expected an array of treatments");
  std::vector<Treatment> rules;
  for (std::size_t i = 0; i < arr.size(); ++i)
    rules.push_back(treatment_at(arr[i], path + "[" + std::to_string(i) + "]", static_cast<int>(i)));
  try {
    return TreatmentSet(std::move(rules));
  } catch (const Error& e) {
    bad(path, e.what());
  }
}

EpochSeconds parse_utc_text(const std::string& iso, const std::string& path) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char z = 0;
  std::chrono::year_month_day ymd{};
  bool ok = iso.size() == 20 && std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) == 7 &&
            z == 'Z' && h < 24 && mi < 60 && se < 60 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
  if (ok) ymd = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(mo)} / std::chrono::day{static_cast<unsigned>(d)};
  if (!ok || !ymd.ok()) bad(path, "\"" + iso + "\" is not YYYY-MM-DDTHH:MM:SSZ");
  auto t = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{se};
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json parse_json_text(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {  // syntax errors, and numbers out of range
    throw JsonPathError("", std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace outbound::cli
