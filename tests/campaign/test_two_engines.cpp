// Two engines dial one PostgreSQL list of 10,000 records: each record is
// dialed exactly as often as its treatments allow, none is lost, and none is
// ever in two calls at once. The engines step in turn on one manual clock.
#include <doctest/doctest.h>

#include <map>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

// The same record always gets the same sequence of results, whichever engine dials it.
CallResult scripted_result(std::int64_t record_id, int attempt) {
  std::uint64_t h = static_cast<std::uint64_t>(record_id) * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(attempt) * 7919;
  switch ((h >> 33) % 4) {
    case 0: return CallResult::busy;
    case 1: return CallResult::no_answer;
    case 2: return CallResult::answer;
    default: return CallResult::answering_machine;
  }
}

struct Call {
  std::int64_t record_id;
  Time start, end;
  int engine;
};

/// A driver that ends each call after 30 s with the scripted result and logs it.
class LoggingDriver : public Driver {
 public:
  LoggingDriver(EventLoop& loop, int engine, std::vector<Call>& log) : loop_(loop), engine_(engine), log_(log) {}
  DriverCapabilities capabilities() const override { return {}; }
  void start(EventSink& s) override { sink_ = &s; }
  void dial(const DialRequest& rq) override {
    auto attempt = ++attempts_[rq.record_id];
    auto id = rq.call_id;
    auto result = scripted_result(rq.record_id, attempt);
    Time start = loop_.now();
    std::int64_t record = rq.record_id;
    loop_.schedule_after(30s, [this, id, result, start, record] {
      log_.push_back({record, start, loop_.now(), engine_});
      if (sink_) sink_->on_call_event(obtest::call_event(CallEventKind::released, id, loop_.now(), AnswerClass::unknown, {}, result));
    });
  }
  void cancel(CallId) override {}
  void release_abandoned(CallId) override {}
  void stop() override { sink_ = nullptr; }
  std::string name() const override { return "logging"; }
  std::map<std::int64_t, int> attempts_;  // per this engine; the global count is in the log

 private:
  EventLoop& loop_;
  int engine_;
  std::vector<Call>& log_;
  EventSink* sink_ = nullptr;
};

Treatment retry(int id, CallResult r, int cycles) {
  Treatment t;
  t.id = id;
  t.call_result = r;
  t.action = RecordAction::retry_in;
  t.cycle_attempts = cycles;
  t.interval = 10min;
  return t;
}

}  // namespace

TEST_CASE("two engines on one PostgreSQL list: each record dialed as often as its treatments allow, never twice at once") {
  const std::string conn = obtest::pg_connection();
  if (conn.empty()) {
    if (std::getenv("OB_ALLOW_NO_PG")) return;
    FAIL("OB_PG_CONN is not set: run the suite with tests/run_suite.sh (it starts PostgreSQL)");
  }
  const std::string table = "two_engines_" + std::to_string(::getpid());
  CallingList::create_table(conn, table);
  const long kRecords = 10000;
  {
    ListOptions o;
    o.table = table;
    auto list = CallingList::open(conn, o);
    std::vector<Record> batch;
    for (long i = 1; i <= kRecords; ++i) batch.push_back(obtest::make_record(i));
    list->insert(batch);
  }
  const TreatmentSet rules({retry(1, CallResult::busy, 2), retry(2, CallResult::no_answer, 1)});
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));
  std::vector<Call> log;
  std::vector<std::unique_ptr<Engine>> engines;
  std::vector<Campaign*> campaigns;
  for (int e = 0; e < 2; ++e) {
    engines.push_back(std::make_unique<Engine>(clock));
    auto driver = std::make_shared<LoggingDriver>(engines.back()->loop(), e, log);
    ListOptions o;
    o.table = table;
    o.engine_id = "engine-" + std::to_string(e);
    o.lease_s = 120;
    CampaignConfig cfg;
    cfg.name = "shared";
    cfg.chunk_size = 50;
    cfg.treatments = rules;
    auto& c = engines.back()->add_campaign(cfg, driver);
    c.add_list(std::shared_ptr<CallingList>(CallingList::open(conn, o)));
    c.load();
    for (int a = 0; a < 60; ++a) c.set_agent_state("e" + std::to_string(e) + "a" + std::to_string(a), AgentState::ready);
    c.start();
    campaigns.push_back(&c);
  }
  // The engines take turns, a simulated second at a time, on the one clock.
  const Time end = clock->now() + 8h;
  for (Time t = clock->now() + 1s; t <= end; t += 1s)
    for (auto& e : engines) e->run_until(t);
  for (auto* c : campaigns) c->stop();
  for (Time t = clock->now() + 1s; t <= end + 10min; t += 1s)
    for (auto& e : engines) e->run_until(t);
  for (auto* c : campaigns) c->unload();

  // Every record: as many calls as its scripted results allow under the treatments.
  std::map<std::int64_t, std::vector<Call>> by_record;
  for (const auto& call : log) by_record[call.record_id].push_back(call);
  ListOptions o;
  o.table = table;
  auto list = CallingList::open(conn, o);
  auto rows = list->all();
  REQUIRE(rows.size() == static_cast<std::size_t>(kRecords));
  long wrong_count = 0, overlaps = 0, not_final = 0, both_engines = 0;
  for (const auto& r : rows) {
    auto& calls = by_record[r.record_id];
    std::sort(calls.begin(), calls.end(), [](const Call& a, const Call& b) { return a.start < b.start; });
    // What the treatments allow for this record's scripted sequence, by the treatment module itself.
    int allowed = 0;
    Record sim = obtest::make_record(r.record_id);
    sim.record_status = RecordStatus::retrieved;
    for (int attempt = 1; attempt < 20; ++attempt) {
      ++allowed;
      auto d = apply_treatment({sim}, 0, scripted_result(r.record_id, attempt), rules, 1773061200 + attempt * 3600);
      if (!d.dial_next_chain_n) break;
      sim = d.updates.front();
      sim.record_status = RecordStatus::retrieved;
    }
    if (r.record_status == RecordStatus::updated) {
      if (static_cast<int>(calls.size()) != allowed) ++wrong_count;
    } else {
      ++not_final;
    }
    if (static_cast<int>(calls.size()) != r.attempt) ++wrong_count;
    for (std::size_t i = 1; i < calls.size(); ++i)
      if (calls[i].start < calls[i - 1].end) ++overlaps;
    bool e0 = false, e1 = false;
    for (const auto& c : calls) (c.engine ? e1 : e0) = true;
    if (e0 && e1) ++both_engines;
  }
  CHECK(log.size() > static_cast<std::size_t>(kRecords));
  long by_engine[2] = {0, 0};
  for (const auto& c : log) ++by_engine[c.engine];
  CHECK(by_engine[0] > kRecords / 4);  // both engines took a real share
  CHECK(by_engine[1] > kRecords / 4);
  CHECK(wrong_count == 0);
  CHECK(overlaps == 0);
  CHECK(not_final == 0);
  CHECK(list->count_by_status()[RecordStatus::retrieved] == 0);
  MESSAGE("calls " << log.size() << " (engine 0: " << by_engine[0] << ", engine 1: " << by_engine[1]
                   << "), records dialed by both engines over their lives: " << both_engines);
  (void)list;
}
