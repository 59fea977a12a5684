// What a supervisor reads: a campaign's state, calls, agents, abandon rates,
// results, list progress, errors and last hour — for the page and the API —
// its statistics, and the same figures for Prometheus.
#include <sstream>

#include "api_detail.hpp"
#include "time_text.hpp"

namespace outbound::serve::detail {
namespace {

using nlohmann::ordered_json;

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

ordered_json calls_json(const CallCounts& c, int in_flight) {
  return {{"dialing", c.dialing}, {"ringing", c.ringing}, {"waiting", c.waiting}, {"connected", c.connected},
          {"other", c.other}, {"in_flight", in_flight}};
}

ordered_json agents_json(const AgentPool& pool, Time now) {
  ordered_json by_state = ordered_json::object();
  for (int s = 1; s < kAgentStateCount; ++s) by_state[std::string(to_string(static_cast<AgentState>(s)))] = pool.count(static_cast<AgentState>(s));
  auto list = ordered_json::array();
  for (const auto& [id, a] : pool.agents()) {
    if (a.state == AgentState::logged_out) continue;
    list.push_back({{"id", id}, {"state", std::string(to_string(a.state))}, {"seconds_in_state", to_seconds(now - a.since)}, {"calls", a.calls}});
  }
  return {{"logged_in", pool.logged_in()}, {"by_state", by_state}, {"list", list}};
}

ordered_json counts_json(const CampaignStats& s) {
  return {{"dials", s.dials}, {"live_answers", s.live_answers}, {"connected", s.connected}, {"abandoned", s.abandoned},
          {"machines", s.machines}, {"busy", s.busy}, {"no_answer", s.no_answer}, {"sit", s.sit},
          {"other_results", s.other_results}, {"dnc_blocked", s.dnc_blocked}, {"window_deferred", s.window_deferred},
          {"lockout_deferred", s.lockout_deferred}, {"contact_deferred", s.contact_deferred},
          {"predial_vetoed", s.predial_vetoed}, {"record_errors", s.record_errors}, {"driver_errors", s.driver_errors},
          {"records_finalized", s.records_finalized}, {"records_rescheduled", s.records_rescheduled},
          {"records_buffered", s.records_buffered}};
}

ordered_json lists_json(Dialer& d, CampaignRuntime& rt) {
  Time as_of{};
  auto progress = d.progress(rt.name, &as_of);
  auto out = ordered_json::array();
  for (const auto& [name, p] : progress) {
    ordered_json by_status = ordered_json::object();
    for (const auto& [st, n] : p.by_status) by_status[std::string(to_string(st))] = n;
    out.push_back({{"name", name}, {"table", d.config().lists.at(name).table}, {"by_status", by_status}, {"ready", p.ready},
                   {"dialable_now", p.dialable_now}, {"window_deferred", p.window_deferred},
                   {"scheduled_later", p.scheduled_later}, {"unknown_zone", p.unknown_zone}, {"as_of", iso_utc(as_of)}});
  }
  return out;
}

ordered_json chart_json(const CampaignRuntime& rt) {
  auto out = ordered_json::array();
  for (const auto& m : rt.minutes)
    out.push_back({{"at", iso_utc(m.at)}, {"dials", m.dials}, {"live", m.live}, {"abandoned", m.abandoned},
                   {"window_rate", m.window_rate}, {"occupancy", m.occupancy}, {"agents", m.agents}, {"in_flight", m.in_flight}});
  return out;
}

ordered_json abandon_json(const CampaignRuntime& rt, const CampaignStats& s) {
  const CampaignConfig& cfg = rt.campaign->config();
  const long today_live = s.live_answers - rt.today_live_base, today_abandoned = s.abandoned - rt.today_abandoned_base;
  return {{"cap", cfg.abandon_cap.rate}, {"window_h", to_seconds(cfg.abandon_cap.window) / 3600.0},
          {"window_rate", s.window_abandon_rate}, {"window_live", s.window_live_answers},
          {"today_rate", ratio(static_cast<double>(today_abandoned), static_cast<double>(today_live))},
          {"today_live", today_live}, {"today_abandoned", today_abandoned}, {"today_since", iso_utc(rt.day_start)},
          {"run_rate", s.abandon_rate}};
}

// Lines out per working agent: calls not yet with an agent over agents
// logged in and not "not ready" (VICIdial's dial level, read from the calls).
double dial_level(const CallCounts& c, const AgentPool& pool) {
  const int working = pool.logged_in() - pool.count(AgentState::not_ready);
  return ratio(c.dialing + c.ringing + c.waiting + c.other, working);
}

std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

ordered_json record_json(const Record& r) {
  ordered_json j = {{"record_id", r.record_id}, {"contact_info", r.contact_info},
                    {"contact_info_type", static_cast<int>(r.contact_info_type)},
                    {"record_type", std::string(to_string(r.record_type))},
                    {"record_status", std::string(to_string(r.record_status))},
                    {"call_result", std::string(to_string(r.call_result))}, {"attempt", r.attempt},
                    {"chain_id", r.chain_id}, {"chain_n", r.chain_n}, {"tz_dbid", r.tz_dbid},
                    {"daily_from", r.daily_from}, {"daily_till", r.daily_till}, {"campaign_id", r.campaign_id},
                    {"agent_id", r.agent_id}};
  j["dial_sched_utc"] = r.dial_sched_time ? ordered_json(iso_utc(from_epoch_seconds(*r.dial_sched_time))) : ordered_json(nullptr);
  j["custom"] = r.custom;
  return j;
}

ordered_json desktop_json(const DesktopRecord& r) {
  return {{"handle", r.handle}, {"campaign", r.campaign}, {"list", r.list}, {"agent_id", r.agent_id}, {"record", record_json(r.record)}};
}

ordered_json campaign_status(Dialer& d, CampaignRuntime& rt) {
  Campaign& c = *rt.campaign;
  const Time now = d.now();
  const CampaignStats s = c.stats();
  const CallCounts calls = c.call_counts();
  const CampaignConfig& cfg = c.config();
  ordered_json j;
  j["name"] = rt.name;
  j["state"] = std::string(to_string(c.state()));
  j["mode"] = std::string(to_string(cfg.mode));
  j["goal"] = {{"name", std::string(to_string(cfg.goal))}, {"target", cfg.target}};
  j["driver"] = rt.driver_name;
  j["dial_level"] = dial_level(calls, c.agents());
  j["calls"] = calls_json(calls, s.calls_in_flight);
  j["agents"] = agents_json(c.agents(), now);
  j["abandon"] = abandon_json(rt, s);
  j["occupancy"] = {{"run", s.agent_occupancy}, {"last_minute", rt.minutes.empty() ? 0.0 : rt.minutes.back().occupancy}};
  j["counts"] = counts_json(s);
  ordered_json results = ordered_json::object();
  for (const auto& [r, n] : rt.results) results[std::string(to_string(r))] = n;
  j["results"] = results;
  j["lists"] = lists_json(d, rt);
  auto errors = ordered_json::array();
  for (auto it = rt.errors.rbegin(); it != rt.errors.rend(); ++it)
    errors.push_back({{"at", iso_utc(it->at)}, {"kind", it->kind}, {"message", it->message}});
  j["errors"] = errors;
  j["chart"] = chart_json(rt);
  return j;
}

std::string status_json(Dialer& d) {
  ordered_json j;
  j["engine_id"] = d.config().engine_id;
  j["now_utc"] = iso_utc(d.now());
  j["clock"] = {{"simulated", d.config().clock.simulated}, {"speed", d.config().clock.speed}, {"run_finished", d.run_finished()}};
  auto campaigns = ordered_json::array();
  for (auto& [name, rt] : d.campaigns()) campaigns.push_back(campaign_status(d, rt));
  j["campaigns"] = campaigns;
  return j.dump();
}

ordered_json campaign_statistics(Dialer& d, CampaignRuntime& rt) {
  const CampaignStats s = rt.campaign->stats();
  ordered_json j = counts_json(s);
  j["campaign"] = rt.name;
  j["at"] = iso_utc(d.now());
  j["abandon_rate"] = s.abandon_rate;
  j["window_abandon_rate"] = s.window_abandon_rate;
  j["window_live_answers"] = s.window_live_answers;
  j["agent_occupancy"] = s.agent_occupancy;
  j["agent_wait_mean_s"] = s.agent_wait_mean_s;
  j["distribution_time_mean_s"] = s.distribution_time_mean_s;
  j["agents_logged_in"] = s.agents_logged_in;
  j["calls_in_flight"] = s.calls_in_flight;
  return j;
}

std::string metrics_text(Dialer& d) {
  std::ostringstream out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  };
  auto each = [&](auto&& line) {
    for (auto& [name, rt] : d.campaigns()) line(label(name), rt, rt.campaign->stats());
  };
  family("outbound_dials_total", "counter", "Calls placed.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) { out << "outbound_dials_total{campaign=\"" << c << "\"} " << s.dials << "\n"; });
  family("outbound_answers_total", "counter", "Calls answered by a person.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) { out << "outbound_answers_total{campaign=\"" << c << "\"} " << s.live_answers << "\n"; });
  family("outbound_abandons_total", "counter", "Live answers no agent took in time.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) { out << "outbound_abandons_total{campaign=\"" << c << "\"} " << s.abandoned << "\n"; });
  family("outbound_call_results_total", "counter", "Calls finished, by call result.");
  each([&](const std::string& c, CampaignRuntime& rt, const CampaignStats&) {
    for (const auto& [r, n] : rt.results) out << "outbound_call_results_total{campaign=\"" << c << "\",result=\"" << to_string(r) << "\"} " << n << "\n";
  });
  family("outbound_dnc_blocked_total", "counter", "Records not dialed because of a DNC entry.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) { out << "outbound_dnc_blocked_total{campaign=\"" << c << "\"} " << s.dnc_blocked << "\n"; });
  family("outbound_deferred_total", "counter", "Dials put off by the compliance gate, by reason.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) {
    const std::pair<const char*, long> reasons[] = {
        {"window", s.window_deferred}, {"lockout", s.lockout_deferred}, {"contact_limit", s.contact_deferred}};
    for (const auto& [reason, n] : reasons) out << "outbound_deferred_total{campaign=\"" << c << "\",reason=\"" << reason << "\"} " << n << "\n";
  });
  family("outbound_predial_vetoed_total", "counter", "Dials the host's pre-dial check vetoed.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) { out << "outbound_predial_vetoed_total{campaign=\"" << c << "\"} " << s.predial_vetoed << "\n"; });
  family("outbound_agents", "gauge", "Agents by state.");
  each([&](const std::string& c, CampaignRuntime& rt, const CampaignStats&) {
    for (int st = 1; st < kAgentStateCount; ++st)
      out << "outbound_agents{campaign=\"" << c << "\",state=\"" << to_string(static_cast<AgentState>(st)) << "\"} "
          << rt.campaign->agents().count(static_cast<AgentState>(st)) << "\n";
  });
  family("outbound_calls_in_flight", "gauge", "Calls the driver holds, by phase.");
  each([&](const std::string& c, CampaignRuntime& rt, const CampaignStats&) {
    const CallCounts n = rt.campaign->call_counts();
    const std::pair<const char*, int> phases[] = {{"dialing", n.dialing}, {"ringing", n.ringing}, {"waiting", n.waiting},
                                                  {"connected", n.connected}, {"other", n.other}};
    for (const auto& [phase, v] : phases) out << "outbound_calls_in_flight{campaign=\"" << c << "\",phase=\"" << phase << "\"} " << v << "\n";
  });
  family("outbound_window_abandon_rate", "gauge", "Abandoned over live answers in the abandon cap's window.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) { out << "outbound_window_abandon_rate{campaign=\"" << c << "\"} " << s.window_abandon_rate << "\n"; });
  family("outbound_abandon_cap", "gauge", "The abandon cap the campaign holds.");
  each([&](const std::string& c, CampaignRuntime& rt, const CampaignStats&) { out << "outbound_abandon_cap{campaign=\"" << c << "\"} " << rt.campaign->config().abandon_cap.rate << "\n"; });
  family("outbound_occupancy", "gauge", "Agents' busy factor over the run.");
  each([&](const std::string& c, CampaignRuntime&, const CampaignStats& s) { out << "outbound_occupancy{campaign=\"" << c << "\"} " << s.agent_occupancy << "\n"; });
  return out.str();
}

}  // namespace outbound::serve::detail
