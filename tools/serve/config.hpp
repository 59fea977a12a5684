// The serve config file: one JSON document describing a dialer — its
// databases, calling lists, DNC tables, treatments, drivers and campaigns,
// the engine's clock and id, and the HTTP listener. `outbound serve` runs it;
// `outbound sim --config` rehearses one of its campaigns. Parsing is strict:
// every error names the JSON path of the offending value (docs/serve.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outbound/campaign.hpp"
#include "outbound/sim.hpp"
#include "outbound/timezone.hpp"

namespace outbound::serve {

/// A calling list: a table on a database, read through a filter and an order.
struct ListConfig {
  std::string database;                    ///< name of its database in "databases"
  std::string connection;                  ///< that database's connection string (resolved)
  std::string table = "calling_list";      ///< the table
  std::string filter;                      ///< SQL condition from the config (never from requests)
  std::string order_by;                    ///< order of fresh records
  std::map<int, int> record_type_priority; ///< record_type code -> priority (lower dials first)
  std::map<int, std::string> tz_map;       ///< tz_dbid -> IANA zone
  std::string zone_column;                 ///< or: a custom column of IANA zone names
  std::string customer_id_field;           ///< custom field holding the DNC customer id
  long sample_records = 0;                 ///< create the table with this many generated records when missing
};

/// A DNC table.
struct DncConfig {
  std::string database, connection;        ///< its database (name, resolved connection)
  std::string table = "gsw_donotcall_list";///< the table (created when missing)
  std::string region = "US";               ///< region of numbers written without a country code
};

/// A simulated network and its agents (the campaign's mode picks T-Server, CPD or GVP).
struct SimDriverConfig {
  int agents = 50;                         ///< simulated agents (0: agents log in through the API)
  sim::NetworkModel network;               ///< how callees answer
  sim::AgentModel agent_model;             ///< talk and wrap-up times
  std::uint64_t seed = 1;                  ///< every random draw follows from it
  int ports = 30;                          ///< GVP ports
};

/// A SIP trunk and the agents' phones (RFC 3725 third-party call control).
struct SipDriverConfig {
  std::string listen = "127.0.0.1:5070";   ///< local SIP address
  std::string customer_uri;                ///< "sip:{number}@host:port"
  std::string outbound_proxy;              ///< optional proxy URI
  std::string username, password;          ///< digest credentials toward the trunk (password from the environment)
  std::map<std::string, std::string> agents;  ///< agent id -> SIP URI of the agent's phone
  int max_calls = 100;                     ///< concurrent calls
  double calls_per_s = 10;                 ///< call setups a second
  int agent_answer_timeout_ms = 1000;      ///< an agent phone that does not answer by then is skipped
};

/// A driver: which kind, and its settings.
struct DriverConfig {
  enum class Kind { sim, sip } kind = Kind::sim;  ///< the network
  SimDriverConfig sim;                     ///< kind sim
  SipDriverConfig sip;                     ///< kind sip
};

/// A list a campaign dials, with its share.
struct CampaignList {
  std::string list;                        ///< name in "lists"
  double share = 1.0;                      ///< relative share of retrievals
};

/// A campaign group as configured.
struct CampaignSettings {
  CampaignConfig config;                   ///< mode, goal, caller id, cap, attempts, treatments…
  std::vector<CampaignList> lists;         ///< the lists it dials
  std::string driver;                      ///< name in "drivers"
  std::string dnc;                         ///< name in "dnc" ("": no DNC table; numbers are still checked)
  std::optional<DailyWindow> window;       ///< campaign calling window (default 08:00-21:00 when zones are mapped)
  std::string call_log_database, call_log_connection, call_log_table;  ///< the call log ("" table: none)
  bool autostart = false;                  ///< load and start when serve starts
};

/// The engine's clock.
struct ClockConfig {
  bool simulated = false;                  ///< false: wall time
  double speed = 1.0;                      ///< simulated seconds per wall second
  std::optional<EpochSeconds> start;       ///< simulated start (default: now)
  std::optional<double> run_h;             ///< stop the campaigns after this many simulated hours
};

/// The HTTP listener.
struct HttpConfig {
  std::string address = "127.0.0.1";      ///< listen address (loopback by default)
  unsigned short port = 8080;              ///< listen port (0: any free port, printed at start)
  std::string token;                       ///< bearer token for mutating requests ("": one is generated)
  bool token_configured = false;           ///< the token came from the config or the environment
  std::size_t max_body_bytes = 65536;      ///< larger request bodies get 413
  double rate_per_s = 200;                 ///< requests a second per client address
  double burst = 400;                      ///< bucket size of that rate
  int max_connections = 64;                ///< open connections (event streams included)
  double engine_timeout_s = 2.0;           ///< a request the engine has not started by then gets 503
};

/// A whole config file.
struct ServeConfig {
  std::string engine_id = "engine-1";      ///< lease owner name (engines sharing PostgreSQL lists differ)
  std::string site_timezone = "UTC";       ///< whose midnight starts "today" on the status page
  std::map<std::string, std::string> databases;  ///< name -> connection string
  std::map<std::string, ListConfig> lists;       ///< by name
  std::map<std::string, DncConfig> dnc;          ///< by name
  std::map<std::string, TreatmentSet> treatments;  ///< named treatment sets
  std::map<std::string, DriverConfig> drivers;   ///< by name
  std::map<std::string, CampaignSettings> campaigns;  ///< by name
  ClockConfig clock;
  HttpConfig http;
};

/// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// Parses a config; throws Error(invalid_argument) "config key \"path\": what".
ServeConfig parse_config(const std::string& json_text, const EnvLookup& env);
/// Reads and parses a config file, with the process environment.
ServeConfig load_config(const std::string& path);

/// Replaces http.listen ("HOST:PORT", e.g. from --listen), with the same checks as the file's.
void override_listen(ServeConfig& config, const std::string& listen);

/// True when `address` is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback(const std::string& address);

/// The campaign's calling windows: its lists' zone maps merged, its window.
CallingWindows windows_of(const ServeConfig& c, const CampaignSettings& s, const std::vector<std::string>& zone_column_keys);

}  // namespace outbound::serve
