// Setup mistakes refuse the load (issue 17 item 2), on real SQLite lists: a
// customer_id_field the list lacks, record windows given in hours or outside
// the day, tz_dbids the zone map lacks, record types and statuses with no
// code. A refused load changes no row: every row of the list and its lease
// table is compared before and after, with rows an accepted load would have
// rewritten (a retrieved record without a lease, text in dial_sched_time, an
// unmapped zone) among them.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z (09:00 in New York)

// Every row of `table`, each column as SQLite's quote() writes it (type and value), in rowid order.
std::vector<std::string> snapshot(const obtest::TempDir& dir, const std::string& table) {
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "list.db").string());
  std::vector<std::string> columns;
  soci::rowset<soci::row> info = sql.prepare << "PRAGMA table_info(" + table + ")";
  for (const auto& row : info) columns.push_back(row.get<std::string>(1));
  std::string expr;
  for (const auto& c : columns) expr += (expr.empty() ? "" : " || ',' || ") + std::string("quote(") + c + ")";
  std::vector<std::string> out;
  soci::rowset<std::string> rows = sql.prepare << "SELECT " + expr + " FROM " + table + " ORDER BY rowid";
  for (const auto& r : rows) out.push_back(r);
  return out;
}

void exec(const obtest::TempDir& dir, const std::string& statement) {
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "list.db").string());
  sql << statement;
}

// A list of 12 records (tz_dbid 1, customer_id column) holding what an accepted load rewrites.
std::shared_ptr<CallingList> make_list(const obtest::TempDir& dir) {
  CallingList::create_table(dir.sqlite(), "calling_list", {"customer_id TEXT"});
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite()));
  auto records = obtest::make_records(12);
  for (auto& r : records) {
    r.tz_dbid = 1;
    r.custom["customer_id"] = "C" + std::to_string(r.record_id);
  }
  list->insert(records);
  exec(dir, "UPDATE calling_list SET record_status = 2 WHERE record_id = 2");            // retrieved, no lease: recovered
  exec(dir, "UPDATE calling_list SET dial_sched_time = 'soon' WHERE record_id = 3");     // text: made a record error
  return list;
}

struct Rig {
  std::vector<CampaignEvent> events;  // outlives the engine, whose end still sends events
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  Engine engine{clock};
  std::shared_ptr<obtest::ScriptedDriver> driver =
      std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::busy; }, 20s);
  Campaign* campaign = nullptr;

  Rig(std::shared_ptr<CallingList> list, CampaignConfig cfg, CallingWindows windows) {
    campaign = &engine.add_campaign(cfg, driver, nullptr, std::move(windows));
    campaign->on_event([this](const CampaignEvent& e) { events.push_back(e); });
    campaign->add_list(std::move(list));
  }
  long errors() const {
    long n = 0;
    for (const auto& e : events) n += e.kind == CampaignEvent::Kind::record_error;
    return n;
  }
};

CallingWindows new_york(std::optional<DailyWindow> window = std::nullopt) {
  ZoneMap zones;
  zones.add(1, "America/New_York");
  return CallingWindows(zones, window);
}

// Loads and expects a refusal whose message holds every one of `words`; the list and its leases are unchanged.
void expect_refused(const obtest::TempDir& dir, Rig& rig, const std::vector<std::string>& words) {
  const auto rows = snapshot(dir, "calling_list");
  const auto leases = snapshot(dir, "calling_list_lease");
  std::string message;
  try {
    rig.campaign->load();
    FAIL("the load was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    message = e.what();
  }
  for (const auto& w : words) CHECK_MESSAGE(message.find(w) != std::string::npos, "message was: " << message);
  CHECK(rig.campaign->state() == CampaignState::not_loaded);
  CHECK(snapshot(dir, "calling_list") == rows);
  CHECK(snapshot(dir, "calling_list_lease") == leases);
  CHECK(rig.errors() == 0);
}

}  // namespace

TEST_CASE("a customer_id_field the list lacks refuses the load, naming it and the list's columns; nothing changes") {
  obtest::TempDir dir;
  auto list = make_list(dir);
  CampaignConfig cfg;
  cfg.customer_id_field = "customerid";
  Rig rig(list, cfg, new_york());
  expect_refused(dir, rig, {"customer_id_field \"customerid\" names no column of calling_list", "customer_id",
                            "nothing changed"});
}

TEST_CASE("record windows in hours or outside the day refuse the load, with their counts and the seconds meant") {
  obtest::TempDir dir;
  auto list = make_list(dir);
  exec(dir, "UPDATE calling_list SET daily_from = 8, daily_till = 21 WHERE record_id IN (4, 5)");
  exec(dir, "UPDATE calling_list SET daily_from = 28800, daily_till = 28860 WHERE record_id = 6");
  exec(dir, "UPDATE calling_list SET daily_till = 90000 WHERE record_id = 7");
  Rig rig(list, CampaignConfig{}, new_york());
  expect_refused(dir, rig, {"daily_from 8, daily_till 21 in 2 records, e.g. record 4", "looks like hours", "(28800, 75600)",
                            "daily_from 28800, daily_till 28860 in 1 record, e.g. record 6", "open less than 15 minutes",
                            "daily_till 90000 in 1 record, e.g. record 7", "outside 0..86400"});
}

TEST_CASE("tz_dbids the zone map lacks refuse the load, each with its record count, unless the campaign chooses otherwise") {
  SUBCASE("refuse (the default)") {
    obtest::TempDir dir;
    auto list = make_list(dir);
    exec(dir, "UPDATE calling_list SET tz_dbid = 7 WHERE record_id IN (8, 9, 10)");
    exec(dir, "UPDATE calling_list SET tz_dbid = 44 WHERE record_id = 11");
    Rig rig(list, CampaignConfig{}, new_york());
    expect_refused(dir, rig, {"tz_dbid 7 (3 records of calling_list)", "tz_dbid 44 (1 record of calling_list)",
                              "unknown_zones"});
  }
  SUBCASE("errors: the records become final dial errors at load, as before") {
    obtest::TempDir dir;
    auto list = make_list(dir);
    exec(dir, "UPDATE calling_list SET tz_dbid = 7 WHERE record_id IN (8, 9, 10)");
    CampaignConfig cfg;
    cfg.unknown_zones = UnknownZones::errors;
    Rig rig(list, cfg, new_york());
    rig.campaign->load();
    for (std::int64_t id : {8, 9, 10}) {
      auto r = list->get(id);
      REQUIRE(r);
      CHECK(r->record_status == RecordStatus::updated);
      CHECK(r->call_result == CallResult::dial_error);
    }
  }
  SUBCASE("from_numbers: they load, zoned by their numbers") {
    obtest::TempDir dir;
    auto list = make_list(dir);
    exec(dir, "UPDATE calling_list SET tz_dbid = 7 WHERE record_id IN (8, 9, 10)");
    CampaignConfig cfg;
    cfg.unknown_zones = UnknownZones::from_numbers;
    Rig rig(list, cfg, new_york());
    rig.campaign->load();
    CHECK(rig.campaign->state() == CampaignState::inactive);
    for (std::int64_t id : {8, 9, 10}) CHECK(list->get(id)->record_status == RecordStatus::ready);
  }
}

TEST_CASE("record types and statuses with no code refuse the load, with their counts") {
  obtest::TempDir dir;
  auto list = make_list(dir);
  exec(dir, "UPDATE calling_list SET record_type = 42 WHERE record_id = 4");
  exec(dir, "UPDATE calling_list SET record_status = 77 WHERE record_id IN (5, 6)");
  Rig rig(list, CampaignConfig{}, new_york());
  expect_refused(dir, rig, {"record_type \"42\" in 1 record, e.g. record 4", "no record type code",
                            "record_status \"77\" in 2 records, e.g. record 5", "no record status code"});
}

TEST_CASE("a campaign window given in hours, or open a few seconds, is refused with the seconds meant") {
  ZoneMap zones;
  zones.add(1, "America/New_York");
  auto message_of = [&](DailyWindow w) {
    try {
      CallingWindows(zones, w);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(message_of({8, 21}).find("looks like hours: give seconds after local midnight (28800-75600)") != std::string::npos);
  CHECK(message_of({28800, 28860}).find("is open only 60 s") != std::string::npos);
  CHECK(message_of({0, 86400}) == "accepted");
  CHECK(message_of({75600, 28800}) == "accepted");  // wraps past midnight
}

TEST_CASE("a list without mistakes loads and is rewritten as before (recovery, malformed rows)") {
  obtest::TempDir dir;
  auto list = make_list(dir);
  Rig rig(list, CampaignConfig{}, new_york());
  rig.campaign->load();
  CHECK(rig.campaign->state() == CampaignState::inactive);
  CHECK(list->get(2)->record_status == RecordStatus::ready);    // recovered
  CHECK(list->get(3)->record_status == RecordStatus::updated);  // text dial_sched_time: a record error
  CHECK(rig.errors() == 1);
}

TEST_CASE("on PostgreSQL too, a refused load (an unmapped tz_dbid) changes no row, a retrieved record included") {
  const std::string conn = obtest::pg_connection();
  if (conn.empty()) {
    if (std::getenv("OB_ALLOW_NO_PG")) return;
    FAIL("OB_PG_CONN is not set: run the suite with tests/run_suite.sh (it starts PostgreSQL)");
  }
  const std::string table = "load_checks_" + std::to_string(::getpid());
  CallingList::create_table(conn, table);
  ListOptions o;
  o.table = table;
  auto list = std::shared_ptr<CallingList>(CallingList::open(conn, o));
  auto records = obtest::make_records(6);
  for (auto& r : records) r.tz_dbid = r.record_id == 5 ? 7 : 1;
  records[1].record_status = RecordStatus::retrieved;  // no lease: an accepted load would recover it
  list->insert(records);
  // Every column the engine writes, per row.
  auto rows = [&] {
    std::vector<std::string> out;
    for (const auto& r : list->all())
      out.push_back(std::to_string(r.record_id) + "|" + r.contact_info + "|" + std::to_string(static_cast<int>(r.record_type)) +
                    "|" + std::to_string(static_cast<int>(r.record_status)) + "|" + std::to_string(static_cast<int>(r.call_result)) +
                    "|" + std::to_string(r.attempt) + "|" + std::to_string(r.dial_sched_time.value_or(-1)) + "|" +
                    std::to_string(r.call_time.value_or(-1)) + "|" + std::to_string(r.tz_dbid) + "|" + r.agent_id + "|" + r.treatments);
    return out;
  };
  const auto before = rows();
  Rig rig(list, CampaignConfig{}, new_york());
  std::string message;
  try {
    rig.campaign->load();
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK_MESSAGE(message.find("tz_dbid 7 (1 record of " + table + ")") != std::string::npos, "message was: " << message);
  CHECK(rows() == before);
  CHECK(list->count_by_status()[RecordStatus::retrieved] == 1);
}
