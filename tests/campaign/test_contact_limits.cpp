// Contact limits (at most N dials of a number in a rolling window, across
// campaigns and lists, counted from the call log) and the host's pre-dial
// check, through the real path: SQLite lists and call log, the engine loop
// under a manual clock, a scripted driver.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "../support/test_support.hpp"
#include "outbound/call_log.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z
const std::string kShared = "+12125550100";

std::shared_ptr<CallingList> new_list(const obtest::TempDir& dir, const std::string& table, std::vector<Record> records) {
  ListOptions o;
  o.table = table;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  list->insert(records);
  return list;
}

// Busy results retried after 10 minutes: numbers keep coming back for more dials.
TreatmentSet retry_busy(Duration every = 10min, int times = 20) {
  Treatment t;
  t.id = 1;
  t.call_result = CallResult::busy;
  t.action = RecordAction::retry_in;
  t.cycle_attempts = times;
  t.interval = every;
  return TreatmentSet({t});
}

/// One engine with campaigns on lists of `dir` sharing one call log.
struct Bench {
  std::vector<CampaignEvent> events;  // first: it outlives the engine, whose campaigns report while unloading
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  Engine engine{clock};
  obtest::ScriptedDriver::Script script;
  std::shared_ptr<obtest::ScriptedDriver> driver;  // the last campaign's (each campaign has its own)
  std::vector<std::shared_ptr<obtest::ScriptedDriver>> drivers;
  std::shared_ptr<CallLog> log;

  Bench(const obtest::TempDir& dir, obtest::ScriptedDriver::Script s) : script(std::move(s)) {
    log = CallLog::open(dir.sqlite("log.db"));
  }
  Campaign& add(const std::string& name, std::shared_ptr<CallingList> list, std::vector<ContactLimit> limits,
                TreatmentSet rules = retry_busy()) {
    CampaignConfig cfg;
    cfg.name = name;
    cfg.contact_limits = std::move(limits);
    cfg.tick = 10s;  // a simulated day in few turns: events still pace at once
    cfg.flush_interval = 60s;
    cfg.treatments = std::move(rules);
    driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), script, 20s);
    drivers.push_back(driver);
    Campaign& c = engine.add_campaign(cfg, driver, nullptr);
    c.on_event([this](const CampaignEvent& e) { events.push_back(e); });
    c.add_list(std::move(list));
    c.set_call_log(log);
    return c;
  }
  void go(Campaign& c, int agents = 1) {
    c.load();
    for (int i = 0; i < agents; ++i) c.set_agent_state(c.config().name + std::to_string(i), AgentState::ready);
    c.start();
  }
  void run(Duration d) { engine.run_until(clock->now() + d); }
  long dials_to(const std::string& phone) const {
    long n = 0;
    for (const auto& d : drivers)
      n += std::count_if(d->requests.begin(), d->requests.end(), [&](const DialRequest& r) { return r.phone == phone; });
    return n;
  }
};

// Every dial in the call log table, by number, in time order.
std::map<std::string, std::vector<long long>> logged_dials(const obtest::TempDir& dir) {
  soci::session s(soci::sqlite3, (dir.path() / "log.db").string());
  soci::rowset<soci::row> rows = (s.prepare << "SELECT phone, dialed_at_ms FROM ob_call_log ORDER BY dialed_at_ms");
  std::map<std::string, std::vector<long long>> out;
  for (const auto& row : rows) out[row.get<std::string>(0)].push_back(row.get<long long>(1));
  return out;
}

// The most dials of one number inside any window of `window_ms` (a dial exactly a window later is outside).
std::size_t most_in_window(const std::vector<long long>& times, long long window_ms) {
  std::size_t most = 0, first = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    while (times[i] - times[first] >= window_ms) ++first;
    most = std::max(most, i - first + 1);
  }
  return most;
}

std::vector<Record> same_number(int n, std::int64_t first_id, const std::string& phone = kShared) {
  auto records = obtest::make_records(n, first_id);
  for (auto& r : records) r.contact_info = phone;
  return records;
}

}  // namespace

TEST_CASE("contact limit: a number at 3 calls in 24 h is deferred until its oldest call leaves the window") {
  obtest::TempDir dir;
  Bench b(dir, [](const DialRequest&) { return CallResult::answer; });
  auto list = new_list(dir, "calling_list", same_number(5, 1));
  Campaign& c = b.add("limited", list, {{3, 24h}});
  b.go(c);
  b.run(2h);
  CHECK(b.dials_to(kShared) == 3);
  CHECK(c.stats().contact_deferred >= 1);
  // The two records left wait in the list for the first dial's 24 h.
  const Time first = b.driver->dial_times.front();
  // The first dial is at the start: 24 h after it, less a second, not yet.
  // (Due records are dialed on time now: the fourth comes at first + 24 h exactly.)
  b.run(22h - 1s);
  CHECK(b.dials_to(kShared) == 3);
  b.run(2h + 1s);
  CHECK(b.dials_to(kShared) >= 4);
  CHECK(b.driver->dial_times[3] >= first + 24h);
  CHECK(b.driver->dial_times[3] < first + 24h + 2min);
  c.unload();
  CHECK(most_in_window(logged_dials(dir)[kShared], 24 * 3600 * 1000LL) <= 3);
}

TEST_CASE("contact limit: two campaigns on one engine sharing the call log share the count, and a restart reads it back") {
  obtest::TempDir dir;
  {
    Bench b(dir, [](const DialRequest&) { return CallResult::answer; });
    Campaign& a = b.add("a", new_list(dir, "list_a", same_number(3, 1)), {{3, 24h}});
    Campaign& c = b.add("b", new_list(dir, "list_b", same_number(3, 101)), {{3, 24h}});
    b.go(a);
    b.go(c);
    b.run(3h);
    CHECK(b.dials_to(kShared) == 3);  // not 6: each campaign sees the other's calls
    CHECK(a.stats().contact_deferred + c.stats().contact_deferred >= 1);
    a.unload();
    c.unload();
  }
  // A new engine (a restart): the 3 calls of the last 24 h come from the table.
  Bench b(dir, [](const DialRequest&) { return CallResult::answer; });
  b.clock->advance_to(kStart + 4h);
  Campaign& a = b.add("a", std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), [] {
                        ListOptions o;
                        o.table = "list_a";
                        return o;
                      }())),
                      {{3, 24h}});
  b.go(a);
  b.run(2h);
  CHECK(b.dials_to(kShared) == 0);
}

TEST_CASE("contact limit: bad limits and a campaign without a call log are refused, naming the value") {
  auto clock = std::make_shared<ManualClock>(kStart);
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::answer; }, 20s);
  CampaignConfig cfg;
  cfg.contact_limits = {{0, 24h}};
  CHECK_THROWS_WITH_AS(engine.add_campaign(cfg, driver, nullptr),
                       "contact_limits[0].max_calls must be at least 1 (calls allowed in its window), not 0", Error);
  cfg.contact_limits = {{3, 24h}, {2, Duration(0)}};
  CHECK_THROWS_WITH_AS(engine.add_campaign(cfg, driver, nullptr), doctest::Contains("contact_limits[1].window must lie in [1 ms"), Error);
  cfg.contact_limits = {{3, 24h}};
  obtest::TempDir dir;
  new_list(dir, "calling_list", obtest::make_records(2));
  Campaign& c = engine.add_campaign(cfg, driver, nullptr);
  c.add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite())));
  CHECK_THROWS_WITH_AS(c.load(), doctest::Contains("contact_limits are counted from the call log"), Error);
}

TEST_CASE("contact limit property: random records sharing numbers over a simulated day never exceed a limit in any window") {
  obtest::TempDir dir;
  std::mt19937 rng(17);
  // 200 records on 20 numbers in two lists dialed by two campaigns; busy half the time, retried every 10 minutes.
  std::vector<Record> la, lb;
  for (int i = 1; i <= 200; ++i) {
    Record r = obtest::make_record(i);
    r.contact_info = "+1212555" + std::to_string(1000 + static_cast<int>(rng() % 20));
    (i % 2 ? la : lb).push_back(r);
  }
  Bench b(dir, [](const DialRequest& rq) { return rq.record_id % 2 ? CallResult::busy : CallResult::answer; });
  const std::vector<ContactLimit> limits = {{2, 1h}, {5, 24h}};
  Campaign& a = b.add("a", new_list(dir, "list_a", la), limits);
  Campaign& c = b.add("b", new_list(dir, "list_b", lb), limits);  // counted over both campaigns' calls
  b.go(a, 3);
  b.go(c, 3);
  b.run(24h);
  a.unload();
  c.unload();
  const auto dials = logged_dials(dir);
  CHECK(dials.size() == 20);
  std::size_t total = 0;
  for (const auto& [phone, times] : dials) {
    INFO(phone);
    total += times.size();
    CHECK(most_in_window(times, 3600 * 1000LL) <= 2);
    CHECK(most_in_window(times, 24 * 3600 * 1000LL) <= 5);
  }
  CHECK(total > 80);  // the limits were reached: they held, and numbers were dialed again as the windows moved
  CHECK(a.stats().contact_deferred > 0);
  CHECK(c.stats().contact_deferred > 0);
}

TEST_CASE("pre-dial check: a veto closes the record with its result through the treatments, undialed") {
  obtest::TempDir dir;
  Bench b(dir, [](const DialRequest&) { return CallResult::answer; });
  Treatment retry;  // wrong_party is retried in an hour: the treatments see the veto's result
  retry.id = 2;
  retry.call_result = CallResult::wrong_party;
  retry.action = RecordAction::retry_in;
  retry.interval = 1h;
  auto list = new_list(dir, "calling_list", obtest::make_records(4));
  Campaign& c = b.add("checked", list, {}, TreatmentSet({retry}));
  std::vector<PreDialRequest> asked;
  c.set_pre_dial_check([&](const PreDialRequest& rq) -> std::optional<CallResult> {
    asked.push_back(rq);
    if (rq.record.record_id == 1) return CallResult::do_not_call;
    if (rq.record.record_id == 2 && asked.size() <= 3) return CallResult::wrong_party;
    if (rq.record.record_id == 3) throw std::runtime_error("registry down");
    return std::nullopt;
  });
  b.go(c);
  b.run(10min);
  REQUIRE(b.driver->requests.size() == 1);
  CHECK(b.driver->requests[0].record_id == 4);
  CHECK(c.stats().predial_vetoed == 3);
  REQUIRE(asked.size() >= 4);
  CHECK(asked[0].campaign == "checked");
  CHECK(asked[0].list == "calling_list");
  CHECK(asked[0].phone == obtest::make_record(1).contact_info);
  c.flush();
  std::map<std::int64_t, Record> by;
  for (auto& r : list->all()) by[r.record_id] = r;
  CHECK(by[1].call_result == CallResult::do_not_call);
  CHECK(by[1].record_status == RecordStatus::updated);
  CHECK(by[1].attempt == 0);  // never dialed
  CHECK(by[2].call_result == CallResult::wrong_party);
  CHECK(by[2].record_status == RecordStatus::ready);  // the treatment retries it
  REQUIRE(by[2].dial_sched_time);
  CHECK(*by[2].dial_sched_time == to_epoch_seconds(kStart + 1h));
  CHECK(by[3].call_result == CallResult::dial_error);  // the check failed: fail closed
  CHECK(std::any_of(b.events.begin(), b.events.end(), [](const CampaignEvent& e) {
    return e.kind == CampaignEvent::Kind::error && e.message.find("registry down") != std::string::npos && e.record_id == 3;
  }));
  b.run(2h);  // record 2 again: the check lets it go this time
  CHECK(b.driver->requests.size() == 2);
  c.set_pre_dial_check({});
}
