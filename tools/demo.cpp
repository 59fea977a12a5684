// `outbound demo`: a day of a campaign on the embedded default — a SQLite
// calling list (with a DNC table) dialed through a simulated T-Server with
// simulated agents, under a manual clock — with a live progress line, a
// summary table, a plot and the JSON report. A second run continues on the
// same list a simulated day later, so rescheduled records come due.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "cli.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/dnc.hpp"
#include "outbound/error.hpp"
#include "outbound/sim.hpp"
#include "sim_run.hpp"

namespace outbound::cli {
namespace {

struct DemoOptions {
  std::string list_path = "demo.db";
  std::string out_dir = "demo-out";
  long records = 10000;
  int agents = 50;
  double hours = 8.0;
  std::uint64_t seed = 1;
  bool fresh = false;
  std::string mode = "predictive";
};

// US zones of the demo list: tz_dbid -> IANA name.
const std::map<int, std::string> kDemoZones = {
    {1, "America/New_York"}, {2, "America/Chicago"}, {3, "America/Denver"}, {4, "America/Los_Angeles"}};

std::string random_us_phone(sim::Rng& rng) {
  // Area codes and exchanges 200-999 keep every number a possible NANP number;
  // written the way people write them, so DNC matching must normalise.
  auto part = [&](int lo, int span) { return std::to_string(lo + static_cast<int>(rng.next() % static_cast<std::uint64_t>(span))); };
  std::string line = std::to_string(10000 + rng.next() % 10000).substr(1);
  return "(" + part(200, 800) + ") " + part(200, 800) + "-" + line;
}

std::vector<Record> make_demo_records(long n, std::uint64_t seed) {
  sim::Rng rng(seed ^ 0x5eedULL);
  std::vector<Record> out;
  out.reserve(static_cast<std::size_t>(n));
  for (long i = 1; i <= n; ++i) {
    Record r;
    r.record_id = i;
    r.contact_info = random_us_phone(rng);
    r.chain_id = static_cast<int>(i);
    r.chain_n = 1;
    r.tz_dbid = 1 + static_cast<int>(rng.next() % kDemoZones.size());
    r.daily_from = 9 * 3600;  // the customer's own window: 09:00–20:00 local
    r.daily_till = 20 * 3600;
    r.campaign_id = 1;
    out.push_back(std::move(r));
  }
  return out;
}

// Creates the list and its DNC table the first time; a few customers asked
// not to be called. Returns true when it was created now.
bool prepare_list(const DemoOptions& o) {
  if (std::filesystem::exists(o.list_path)) return false;
  const std::string conn = "sqlite3://" + o.list_path;
  CallingList::create_table(conn, "calling_list");
  auto list = CallingList::open(conn);
  auto records = make_demo_records(o.records, o.seed);
  list->insert(records);
  auto dnc = DncList::open(conn);
  for (std::size_t i = 0; i < records.size(); i += 250) dnc->add_phone(records[i].contact_info, "demo: asked not to be called");
  return true;
}

// The demo day starts at 13:00 UTC (09:00 in New York); a later run starts
// the day after the last call, so rescheduled records come due.
std::string demo_start(const std::string& list_path) {
  EpochSeconds start = 1773061200;  // 2026-03-09T13:00:00Z, the Monday after US DST began
  EpochSeconds last = 0;
  for (const auto& r : CallingList::open("sqlite3://" + list_path)->all())
    if (r.call_time) last = std::max(last, *r.call_time);
  while (last && start <= last) start += 86400;
  std::time_t t = static_cast<std::time_t>(start);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

DemoOptions parse_demo_args(const std::vector<std::string>& args) {
  DemoOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(ErrorCode::invalid_argument, args[i] + " needs a value");
      return args[++i];
    };
    if (args[i] == "--list") o.list_path = value();
    else if (args[i] == "--out") o.out_dir = value();
    else if (args[i] == "--records") o.records = std::stol(value());
    else if (args[i] == "--agents") o.agents = std::stoi(value());
    else if (args[i] == "--hours") o.hours = std::stod(value());
    else if (args[i] == "--seed") o.seed = std::stoull(value());
    else if (args[i] == "--mode") o.mode = value();
    else if (args[i] == "--fresh") o.fresh = true;
    else throw Error(ErrorCode::invalid_argument, "unknown demo option " + args[i]);
  }
  if (o.records <= 0 || o.agents <= 0 || !(o.hours > 0)) throw Error(ErrorCode::invalid_argument, "records, agents and hours must be positive");
  return o;
}

Scenario demo_scenario(const DemoOptions& o) {
  Scenario s = parse_scenario("{}");
  s.seed = o.seed;
  s.duration_h = o.hours;
  s.agents = o.agents;
  auto mode = dial_mode_from_string(o.mode);
  if (!mode) throw Error(ErrorCode::invalid_argument, "unknown mode " + o.mode);
  s.mode = *mode;
  s.goal = OptimizationGoal::overdial_rate;
  s.target = 0.03;
  s.list.connection = "sqlite3://" + o.list_path;
  s.list.dnc_table = "gsw_donotcall_list";
  s.list.call_log_table = "ob_call_log";  // the proof of every call, and the abandon window across runs
  s.list.in_place = true;  // the demo goes on with the same list run after run
  for (const auto& [id, name] : kDemoZones) s.list.tz_map[id] = name;
  s.list.start_utc = demo_start(o.list_path);
  return s;
}

void print_progress(const MinuteSample& m, const CampaignStats& s, double cap, bool tty) {
  if (!tty && static_cast<long>(m.t_h * 60 + 0.5) % 30 != 0) return;  // a line every 30 minutes in logs
  char line[256];
  int h = static_cast<int>(m.t_h), min = static_cast<int>((m.t_h - h) * 60 + 0.5);
  std::snprintf(line, sizeof line,
                "[sim %02d:%02d] dials %6ld  live %5ld  abandoned %4ld  abandon %5.2f%% (cap %.0f%%)  occupancy %.2f  agents %d",
                h, min, s.dials, s.live_answers, s.abandoned, 100.0 * s.window_abandon_rate, 100.0 * cap, m.occupancy,
                s.agents_logged_in);
  std::cerr << (tty ? "\r" : "") << line << (tty ? "" : "\n") << std::flush;
}

void print_summary(const DemoOptions& o, const Scenario& s, const SimResult& r, bool created) {
  auto row = [](const std::string& k, const std::string& v) { std::cout << "  " << k << std::string(28 - k.size(), ' ') << v << "\n"; };
  std::cout << "\noutbound demo — " << to_string(s.mode) << " dialing, " << o.agents << " simulated agents, "
            << fmt_fixed(o.hours, 1) << " simulated hours from " << s.list.start_utc << "\n"
            << "  list " << o.list_path << (created ? " (created now)" : " (continued)") << "\n\n";
  row("dials", std::to_string(r.dials));
  row("live answers", std::to_string(r.live_answers) + " (" + fmt_pct(r.dials ? double(r.live_answers) / double(r.dials) : 0) + " of dials)");
  row("connected to agents", std::to_string(r.connected));
  row("abandoned", std::to_string(r.abandoned));
  row("abandon rate", fmt_pct(r.abandon_rate) + " of live answers (cap " + fmt_pct(s.abandon_cap_rate) + ")");
  row("worst hour abandon rate", fmt_pct(r.max_hour_abandon_rate()));
  row("agent occupancy", fmt_fixed(r.agent_occupancy, 3));
  row("agent wait between calls", fmt_fixed(r.agent_wait_mean_s, 1) + " s");
  row("answer to agent", fmt_fixed(r.distribution_time_mean_s, 2) + " s");
  row("busy / no answer", std::to_string(r.busy) + " / " + std::to_string(r.no_answer));
  row("machines / SIT", std::to_string(r.machine) + " / " + std::to_string(r.sit));
  row("DNC blocked", std::to_string(r.dnc_blocked));
  row("record errors", std::to_string(r.record_errors));
  row("call log", std::to_string(r.call_log_rows) + " rows in " + o.list_path + " (" + s.list.call_log_table + ", every run)");
  std::cout << "\n  records by status (of " << r.records_total << "):\n";
  for (const auto& [status, n] : r.records_by_status)
    std::cout << "    " << status << std::string(18 - status.size(), ' ') << n << "\n";
  std::cout << "\n  simulated " << fmt_fixed(r.sim_s / 3600.0, 2) << " h in " << fmt_fixed(r.wall_s, 2) << " s wall\n"
            << "  plot:   " << o.out_dir << "/demo.svg\n"
            << "  report: " << o.out_dir << "/demo.json\n";
}

}  // namespace

int run_demo(const std::vector<std::string>& args) {
  DemoOptions o = parse_demo_args(args);
  if (o.fresh)
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.list_path + suffix);
  bool created = prepare_list(o);
  Scenario s = demo_scenario(o);
  const bool tty = isatty(STDERR_FILENO);
  RunOptions run;
  run.progress = false;
  run.on_minute = [&](const MinuteSample& m, const CampaignStats& st) { print_progress(m, st, s.abandon_cap_rate, tty); };
  SimResult r = run_scenario(s, run);
  if (tty) std::cerr << "\n";
  std::filesystem::create_directories(o.out_dir);
  write_plot_svg(o.out_dir + "/demo.svg", s, r,
                 "outbound demo: " + std::string(to_string(s.mode)) + ", " + std::to_string(o.agents) + " agents, " + s.list.start_utc);
  std::ofstream(o.out_dir + "/demo.json") << report_json(s, r) << "\n";
  print_summary(o, s, r, created);
  return r.records_retrieved_left == 0 ? 0 : 1;  // nothing may be left retrieved
}

}  // namespace outbound::cli
