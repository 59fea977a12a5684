// DNC across engines on PostgreSQL: two engines dial one list and share one
// DNC table. Numbers and customers are listed (some with an expiry) and
// removed at random times by either engine, in formats other than the
// list's. Property: no engine dials a listed number or customer once
// sync_interval (500 ms) plus one scheduling step (250 ms) has passed since
// the entry was committed, until it is removed or expires. The engines step
// in turn on one manual clock.
#include <doctest/doctest.h>

#include <map>
#include <random>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

constexpr Duration kStep = 250ms;
constexpr Duration kBound = 500ms + kStep;  // DncOptions::sync_interval + the engines' step

struct Dial {
  std::int64_t record_id;
  Time at;
  int engine;
};

// When a number or customer was listed: [from, until) in engine time.
struct Listed {
  Time from;
  Time until = Time::max();
};

std::string spelled(std::int64_t n, int how) {  // the list's number for record n, in another format
  std::string d = std::to_string(2000000 + n);
  switch (how % 3) {
    case 0: return "(212) " + d.substr(0, 3) + "-" + d.substr(3);
    case 1: return "+1 212." + d.substr(0, 3) + "." + d.substr(3);
    default: return "1-212-" + d.substr(0, 3) + "-" + d.substr(3);
  }
}

}  // namespace

TEST_CASE("property: an entry listed by one engine stops every engine within 750 ms, until removed or expired") {
  const std::string conn = obtest::pg_connection();
  if (conn.empty()) {
    if (std::getenv("OB_ALLOW_NO_PG")) return;
    FAIL("OB_PG_CONN is not set: run the suite with tests/run_suite.sh (it starts PostgreSQL)");
  }
  const std::string suffix = std::to_string(::getpid());
  const std::string table = "dnc_engines_" + suffix, dnc_table = "dnc_shared_" + suffix;
  const long kRecords = 400;
  CallingList::create_table(conn, table, {"cust VARCHAR(16)"});
  {
    ListOptions o;
    o.table = table;
    auto list = CallingList::open(conn, o);
    std::vector<Record> batch;
    for (long i = 1; i <= kRecords; ++i) {
      Record r = obtest::make_record(i);  // "+1212" + (2000000 + i)
      r.custom["cust"] = "C" + std::to_string(i % 100);
      batch.push_back(r);
    }
    list->insert(batch);
  }
  Treatment again;
  again.id = 1;
  again.call_result = CallResult::busy;
  again.action = RecordAction::retry_in;
  again.cycle_attempts = 1000;
  again.interval = 1min;
  const Time start = from_epoch_seconds(1773061200);
  auto clock = std::make_shared<ManualClock>(start);
  std::vector<std::unique_ptr<Engine>> engines;
  std::vector<std::shared_ptr<DncList>> dncs;
  std::vector<std::shared_ptr<obtest::ScriptedDriver>> drivers;
  std::vector<Campaign*> campaigns;
  for (int e = 0; e < 2; ++e) {
    engines.push_back(std::make_unique<Engine>(clock));
    DncOptions d;
    d.table = dnc_table;
    dncs.push_back(std::shared_ptr<DncList>(DncList::open(conn, d)));
    drivers.push_back(std::make_shared<obtest::ScriptedDriver>(engines.back()->loop(), [](const DialRequest&) { return CallResult::busy; }, 5s));
    ListOptions o;
    o.table = table;
    o.engine_id = "dnc-engine-" + std::to_string(e);
    CampaignConfig cfg;
    cfg.name = "dnc-shared";
    cfg.chunk_size = 20;
    cfg.customer_id_field = "cust";
    cfg.treatments = TreatmentSet({again});
    auto& c = engines.back()->add_campaign(cfg, drivers.back(), dncs.back());
    c.add_list(std::shared_ptr<CallingList>(CallingList::open(conn, o)));
    c.load();
    for (int a = 0; a < 10; ++a) c.set_agent_state("e" + std::to_string(e) + "a" + std::to_string(a), AgentState::ready);
    c.start();
    campaigns.push_back(&c);
  }

  // Random operations, each run on the loop of the engine that makes it.
  // A listed record is closed at its next attempt (retried every minute, on
  // time), so removals and expiries come 5 to 50 s after the listing: a
  // record whose retry falls after them is dialed again, one before is closed.
  std::map<std::int64_t, Listed> numbers;     // record id -> when its number was listed
  std::map<std::string, Listed> customers;    // customer id -> when listed
  std::mt19937_64 rng(17);
  const Time end = start + 30min;
  auto ends_after = [&rng] { return std::chrono::seconds(5 + static_cast<int>(rng() % 46)); };
  for (int k = 0; k < 130; ++k) {
    const int e = static_cast<int>(rng() % 2);
    const Time at = start + std::chrono::milliseconds(rng() % static_cast<std::uint64_t>((end - start - 5min).count()));
    const auto kind = rng() % 10;
    const std::int64_t id = 1 + static_cast<std::int64_t>(rng() % kRecords);
    const int how = static_cast<int>(rng() % 3);
    auto& loop = engines[e]->loop();
    auto dnc = dncs[e];
    if (kind < 6 && !numbers.count(id)) {  // a number: for good, with an expiry, or removed by either engine
      const bool expiring = kind == 4;
      const Duration lifetime = ends_after();
      numbers[id] = {};
      loop.schedule_at(at, [&, dnc, id, how, expiring, lifetime, &loop_ = loop] {
        DncEntry entry;
        entry.phone = spelled(id, how);
        if (expiring) entry.expires_at = to_epoch_seconds(loop_.now() + lifetime);
        dnc->add(entry);
        numbers[id].from = loop_.now();
        if (expiring) numbers[id].until = from_epoch_seconds(*entry.expires_at);
      });
      if (kind != 5) continue;
      const auto r = rng() % 2;  // either engine removes it
      engines[r]->loop().schedule_at(at + lifetime, [&, dnc = dncs[r], id, how, &loop_ = engines[r]->loop()] {
        if (numbers[id].from == Time{}) return;  // the other engine has not listed it yet: it stays listed
        dnc->remove_phone(spelled(id, how + 1));
        numbers[id].until = loop_.now();
      });
    } else if (kind < 8) {  // a customer
      const std::string cust = "C" + std::to_string(id % 100);
      if (customers.count(cust)) continue;
      customers[cust] = {};
      loop.schedule_at(at, [&, dnc, cust, &loop_ = loop] {
        dnc->add_customer(cust, "asked by phone");
        customers[cust].from = loop_.now();
      });
    }
  }
  for (Time t = start + kStep; t <= end; t += kStep)
    for (auto& en : engines) en->run_until(t);
  for (auto* c : campaigns) c->stop();
  for (Time t = clock->now() + kStep; t <= end + 2min; t += kStep)
    for (auto& en : engines) en->run_until(t);
  for (auto* c : campaigns) c->unload();

  long violations = 0, dials = 0, redialed_after_removal = 0, listed_numbers = 0;
  for (int e = 0; e < 2; ++e)
    for (std::size_t i = 0; i < drivers[e]->requests.size(); ++i) {
      ++dials;
      const auto id = drivers[e]->requests[i].record_id;
      const Time at = drivers[e]->dial_times[i];
      auto blocked = [&](const Listed& l) { return l.from != Time{} && l.from + kBound <= at && at < l.until; };
      auto n = numbers.find(id);
      auto c = customers.find("C" + std::to_string(id % 100));
      if ((n != numbers.end() && blocked(n->second)) || (c != customers.end() && blocked(c->second))) {
        ++violations;
        MESSAGE("engine " << e << " dialed record " << id << " at +" << (at - start).count() << " ms");
      }
      if (n != numbers.end() && n->second.until != Time::max() && at >= n->second.until) ++redialed_after_removal;
    }
  for (const auto& [id, l] : numbers) listed_numbers += l.from != Time{};
  CHECK(dials > 2000);
  CHECK(listed_numbers > 40);
  CHECK(redialed_after_removal > 0);  // removals and expiries reach the engines too
  CHECK(violations == 0);
  MESSAGE(dials << " dials, " << listed_numbers << " numbers and " << customers.size() << " customers listed, "
                << redialed_after_removal << " dials after a removal or expiry");
}
