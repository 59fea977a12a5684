// Scheduled records and due times, checked from the call log on real SQLite
// lists: no record of a chain is dialed before its dial_sched_time (the
// chain is held until its scheduled records are due), and retries come
// within a stated bound of their due time whatever the chunk and team size.
#include <doctest/doctest.h>

#include <date/tz.h>
#include <soci/soci.h>

#include <map>

#include "../support/test_support.hpp"
#include "outbound/call_log.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/sim.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

Time utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{h} + std::chrono::minutes{min};
}

// The OCS table as a deployment writes it, by hand, with no index of ours.
void create_ocs_table(soci::session& sql) {
  sql << "CREATE TABLE calling_list (record_id integer not null unique, contact_info varchar(128), "
         "contact_info_type integer, record_type integer, record_status integer, call_result integer, attempt integer, "
         "dial_sched_time integer, call_time integer, daily_from integer, daily_till integer, tz_dbid integer, "
         "campaign_id integer, agent_id varchar(32), chain_id integer, chain_n integer, group_id integer, app_id integer, "
         "treatments varchar(255), media_ref integer, email_subject varchar(255), email_template_id integer, "
         "switch_id integer)";
}

// One row: 28 = no call result yet; record_status 1 ready; sched < 0 leaves it NULL.
void insert_row(soci::session& sql, long long id, int chain, int chain_n, int type, long long sched, const std::string& agent = {}) {
  const std::string phone = "+1212555" + std::to_string(1000 + id % 9000);
  sql << "INSERT INTO calling_list (record_id, contact_info, contact_info_type, record_type, record_status, call_result, "
         "attempt, dial_sched_time, call_time, daily_from, daily_till, tz_dbid, campaign_id, agent_id, chain_id, chain_n, "
         "group_id, app_id, treatments, media_ref, email_subject, email_template_id, switch_id) VALUES (" +
             std::to_string(id) + ", '" + phone + "', 1, " + std::to_string(type) + ", 1, 28, 0, " +
             (sched < 0 ? std::string("NULL") : std::to_string(sched)) + ", NULL, 0, 0, 1, 1, " +
             (agent.empty() ? std::string("NULL") : "'" + agent + "'") + ", " + std::to_string(chain) + ", " +
             std::to_string(chain_n) + ", 0, 0, '', 0, '', 0, 0)";
}

struct LoggedDial {
  long long record_id;
  int chain_id;
  Time dialed_at;
};

// Every dial the call log holds, read by plain SQL.
std::vector<LoggedDial> logged_dials(const std::string& log_file) {
  soci::session sql("sqlite3", "db=" + log_file);
  soci::rowset<soci::row> rows = sql.prepare << "SELECT CAST(record_id AS TEXT), CAST(chain_id AS TEXT), CAST(dialed_at_ms AS TEXT) FROM ob_call_log "
                                                "ORDER BY dialed_at_ms";
  std::vector<LoggedDial> out;
  for (const auto& r : rows)
    out.push_back({std::stoll(r.get<std::string>(0)), std::stoi(r.get<std::string>(1)),
                   Time{std::chrono::milliseconds(std::stoll(r.get<std::string>(2)))}});
  return out;
}

Treatment treatment(int id, CallResult on, RecordAction action, Duration interval = {}, int cycles = 1) {
  Treatment t;
  t.id = id;
  t.call_result = on;
  t.action = action;
  t.cycle_attempts = cycles;
  t.interval = interval;
  return t;
}

// A campaign on `list_file` (SQLite) with a call log, calls lasting `call_length` with result `result`.
struct Run {
  obtest::TempDir& dir;
  std::shared_ptr<ManualClock> clock;
  Engine engine;
  std::shared_ptr<obtest::ScriptedDriver> driver;
  std::shared_ptr<CallingList> list;
  std::shared_ptr<CallLog> log;
  Campaign* c = nullptr;

  Run(obtest::TempDir& d, Time start, CampaignConfig cfg, CallResult result, Duration call_length, int agents,
      CallingWindows windows = {})
      : dir(d), clock(std::make_shared<ManualClock>(start)), engine(clock) {
    driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [result](const DialRequest&) { return result; }, call_length);
    ListOptions o;
    o.table = "calling_list";
    list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
    log = std::shared_ptr<CallLog>(CallLog::open(dir.sqlite("log.db")));
    c = &engine.add_campaign(std::move(cfg), driver, nullptr, std::move(windows));
    c->set_call_log(log);
    c->add_list(list);
    c->load();
    for (int i = 0; i < agents; ++i) c->set_agent_state("a" + std::to_string(i), AgentState::ready);
    c->start();
  }
  void finish() {
    c->stop();
    engine.loop().run_until(clock->now() + 1h, [&] { return c->calls_in_flight() == 0; });
    c->unload();
  }
  std::vector<LoggedDial> dials() { return logged_dials((dir.path() / "log.db").string()); }
};

}  // namespace

TEST_CASE("a chain whose first record is a campaign callback at 15:00 is not dialed before 15:00, not even its ready record") {
  obtest::TempDir dir;
  const Time start = utc(2026, 6, 10, 13);
  const Time callback = utc(2026, 6, 10, 15);
  {
    soci::session sql("sqlite3", "db=" + (dir.path() / "list.db").string());
    create_ocs_table(sql);
    insert_row(sql, 1, 1, 1, 6, to_epoch_seconds(callback));  // campaign callback at 15:00
    insert_row(sql, 2, 1, 2, 2, -1);                          // the same customer's other number, ready
    insert_row(sql, 3, 2, 1, 2, -1);                          // another customer, ready: dialed at once
  }
  CampaignConfig cfg;
  cfg.name = "callbacks";
  cfg.empty_list_backoff = 60s;
  cfg.treatments = TreatmentSet({treatment(1, CallResult::no_answer, RecordAction::next_in_chain)});
  Run run(dir, start, cfg, CallResult::no_answer, 20s, 2);
  run.engine.run_until(utc(2026, 6, 10, 16));
  CHECK(run.c->stats().chains_held >= 1);
  run.finish();

  std::map<long long, Time> first_dial;
  for (const auto& d : run.dials()) first_dial.emplace(d.record_id, d.dialed_at);
  REQUIRE(first_dial.count(3));
  CHECK(first_dial[3] < start + 1min);  // the campaign was dialing all along
  REQUIRE(first_dial.count(1));
  REQUIRE(first_dial.count(2));
  CHECK(first_dial[1] >= callback);
  CHECK(first_dial[1] < callback + 2min);  // the callback is kept on time
  CHECK(first_dial[2] >= first_dial[1]);   // then the chain goes on in chain_n order
}

namespace {

const char* kNewYork = "America/New_York";

// A UTC instant for a New York wall-clock time on `day` (+ minutes); in the
// repeated hour of a fall-back the first or the second occurrence.
EpochSeconds new_york(date::local_days day, int minutes, bool later) {
  auto z = date::locate_zone(kNewYork);
  auto local = date::local_seconds(day) + std::chrono::minutes(minutes);
  auto info = z->get_info(local);
  date::sys_seconds t;
  if (info.result == date::local_info::unique)
    t = z->to_sys(local);
  else if (info.result == date::local_info::ambiguous)
    t = z->to_sys(local, later ? date::choose::latest : date::choose::earliest);
  else  // inside the spring-forward gap: that wall time does not exist, the instant after it
    t = info.second.begin;
  return t.time_since_epoch().count();
}

// Random chains of 1 to 4 records: ready, or a campaign callback, personal
// callback or campaign reschedule at a random New York time over 27 hours
// that include a DST change. Returns each record's scheduled time (or none).
std::map<long long, std::optional<EpochSeconds>> random_chains(soci::session& sql, int chains, date::local_days day,
                                                                std::uint64_t seed) {
  sim::Rng rng(seed);
  std::map<long long, std::optional<EpochSeconds>> sched;
  long long id = 0;
  const int scheduled_types[] = {3, 4, 5, 6};
  sql.begin();
  for (int c = 1; c <= chains; ++c) {
    const int n = 1 + static_cast<int>(rng.next() % 4);
    for (int k = 1; k <= n; ++k) {
      ++id;
      if (rng.uniform() < 0.5) {
        insert_row(sql, id, c, k, 2, -1);
        sched[id] = std::nullopt;
        continue;
      }
      const int type = scheduled_types[rng.next() % 4];
      // Minutes across 27 hours from the day's midnight, more of them in the 01:00-03:00 of the change.
      int minutes = rng.uniform() < 0.3 ? 60 + static_cast<int>(rng.next() % 120) : static_cast<int>(rng.next() % (27 * 60));
      const EpochSeconds at = new_york(day, minutes, rng.uniform() < 0.5);
      // A personal callback is for one of the agents (the campaign's own callback_wait applies).
      insert_row(sql, id, c, k, type, at, type == 4 || type == 5 ? "a" + std::to_string(rng.next() % 4) : std::string());
      sched[id] = at;
    }
  }
  sql.commit();
  return sched;
}

void check_no_record_dialed_before_its_time(date::local_days day, std::uint64_t seed) {
  obtest::TempDir dir;
  std::map<long long, std::optional<EpochSeconds>> sched;
  {
    soci::session sql("sqlite3", "db=" + (dir.path() / "list.db").string());
    create_ocs_table(sql);
    sched = random_chains(sql, 120, day, seed);
  }
  // The chain's latest scheduled time: no record of the chain is dialed before it.
  std::map<long long, int> chain_of;
  {
    soci::session sql("sqlite3", "db=" + (dir.path() / "list.db").string());
    soci::rowset<soci::row> rows = sql.prepare << "SELECT CAST(record_id AS TEXT), CAST(chain_id AS TEXT) FROM calling_list";
    for (const auto& r : rows) chain_of[std::stoll(r.get<std::string>(0))] = std::stoi(r.get<std::string>(1));
  }
  std::map<int, EpochSeconds> chain_due;
  for (const auto& [id, at] : sched)
    if (at) chain_due[chain_of[id]] = std::max(chain_due[chain_of[id]], *at);

  CampaignConfig cfg;
  cfg.name = "schedules";
  cfg.empty_list_backoff = 60s;
  cfg.chunk_size = 50;
  // Calls fail fast and the chain goes on 7 minutes later, so chains come
  // back several times around their scheduled records.
  cfg.treatments = TreatmentSet({treatment(1, CallResult::no_answer, RecordAction::next_in_chain_after, 7min)});
  const Time start = date::locate_zone(kNewYork)->to_sys(date::local_seconds(day)) - 2h;
  Run run(dir, start, cfg, CallResult::no_answer, 15s, 6);
  run.engine.run_until(start + 30h);
  run.finish();

  const auto dials = run.dials();
  long early = 0, early_chain = 0;
  for (const auto& d : dials) {
    const EpochSeconds at = to_epoch_seconds(d.dialed_at);
    if (auto s = sched.at(d.record_id); s && at < *s) {
      ++early;
      MESSAGE("record " << d.record_id << " dialed at " << at << ", scheduled for " << *s);
    }
    if (auto it = chain_due.find(d.chain_id); it != chain_due.end() && at < it->second) ++early_chain;
  }
  CHECK(dials.size() > 250);  // the property was exercised
  CHECK(early == 0);
  CHECK(early_chain == 0);  // the chain was held until its scheduled records were due
}

}  // namespace

TEST_CASE("property: no record of a random chain is dialed before its dial_sched_time, across the US fall-back (2026-11-01)") {
  check_no_record_dialed_before_its_time(date::local_days{date::year{2026} / 11 / 1}, 21);
}

TEST_CASE("property: no record of a random chain is dialed before its dial_sched_time, across the US spring-forward (2026-03-08)") {
  check_no_record_dialed_before_its_time(date::local_days{date::year{2026} / 3 / 8}, 22);
}

namespace {

struct LoggedCall {
  long long record_id;
  Time dialed_at, released_at;
};

std::vector<LoggedCall> logged_calls(const std::string& log_file) {
  soci::session sql("sqlite3", "db=" + log_file);
  soci::rowset<soci::row> rows = sql.prepare << "SELECT CAST(record_id AS TEXT), CAST(dialed_at_ms AS TEXT), "
                                                "CAST(released_at_ms AS TEXT) FROM ob_call_log ORDER BY dialed_at_ms";
  std::vector<LoggedCall> out;
  for (const auto& r : rows)
    out.push_back({std::stoll(r.get<std::string>(0)), Time{std::chrono::milliseconds(std::stoll(r.get<std::string>(1)))},
                   Time{std::chrono::milliseconds(std::stoll(r.get<std::string>(2)))}});
  return out;
}

// The stated bound (docs/campaigns.md): a retry this campaign scheduled is
// dialed within pace_interval + 1 s of its due time, or, when no line was
// free then, before any other record.
constexpr Duration kRetryBound = 250ms + 1s;

struct Lateness {
  long redials = 0, late = 0;
  Duration worst{};
};

Lateness check_retries_on_time(std::size_t chunk, int agents) {
  obtest::TempDir dir;
  const Time start = utc(2026, 6, 10, 14);
  CampaignConfig cfg;
  cfg.name = "retries";
  cfg.chunk_size = chunk;
  cfg.empty_list_backoff = 60s;
  cfg.treatments = TreatmentSet({treatment(1, CallResult::no_answer, RecordAction::retry_in, 5min, 2)});
  {
    ListOptions o;
    o.table = "calling_list";
    o.create_if_missing = true;
    auto list = CallingList::open(dir.sqlite(), o);
    std::vector<Record> records;
    for (int i = 1; i <= 1200; ++i) records.push_back(obtest::make_record(i));
    list->insert(records);
  }
  Run run(dir, start, cfg, CallResult::no_answer, 20s, agents);
  run.engine.run_until(start + 20min);
  run.finish();

  const auto calls = logged_calls((dir.path() / "log.db").string());
  std::map<long long, Time> last_release;
  Lateness out;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& c = calls[i];
    auto prev = last_release.find(c.record_id);
    if (prev != last_release.end()) {
      // retry_in 5 min from the result, in the list's whole seconds.
      const Time due = from_epoch_seconds(to_epoch_seconds(prev->second) + 300);
      const Duration late = c.dialed_at > due ? c.dialed_at - due : Duration::zero();
      ++out.redials;
      out.worst = std::max(out.worst, late);
      if (late > kRetryBound) {
        // Late only when a line was free: another record was dialed while this one waited past the bound.
        bool overtaken = false;
        for (std::size_t j = 0; j < i; ++j)
          if (calls[j].dialed_at > due + kRetryBound && calls[j].dialed_at < c.dialed_at) overtaken = true;
        if (overtaken) ++out.late;
      }
    }
    last_release[c.record_id] = c.released_at;
  }
  return out;
}

}  // namespace

TEST_CASE("retries come within pace_interval + 1 s of their due time, for every chunk size and team size (from the call log)") {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{10}, std::size_t{100}, std::size_t{500}})
    for (int agents : {1, 10, 50}) {
      CAPTURE(chunk);
      CAPTURE(agents);
      const Lateness l = check_retries_on_time(chunk, agents);
      MESSAGE("chunk " << chunk << ", " << agents << " agents: " << l.redials << " redials, worst "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(l.worst).count() << " ms after due, "
                       << l.late << " overtaken past the bound");
      CHECK(l.redials > 0);
      CHECK(l.late == 0);
    }
}

TEST_CASE("due records are dialed earliest due first, also when later ones are retrieved while earlier ones wait (from the call log)") {
  // One line, a call a minute, a record due every 10 s: due records pile up
  // and come in several retrievals. A later retrieval must not go before the
  // due records already waiting (it went to the very front: a retry waited
  // while those due after it were dialed).
  obtest::TempDir dir;
  const Time start = utc(2026, 6, 10, 14);
  {
    ListOptions o;
    o.table = "calling_list";
    o.create_if_missing = true;
    auto list = CallingList::open(dir.sqlite(), o);
    std::vector<Record> records;
    for (int i = 1; i <= 40; ++i) {
      Record r = obtest::make_record(i);
      r.record_type = RecordType::campaign_rescheduled;
      r.dial_sched_time = to_epoch_seconds(start) + 10 * (i - 1);
      records.push_back(r);
    }
    list->insert(records);
  }
  CampaignConfig cfg;
  cfg.name = "order";
  cfg.chunk_size = 10;
  Run run(dir, start, cfg, CallResult::answer, 60s, 1);
  run.engine.run_until(start + 15min);
  run.finish();
  const auto dials = run.dials();
  REQUIRE(dials.size() >= 10);
  for (std::size_t i = 1; i < dials.size(); ++i) {
    CAPTURE(i);
    CHECK(dials[i].record_id > dials[i - 1].record_id);
  }
}
