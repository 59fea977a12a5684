// The call log through the real path: campaigns on SQLite files (and the log
// API on PostgreSQL), the engine loop under a manual clock, a scripted driver.
#include <doctest/doctest.h>
#include <unistd.h>

#include <thread>

#include <soci/soci.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "../support/test_support.hpp"
#include "outbound/call_log.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z
const std::string kShared = "+12125550100";          // one number in two records

/// One engine run of a campaign on `dir`'s list, with the call log in log.db.
struct Run {
  std::vector<CampaignEvent> events;  // first: it outlives the engine, whose campaigns report while unloading
  std::shared_ptr<ManualClock> clock;
  Engine engine;
  std::shared_ptr<obtest::ScriptedDriver> driver;
  std::shared_ptr<CallLog> log;
  Campaign* c = nullptr;

  Run(const obtest::TempDir& dir, Time start, obtest::ScriptedDriver::Script script,
      std::function<void(CampaignConfig&)> tune = {}, const std::string& log_conn = {})
      : clock(std::make_shared<ManualClock>(start)), engine(clock) {
    driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), std::move(script), 20s);
    log = CallLog::open(log_conn.empty() ? dir.sqlite("log.db") : log_conn);
    CampaignConfig cfg;
    cfg.name = "logged";
    cfg.abandoned_redial_lockout = 72h;
    if (tune) tune(cfg);
    c = &engine.add_campaign(cfg, driver, DncList::open(dir.sqlite()));
    c->on_event([this](const CampaignEvent& e) { events.push_back(e); });
    c->add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite())));
    c->set_call_log(log);
  }
  void go(int agents = 1) {
    c->load();
    for (int i = 0; i < agents; ++i) c->set_agent_state("a" + std::to_string(i), AgentState::ready);
    c->start();
  }
  void run(Duration d) { engine.run_until(clock->now() + d); }
  long dials_to(const std::string& phone) const {
    return std::count_if(driver->requests.begin(), driver->requests.end(), [&](const DialRequest& r) { return r.phone == phone; });
  }
};

std::shared_ptr<CallingList> new_list(const obtest::TempDir& dir, std::vector<Record> records) {
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  list->insert(records);
  return list;
}

CallResult by_id(const DialRequest& rq) {
  switch (rq.record_id % 5) {
    case 0: return CallResult::abandoned;
    case 1: return CallResult::busy;
    default: return CallResult::answer;
  }
}

}  // namespace

TEST_CASE("every call is logged once, with its number, times, answer, agent, abandon flag and result") {
  obtest::TempDir dir;
  new_list(dir, obtest::make_records(30));
  Run r(dir, kStart, by_id);
  r.go(2);
  r.run(30min);
  r.c->unload();
  REQUIRE(r.driver->requests.size() == 30);
  CHECK(r.log->count() == 30);
  auto answered = r.log->answered_since("logged", kStart);
  CHECK(answered.size() == 24);  // answered live or abandoned; the 6 busy calls were never answered
  for (const auto& e : answered) {
    INFO("record " << e.record_id);
    CHECK(e.list == "calling_list");
    CHECK(e.phone == obtest::make_record(e.record_id).contact_info);  // already E.164
    REQUIRE(e.answered_at);
    CHECK(*e.answered_at >= e.dialed_at);
    CHECK(e.released_at >= *e.answered_at);
    CHECK(e.answer == AnswerClass::live);
    const bool abandoned = e.record_id % 5 == 0;
    CHECK(e.abandoned == abandoned);
    CHECK(e.result == (abandoned ? CallResult::abandoned : CallResult::answer));
    CHECK(e.connected_at.has_value() == !abandoned);
  }
  CHECK(r.log->answered_since("another", kStart).empty());
}

TEST_CASE("a number whose call was abandoned is not dialed again within the lockout, from any record, after a restart") {
  obtest::TempDir dir;
  auto records = obtest::make_records(6);
  records[0].contact_info = kShared;  // record 1: its call is abandoned
  records[3].contact_info = kShared;  // record 4: another chain, the same number
  new_list(dir, records);
  auto script = [](const DialRequest& rq) { return rq.record_id == 1 ? CallResult::abandoned : CallResult::answer; };
  Time abandoned_at{};
  {
    Run r(dir, kStart, script);
    r.go();
    r.run(1h);
    CHECK(r.dials_to(kShared) == 1);
    CHECK(r.driver->requests.size() == 5);  // every other record
    CHECK(r.c->stats().lockout_deferred >= 1);
    auto a = r.log->last_abandoned(kShared);
    REQUIRE(a);
    abandoned_at = *a;
    r.c->unload();
    auto row = CallingList::open(dir.sqlite())->get(4).value();
    CHECK(row.record_status == RecordStatus::ready);
    REQUIRE(row.dial_sched_time);
    CHECK(*row.dial_sched_time >= to_epoch_seconds(abandoned_at + 72h));
  }
  // A day later a new engine, a new record with the same number: the log remembers.
  CallingList::open(dir.sqlite())->insert({[] {
    Record x = obtest::make_record(10);
    x.contact_info = kShared;
    return x;
  }()});
  Run r(dir, kStart + 24h, script);
  r.go();
  r.run(2h);
  CHECK(r.dials_to(kShared) == 0);
  CHECK(r.c->stats().lockout_deferred >= 1);
  r.engine.run_until(abandoned_at + 72h + 10min);
  CHECK(r.dials_to(kShared) == 2);  // records 4 and 10, once the 72 hours are over
}

TEST_CASE("the abandon window is read back from the log at load: a restart does not forget abandons") {
  obtest::TempDir dir;
  new_list(dir, obtest::make_records(40));
  CampaignStats before;
  {
    Run r(dir, kStart, by_id);
    r.go(2);
    r.run(1h);
    r.c->unload();
    before = r.c->stats();
  }
  REQUIRE(before.window_live_answers == 32);  // 24 connected + 8 abandoned
  REQUIRE(before.abandoned == 8);
  {
    Run r(dir, kStart + 2h, by_id);
    r.c->load();
    CHECK(r.c->stats().window_live_answers == before.window_live_answers);
    CHECK(r.c->stats().window_abandon_rate == doctest::Approx(before.window_abandon_rate));
  }
  // The UK window is 24 hours: a day and more later none of it counts.
  Run late(dir, kStart + 26h, by_id, [](CampaignConfig& c) { c.abandon_cap.window = 24h; });
  late.c->load();
  CHECK(late.c->stats().window_live_answers == 0);
}

TEST_CASE("while the log cannot be written no call is placed, and no row is lost once it can") {
  obtest::TempDir dir;
  new_list(dir, obtest::make_records(200));
  const std::string log_conn = dir.sqlite("log.db") + "?timeout=0";  // fail at once instead of waiting for the lock
  Run r(dir, kStart, [](const DialRequest&) { return CallResult::answer; }, {}, log_conn);
  r.go(3);
  r.run(5min);
  const std::size_t before = r.driver->requests.size();
  REQUIRE(before > 0);
  {
    soci::session other(soci::sqlite3, "db=" + (dir.path() / "log.db").string());
    other << "BEGIN EXCLUSIVE";  // another program holds the log's write lock
    r.run(3min);
    CHECK(r.driver->requests.size() - before <= 3);  // at most the calls already decided when the lock was taken
    other << "ROLLBACK";
  }
  CHECK(std::any_of(r.events.begin(), r.events.end(), [](const CampaignEvent& e) {
    return e.kind == CampaignEvent::Kind::database_error && e.message.find("call log") != std::string::npos;
  }));
  r.run(10min);
  CHECK(r.driver->requests.size() > before + 3);  // dialing resumed
  r.c->unload();
  r.run(1min);  // the calls in flight end, then the campaign unloads
  REQUIRE(r.c->state() == CampaignState::not_loaded);
  CHECK(r.log->count() == static_cast<long long>(r.driver->requests.size()));
}

TEST_CASE("a locked call log holds the loop at most 100 ms a write, and Campaign::flush still waits for it and writes every row") {
  obtest::TempDir dir;
  new_list(dir, obtest::make_records(200));
  // A log that waits 3 s for a lock: the loop's flushes must give up long before.
  Run r(dir, kStart, [](const DialRequest&) { return CallResult::answer; }, {}, dir.sqlite("log.db") + "?timeout=3");
  r.go(3);
  r.run(1min);
  const std::size_t before = r.driver->requests.size();
  REQUIRE(before > 0);
  soci::session other(soci::sqlite3, "db=" + (dir.path() / "log.db").string());
  other << "BEGIN EXCLUSIVE";  // another program holds the log's write lock
  auto log_failed = [&] {
    return std::any_of(r.events.begin(), r.events.end(), [](const CampaignEvent& e) {
      return e.kind == CampaignEvent::Kind::database_error && e.message.find("call log") != std::string::npos;
    });
  };
  const auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < 40 && !log_failed(); ++s) r.run(1s);  // until a call ends and its row cannot be written
  REQUIRE(log_failed());
  r.run(2s);  // flushes and retries, each giving up after 100 ms (unbounded: 3 s each)
  CHECK(std::chrono::steady_clock::now() - t0 < 8s);
  CHECK(r.driver->requests.size() - before <= 3);  // no call placed whose row cannot be kept
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    other << "ROLLBACK";
  });
  r.c->flush();  // waits for the lock as long as the connection does
  release.join();
  const auto ended = std::count_if(r.events.begin(), r.events.end(),
                                   [](const CampaignEvent& e) { return e.kind == CampaignEvent::Kind::call_finished; });
  CHECK(r.log->count() == ended);  // every call ended so far is on record
  r.c->unload();
  r.run(1min);
  REQUIRE(r.c->state() == CampaignState::not_loaded);
  CHECK(r.log->count() == static_cast<long long>(r.driver->requests.size()));
}

TEST_CASE("call log: bad table names, a missing table, a late set_call_log and an unreadable log are clear errors") {
  obtest::TempDir dir;
  auto code_of = [](auto&& fn) {
    try {
      fn();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::generic;  // no error: the checks compare against the code they expect
  };
  CallLogOptions bad;
  bad.table = "log; DROP TABLE calling_list";
  CHECK(code_of([&] { CallLog::open(dir.sqlite("log.db"), bad); }) == ErrorCode::invalid_argument);
  CallLogOptions missing;
  missing.table = "no_such_log";
  missing.create_if_missing = false;
  CHECK(code_of([&] { CallLog::open(dir.sqlite("log.db"), missing); }) == ErrorCode::not_found);

  new_list(dir, obtest::make_records(3));
  Run r(dir, kStart, by_id);
  r.go();
  CHECK(code_of([&] { r.c->set_call_log(r.log); }) == ErrorCode::invalid_state);
  r.c->unload();
  {
    soci::session other(soci::sqlite3, "db=" + (dir.path() / "log.db").string());
    other << "DROP TABLE ob_call_log";
  }
  CHECK(code_of([&] { r.c->load(); }) == ErrorCode::database);
  CHECK(r.c->state() == CampaignState::not_loaded);
}

TEST_CASE("pg: the call log on PostgreSQL: rows, answers in a window, abandoned numbers") {
  const std::string conn = obtest::pg_connection();
  if (conn.empty()) {
    if (std::getenv("OB_ALLOW_NO_PG")) return;
    FAIL("OB_PG_CONN is not set: run the suite with tests/run_suite.sh (it starts PostgreSQL)");
  }
  CallLogOptions o;
  o.table = "call_log_" + std::to_string(::getpid());
  auto log = CallLog::open(conn, o);
  std::vector<CallLogEntry> rows;
  for (int i = 0; i < 50; ++i) {
    CallLogEntry e;
    e.campaign = i % 2 ? "odd" : "even";
    e.list = "calling_list";
    e.record_id = i;
    e.chain_id = i;
    e.chain_n = 1;
    e.phone = "+1212555" + std::to_string(1000 + i);
    e.dialed_at = kStart + std::chrono::seconds(60 * i);
    if (i % 3) {
      e.answered_at = e.dialed_at + 8s;
      e.answer = AnswerClass::live;
      e.abandoned = i % 7 == 0;
      if (!e.abandoned) e.connected_at = *e.answered_at + 1s;
    }
    e.released_at = e.dialed_at + 90s;
    e.result = e.abandoned ? CallResult::abandoned : e.answered_at ? CallResult::answer : CallResult::no_answer;
    rows.push_back(e);
  }
  log->append(rows);
  CHECK(log->count() == 50);
  auto even = log->answered_since("even", kStart + 20min);
  long expected = 0;
  for (const auto& e : rows)
    if (e.campaign == "even" && e.answered_at && *e.answered_at >= kStart + 20min) ++expected;
  REQUIRE(static_cast<long>(even.size()) == expected);
  for (std::size_t i = 1; i < even.size(); ++i) CHECK(*even[i - 1].answered_at <= *even[i].answered_at);
  for (const auto& e : even) {
    const auto& src = rows[static_cast<std::size_t>(e.record_id)];
    CHECK(e.phone == src.phone);
    CHECK(e.abandoned == src.abandoned);
    CHECK(e.connected_at == src.connected_at);
    CHECK(e.result == src.result);
  }
  // A second engine's log object learns the abandoned numbers from the table.
  auto other = CallLog::open(conn, o);
  CHECK(other->load_abandoned(kStart) == 5);  // i = 7, 14, 28, 35, 49 (21 and 42 were never answered)
  CHECK(other->last_abandoned("+12125551007") == rows[7].released_at);
  CHECK_FALSE(other->last_abandoned("+12125551008"));
  // libpq takes the URI form as it is, the keyword form after "postgresql:".
  const std::string info = conn.rfind("postgresql://", 0) == 0 ? conn : conn.substr(conn.find(':') + 1);
  soci::session(soci::postgresql, info) << "DROP TABLE " + o.table;
}

TEST_CASE("without a call log the abandoned record itself is still held for the lockout, whatever its treatment says") {
  obtest::TempDir dir;
  new_list(dir, obtest::make_records(1));
  auto clock = std::make_shared<ManualClock>(kStart);
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::abandoned; }, 20s);
  CampaignConfig cfg;
  cfg.abandoned_redial_lockout = 72h;
  Treatment redial;  // the treatment asks for a redial in a minute
  redial.id = 1;
  redial.call_result = CallResult::abandoned;
  redial.action = RecordAction::retry_in;
  redial.cycle_attempts = 5;
  redial.interval = 1min;
  cfg.treatments = TreatmentSet({redial});
  auto& c = engine.add_campaign(cfg, driver);
  c.add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite())));
  c.load();
  c.set_agent_state("a1", AgentState::ready);
  c.start();
  engine.run_until(kStart + 71h);
  CHECK(driver->requests.size() == 1);
  engine.run_until(kStart + 73h);
  CHECK(driver->requests.size() == 2);  // once the 72 hours are over
  REQUIRE(driver->dial_times.size() == 2);
  CHECK(driver->dial_times[1] - driver->dial_times[0] >= 72h);
}

TEST_CASE("the lockout knows a number in any format, with or without a DNC list") {
  obtest::TempDir dir;
  auto records = obtest::make_records(3);
  records[0].contact_info = "+1 212 555 0100";  // abandoned
  records[1].contact_info = "(212) 555-0100";   // the same number as a person writes it
  new_list(dir, records);
  auto clock = std::make_shared<ManualClock>(kStart);
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(
      engine.loop(), [](const DialRequest& rq) { return rq.record_id == 1 ? CallResult::abandoned : CallResult::answer; }, 20s);
  CampaignConfig cfg;
  cfg.abandoned_redial_lockout = 72h;
  auto& c = engine.add_campaign(cfg, driver);  // no DNC list
  auto log = std::shared_ptr<CallLog>(CallLog::open(dir.sqlite("log.db")));
  c.add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite())));
  c.set_call_log(log);
  c.load();
  c.set_agent_state("a1", AgentState::ready);
  c.start();
  engine.run_until(kStart + 1h);
  CHECK(driver->requests.size() == 2);  // records 1 and 3
  CHECK(std::none_of(driver->requests.begin(), driver->requests.end(), [](const DialRequest& rq) { return rq.record_id == 2; }));
  CHECK(log->last_abandoned("+12125550100").has_value());
  CHECK(c.stats().lockout_deferred >= 1);
}

namespace {
/// Answers every call live after 5 s and never connects it: the callee waits until cancelled.
class WaitingDriver : public Driver {
 public:
  explicit WaitingDriver(EventLoop& loop) : loop_(loop) {}
  DriverCapabilities capabilities() const override { return {}; }
  void start(EventSink& s) override { sink_ = &s; }
  void dial(const DialRequest& rq) override {
    const CallId id = rq.call_id;
    loop_.schedule_after(5s, [this, id] {
      if (sink_) sink_->on_call_event(obtest::call_event(CallEventKind::answered, id, loop_.now(), AnswerClass::live));
    });
  }
  void cancel(CallId id) override {
    if (sink_) sink_->on_call_event(obtest::call_event(CallEventKind::released, id, loop_.now(), AnswerClass::unknown, {}, CallResult::cleared));
  }
  void release_abandoned(CallId) override {}
  void stop() override { sink_ = nullptr; }
  std::string name() const override { return "waiting"; }

 private:
  EventLoop& loop_;
  EventSink* sink_ = nullptr;
};
}  // namespace

TEST_CASE("force unload hangs up on a live answer waiting for an agent: it is an abandon, logged and locked out") {
  obtest::TempDir dir;
  new_list(dir, obtest::make_records(1));
  auto clock = std::make_shared<ManualClock>(kStart);
  Engine engine(clock);
  CampaignConfig cfg;
  cfg.abandon_after = 10s;  // the unload comes first
  cfg.abandoned_redial_lockout = 72h;
  auto& c = engine.add_campaign(cfg, std::make_shared<WaitingDriver>(engine.loop()));
  auto log = std::shared_ptr<CallLog>(CallLog::open(dir.sqlite("log.db")));
  c.add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite())));
  c.set_call_log(log);
  c.load();
  c.set_agent_state("a1", AgentState::ready);
  c.start();
  engine.run_until(kStart + 7s);  // answered at 5 s, waiting
  REQUIRE(c.stats().live_answers == 1);
  c.force_unload();
  CHECK(c.state() == CampaignState::not_loaded);
  CHECK(c.stats().abandoned == 1);
  const auto rows = log->answered_since(cfg.name, kStart);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].abandoned);
  CHECK(log->last_abandoned(obtest::make_record(1).contact_info).has_value());
}

TEST_CASE("engines sharing the log learn each other's abandons while loaded") {
  obtest::TempDir dir;
  Record mine = obtest::make_record(1), theirs = obtest::make_record(1);
  mine.contact_info = theirs.contact_info = kShared;
  mine.dial_sched_time = to_epoch_seconds(kStart + 10min);  // due after the other engine's abandon
  {
    ListOptions o;
    o.create_if_missing = true;
    CallingList::open(dir.sqlite("a.db"), o)->insert({mine});
    CallingList::open(dir.sqlite("b.db"), o)->insert({theirs});
  }
  auto clock = std::make_shared<ManualClock>(kStart);
  struct Side {
    std::unique_ptr<Engine> engine;
    std::shared_ptr<obtest::ScriptedDriver> driver;
    Campaign* c = nullptr;
  };
  auto side = [&](const std::string& list_db, CallResult outcome) {
    Side s;
    s.engine = std::make_unique<Engine>(clock);
    s.driver = std::make_shared<obtest::ScriptedDriver>(s.engine->loop(), [outcome](const DialRequest&) { return outcome; }, 20s);
    CampaignConfig cfg;
    cfg.abandoned_redial_lockout = 72h;
    s.c = &s.engine->add_campaign(cfg, s.driver);
    s.c->add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(list_db))));
    s.c->set_call_log(std::shared_ptr<CallLog>(CallLog::open(dir.sqlite("log.db"))));  // each engine its own handle
    s.c->load();
    s.c->set_agent_state("a1", AgentState::ready);
    s.c->start();
    return s;
  };
  Side a = side("a.db", CallResult::answer), b = side("b.db", CallResult::abandoned);
  for (Time t = kStart + 10s; t <= kStart + 30min; t += 10s) {  // the two loops in step
    b.engine->run_until(t);
    a.engine->run_until(t);
  }
  CHECK(b.driver->requests.size() == 1);
  CHECK(a.driver->requests.empty());  // loaded before the abandon, told within a minute
  CHECK(a.c->stats().lockout_deferred >= 1);
}

TEST_CASE("a personal callback to a number abandoned within the lockout waits it out too") {
  obtest::TempDir dir;
  auto records = obtest::make_records(2);
  records[0].contact_info = kShared;  // its call is abandoned
  records[1].contact_info = kShared;
  records[1].record_type = RecordType::personal_callback;
  records[1].agent_id = "a0";
  records[1].dial_sched_time = to_epoch_seconds(kStart + 10min);
  new_list(dir, records);
  Run r(dir, kStart, [](const DialRequest& rq) { return rq.record_id == 1 ? CallResult::abandoned : CallResult::answer; });
  r.go();
  r.run(1h);
  CHECK(r.dials_to(kShared) == 1);
  CHECK(r.c->stats().lockout_deferred >= 1);
  r.c->flush();
  auto row = CallingList::open(dir.sqlite())->get(2).value();
  REQUIRE(row.dial_sched_time);
  CHECK(*row.dial_sched_time >= to_epoch_seconds(kStart + 72h));
}

TEST_CASE("pg: a locked call log holds the loop at most 100 ms a re-read; the minute's re-reads are tried again") {
  const std::string conn = obtest::pg_connection();
  if (conn.empty()) {
    if (std::getenv("OB_ALLOW_NO_PG")) return;
    FAIL("OB_PG_CONN is not set: run the suite with tests/run_suite.sh (it starts PostgreSQL)");
  }
  obtest::TempDir dir;
  new_list(dir, obtest::make_records(3));
  // Contact limits and the lockout: the campaign re-reads both from the log every minute.
  Run r(dir, kStart, [](const DialRequest&) { return CallResult::answer; },
        [](CampaignConfig& c) { c.contact_limits = {ContactLimit{3, 24h}}; });
  CallLogOptions o;
  o.table = "reread_" + std::to_string(::getpid());
  r.log = CallLog::open(conn, o);
  r.c->set_call_log(r.log);
  r.go(1);
  r.run(5min);  // every record dialed and logged: from here on the re-reads are the log's only users
  REQUIRE(r.log->count() == 3);
  const std::string info = conn.rfind("postgresql://", 0) == 0 ? conn : conn.substr(conn.find(':') + 1);
  soci::session other(soci::postgresql, info);
  other << "BEGIN";
  other << "LOCK TABLE " + o.table + " IN ACCESS EXCLUSIVE MODE";  // another program stalls the log
  std::thread release([&] {
    std::this_thread::sleep_for(6s);  // unbounded, a re-read waits this long
    other << "COMMIT";
  });
  auto read_errors = [&] {
    return std::count_if(r.events.begin(), r.events.end(), [](const CampaignEvent& e) {
      return e.kind == CampaignEvent::Kind::database_error && e.message.find("from the call log") != std::string::npos;
    });
  };
  const auto t0 = std::chrono::steady_clock::now();
  r.run(2min);  // each re-read gives up after 100 ms and is tried again 10 s later
  const auto held = std::chrono::steady_clock::now() - t0;
  release.join();
  CHECK(held < 4s);
  CHECK(read_errors() >= 2);   // the dials and the abandoned numbers
  CHECK(read_errors() <= 26);  // once each 10 s, not at every flush turn (1 s)
  const auto errors_while_locked = read_errors();
  r.run(2min);
  CHECK(read_errors() == errors_while_locked);  // read again once the lock is gone
  r.c->unload();
  r.run(1min);
  soci::session(soci::postgresql, info) << "DROP TABLE " + o.table;
}
