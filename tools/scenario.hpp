// `outbound sim` scenarios: the JSON contract of `./run sim SCENARIO.json`.
// Unknown keys are errors; missing keys take the defaults below.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outbound/campaign.hpp"
#include "outbound/pacing.hpp"
#include "outbound/timezone.hpp"
#include "outbound/treatment.hpp"
#include "outbound/sim.hpp"

namespace outbound::cli {

/// A change applied during the run ("changes": [{"at_h": 2, ...}]).
struct ScenarioChange {
  double at_h = 0.0;                         ///< when, hours after the start
  std::optional<sim::NetworkModel> network;  ///< the whole network model from then on
  std::optional<int> agents;                 ///< agents logged in from then on
};

/// Where the records come from.
struct ScenarioList {
  long records = 10000;             ///< generated list size (when no connection)
  std::string connection;           ///< an existing list ("sqlite3:///path.db")
  std::string table = "calling_list";  ///< its table
  std::string dnc_table;            ///< a DNC table on the same connection, if any
  std::string call_log_table;       ///< a call log table on the same connection, if any
  std::map<int, std::string> tz_map;  ///< tz_dbid -> IANA zone; enables calling windows
  std::string start_utc;            ///< simulated start, ISO 8601 UTC ("2026-03-08T13:00:00Z")
  bool records_given = false;       ///< "records" was set (with a connection: create the table with that many)
  bool in_place = false;            ///< dial the list itself; false: a copy (SQLite backup file, PostgreSQL table)
  std::string customer_id_field;    ///< custom field holding the DNC customer id
  // Set by rehearsals of a config file's campaign (outbound sim --config), not by scenario keys:
  std::string filter;               ///< the list's SQL filter (checked by the list)
  std::string order_by;             ///< its order for fresh records
  std::string zone_column;          ///< a custom column of IANA zone names instead of tz_dbid
  std::map<int, int> record_type_priority;  ///< record_type -> priority
  double share = 1.0;               ///< its share of the campaign's dials
};

/// The "sip" section: the campaign runs in wall time over the SIP driver (clock "real" only).
struct ScenarioSip {
  std::string listen = "127.0.0.1:5070";                      ///< the driver's SIP address
  std::string customer_uri = "sip:{number}@127.0.0.1:5071";  ///< the customers' Request-URI template
  std::map<std::string, std::string> agents;                  ///< agent id -> SIP URI of the agent's phone
  double cps = 0;                                             ///< INVITEs per second (0: no limit)
  int agent_answer_timeout_ms = 1000;                         ///< an agent's phone answering later is given up
};

/// A whole scenario.
struct Scenario {
  std::uint64_t seed = 1;           ///< every random draw follows from it
  double duration_h = 8.0;          ///< simulated hours of dialing
  int agents = 50;                  ///< agents logged in at the start
  DialMode mode = DialMode::predictive;  ///< dialing mode
  OptimizationGoal goal = OptimizationGoal::overdial_rate;  ///< predictive goal
  double target = 0.03;             ///< its target
  std::string pacer = "outbound";   ///< ours or a baseline
  double ratio = 1.0;               ///< progressive lines per agent / fixed ratio
  int ports = 30;                   ///< GVP ports
  double abandon_cap_rate = 0.03;   ///< regulatory cap
  double abandon_window_h = 720.0;  ///< its window
  sim::NetworkModel network;        ///< callees
  sim::AgentModel agent_model;      ///< talk and wrap-up
  std::vector<ScenarioChange> changes;  ///< changes during the run, by time
  ScenarioList list;                ///< the records
  int max_attempts = 0;             ///< hard cap on dials per record (0: treatments only)
  std::vector<ContactLimit> contact_limits;  ///< per-number limits over rolling windows (need list.call_log_table)
  std::vector<std::string> no_call_days;     ///< local dates and weekdays not to call (need list.tz_map or zone_column)
  bool auto_complete = false;       ///< end the run early once every record is final
  std::string engine_id = "engine-1";  ///< lease owner name (engines sharing a PostgreSQL list differ)
  bool real_clock = false;          ///< "clock": "real" runs on wall time (outage tests), not the manual clock
  bool baseline_guard = false;      ///< a baseline pacer dials behind the abandon guard, as on a real campaign
  std::optional<ScenarioSip> sip;   ///< over SIP in wall time (network shares ignored: the far end decides)
  std::optional<TreatmentSet> treatments;  ///< list.treatments; default: the simulator's (busy, no answer, machine retries)
  // Set by rehearsals of a config file's campaign (outbound sim --config), not by scenario keys:
  std::vector<ScenarioList> more_lists;    ///< the campaign's further lists
  std::optional<CampaignConfig> campaign;  ///< the campaign as configured (name, caller id, windows' timing, lockout…)
  std::optional<DailyWindow> campaign_window;  ///< default 08:00-21:00 when zones are mapped
  std::string dnc_connection;              ///< the DNC table's database ("": the list's)
  std::string dnc_region = "US";           ///< region of numbers written without a country code
  std::string call_log_connection;         ///< the call log's database ("": the list's)
  std::string agent_prefix = "agent";      ///< simulated agents' names: prefix1..prefixN
};

/// Parses a scenario; throws Error(invalid_argument) naming the offending key.
Scenario parse_scenario(const std::string& json_text);

}  // namespace outbound::cli
