// The calling-list contract on PostgreSQL (a fresh table per test on the
// suite's throwaway server, OB_PG_CONN), plus what only a shared server can
// show: two engines dialing one list at once.
//
// Without OB_PG_CONN this program fails (CI always sets it); set
// OB_ALLOW_NO_PG=1 to let it pass without running anything.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_set>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "list_fixture.hpp"

namespace listtest {
namespace {

bool no_pg_allowed() {
  const char* v = std::getenv("OB_ALLOW_NO_PG");
  return v && std::string(v) == "1";
}

// libpq's part of a connection string: "postgresql:k=v ..." loses its prefix;
// a URI is passed as it is.
std::string libpq_conninfo(const std::string& conn) {
  const std::string prefix = "postgresql:";
  if (conn.rfind("postgresql://", 0) == 0 || conn.rfind("postgres://", 0) == 0) return conn;
  return conn.rfind(prefix, 0) == 0 ? conn.substr(prefix.size()) : conn;
}

class PgDb final : public ListDb {
 public:
  explicit PgDb(std::string conn)
      : conn_(std::move(conn)),
        table_("cl" + std::to_string(::getpid()) + "_" + std::to_string(next_id()) ),
        sql_(soci::postgresql, libpq_conninfo(conn_)) {
    sql_ << "SET client_min_messages TO WARNING";
    drop();
  }
  ~PgDb() override {
    try {
      drop();
    } catch (...) {
      // the server may be gone; the table dies with it
    }
  }
  std::string conn() const override { return conn_; }
  std::string table() const override { return table_; }
  bool pg() const override { return true; }
  void exec(const std::string& sql) override { sql_ << expand(sql); }
  long long scalar(const std::string& sql) override {
    long long v = 0;
    sql_ << expand(sql), soci::into(v);
    return v;
  }
  /// The fixture's own session, for holding locks as another engine would.
  soci::session& session() { return sql_; }

 private:
  static int next_id() {
    static std::atomic<int> n{0};
    return ++n;
  }
  void drop() { sql_ << expand("DROP TABLE IF EXISTS {t}, {t}_lease"); }

  std::string conn_;
  std::string table_;
  soci::session sql_;
};

}  // namespace

std::unique_ptr<ListDb> make_list_db() {
  auto conn = obtest::pg_connection();
  if (conn.empty()) {
    if (no_pg_allowed()) return nullptr;
    FAIL("OB_PG_CONN is not set: these tests need a PostgreSQL server (run tests/run_suite.sh, or "
         "eval \"$(tests/pg/start.sh)\"; set OB_ALLOW_NO_PG=1 to skip them on purpose)");
  }
  return std::make_unique<PgDb>(conn);
}

}  // namespace listtest

#include "csv_contract.hpp"
#include "list_contract.hpp"

TEST_CASE("pg: a PostgreSQL server is configured for this program") {
  if (listtest::no_pg_allowed()) return;
  INFO("OB_PG_CONN must name the suite's PostgreSQL server (tests/pg/start.sh prints it)");
  REQUIRE_FALSE(obtest::pg_connection().empty());
  auto db = listtest::make_list_db();
  CHECK(db->scalar("SELECT 1") == 1);
  CHECK(db->open()->backend() == "postgresql");
}

TEST_CASE("pg: a chain another engine is locking is left out whole, not split, and comes next time") {
  LIST_DB(db);
  auto list = db.open();
  list->insert({obtest::make_record(1, 7, 1), obtest::make_record(2, 7, 2), obtest::make_record(3, 8, 1)});
  auto& other = static_cast<listtest::PgDb&>(db).session();
  {
    soci::transaction tx(other);
    long long locked = 0;
    other << "SELECT record_id FROM " + db.table() + " WHERE record_id = 2 FOR UPDATE", soci::into(locked);
    REQUIRE(locked == 2);
    auto got = list->retrieve(due_at(1000, 10)).records;
    REQUIRE(got.size() == 1);  // chain 7 is contested: neither record 1 nor 2
    CHECK(got[0].record_id == 3);
    CHECK(list->get(1)->record_status == RecordStatus::ready);
    tx.rollback();
  }
  auto got = list->retrieve(due_at(1000, 10)).records;
  REQUIRE(got.size() == 2);
  CHECK(got[0].record_id == 1);
  CHECK(got[1].record_id == 2);
}

namespace {

// What both engines of the shared-list test record, checked after they stop.
struct SharedLedger {
  std::mutex m;
  std::unordered_set<std::int64_t> held;           // records some engine holds now
  std::vector<std::atomic<int>> handed;            // hand-outs per record id
  std::atomic<int> overlaps{0}, split_chains{0}, lost{0}, chains_done{0}, failures{0};
  std::string failure;
  explicit SharedLedger(std::size_t n) : handed(n + 1) {}
};

// Ready periods a chain goes through before its records are final.
int periods_of(int chain_id) { return 1 + (chain_id * 7) % 3; }

// One engine: retrieve a chunk, mark it dialing, write each chain back as
// redial-now (a new ready period) or final, until every chain is final.
void run_engine(listtest::ListDb& db, const std::string& name, unsigned seed, const std::map<int, int>& chain_len,
                SharedLedger& ledger, long& records_taken) {
  try {
    auto list = db.open_engine(name);
    std::mt19937 rng(seed);
    const int chains = static_cast<int>(chain_len.size());
    for (int idle = 0; ledger.chains_done < chains && ledger.failures.load() == 0 && idle < 30000;) {
      auto got = list->retrieve(due_at(1000, 1 + rng() % 40)).records;
      if (got.empty()) {
        ++idle;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      idle = 0;
      records_taken += static_cast<long>(got.size());
      std::map<int, int> per_chain;
      {
        std::lock_guard<std::mutex> lock(ledger.m);
        for (auto& r : got)
          if (!ledger.held.insert(r.record_id).second) ++ledger.overlaps;
      }
      for (auto& r : got) {
        ++per_chain[r.chain_id];
        ++ledger.handed[static_cast<std::size_t>(r.record_id)];
        r.attempt += 1;
        r.call_time = 1000;
      }
      for (auto& [chain, n] : per_chain)
        if (n != chain_len.at(chain)) ++ledger.split_chains;
      ledger.lost += static_cast<int>(list->mark_dialing_owned(got).size());
      std::set<int> finished;
      for (auto& r : got) {
        bool final = r.attempt >= periods_of(r.chain_id);
        r.record_status = final ? RecordStatus::updated : RecordStatus::ready;
        r.call_result = final ? CallResult::answer : CallResult::no_answer;
        r.record_type = final ? RecordType::general : RecordType::campaign_rescheduled;
        r.dial_sched_time = final ? std::nullopt : std::optional<EpochSeconds>(1000);
        if (final) finished.insert(r.chain_id);
      }
      {
        // Out of the ledger before the write commits: no other engine can
        // retrieve these records until it has.
        std::lock_guard<std::mutex> lock(ledger.m);
        for (auto& r : got) ledger.held.erase(r.record_id);
      }
      ledger.lost += static_cast<int>(list->update_owned(got).size());
      ledger.chains_done += static_cast<int>(finished.size());
    }
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(ledger.m);
    ++ledger.failures;
    ledger.failure = name + ": " + e.what();
  }
}

}  // namespace

TEST_CASE("pg: two engines on one 10,000-record list never hold a record at once and hand each out once per ready period") {
  LIST_DB(db);
  constexpr int kRecords = 10000;
  std::vector<Record> records;
  std::map<int, int> chain_len;
  for (int id = 1, chain = 1; id <= kRecords; ++chain) {
    int len = std::min(1 + chain % 3, kRecords - id + 1);
    for (int n = 1; n <= len; ++n) records.push_back(obtest::make_record(id++, chain, n));
    chain_len[chain] = len;
  }
  db.open()->insert(records);

  SharedLedger ledger(kRecords);
  long taken_a = 0, taken_b = 0;
  std::thread a(run_engine, std::ref(db), "engine-a", 1u, std::cref(chain_len), std::ref(ledger), std::ref(taken_a));
  std::thread b(run_engine, std::ref(db), "engine-b", 2u, std::cref(chain_len), std::ref(ledger), std::ref(taken_b));
  a.join();
  b.join();

  INFO(ledger.failure);
  REQUIRE(ledger.failures.load() == 0);
  CHECK(ledger.overlaps.load() == 0);
  CHECK(ledger.split_chains.load() == 0);
  CHECK(ledger.lost.load() == 0);
  CHECK(ledger.chains_done.load() == static_cast<int>(chain_len.size()));
  CHECK(taken_a > 0);
  CHECK(taken_b > 0);
  int wrong = 0;
  for (const auto& r : records)
    if (ledger.handed[static_cast<std::size_t>(r.record_id)] != periods_of(r.chain_id)) ++wrong;
  CHECK(wrong == 0);
  auto list = db.open();
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::updated] == kRecords);
  int bad_attempts = 0;
  for (const auto& r : list->all())
    if (r.attempt != periods_of(r.chain_id) || r.call_result != CallResult::answer) ++bad_attempts;
  CHECK(bad_attempts == 0);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease") == 0);
  MESSAGE("engine-a took " << taken_a << " records, engine-b " << taken_b);
}
