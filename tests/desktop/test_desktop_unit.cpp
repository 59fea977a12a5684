// lib/desktop on its own: the Desktop class against a fake host that records
// everything the desktop asks of its campaign. No campaign, no driver: only a
// manual-clock loop and a real (SQLite) list for the chains' list name.
#include <doctest/doctest.h>

#include "../../lib/desktop/desktop.hpp"
#include "../support/test_support.hpp"
#include "outbound/dnc.hpp"
#include "outbound/error.hpp"
#include "outbound/timezone.hpp"

using namespace outbound;
using namespace std::chrono_literals;
using desktop::ChainWork;
using desktop::Decision;
using desktop::Desktop;
using desktop::GateVerdict;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z, a Monday afternoon

/// The campaign as the desktop sees it: hands out what a test queues, records what it is asked.
class FakeHost final : public desktop::DesktopHost {
 public:
  std::map<CallId, std::unique_ptr<ChainWork>> calls;
  std::deque<std::unique_ptr<ChainWork>> to_preview;
  std::map<std::size_t, GateVerdict> gate;  // by record index; dial when absent
  bool dials = true;

  std::vector<Record> writes;
  std::vector<std::int64_t> releases;
  std::vector<std::pair<std::int64_t, desktop::ChainOutcome>> moved;  // first record's id, outcome
  std::vector<CampaignEvent> events;
  std::vector<std::string> errors, cleared;
  std::vector<CallResult> treated;
  std::vector<std::pair<std::int64_t, DncScope>> listed;

  ChainWork& call_chain(CallId call) override { return *calls.at(call); }
  bool dialing() const override { return dials; }
  desktop::PreviewPick pick_for_preview(bool) override {
    if (to_preview.empty()) return {nullptr, nullptr, "no record to preview"};
    auto chain = std::move(to_preview.front());
    to_preview.pop_front();
    return {std::move(chain), std::make_shared<TreatmentSet>(), {}};
  }
  GateVerdict gate_chained(ChainWork&, std::size_t index) override {
    auto it = gate.find(index);
    return it == gate.end() ? GateVerdict::dial : it->second;
  }
  // Every result finishes the record with that result (no rules needed to see what the desktop passed).
  TreatmentDecision treat(const ChainWork& chain, std::size_t index, CallResult result, const TreatmentSet&) override {
    treated.push_back(result);
    TreatmentDecision d;
    Record r = chain.records.at(index);
    r.record_status = RecordStatus::updated;
    r.call_result = result;
    d.updates.push_back(r);
    d.chain_finished = true;
    return d;
  }
  void write_record(CallingList*, const Record& r, bool) override { writes.push_back(r); }
  void release_record(CallingList*, std::int64_t id) override { releases.push_back(id); }
  void list_do_not_call(const CallingList&, const Record& r, DncScope scope, const std::string&) override {
    listed.emplace_back(r.record_id, scope);
  }
  void move_chain_on(std::unique_ptr<ChainWork> chain, const desktop::ChainOutcome& o) override {
    moved.emplace_back(chain->records.front().record_id, o);
  }
  void desktop_event(const CampaignEvent& e) override { events.push_back(e); }
  void report_error(const std::string& message) override { errors.push_back(message); }
  void desk_cleared(const std::string& agent) override { cleared.push_back(agent); }

  bool changed_nothing() const { return writes.empty() && releases.empty() && moved.empty() && treated.empty(); }
};

struct Fixture {
  obtest::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  EventLoop loop{clock};
  std::unique_ptr<CallingList> list;
  CampaignConfig cfg;
  CallingWindows windows;
  FakeHost host;
  Desktop desk{host, {loop, cfg, windows, nullptr}};

  Fixture() {
    ListOptions o;
    o.create_if_missing = true;
    list = CallingList::open(dir.sqlite(), o);
    cfg.name = "unit";
    cfg.mode = DialMode::preview;
  }
  // A retrieved chain of `n` records (ids first, first+1...) from the list.
  std::unique_ptr<ChainWork> chain(std::int64_t first, int n = 1) {
    auto c = std::make_unique<ChainWork>();
    c->list = list.get();
    for (int i = 0; i < n; ++i) {
      Record r = obtest::make_record(first + i, static_cast<int>(first), i + 1);
      r.record_status = RecordStatus::retrieved;
      c->records.push_back(r);
    }
    return c;
  }
  // A connected call's record on agent `agent`'s desktop: its handle.
  std::int64_t delivered(CallId call, std::int64_t record, const std::string& agent = "a1") {
    host.calls[call] = chain(record);
    std::int64_t h = desk.open_call_handle(call, agent, 0);
    desk.announce_delivery(h);
    return h;
  }
};

template <typename Fn>
std::pair<ErrorCode, std::string> error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {ErrorCode::generic, "no error"};
}

}  // namespace

TEST_CASE("desktop unit: a decision on an unknown handle is refused, naming it, and changes nothing") {
  Fixture f;
  auto [code, what] = error_of([&] { f.desk.decide("a1", 12345, Decision{}); });
  CHECK(code == ErrorCode::not_found);
  CHECK(what.find("record handle 12345 is unknown or already finished in unit") != std::string::npos);
  CHECK(f.host.changed_nothing());
  CHECK(f.host.events.empty());
}

TEST_CASE("desktop unit: a closed handle is refused like an unknown one; the first decision stands") {
  Fixture f;
  f.host.to_preview.push_back(f.chain(7));
  auto rec = f.desk.preview("a1", false);
  REQUIRE(rec);
  CHECK(rec->record.record_id == 7);
  CHECK(rec->campaign == "unit");
  CHECK(f.host.events.back().kind == CampaignEvent::Kind::preview_record);

  f.desk.decide("a1", rec->handle, Decision{});  // processed: the desktop dialed it, the network's result is ok
  REQUIRE(f.host.treated.size() == 1);
  CHECK(f.host.treated[0] == CallResult::ok);
  REQUIRE(f.host.writes.size() == 1);
  CHECK(f.host.writes[0].attempt == 1);  // a preview's attempt is counted when processed
  REQUIRE(f.host.moved.size() == 1);
  CHECK(f.host.moved[0].second.treatment);
  CHECK(f.host.cleared == std::vector<std::string>{"a1"});
  CHECK(f.desk.empty());

  Decision cancel;
  cancel.kind = Decision::Kind::cancel;
  auto [code, what] = error_of([&] { f.desk.decide("a1", rec->handle, cancel); });
  CHECK(code == ErrorCode::not_found);
  CHECK(what.find("already finished") != std::string::npos);
  CHECK(f.host.writes.size() == 1);  // nothing more written
  CHECK(f.host.moved.size() == 1);
}

TEST_CASE("desktop unit: another agent's handle, a past reschedule and rejecting a called record change nothing") {
  Fixture f;
  f.host.to_preview.push_back(f.chain(7));
  auto rec = f.desk.preview("a1", false);
  REQUIRE(rec);

  auto [code, what] = error_of([&] { f.desk.decide("a2", rec->handle, Decision{}); });
  CHECK(code == ErrorCode::invalid_argument);
  CHECK(what.find("is held by agent a1, not a2") != std::string::npos);

  Decision past;
  past.kind = Decision::Kind::reschedule;
  past.at = to_epoch_seconds(kStart) - 60;
  auto [code2, what2] = error_of([&] { f.desk.decide("a1", rec->handle, past); });
  CHECK(code2 == ErrorCode::invalid_argument);
  CHECK(what2.find("cannot reschedule record 7 into the past") != std::string::npos);

  Decision dnc;
  dnc.kind = Decision::Kind::dnc;
  CHECK(error_of([&] { f.desk.decide("a1", rec->handle, dnc); }).first == ErrorCode::invalid_state);  // no DNC list

  const std::int64_t called = f.delivered(1, 20);
  Decision reject;
  reject.kind = Decision::Kind::reject;
  auto [code3, what3] = error_of([&] { f.desk.decide("a1", called, reject); });
  CHECK(code3 == ErrorCode::invalid_state);
  CHECK(what3.find("only a previewed record can be rejected (record 20)") != std::string::npos);

  CHECK(f.host.changed_nothing());
  CHECK(f.desk.records_of("a1").size() == 2);  // both handles still open
  CHECK(f.desk.holders() == std::set<std::string>{"a1"});
}

TEST_CASE("desktop unit: a forgotten record times out to the host with the network's result") {
  Fixture f;
  f.cfg.wait_for_desktop = true;
  f.cfg.desktop_timeout = 2min;
  const std::int64_t h = f.delivered(1, 30);
  CHECK(f.host.events.back().kind == CampaignEvent::Kind::record_delivered);
  CHECK(f.host.events.back().handle == h);

  auto released = std::move(f.host.calls.at(1));
  REQUIRE(f.desk.call_released(h, released, 0, CallResult::answer, std::make_shared<TreatmentSet>()));
  CHECK_FALSE(released);  // the desktop holds the chain now
  CHECK_FALSE(f.desk.empty());

  f.loop.run_until(kStart + 119s);
  CHECK(f.host.errors.empty());
  CHECK(f.host.changed_nothing());

  f.loop.run_until(kStart + 121s);
  REQUIRE(f.host.errors.size() == 1);
  CHECK(f.host.errors[0].find("records of agent a1 not processed within the desktop timeout") != std::string::npos);
  CHECK(f.host.treated == std::vector<CallResult>{CallResult::answer});
  REQUIRE(f.host.moved.size() == 1);
  CHECK(f.host.moved[0].first == 30);
  CHECK(f.host.moved[0].second.treated_record == 30);
  CHECK(f.desk.empty());
  CHECK(error_of([&] { f.desk.decide("a1", h, Decision{}); }).first == ErrorCode::not_found);

  f.loop.run_until(kStart + 1h);  // the timeout fires once
  CHECK(f.host.errors.size() == 1);
}

TEST_CASE("desktop unit: a decision during the call waits for its release; a second one is refused") {
  Fixture f;
  const std::int64_t h = f.delivered(1, 40);
  Decision cancel;
  cancel.kind = Decision::Kind::cancel;
  f.desk.decide("a1", h, cancel);
  CHECK(f.host.changed_nothing());  // kept until the call ends
  auto [code, what] = error_of([&] { f.desk.decide("a1", h, Decision{}); });
  CHECK(code == ErrorCode::invalid_state);
  CHECK(what.find("already has a decision") != std::string::npos);

  auto released = std::move(f.host.calls.at(1));
  REQUIRE(f.desk.call_released(h, released, 0, CallResult::answer, std::make_shared<TreatmentSet>()));
  REQUIRE(f.host.writes.size() == 1);
  CHECK(f.host.writes[0].record_status == RecordStatus::cancelled);
  CHECK(f.host.writes[0].call_result == CallResult::answer);
  REQUIRE(f.host.moved.size() == 1);
  CHECK_FALSE(f.host.moved[0].second.treatment);  // a cancelled chain is released, not treated
  CHECK(f.desk.empty());
}

TEST_CASE("desktop unit: without a decision and without waiting, a released call is not the desktop's") {
  Fixture f;
  const std::int64_t h = f.delivered(1, 50);
  auto released = std::move(f.host.calls.at(1));
  CHECK_FALSE(f.desk.call_released(h, released, 0, CallResult::answer, nullptr));
  CHECK(released);  // the campaign finishes it the usual way
  CHECK(f.desk.records_of("a1").empty());
}

TEST_CASE("desktop unit: chained records follow the host's gate; the chain moves on when every handle is closed") {
  Fixture f;
  f.host.to_preview.push_back(f.chain(60, 4));
  auto first = f.desk.preview("a1", false);
  REQUIRE(first);
  f.host.gate[1] = GateVerdict::skip;
  auto next = f.desk.chained("a1", first->handle);
  REQUIRE(next);
  CHECK(next->record.record_id == 62);  // 61 was skipped by the gate
  f.host.gate[3] = GateVerdict::chain_done;
  CHECK_FALSE(f.desk.chained("a1", next->handle));
  CHECK(f.host.events.back().message == "no further record in the chain");

  Decision reject;
  reject.kind = Decision::Kind::reject;
  f.desk.decide("a1", first->handle, reject);
  CHECK(f.host.moved.empty());  // one handle of the chain still open
  f.desk.decide("a1", next->handle, reject);
  CHECK(f.host.releases == std::vector<std::int64_t>{60, 62});
  REQUIRE(f.host.moved.size() == 1);
  CHECK(f.desk.empty());
}

TEST_CASE(
    "desktop unit: preview refuses a campaign that does not dial; an empty pick answers empty with the host's reason") {
  Fixture f;
  CHECK(error_of([&] { f.desk.preview("", false); }).first == ErrorCode::invalid_argument);
  f.host.dials = false;
  CHECK(error_of([&] { f.desk.preview("a1", false); }).first == ErrorCode::invalid_state);
  f.host.dials = true;
  f.cfg.mode = DialMode::progressive;
  CHECK(error_of([&] { f.desk.preview("a1", false); }).first == ErrorCode::invalid_state);
  f.cfg.mode = DialMode::preview;
  CHECK_FALSE(f.desk.preview("a1", false));
  CHECK(f.host.events.back().kind == CampaignEvent::Kind::preview_record_empty);
  CHECK(f.host.events.back().message == "no record to preview");
}

TEST_CASE("desktop unit: do-not-call for a chain lists every open record of it and ends each one") {
  Fixture f;
  DncList dnc;  // in memory: the desktop only checks that the number reads as one
  Desktop desk{f.host, {f.loop, f.cfg, f.windows, &dnc}};
  f.host.to_preview.push_back(f.chain(70, 3));
  auto rec = desk.preview("a1", false);
  REQUIRE(rec);
  Decision d;
  d.kind = Decision::Kind::dnc;
  d.scope = DncScope::chain;
  d.message = "asked on the phone";
  desk.decide("a1", rec->handle, d);
  CHECK(f.host.listed == std::vector<std::pair<std::int64_t, DncScope>>{
                             {70, DncScope::chain}, {71, DncScope::record}, {72, DncScope::record}});
  REQUIRE(f.host.writes.size() == 3);
  for (const auto& w : f.host.writes) {
    CHECK(w.record_status == RecordStatus::updated);
    CHECK(w.call_result == CallResult::do_not_call);
  }
  CHECK(desk.empty());
}

TEST_CASE("desktop unit: logout rejects previews and processes records after their call; the call's handle stays") {
  Fixture f;
  f.cfg.wait_for_desktop = true;
  f.host.to_preview.push_back(f.chain(80));
  auto preview = f.desk.preview("a1", false);
  REQUIRE(preview);
  const std::int64_t after_call = f.delivered(1, 81);
  auto released = std::move(f.host.calls.at(1));
  REQUIRE(f.desk.call_released(after_call, released, 0, CallResult::answer, std::make_shared<TreatmentSet>()));
  f.delivered(2, 82);  // still in its call

  f.desk.logout("a1");
  CHECK(f.host.releases == std::vector<std::int64_t>{80});
  CHECK(f.host.treated == std::vector<CallResult>{CallResult::answer});
  CHECK(f.host.moved.size() == 2);
  const auto left = f.desk.records_of("a1");
  REQUIRE(left.size() == 1);
  CHECK(left[0].record.record_id == 82);
}

TEST_CASE("desktop unit: unloading ends the called record with the network's result and returns the rest") {
  Fixture f;
  f.cfg.wait_for_desktop = true;
  f.host.to_preview.push_back(f.chain(90));
  REQUIRE(f.desk.preview("a2", false));
  const std::int64_t h = f.delivered(1, 91);
  auto released = std::move(f.host.calls.at(1));
  REQUIRE(f.desk.call_released(h, released, 0, CallResult::answer, std::make_shared<TreatmentSet>()));

  f.desk.release_all();
  CHECK(f.desk.empty());
  CHECK(f.desk.holders().empty());
  CHECK(f.host.treated == std::vector<CallResult>{CallResult::answer});  // the called record only
  REQUIRE(f.host.moved.size() == 2);
  for (const auto& [id, outcome] : f.host.moved) CHECK(outcome.treatment.has_value() == (id == 91));
  f.loop.run_until(kStart + 1h);
  CHECK(f.host.errors.empty());  // its desktop timeout was cancelled
}
