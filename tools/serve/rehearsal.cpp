// A config file's campaign as a scenario (rehearsal.hpp). The simulated
// network and agents come from the campaign's sim driver; a SIP campaign is
// rehearsed with the default network and one simulated agent per phone.
#include "rehearsal.hpp"

#include <ctime>

#include "outbound/error.hpp"
#include "sample_list.hpp"
#include "time_text.hpp"

namespace outbound::serve {
namespace {

cli::ScenarioList scenario_list(const ListConfig& l, double share) {
  cli::ScenarioList s;
  s.connection = l.connection;
  s.table = l.table;
  s.filter = l.filter;
  s.order_by = l.order_by;
  s.zone_column = l.zone_column;
  s.record_type_priority = l.record_type_priority;
  s.customer_id_field = l.customer_id_field;
  s.share = share;
  return s;
}

}  // namespace

cli::Scenario rehearsal_scenario(const ServeConfig& config, const std::string& name, const RehearsalOptions& o) {
  auto it = config.campaigns.find(name);
  if (it == config.campaigns.end()) throw Error(ErrorCode::not_found, "the config has no campaign named \"" + name + "\"");
  const CampaignSettings& c = it->second;
  const DriverConfig& d = config.drivers.at(c.driver);
  cli::Scenario s;
  s.seed = o.seed.value_or(d.kind == DriverConfig::Kind::sim ? d.sim.seed : 1);
  s.duration_h = o.hours.value_or(8.0);
  if (d.kind == DriverConfig::Kind::sim) {
    s.agents = d.sim.agents;
    s.network = d.sim.network;
    s.agent_model = d.sim.agent_model;
    s.ports = d.sim.ports;
  } else {
    s.agents = static_cast<int>(d.sip.agents.size());
  }
  const CampaignConfig& cfg = c.config;
  s.mode = cfg.mode;
  s.goal = cfg.goal;
  s.target = cfg.target;
  s.pacer = cfg.pacer;
  s.ratio = cfg.ratio;
  if (cfg.ports) s.ports = cfg.ports;
  s.abandon_cap_rate = cfg.abandon_cap.rate;
  s.abandon_window_h = to_seconds(cfg.abandon_cap.window) / 3600.0;
  s.max_attempts = cfg.max_attempts;
  s.auto_complete = cfg.auto_complete;
  s.engine_id = config.engine_id.substr(0, 54) + "-rehearsal";  // never mistaken for the engine dialing the list
  s.treatments = cfg.treatments;
  s.campaign = cfg;
  s.campaign_window = c.window;

  for (std::size_t i = 0; i < c.lists.size(); ++i) {
    const ListConfig& l = config.lists.at(c.lists[i].list);
    std::vector<int> zones;
    for (const auto& [id, zone] : l.tz_map) zones.push_back(id);
    if (l.sample_records > 0) create_sample_list(l.connection, l.table, l.sample_records, 1, zones, l.customer_id_field);
    cli::ScenarioList sl = scenario_list(l, c.lists[i].share);
    if (i == 0) {
      s.list = sl;
    } else {
      s.more_lists.push_back(sl);
    }
    for (const auto& [id, zone] : l.tz_map) s.list.tz_map[id] = zone;
  }
  s.list.in_place = o.in_place;
  if (!c.dnc.empty()) {
    const DncConfig& dnc = config.dnc.at(c.dnc);
    s.list.dnc_table = dnc.table;
    s.dnc_connection = dnc.connection;
    s.dnc_region = dnc.region;
  }
  if (!c.call_log_table.empty()) {
    s.list.call_log_table = c.call_log_table;
    s.call_log_connection = c.call_log_connection;
  }
  EpochSeconds start = o.start.value_or(config.clock.start.value_or(static_cast<EpochSeconds>(std::time(nullptr))));
  s.list.start_utc = iso_utc(from_epoch_seconds(start));
  return s;
}

}  // namespace outbound::serve
