// What `outbound serve` reads and asks of the library, through the real path
// (SQLite files, and the suite's PostgreSQL when OB_PG_CONN is set): calls in
// flight by phase, third-party cancels by phone or customer id, and list
// progress by calling window.
#include <doctest/doctest.h>

#include <set>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "outbound/list_progress.hpp"
#include "outbound/timezone.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z: 09:00 New York, 06:00 Los Angeles

/// A driver the test plays by hand: it keeps the requests and the sink.
class HandDriver : public Driver {
 public:
  DriverCapabilities capabilities() const override { return {}; }
  void start(EventSink& sink) override { sink_ = &sink; }
  void dial(const DialRequest& rq) override { requests.push_back(rq); }
  void cancel(CallId id) override { send(CallEventKind::released, id, AnswerClass::unknown, CallResult::cleared); }
  void release_abandoned(CallId id) override { send(CallEventKind::released, id, AnswerClass::unknown, CallResult::abandoned); }
  void stop() override { sink_ = nullptr; }
  std::string name() const override { return "hand"; }

  void send(CallEventKind kind, CallId id, AnswerClass answer = AnswerClass::unknown, CallResult result = CallResult::unknown,
            std::string agent = {}) {
    if (sink_) sink_->on_call_event(obtest::call_event(kind, id, Time{}, answer, std::move(agent), result));
  }
  std::vector<DialRequest> requests;

 private:
  EventSink* sink_ = nullptr;
};

/// The backends this machine offers: a SQLite file always, PostgreSQL when the suite runs one.
std::vector<std::string> backends(const obtest::TempDir& dir) {
  std::vector<std::string> out = {dir.sqlite()};
  if (!obtest::pg_connection().empty()) out.push_back(obtest::pg_connection());
  return out;
}

// A new table (names carry the process id: the suite's PostgreSQL server is shared by its tests).
std::shared_ptr<CallingList> fresh_list(const std::string& connection, const std::string& table,
                                        const std::vector<std::string>& custom = {}) {
  CallingList::create_table(connection, table, custom);
  ListOptions o;
  o.table = table;
  return std::shared_ptr<CallingList>(CallingList::open(connection, o));
}

std::string unique_table(const char* stem) { return std::string(stem) + "_" + std::to_string(::getpid()); }

RecordStatus status_of(CallingList& list, std::int64_t id) { return list.get(id).value().record_status; }

}  // namespace

TEST_CASE("call counts follow each call: dialing, ringing, waiting for an agent, connected, other") {
  obtest::TempDir dir;
  auto list = fresh_list(dir.sqlite(), "calling_list");
  list->insert(obtest::make_records(4));
  auto clock = std::make_shared<ManualClock>(kStart);
  Engine engine(clock);
  auto driver = std::make_shared<HandDriver>();
  CampaignConfig cfg;
  cfg.name = "watch";
  cfg.abandon_after = 1h;  // the waiting call stays waiting while the test looks
  Campaign& c = engine.add_campaign(cfg, driver);
  c.add_list(list);
  c.load();
  for (int i = 0; i < 4; ++i) c.set_agent_state("a" + std::to_string(i), AgentState::ready);
  c.start();
  engine.run_until(clock->now() + 2s);
  REQUIRE(driver->requests.size() == 4);
  CHECK(c.call_counts().dialing == 4);

  const CallId a = driver->requests[0].call_id, b = driver->requests[1].call_id, d = driver->requests[2].call_id,
               e = driver->requests[3].call_id;
  driver->send(CallEventKind::ringing, a);
  driver->send(CallEventKind::ringing, b);
  driver->send(CallEventKind::answered, b, AnswerClass::live);
  driver->send(CallEventKind::answered, d, AnswerClass::live);
  driver->send(CallEventKind::connected, d, AnswerClass::unknown, CallResult::unknown, "a0");
  driver->send(CallEventKind::ringing, e);
  driver->send(CallEventKind::answered, e, AnswerClass::machine);
  engine.run_until(clock->now() + 1s);
  CallCounts n = c.call_counts();
  CHECK(n.dialing == 0);
  CHECK(n.ringing == 1);
  CHECK(n.waiting == 1);
  CHECK(n.connected == 1);
  CHECK(n.other == 1);
  CHECK(n.dialing + n.ringing + n.waiting + n.connected + n.other == static_cast<int>(c.calls_in_flight()));
  c.force_unload();
}

TEST_CASE("a third-party cancel by phone cancels that number's ready and buffered records, in any format, and nothing else") {
  obtest::TempDir dir;
  for (const auto& connection : backends(dir)) {
    CAPTURE(connection);
    const std::string table = unique_table("cancel_phone");
    auto list = fresh_list(connection, table);
    auto records = obtest::make_records(30);
    records[3].contact_info = "(212) 555-0101";
    records[17].contact_info = "+1 212 555 0101";
    records[25].contact_info = "212.555.0101";
    records[26].contact_info = "(212) 555-0102";  // one digit off: stays
    list->insert(records);

    auto clock = std::make_shared<ManualClock>(kStart);
    Engine engine(clock);
    auto driver = std::make_shared<HandDriver>();
    CampaignConfig cfg;
    cfg.name = "cancel";
    cfg.chunk_size = 10;  // the first ten records are buffered, the rest stay ready in the table
    Campaign& c = engine.add_campaign(cfg, driver, std::make_shared<DncList>("US"));
    c.add_list(list);
    c.load();
    c.start();  // no agent: nothing is dialed, the buffer fills
    engine.run_until(clock->now() + 2s);
    REQUIRE(status_of(*list, records[3].record_id) == RecordStatus::retrieved);
    REQUIRE(status_of(*list, records[17].record_id) == RecordStatus::ready);

    CancelOutcome out = c.cancel_records({"212-555-0101", ""});
    std::set<std::int64_t> cancelled(out.cancelled.begin(), out.cancelled.end());
    CHECK(cancelled == std::set<std::int64_t>{records[3].record_id, records[17].record_id, records[25].record_id});
    CHECK(out.in_progress.empty());
    for (const auto& r : records) {
      CAPTURE(r.record_id);
      const RecordStatus st = status_of(*list, r.record_id);
      if (cancelled.count(r.record_id))
        CHECK(st == RecordStatus::cancelled);
      else
        CHECK(st != RecordStatus::cancelled);
    }
    // A cancelled buffered record is never dialed: an agent comes, every other record is dialed.
    c.set_agent_state("a1", AgentState::ready);
    engine.run_until(clock->now() + 5s);
    for (const auto& rq : driver->requests) CHECK(rq.record_id != records[3].record_id);
    CHECK_THROWS_AS(c.cancel_records({"not a number", ""}), Error);
    c.force_unload();
  }
}

TEST_CASE("a third-party cancel by customer id cancels the customer's records; a record in a call is reported, not touched") {
  obtest::TempDir dir;
  for (const auto& connection : backends(dir)) {
    CAPTURE(connection);
    const std::string table = unique_table("cancel_customer");
    auto list = fresh_list(connection, table, {"customer_id TEXT"});
    auto records = obtest::make_records(6);
    for (auto& r : records) r.custom["customer_id"] = r.record_id % 2 ? "C-odd" : "C-even";
    list->insert(records);
    auto clock = std::make_shared<ManualClock>(kStart);
    Engine engine(clock);
    auto driver = std::make_shared<HandDriver>();
    CampaignConfig cfg;
    cfg.name = "cancel";
    cfg.customer_id_field = "customer_id";
    cfg.chunk_size = 1;
    Campaign& c = engine.add_campaign(cfg, driver);
    c.add_list(list);
    c.load();
    c.set_agent_state("a1", AgentState::ready);
    c.start();
    engine.run_until(clock->now() + 2s);
    REQUIRE(driver->requests.size() == 1);  // record 1 (C-odd) is in a call
    const std::int64_t in_call = driver->requests[0].record_id;
    REQUIRE(in_call == 1);

    CancelOutcome out = c.cancel_records({"", "C-odd"});
    CHECK(std::set<std::int64_t>(out.cancelled.begin(), out.cancelled.end()) == std::set<std::int64_t>{3, 5});
    CHECK(out.in_progress == std::vector<std::int64_t>{1});
    CHECK(status_of(*list, 1) == RecordStatus::retrieved);
    for (std::int64_t id : {2, 4, 6}) CHECK(status_of(*list, id) != RecordStatus::cancelled);
    CampaignConfig no_field;
    no_field.name = "nofield";
    Campaign& other = engine.add_campaign(no_field, std::make_shared<HandDriver>());
    other.add_list(list);
    CHECK_THROWS_AS(other.cancel_records({"", "C-odd"}), Error);
    c.force_unload();
  }
}

TEST_CASE("list progress splits ready records into dialable now, waiting for their window, and scheduled later") {
  obtest::TempDir dir;
  for (const auto& connection : backends(dir)) {
    CAPTURE(connection);
    auto list = fresh_list(connection, unique_table("progress"));
    auto records = obtest::make_records(10);
    for (int i = 0; i < 10; ++i) {
      records[i].tz_dbid = i < 6 ? 1 : 2;  // 1: New York (09:00 at the start), 2: Los Angeles (06:00)
      records[i].daily_from = 8 * 3600;
      records[i].daily_till = 21 * 3600;
    }
    records[0].dial_sched_time = to_epoch_seconds(kStart) + 3600;  // a callback in an hour
    records[1].record_status = RecordStatus::updated;
    records[2].tz_dbid = 9;  // a zone nobody mapped
    list->insert(records);
    ZoneMap zones;
    zones.add(1, "America/New_York");
    zones.add(2, "America/Los_Angeles");
    CallingWindows windows(zones, DailyWindow{8 * 3600, 21 * 3600});

    ListProgress p = list_progress(*list, windows, kStart);
    CHECK(p.by_status[RecordStatus::ready] == 9);
    CHECK(p.by_status[RecordStatus::updated] == 1);
    CHECK(p.ready == 9);
    CHECK(p.scheduled_later == 1);
    CHECK(p.dialable_now == 3);      // records 4, 5, 6 in New York
    CHECK(p.window_deferred == 4);   // records 7..10 in Los Angeles, before 08:00 there
    CHECK(p.unknown_zone == 1);
    ListProgress later = list_progress(*list, windows, kStart + 4h);  // 10:00 in Los Angeles
    CHECK(later.dialable_now == 8);
    CHECK(later.window_deferred == 0);
    CHECK(later.scheduled_later == 0);
  }
}
