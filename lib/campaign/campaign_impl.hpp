// Private: the campaign group's state and its core behaviour — buffer,
// compliance gate, pacing, call tracking, treatments and write-back — all on
// the engine's loop thread. Desktop requests live in desktop.cpp.
#pragma once

#include "outbound/campaign.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "abandon_window.hpp"
#include "chain_work.hpp"
#include "outbound/error.hpp"

namespace outbound {

using detail::ChainWork;

namespace campaign_detail {

/// What a desktop decided about one record.
struct DeskDecision {
  enum class Kind { processed, reschedule, cancel, reject, dnc } kind = Kind::processed;
  std::optional<CallResult> result;                 // processed: the agent's result
  EpochSeconds at = 0;                              // reschedule: when
  CallbackKind callback = CallbackKind::campaign;   // reschedule: for whom
  DncScope scope = DncScope::record;                // dnc: how far
  std::string message;                              // dnc: why
};

/// A call the driver holds.
struct ActiveCall {
  CallId id = 0;
  std::unique_ptr<ChainWork> chain;
  std::size_t index = 0;  // the dialed record in chain->records
  Time dialed_at{};
  std::optional<Time> answered_at;
  std::optional<Time> connected_at;
  bool live = false;
  bool connected = false;
  bool abandoned = false;
  TimerId abandon_timer = 0;
  std::shared_ptr<const TreatmentSet> rules;  // the rules the call started with
  std::string agent;            // the agent it is for (personal callback) or connected to
  std::int64_t handle = 0;      // the desktop's handle once connected to an agent
  bool personal = false;        // a personal callback with its agent reserved
  std::optional<DeskDecision> desk_decision;  // what the desktop decided during the call
};

/// A chain held by an agent's desktop: previewed, or after its call until processed.
struct DeskEntry {
  std::string agent;
  std::unique_ptr<ChainWork> chain;
  std::map<std::int64_t, std::size_t> open;        // handles not yet closed -> record index
  std::optional<CallResult> network_result;         // the call's result, when there was a call
  std::shared_ptr<const TreatmentSet> rules;        // rules at the time it was handed out
  bool preview = false;                             // the desktop dials it (attempts counted on processed)
  std::optional<TreatmentDecision> treatment;       // the last processed record's decision
  std::int64_t treated_record = 0;                  // the record that decision was for
  std::optional<EpochSeconds> reschedule_at;        // a callback asked for the chain
  TimerId timeout = 0;                              // finishes a forgotten record
};

/// Where a handle's record is: in a call, or on a desktop.
struct HandleRef {
  std::string agent;
  CallId call = 0;            // while its call lasts
  std::int64_t entry = 0;     // DeskEntry key once on a desktop
  std::size_t index = 0;      // the record in the chain
};

struct ListEntry {
  std::shared_ptr<CallingList> list;
  double share = 1.0;
  double credit = 0.0;         // share-weighted turn keeping (smooth weighted round robin)
  Time empty_until{};          // backoff after an empty retrieval
};

}  // namespace campaign_detail

using campaign_detail::ActiveCall;
using campaign_detail::DeskDecision;
using campaign_detail::DeskEntry;
using campaign_detail::HandleRef;
using campaign_detail::ListEntry;

struct Campaign::Impl : std::enable_shared_from_this<Campaign::Impl> {
  Impl(EventLoop& l, CampaignConfig c, std::shared_ptr<Driver> d, std::shared_ptr<DncList> n, CallingWindows w)
      : loop(l), cfg(std::move(c)), driver(std::move(d)), dnc(std::move(n)), windows(std::move(w)),
        rules(std::make_shared<TreatmentSet>(cfg.treatments)), abandon_window(cfg.abandon_cap.window) {}

  // --- the event sink the driver calls, from any thread -------------------
  class Sink final : public EventSink {
   public:
    Sink(std::weak_ptr<Impl> impl, EventLoop& loop, std::uint64_t session)
        : impl_(std::move(impl)), loop_(loop), session_(session) {}
    // Events after stop are rejected; events queued before it but handled
    // after the unload (a cancelled call's release) belong to a finished
    // session and are dropped quietly.
    void on_call_event(const CallEvent& e) override {
      if (closed_.load()) return;
      loop_.post([w = impl_, e, s = session_] {
        if (auto im = w.lock(); im && im->session == s) im->handle_call_event(e);
      });
    }
    void on_agent_event(const AgentEvent& e) override {
      if (closed_.load()) return;
      loop_.post([w = impl_, e, s = session_] {
        if (auto im = w.lock(); im && im->session == s) im->handle_agent_event(e);
      });
    }
    void close() { closed_.store(true); }

   private:
    std::weak_ptr<Impl> impl_;
    EventLoop& loop_;
    std::uint64_t session_;
    std::atomic<bool> closed_{false};
  };

  EventLoop& loop;
  CampaignConfig cfg;
  std::shared_ptr<Driver> driver;
  std::shared_ptr<DncList> dnc;
  CallingWindows windows;
  std::shared_ptr<const TreatmentSet> rules;
  std::unique_ptr<Pacer> pacer;
  std::unique_ptr<Sink> sink;
  std::vector<ListEntry> lists;
  detail::RecordBuffer buffer;
  std::unordered_map<CallId, ActiveCall> calls;
  AgentPool agents;
  CampaignState state = CampaignState::not_loaded;
  CallId next_call_id = 1;
  std::map<CallingList*, std::vector<Record>> pending_updates;
  std::map<CallingList*, std::vector<std::int64_t>> pending_releases;
  bool write_failed = false;   // dialing pauses until results can be written again
  bool pace_posted = false;
  Time last_pace{};
  TimerId tick_timer = 0, flush_timer = 0;
  Time started_at{}, last_lease_renewal{};
  std::vector<std::function<void(const CampaignEvent&)>> handlers;
  std::map<std::int64_t, DeskEntry> desk;                 // desktop entries by key (their first handle)
  std::unordered_map<std::int64_t, HandleRef> handles;    // every open handle
  std::int64_t handle_base = 0;                           // this campaign's handle range
  std::int64_t next_handle = 1;
  struct WaitingCallback {
    std::unique_ptr<ChainWork> chain;
    Time deadline;
    bool announced = false;
  };
  std::vector<WaitingCallback> waiting_callbacks;         // due personal callbacks waiting for their agent
  std::set<std::string> reserved_agents;                  // agents held for a personal callback
  CampaignStats st;
  detail::AbandonWindow abandon_window;
  double distribution_sum_s = 0.0;
  PacingTracker tracker;
  bool driver_started = false;
  bool completing = false;       // auto-completion under way
  bool infer_agents = false;     // the driver reports no agent states: the engine infers them
  int dispatching = 0;           // > 0 while event handlers run
  std::uint64_t session = 0;     // one a load; driver events of an unloaded session are dropped
  std::string last_db_error;     // the last database error reported, and when
  Time last_db_error_at{};
  long db_errors_suppressed = 0;

  // --- events to subscribers ------------------------------------------------
  void emit(CampaignEvent::Kind kind, std::string message, std::int64_t record_id = 0,
            CallResult result = CallResult::unknown) {
    CampaignEvent e;
    e.kind = kind;
    e.campaign = cfg.name;
    e.record_id = record_id;
    e.result = result;
    e.message = std::move(message);
    notify(e);
  }

  // Handlers run with `dispatching` raised, so control calls they make are deferred.
  void notify(const CampaignEvent& e) {
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(x) { ++d; }
      ~Depth() { --d; }
    } depth(dispatching);
    for (auto& h : handlers) h(e);
  }

  // stop/unload/force_unload from inside a handler would pull the call or
  // chain being handled from under the engine: they run once it returns.
  void control(void (Impl::*action)()) {
    if (dispatching == 0) return (this->*action)();
    loop.post([w = weak_from_this(), action] {
      if (auto im = w.lock()) (im.get()->*action)();
    });
  }

  void set_state(CampaignState s) {
    if (s == state) return;
    state = s;
    emit(CampaignEvent::Kind::state_changed, std::string(to_string(s)));
  }

  EpochSeconds now_s() const { return to_epoch_seconds(loop.now()); }

  // --- lifecycle ------------------------------------------------------------
  void load() {
    if (state != CampaignState::not_loaded) throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " is already loaded");
    if (cfg.ring_timeout < std::chrono::seconds(15))
      throw Error(ErrorCode::invalid_argument, "ring_timeout must be at least 15 s (FCC/Ofcom minimum ring time)");
    if (lists.empty()) throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " has no calling list");
    // Results of the last run not yet written go first: recovery would
    // otherwise return their records to ready and dial them again.
    flush();
    if (write_failed)
      throw Error(ErrorCode::database, "campaign " + cfg.name + ": results of the last run cannot be written yet; load again when the database is back");
    pacer = is_autonomous(cfg.mode) ? make_pacer(cfg.mode, cfg.pacer) : nullptr;
    for (auto& e : lists) {
      std::size_t n = e.list->recover(now_s());
      if (n) emit(CampaignEvent::Kind::info, std::to_string(n) + " records left retrieved by an earlier run returned to ready in " + e.list->options().table);
      for (const auto& err : e.list->mark_malformed()) record_error(err.record_id, err.reason);
      if (windows.enabled())
        for (const auto& err : e.list->mark_unknown_zones(windows.zones().keys())) record_error(err.record_id, err.reason);
    }
    infer_agents = !driver->capabilities().reports_agent_states;
    completing = false;
    sink = std::make_unique<Sink>(weak_from_this(), loop, ++session);
    driver->start(*sink);
    driver_started = true;
    set_state(CampaignState::inactive);
    emit(CampaignEvent::Kind::loaded, "campaign loaded");
    flush_timer = loop.schedule_after(cfg.flush_interval, [this] { on_flush_timer(); });
  }

  void start() {
    if (state == CampaignState::running || state == CampaignState::active) return;
    if (state != CampaignState::inactive) throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " is " + std::string(to_string(state)) + ", not loaded and inactive");
    started_at = loop.now();
    set_state(CampaignState::active);
    emit(CampaignEvent::Kind::started, "dialing started");
    tick_timer = loop.schedule_after(cfg.tick, [this] { on_tick(); });
    request_pace();
  }

  void stop() {
    if (state != CampaignState::running && state != CampaignState::active) return;
    loop.cancel(tick_timer);
    tick_timer = 0;
    release_buffer();
    for (auto& w : waiting_callbacks) release_chain(*w.chain);
    waiting_callbacks.clear();
    set_state(CampaignState::inactive);
    flush();
    emit(CampaignEvent::Kind::stopped, "dialing stopped; " + std::to_string(calls.size()) + " calls in flight will finish");
  }

  void unload() {
    if (state == CampaignState::not_loaded) return;
    stop();
    if (!calls.empty()) {
      set_state(CampaignState::waiting_unload);
      return;  // finish_unload runs when the last call is released
    }
    finish_unload();
  }

  // Unloads now: calls in flight are cancelled and their records return to
  // ready at once (their attempts were recorded when they were placed).
  void force_unload() {
    if (state == CampaignState::not_loaded) return;
    stop();
    set_state(CampaignState::waiting_unload);
    std::vector<CallId> ids;
    for (auto& [id, c] : calls) ids.push_back(id);
    for (CallId id : ids) guarded_driver_call("cancel", [&] { driver->cancel(id); });
    finish_unload();
  }

  void finish_unload() {
    set_state(CampaignState::unload_in_progress);
    release_buffer();
    release_desk();
    flush();
    if (driver_started) {
      sink->close();
      guarded_driver_call("stop", [&] { driver->stop(); });
      driver_started = false;
    }
    loop.cancel(flush_timer);
    flush_timer = 0;
    // Calls the driver never released (it failed or misbehaved) are not lost:
    // their records return to ready with the attempt already counted.
    for (auto& [id, c] : calls) {
      loop.cancel(c.abandon_timer);
      if (c.personal) reserved_agents.erase(c.agent);
      release_chain(*c.chain);
    }
    calls.clear();
    handles.clear();
    flush();
    ++session;  // events still queued from this session find no campaign to reach
    set_state(CampaignState::not_loaded);
    emit(CampaignEvent::Kind::unloaded, "campaign unloaded");
  }

  // --- timers ---------------------------------------------------------------
  void on_tick() {
    tick_timer = loop.schedule_after(cfg.tick, [this] { on_tick(); });
    abandon_window.prune(loop.now());
    renew_leases_if_due();
    pace();
  }

  // Runs from the tick and from the flush timer, so leases stay ours while
  // loaded, dialing or not (records on desktops and in calls included).
  void renew_leases_if_due() {
    const Time now = loop.now();
    Duration renew_every = std::chrono::seconds(std::max<std::int64_t>(1, lists.empty() ? 60 : lists.front().list->options().lease_s / 3));
    if (now - last_lease_renewal >= renew_every) {
      last_lease_renewal = now;
      for (auto& e : lists)
        guarded_db("renew leases", [&] {
          e.list->renew_leases(to_epoch_seconds(now));
          // Engines sharing a list: records of an engine that died come back once its leases expire.
          if (std::size_t n = e.list->recover_expired(to_epoch_seconds(now)))
            emit(CampaignEvent::Kind::info, std::to_string(n) + " records of an expired lease returned to ready");
        });
    }
  }

  void on_flush_timer() {
    flush_timer = loop.schedule_after(cfg.flush_interval, [this] { on_flush_timer(); });
    flush();
    renew_leases_if_due();
  }

  // Events ask for a pacing decision; decisions are at most one per
  // pace_interval (a dialer reacting every 250 ms is well inside the 2 s a live
  // answer may wait, and a burst of events makes one decision, not one each).
  void request_pace() {
    if (pace_posted) return;
    pace_posted = true;
    const Time due = last_pace + cfg.pace_interval;
    auto run = [w = weak_from_this()] {
      if (auto im = w.lock()) {
        im->pace_posted = false;
        im->pace();
      }
    };
    if (due <= loop.now())
      loop.post(run);
    else
      loop.schedule_at(due, run);
  }

  // --- database -------------------------------------------------------------
  template <typename Fn>
  bool guarded_db(const char* what, Fn&& fn) {
    try {
      fn();
      return true;
    } catch (const std::exception& e) {
      report_db_error(std::string(what) + ": " + e.what());
      return false;
    }
  }

  // While the database is away every retry fails the same way: the same
  // message is reported once per db_error_every, with how often it recurred.
  void report_db_error(std::string message) {
    static constexpr Duration db_error_every = std::chrono::seconds(10);
    const Time now = loop.now();
    if (message == last_db_error && now - last_db_error_at < db_error_every) {
      ++db_errors_suppressed;
      return;
    }
    last_db_error = message;
    if (db_errors_suppressed) message += " (and " + std::to_string(db_errors_suppressed) + " times more since the last report)";
    last_db_error_at = now;
    db_errors_suppressed = 0;
    emit(CampaignEvent::Kind::database_error, std::move(message));
  }

  void flush() {
    bool ok = true;
    for (auto it = pending_updates.begin(); it != pending_updates.end();) {
      std::vector<std::int64_t> lost;
      if (guarded_db("write results", [&] { lost = it->first->update_owned(it->second); })) {
        std::set<std::int64_t> not_ours(lost.begin(), lost.end());
        for (const auto& r : it->second) {
          if (not_ours.count(r.record_id)) {
            // Another engine took the record after our lease expired: its row is theirs now.
            emit(CampaignEvent::Kind::error, "lease lost: the result of record " + std::to_string(r.record_id) +
                                                 " was not written (another engine holds it)", r.record_id, r.call_result);
            continue;
          }
          // Durable now: journals and audits may rely on it.
          emit(CampaignEvent::Kind::written, std::string(to_string(r.record_status)), r.record_id, r.call_result);
        }
        it = pending_updates.erase(it);
      } else {
        ok = false, ++it;
      }
    }
    for (auto it = pending_releases.begin(); it != pending_releases.end();) {
      if (guarded_db("release records", [&] { it->first->release(it->second); }))
        it = pending_releases.erase(it);
      else
        ok = false, ++it;
    }
    write_failed = !ok;
  }

  void queue_update(CallingList* list, const Record& r) { pending_updates[list].push_back(r); }

  // Returns every still-retrieved record of the chain to ready (not dialed now).
  void release_chain(ChainWork& chain) {
    for (auto& r : chain.records)
      if (r.record_status == RecordStatus::retrieved) {
        r.record_status = RecordStatus::ready;
        pending_releases[chain.list].push_back(r.record_id);
      }
  }

  void release_buffer() {
    while (!buffer.empty()) {
      auto chain = buffer.pop_front();
      release_chain(*chain);
    }
  }

  void record_error(std::int64_t record_id, const std::string& reason) {
    ++st.record_errors;
    emit(CampaignEvent::Kind::record_error, reason, record_id);
  }

  // --- buffer ---------------------------------------------------------------
  std::size_t low_water() const { return cfg.low_water ? cfg.low_water : std::max<std::size_t>(1, cfg.chunk_size / 2); }

  ListEntry* next_list(Time now) {
    ListEntry* best = nullptr;
    double total = 0;
    for (auto& e : lists)
      if (e.empty_until <= now) {
        e.credit += e.share;
        total += e.share;
        if (!best || e.credit > best->credit) best = &e;
      }
    if (best) best->credit -= total;
    return best;
  }

  void refill() {
    Time now = loop.now();
    for (std::size_t tries = 0; buffer.records() < low_water() && tries < lists.size(); ++tries) {
      ListEntry* e = next_list(now);
      if (!e) return;
      RetrieveRequest rq;
      rq.now = to_epoch_seconds(now);
      rq.max_records = cfg.chunk_size;
      rq.check_windows = windows.enabled();
      if (rq.check_windows) rq.zones = windows.zones_open_now(now);
      RetrieveResult got;
      if (!guarded_db("retrieve records", [&] { got = e->list->retrieve(rq); })) {
        // The database is away: ask again soon (it reconnects), not after the empty-list wait.
        e->empty_until = now + std::min<Duration>(cfg.empty_list_backoff, std::chrono::seconds(2));
        continue;
      }
      for (const auto& err : got.errors) record_error(err.record_id, err.reason);
      if (got.records.empty()) e->empty_until = now + cfg.empty_list_backoff;
      add_chains(std::move(got.records), e->list.get());
    }
  }

  void add_chains(std::vector<Record> records, CallingList* list) {
    std::size_t i = 0;
    while (i < records.size()) {
      auto chain = std::make_unique<ChainWork>();
      chain->list = list;
      int id = records[i].chain_id;
      while (i < records.size() && records[i].chain_id == id) chain->records.push_back(std::move(records[i++]));
      chain->next = first_record_to_dial(*chain);
      buffer.push_back(std::move(chain));
    }
  }

  // The treatments history says which record of a resumed chain is next.
  static std::size_t first_record_to_dial(const ChainWork& chain) {
    for (const auto& r : chain.records)
      if (history_restored_for(r.record_type))
        if (auto h = parse_treatment_history(r.treatments); h && h->next_chain_n > 0)
          if (auto idx = chain.index_of_chain_n(h->next_chain_n)) return *idx;
    return 0;
  }

  // --- the compliance gate --------------------------------------------------
  enum class Gate { dial, skip_record, chain_done, window_closed };

  Gate check_record(ChainWork& chain, std::optional<std::uint64_t>& phone_key) {
    Record& r = chain.records[chain.next];
    std::string why;
    phone_key.reset();
    if (cfg.max_attempts > 0 && r.attempt >= cfg.max_attempts) {
      // A hard cap beside the treatments: a record whose result was lost in a
      // crash is redialed, but never beyond this.
      r.record_status = RecordStatus::updated;
      ++st.records_finalized;
      queue_update(chain.list, r);
      return Gate::skip_record;
    }
    if (dnc) {
      phone_key = dnc->normalizer().key(r.contact_info, &why);
      if (!phone_key) {
        finalize_record_error(chain, r, "record " + std::to_string(r.record_id) + ": " + why);
        return Gate::skip_record;
      }
      std::string customer = customer_id_of(r);
      switch (dnc->check(phone_key, customer)) {
        case DncMatch::phone:
          finalize_dnc(chain, r);
          return Gate::skip_record;
        case DncMatch::customer_id:
          for (auto& other : chain.records)
            if (other.record_status == RecordStatus::retrieved) finalize_dnc(chain, other);
          return Gate::chain_done;
        case DncMatch::none:
          break;
      }
    }
    switch (windows.check(r, loop.now())) {
      case WindowVerdict::open:
        return Gate::dial;
      case WindowVerdict::closed:
        return Gate::window_closed;
      case WindowVerdict::unknown_zone:
        finalize_record_error(chain, r, "record " + std::to_string(r.record_id) + ": zone \"" + windows.zone_key(r) + "\" is not configured");
        return Gate::skip_record;
    }
    return Gate::dial;
  }

  std::string customer_id_of(const Record& r) const {
    if (cfg.customer_id_field.empty()) return {};
    auto it = r.custom.find(cfg.customer_id_field);
    return it == r.custom.end() ? std::string() : it->second;
  }

  void finalize_dnc(ChainWork& chain, Record& r) {
    ++st.dnc_blocked;
    r.call_result = CallResult::do_not_call;
    r.record_status = RecordStatus::updated;
    ++st.records_finalized;
    queue_update(chain.list, r);
  }

  void finalize_record_error(ChainWork& chain, Record& r, const std::string& reason) {
    r.call_result = CallResult::dial_error;
    r.record_status = RecordStatus::updated;
    ++st.records_finalized;
    queue_update(chain.list, r);
    record_error(r.record_id, reason);
  }

  // --- pacing and dialing ---------------------------------------------------
  PacingSnapshot snapshot() const {
    PacingSnapshot s;
    Time now = loop.now();
    s.mode = cfg.mode;
    s.goal = cfg.goal;
    s.target = cfg.target;
    s.ratio = cfg.ratio;
    s.ports = cfg.ports ? cfg.ports : driver->capabilities().max_concurrent_calls;
    s.agents_logged_in = agents.logged_in();
    s.agents_ready = agents.count(AgentState::ready);
    s.agents_reserved = agents.count(AgentState::reserved);
    for (const auto& id : reserved_agents)
      if (const Agent* a = agents.find(id); a && a->state == AgentState::ready) --s.agents_ready, ++s.agents_reserved;

    s.agents_busy = agents.count(AgentState::busy);
    s.agents_wrap = agents.count(AgentState::wrap_up);
    s.busy_elapsed_s = agents.time_in_state(AgentState::busy, now);
    s.wrap_elapsed_s = agents.time_in_state(AgentState::wrap_up, now);
    for (const auto& [id, c] : calls) {
      if (!c.answered_at) {
        ++s.calls_dialing;
        s.dialing_elapsed_s.push_back(to_seconds(now - c.dialed_at));
      } else if (c.live && !c.connected && !c.abandoned) {
        ++s.calls_waiting;
      } else if (c.connected) {
        ++s.calls_connected;
        if (c.connected_at) s.connected_elapsed_s.push_back(to_seconds(now - *c.connected_at));
      }
    }
    s.records_available = static_cast<long>(buffer.records());
    s.stats = tracker.stats(now);
    s.abandon_after_s = to_seconds(cfg.abandon_after);
    s.abandon.cap_rate = cfg.abandon_cap.rate;
    s.abandon.live_in_window = abandon_window.live();
    s.abandon.abandoned_in_window = abandon_window.abandoned();
    s.abandon.machines_in_window = abandon_window.machines();
    s.abandon.amd_false_positive = cfg.abandon_cap.amd_false_positive;
    auto [live_out, abandoned_out] = abandon_window.expiring(now, std::chrono::minutes(1));
    s.abandon.live_expiring = live_out;
    s.abandon.abandoned_expiring = abandoned_out;
    return s;
  }

  void pace() {
    if (state != CampaignState::running && state != CampaignState::active) return;
    last_pace = loop.now();
    if (write_failed) {
      flush();  // retry; no call is placed whose result could not be recorded
      if (write_failed) return;
    }
    refill();
    serve_waiting_callbacks();
    push_previews();
    if (cfg.auto_complete && check_complete()) return;
    if (!pacer) return;
    abandon_window.prune(loop.now());
    int n = pacer->dials_now(snapshot());
    set_state(n > 0 || !calls.empty() ? CampaignState::running : CampaignState::active);
    if (n <= 0) return;
    dial_batch(collect_dialable(n));
  }

  struct Pending {
    std::unique_ptr<ChainWork> chain;
    std::uint64_t phone_key = 0;
    std::string agent;  // a personal callback's reserved agent
  };

  std::vector<Pending> collect_dialable(int n) {
    std::vector<Pending> out;
    std::vector<std::unique_ptr<ChainWork>> closed;
    while (static_cast<int>(out.size()) < n) {
      if (buffer.empty()) {
        refill();
        if (buffer.empty()) break;
      }
      auto chain = buffer.pop_front();
      if (chain->seek_open() && take_personal_callback(chain)) continue;
      std::optional<std::uint64_t> key;
      Gate g = Gate::skip_record;
      while (chain->seek_open()) {
        g = check_record(*chain, key);
        if (g != Gate::skip_record) break;
      }
      if (g == Gate::dial && chain->records[chain->next].record_status == RecordStatus::retrieved) {
        out.push_back({std::move(chain), key.value_or(0), {}});
      } else if (g == Gate::window_closed) {
        ++st.window_deferred;
        release_chain(*chain);
      } else {
        finish_chain(*chain);
      }
    }
    return out;
  }

  void dial_batch(std::vector<Pending> batch) {
    if (batch.empty()) return;
    const Time now = loop.now();
    std::map<CallingList*, std::vector<Record>> marks;
    for (auto& p : batch) {
      Record& r = p.chain->records[p.chain->next];
      r.attempt += 1;
      r.call_time = to_epoch_seconds(now);
      marks[p.chain->list].push_back(r);
    }
    // The attempt is durable before the call exists: a crash after the dial still counts it.
    std::set<std::int64_t> lost;
    for (auto& [list, records] : marks) {
      std::vector<std::int64_t> not_ours;
      if (!guarded_db("record dial attempts", [&, l = list, &r = records] { not_ours = l->mark_dialing_owned(r); })) {
        for (auto& p : batch) {
          Record& r = p.chain->records[p.chain->next];
          r.attempt -= 1;
          release_chain(*p.chain);
          if (!p.agent.empty()) reserved_agents.erase(p.agent);
        }
        write_failed = true;
        return;
      }
      lost.insert(not_ours.begin(), not_ours.end());
    }
    for (auto& p : batch) {
      const std::int64_t id = p.chain->records[p.chain->next].record_id;
      if (lost.count(id)) {
        // Our lease expired and another engine holds the record: never dial it twice at once.
        emit(CampaignEvent::Kind::error, "lease lost: record " + std::to_string(id) + " not dialed (another engine holds it)", id);
        release_chain(*p.chain);  // the rest of the chain, where still ours (release checks the lease)
        if (!p.agent.empty()) reserved_agents.erase(p.agent);
        continue;
      }
      place_call(std::move(p));
    }
  }

  void place_call(Pending p) {
    const CallId id = next_call_id++;
    Record& r = p.chain->records[p.chain->next];
    DialRequest rq;
    rq.call_id = id;
    rq.phone = p.phone_key ? "+" + std::to_string(p.phone_key) : r.contact_info;
    rq.record_id = r.record_id;
    rq.campaign_id = r.campaign_id;
    rq.campaign = cfg.name;
    rq.attributes = r.custom;
    rq.amd = cfg.amd;
    rq.ring_timeout = cfg.ring_timeout;
    rq.voice_application = cfg.voice_application;
    rq.agent_id = p.agent;
    ActiveCall call;
    call.id = id;
    call.agent = p.agent;
    call.personal = !p.agent.empty();
    call.index = p.chain->next;
    call.dialed_at = loop.now();
    call.rules = rules;
    call.chain = std::move(p.chain);
    auto [it, ok] = calls.emplace(id, std::move(call));
    (void)ok;
    ++st.dials;
    tracker.on_dial(loop.now());
    announce_dial(it->second);
    std::string error;
    bool placed = guarded_driver_call("dial", [&] { driver->dial(rq); }, &error);
    if (!placed) {
      // The driver refused: the attempt stands (it was recorded) and the
      // record goes through the treatments as a dial error.
      ++st.driver_errors;
      if (it->second.personal) reserved_agents.erase(it->second.agent);
      report_result(it->second, CallResult::dial_error);
      finish_call(it->second, CallResult::dial_error);
      calls.erase(it);
    }
  }

  // Subscribers (journals, audits) learn of every dial before the driver is asked.
  void announce_dial(const ActiveCall& c) {
    const Record& r = c.chain->records[c.index];
    CampaignEvent e;
    e.kind = CampaignEvent::Kind::dialing;
    e.campaign = cfg.name;
    e.record_id = r.record_id;
    e.agent_id = c.agent;
    e.record = r;
    notify(e);
  }

  template <typename Fn>
  bool guarded_driver_call(const char* what, Fn&& fn, std::string* error = nullptr) {
    try {
      fn();
      return true;
    } catch (const std::exception& e) {
      if (error) *error = e.what();
      emit(CampaignEvent::Kind::driver_error, std::string("driver ") + driver->name() + " failed to " + what + ": " + e.what());
    } catch (...) {
      emit(CampaignEvent::Kind::driver_error, std::string("driver ") + driver->name() + " failed to " + what);
    }
    return false;
  }

  // --- call events ----------------------------------------------------------
  void handle_call_event(const CallEvent& e) {
    auto it = calls.find(e.call_id);
    if (it == calls.end()) {
      ++st.driver_errors;
      emit(CampaignEvent::Kind::driver_error, "event " + std::string(to_string(e.kind)) + " for unknown call " + std::to_string(e.call_id) + " ignored");
      return;
    }
    ActiveCall& c = it->second;
    const Time now = loop.now();
    switch (e.kind) {
      case CallEventKind::dialing:
      case CallEventKind::ringing:
        break;
      case CallEventKind::answered:
        on_answered(c, e, now);
        break;
      case CallEventKind::connected:
        on_connected(c, e, now);
        break;
      case CallEventKind::abandoned:
        on_abandoned(c, now);
        break;
      case CallEventKind::released: {
        // Out of the map first: handlers and desktops may change the campaign meanwhile.
        ActiveCall done = std::move(c);
        calls.erase(it);
        finish_released(done, e.result, now);
        if (state == CampaignState::waiting_unload && calls.empty()) finish_unload();
        break;
      }
    }
    request_pace();
  }

  void finish_released(ActiveCall& c, CallResult reported, Time now) {
    {
        loop.cancel(c.abandon_timer);
        CallResult result = reported;
        // An abandoned call ends abandoned, unless the callee opted out during the message.
        if (c.abandoned && result != CallResult::abandoned && result != CallResult::do_not_call) result = CallResult::abandoned;
        if (result == CallResult::do_not_call) list_opt_out(c);
        tracker.on_release(now, result, now - c.dialed_at, c.answered_at.has_value(),
                           c.connected_at ? std::optional<Duration>(now - *c.connected_at) : std::nullopt);
        if (c.personal) reserved_agents.erase(c.agent);
        if (infer_agents && c.connected && !c.agent.empty())  // without a desktop the agent is free again
          handle_agent_event({c.agent, cfg.wait_for_desktop ? AgentState::wrap_up : AgentState::ready, now});
        report_result(c, result);
        if (!c.handle || !route_released_call(c, result)) finish_call(c, result);
    }
  }

  void on_answered(ActiveCall& c, const CallEvent& e, Time now) {
    if (c.answered_at) return;
    c.answered_at = now;
    // Only a person starts the abandon clock; machines, fax and silence do not.
    const bool live = e.answer == AnswerClass::live || e.answer == AnswerClass::unknown;
    tracker.on_answer(now, live, now - c.dialed_at);
    if (!live) {
      if (e.answer == AnswerClass::machine) abandon_window.add_machine(now);
      return;
    }
    c.live = true;
    ++st.live_answers;
    // Regulation: a live answer must reach an agent within abandon_after.
    const CallId id = c.id;
    c.abandon_timer = loop.schedule_after(cfg.abandon_after, [w = weak_from_this(), id] {
      auto im = w.lock();
      if (!im) return;
      im->on_abandon_deadline(id);
    });
  }

  void on_abandon_deadline(CallId id) {
    {
      auto it = calls.find(id);
      if (it == calls.end() || it->second.connected || it->second.abandoned) return;
      it->second.abandon_timer = 0;
      on_abandoned(it->second, loop.now());
      guarded_driver_call("release an abandoned call", [&] { driver->release_abandoned(id); });
    }
  }

  void on_connected(ActiveCall& c, const CallEvent& e, Time now) {
    if (c.connected || c.abandoned) return;
    c.connected = true;
    c.connected_at = now;
    loop.cancel(c.abandon_timer);
    c.abandon_timer = 0;
    if (c.live) {
      ++st.connected;
      Duration wait = c.answered_at ? now - *c.answered_at : Duration::zero();
      distribution_sum_s += to_seconds(wait);
      tracker.on_connect(now, wait);
      abandon_window.add(now, false);
    }
    if (c.personal) reserved_agents.erase(c.agent);  // the callback reached its agent
    if (!e.agent_id.empty()) {
      if (infer_agents) handle_agent_event({e.agent_id, AgentState::busy, now});
      agents.count_call(e.agent_id);
      deliver_to_agent(c, e.agent_id);
    }
  }

  // The callee opted out (pressed the digit during the message, or told the
  // network): the number goes on the DNC list at once, persisted.
  void list_opt_out(const ActiveCall& c) {
    const Record& r = c.chain->records[c.index];
    if (!dnc) {
      emit(CampaignEvent::Kind::error, "callee opted out but campaign " + cfg.name + " has no do-not-call list", r.record_id);
      return;
    }
    try {
      dnc->add_phone(r.contact_info, "opted out during the call");
    } catch (const std::exception& ex) {
      emit(CampaignEvent::Kind::error, std::string("cannot list an opt-out: ") + ex.what(), r.record_id);
    }
  }

  void on_abandoned(ActiveCall& c, Time now) {
    if (c.abandoned || c.connected) return;
    c.abandoned = true;
    if (c.live) {
      ++st.abandoned;
      tracker.on_abandon(now);
      abandon_window.add(now, true);
    }
  }

  void count_result(CallResult r) {
    switch (r) {
      case CallResult::busy: ++st.busy; break;
      case CallResult::no_answer: ++st.no_answer; break;
      case CallResult::answering_machine: ++st.machines; break;
      case CallResult::answer:
      case CallResult::ok:
      case CallResult::abandoned:
        break;
      default:
        if (r >= CallResult::sit_detected && r <= CallResult::sit_reorder && r != CallResult::answering_machine &&
            r != CallResult::all_trunks_busy)
          ++st.sit;
        else
          ++st.other_results;
    }
  }

  // Applies the treatments to a finished call's chain and decides where it goes.
  void report_result(const ActiveCall& c, CallResult result) {
    count_result(result);
    emit(CampaignEvent::Kind::call_finished, std::string(to_string(result)), c.chain->records[c.index].record_id, result);
  }

  // Runs a finished call's chain through the treatments and moves it on.
  void finish_call(ActiveCall& c, CallResult result) {
    const std::int64_t id = c.chain->records[c.index].record_id;
    TreatmentDecision d = treat(*c.chain, c.index, result, *c.rules);
    apply_decision(std::move(c.chain), d, id);
  }

  TreatmentDecision treat(const ChainWork& chain, std::size_t index, CallResult result, const TreatmentSet& set) {
    TreatmentDecision d;
    try {
      d = apply_treatment(chain.records, index, result, set, now_s());
    } catch (const std::exception& ex) {
      // A treatment that cannot be evaluated must not lose the record: it is final with its result.
      const Record& dialed = chain.records[index];
      emit(CampaignEvent::Kind::error, std::string("treatment failed, record made final: ") + ex.what(), dialed.record_id);
      d = TreatmentDecision{};
      Record r = dialed;
      r.call_result = result;
      r.record_status = RecordStatus::updated;
      d.updates.push_back(r);
      d.chain_finished = true;
    }
    if (result == CallResult::abandoned) hold_abandoned_number(d, chain.records[index].record_id);
    return d;
  }

  // UK rule: a number whose call was abandoned is not called again within the
  // lockout (72 h) unless an agent is guaranteed (seizing modes).
  void hold_abandoned_number(TreatmentDecision& d, std::int64_t id) {
    if (cfg.abandoned_redial_lockout <= Duration::zero()) return;
    if (cfg.mode == DialMode::progressive_seize || cfg.mode == DialMode::predictive_seize || cfg.mode == DialMode::power_seize) return;
    const EpochSeconds earliest = now_s() + std::chrono::duration_cast<std::chrono::seconds>(cfg.abandoned_redial_lockout).count();
    for (auto& u : d.updates)
      if (u.record_id == id && u.record_status == RecordStatus::ready && (!u.dial_sched_time || *u.dial_sched_time < earliest))
        u.dial_sched_time = earliest;
    if (d.dial_next_chain_n && d.updates.size() && (!d.dial_at || *d.dial_at < earliest))
      for (const auto& u : d.updates)
        if (u.record_id == id && u.chain_n == *d.dial_next_chain_n) d.dial_at = earliest;
  }

  // Turns a treatment decision into the engine's moves. The decision
  // describes rows (open records ready, the next one scheduled); the engine
  // keeps a chain that goes on at once in memory (its records stay
  // retrieved), and gives a chain that goes on later one due time on every
  // open record, so no record of it is picked as fresh before then.
  void apply_decision(std::unique_ptr<ChainWork> chain, const TreatmentDecision& d, std::int64_t dialed_id) {
    const bool at_once = d.dial_next_chain_n && (!d.dial_at || *d.dial_at <= now_s()) && state_accepts_dials();
    std::optional<EpochSeconds> later;
    if (d.dial_next_chain_n && !at_once) later = d.dial_at ? std::max(*d.dial_at, now_s()) : now_s();
    for (const auto& u : d.updates)
      for (auto& r : chain->records)
        // Records already final (processed on a desktop, put on DNC) keep their outcome.
        if (r.record_id == u.record_id && (r.record_id == dialed_id || r.record_status == RecordStatus::retrieved ||
                                           r.record_status == RecordStatus::ready)) {
          r = u;
          if (r.record_status == RecordStatus::ready) {
            if (at_once) r.record_status = RecordStatus::retrieved;
            if (later) r.dial_sched_time = *later;
          }
          if (r.record_id == dialed_id) count_outcome(r);
          queue_update(chain->list, r);
        }
    if (at_once) {
      if (auto idx = chain->index_of_chain_n(*d.dial_next_chain_n)) chain->next = *idx;
      buffer.push_front(std::move(chain));  // dial the chain's next record at once
    } else if (later) {
      schedule_chain(*chain, *later);
    } else {
      finish_chain(*chain);
    }
  }

  void count_outcome(const Record& r) {
    if (r.record_status == RecordStatus::ready)
      ++st.records_rescheduled;
    else if (r.record_status != RecordStatus::retrieved)
      ++st.records_finalized;
  }

  // Auto-completion: nothing buffered, in flight, on a desktop or waiting,
  // and no list has a ready record left (scheduled ones included).
  bool check_complete() {
    if (completing) return true;
    if (!buffer.empty() || !calls.empty() || !desk.empty() || !waiting_callbacks.empty()) return false;
    for (auto& e : lists) {
      if (e.empty_until <= loop.now()) return false;  // not yet asked since it was last found empty
      bool ready_left = true;
      if (!guarded_db("count records", [&] { ready_left = e.list->count_by_status()[RecordStatus::ready] > 0; })) return false;
      if (ready_left) return false;
    }
    completing = true;
    emit(CampaignEvent::Kind::completed, "every record is final: campaign completed");
    loop.post([w = weak_from_this()] {
      if (auto im = w.lock()) im->unload();
    });
    return true;
  }

  bool state_accepts_dials() const { return state == CampaignState::running || state == CampaignState::active; }

  // Records the decision did not mention still wait with the chain: they get the same due time.
  void schedule_chain(ChainWork& chain, EpochSeconds at) {
    for (auto& r : chain.records)
      if (r.record_status == RecordStatus::retrieved) {
        r.record_status = RecordStatus::ready;
        r.dial_sched_time = at;
        queue_update(chain.list, r);
      }
  }

  // A finished chain's records not dialed are closed as chain updated.
  void finish_chain(ChainWork& chain) {
    for (auto& r : chain.records)
      if (r.record_status == RecordStatus::retrieved) {
        r.record_status = RecordStatus::chain_updated;
        queue_update(chain.list, r);
      }
  }

  // --- agents -----------------------------------------------------------------
  void handle_agent_event(const AgentEvent& e) {
    const Time now = loop.now();
    if (const Agent* before = agents.find(e.agent_id); before && before->state != e.state)
      tracker.on_agent_state(now, before->state, e.state, now > before->since ? now - before->since : Duration::zero());
    agents.set_state(e.agent_id, e.state, now);
    request_pace();
  }

  // --- desktop requests and personal callbacks (desktop.cpp) -----------------
  std::int64_t new_handle();
  HandleRef& handle_of(const std::string& agent, std::int64_t handle);
  DesktopRecord desktop_record(std::int64_t handle, const ChainWork& chain, std::size_t index, const std::string& agent) const;
  void emit_desktop(CampaignEvent::Kind kind, const std::string& agent, std::int64_t handle, const Record* record,
                    std::string message = {});
  void deliver_to_agent(ActiveCall& c, const std::string& agent);
  bool route_released_call(ActiveCall& c, CallResult result);
  void validate_decision(const HandleRef& ref, const Record& r, const DeskDecision& d);
  void decide(const std::string& agent, std::int64_t handle, DeskDecision d);
  void apply_to_record(DeskEntry& e, std::size_t index, const DeskDecision& d);
  void close_handle(std::int64_t handle);
  void free_agent_after_desktop(const std::string& agent);
  void route_entry(std::int64_t key);
  void on_desk_timeout(std::int64_t key);
  std::optional<DesktopRecord> preview(const std::string& agent, bool pushed);
  std::optional<DesktopRecord> chained(const std::string& agent, std::int64_t handle);
  bool take_personal_callback(std::unique_ptr<ChainWork>& chain);
  void serve_waiting_callbacks();
  Gate gate_chained(ChainWork& chain, std::size_t index);
  void fail_callback(std::unique_ptr<ChainWork> chain);
  void push_previews();
  void add_to_dnc(ChainWork& chain, Record& r, const std::string& message);
  void release_desk();
  void reschedule_stored(const std::string& agent, std::int64_t record_id, EpochSeconds at, CallbackKind kind);
  Record& record_of(const HandleRef& ref);
  std::unique_ptr<ChainWork>& chain_of(const HandleRef& ref);

  CampaignStats stats() const {
    CampaignStats s = st;
    Time now = loop.now();
    s.abandon_rate = s.live_answers ? static_cast<double>(s.abandoned) / static_cast<double>(s.live_answers) : 0.0;
    s.window_abandon_rate = abandon_window.rate();
    s.window_live_answers = abandon_window.live();
    auto totals = agents.totals(now);
    s.agent_occupancy = totals.occupancy();
    s.agent_wait_mean_s = s.connected ? (totals.ready_s + totals.reserved_s) / static_cast<double>(s.connected) : 0.0;
    s.distribution_time_mean_s = s.connected ? distribution_sum_s / static_cast<double>(s.connected) : 0.0;
    s.agents_logged_in = agents.logged_in();
    s.calls_in_flight = static_cast<int>(calls.size());
    s.records_buffered = buffer.records();
    return s;
  }
};

}  // namespace outbound
