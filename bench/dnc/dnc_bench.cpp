// DNC bench: bytes per number and lookup latency (median, p99) for N numbers
// (default 10 million), and the time to load them from a SQLite table.
// usage: dnc_bench [--numbers N] [--probes P] [--db PATH]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "outbound/dnc.hpp"
#include "../../lib/dnc/key_set.hpp"

using Clock = std::chrono::steady_clock;

namespace {

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// A NANP number as a key: 1 NPA NXX XXXX, area code and exchange 200-999.
std::uint64_t random_key(std::mt19937_64& rng) {
  std::uint64_t npa = 200 + rng() % 800, nxx = 200 + rng() % 800, line = rng() % 10000;
  return 10000000000ULL + npa * 10000000ULL + nxx * 10000ULL + line;
}

// AnonHugePages of this process: whether the table got transparent huge pages.
std::string huge_pages() {
  std::FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (!f) return "unknown";
  char line[256];
  std::string out = "unknown";
  while (std::fgets(line, sizeof line, f))
    if (!std::strncmp(line, "AnonHugePages:", 14)) out = std::string(line + 14, std::strlen(line + 14) - 1);
  std::fclose(f);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 10'000'000, probes = 2'000'000;
  std::string db = "/tmp/ob-dnc-bench.db";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--numbers")) n = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--probes")) probes = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--db")) db = argv[i + 1];
  }
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> keys(n);
  for (auto& k : keys) k = random_key(rng);

  // 1. The in-memory set: bytes per number.
  outbound::detail::KeySet set;
  set.reserve(n);
  auto t0 = Clock::now();
  for (auto k : keys) set.insert(k);
  double insert_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("numbers            %zu (%zu distinct)\n", n, set.size());
  std::printf("bytes per number   %.2f (table %.1f MB)\n", double(set.memory_bytes()) / double(set.size()),
              double(set.memory_bytes()) / 1e6);
  std::printf("insert             %.2f s (%.0f ns a number)\n", insert_s, 1e9 * insert_s / double(n));
  std::printf("huge pages         %s\n", huge_pages().c_str());

  // 2. Lookups: half listed, half random; each timed alone, the timer's own cost subtracted.
  std::vector<std::uint64_t> probe(probes);
  for (std::size_t i = 0; i < probes; ++i) probe[i] = i % 2 ? keys[rng() % n] : random_key(rng);
  std::vector<double> empty(probes), ns(probes);
  volatile bool sink = false;
  for (std::size_t i = 0; i < probes; ++i) {
    auto a = Clock::now();
    auto b = Clock::now();
    empty[i] = std::chrono::duration<double, std::nano>(b - a).count();
  }
  const double overhead = percentile(empty, 0.5);
  for (std::size_t i = 0; i < probes; ++i) {
    auto a = Clock::now();
    sink = set.contains(probe[i]);
    auto b = Clock::now();
    ns[i] = std::chrono::duration<double, std::nano>(b - a).count() - overhead;
  }
  (void)sink;
  t0 = Clock::now();
  std::size_t hits = 0;
  for (auto p : probe) hits += set.contains(p);
  double batch_ns = 1e9 * std::chrono::duration<double>(Clock::now() - t0).count() / double(probes);
  std::printf("lookup median      %.0f ns   p99 %.0f ns   (timer cost %.0f ns subtracted)\n", percentile(ns, 0.5),
              percentile(ns, 0.99), overhead);
  std::printf("lookup mean        %.0f ns in a tight loop (%zu hits of %zu)\n", batch_ns, hits, probes);

  // 3. Loading from SQLite: a gsw_donotcall_list of canonical E.164 numbers.
  std::filesystem::remove(db);
  {
    soci::session sql(soci::sqlite3, "db=" + db);
    sql << "CREATE TABLE gsw_donotcall_list (phone VARCHAR(64), customer_id VARCHAR(64), dnc_message VARCHAR(255), "
           "tenant_dbid INTEGER, campaign_dbid INTEGER, list_dbid INTEGER, is_internal INTEGER, time_stamp BIGINT)";
    sql << "PRAGMA journal_mode=WAL";
    soci::transaction tr(sql);
    std::string phone;
    soci::statement st = (sql.prepare << "INSERT INTO gsw_donotcall_list (phone) VALUES (:p)", soci::use(phone));
    for (auto k : keys) {
      phone = "+" + std::to_string(k);
      st.execute(true);
    }
    tr.commit();
  }
  t0 = Clock::now();
  auto dnc = outbound::DncList::open("sqlite3://" + db);
  double load_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("load from SQLite   %.2f s for %zu rows (%.0f rows/s), %zu numbers, %.2f bytes each\n", load_s, n,
              double(n) / load_s, dnc->phone_count(), double(dnc->memory_bytes()) / double(dnc->phone_count()));
  std::filesystem::remove(db);
  return 0;
}
