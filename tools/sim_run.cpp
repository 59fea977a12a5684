#include "sim_run.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "cli.hpp"
#include "json_reader.hpp"
#include "list_copy.hpp"
#include "serve/sample_list.hpp"
#include "outbound/call_log.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "outbound/timezone.hpp"
#include "sim_sip.hpp"

namespace outbound::cli {
namespace {

const Time kDefaultStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z

Time parse_utc(const std::string& iso) {
  try {
    return from_epoch_seconds(parse_utc_text(iso, "list.start_utc"));
  } catch (const JsonPathError& e) {
    throw Error(ErrorCode::invalid_argument, "scenario key \"" + e.path() + "\": " + e.what());
  }
}

// A canonical NANP E.164 number: area code and exchange 200-999.
std::string random_nanp(sim::Rng& rng) {
  std::string line = std::to_string(10000 + rng.next() % 10000).substr(1);
  return "+1" + std::to_string(200 + rng.next() % 800) + std::to_string(200 + rng.next() % 800) + line;
}

// Fills a new list table with `n` generated records (seeded).
void generate_records(const std::string& connection, const std::string& table, long n, std::uint64_t seed) {
  CallingList::create_table(connection, table);
  ListOptions lo;
  lo.table = table;
  auto list = CallingList::open(connection, lo);
  sim::Rng rng(seed ^ 0x11575eedULL);
  serve::insert_generated(*list, n, [&](long i) {
    Record r;
    r.record_id = i;
    r.contact_info = random_nanp(rng);
    r.chain_id = static_cast<int>(i);
    r.chain_n = 1;
    r.campaign_id = 1;
    return r;
  });
}

std::int64_t to_epoch_ms(Time t) { return t.time_since_epoch().count(); }

/// Appends dials, results and written results to a file, one line each,
/// written at once so a killed run leaves every line it announced.
class Journal {
 public:
  explicit Journal(const std::string& path) : path_(path) {
    if (path.empty()) return;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd_ < 0) throw Error(ErrorCode::invalid_argument, "cannot open journal " + path + ": " + std::strerror(errno));
  }
  ~Journal() {
    if (fd_ >= 0) ::close(fd_);
  }
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  void on_event(const CampaignEvent& e) {
    if (fd_ < 0) return;
    const std::string id = std::to_string(e.record_id);
    const std::string result = std::to_string(static_cast<int>(e.result));
    // The last field is wall time in ms: outage tests check when dials happened.
    const std::string wall = " " + std::to_string(to_epoch_ms(SystemClock().now()));
    if (e.kind == CampaignEvent::Kind::dialing && e.record)
      line("dial " + id + " " + std::to_string(e.record->attempt) + wall + "\n");
    else if (e.kind == CampaignEvent::Kind::call_finished)
      line("result " + id + " " + result + wall + "\n");
    else if (e.kind == CampaignEvent::Kind::written)
      line("written " + id + " " + result + " " + e.message + wall + "\n");
  }

 private:
  void line(const std::string& s) {
    if (::write(fd_, s.data(), s.size()) != static_cast<ssize_t>(s.size()))
      throw Error(ErrorCode::generic, "cannot write to journal " + path_ + ": " + std::strerror(errno));
  }
  std::string path_;
  int fd_ = -1;
};

/// A temporary SQLite list of generated records, removed afterwards.
struct GeneratedList {
  std::filesystem::path dir;
  std::string connection;
  explicit GeneratedList(const Scenario& s) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ob-sim-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    connection = "sqlite3://" + (dir / "list.db").string();
    generate_records(connection, "calling_list", s.list.records, s.seed);
  }
  ~GeneratedList() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

/// A call log of its own in a temporary folder (removed afterwards): a run over SIP
/// without a call log table reads its connect latencies from it.
struct TempCallLog {
  std::filesystem::path dir;
  std::shared_ptr<CallLog> log;
  TempCallLog() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ob-sip-log-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    log = CallLog::open("sqlite3://" + (dir / "call_log.db").string());
  }
  ~TempCallLog() {
    log.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

/// The simulated network the mode dials through, and how to change its agents.
struct SimDriver {
  std::shared_ptr<Driver> driver;
  std::function<void(int)> set_agents;
};

// Agent modes dial through the T-Server; seizing modes through a CPD server
// in ASM mode (agents engaged first, twice the channels); GVP modes through
// the IVR platform, with no agents.
SimDriver make_sim_driver(const Scenario& sc, sim::Network& net) {
  if (!is_autonomous(sc.mode))
    throw Error(ErrorCode::unsupported, "mode " + std::string(to_string(sc.mode)) + " needs agents asking for records; the simulator has none");
  if (is_gvp(sc.mode)) {
    sim::GvpOptions g;
    g.ports = sc.ports;
    return {std::make_shared<sim::SimGvp>(net, g), {}};
  }
  if (sc.mode == DialMode::progressive_seize || sc.mode == DialMode::predictive_seize || sc.mode == DialMode::power_seize) {
    int most = sc.agents;
    for (const auto& ch : sc.changes)
      if (ch.agents) most = std::max(most, *ch.agents);
    sim::CpdOptions c;
    c.mode = sim::CpdMode::asm_mode;
    c.channels = std::max(2, 2 * most);
    auto cpd = std::make_shared<sim::SimCpd>(net, sc.agent_model, sc.agents, c, sc.agent_prefix);
    return {cpd, [cpd](int n) { cpd->set_agent_count(n); }};
  }
  auto ts = std::make_shared<sim::SimTServer>(net, sc.agent_model, sc.agents, sc.agent_prefix);
  return {ts, [ts](int n) { ts->set_agent_count(n); }};
}

TreatmentSet sim_treatments() {
  auto retry = [](int id, CallResult result, int cycles, int minutes) {
    Treatment t;
    t.id = id;
    t.call_result = result;
    t.action = RecordAction::retry_in;
    t.cycle_attempts = cycles;
    t.interval = std::chrono::minutes(minutes);
    return t;
  };
  return TreatmentSet({retry(1, CallResult::busy, 3, 10), retry(2, CallResult::no_answer, 3, 60),
                       retry(3, CallResult::answering_machine, 2, 120)});
}

// Zones mapped by tz_dbid, or named by a zone column (each name the list
// holds that the tz database knows maps to itself; the rest are unknown zones).
CallingWindows windows_for(const Scenario& s, const std::vector<std::shared_ptr<CallingList>>& lists) {
  if (s.list.tz_map.empty() && s.list.zone_column.empty()) return {};
  ZoneMap zones;
  for (const auto& [id, name] : s.list.tz_map) zones.add(id, name);
  if (!s.list.zone_column.empty())
    for (const auto& list : lists)
      for (const auto& key : list->zone_keys())
        if (ZoneMap::is_known_zone(key)) zones.add(key, key);
  return CallingWindows(zones, s.campaign_window.value_or(DailyWindow{8 * 3600, 21 * 3600}), s.list.zone_column);
}

bool is_final(RecordStatus st) {
  return st == RecordStatus::updated || st == RecordStatus::cancelled || st == RecordStatus::agent_error ||
         st == RecordStatus::chain_updated || st == RecordStatus::missed_callback;
}

/// Samples the campaign every simulated minute.
class Sampler {
 public:
  Sampler(const Campaign& c, Time start) : c_(c), start_(start) {}
  void sample(Time now, SimResult& r) {
    auto s = c_.stats();
    auto totals = c_.agents().totals(now);
    MinuteSample m;
    m.t_h = to_seconds(now - start_) / 3600.0;
    m.dials = s.dials - last_.dials;
    m.live = s.live_answers - last_.live_answers;
    m.abandoned = s.abandoned - last_.abandoned;
    m.window_rate = s.window_abandon_rate;
    double work = totals.busy_s + totals.wrap_s - last_work_;
    double avail = work + totals.ready_s + totals.reserved_s - last_idle_;
    m.occupancy = avail > 0 ? work / avail : 0.0;
    m.agents = s.agents_logged_in;
    last_work_ = totals.busy_s + totals.wrap_s;
    last_idle_ = totals.ready_s + totals.reserved_s;
    last_ = s;
    // The regulatory rate counts once the window holds enough answers to mean something.
    if (s.window_live_answers >= 100) r.max_window_abandon_rate = std::max(r.max_window_abandon_rate, s.window_abandon_rate);
    r.minutes.push_back(m);
  }

 private:
  const Campaign& c_;
  Time start_;
  CampaignStats last_{};
  double last_work_ = 0, last_idle_ = 0;
};

void fill_hours(SimResult& r) {
  for (std::size_t i = 0; i < r.minutes.size(); i += 60) {
    HourSample h;
    double occ = 0;
    std::size_t n = 0;
    for (std::size_t k = i; k < std::min(r.minutes.size(), i + 60); ++k, ++n) {
      h.dials += r.minutes[k].dials;
      h.live += r.minutes[k].live;
      h.abandoned += r.minutes[k].abandoned;
      occ += r.minutes[k].occupancy;
    }
    h.occupancy = n ? occ / static_cast<double>(n) : 0;
    r.hours.push_back(h);
  }
}


// An existing connection with "records": create the list once, then reuse it.
void create_list_once(const std::string& connection, const std::string& table, long records, std::uint64_t seed) {
  try {
    ListOptions probe;
    probe.table = table;
    CallingList::open(connection, probe);
    return;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::not_found) throw;
  }
  generate_records(connection, table, records, seed);
}

/// Where a run reads and writes: the lists, DNC table and call log, or their rehearsal copies.
struct RunTables {
  std::vector<ScenarioList> lists;                  ///< the first list, then the campaign's others
  std::string dnc_connection, dnc_table;            ///< "" table: an in-memory DNC list
  std::string call_log_connection, call_log_table;  ///< "" table: no call log
  std::optional<TableCopy> list_copy;               ///< the first list's copy, when not in place
};

// Unless the scenario dials in place, every table the run writes is copied
// first and the run works on the copies: the real list stays as it is.
RunTables run_tables(const Scenario& sc, const std::string& connection, bool generated) {
  RunTables t;
  t.lists.push_back(sc.list);
  t.lists.front().connection = connection;
  t.lists.insert(t.lists.end(), sc.more_lists.begin(), sc.more_lists.end());
  t.dnc_table = sc.list.dnc_table;
  t.dnc_connection = sc.dnc_connection.empty() ? connection : sc.dnc_connection;
  t.call_log_table = sc.list.call_log_table;
  t.call_log_connection = sc.call_log_connection.empty() ? connection : sc.call_log_connection;
  if (sc.list.in_place || generated) return t;
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& l : t.lists) wanted.emplace_back(l.connection, l.table);
  if (!t.dnc_table.empty()) wanted.emplace_back(t.dnc_connection, t.dnc_table);
  if (!t.call_log_table.empty()) wanted.emplace_back(t.call_log_connection, t.call_log_table);
  const RehearsalCopies copies = RehearsalCopies::make(wanted);
  for (auto& l : t.lists) {
    TableCopy c = copies.of(l.connection, l.table);
    l.connection = c.connection;
    l.table = c.table;
  }
  t.list_copy = TableCopy{t.lists.front().connection, t.lists.front().table};
  if (!t.dnc_table.empty()) {
    TableCopy c = copies.of(t.dnc_connection, t.dnc_table);
    t.dnc_connection = c.connection;
    t.dnc_table = c.table;
  }
  if (!t.call_log_table.empty()) {
    TableCopy c = copies.of(t.call_log_connection, t.call_log_table);
    t.call_log_connection = c.connection;
    t.call_log_table = c.table;
  }
  return t;
}

std::shared_ptr<CallingList> open_list(const ScenarioList& l, const std::string& engine_id) {
  ListOptions lo;
  lo.table = l.table;
  lo.engine_id = engine_id;
  lo.filter = l.filter;
  lo.order_by = l.order_by;
  lo.zone_column = l.zone_column;
  lo.record_type_priority = l.record_type_priority;
  return std::shared_ptr<CallingList>(CallingList::open(l.connection, lo));
}

// The campaign as configured (a rehearsal), or the simulator's defaults,
// with the scenario's own settings on top.
CampaignConfig campaign_config(const Scenario& sc) {
  CampaignConfig cfg = sc.campaign.value_or(CampaignConfig{});
  if (!sc.campaign) {
    cfg.name = "sim";
    cfg.chunk_size = 200;
  }
  cfg.mode = sc.mode;
  cfg.goal = sc.goal;
  cfg.target = sc.target;
  cfg.pacer = sc.pacer;
  cfg.ratio = sc.ratio;
  cfg.ports = is_gvp(sc.mode) ? sc.ports : 0;
  if (is_gvp(sc.mode) && cfg.voice_application.empty()) cfg.voice_application = "outbound-survey";
  cfg.abandon_cap.rate = sc.abandon_cap_rate;
  cfg.abandon_cap.window = from_seconds(sc.abandon_window_h * 3600.0);
  cfg.treatments = sc.treatments.value_or(sim_treatments());
  cfg.customer_id_field = sc.list.customer_id_field;
  cfg.max_attempts = sc.max_attempts;
  cfg.contact_limits = sc.contact_limits;
  cfg.no_call_days = sc.no_call_days;
  cfg.auto_complete = sc.auto_complete;
  if (sc.sip) cfg.wait_for_desktop = true;  // the agents' desktops hold each call's agent for its wrap-up
  return cfg;
}

}  // namespace

SimResult run_scenario(const Scenario& sc, const RunOptions& options) {
  const bool progress = options.progress;
  auto wall_start = std::chrono::steady_clock::now();
  std::unique_ptr<GeneratedList> generated;
  std::string connection = sc.list.connection;
  if (connection.empty()) {
    generated = std::make_unique<GeneratedList>(sc);
    connection = generated->connection;
  } else if (sc.list.records_given) {
    create_list_once(connection, sc.list.table, sc.list.records, sc.seed);
  }
  const RunTables tables = run_tables(sc, connection, generated != nullptr);
  Journal journal(options.journal);
  std::vector<std::shared_ptr<CallingList>> lists;
  for (const auto& l : tables.lists) lists.push_back(open_list(l, sc.engine_id));
  std::shared_ptr<DncList> dnc;
  if (!tables.dnc_table.empty()) {
    DncOptions d;
    d.table = tables.dnc_table;
    d.default_region = sc.dnc_region;
    dnc = DncList::open(tables.dnc_connection, d);
  } else {
    dnc = std::make_shared<DncList>(sc.dnc_region);
  }

  std::shared_ptr<Clock> clock;
  if (sc.real_clock)
    clock = std::make_shared<SystemClock>();
  else
    clock = std::make_shared<ManualClock>(sc.list.start_utc.empty() ? kDefaultStart : parse_utc(sc.list.start_utc));
  const Time start = clock->now();
  Engine engine(clock);
  sim::Network net(engine.loop(), sc.network, sc.seed);
  // Over SIP the far end decides what happens to calls: the network model is not used.
  SimDriver sim_driver = sc.sip ? SimDriver{make_sip_driver(*sc.sip, clock), {}} : make_sim_driver(sc, net);
  std::shared_ptr<Driver> driver = sim_driver.driver;

  Campaign& campaign = engine.add_campaign(campaign_config(sc), driver, dnc, windows_for(sc, lists));
  // The pacing comparison runs the baselines as published; a real campaign (and
  // a scenario with baseline_guard) holds them within the abandon guard.
  if (!sc.baseline_guard && !sc.real_clock) campaign.run_baseline_unguarded();
  std::shared_ptr<CallLog> call_log;
  if (!tables.call_log_table.empty()) {
    CallLogOptions co;
    co.table = tables.call_log_table;
    call_log = CallLog::open(tables.call_log_connection, co);
    campaign.set_call_log(call_log);
  }
  std::unique_ptr<TempCallLog> own_log;
  if (sc.sip && !call_log) {
    own_log = std::make_unique<TempCallLog>();
    call_log = own_log->log;
    campaign.set_call_log(call_log);
  }
  std::unique_ptr<SipDesks> desks;
  if (sc.sip) desks = std::make_unique<SipDesks>(campaign, engine.loop(), sc.agent_model.wrap, sc.seed);
  SimResult r;
  bool completed = false;
  campaign.on_event([&](const CampaignEvent& e) {
    journal.on_event(e);
    if (desks) desks->on_event(e);
    if (e.kind == CampaignEvent::Kind::completed) completed = true;
    if (e.kind == CampaignEvent::Kind::record_error) ++r.record_errors;
    if (e.kind == CampaignEvent::Kind::database_error || e.kind == CampaignEvent::Kind::driver_error)
      std::cerr << "sim: " << e.message << "\n";
  });
  for (std::size_t i = 0; i < lists.size(); ++i) campaign.add_list(lists[i], tables.lists[i].share);
  campaign.load();
  if (desks) desks->log_in(sc.sip->agents);
  campaign.start();

  for (const auto& ch : sc.changes)
    engine.loop().schedule_at(start + from_seconds(ch.at_h * 3600.0), [&net, &sim_driver, ch] {
      if (ch.network) net.set_model(*ch.network);
      if (ch.agents && sim_driver.set_agents) sim_driver.set_agents(*ch.agents);
    });

  Sampler sampler(campaign, start);
  const Time end = start + from_seconds(sc.duration_h * 3600.0);
  for (Time t = start + std::chrono::minutes(1); t <= end && !completed; t += std::chrono::minutes(1)) {
    if (sc.sip)
      engine.loop().run_until(t, [&] { return completed; });  // wall time: stop waiting once everything is final
    else
      engine.run_until(t);
    sampler.sample(t, r);
    if (options.on_minute) options.on_minute(r.minutes.back(), campaign.stats());
    if (progress && sc.sip) {  // in wall time: every minute
      const CampaignStats now = campaign.stats();
      std::cerr << "sim: " << r.minutes.size() << " min, " << now.dials << " dials, " << now.connected << " connected, "
                << now.abandoned << " abandoned, " << now.calls_in_flight << " in flight\n";
    } else if (progress && r.minutes.size() % 60 == 0) {
      std::cerr << "sim: " << fmt_fixed(to_seconds(t - start) / 3600.0, 1) << " h, " << campaign.stats().dials << " dials\n";
    }
  }
  if (!completed && clock->now() < end) engine.run_until(end);  // a run shorter than a minute, or its last part
  // Agent figures are those of the day: the drain after it, with no new
  // dials, would add idle time no pacer can avoid.
  const CampaignStats day = campaign.stats();
  if (campaign.state() != CampaignState::not_loaded) {
    campaign.stop();
    engine.loop().run_until(end + std::chrono::hours(2), [&] { return campaign.calls_in_flight() == 0; });
    campaign.unload();
  }

  auto s = campaign.stats();
  if (call_log && !own_log) r.call_log_rows = call_log->count();
  if (sc.sip) {
    r.sip_final_responses = sip_final_responses(*driver);
    const auto latencies = connect_latencies_ms(*call_log, campaign.config().name, start);
    r.connect_ms_median = quantile(latencies, 0.5);
    r.connect_ms_p99 = quantile(latencies, 0.99);
  }
  r.dials = s.dials;
  r.live_answers = s.live_answers;
  r.abandoned = s.abandoned;
  r.connected = s.connected;
  r.machine = s.machines;
  r.busy = s.busy;
  r.no_answer = s.no_answer;
  r.sit = s.sit;
  r.dnc_blocked = s.dnc_blocked;
  r.answers = {{"live", s.answered_live},       {"machine", s.answered_machine}, {"fax", s.answered_fax},
               {"silence", s.answered_silence}, {"unknown", s.answered_unknown}, {"messages_left", s.messages_left}};
  r.abandon_rate = s.abandon_rate;
  r.agent_occupancy = day.agent_occupancy;
  r.agent_wait_mean_s = day.agent_wait_mean_s;
  r.distribution_time_mean_s = s.distribution_time_mean_s;
  for (const auto& list : lists)
    for (const auto& [status, n] : list->count_by_status()) {
      r.records_by_status[std::string(to_string(status))] += n;
      r.records_total += n;
      if (is_final(status)) r.records_final += n;
      if (status == RecordStatus::retrieved) r.records_retrieved_left += n;
    }
  r.list_copy = tables.list_copy;
  r.sim_s = to_seconds(std::min(end, clock->now()) - start);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  fill_hours(r);
  return r;
}

std::string report_json(const Scenario& sc, const SimResult& r) {
  nlohmann::ordered_json j;
  j["mode"] = std::string(to_string(sc.mode));
  j["pacer"] = sc.pacer;
  j["agents"] = sc.agents;
  j["seed"] = sc.seed;
  j["dials"] = r.dials;
  j["live_answers"] = r.live_answers;
  j["connected"] = r.connected;
  j["abandoned"] = r.abandoned;
  j["abandon_rate"] = r.abandon_rate;
  j["max_window_abandon_rate"] = r.max_window_abandon_rate;
  j["abandon_cap"] = sc.abandon_cap_rate;
  j["agent_occupancy"] = r.agent_occupancy;
  j["agent_wait_mean_s"] = r.agent_wait_mean_s;
  j["distribution_time_mean_s"] = r.distribution_time_mean_s;
  j["machine"] = r.machine;
  j["busy"] = r.busy;
  j["no_answer"] = r.no_answer;
  j["sit"] = r.sit;
  j["dnc_blocked"] = r.dnc_blocked;
  j["record_errors"] = r.record_errors;
  j["records_total"] = r.records_total;
  j["records_final"] = r.records_final;
  if (r.call_log_rows) j["call_log_rows"] = r.call_log_rows;
  long answered = 0;
  for (const auto& [cls, n] : r.answers) answered += cls == "messages_left" ? 0 : n;
  if (answered) {  // new keys, after the first paragraph's: answers by class and messages left
    for (const char* cls : {"live", "machine", "fax", "silence", "unknown"})
      j[std::string("answered_") + cls] = r.answers.count(cls) ? r.answers.at(cls) : 0;
    j["messages_left"] = r.answers.count("messages_left") ? r.answers.at("messages_left") : 0;
  }
  if (r.list_copy) j["list_copy"] = {{"connection", r.list_copy->connection}, {"table", r.list_copy->table}};
  if (sc.campaign) j["campaign"] = sc.campaign->name;
  if (sc.sip) {
    nlohmann::ordered_json codes = nlohmann::ordered_json::object();
    for (const auto& [code, n] : r.sip_final_responses) codes[std::to_string(code)] = n;
    j["sip_final_responses"] = codes;
    j["connect_ms_median"] = r.connect_ms_median ? nlohmann::ordered_json(*r.connect_ms_median) : nlohmann::ordered_json();
    j["connect_ms_p99"] = r.connect_ms_p99 ? nlohmann::ordered_json(*r.connect_ms_p99) : nlohmann::ordered_json();
  }
  j["records_retrieved_left"] = r.records_retrieved_left;
  auto hours = nlohmann::ordered_json::array();
  for (const auto& h : r.hours) {
    double rate = h.live ? static_cast<double>(h.abandoned) / static_cast<double>(h.live) : 0.0;
    hours.push_back({{"dials", h.dials}, {"live_answers", h.live}, {"abandoned", h.abandoned}, {"abandon_rate", rate},
                     {"agent_occupancy", h.occupancy}});
  }
  j["max_hour_abandon_rate"] = r.max_hour_abandon_rate();
  j["records_by_status"] = r.records_by_status;
  j["hourly"] = hours;
  j["sim_s"] = r.sim_s;
  j["wall_s"] = r.wall_s;
  // Whether a baseline dialed behind the abandon guard (false: as published, the comparison).
  if (is_baseline_pacer(sc.pacer)) j["baseline_guard"] = sc.baseline_guard || sc.real_clock;
  return j.dump(2);
}

}  // namespace outbound::cli
