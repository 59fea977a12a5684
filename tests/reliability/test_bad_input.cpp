// Bad input everywhere: a table of malformed inputs, each with the clear error
// it must produce — and nothing lost or changed by it.
#include <doctest/doctest.h>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <map>

#include "../../tools/scenario.hpp"
#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "outbound/timezone.hpp"
#include "outbound/treatment.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

struct Expect {
  const char* input;      // what is wrong
  ErrorCode code;         // the error code it must give
  const char* message;    // words the message must contain
};

template <typename Fn>
void check_error(const Expect& x, Fn&& fn) {
  CAPTURE(x.input);
  try {
    fn();
    FAIL("no error for: " << x.input);
  } catch (const Error& e) {
    CHECK(e.code() == x.code);
    CHECK_MESSAGE(std::string(e.what()).find(x.message) != std::string::npos, "message was: " << e.what());
  }
}

}  // namespace

TEST_CASE("calling-list rows: each malformed value is a per-record error naming the column; good rows still come") {
  struct Row {
    const char* sql_set;  // applied to record 1 only
    const char* reason;
  };
  const Row rows[] = {
      {"contact_info = ''", "contact_info is empty"},
      {"record_type = 42", "record_type has no such code: 42"},
      {"record_status = 1, call_result = 99", "call_result has no such code: 99"},
      {"contact_info_type = 12", "contact_info_type has no such code"},
      {"daily_from = 90000", "daily_from is outside 0..86400"},
      {"daily_till = -5", "daily_till is outside 0..86400"},
      {"attempt = -1", "attempt is negative"},
      {"chain_n = 'first'", "chain_n is not an integer"},
      {"tz_dbid = 3.5", "tz_dbid is not an integer"},
  };
  for (const auto& row : rows) {
    std::string what = row.sql_set;
    CAPTURE(what);
    obtest::TempDir dir;
    ListOptions o;
    o.create_if_missing = true;
    auto list = CallingList::open(dir.sqlite(), o);
    list->insert(obtest::make_records(2));
    {
      soci::session sql(soci::sqlite3, "db=" + (dir.path() / "list.db").string());
      sql << std::string("UPDATE calling_list SET ") + row.sql_set + " WHERE record_id = 1";
    }
    RetrieveRequest rq;
    rq.now = 1000;
    rq.max_records = 10;
    auto got = list->retrieve(rq);
    REQUIRE(got.records.size() == 1);
    CHECK(got.records[0].record_id == 2);
    REQUIRE(got.errors.size() == 1);
    CHECK(got.errors[0].record_id == 1);
    CHECK_MESSAGE(got.errors[0].reason.find(row.reason) != std::string::npos, "reason was: " << got.errors[0].reason);
    auto counts = list->count_by_status();
    long total = 0;
    for (auto [s, n] : counts) total += n;
    CHECK(total == 2);  // nothing dropped
  }
}

TEST_CASE("scenario JSON: each malformed scenario names the offending key") {
  const Expect cases[] = {
      {"{", ErrorCode::invalid_argument, "not valid JSON"},
      {R"({"agentz": 5})", ErrorCode::invalid_argument, "\"agentz\": unknown key"},
      {R"({"agents": -1})", ErrorCode::invalid_argument, "\"agents\""},
      {R"({"agents": "ten"})", ErrorCode::invalid_argument, "expected a number"},
      {R"({"mode": "turbo"})", ErrorCode::invalid_argument, "unknown dialing mode"},
      {R"({"goal": {"overdial_rate": 0.03, "busy_factor": 0.9}})", ErrorCode::invalid_argument, "exactly one goal"},
      {R"({"goal": {"happiness": 1}})", ErrorCode::invalid_argument, "\"goal.happiness\": unknown key"},
      {R"({"network": {"live_answer": 0.9}})", ErrorCode::invalid_argument, "must sum to 1"},
      {R"({"network": {"ring_s": {"dist": "cauchy", "mean": 8}}})", ErrorCode::invalid_argument, "unknown distribution"},
      {R"({"talk_s": {"mean": -3}})", ErrorCode::invalid_argument, "talk_s.mean"},
      {R"({"changes": [{"network": {"busy": 0.2}}]})", ErrorCode::invalid_argument, "changes[0].at_h"},
      {R"({"changes": [{"at_h": 3}, {"at_h": 1}]})", ErrorCode::invalid_argument, "time order"},
      {R"({"list": {"tz_map": {"x": "America/New_York"}}})", ErrorCode::invalid_argument, "integer tz_dbid"},
      {R"({"list": {"tz_map": {"1abc": "America/New_York"}}})", ErrorCode::invalid_argument, "\"list.tz_map.1abc\": keys are integer"},
      {R"({"list": {"tz_map": {"1": "America/New_York", "01": "Europe/London"}}})", ErrorCode::invalid_argument, "tz_dbid 1 is given twice"},
      {R"({"list": {"tz_map": {"99999999999": "America/New_York"}}})", ErrorCode::invalid_argument, "integer tz_dbid"},
      {R"({"abandon_cap": {"rate": 2}})", ErrorCode::invalid_argument, "abandon_cap.rate"},
      {R"({"auto_complete": "yes"})", ErrorCode::invalid_argument, "true or false"},
  };
  for (const auto& x : cases) check_error(x, [&] { cli::parse_scenario(x.input); });
  CHECK_NOTHROW(cli::parse_scenario("{}"));  // every key has a default
}

TEST_CASE("configuration: unknown zones, unsafe SQL, impossible settings") {
  obtest::TempDir dir;
  const Expect zone{"unknown IANA zone", ErrorCode::invalid_argument, "unknown time zone"};
  check_error(zone, [] {
    ZoneMap z;
    z.add(1, "Atlantis/Capital");
  });
  ListOptions o;
  o.create_if_missing = true;
  o.filter = "1=1; DELETE FROM calling_list";
  check_error({"filter with a statement", ErrorCode::invalid_argument, "not allowed"},
              [&] { CallingList::open(dir.sqlite(), o); });
  o.filter.clear();
  o.table = "calling_list where 1=1";
  check_error({"table name with SQL", ErrorCode::invalid_argument, "not a plain SQL identifier"},
              [&] { CallingList::open(dir.sqlite(), o); });
  auto clock = std::make_shared<ManualClock>();
  EventLoop loop(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(loop, [](const DialRequest&) { return CallResult::answer; });
  CampaignConfig bad_ratio;
  bad_ratio.ratio = 0;
  check_error({"ratio 0", ErrorCode::invalid_argument, "ratio"}, [&] { Campaign(loop, bad_ratio, driver, nullptr); });
  CampaignConfig short_ring;
  short_ring.ring_timeout = 10s;
  Campaign c(loop, short_ring, driver, nullptr);
  o = ListOptions{};
  o.create_if_missing = true;
  c.add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o)));
  check_error({"ring timeout under 15 s", ErrorCode::invalid_argument, "at least 15 s"}, [&] { c.load(); });
}

TEST_CASE("desktop requests: each invalid request is refused and changes nothing") {
  obtest::TempDir dir;
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  list->insert(obtest::make_records(3));
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::answer; });
  CampaignConfig cfg;
  cfg.mode = DialMode::preview;
  auto& c = engine.add_campaign(cfg, driver);  // no DNC list
  c.add_list(list);
  c.load();
  c.start();
  auto rec = c.preview_record_request("a1").value();
  const EpochSeconds now = to_epoch_seconds(clock->now());
  const Expect cases[] = {
      {"unknown handle", ErrorCode::not_found, "unknown or already finished"},
      {"someone else's handle", ErrorCode::invalid_argument, "held by agent a1"},
      {"reschedule into the past", ErrorCode::invalid_argument, "into the past"},
      {"do not call without a DNC list", ErrorCode::invalid_state, "no do-not-call list"},
      {"bare number without a DNC list", ErrorCode::invalid_state, "no do-not-call list"},
      {"result code that does not exist", ErrorCode::invalid_argument, "does not exist"},
      {"add a record without an id", ErrorCode::invalid_argument, "positive record_id"},
      {"add a record that exists", ErrorCode::invalid_argument, "already exists"},
      {"ready time of an unknown agent", ErrorCode::not_found, "no agent"},
  };
  check_error(cases[0], [&] { c.record_processed("a1", rec.handle + 1000); });
  check_error(cases[1], [&] { c.record_cancel("a2", rec.handle); });
  check_error(cases[2], [&] { c.record_reschedule("a1", rec.handle, now - 1, CallbackKind::campaign); });
  check_error(cases[3], [&] { c.do_not_call("a1", rec.handle, DncScope::record); });
  check_error(cases[4], [&] { c.do_not_call_number("2125550100"); });
  check_error(cases[5], [&] { c.update_call_completion_stats("a1", rec.handle, static_cast<CallResult>(77)); });
  check_error(cases[6], [&] { c.add_record("a1", Record{}); });
  check_error(cases[7], [&] { c.add_record("a1", obtest::make_record(2)); });
  check_error(cases[8], [&] { c.ready_time("ghost", 5s); });
  // After all of that the record is still held and can be finished normally.
  c.flush();
  CHECK(list->get(rec.record.record_id)->record_status == RecordStatus::retrieved);
  c.record_processed("a1", rec.handle, CallResult::answer);
  c.flush();
  CHECK(list->get(rec.record.record_id)->record_status == RecordStatus::updated);
}

TEST_CASE("driver events: unknown calls, events out of order and duplicates are ignored, never fatal") {
  obtest::TempDir dir;
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  list->insert(obtest::make_records(1));
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));
  Engine engine(clock);

  // A driver that misbehaves in every way it can, from the sink's side.
  class Rogue : public Driver {
   public:
    explicit Rogue(EventLoop& l) : loop_(l) {}
    DriverCapabilities capabilities() const override { return {}; }
    void start(EventSink& s) override { sink_ = &s; }
    void dial(const DialRequest& rq) override {
      auto id = rq.call_id;
      auto now = loop_.now();
      sink_->on_call_event(obtest::call_event(CallEventKind::released, id + 100, now));   // unknown call
      sink_->on_call_event(obtest::call_event(CallEventKind::connected, id, now, AnswerClass::unknown, "a1"));  // before answer
      sink_->on_call_event(obtest::call_event(CallEventKind::answered, id, now, AnswerClass::live));
      sink_->on_call_event(obtest::call_event(CallEventKind::answered, id, now, AnswerClass::live));  // twice
      sink_->on_call_event(obtest::call_event(CallEventKind::released, id, now, AnswerClass::unknown, {}, CallResult::answer));
      sink_->on_call_event(obtest::call_event(CallEventKind::released, id, now, AnswerClass::unknown, {}, CallResult::busy));  // after the end
      sink_->on_agent_event({"", AgentState::ready, now});  // nameless agent
    }
    void cancel(CallId) override { throw std::runtime_error("cancel exploded"); }
    void release_abandoned(CallId) override { throw 42; }  // not even an exception type
    void stop() override { sink_ = nullptr; }
    std::string name() const override { return "rogue"; }

   private:
    EventLoop& loop_;
    EventSink* sink_ = nullptr;
  };
  auto& c = engine.add_campaign(CampaignConfig{}, std::make_shared<Rogue>(engine.loop()));
  std::vector<std::string> driver_errors;
  c.on_event([&](const CampaignEvent& e) {
    if (e.kind == CampaignEvent::Kind::driver_error) driver_errors.push_back(e.message);
  });
  c.add_list(list);
  c.load();
  c.set_agent_state("a1", AgentState::ready);
  c.start();
  engine.run_until(clock->now() + 1min);
  c.force_unload();
  CHECK(list->get(1)->record_status == RecordStatus::updated);
  CHECK(list->get(1)->call_result == CallResult::answer);  // the first release counts
  CHECK(list->get(1)->attempt == 1);
  CHECK(driver_errors.size() >= 2);
  bool unknown_reported = false;
  for (const auto& m : driver_errors) unknown_reported |= m.find("unknown call") != std::string::npos;
  CHECK(unknown_reported);
}

TEST_CASE("SQLite 'database is locked': a clear error, dialing pauses, nothing is lost") {
  obtest::TempDir dir;
  const std::string conn = dir.sqlite() + "?timeout=0";  // fail at once instead of waiting for the lock
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(conn, o));
  list->insert(obtest::make_records(300));
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::answer; }, 20s);
  CampaignConfig cfg;
  cfg.chunk_size = 10;
  auto& c = engine.add_campaign(cfg, driver);
  std::vector<std::string> db_errors;
  c.on_event([&](const CampaignEvent& e) {
    if (e.kind == CampaignEvent::Kind::database_error) db_errors.push_back(e.message);
  });
  c.add_list(list);
  c.load();
  for (int i = 0; i < 3; ++i) c.set_agent_state("a" + std::to_string(i), AgentState::ready);
  c.start();
  engine.run_until(clock->now() + 5min);
  std::size_t dials_before = driver->requests.size();
  {
    // Another program holds the write lock for a while.
    soci::session other(soci::sqlite3, "db=" + (dir.path() / "list.db").string());
    other << "BEGIN EXCLUSIVE";
    engine.run_until(clock->now() + 2min);
    std::size_t during = driver->requests.size() - dials_before;
    CHECK(during <= 3);  // at most the calls whose attempts were written before the lock was taken
    other << "ROLLBACK";
  }
  engine.run_until(clock->now() + 2h);
  c.stop();
  engine.loop().run_until(clock->now() + 10min, [&] { return c.calls_in_flight() == 0; });
  c.unload();
  REQUIRE_FALSE(db_errors.empty());
  CHECK(db_errors.front().find("locked") != std::string::npos);
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::retrieved] == 0);
  CHECK(counts[RecordStatus::updated] == 300);  // every record finished after the lock went
  std::map<std::int64_t, int> dials;
  for (const auto& rq : driver->requests) ++dials[rq.record_id];
  for (const auto& r : list->all()) CHECK(r.attempt == dials[r.record_id]);
}

TEST_CASE("SQLite full (a size quota standing in for a full disk): a clear error, dialing pauses, nothing is lost") {
  obtest::TempDir dir;
  const std::string file = (dir.path() / "list.db").string();
  {
    ListOptions o;
    o.create_if_missing = true;
    CallingList::open(dir.sqlite(), o)->insert(obtest::make_records(3000));
  }
  long pages = 0;
  {
    // Room another program will give back later (as if a disk were cleaned up).
    soci::session other(soci::sqlite3, "db=" + file);
    other << "CREATE TABLE filler (b BLOB)";
    other << "INSERT INTO filler VALUES (zeroblob(400000))";
    other << "PRAGMA wal_checkpoint(TRUNCATE)";
    other << "PRAGMA page_count", soci::into(pages);
  }
  REQUIRE(pages > 0);
  // The list may not grow: leases and treatment history soon need a new page.
  ListOptions o;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite() + "?timeout=0&max_pages=" + std::to_string(pages + 2), o));
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::busy; }, 20s);
  CampaignConfig cfg;
  cfg.chunk_size = 50;
  auto& c = engine.add_campaign(cfg, driver);
  // Busy numbers are redialed: each record's treatment history grows the table mid-run.
  Treatment redial;
  redial.id = 1;
  redial.call_result = CallResult::busy;
  redial.action = RecordAction::retry_in;
  redial.cycle_attempts = 3;
  redial.interval = 10min;
  c.set_treatments(TreatmentSet({redial}));
  // Which write fills the file first (a lease taken at retrieval, or a result
  // with its longer history) depends on page layout. A failed retrieval only
  // stops the buffer from refilling; a failed result write must stop dialing.
  std::vector<std::string> db_errors, write_errors;
  c.on_event([&](const CampaignEvent& e) {
    if (e.kind != CampaignEvent::Kind::database_error) return;
    db_errors.push_back(e.message);
    if (e.message.rfind("write results", 0) == 0) write_errors.push_back(e.message);
  });
  c.add_list(list);
  c.load();
  for (int i = 0; i < 20; ++i) c.set_agent_state("a" + std::to_string(i), AgentState::ready);
  c.start();
  engine.loop().run_until(clock->now() + 4h, [&] { return !write_errors.empty(); });
  REQUIRE_FALSE(write_errors.empty());
  CHECK(db_errors.front().find("full") != std::string::npos);
  CHECK(write_errors.front().find("full") != std::string::npos);
  const std::size_t dials_at_full = driver->requests.size();
  engine.run_until(clock->now() + 10min);
  CHECK(driver->requests.size() - dials_at_full <= 20);  // only calls whose attempts were written before it filled
  {
    soci::session other(soci::sqlite3, "db=" + file);
    other << "DROP TABLE filler";  // space again: the engine's retries go through
  }
  engine.run_until(clock->now() + 8h);
  c.stop();
  engine.loop().run_until(clock->now() + 10min, [&] { return c.calls_in_flight() == 0; });
  c.unload();
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::retrieved] == 0);
  std::map<std::int64_t, int> dials;
  for (const auto& rq : driver->requests) ++dials[rq.record_id];
  MESSAGE("dials at full " << dials_at_full << ", total " << driver->requests.size() << ", db errors " << db_errors.size());
  CHECK(driver->requests.size() > dials_at_full + 100);  // dialing resumed
  for (const auto& r : list->all()) CHECK(r.attempt == dials[r.record_id]);  // every placed call is counted; none beyond
}
