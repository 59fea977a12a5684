// Opt-outs through a campaign while another engine holds the DNC table's write
// lock: the engine loop (a manual clock, a scripted driver, real SQLite files)
// is held at most the campaign's 100 ms a write, the number is blocked at
// once, and the entry reaches the table, and other engines, once it is free.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/engine.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z
const std::string kOptOut = "+12122000001";          // record 1's number: its callee opts out

/// One engine dialing three records; record 1's callee opts out when its call ends (10 s).
struct OptOutRun {
  std::vector<CampaignEvent> events;  // first: it outlives the engine, whose campaign reports while unloading
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  Engine engine{clock};
  std::shared_ptr<obtest::ScriptedDriver> driver;
  std::shared_ptr<DncList> dnc;
  Campaign* c = nullptr;
  Duration longest_turn{0};  // the longest wall time between two 50 ms probe timers

  explicit OptOutRun(const obtest::TempDir& dir) {
    ListOptions lo;
    lo.create_if_missing = true;
    CallingList::open(dir.sqlite(), lo)->insert(obtest::make_records(3));
    driver = std::make_shared<obtest::ScriptedDriver>(
        engine.loop(), [](const DialRequest& rq) { return rq.record_id == 1 ? CallResult::do_not_call : CallResult::answer; }, 10s);
    // The DNC connection waits 3 s for a lock: only the campaign's bound makes it give up sooner.
    dnc = DncList::open(dir.sqlite("dnc.db") + "?timeout=3");
    CampaignConfig cfg;
    cfg.name = "optouts";
    c = &engine.add_campaign(cfg, driver, dnc);
    c->on_event([this](const CampaignEvent& e) { events.push_back(e); });
    c->add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite())));
    c->load();
    for (int i = 0; i < 3; ++i) c->set_agent_state("a" + std::to_string(i), AgentState::ready);
    c->start();
  }
  // Runs `d` of engine time, timing the loop's turns in wall time.
  void run(Duration d) {
    auto last = std::chrono::steady_clock::now();
    std::function<void()> probe = [&] {
      const auto now = std::chrono::steady_clock::now();
      longest_turn = std::max<Duration>(longest_turn, std::chrono::duration_cast<Duration>(now - last));
      last = now;
      engine.loop().schedule_after(50ms, probe);
    };
    auto first = engine.loop().schedule_after(50ms, probe);
    engine.run_until(clock->now() + d);
    engine.loop().cancel(first);
  }
  long count(CampaignEvent::Kind kind, const std::string& text) const {
    return std::count_if(events.begin(), events.end(),
                         [&](const CampaignEvent& e) { return e.kind == kind && e.message.find(text) != std::string::npos; });
  }
};

bool listed_elsewhere(const obtest::TempDir& dir, const std::string& phone) {
  return DncList::open(dir.sqlite("dnc.db"))->contains_phone(phone);
}

}  // namespace

TEST_CASE("an opt-out while another engine holds the DNC table's lock holds the loop at most 100 ms and is written once the lock is gone") {
  obtest::TempDir dir;
  OptOutRun r(dir);
  r.run(1s);
  REQUIRE(r.driver->requests.size() == 3);
  soci::session other(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  other << "BEGIN IMMEDIATE";  // another engine writes the DNC table: its readers go on, writers wait
  r.longest_turn = 0ms;
  r.run(12s);  // the calls end; record 1's callee opted out
  CHECK(r.longest_turn < 350ms);  // about 100 ms (one bounded write a turn); unbounded: the connection's 3 s
  CHECK(r.dnc->contains_phone(kOptOut));  // blocked in this engine at once
  CHECK(r.dnc->pending_count() == 1);
  CHECK(r.count(CampaignEvent::Kind::database_error, "queued, not lost") == 1);
  CHECK_FALSE(listed_elsewhere(dir, kOptOut));
  const auto t0 = std::chrono::steady_clock::now();
  r.c->do_not_call_number("(646) 555-0100", "asked by phone");  // the desktop's way: bounded too
  CHECK(std::chrono::steady_clock::now() - t0 < 350ms);
  CHECK(r.dnc->contains_phone("+16465550100"));
  CHECK(r.dnc->pending_count() == 2);
  CHECK(r.count(CampaignEvent::Kind::database_error, "queued, not lost") == 2);
  other << "ROLLBACK";
  r.run(2s);  // a dialing turn's sync retries the queued writes
  CHECK(r.dnc->pending_count() == 0);
  CHECK(r.count(CampaignEvent::Kind::info, "2 queued do-not-call entries are now written") == 1);
  CHECK(listed_elsewhere(dir, kOptOut));  // another engine sees them
  CHECK(listed_elsewhere(dir, "+16465550100"));
  r.c->unload();
}

TEST_CASE("stop waits for a locked DNC table as long as its connection does and writes the queued opt-out") {
  obtest::TempDir dir;
  OptOutRun r(dir);
  r.run(1s);
  soci::session other(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  other << "BEGIN IMMEDIATE";
  r.run(10s);
  REQUIRE(r.dnc->pending_count() == 1);
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    other << "ROLLBACK";
  });
  r.c->stop();  // the lock goes after 300 ms, within the connection's 3 s
  release.join();
  CHECK(r.dnc->pending_count() == 0);
  CHECK(listed_elsewhere(dir, kOptOut));
  CHECK(r.count(CampaignEvent::Kind::info, "now written") == 1);
  r.c->unload();
}
