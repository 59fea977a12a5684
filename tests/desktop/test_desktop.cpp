// Desktop requests and campaign control through the real store (SQLite files),
// the engine loop under a manual clock, and a scripted driver.
#include <doctest/doctest.h>

#include <set>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z

/// Answers every call live and connects it to the request's agent (or "a1") at once.
class DeskDriver : public Driver {
 public:
  explicit DeskDriver(EventLoop& loop) : loop_(loop) {}
  DriverCapabilities capabilities() const override { return {}; }
  void start(EventSink& s) override { sink_ = &s; }
  void dial(const DialRequest& rq) override {
    if (refuse && refuse(rq)) throw std::runtime_error("refused by the test");
    requests.push_back(rq);
    CallId id = rq.call_id;
    std::string agent = rq.agent_id.empty() ? "a1" : rq.agent_id;
    CallResult result = result_for(rq);
    loop_.schedule_after(5s, [this, id, agent, result] {
      if (!sink_) return;
      if (result == CallResult::answer) {
        sink_->on_call_event(obtest::call_event(CallEventKind::answered, id, loop_.now(), AnswerClass::live));
        sink_->on_call_event(obtest::call_event(CallEventKind::connected, id, loop_.now(), AnswerClass::unknown, agent));
      }
    });
    loop_.schedule_after(60s, [this, id, result] {
      if (sink_) sink_->on_call_event(obtest::call_event(CallEventKind::released, id, loop_.now(), AnswerClass::unknown, {}, result));
    });
  }
  void cancel(CallId id) override {
    if (sink_) sink_->on_call_event(obtest::call_event(CallEventKind::released, id, loop_.now(), AnswerClass::unknown, {}, CallResult::cleared));
  }
  void release_abandoned(CallId) override {}
  void stop() override { sink_ = nullptr; }
  std::string name() const override { return "desk"; }

  std::vector<DialRequest> requests;
  std::function<CallResult(const DialRequest&)> result_for = [](const DialRequest&) { return CallResult::answer; };
  std::function<bool(const DialRequest&)> refuse;  // true: dial throws

 private:
  EventLoop& loop_;
  EventSink* sink_ = nullptr;
};

struct Desk {
  std::vector<CampaignEvent> events;  // first: it outlives the engine, whose campaigns report while unloading
  obtest::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  Engine engine{clock};
  std::shared_ptr<DeskDriver> driver = std::make_shared<DeskDriver>(engine.loop());
  std::shared_ptr<CallingList> list;
  std::shared_ptr<DncList> dnc;
  Campaign* c = nullptr;

  explicit Desk(DialMode mode, std::vector<Record> records, std::function<void(CampaignConfig&)> tune = {},
                CallingWindows windows = {}, std::function<void(ListOptions&)> tune_list = {}) {
    ListOptions o;
    o.create_if_missing = true;
    if (tune_list) tune_list(o);
    CallingList::create_table(dir.sqlite(), "calling_list", {"customer_id VARCHAR(32)"});
    list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
    list->insert(records);
    dnc = DncList::open(dir.sqlite());
    CampaignConfig cfg;
    cfg.name = "desk";
    cfg.mode = mode;
    cfg.customer_id_field = "customer_id";
    if (tune) tune(cfg);
    c = &engine.add_campaign(cfg, driver, dnc, std::move(windows));
    c->on_event([this](const CampaignEvent& e) { events.push_back(e); });
    c->add_list(list);
    c->load();
    c->start();
  }
  void agent(const std::string& id, AgentState s = AgentState::ready) { c->set_agent_state(id, s); }
  void run(Duration d) { engine.run_until(clock->now() + d); }
  long count(CampaignEvent::Kind k) const {
    return std::count_if(events.begin(), events.end(), [&](const CampaignEvent& e) { return e.kind == k; });
  }
  Record row(std::int64_t id) { return list->get(id).value(); }
};

template <typename Fn>
ErrorCode error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::generic;  // no error: the tests compare against the code they expect
}

}  // namespace

TEST_CASE("preview: a record on request, processed by the desktop, written back with the agent's result") {
  Desk d(DialMode::preview, obtest::make_records(3));
  d.agent("a1");
  auto rec = d.c->preview_record_request("a1");
  REQUIRE(rec.has_value());
  CHECK(rec->handle != 0);
  CHECK(rec->agent_id == "a1");
  CHECK(rec->list == "calling_list");
  CHECK(d.count(CampaignEvent::Kind::preview_record) == 1);
  CHECK(d.driver->requests.empty());  // preview: the engine does not dial
  d.c->record_processed("a1", rec->handle, CallResult::answer);
  d.c->flush();
  auto row = d.row(rec->record.record_id);
  CHECK(row.record_status == RecordStatus::updated);
  CHECK(row.call_result == CallResult::answer);
  CHECK(row.attempt == 1);
  CHECK(error_of([&] { d.c->record_processed("a1", rec->handle); }) == ErrorCode::not_found);  // handle closed
}

TEST_CASE("preview: an empty list answers empty, with an event") {
  Desk d(DialMode::preview, obtest::make_records(1));
  auto first = d.c->preview_record_request("a1");
  REQUIRE(first.has_value());
  CHECK_FALSE(d.c->preview_record_request("a2").has_value());
  CHECK(d.count(CampaignEvent::Kind::preview_record_empty) == 1);
}

TEST_CASE("preview requests are refused outside preview modes") {
  Desk d(DialMode::progressive, obtest::make_records(1));
  CHECK(error_of([&] { d.c->preview_record_request("a1"); }) == ErrorCode::invalid_state);
}

TEST_CASE("reject returns a previewed record to ready, undialed") {
  Desk d(DialMode::preview, obtest::make_records(1));
  auto rec = d.c->preview_record_request("a1").value();
  d.c->record_reject("a1", rec.handle);
  d.c->flush();
  CHECK(d.row(rec.record.record_id).record_status == RecordStatus::ready);
  CHECK(d.row(rec.record.record_id).attempt == 0);
}

TEST_CASE("handles are checked: unknown, another agent's, another campaign's") {
  Desk d(DialMode::preview, obtest::make_records(2));
  Desk other(DialMode::preview, obtest::make_records(2));
  auto rec = d.c->preview_record_request("a1").value();
  auto theirs = other.c->preview_record_request("b1").value();
  CHECK(error_of([&] { d.c->record_processed("a1", 987654); }) == ErrorCode::not_found);
  CHECK(error_of([&] { d.c->record_processed("a2", rec.handle); }) == ErrorCode::invalid_argument);
  try {
    d.c->record_processed("b1", theirs.handle);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    CHECK(std::string(e.what()).find("another campaign") != std::string::npos);
  }
  // Nothing changed: both handles still work.
  d.c->record_processed("a1", rec.handle, CallResult::answer);
  other.c->record_processed("b1", theirs.handle, CallResult::answer);
}

TEST_CASE("reschedule: personal callback ahead and inside the window; into the past or outside it changes nothing") {
  ZoneMap zones;
  zones.add(1, "America/New_York");
  auto records = obtest::make_records(1);
  records[0].tz_dbid = 1;
  records[0].daily_from = 9 * 3600;
  records[0].daily_till = 20 * 3600;
  Desk d(DialMode::preview, records, {}, CallingWindows(zones, DailyWindow{8 * 3600, 21 * 3600}));
  auto rec = d.c->preview_record_request("a1").value();
  const EpochSeconds now = to_epoch_seconds(d.clock->now());
  CHECK(error_of([&] { d.c->record_reschedule("a1", rec.handle, now - 60, CallbackKind::personal); }) == ErrorCode::invalid_argument);
  // 2026-03-10 03:00 UTC is 23:00 in New York: outside.
  CHECK(error_of([&] { d.c->record_reschedule("a1", rec.handle, now + 14 * 3600, CallbackKind::personal); }) ==
        ErrorCode::compliance_blocked);
  d.c->flush();
  CHECK(d.row(1).record_status == RecordStatus::retrieved);  // unchanged
  const EpochSeconds tomorrow_10am = now + 24 * 3600 + 3600;   // 10:00 EDT next day
  d.c->record_reschedule("a1", rec.handle, tomorrow_10am, CallbackKind::personal);
  d.c->flush();
  auto row = d.row(1);
  CHECK(row.record_status == RecordStatus::ready);
  CHECK(row.record_type == RecordType::personal_callback);
  CHECK(row.agent_id == "a1");
  CHECK(row.dial_sched_time == tomorrow_10am);
}

TEST_CASE("cancel makes the record cancelled; it is never dialed") {
  Desk d(DialMode::preview, obtest::make_records(1));
  auto rec = d.c->preview_record_request("a1").value();
  d.c->record_cancel("a1", rec.handle);
  d.c->flush();
  CHECK(d.row(1).record_status == RecordStatus::cancelled);
  CHECK_FALSE(d.c->preview_record_request("a1").has_value());
}

TEST_CASE("do not call from a desktop is persisted and takes effect at once for buffered records") {
  auto records = obtest::make_records(4);
  records[2].contact_info = records[0].contact_info;  // the same number on another record, already buffered
  Desk d(DialMode::preview, records);
  auto rec = d.c->preview_record_request("a1").value();
  CHECK(rec.record.record_id == 1);
  d.c->do_not_call("a1", rec.handle, DncScope::record, "asked on the phone");
  d.c->flush();
  CHECK(d.row(1).call_result == CallResult::do_not_call);
  CHECK(d.row(1).record_status == RecordStatus::updated);
  std::set<std::int64_t> previewed;
  while (auto r = d.c->preview_record_request("a1")) {
    previewed.insert(r->record.record_id);
    d.c->record_processed("a1", r->handle, CallResult::answer);
  }
  CHECK(previewed == std::set<std::int64_t>{2, 4});  // record 3 shares the listed number
  d.c->flush();
  CHECK(d.row(3).call_result == CallResult::do_not_call);
  auto reloaded = DncList::open(d.dir.sqlite());
  CHECK(reloaded->contains_phone(records[0].contact_info));
}

TEST_CASE("do not call for a whole chain lists every number and the customer id") {
  std::vector<Record> records = {obtest::make_record(1, 9, 1), obtest::make_record(2, 9, 2), obtest::make_record(3, 10, 1)};
  records[0].custom["customer_id"] = "CUST-1";
  records[1].custom["customer_id"] = "CUST-1";
  Desk d(DialMode::preview, records);
  auto rec = d.c->preview_record_request("a1").value();
  REQUIRE(rec.record.chain_id == 9);
  d.c->do_not_call("a1", rec.handle, DncScope::chain);
  d.c->flush();
  CHECK(d.row(1).call_result == CallResult::do_not_call);
  CHECK(d.row(2).call_result == CallResult::do_not_call);
  CHECK(d.dnc->contains_phone(records[1].contact_info));
  CHECK(d.dnc->contains_customer("CUST-1"));
  auto next = d.c->preview_record_request("a1").value();
  CHECK(next.record.record_id == 3);
}

TEST_CASE("a bare number on the DNC list is never dialed, even when already buffered") {
  Desk d(DialMode::progressive, obtest::make_records(50));
  d.c->do_not_call_number("(212) 200-0010", "third party request");
  CHECK(error_of([&] { d.c->do_not_call_number("not a number"); }) == ErrorCode::invalid_argument);
  d.agent("a1");
  d.run(3h);
  for (const auto& rq : d.driver->requests) CHECK(rq.phone != "+12122000010");
  CHECK(d.row(10).call_result == CallResult::do_not_call);
}

TEST_CASE("chained record requests hand out the chain's next numbers; the chain moves on when all are closed") {
  std::vector<Record> records = {obtest::make_record(1, 5, 1), obtest::make_record(2, 5, 2), obtest::make_record(3, 5, 3)};
  Desk d(DialMode::preview, records);
  auto first = d.c->preview_record_request("a1").value();
  auto second = d.c->chained_record_request("a1", first.handle);
  REQUIRE(second.has_value());
  CHECK(second->record.chain_n == 2);
  auto third = d.c->chained_record_request("a1", second->handle);
  REQUIRE(third.has_value());
  CHECK(third->record.chain_n == 3);
  CHECK_FALSE(d.c->chained_record_request("a1", third->handle).has_value());
  d.c->record_cancel("a1", second->handle);
  d.c->record_processed("a1", third->handle, CallResult::wrong_party);
  d.c->record_processed("a1", first.handle, CallResult::answer);
  d.c->flush();
  CHECK(d.row(1).call_result == CallResult::answer);
  CHECK(d.row(2).record_status == RecordStatus::cancelled);
  CHECK(d.row(3).record_status != RecordStatus::retrieved);
  CHECK(d.list->count_by_status()[RecordStatus::retrieved] == 0);
}

TEST_CASE("autonomous: the record reaches the agent with its call; the desktop's decision stands after release") {
  Desk d(DialMode::progressive, obtest::make_records(1), [](CampaignConfig& c) { c.wait_for_desktop = true; });
  d.agent("a1");
  d.run(10s);
  REQUIRE(d.count(CampaignEvent::Kind::record_delivered) == 1);
  auto held = d.c->desktop_records("a1");
  REQUIRE(held.size() == 1);
  std::int64_t handle = held[0].handle;
  d.run(2min);  // the call is released; the record waits for the desktop
  d.c->flush();
  CHECK(d.row(1).record_status == RecordStatus::retrieved);
  d.c->update_call_completion_stats("a1", handle, CallResult::answer);
  d.c->record_reschedule("a1", handle, to_epoch_seconds(d.clock->now()) + 3600, CallbackKind::campaign);
  d.c->flush();
  auto row = d.row(1);
  CHECK(row.record_status == RecordStatus::ready);
  CHECK(row.record_type == RecordType::campaign_callback);
  CHECK(row.attempt == 1);
}

TEST_CASE("a decision made during the call is applied when the call is released") {
  Desk d(DialMode::progressive, obtest::make_records(1));
  d.agent("a1");
  d.run(10s);
  auto held = d.c->desktop_records("a1");
  REQUIRE(held.size() == 1);
  d.c->record_cancel("a1", held[0].handle);
  d.c->flush();
  CHECK(d.row(1).record_status == RecordStatus::retrieved);  // the call goes on
  d.run(2min);
  d.c->flush();
  CHECK(d.row(1).record_status == RecordStatus::cancelled);
  CHECK(d.row(1).call_result == CallResult::answer);
}

TEST_CASE("a record the desktop forgets is finished with the network's result after the timeout") {
  Desk d(DialMode::progressive, obtest::make_records(1), [](CampaignConfig& c) {
    c.wait_for_desktop = true;
    c.desktop_timeout = 5min;
  });
  d.agent("a1");
  d.run(10min);
  d.c->flush();
  CHECK(d.row(1).record_status == RecordStatus::updated);
  CHECK(d.row(1).call_result == CallResult::answer);
  CHECK(d.count(CampaignEvent::Kind::error) >= 1);
}

TEST_CASE("after the desktop timeout a chained record the desktop asked for but never dialed keeps no result") {
  std::vector<Record> records = {obtest::make_record(1, 5, 1), obtest::make_record(2, 5, 2)};
  Desk d(DialMode::progressive, records, [](CampaignConfig& c) {
    c.wait_for_desktop = true;
    c.desktop_timeout = 5min;
  });
  d.agent("a1");
  d.run(2min);  // record 1 answered and released: it waits on the desktop
  auto held = d.c->desktop_records("a1");
  REQUIRE(held.size() == 1);
  auto chained = d.c->chained_record_request("a1", held[0].handle);
  REQUIRE(chained.has_value());
  CHECK(chained->record.record_id == 2);
  d.run(6min);  // the desktop reports nothing
  d.c->flush();
  CHECK(d.row(1).record_status == RecordStatus::updated);
  CHECK(d.row(1).call_result == CallResult::answer);
  CHECK(std::none_of(d.driver->requests.begin(), d.driver->requests.end(),
                     [](const DialRequest& rq) { return rq.record_id == 2; }));
  auto row2 = d.row(2);  // no attempt, no result, not stuck: it was never called
  CHECK(row2.attempt == 0);
  CHECK(row2.call_result != CallResult::answer);
  CHECK(row2.record_status == RecordStatus::chain_updated);  // its chain ended with record 1's final result
  CHECK(d.list->count_by_status()[RecordStatus::retrieved] == 0);
}

TEST_CASE("a due personal callback is announced to its agent and dialed for that agent") {
  auto records = obtest::make_records(2);
  records[0].record_type = RecordType::personal_callback;
  records[0].agent_id = "a2";
  records[0].dial_sched_time = to_epoch_seconds(kStart) + 600;
  Desk d(DialMode::progressive, records);
  d.agent("a1");
  d.agent("a2", AgentState::not_ready);
  d.run(5min);
  CHECK(d.driver->requests.size() == 1);  // record 2 for a1; the callback is not due yet
  d.run(10min);
  CHECK(d.count(CampaignEvent::Kind::scheduled_call) == 1);
  CHECK(d.driver->requests.size() == 1);  // a2 is not ready
  d.agent("a2");
  d.run(1min);
  REQUIRE(d.driver->requests.size() == 2);
  CHECK(d.driver->requests[1].record_id == 1);
  CHECK(d.driver->requests[1].agent_id == "a2");
}

TEST_CASE("a personal callback whose agent is away ends as missed callback (agent callback error)") {
  auto records = obtest::make_records(1);
  records[0].record_type = RecordType::personal_callback;
  records[0].agent_id = "gone";
  records[0].dial_sched_time = to_epoch_seconds(kStart);
  Desk d(DialMode::progressive, records);
  d.agent("a1");
  d.run(10min);
  d.c->flush();
  CHECK(d.driver->requests.empty());
  CHECK(d.row(1).record_status == RecordStatus::missed_callback);
  CHECK(d.row(1).call_result == CallResult::agent_callback_error);
}

TEST_CASE("add record inserts a new record that is then dialed; a duplicate id is refused") {
  Desk d(DialMode::progressive, obtest::make_records(1));
  Record r = obtest::make_record(77);
  CHECK(d.c->add_record("a1", r) == 77);
  CHECK(error_of([&] { d.c->add_record("a1", r); }) == ErrorCode::invalid_argument);
  r.record_id = 78;
  r.contact_info = "nonsense";
  CHECK(error_of([&] { d.c->add_record("a1", r); }) == ErrorCode::invalid_argument);
  d.agent("a1");
  d.run(10min);
  std::set<std::int64_t> dialed;
  for (const auto& rq : d.driver->requests) dialed.insert(rq.record_id);
  CHECK(dialed == std::set<std::int64_t>{1, 77});
}

TEST_CASE("logout returns the agent's previewed records to ready") {
  Desk d(DialMode::preview, obtest::make_records(2));
  d.agent("a1");
  auto rec = d.c->preview_record_request("a1").value();
  d.c->logout("a1");
  d.c->flush();
  CHECK(d.row(rec.record.record_id).record_status == RecordStatus::ready);
  CHECK(d.c->agents().find("a1")->state == AgentState::logged_out);
  CHECK(error_of([&] { d.c->logout("nobody"); }) == ErrorCode::not_found);
  CHECK(error_of([&] { d.c->ready_time("nobody", 10s); }) == ErrorCode::not_found);
}

TEST_CASE("push preview hands records to ready agents without a request") {
  Desk d(DialMode::push_preview, obtest::make_records(5));
  d.agent("a1");
  d.agent("a2");
  d.run(2s);
  CHECK(d.count(CampaignEvent::Kind::preview_record) == 2);
  CHECK(d.c->desktop_records("a1").size() == 1);
  CHECK(d.c->desktop_records("a2").size() == 1);
}

TEST_CASE("auto-completion stops and unloads once every record is final") {
  Desk d(DialMode::progressive, obtest::make_records(3), [](CampaignConfig& c) {
    c.auto_complete = true;
    c.empty_list_backoff = 10s;
  });
  d.agent("a1");
  d.run(1h);
  CHECK(d.count(CampaignEvent::Kind::completed) == 1);
  CHECK(d.c->state() == CampaignState::not_loaded);
  CHECK(d.list->count_by_status()[RecordStatus::updated] == 3);
}

TEST_CASE("unload waits for calls in flight; force unload cancels them; nothing is left retrieved") {
  {
    Desk d(DialMode::progressive, obtest::make_records(10));
    d.agent("a1");
    d.run(10s);
    REQUIRE(d.c->calls_in_flight() == 1);  // the agent is busy with it (inferred from the connect)
    d.c->unload();
    CHECK(d.c->state() == CampaignState::waiting_unload);
    d.run(2min);
    CHECK(d.c->state() == CampaignState::not_loaded);
    CHECK(d.list->count_by_status()[RecordStatus::retrieved] == 0);
    CHECK(d.list->count_by_status()[RecordStatus::updated] == 1);
    CHECK(d.list->count_by_status()[RecordStatus::ready] == 9);
  }
  {
    Desk d(DialMode::progressive, obtest::make_records(10));
    d.agent("a1");
    d.run(10s);
    d.c->force_unload();
    CHECK(d.c->state() == CampaignState::not_loaded);
    CHECK(d.list->count_by_status()[RecordStatus::retrieved] == 0);
  }
}

TEST_CASE("campaign states follow load, start, stop and unload") {
  Desk d(DialMode::progressive, obtest::make_records(5));
  CHECK(d.c->state() == CampaignState::active);  // started, no agent yet
  d.agent("a1");
  d.run(2s);
  CHECK(d.c->state() == CampaignState::running);
  d.c->stop();
  CHECK(d.c->state() == CampaignState::inactive);
  d.c->start();
  CHECK(d.c->state() != CampaignState::inactive);
  CHECK(error_of([&] { d.c->set_mode(DialMode::preview); }) == ErrorCode::invalid_state);
  d.c->stop();
  d.c->set_mode(DialMode::preview);
  CHECK(d.c->config().mode == DialMode::preview);
  CHECK(d.count(CampaignEvent::Kind::mode_changed) == 1);
  d.run(5min);
  d.c->unload();
  d.run(5min);
  CHECK(d.c->state() == CampaignState::not_loaded);
  CHECK(d.count(CampaignEvent::Kind::unloaded) == 1);
}

TEST_CASE("scheduled record reschedule moves a scheduled record; another campaign's, a held one or the past are refused") {
  auto records = obtest::make_records(3);
  records[0].record_type = RecordType::campaign_callback;
  records[0].dial_sched_time = to_epoch_seconds(kStart) + 7200;
  records[1].record_type = RecordType::personal_rescheduled;
  records[1].agent_id = "a1";
  records[1].dial_sched_time = to_epoch_seconds(kStart) + 7200;
  records[2].campaign_id = 99;
  records[2].dial_sched_time = to_epoch_seconds(kStart) + 7200;
  records[2].record_type = RecordType::campaign_rescheduled;
  Desk d(DialMode::preview, records);
  const EpochSeconds now = to_epoch_seconds(d.clock->now());
  d.c->scheduled_record_reschedule("a2", 1, now + 3600, CallbackKind::personal);
  auto moved = d.row(1);
  CHECK(moved.dial_sched_time == now + 3600);
  CHECK(moved.record_type == RecordType::personal_callback);
  CHECK(moved.agent_id == "a2");
  d.c->scheduled_record_reschedule("a1", 2, now + 600, CallbackKind::campaign);
  CHECK(d.row(2).record_type == RecordType::campaign_rescheduled);
  CHECK(d.row(2).agent_id.empty());
  CHECK(error_of([&] { d.c->scheduled_record_reschedule("a1", 3, now + 600, CallbackKind::campaign); }) == ErrorCode::invalid_argument);
  CHECK(error_of([&] { d.c->scheduled_record_reschedule("a1", 1, now - 1, CallbackKind::campaign); }) == ErrorCode::invalid_argument);
  CHECK(error_of([&] { d.c->scheduled_record_reschedule("a1", 404, now + 60, CallbackKind::campaign); }) == ErrorCode::not_found);
  CHECK(d.row(3).dial_sched_time == to_epoch_seconds(kStart) + 7200);  // untouched
}

// --- regressions found in review ---------------------------------------------

TEST_CASE("unload finishes a record whose call is over with the network's result; it is not dialed again") {
  Desk d(DialMode::progressive, obtest::make_records(1), [](CampaignConfig& c) { c.wait_for_desktop = true; });
  d.agent("a1");
  d.run(2min);  // answered, connected, released: the record waits on the desktop
  REQUIRE(d.c->desktop_records("a1").size() == 1);
  d.c->unload();
  CHECK(d.c->state() == CampaignState::not_loaded);
  auto row = d.row(1);
  CHECK(row.record_status == RecordStatus::updated);
  CHECK(row.call_result == CallResult::answer);
  CHECK(row.attempt == 1);
}

TEST_CASE("a chained record on the DNC list is never handed to the desktop") {
  std::vector<Record> records = {obtest::make_record(1, 5, 1), obtest::make_record(2, 5, 2), obtest::make_record(3, 5, 3)};
  Desk d(DialMode::preview, records);
  auto first = d.c->preview_record_request("a1").value();
  d.dnc->add_phone(records[1].contact_info);
  auto next = d.c->chained_record_request("a1", first.handle);
  REQUIRE(next.has_value());
  CHECK(next->record.record_id == 3);
  d.c->flush();
  CHECK(d.row(2).call_result == CallResult::do_not_call);
  CHECK(d.row(2).record_status == RecordStatus::updated);
}

TEST_CASE("a personal callback on the DNC list is closed and the rest of its chain goes on") {
  std::vector<Record> records = {obtest::make_record(1, 5, 1), obtest::make_record(2, 5, 2)};
  records[0].record_type = RecordType::personal_callback;
  records[0].agent_id = "a1";
  records[0].dial_sched_time = to_epoch_seconds(kStart);
  records[1].record_type = RecordType::personal_callback;
  records[1].agent_id = "a1";
  records[1].dial_sched_time = to_epoch_seconds(kStart);
  Desk d(DialMode::progressive, records);
  d.dnc->add_phone(records[0].contact_info);
  d.agent("a1");
  d.run(1min);
  REQUIRE(d.driver->requests.size() == 1);
  CHECK(d.driver->requests[0].record_id == 2);
  CHECK(d.driver->requests[0].agent_id == "a1");
}

TEST_CASE("a refused personal-callback dial frees the agent held for it") {
  auto records = obtest::make_records(3);
  records[0].record_type = RecordType::personal_callback;
  records[0].agent_id = "a1";
  records[0].dial_sched_time = to_epoch_seconds(kStart);
  Desk d(DialMode::progressive, records);
  d.driver->refuse = [](const DialRequest& rq) { return rq.record_id == 1; };
  d.agent("a1");
  d.run(10min);
  std::set<std::int64_t> dialed;
  for (const auto& rq : d.driver->requests) dialed.insert(rq.record_id);
  CHECK(dialed == std::set<std::int64_t>{2, 3});  // a1 was not left reserved for the failed callback
}

TEST_CASE("stop, unload and force unload from an event handler take effect after it returns") {
  Desk d(DialMode::progressive, obtest::make_records(10));
  bool asked = false;
  d.c->on_event([&](const CampaignEvent& e) {
    if (e.kind == CampaignEvent::Kind::dialing && !asked) {
      asked = true;
      d.c->force_unload();
      CHECK(d.c->state() != CampaignState::not_loaded);  // not yet: the dial being announced goes on
    }
  });
  d.agent("a1");
  d.run(1min);
  CHECK(asked);
  CHECK(d.c->state() == CampaignState::not_loaded);
  CHECK(d.driver->requests.size() == 1);
  CHECK(d.list->count_by_status()[RecordStatus::retrieved] == 0);
  CHECK(d.row(1).attempt == 1);
}

TEST_CASE("leases are renewed while loaded and stopped, so another engine cannot take records on a desktop") {
  Desk d(
      DialMode::progressive, obtest::make_records(1),
      [](CampaignConfig& c) {
        c.wait_for_desktop = true;
        c.desktop_timeout = 1h;
      },
      {},
      [](ListOptions& o) { o.lease_s = 60; });
  d.agent("a1");
  d.run(2min);
  REQUIRE(d.c->desktop_records("a1").size() == 1);
  d.c->stop();
  d.run(10min);  // no tick while stopped; the flush timer renews
  ListOptions other;
  other.engine_id = "engine-2";
  auto list2 = CallingList::open(d.dir.sqlite(), other);
  CHECK(list2->recover_expired(to_epoch_seconds(d.clock->now())) == 0);
  CHECK(d.row(1).record_status == RecordStatus::retrieved);
}

TEST_CASE("releases of calls cancelled by force unload are not reported as driver errors") {
  Desk d(DialMode::progressive, obtest::make_records(10));
  d.agent("a1");
  d.agent("a2");
  d.run(10s);
  REQUIRE(d.c->calls_in_flight() >= 1);
  d.c->force_unload();  // the driver answers each cancel with a release, queued to the loop
  d.run(5min);
  CHECK(d.count(CampaignEvent::Kind::driver_error) == 0);
  CHECK(d.list->count_by_status()[RecordStatus::retrieved] == 0);
}
