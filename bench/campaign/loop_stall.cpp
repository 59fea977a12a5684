// How long the engine's loop stops while the calling-list database stalls.
//
// A progressive campaign runs in wall time on a SQLite (or PostgreSQL) list
// with a simulated switch. A probe timer on the same loop fires every 5 ms and
// records how late it ran: the loop's stall. Twice during the run another
// connection locks the list for `--stall-ms` (SQLite: BEGIN EXCLUSIVE;
// PostgreSQL: LOCK TABLE ... ACCESS EXCLUSIVE). Everything on the loop — the
// 2-second abandon timer, connecting a live answer — waits as long as the
// probe does, so the probe's worst lateness is the worst delay of a connect
// decision. On PostgreSQL every table the campaign uses is locked.
//
// By default the campaign also has a call log and a DNC list in the same
// database (as a compliant deployment does), so the lock holds up every
// database user the loop thread still has: call-log writes (each abandon is
// written at once), the DNC sync before each dialing turn, the log re-reads.
// `--call-log 0` / `--dnc 0` leave them out (the list's I/O alone).
// `--rereads 1` adds contact limits and the abandoned-number lockout, whose
// call-log rows the campaign re-reads once a minute; a stall must then cover
// a minute mark to catch one (e.g. `--seconds 100 --stall-ms 30000`: the
// first lock holds from 33 s to 63 s). `--records 200` lets the list run out
// first, so the stall meets an idle campaign counting its list (every 10 to
// 80 s) instead of one writing results.
//
//   loop_stall [--pg postgresql:CONN] [--stall-ms 2000] [--seconds 12] [--agents 50] [--call-log 1] [--dnc 1] [--rereads 0] [--records 20000]
//
// Prints one JSON line: probe lateness (median, p99, max) overall and during
// the stalls, the campaign's counters, and the longest time without a dial
// (dial_gap_ms_max): how long dial decisions waited for the database.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <soci/soci.h>

#include "outbound/call_log.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/engine.hpp"

using namespace outbound;
namespace fs = std::filesystem;

namespace {

struct Options {
  std::string pg;        // PostgreSQL connection; empty: a SQLite file
  int stall_ms = 2000;   // how long each lock is held
  int seconds = 12;      // wall time of the run
  int agents = 50;
  int records = 20000;   // fewer: the list runs out and the campaign idles (its idle reason counts the list)
  bool call_log = true;  // a call log in the same database
  bool dnc = true;       // a DNC list in the same database
  bool rereads = false;  // contact limits and the abandoned-number lockout: the log is re-read every minute
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--pg") o.pg = v;
    else if (k == "--stall-ms") o.stall_ms = std::stoi(v);
    else if (k == "--seconds") o.seconds = std::stoi(v);
    else if (k == "--agents") o.agents = std::stoi(v);
    else if (k == "--records") o.records = std::stoi(v);
    else if (k == "--call-log") o.call_log = std::stoi(v) != 0;
    else if (k == "--dnc") o.dnc = std::stoi(v) != 0;
    else if (k == "--rereads") o.rereads = std::stoi(v) != 0;
    else throw std::runtime_error("unknown option " + k);
  }
  return o;
}

std::vector<Record> make_records(int n) {
  std::vector<Record> out;
  for (int i = 1; i <= n; ++i) {
    Record r;
    r.record_id = i;
    r.contact_info = "+1646" + std::to_string(5000000 + i);
    r.chain_id = i;
    r.chain_n = 1;
    r.campaign_id = 1;
    out.push_back(std::move(r));
  }
  return out;
}

// SOCI's spelling of a connection ("postgresql://dbname=…") from ours ("postgresql:dbname=…").
std::string soci_connection(const std::string& conn) {
  const std::string scheme = "postgresql:";
  if (conn.rfind(scheme, 0) == 0 && conn.rfind(scheme + "//", 0) != 0) return scheme + "//" + conn.substr(scheme.size());
  return conn;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// Holds a lock on the list table from another connection, twice.
void stall_database(const Options& o, const std::string& sqlite_path, Clock& clock, std::vector<std::pair<Time, Time>>& stalls) {
  std::unique_ptr<soci::session> s = o.pg.empty()
                                         ? std::make_unique<soci::session>("sqlite3", "db=" + sqlite_path + " timeout=30")
                                         : std::make_unique<soci::session>(soci_connection(o.pg));
  for (int round = 0; round < 2; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(o.seconds * 1000 / 3));
    if (o.pg.empty()) {
      *s << "BEGIN EXCLUSIVE";
    } else {
      // Every table the campaign uses: the database stalls, not one table.
      std::string tables = "loop_stall_list, loop_stall_list_lease";
      if (o.call_log) tables += ", loop_stall_call_log";
      if (o.dnc) tables += ", loop_stall_dnc, loop_stall_dnc_changes";
      for (;;) {  // the engine's worker may hold one table and want another: PostgreSQL breaks the deadlock
        try {
          *s << "BEGIN";
          *s << "LOCK TABLE " + tables + " IN ACCESS EXCLUSIVE MODE";
          break;
        } catch (const soci::soci_error&) {
          *s << "ROLLBACK";
        }
      }
    }
    const Time from = clock.now();
    std::this_thread::sleep_for(std::chrono::milliseconds(o.stall_ms));
    *s << "COMMIT";
    stalls.emplace_back(from, clock.now());
  }
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  const fs::path dir = fs::temp_directory_path() / ("loop_stall_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string sqlite_path = (dir / "list.db").string();

  ListOptions lo;
  lo.table = "loop_stall_list";
  lo.create_if_missing = true;
  const std::string conn = o.pg.empty() ? "sqlite3://" + sqlite_path : o.pg;
  if (!o.pg.empty()) {
    soci::session s(soci_connection(o.pg));
    s << "DROP TABLE IF EXISTS loop_stall_list";
    s << "DROP TABLE IF EXISTS loop_stall_list_lease";
    s << "DROP TABLE IF EXISTS loop_stall_call_log";
    s << "DROP TABLE IF EXISTS loop_stall_dnc";
    s << "DROP TABLE IF EXISTS loop_stall_dnc_changes";
  }
  auto list = std::shared_ptr<CallingList>(CallingList::open(conn, lo));
  list->insert(make_records(o.records));

  Engine engine(std::make_shared<SystemClock>());
  sim::NetworkModel model;
  model.ring = sim::make_distribution("lognormal", 3.0, 1.0);
  sim::Network network(engine.loop(), model, 7);
  sim::AgentModel agents{sim::make_distribution("lognormal", 4.0, 2.0), sim::make_distribution("constant", 0.5)};
  auto tserver = std::make_shared<sim::SimTServer>(network, agents, o.agents, "agent");

  CampaignConfig cfg;
  cfg.name = "loop-stall";
  cfg.mode = DialMode::progressive;
  cfg.ratio = 2.0;
  if (o.rereads && o.call_log) {
    cfg.contact_limits = {ContactLimit{3, std::chrono::hours(24)}};
    cfg.abandoned_redial_lockout = std::chrono::hours(72);
  }
  std::shared_ptr<DncList> dnc;
  if (o.dnc) {
    DncOptions d;
    d.table = "loop_stall_dnc";
    dnc = std::shared_ptr<DncList>(DncList::open(conn, d));
    dnc->add_phone("+16465000001", "bench");  // one record blocked, so the list is really consulted
  }
  Campaign& campaign = engine.add_campaign(cfg, tserver, dnc);
  campaign.add_list(list);
  if (o.call_log) {
    CallLogOptions lg;
    lg.table = "loop_stall_call_log";
    campaign.set_call_log(std::shared_ptr<CallLog>(CallLog::open(conn, lg)));
  }
  std::vector<Time> dialed;  // when each dial went out (loop thread)
  campaign.on_event([&](const CampaignEvent& e) {
    if (e.kind == CampaignEvent::Kind::dialing) dialed.push_back(engine.clock().now());
  });
  campaign.load();
  campaign.start();

  std::vector<std::pair<Time, double>> late;  // (due, lateness in ms)
  const Duration period = std::chrono::milliseconds(5);
  std::function<void(Time)> probe = [&](Time due) {
    const double late_ms = std::chrono::duration<double, std::milli>(engine.clock().now() - due).count();
    late.emplace_back(due, late_ms);
    engine.loop().schedule_at(due + period, [&probe, next = due + period] { probe(next); });
  };
  const Time t0 = engine.clock().now();
  engine.loop().schedule_at(t0 + period, [&probe, next = t0 + period] { probe(next); });

  std::vector<std::pair<Time, Time>> stalls;  // written by the staller, read after join
  std::atomic<bool> stalled_twice{false};
  std::thread staller([&] {
    stall_database(o, sqlite_path, engine.clock(), stalls);
    stalled_twice = true;
  });
  engine.run_until(t0 + std::chrono::seconds(o.seconds));
  // The loop (and the probe) runs on while a long second stall ends: a join here would stall it.
  engine.loop().run_until(Time::max(), [&] { return stalled_twice.load(); });
  staller.join();
  campaign.stop();
  engine.loop().run_until(engine.clock().now() + std::chrono::seconds(30), [&] { return campaign.calls_in_flight() == 0; });
  campaign.unload();
  const auto s = campaign.stats();
  engine.remove_campaign("loop-stall");  // before the network it dials on goes

  // Probes due while a lock was held (or in the second after it) measure the stall.
  std::vector<double> all, during;
  for (const auto& [due, ms] : late) {
    all.push_back(ms);
    for (const auto& [from, to] : stalls)
      if (due >= from && due <= to + std::chrono::seconds(1)) during.push_back(ms);
  }

  double dial_gap_ms = 0;
  for (std::size_t i = 1; i < dialed.size(); ++i)
    dial_gap_ms = std::max(dial_gap_ms, std::chrono::duration<double, std::milli>(dialed[i] - dialed[i - 1]).count());

  std::printf(
      "{\"db\": \"%s\", \"stall_ms\": %d, \"probe_late_ms\": {\"median\": %.1f, \"p99\": %.1f, \"max\": %.1f}, "
      "\"probe_late_ms_during_stall\": {\"median\": %.1f, \"max\": %.1f}, \"dials\": %ld, \"live_answers\": %ld, "
      "\"abandoned\": %ld, \"dial_gap_ms_max\": %.1f, \"call_log\": %s, \"dnc\": %s, \"rereads\": %s}\n",
      o.pg.empty() ? "sqlite" : "postgresql", o.stall_ms, percentile(all, 0.5), percentile(all, 0.99),
      all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()), percentile(during, 0.5),
      during.empty() ? 0.0 : *std::max_element(during.begin(), during.end()), s.dials, s.live_answers,
      s.abandoned, dial_gap_ms, o.call_log ? "true" : "false", o.dnc ? "true" : "false",
      o.rereads ? "true" : "false");
  fs::remove_all(dir);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "loop_stall: " << e.what() << "\n";
  return 1;
}
