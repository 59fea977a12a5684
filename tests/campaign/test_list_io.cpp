// The calling list's database I/O runs off the engine's loop thread: while
// another connection holds the list's SQLite file locked, the loop's timers
// (the abandon timer, connects) still run on time, and once the lock goes every
// guarantee holds: each dial's attempt is in the list, no record is left
// retrieved, and unload returns only after the writes under way are done.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include <soci/soci.h>

#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/engine.hpp"

using namespace outbound;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

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

// Quick calls, so that many go through the stall.
sim::NetworkModel quick_network() {
  sim::NetworkModel m;
  m.live_answer = 0.7, m.busy = 0.2, m.machine = 0.1, m.no_answer = 0.0, m.sit = 0.0;
  m.ring = sim::make_distribution("lognormal", 0.3, 0.1);
  m.busy_signal_s = 0.3, m.amd_s = 0.3, m.patience_s = 2.0;
  return m;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("list_io_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("a locked list database does not stop the loop, and loses nothing") {
  TempDir dir;
  const std::string db = (dir.path / "list.db").string();
  ListOptions lo;
  lo.table = "list_io";
  lo.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open("sqlite3://" + db, lo));
  list->insert(make_records(2000));

  Engine engine(std::make_shared<SystemClock>());
  sim::Network network(engine.loop(), quick_network(), 11);
  sim::AgentModel agents{sim::make_distribution("lognormal", 0.4, 0.2), sim::make_distribution("constant", 0.1)};
  auto tserver = std::make_shared<sim::SimTServer>(network, agents, 10, "agent");
  CampaignConfig cfg;
  cfg.name = "list-io";
  cfg.mode = DialMode::progressive;
  cfg.ratio = 1.5;
  Campaign& campaign = engine.add_campaign(cfg, tserver);
  campaign.add_list(list);

  std::map<std::int64_t, int> dials;  // dialing events per record (loop thread)
  std::atomic<bool> locked{false}, unlocked{false};
  long dials_before_lock = 0, dials_after_lock = 0;
  campaign.on_event([&](const CampaignEvent& e) {
    if (e.kind != CampaignEvent::Kind::dialing) return;
    ++dials[e.record_id];
    if (unlocked.load()) ++dials_after_lock;
    else if (!locked.load()) ++dials_before_lock;
  });
  campaign.load();
  campaign.start();

  // A probe every 10 ms on the loop: its lateness is how long the loop stood still.
  std::vector<std::pair<Time, double>> late;  // (due, ms late)
  const Duration period = 10ms;
  std::function<void(Time)> probe = [&](Time due) {
    late.emplace_back(due, std::chrono::duration<double, std::milli>(engine.clock().now() - due).count());
    engine.loop().schedule_at(due + period, [&probe, next = due + period] { probe(next); });
  };
  const Time t0 = engine.clock().now();
  engine.loop().schedule_at(t0 + period, [&probe, next = t0 + period] { probe(next); });

  Time lock_from{}, lock_to{};  // written by the holder, read after the join
  std::thread holder([&] {
    soci::session s("sqlite3", "db=" + db + " timeout=30");
    std::this_thread::sleep_for(700ms);
    s << "BEGIN EXCLUSIVE";
    lock_from = engine.clock().now();
    locked.store(true);
    std::this_thread::sleep_for(2500ms);
    s << "COMMIT";
    lock_to = engine.clock().now();
    locked.store(false);
    unlocked.store(true);
  });
  engine.run_until(t0 + 5s);
  holder.join();

  campaign.stop();
  engine.loop().run_until(engine.clock().now() + 20s, [&] { return campaign.calls_in_flight() == 0; });
  campaign.unload();  // returns once every write under way is in the list

  // Probes due while the lock was held: a loop that waited for it runs them up to 2.5 s late.
  double worst_during_lock_ms = 0;
  for (const auto& [due, ms] : late)
    if (due >= lock_from && due <= lock_to) worst_during_lock_ms = std::max(worst_during_lock_ms, ms);
  CHECK(dials_before_lock > 0);
  CHECK(dials_after_lock > 0);          // dialing went on after the lock
  CHECK(worst_during_lock_ms < 1000.0);  // the lock lasted 2500 ms; the loop did not wait for it
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::retrieved] == 0);
  // Every dial's attempt is in the list, once: none lost, none dialed twice unrecorded.
  for (const auto& [id, n] : dials) {
    auto r = list->get(id);
    REQUIRE(r);
    CHECK_MESSAGE(r->attempt == n, "record " << id);
  }
  MESSAGE("dials " << dials.size() << ", worst loop delay during the lock " << worst_during_lock_ms << " ms");
  engine.remove_campaign("list-io");
}

// A stop asked while the list is locked and a batch's attempts or a retrieval
// are with the list worker: stop() returns once they are done, the records
// not dialed go back to ready, and the attempts in the list match the dials.
TEST_CASE("a stop while the list is locked waits for the work under way and returns every record") {
  TempDir dir;
  const std::string db = (dir.path / "list.db").string();
  ListOptions lo;
  lo.table = "list_io_stop";
  lo.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open("sqlite3://" + db, lo));
  list->insert(make_records(500));

  Engine engine(std::make_shared<SystemClock>());
  sim::Network network(engine.loop(), quick_network(), 5);
  sim::AgentModel agents{sim::make_distribution("lognormal", 0.3, 0.1), sim::make_distribution("constant", 0.1)};
  auto tserver = std::make_shared<sim::SimTServer>(network, agents, 10, "agent");
  CampaignConfig cfg;
  cfg.name = "list-io-stop";
  cfg.mode = DialMode::progressive;
  cfg.ratio = 1.5;
  cfg.chunk_size = 20;  // small chunks: retrievals go on all the time
  Campaign& campaign = engine.add_campaign(cfg, tserver);
  campaign.add_list(list);
  std::map<std::int64_t, int> dials;
  campaign.on_event([&](const CampaignEvent& e) {
    if (e.kind == CampaignEvent::Kind::dialing) ++dials[e.record_id];
  });
  campaign.load();
  campaign.start();

  std::atomic<bool> locked{false};
  std::thread holder([&] {
    soci::session s("sqlite3", "db=" + db + " timeout=30");
    std::this_thread::sleep_for(500ms);
    s << "BEGIN EXCLUSIVE";
    locked.store(true);
    std::this_thread::sleep_for(1500ms);
    s << "COMMIT";
  });
  const Time t0 = engine.clock().now();
  engine.loop().run_until(t0 + 10s, [&] { return locked.load(); });
  engine.run_until(engine.clock().now() + 800ms);  // agents free up and ask for dials meanwhile
  campaign.stop();  // waits for the lock to go
  holder.join();
  engine.loop().run_until(engine.clock().now() + 20s, [&] { return campaign.calls_in_flight() == 0; });
  campaign.unload();

  CHECK(!dials.empty());
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::retrieved] == 0);
  long attempts = 0;
  for (const auto& r : list->all()) {
    attempts += r.attempt;
    auto it = dials.find(r.record_id);
    CHECK_MESSAGE(r.attempt == (it == dials.end() ? 0 : it->second), "record " << r.record_id);
  }
  long dialed = 0;
  for (const auto& [id, n] : dials) dialed += n;
  CHECK(attempts == dialed);
  engine.remove_campaign("list-io-stop");
}
