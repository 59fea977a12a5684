// The API's routes: campaign control, records, DNC, agents and desktop
// requests, statistics, event streams, /metrics and the page. Reads and
// writes of the engine are EngineWork run on its thread; bodies and query
// parameters are checked here first.
#include "api.hpp"

#include <nlohmann/json.hpp>

#include "../json_reader.hpp"
#include "api_detail.hpp"
#include "outbound/error.hpp"
#include "time_text.hpp"

namespace outbound::serve {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using Params = std::vector<std::string>;

/// A body that is not JSON at all.
struct MalformedJson : std::runtime_error {
  using std::runtime_error::runtime_error;
};

HttpResponse json_response(const ordered_json& j, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = j.dump();
  return r;
}

json body_object(const HttpRequest& rq, std::initializer_list<const char*> allowed) {
  json j;
  if (rq.body.empty()) {
    j = json::object();
  } else {
    try {
      j = json::parse(rq.body);
    } catch (const json::exception& e) {
      throw MalformedJson(std::string("the body is not valid JSON: ") + e.what());
    }
  }
  cli::only_keys(j, "", allowed);
  return j;
}

std::string required_text(const json& j, const char* key) {
  cli::require(j, key, "");
  std::string v = cli::text(j, key, "", "");
  if (v.empty()) cli::bad(key, "must not be empty");
  return v;
}

CallResult result_of(const json& j, const char* key) {
  const auto& v = j.at(key);
  if (v.is_number_integer() && is_valid_call_result(v.get<int>())) return static_cast<CallResult>(v.get<int>());
  if (v.is_string())
    if (auto r = call_result_from_string(v.get<std::string>())) return *r;
  cli::bad(key, "expected a call result name (\"ok\") or code (0..53)");
}

std::int64_t handle_of(const std::string& text) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || v <= 0) throw Error(ErrorCode::invalid_argument, "a record handle is a positive integer, not \"" + text + "\"");
  return v;
}

// Agent ids in paths: what agent logins and SIP users look like.
void check_agent_id(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 64;
  for (char c : id) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@');
  if (!ok)
    throw Error(ErrorCode::invalid_argument, "agent id \"" + id + "\" is not 1 to 64 letters, digits, '_', '-', '.' or '@'");
}

Record record_from(const json& j) {
  cli::only_keys(j, "", {"record_id", "contact_info", "contact_info_type", "chain_id", "chain_n", "tz_dbid", "daily_from",
                         "daily_till", "dial_sched_utc", "custom"});
  Record r;
  cli::require(j, "record_id", "");
  r.record_id = cli::integer(j, "record_id", "", 0, 1, 9'000'000'000'000'000LL);
  r.contact_info = required_text(j, "contact_info");
  if (r.contact_info.size() > 128) cli::bad("contact_info", "at most 128 characters");
  int type = static_cast<int>(cli::integer(j, "contact_info_type", "", 1, 0, 11));
  r.contact_info_type = static_cast<ContactInfoType>(type);
  r.chain_id = static_cast<int>(cli::integer(j, "chain_id", "", 0, 0, 2'000'000'000));
  r.chain_n = static_cast<int>(cli::integer(j, "chain_n", "", 1, 0, 1000));
  r.tz_dbid = static_cast<int>(cli::integer(j, "tz_dbid", "", 0, 0, 2'000'000'000));
  r.daily_from = static_cast<int>(cli::integer(j, "daily_from", "", 0, 0, 86400));
  r.daily_till = static_cast<int>(cli::integer(j, "daily_till", "", 86400, 0, 86400));
  if (j.contains("dial_sched_utc")) r.dial_sched_time = cli::parse_utc_text(cli::text(j, "dial_sched_utc", "", ""), "dial_sched_utc");
  if (j.contains("custom")) {
    if (!j.at("custom").is_object()) cli::bad("custom", "expected an object of column: text");
    for (const auto& [k, v] : j.at("custom").items()) {
      if (!v.is_string()) cli::bad("custom." + k, "expected text");
      r.custom[k] = v.get<std::string>();
    }
  }
  return r;
}

ordered_json state_json(CampaignRuntime& rt) {
  return {{"campaign", rt.name}, {"state", std::string(to_string(rt.campaign->state()))},
          {"mode", std::string(to_string(rt.campaign->config().mode))}};
}

CampaignRuntime& agents_campaign(Dialer& d, const std::string& name) {
  CampaignRuntime& rt = d.campaign(name);
  if (!rt.agents_from_api)
    throw Error(ErrorCode::invalid_state, "the agents of campaign " + name + " are reported by its driver (" + rt.driver_name +
                                              "); the API cannot log them in or out");
  return rt;
}

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/campaigns/{}/load": {} captures one segment
  std::function<Routed(Dialer&, const Params&, const HttpRequest&)> handle;
  std::set<std::string> query = {};  // the query parameters it takes; any other is an error
};

/// A path no route serves.
struct UnknownRoute : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --- campaigns ------------------------------------------------------------------

template <void (Campaign::*Action)()>
Routed control(Dialer& d, const Params& p, const HttpRequest& rq) {
  body_object(rq, {});
  return EngineWork([&d, name = p[0]] {
    CampaignRuntime& rt = d.campaign(name);
    (rt.campaign->*Action)();
    return json_response(state_json(rt));
  });
}

Routed set_mode(Dialer& d, const Params& p, const HttpRequest& rq) {
  json j = body_object(rq, {"mode", "goal"});
  std::string name = required_text(j, "mode");
  auto mode = dial_mode_from_string(name);
  if (!mode || *mode == DialMode::none) cli::bad("mode", "unknown dialing mode \"" + name + "\"");
  OptimizationGoal goal = OptimizationGoal::none;
  double target = 0;
  if (j.contains("goal")) {
    const auto& g = j.at("goal");
    cli::only_keys(g, "goal", {"overdial_rate", "busy_factor", "wait_time_s", "distribution_time_s"});
    if (g.size() != 1) cli::bad("goal", "name exactly one goal");
    const std::string key = g.begin().key();
    target = cli::number(g, key.c_str(), "goal", 0, 0, key == "overdial_rate" || key == "busy_factor" ? 1 : 3600);
    goal = key == "overdial_rate"  ? OptimizationGoal::overdial_rate
           : key == "busy_factor"  ? OptimizationGoal::busy_factor
           : key == "wait_time_s"  ? OptimizationGoal::wait_time
                                   : OptimizationGoal::distribution_time;
  }
  return EngineWork([&d, c = p[0], m = *mode, goal, target] {
    CampaignRuntime& rt = d.campaign(c);
    const CampaignConfig& now = rt.campaign->config();
    rt.campaign->set_mode(m, goal == OptimizationGoal::none ? now.goal : goal, goal == OptimizationGoal::none ? now.target : target);
    return json_response(state_json(rt));
  });
}

// --- records -------------------------------------------------------------------

Routed add_record(Dialer& d, const Params& p, const HttpRequest& rq) {
  json j = body_object(rq, {"record_id", "contact_info", "contact_info_type", "chain_id", "chain_n", "tz_dbid", "daily_from",
                            "daily_till", "dial_sched_utc", "custom"});
  Record r = record_from(j);
  return EngineWork([&d, c = p[0], r] {
    CampaignRuntime& rt = d.campaign(c);
    const auto& fields = rt.lists.front()->custom_fields();
    for (const auto& [k, v] : r.custom)
      if (std::find(fields.begin(), fields.end(), k) == fields.end())
        cli::bad("custom." + k, "not a custom field of list " + rt.list_names.front());
    std::int64_t id = rt.campaign->add_record({}, r);
    return json_response({{"record_id", id}, {"list", rt.list_names.front()}}, 201);
  });
}

Routed cancel_records(Dialer& d, const Params& p, const HttpRequest& rq) {
  json j = body_object(rq, {"phone", "customer_id"});
  CancelRequest c;
  c.phone = cli::text(j, "phone", "", "");
  c.customer_id = cli::text(j, "customer_id", "", "");
  if (c.phone.empty() == c.customer_id.empty()) cli::bad("phone", "give either phone or customer_id");
  if (c.phone.size() > 64) cli::bad("phone", "at most 64 characters");
  return EngineWork([&d, name = p[0], c] {
    CancelOutcome out;
    try {
      out = d.campaign(name).campaign->cancel_records(c);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::invalid_argument) cli::bad(c.phone.empty() ? "customer_id" : "phone", e.what());
      throw;
    }
    return json_response({{"cancelled", out.cancelled}, {"in_progress", out.in_progress}});
  });
}

// --- DNC ------------------------------------------------------------------------

Routed dnc_add(Dialer& d, const Params& p, const HttpRequest& rq) {
  json j = body_object(rq, {"phone", "customer_id", "message"});
  std::string phone = cli::text(j, "phone", "", ""), customer = cli::text(j, "customer_id", "", "");
  std::string message = cli::text(j, "message", "", "");
  if (phone.empty() == customer.empty()) cli::bad("phone", "give either phone or customer_id");
  if (phone.size() > 64) cli::bad("phone", "at most 64 characters");
  if (customer.size() > 128) cli::bad("customer_id", "at most 128 characters");
  return EngineWork([&d, list = p[0], phone, customer, message] {
    auto dnc = d.dnc(list);
    ordered_json out = {{"dnc", list}};
    if (!phone.empty()) {
      try {
        out["e164"] = dnc->normalizer().to_e164(phone);
      } catch (const Error& e) {
        cli::bad("phone", e.what());
      }
      dnc->add_phone(phone, message);
      out["phone"] = phone;
    } else {
      dnc->add_customer(customer, message);
      out["customer_id"] = customer;
    }
    return json_response(out, 201);
  });
}

Routed dnc_check(Dialer& d, const Params& p, const HttpRequest& rq) {
  auto phone = rq.query.count("phone") ? rq.query.at("phone") : std::string();
  auto customer = rq.query.count("customer_id") ? rq.query.at("customer_id") : std::string();
  if (phone.empty() && customer.empty()) cli::bad("phone", "give phone or customer_id as a query parameter");
  if (phone.size() > 64) cli::bad("phone", "at most 64 characters");
  return EngineWork([&d, list = p[0], phone, customer] {
    auto dnc = d.dnc(list);
    ordered_json out = {{"dnc", list}};
    std::optional<std::uint64_t> key;
    if (!phone.empty()) {
      std::string why;
      key = dnc->normalizer().key(phone, &why);
      if (!key) cli::bad("phone", why);
      out["e164"] = dnc->normalizer().to_e164(phone);
    }
    DncMatch m = dnc->check(key, customer);
    out["listed"] = m != DncMatch::none;
    out["match"] = m == DncMatch::phone ? "phone" : m == DncMatch::customer_id ? "customer_id" : "none";
    return json_response(out);
  });
}

Routed dnc_remove(Dialer&, const Params& p, const HttpRequest&) {
  return Api::error(501, "unsupported",
                    "removing entries from DNC table " + p[0] + " is not supported by this build's DNC lists");
}

// --- agents and desktops ------------------------------------------------------------

Routed preview(Dialer& d, const Params& p, const HttpRequest& rq) {
  body_object(rq, {});
  check_agent_id(p[1]);
  return EngineWork([&d, c = p[0], agent = p[1]] {
    CampaignRuntime& rt = agents_campaign(d, c);
    auto r = rt.campaign->preview_record_request(agent);
    return json_response({{"record", r ? detail::desktop_json(*r) : ordered_json(nullptr)}});
  });
}

Routed agent_state(Dialer& d, const Params& p, const HttpRequest& rq) {
  body_object(rq, {});
  check_agent_id(p[1]);
  static const std::map<std::string, AgentState> kStates = {
      {"login", AgentState::not_ready}, {"ready", AgentState::ready}, {"not_ready", AgentState::not_ready}, {"logout", AgentState::logged_out}};
  if (p[2] == "preview") return preview(d, p, rq);
  auto it = kStates.find(p[2]);
  if (it == kStates.end()) throw UnknownRoute("no agent request \"" + p[2] + "\" (login, ready, not_ready, logout, preview)");
  AgentState state = it->second;
  return EngineWork([&d, c = p[0], agent = p[1], state, verb = p[2]] {
    CampaignRuntime& rt = agents_campaign(d, c);
    const Agent* a = rt.campaign->agents().find(agent);
    bool logged_in = a && a->state != AgentState::logged_out;
    if (verb != "login" && !logged_in) throw Error(ErrorCode::invalid_state, "agent " + agent + " is not logged in to " + c);
    if (state == AgentState::logged_out) rt.campaign->logout(agent);
    rt.campaign->set_agent_state(agent, state);
    return json_response({{"campaign", c}, {"agent_id", agent}, {"state", std::string(to_string(state))}});
  });
}

Routed desktop_records(Dialer& d, const Params& p, const HttpRequest&) {
  check_agent_id(p[1]);
  return EngineWork([&d, c = p[0], agent = p[1]] {
    auto out = ordered_json::array();
    for (const auto& r : d.campaign(c).campaign->desktop_records(agent)) out.push_back(detail::desktop_json(r));
    return json_response({{"records", out}});
  });
}

Routed desktop_request(Dialer& d, const Params& p, const HttpRequest& rq) {
  check_agent_id(p[1]);
  const std::int64_t handle = handle_of(p[2]);
  const std::string verb = p[3];
  static const std::set<std::string> kVerbs = {"processed", "reschedule", "reject", "cancel", "dnc", "chained"};
  if (!kVerbs.count(verb))
    throw UnknownRoute("no desktop request \"" + verb + "\" (processed, reschedule, reject, cancel, dnc, chained)");
  json j;
  std::function<ordered_json(Campaign&, const std::string&)> act;
  if (verb == "processed") {
    j = body_object(rq, {"result"});
    std::optional<CallResult> result;
    if (j.contains("result")) result = result_of(j, "result");
    act = [handle, result](Campaign& c, const std::string& a) { c.record_processed(a, handle, result); return ordered_json::object(); };
  } else if (verb == "reschedule") {
    j = body_object(rq, {"at_utc", "callback"});
    cli::require(j, "at_utc", "");
    EpochSeconds at = cli::parse_utc_text(cli::text(j, "at_utc", "", ""), "at_utc");
    std::string kind = cli::text(j, "callback", "", "campaign");
    if (kind != "personal" && kind != "campaign") cli::bad("callback", "expected personal or campaign");
    CallbackKind k = kind == "personal" ? CallbackKind::personal : CallbackKind::campaign;
    act = [handle, at, k](Campaign& c, const std::string& a) { c.record_reschedule(a, handle, at, k); return ordered_json::object(); };
  } else if (verb == "reject" || verb == "cancel") {
    body_object(rq, {});
    bool reject = verb == "reject";
    act = [handle, reject](Campaign& c, const std::string& a) {
      reject ? c.record_reject(a, handle) : c.record_cancel(a, handle);
      return ordered_json::object();
    };
  } else if (verb == "dnc") {
    j = body_object(rq, {"scope", "message"});
    std::string scope = cli::text(j, "scope", "", "record");
    if (scope != "record" && scope != "chain") cli::bad("scope", "expected record or chain");
    DncScope s = scope == "chain" ? DncScope::chain : DncScope::record;
    std::string message = cli::text(j, "message", "", "");
    act = [handle, s, message](Campaign& c, const std::string& a) { c.do_not_call(a, handle, s, message); return ordered_json::object(); };
  } else {  // chained
    body_object(rq, {});
    act = [handle](Campaign& c, const std::string& a) {
      auto r = c.chained_record_request(a, handle);
      return ordered_json{{"record", r ? detail::desktop_json(*r) : ordered_json(nullptr)}};
    };
  }
  return EngineWork([&d, c = p[0], agent = p[1], handle, verb, act] {
    ordered_json out = act(*d.campaign(c).campaign, agent);
    out["handle"] = handle;
    out["done"] = verb;
    return json_response(out);
  });
}

// --- views ---

Routed events_stream(Dialer&, const Params&, const HttpRequest& rq) {
  EventStream s;
  if (rq.query.count("campaign")) s.campaign = rq.query.at("campaign");
  if (rq.query.count("kinds")) {
    const std::string& k = rq.query.at("kinds");
    for (std::size_t at = 0; at <= k.size();) {
      std::size_t end = std::min(k.find(',', at), k.size());
      if (end > at) s.kinds.insert(k.substr(at, end - at));
      at = end + 1;
    }
  }
  return s;
}

Routed campaigns_list(Dialer& d, const Params&, const HttpRequest&) {
  return EngineWork([&d] {
    auto out = ordered_json::array();
    for (auto& [name, rt] : d.campaigns()) out.push_back(state_json(rt));
    return json_response({{"campaigns", out}});
  });
}

HttpResponse text_response(std::string body, const std::string& type) {
  HttpResponse r;
  r.content_type = type;
  r.body = std::move(body);
  return r;
}

const std::vector<Route>& routes() {
  static const std::string c = "/api/v1/campaigns/{}";
  static const std::vector<Route> r = {
      {"GET", "/", [](Dialer&, const Params&, const HttpRequest&) -> Routed { return text_response(detail::status_page_html(), "text/html; charset=utf-8"); }},
      {"GET", "/metrics", [](Dialer& d, const Params&, const HttpRequest&) -> Routed {
         return EngineWork([&d] { return text_response(detail::metrics_text(d), "text/plain; version=0.0.4; charset=utf-8"); });
       }},
      {"GET", "/api/v1/health", [](Dialer& d, const Params&, const HttpRequest&) -> Routed {
         return json_response({{"ok", true}, {"engine_id", d.config().engine_id}});
       }},
      {"GET", "/api/v1/status", [](Dialer& d, const Params&, const HttpRequest&) -> Routed {
         return EngineWork([&d] { return text_response(detail::status_json(d), "application/json"); });
       }},
      {"GET", "/api/v1/status/stream", [](Dialer&, const Params&, const HttpRequest&) -> Routed { return EventStream{EventStream::Kind::status, {}, {}}; }},
      {"GET", "/api/v1/events", events_stream, {"campaign", "kinds"}},
      {"GET", "/api/v1/campaigns", campaigns_list},
      {"GET", c, [](Dialer& d, const Params& p, const HttpRequest&) -> Routed {
         return EngineWork([&d, n = p[0]] { return json_response(detail::campaign_status(d, d.campaign(n))); });
       }},
      {"GET", c + "/statistics", [](Dialer& d, const Params& p, const HttpRequest&) -> Routed {
         return EngineWork([&d, n = p[0]] { return json_response(detail::campaign_statistics(d, d.campaign(n))); });
       }},
      {"POST", c + "/load", control<&Campaign::load>},
      {"POST", c + "/start", control<&Campaign::start>},
      {"POST", c + "/stop", control<&Campaign::stop>},
      {"POST", c + "/unload", control<&Campaign::unload>},
      {"POST", c + "/force_unload", control<&Campaign::force_unload>},
      {"POST", c + "/mode", set_mode},
      {"POST", c + "/records", add_record},
      {"POST", c + "/records/cancel", cancel_records},
      {"POST", "/api/v1/dnc/{}", dnc_add},
      {"DELETE", "/api/v1/dnc/{}", dnc_remove, {"phone", "customer_id"}},
      {"GET", "/api/v1/dnc/{}/check", dnc_check, {"phone", "customer_id"}},
      {"POST", c + "/agents/{}/{}", agent_state},
      {"GET", c + "/agents/{}/records", desktop_records},
      {"POST", c + "/agents/{}/records/{}/{}", desktop_request},
  };
  return r;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = 1;
  while (at <= path.size()) {
    std::size_t end = std::min(path.find('/', at), path.size());
    out.push_back(path.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path, Params& params) {
  if (pattern.size() != path.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (pattern[i] == "{}") {
      if (path[i].empty()) return false;
      params.push_back(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

bool is_mutating(const std::string& method) { return method != "GET" && method != "HEAD"; }

}  // namespace

bool same_secret(const std::string& a, const std::string& b) noexcept {
  // Every byte of the longer is visited whatever differs, so the time taken
  // tells nothing of where a guess went wrong.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

Api::Api(Dialer& dialer, std::string token) : dialer_(dialer), token_(std::move(token)) {}

HttpResponse Api::error(int status, const std::string& code, const std::string& message, const std::string& field) {
  ordered_json e = {{"code", code}, {"message", message}};
  e["field"] = field.empty() ? ordered_json(nullptr) : ordered_json(field);
  return json_response({{"error", e}}, status);
}

HttpResponse Api::from_exception(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const MalformedJson& e) {
    return error(400, "malformed_json", e.what());
  } catch (const UnknownRoute& e) {
    return error(404, "unknown_route", e.what());
  } catch (const cli::JsonPathError& e) {
    return error(400, "invalid_argument", e.path() + ": " + e.what(), e.path());
  } catch (const Error& e) {
    switch (e.code()) {
      case ErrorCode::invalid_argument: return error(400, "invalid_argument", e.what());
      case ErrorCode::not_found: return error(404, "not_found", e.what());
      case ErrorCode::invalid_state: return error(409, "invalid_state", e.what());
      case ErrorCode::compliance_blocked: return error(422, "compliance_blocked", e.what());
      case ErrorCode::unsupported: return error(501, "unsupported", e.what());
      case ErrorCode::busy: return error(503, "busy", e.what());
      case ErrorCode::database: return error(503, "database", e.what());
      case ErrorCode::driver: return error(502, "driver", e.what());
      default: return error(500, "error", e.what());
    }
  } catch (const std::exception& e) {
    return error(500, "error", e.what());
  } catch (...) {
    return error(500, "error", "unknown failure");
  }
}

Routed Api::route(const HttpRequest& rq) const {
  try {
    return route_checked(rq);
  } catch (...) {
    return from_exception(std::current_exception());
  }
}

Routed Api::route_checked(const HttpRequest& rq) const {
  if (is_mutating(rq.method)) {
    HttpResponse denied;
    const std::string prefix = "Bearer ";
    if (rq.authorization.empty()) {
      denied = error(401, "unauthorized", "this request changes the dialer: send Authorization: Bearer <token>");
    } else if (rq.authorization.compare(0, prefix.size(), prefix) != 0 || !same_secret(rq.authorization.substr(prefix.size()), token_)) {
      denied = error(401, "invalid_token", "the bearer token is not this dialer's");
    } else {
      denied.status = 0;
    }
    if (denied.status) {
      denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"outbound\"");
      return denied;
    }
  }
  const auto path = split(rq.path);
  bool path_known = false;
  Params params;
  for (const auto& route : routes()) {
    if (!matches(split(route.pattern), path, params)) continue;
    path_known = true;
    if (route.method != rq.method && !(rq.method == "HEAD" && route.method == "GET")) continue;
    for (const auto& [name, value] : rq.query)
      if (!route.query.count(name)) cli::bad(name, "unknown query parameter");
    return route.handle(dialer_, params, rq);
  }
  if (path_known) return error(405, "method_not_allowed", rq.method + " is not allowed on " + rq.path);
  return error(404, "unknown_route", "no route " + rq.path);
}

std::string Api::status_json() const { return detail::status_json(dialer_); }

}  // namespace outbound::serve
