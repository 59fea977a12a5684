// `outbound demo`: a progressive campaign on a SQLite list with simulated
// agents and a simulated T-Server, under a manual clock, with live progress
// and a summary at the end.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <unistd.h>

#include "cli.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "outbound/sim.hpp"
#include "outbound/timezone.hpp"

namespace outbound::cli {
namespace {

struct DemoOptions {
  std::string list_path = "demo.db";
  long records = 10000;
  int agents = 20;
  double hours = 8.0;
  std::uint64_t seed = 1;
  bool fresh = false;
};

// US zones used by the demo list: tz_dbid -> IANA name.
const std::vector<std::pair<int, std::string>> kDemoZones = {
    {1, "America/New_York"}, {2, "America/Chicago"}, {3, "America/Denver"}, {4, "America/Los_Angeles"}};

std::string random_us_phone(sim::Rng& rng) {
  // Area codes and exchanges 2xx–9xx keep every number a possible NANP number.
  auto digits = [&](int n, int first_min) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 ? first_min + static_cast<int>(rng.next() % static_cast<std::uint64_t>(10 - first_min)) : static_cast<int>(rng.next() % 10)));
    return s;
  };
  return "(" + digits(3, 2) + ") " + digits(3, 2) + "-" + digits(4, 0);
}

std::vector<Record> make_demo_records(long n, std::uint64_t seed) {
  sim::Rng rng(seed ^ 0x5eedULL);
  std::vector<Record> out;
  out.reserve(static_cast<std::size_t>(n));
  for (long i = 1; i <= n; ++i) {
    Record r;
    r.record_id = i;
    r.contact_info = random_us_phone(rng);
    r.contact_info_type = ContactInfoType::home;
    r.chain_id = static_cast<int>(i);
    r.chain_n = 1;
    r.tz_dbid = kDemoZones[rng.next() % kDemoZones.size()].first;
    r.daily_from = 8 * 3600;   // the customer's own window: 08:00–21:00 local
    r.daily_till = 21 * 3600;
    r.campaign_id = 1;
    out.push_back(std::move(r));
  }
  return out;
}

TreatmentSet demo_treatments() {
  auto retry = [](int id, CallResult result, int cycles, std::chrono::minutes interval) {
    Treatment t;
    t.id = id;
    t.name = std::string(to_string(result)) + " retry";
    t.call_result = result;
    t.action = RecordAction::retry_in;
    t.cycle_attempts = cycles;
    t.interval = interval;
    return t;
  };
  return TreatmentSet({retry(1, CallResult::busy, 3, std::chrono::minutes(10)),
                       retry(2, CallResult::no_answer, 3, std::chrono::minutes(60)),
                       retry(3, CallResult::answering_machine, 2, std::chrono::minutes(120)),
                       retry(4, CallResult::abandoned, 1, std::chrono::minutes(90))});
}

// The demo day starts at 13:00 UTC (09:00 in New York); a second run starts
// the day after the last call, so rescheduled records come due.
Time demo_start(CallingList& list) {
  Time start = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z, the Monday after US DST began
  EpochSeconds last = 0;
  for (const auto& r : list.all())
    if (r.call_time) last = std::max(last, *r.call_time);
  while (last && to_epoch_seconds(start) <= last) start += std::chrono::hours(24);
  return start;
}

DemoOptions parse_demo_args(const std::vector<std::string>& args) {
  DemoOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(ErrorCode::invalid_argument, args[i] + " needs a value");
      return args[++i];
    };
    if (args[i] == "--list") o.list_path = value();
    else if (args[i] == "--records") o.records = std::stol(value());
    else if (args[i] == "--agents") o.agents = std::stoi(value());
    else if (args[i] == "--hours") o.hours = std::stod(value());
    else if (args[i] == "--seed") o.seed = std::stoull(value());
    else if (args[i] == "--fresh") o.fresh = true;
    else throw Error(ErrorCode::invalid_argument, "unknown demo option " + args[i]);
  }
  if (o.records <= 0 || o.agents < 0 || !(o.hours > 0)) throw Error(ErrorCode::invalid_argument, "records, agents and hours must be positive");
  return o;
}

void print_progress(const Campaign& c, Time now, Time start, bool tty) {
  auto s = c.stats();
  double h = to_seconds(now - start) / 3600.0;
  char line[256];
  std::snprintf(line, sizeof line, "[%5.2f h] dials %6ld  live %5ld  abandoned %4ld (%.2f%%)  occupancy %.2f  agents %d  in flight %d",
                h, s.dials, s.live_answers, s.abandoned, 100.0 * s.abandon_rate, s.agent_occupancy, s.agents_logged_in,
                s.calls_in_flight);
  std::cerr << (tty ? "\r" : "") << line << (tty ? "" : "\n") << std::flush;
}

}  // namespace

int run_demo(const std::vector<std::string>& args) {
  DemoOptions o = parse_demo_args(args);
  auto wall_start = std::chrono::steady_clock::now();
  if (o.fresh) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.list_path + suffix);
  }
  const std::string conn = "sqlite3://" + o.list_path;
  bool created = !std::filesystem::exists(o.list_path);
  ListOptions lo;
  lo.table = "calling_list";
  lo.create_if_missing = true;
  lo.create_indexes = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(conn, lo));
  if (created) {
    list->insert(make_demo_records(o.records, o.seed));
    std::cerr << "created " << o.list_path << " with " << o.records << " records\n";
  }
  auto dnc = std::shared_ptr<DncList>(DncList::open(conn));
  if (created) {  // a few customers asked not to be called
    auto all = list->all();
    for (std::size_t i = 0; i < all.size(); i += 500) dnc->add_phone(all[i].contact_info, "demo: asked not to be called");
  }

  auto clock = std::make_shared<ManualClock>(demo_start(*list));
  Engine engine(clock);
  const Time start = clock->now();
  sim::Network net(engine.loop(), sim::NetworkModel{}, o.seed);
  auto driver = std::make_shared<sim::SimTServer>(net, sim::AgentModel{}, o.agents);

  ZoneMap zones;
  for (const auto& [id, name] : kDemoZones) zones.add(id, name);
  CallingWindows windows(zones, DailyWindow{8 * 3600, 21 * 3600});

  CampaignConfig cfg;
  cfg.name = "demo";
  cfg.mode = DialMode::progressive;
  cfg.ratio = 1.0;
  cfg.treatments = demo_treatments();
  Campaign& campaign = engine.add_campaign(cfg, driver, dnc, windows);
  long record_errors = 0;
  campaign.on_event([&](const CampaignEvent& e) {
    if (e.kind == CampaignEvent::Kind::record_error) ++record_errors;
    if (e.kind == CampaignEvent::Kind::database_error || e.kind == CampaignEvent::Kind::driver_error)
      std::cerr << "\n" << e.message << "\n";
  });
  campaign.add_list(list);
  campaign.load();
  campaign.start();

  const bool tty = isatty(STDERR_FILENO);
  const Time end = start + from_seconds(o.hours * 3600.0);
  for (Time t = start; t < end;) {
    t = std::min(end, t + std::chrono::minutes(15));
    engine.run_until(t);
    print_progress(campaign, clock->now(), start, tty);
  }
  campaign.stop();  // calls in flight finish and are written back
  engine.loop().run_until(end + std::chrono::hours(1), [&] { return campaign.calls_in_flight() == 0; });
  campaign.unload();
  if (tty) std::cerr << "\n";

  auto s = campaign.stats();
  auto counts = list->count_by_status();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::cout << "\noutbound demo: progressive campaign, " << o.agents << " simulated agents, " << o.hours
            << " simulated hours on " << o.list_path << "\n"
            << "  dials               " << s.dials << "\n"
            << "  live answers        " << s.live_answers << " (" << fmt_pct(s.dials ? double(s.live_answers) / double(s.dials) : 0) << " of dials)\n"
            << "  connected to agents " << s.connected << "\n"
            << "  abandoned           " << s.abandoned << "\n"
            << "  abandon rate        " << fmt_pct(s.abandon_rate) << " of live answers\n"
            << "  agent occupancy     " << fmt_fixed(s.agent_occupancy, 3) << "\n"
            << "  busy / no answer / machine / SIT  " << s.busy << " / " << s.no_answer << " / " << s.machines << " / " << s.sit << "\n"
            << "  DNC blocked         " << s.dnc_blocked << "\n"
            << "  deferred by window  " << s.window_deferred << "\n"
            << "  record errors       " << record_errors << "\n"
            << "  records by status:\n";
  for (const auto& [status, n] : counts) std::cout << "    " << to_string(status) << std::string(16 - to_string(status).size(), ' ') << n << "\n";
  std::cout << "  simulated " << fmt_fixed(to_seconds(clock->now() - start) / 3600.0, 2) << " h in " << fmt_fixed(wall, 2) << " s wall\n";
  return counts.count(RecordStatus::retrieved) ? 1 : 0;  // nothing may be left retrieved
}

}  // namespace outbound::cli
