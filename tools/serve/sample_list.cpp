// Sample records (sample_list.hpp), in the shape of the demo's list.
#include "sample_list.hpp"

#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"
#include "outbound/sim.hpp"

namespace outbound::serve {
namespace {

// Area codes and exchanges 200-999 keep every number a possible NANP number.
std::string us_phone(sim::Rng& rng) {
  auto part = [&](int lo, int span) { return std::to_string(lo + static_cast<int>(rng.next() % static_cast<std::uint64_t>(span))); };
  std::string line = std::to_string(10000 + rng.next() % 10000).substr(1);
  return "(" + part(200, 800) + ") " + part(200, 800) + "-" + line;
}

bool table_exists(const std::string& connection, const std::string& table) {
  try {
    ListOptions probe;
    probe.table = table;
    CallingList::open(connection, probe);
    return true;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::not_found) throw;
    return false;
  }
}

}  // namespace

void insert_generated(CallingList& list, long n, const std::function<Record(long)>& make) {
  constexpr std::size_t kBatch = 20000;
  std::vector<Record> batch;
  for (long i = 1; i <= n; ++i) {
    batch.push_back(make(i));
    if (batch.size() == kBatch) {
      list.insert(batch);
      batch.clear();
    }
  }
  list.insert(batch);
}

bool create_sample_list(const std::string& connection, const std::string& table, long n, std::uint64_t seed,
                        const std::vector<int>& tz_ids, const std::string& customer_id_field) {
  if (n <= 0 || table_exists(connection, table)) return false;
  std::vector<std::string> custom;
  if (!customer_id_field.empty()) custom.push_back(customer_id_field + " TEXT");
  CallingList::create_table(connection, table, custom);
  ListOptions lo;
  lo.table = table;
  auto list = CallingList::open(connection, lo);
  sim::Rng rng(seed ^ 0x5a3b1e5ULL);
  insert_generated(*list, n, [&](long i) {
    Record r;
    r.record_id = i;
    r.contact_info = us_phone(rng);
    r.chain_id = static_cast<int>(i);
    r.chain_n = 1;
    r.campaign_id = 1;
    r.tz_dbid = tz_ids.empty() ? 0 : tz_ids[rng.next() % tz_ids.size()];
    r.daily_from = 9 * 3600;
    r.daily_till = 20 * 3600;
    if (!customer_id_field.empty()) r.custom[customer_id_field] = "C" + std::to_string(i);
    return r;
  });
  return true;
}

}  // namespace outbound::serve
