// `outbound demo`: a day of a campaign on the embedded default — a SQLite
// calling list (with a DNC table) dialed through a simulated T-Server with
// simulated agents, under a manual clock — with a live progress line, a
// summary table, a plot and the JSON report. A second run continues on the
// same list a simulated day later, so rescheduled records come due.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <unistd.h>

#include "cli.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/dnc.hpp"
#include "outbound/error.hpp"
#include "outbound/sim.hpp"
#include "outbound/timezone.hpp"
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
// Every customer's own window: 09:00–20:00 local.
constexpr DailyWindow kCustomerWindow{9 * 3600, 20 * 3600};

constexpr const char* kDemoUsage =
    "usage: outbound demo [options]\n"
    "A predictive day on a SQLite calling list, dialed through a simulated switch with simulated agents\n"
    "under a simulated clock: live progress on stderr, then a summary, a plot and a JSON report.\n"
    "A second run continues on the same list a simulated day later (rescheduled records come due).\n"
    "\n"
    "  --list FILE     the calling list, created with N records when missing (default demo.db)\n"
    "  --out DIR       where demo.svg and demo.json go (default demo-out)\n"
    "  --records N     records of a new list (default 10000)\n"
    "  --agents N      simulated agents (default 50)\n"
    "  --hours H       simulated hours of dialing (default 8)\n"
    "  --seed S        random seed of the list and the network (default 1)\n"
    "  --mode M        predictive (default), progressive, progressive_seize, predictive_seize,\n"
    "                  power_seize, progressive_gvp, predictive_gvp or power_gvp\n"
    "  --fresh         delete the list first and start over\n"
    "  --help          this text\n";

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
    r.daily_from = kCustomerWindow.from_s;
    r.daily_till = kCustomerWindow.till_s;
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
EpochSeconds demo_start(const std::string& list_path) {
  EpochSeconds start = 1773061200;  // 2026-03-09T13:00:00Z, the Monday after US DST began
  EpochSeconds last = 0;
  for (const auto& r : CallingList::open("sqlite3://" + list_path)->all())
    if (r.call_time) last = std::max(last, *r.call_time);
  while (last && start <= last) start += 86400;
  return start;
}

std::string iso_utc(EpochSeconds at) {
  std::time_t t = static_cast<std::time_t>(at);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Parses the options; nullopt after printing the usage for --help.
std::optional<DemoOptions> parse_demo_args(const std::vector<std::string>& args) {
  DemoOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kDemoUsage;
      return std::nullopt;
    }
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(ErrorCode::invalid_argument, args[i] + " needs a value");
      return args[++i];
    };
    // A whole number in [lo, hi] (std::stol alone would say just "stol" for "--agents ten").
    auto whole = [&](unsigned long long lo, unsigned long long hi) {
      const std::string flag = args[i], v = value();
      try {
        std::size_t used = 0;
        unsigned long long n = std::stoull(v, &used);
        if (used == v.size() && v[0] != '-' && n >= lo && n <= hi) return n;
      } catch (const std::logic_error&) {
      }
      throw Error(ErrorCode::invalid_argument, flag + " needs a whole number in [" + std::to_string(lo) + ", " +
                                                   std::to_string(hi) + "], not \"" + v + "\"");
    };
    auto positive = [&] {
      const std::string flag = args[i], v = value();
      try {
        std::size_t used = 0;
        double d = std::stod(v, &used);
        if (used == v.size() && d > 0 && std::isfinite(d)) return d;
      } catch (const std::logic_error&) {
      }
      throw Error(ErrorCode::invalid_argument, flag + " needs a positive number, not \"" + v + "\"");
    };
    const unsigned long long kMaxCount = 2147483647;
    if (args[i] == "--list") o.list_path = value();
    else if (args[i] == "--out") o.out_dir = value();
    else if (args[i] == "--records") o.records = static_cast<long>(whole(1, kMaxCount));
    else if (args[i] == "--agents") o.agents = static_cast<int>(whole(1, kMaxCount));
    else if (args[i] == "--hours") o.hours = positive();
    else if (args[i] == "--seed") o.seed = whole(0, std::numeric_limits<unsigned long long>::max());
    else if (args[i] == "--mode") o.mode = value();
    else if (args[i] == "--fresh") o.fresh = true;
    else throw Error(ErrorCode::invalid_argument, "unknown demo option " + args[i] + " (outbound demo --help lists them)");
  }
  if (o.records <= 0 || o.agents <= 0 || !(o.hours > 0)) throw Error(ErrorCode::invalid_argument, "records, agents and hours must be positive");
  return o;
}

Scenario demo_scenario(const DemoOptions& o, EpochSeconds start) {
  Scenario s = parse_scenario("{}");
  s.seed = o.seed;
  s.duration_h = o.hours;
  s.agents = o.agents;
  auto mode = dial_mode_from_string(o.mode);
  if (!mode || *mode == DialMode::none)
    throw Error(ErrorCode::invalid_argument, "unknown dialing mode \"" + o.mode + "\" (outbound demo --help lists them)");
  s.mode = *mode;
  s.goal = OptimizationGoal::overdial_rate;
  s.target = 0.03;
  s.list.connection = "sqlite3://" + o.list_path;
  s.list.dnc_table = "gsw_donotcall_list";
  s.list.call_log_table = "ob_call_log";  // the proof of every call, and the abandon window across runs
  s.list.in_place = true;  // the demo goes on with the same list run after run
  for (const auto& [id, name] : kDemoZones) s.list.tz_map[id] = name;
  s.list.start_utc = iso_utc(start);
  return s;
}

// "New York" for "America/New_York".
std::string city_of(const std::string& iana) {
  std::string city = iana.substr(iana.rfind('/') + 1);
  std::replace(city.begin(), city.end(), '_', ' ');
  return city;
}

// "09:00" for 32400 seconds after midnight.
std::string hh_mm(int seconds) {
  char b[16];
  std::snprintf(b, sizeof b, "%02d:%02d", seconds / 3600, seconds / 60 % 60);
  return b;
}

// "1:05" for 1.0833 hours of simulated time.
std::string clock_of(double hours) {
  const long minutes = std::lround(hours * 60);
  char b[32];
  std::snprintf(b, sizeof b, "%ld:%02ld", minutes / 60, minutes % 60);
  return b;
}

// When each zone's customer window first opens, in hours after the start, earliest first.
struct ZoneOpening {
  std::string city;
  double at_h = 0;
};
std::vector<ZoneOpening> zone_openings(EpochSeconds start) {
  ZoneMap zones;
  std::vector<ZoneOpening> out;
  const Time t0 = from_epoch_seconds(start);
  for (const auto& [id, name] : kDemoZones) {
    zones.add(id, name);
    if (auto open = zones.next_open(std::to_string(id), kCustomerWindow, t0))
      out.push_back({city_of(name), to_seconds(*open - t0) / 3600.0});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at_h < b.at_h; });
  return out;
}

// The deepest occupancy dip (5-minute mean under half) while some zones were
// still closed: the open zones' records ran short before the next one opened.
// Its time is the middle of the five minutes (samples are taken at a minute's end).
struct Dip {
  double at_h = 0, occupancy = 1;
};
std::optional<Dip> dip_before_all_open(const SimResult& r, const std::vector<ZoneOpening>& openings) {
  constexpr std::size_t kSpan = 5;
  if (openings.size() < 2) return std::nullopt;
  std::optional<Dip> worst;
  for (std::size_t i = 10; i < r.minutes.size(); ++i) {  // the first minutes are the ramp-up
    const double t = r.minutes[i].t_h - kSpan / 2.0 / 60.0;
    if (t >= openings.back().at_h) break;
    const double occ = occupancy_mean(r, i, kSpan);
    if (occ < 0.5 && (!worst || occ < worst->occupancy)) worst = Dip{t, occ};
  }
  return worst;
}

void print_progress(const MinuteSample& m, const CampaignStats& s, double cap, const std::string& window, bool tty) {
  if (!tty && static_cast<long>(m.t_h * 60 + 0.5) % 30 != 0) return;  // a line every 30 minutes in logs
  char line[256];
  int h = static_cast<int>(m.t_h), min = static_cast<int>((m.t_h - h) * 60 + 0.5);
  std::snprintf(line, sizeof line,
                "[sim %02d:%02d] dials %6ld  live %5ld  abandoned %4ld  abandon %5.2f%% over %s (cap %.0f%%)  occupancy %.2f  agents %d",
                h, min, s.dials, s.live_answers, s.abandoned, 100.0 * s.window_abandon_rate, window.c_str(), 100.0 * cap,
                m.occupancy, s.agents_logged_in);
  std::cerr << (tty ? "\r" : "") << line << (tty ? "" : "\n") << std::flush;
}

// "  key<pad>value"; a line break in the value continues under the value.
void print_row(const std::string& k, const std::string& v) {
  constexpr std::size_t kKeyWidth = 28;
  std::string value;
  for (char c : v) value += c == '\n' ? "\n" + std::string(kKeyWidth + 2, ' ') : std::string(1, c);
  std::cout << "  " << k << std::string(k.size() < kKeyWidth ? kKeyWidth - k.size() : 1, ' ') << value << "\n";
}

// The abandon figures, each with the span it is measured over: the cap holds
// over its whole window (30 days), so one hour above it is no breach.
void print_abandons(const Scenario& s, const SimResult& r) {
  const std::string window = window_words(s.abandon_window_h);
  print_row("abandon rate", fmt_pct(r.abandon_rate) + " of live answers in this run");
  print_row("abandon cap", fmt_pct(s.abandon_cap_rate) + " of live answers over " + window +
                               " (the US rule); the rate over that window peaked at " +
                               fmt_pct(r.max_window_abandon_rate));
  print_row("worst single hour", fmt_pct(r.max_hour_abandon_rate()) + " (an hour may go above " +
                                     fmt_pct(s.abandon_cap_rate) + ": the cap counts " + window + ", not hours)");
}

// Why the start is slow: calls follow each customer's local hours, so the
// zones open one by one, and a dip before the last one opens is the open
// zones running out of records, not the pacer.
void print_windows(const SimResult& r, const std::vector<ZoneOpening>& openings) {
  std::string opens;
  for (const auto& z : openings) opens += (opens.empty() ? "" : ", ") + z.city + " " + clock_of(z.at_h);
  print_row("calling windows", hh_mm(kCustomerWindow.from_s) + "-" + hh_mm(kCustomerWindow.till_s) +
                                   " local; they open at " + opens);
  if (auto dip = dip_before_all_open(r, openings)) {
    std::string open_now, next;
    int open_count = 0;
    for (const auto& z : openings) {
      if (z.at_h < dip->at_h) open_now += (open_count++ ? " and " : "") + z.city;
      else if (next.empty()) next = z.city + " opened at " + clock_of(z.at_h);
    }
    if (open_count == 0) return;  // nothing open yet: no list to run short
    print_row("dip at " + clock_of(dip->at_h),
              "occupancy " + fmt_fixed(100 * dip->occupancy, 0) + "% while only " + open_now +
                  (open_count > 1 ? " were" : " was") + " open:\n" + (open_count > 1 ? "their" : "its") +
                  " records were all dialed or waiting for a retry until " + next);
  }
}

void print_summary(const DemoOptions& o, const Scenario& s, const SimResult& r, bool created,
                   const std::vector<ZoneOpening>& openings) {
  std::cout << "\noutbound demo — " << to_string(s.mode) << " dialing, " << o.agents << " simulated agents, "
            << fmt_fixed(o.hours, 1) << " simulated hours from " << s.list.start_utc << "\n"
            << "  list " << o.list_path << (created ? " (created now)" : " (continued)") << "\n\n";
  print_row("dials", std::to_string(r.dials));
  print_row("live answers", std::to_string(r.live_answers) + " (" + fmt_pct(r.dials ? double(r.live_answers) / double(r.dials) : 0) + " of dials)");
  print_row("connected to agents", std::to_string(r.connected));
  print_row("abandoned", std::to_string(r.abandoned));
  print_abandons(s, r);
  print_row("agent occupancy", fmt_fixed(r.agent_occupancy, 3));
  print_row("agent wait between calls", fmt_fixed(r.agent_wait_mean_s, 1) + " s");
  print_row("answer to agent", fmt_fixed(r.distribution_time_mean_s, 2) + " s");
  print_row("busy / no answer", std::to_string(r.busy) + " / " + std::to_string(r.no_answer));
  print_row("machines / SIT", std::to_string(r.machine) + " / " + std::to_string(r.sit));
  print_row("DNC blocked", std::to_string(r.dnc_blocked));
  print_row("record errors", std::to_string(r.record_errors));
  print_row("call log", std::to_string(r.call_log_rows) + " rows in " + o.list_path + " (" + s.list.call_log_table + ", every run)");
  print_windows(r, openings);
  std::cout << "\n  records by status (of " << r.records_total << "):\n";
  for (const auto& [status, n] : r.records_by_status)
    std::cout << "    " << status << std::string(18 - status.size(), ' ') << n << "\n";
  std::cout << "\n  simulated " << fmt_fixed(r.sim_s / 3600.0, 2) << " h in " << fmt_fixed(r.wall_s, 2) << " s wall\n"
            << "  plot:   " << o.out_dir << "/demo.svg\n"
            << "  report: " << o.out_dir << "/demo.json\n";
}

}  // namespace

int run_demo(const std::vector<std::string>& args) {
  std::optional<DemoOptions> parsed = parse_demo_args(args);
  if (!parsed) return 0;
  const DemoOptions& o = *parsed;
  if (o.fresh)
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.list_path + suffix);
  bool created = prepare_list(o);
  const EpochSeconds start = demo_start(o.list_path);
  Scenario s = demo_scenario(o, start);
  const auto openings = zone_openings(start);
  const bool tty = isatty(STDERR_FILENO);
  const std::string window = window_words(s.abandon_window_h);
  RunOptions run;
  run.progress = false;
  run.on_minute = [&](const MinuteSample& m, const CampaignStats& st) { print_progress(m, st, s.abandon_cap_rate, window, tty); };
  SimResult r = run_scenario(s, run);
  if (tty) std::cerr << "\n";
  std::filesystem::create_directories(o.out_dir);
  std::vector<PlotMarker> markers;
  for (const auto& z : openings)
    if (z.at_h > 0) markers.push_back({z.at_h, z.city + " opens"});
  write_plot_svg(o.out_dir + "/demo.svg", s, r,
                 "outbound demo: " + std::string(to_string(s.mode)) + ", " + std::to_string(o.agents) + " agents, " + s.list.start_utc,
                 markers);
  std::ofstream(o.out_dir + "/demo.json") << report_json(s, r) << "\n";
  print_summary(o, s, r, created, openings);
  return r.records_retrieved_left == 0 ? 0 : 1;  // nothing may be left retrieved
}

}  // namespace outbound::cli
