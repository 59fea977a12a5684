// The call tracker on its own (lib/calls): a real event loop under a manual
// clock for the deadlines, a real SQLite call log for the flushes. The
// campaign tests cover it inside a campaign.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "../../lib/calls/call_tracker.hpp"
#include "../support/test_support.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z

struct Call : calls::TrackedCall {
  std::string phone;
};

// Records what the tracker reports, as the campaign would act on it.
struct Listener final : calls::DeadlineListener {
  std::vector<CallId> abandoned;
  std::vector<std::pair<CallId, std::string>> connects;
  void abandon_deadline_passed(CallId id) override { abandoned.push_back(id); }
  void connect_deadline_passed(CallId id, const std::string& agent) override { connects.emplace_back(id, agent); }
};

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  EventLoop loop{clock};
  Listener listener;
  calls::CallTracker<Call> tracker{loop, listener};

  Call& add(CallId id) {
    Call c;
    c.id = id;
    c.phone = "+1212555" + std::to_string(1000 + id);
    return tracker.add(std::move(c));
  }
  void run(Duration d) { loop.run_until(clock->now() + d); }
};

CallLogEntry row_for(const Call& c) {
  CallLogEntry e;
  e.campaign = "tracked";
  e.record_id = static_cast<std::int64_t>(c.id);
  e.phone = c.phone;
  e.dialed_at = kStart;
  e.released_at = kStart + 30s;
  e.result = CallResult::answer;
  return e;
}

}  // namespace

TEST_CASE("call tracker: calls are added, found, iterated, counted and removed by id") {
  Fixture f;
  f.add(1);
  f.add(2);
  CHECK(f.tracker.size() == 2);
  REQUIRE(f.tracker.find(2) != nullptr);
  CHECK(f.tracker.find(2)->phone == "+12125551002");
  CHECK(f.tracker.find(3) == nullptr);
  CHECK(f.tracker.at(1).id == 1);
  CallId sum = 0;
  for (const auto& [id, c] : f.tracker) sum += id + c.id;
  CHECK(sum == 6);
  Call gone = f.tracker.remove(1);
  CHECK(gone.id == 1);
  CHECK(f.tracker.size() == 1);
  CHECK(f.tracker.find(1) == nullptr);
  CHECK(f.tracker.remove(42).id == 0);  // untracked: an empty call, nothing else changes
  f.tracker.clear();
  CHECK(f.tracker.empty());
}

TEST_CASE("call tracker: the abandon deadline fires once, at its time, and clears the call's timer") {
  Fixture f;
  Call& c = f.add(7);
  f.tracker.arm_abandon(c, 2s);
  CHECK(c.abandon_timer != 0);
  f.run(1999ms);
  CHECK(f.listener.abandoned.empty());
  f.run(1ms);
  REQUIRE(f.listener.abandoned == std::vector<CallId>{7});
  CHECK(f.tracker.at(7).abandon_timer == 0);
  f.run(1min);
  CHECK(f.listener.abandoned.size() == 1);
}

TEST_CASE("call tracker: no abandon deadline after the call connected, ended or the tracker went") {
  Fixture f;
  Call& connected = f.add(1);
  f.tracker.arm_abandon(connected, 2s);
  f.tracker.disarm_abandon(connected);  // an agent took it
  f.tracker.arm_abandon(f.add(2), 2s);
  f.tracker.remove(2);                  // released before the deadline
  CHECK(f.loop.pending_timers() == 0);  // both deadlines cancelled, not left to fire into nothing
  f.tracker.arm_abandon(f.add(3), 2s);
  f.tracker.arm_abandon(f.add(4), 2s);
  f.tracker.clear();                    // force unload
  f.run(1min);
  CHECK(f.listener.abandoned.empty());
  CHECK(f.loop.pending_timers() == 0);

  // A tracker destroyed with a deadline armed: the timer left on the loop does nothing.
  auto clock = std::make_shared<ManualClock>(kStart);
  EventLoop loop(clock);
  Listener heard;
  {
    calls::CallTracker<Call> gone(loop, heard);
    Call c;
    c.id = 9;
    gone.arm_abandon(gone.add(std::move(c)), 2s);
  }
  loop.run_until(kStart + 1min);
  CHECK(heard.abandoned.empty());
}

TEST_CASE("call tracker: the connect deadline names its agent; a re-armed one replaces the first") {
  Fixture f;
  Call& c = f.add(5);
  f.tracker.arm_connect(c, "alice", 10s);
  f.run(4s);
  f.tracker.arm_connect(f.tracker.at(5), "bob", 10s);  // alice did not take it; bob is asked
  f.run(7s);
  CHECK(f.listener.connects.empty());  // alice's deadline went with her
  f.run(3s);
  REQUIRE(f.listener.connects.size() == 1);
  CHECK(f.listener.connects[0] == std::make_pair(CallId{5}, std::string("bob")));
  CHECK(f.tracker.at(5).connect_timer == 0);
}

TEST_CASE("call tracker: a call's log row is queued once, and is still once after the call left") {
  Fixture f;
  Call& c = f.add(3);
  int built = 0;
  auto row = [&] {
    ++built;
    return row_for(f.tracker.at(3));
  };
  CHECK(f.tracker.log_once(c, row));   // at the abandon
  CHECK_FALSE(f.tracker.log_once(c, row));
  Call done = f.tracker.remove(3);      // released: the flag travels with the call
  CHECK_FALSE(f.tracker.log_once(done, [&] { ++built; return row_for(done); }));
  CHECK(built == 1);
  CHECK(f.tracker.log_rows_pending() == 1);
}

TEST_CASE("call tracker: a failed log flush keeps every row, in order, and the next flush writes them") {
  obtest::TempDir dir;
  Fixture f;
  const std::string path = (dir.path() / "log.db").string();
  auto log = CallLog::open(dir.sqlite("log.db") + "?timeout=0");  // fail at once on the lock
  for (CallId id = 1; id <= 3; ++id) f.tracker.log_once(f.add(id), [&] { return row_for(f.tracker.at(id)); });
  {
    soci::session other(soci::sqlite3, "db=" + path);
    other << "BEGIN EXCLUSIVE";  // another program holds the log
    std::string error;
    CHECK_FALSE(f.tracker.flush_log(*log, std::nullopt, &error));
    CHECK(error.find("lock") != std::string::npos);
    CHECK(f.tracker.log_rows_pending() == 3);
    other << "ROLLBACK";
  }
  std::string error;
  CHECK(f.tracker.flush_log(*log, std::nullopt, &error));
  CHECK(f.tracker.log_rows_pending() == 0);
  CHECK(log->count() == 3);
  CHECK(f.tracker.flush_log(*log, std::nullopt, &error));  // nothing left: nothing written twice
  CHECK(log->count() == 3);
  soci::session s(soci::sqlite3, "db=" + path);
  std::vector<long long> ids(3);
  s << "SELECT record_id FROM ob_call_log ORDER BY rowid", soci::into(ids);
  CHECK(ids == std::vector<long long>{1, 2, 3});
}

TEST_CASE("call tracker: a flush bounded to 100 ms gives up on a locked log at once, keeps the rows, and leaves the log's own wait as it was") {
  obtest::TempDir dir;
  Fixture f;
  const std::string path = (dir.path() / "log.db").string();
  auto log = CallLog::open(dir.sqlite("log.db"));  // the default busy timeout: 30 s
  for (CallId id = 1; id <= 2; ++id) f.tracker.log_once(f.add(id), [&] { return row_for(f.tracker.at(id)); });
  soci::session other(soci::sqlite3, "db=" + path);
  other << "BEGIN EXCLUSIVE";  // held as long as a stalled database holds it
  std::string error;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(f.tracker.flush_log(*log, 100ms, &error));
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= 90ms);
  CHECK(waited < 1500ms);  // not the connection's 30 s
  CHECK(error.find("lock") != std::string::npos);
  CHECK(f.tracker.log_rows_pending() == 2);
  // Unbounded again: the write waits for a lock released 300 ms later, as it always did.
  std::atomic<bool> released{false};
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    other << "ROLLBACK";
    released = true;
  });
  CHECK(f.tracker.flush_log(*log, std::nullopt, &error));
  release.join();
  CHECK(released);
  CHECK(f.tracker.log_rows_pending() == 0);
  CHECK(log->count() == 2);
}
