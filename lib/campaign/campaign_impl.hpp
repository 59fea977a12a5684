// Private: the campaign group's state and the declaration of its core
// behaviour — buffer, compliance gate, pacing, call tracking, treatments and
// write-back — all on the engine's loop thread. The logic lives in topic
// files: lifecycle.cpp (load to unload, timers), storage_io.cpp (the calling
// lists: writes, releases, refill), dialing.cpp (the compliance gate's facts
// and verdict — lib/gate decides —, the dialing turn, pacing, placing calls), call_events.cpp (driver events, treatments, statistics)
// desktop.cpp (the campaign as lib/desktop's host) and personal_callbacks.cpp.
// The calls in flight, their deadlines and their log rows are the call
// tracker's (lib/calls).
#pragma once

#include "outbound/campaign.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "../calls/call_tracker.hpp"
#include "../timezone/no_call_days.hpp"
#include "abandon_window.hpp"
#include "agent_router.hpp"
#include "chain_work.hpp"
#include "../desktop/desktop.hpp"
#include "../gate/gate.hpp"
#include "list_worker.hpp"
#include "outbound/driver/driver.hpp"
#include "outbound/error.hpp"

namespace outbound {

using detail::ChainWork;

namespace campaign_detail {

/// How long the loop's own database work (call-log flushes, the call log's
/// re-reads) waits for a lock another connection holds: the abandon timer and
/// connects run on the same thread. What times out is kept and tried again.
inline constexpr Duration kLoopLockWait = std::chrono::milliseconds(100);

/// A call the driver holds (its id, deadlines and logged flag are the tracker's, lib/calls).
struct ActiveCall : calls::TrackedCall {
  std::unique_ptr<ChainWork> chain;
  std::size_t index = 0;  // the dialed record in chain->records
  Time dialed_at{};
  std::optional<Time> answered_at;
  std::optional<Time> connected_at;
  bool ringing = false;
  bool live = false;
  bool connected = false;
  bool abandoned = false;
  AnswerClass answer = AnswerClass::unknown;
  std::string phone;            // with a call log: the number for the log and the lockout (E.164 when it reads as one)
  std::string connecting_agent; // engine routing: the agent connect() was asked for, until connected or failed
  std::shared_ptr<const TreatmentSet> rules;  // the rules the call started with
  std::string agent;            // the agent it is for (personal callback) or connected to
  std::int64_t handle = 0;      // the desktop's handle once connected to an agent (its decision is the desktop's)
  bool personal = false;        // a personal callback with its agent reserved
  std::optional<CallResult> call_action_result;  // a treatment's apply-to-call action took it: its result
  bool message_left = false;    // the driver left the machine message
};

struct ListEntry {
  std::shared_ptr<CallingList> list;
  double share = 1.0;
  double credit = 0.0;         // share-weighted turn keeping (smooth weighted round robin)
  Time empty_until{};          // backoff after an empty retrieval
  bool retrieving = false;     // a retrieval is with the list worker
  Time due_polled{};           // last full due-only retrieval (records others scheduled are looked for every empty_list_backoff)
  std::optional<EpochSeconds> due_seen;  // every record due by then was offered by a due-only retrieval (the next reads only newer ones)
};

}  // namespace campaign_detail

using campaign_detail::ActiveCall;
using campaign_detail::ListEntry;

struct Campaign::Impl : std::enable_shared_from_this<Campaign::Impl>, calls::DeadlineListener {
  Impl(EventLoop& l, CampaignConfig c, std::shared_ptr<Driver> d, std::shared_ptr<DncList> n, CallingWindows w)
      : loop(l), cfg(std::move(c)), driver(std::move(d)), dnc(std::move(n)), windows(std::move(w)),
        rules(std::make_shared<TreatmentSet>(cfg.treatments)), abandon_window(cfg.abandon_cap.window),
        no_call(cfg.no_call_days) {}

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
  std::string caller_id;                   // cfg.caller_id in E.164 (set at load)
  std::shared_ptr<CallLog> call_log;       // optional: every call logged; window and lockout kept across restarts
  Time abandoned_loaded_at{};              // last read of abandoned numbers from the log
  Time dials_loaded_at{};                  // last read of dials from the log (contact limits)
  Time log_reread_after{};                 // a re-read that found the log locked is tried again from here
  PreDialCheck pre_dial_check;             // the host's veto before each dial (empty: none)
  PhoneNormalizer fallback_normalizer;     // numbers for the log and lockout when there is no DNC list
  CallingWindows windows;
  std::shared_ptr<const TreatmentSet> rules;
  std::unique_ptr<Pacer> pacer;
  std::unique_ptr<Sink> sink;
  std::vector<ListEntry> lists;
  detail::RecordBuffer buffer;
  calls::CallTracker<ActiveCall> calls{loop, *this};  // calls in flight, their deadlines, their log rows
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
  class DeskHost;  // the campaign as the desktop's host (desktop.cpp)
  static std::unique_ptr<desktop::DesktopHost> make_desk_host(Impl& im);
  std::unique_ptr<desktop::DesktopHost> desk_host = make_desk_host(*this);
  desktop::Desktop desktop{*desk_host, {loop, cfg, windows, dnc.get()}};  // handles, held chains, desktop requests
  struct WaitingCallback {
    std::unique_ptr<ChainWork> chain;
    Time deadline;
    bool announced = false;
  };
  std::vector<WaitingCallback> waiting_callbacks;         // due personal callbacks waiting for their agent
  std::set<std::string> reserved_agents;                  // agents held for a personal callback
  CampaignStats st;
  detail::AbandonWindow abandon_window;
  detail::NoCallDays no_call;  // cfg.no_call_days, read (and checked) once
  double distribution_sum_s = 0.0;
  PacingTracker tracker;
  bool driver_started = false;
  bool completing = false;       // auto-completion under way
  bool infer_agents = false;     // the driver reports no agent states: the engine infers them
  bool engine_routes = false;    // the driver connects on request: the engine picks agents (engine_routing.cpp)
  detail::AgentRouter router;    // live answers waiting for an agent (engine routing)
  bool unguarded_baseline = false;  // a simulation runs a baseline pacer as published (run_baseline_unguarded)
  int dispatching = 0;           // > 0 while event handlers or driver methods run
  int queued_controls = 0;       // control calls deferred and not yet run
  std::uint64_t session = 0;     // one a load; driver events of an unloaded session are dropped
  std::string last_db_error;     // the last database error reported, and when
  Time last_db_error_at{};
  long db_errors_suppressed = 0;
  // List I/O with the worker (only ever true between a submit and its completion on a real clock).
  std::size_t records_requested = 0;  // retrievals under way, in records asked for
  bool flush_in_flight = false;       // one flush at a time keeps each record's writes in order
  bool flush_again = false;           // asked for while one was under way
  int dials_in_flight = 0;            // batches whose attempts are being written: no new dial decision
  bool renewing = false;              // a lease renewal is under way
  int storage_waits = 0;              // > 0 inside flush_now/settle_storage: the call log may take its full wait
  // Last member: destroyed first, so its thread finishes its jobs while the lists still exist.
  detail::ListWorker storage{loop, !loop.clock().is_manual()};

  // Why a started campaign dials nothing (idle_reason.cpp).
  struct IdleWatch {
    Time started{};            // the start this watch belongs to
    long placed_seen = 0;      // dials the driver took, at the last check
    Time since{};              // the last instant a dial was placed (or dialing started)
    Time checked_at{};         // the last reason worked out
    std::optional<std::string> list_reason;  // the lists' part, as last worked out
    Time list_checked_at{};
    Duration list_check_every{};  // grows while the lists' part stays the same
    bool list_counting = false;   // a count of the lists is with the worker
    Time list_count_started{};
    std::string reason;        // the reason last reported ("" none)
    Time reported_at{};
    long refusals = 0;         // dials the driver refused since `since`
    Time last_refusal_at{};
    std::string last_refusal;  // the driver's last refusal of a dial
  } idle;
  void check_idle();                          // from the tick: an idle event when due
  void note_refusal(const std::string& error);  // the driver refused a dial
  std::optional<std::string> idle_reason();    // "key: text" of what holds dialing now; nullopt: not known yet
  std::optional<std::string> recent_list_reason();  // the lists' part ("" when dialable), counted less often while unchanged
  void count_lists();                         // a list-worker job; its completion sets the lists' part
  void set_list_reason(const std::string& r);

  // --- events to subscribers ------------------------------------------------
  void emit(CampaignEvent::Kind kind, std::string message, std::int64_t record_id = 0,
            CallResult result = CallResult::unknown);
  void notify(const CampaignEvent& e);
  // Runs a control action now, or queues it until the handler or driver method
  // under way returns (always for stop/unload/force_unload; for load/start only
  // behind others already queued, so that order holds and otherwise their errors
  // still reach the caller).
  void control(void (Impl::*action)(), bool defer_while_dispatching = true);
  // Raised while subscribers or the driver run: what they call back is deferred.
  struct DispatchScope {
    int& depth;
    explicit DispatchScope(int& d) : depth(d) { ++depth; }
    ~DispatchScope() { --depth; }
    DispatchScope(const DispatchScope&) = delete;
    DispatchScope& operator=(const DispatchScope&) = delete;
  };
  void set_state(CampaignState s);

  EpochSeconds now_s() const { return to_epoch_seconds(loop.now()); }

  // --- lifecycle ------------------------------------------------------------
  void load();
  void start();
  void stop();
  void unload();
  void force_unload();   // unloads now, cancelling the calls in flight
  void finish_unload();  // releases everything and stops the driver

  // --- timers ---------------------------------------------------------------
  void on_tick();
  void renew_leases_and_recover_expired();  // when due: our leases renewed, expired ones of other engines recovered
  void on_flush_timer();
  void request_pace();   // a dialing turn soon, at most one per pace_interval

  // --- database -------------------------------------------------------------
  // Runs a database call; a failure is reported (report_db_error), not thrown.
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

  void report_db_error(std::string message);  // a repeated message is reported once per 10 s
  void flush();  // writes queued results and releases; what fails stays queued (write_failed)
  void flush_now();  // flush() and wait for it: every write under way done (stop, unload, load)
  void settle_storage();  // waits for the list worker; writes what its completions queued
  bool has_pending_writes() const { return !pending_updates.empty() || !pending_releases.empty() || calls.log_rows_pending() > 0; }

  void queue_update(CallingList* list, const Record& r) { pending_updates[list].push_back(r); }

  void release_chain(ChainWork& chain);  // its still-retrieved records return to ready
  void release_buffer();
  void record_error(std::int64_t record_id, const std::string& reason);

  // --- buffer ---------------------------------------------------------------
  std::size_t low_water() const { return cfg.low_water ? cfg.low_water : std::max<std::size_t>(1, cfg.chunk_size / 2); }

  ListEntry* next_list(Time now);  // whose turn it is (smooth weighted round robin), or none
  void refill();  // asks the lists for records (off the loop thread on a real clock)
  enum class Due { any, all_due, newly_due };  // what a retrieval asks for: fresh and due, every due record, those due since due_seen
  void refill_from(std::size_t list_index, Time now, Due due = Due::any);
  void on_retrieved(std::size_t list_index, RetrieveResult got, const std::string& error, Time now, Due due);
  void refill_due();                 // due records (retries, callbacks) to the front of the buffer, without waiting for it to drain
  void note_due(EpochSeconds at);    // a record this campaign scheduled becomes due at `at`: a dialing turn then
  std::multiset<EpochSeconds> due_times;  // due times of records this campaign scheduled, not yet retrieved for
  void add_chains(std::vector<Record> records, CallingList* list);  // due chains by due time before the fresh ones
  static std::size_t first_record_to_dial(const ChainWork& chain);  // where a resumed chain goes on

  // --- the compliance gate --------------------------------------------------
  // What the caller does with the chain after the gate.
  enum class Gate { dial, skip_record, chain_done, window_closed, locked_out, limited, held, no_call_day };
  enum class Lockout { applies, ignored };  // ignored: an agent's desktop dials it

  // The gate for chain.next (lib/gate decides): a blocked record is made
  // final and queued; a deferred one's due time (lockout, limit, no-call day,
  // a held chain) goes to *locked_until.
  Gate gate_and_close_blocked(ChainWork& chain, std::optional<std::uint64_t>& phone_key, Lockout lockout,
                              EpochSeconds* locked_until = nullptr);
  gate::Facts gate_facts(const ChainWork& chain, std::optional<std::uint64_t>& phone_key, Lockout lockout) const;
  std::optional<EpochSeconds> no_call_day_end(const Record& r, std::uint64_t key, Time now) const;
  Gate close_blocked(ChainWork& chain, const gate::Verdict& v);
  std::optional<EpochSeconds> chain_due_at(const ChainWork& chain) const;  // latest scheduled time after now of an open record
  bool hold_if_scheduled(ChainWork& chain);  // the gate's first rule alone: true when the chain was put back until then
  void hold_chain(ChainWork& chain, EpochSeconds until);  // back to the list, every open record due at `until`
  std::string customer_id_of(const Record& r) const;
  const PhoneNormalizer& number_normalizer() const;  // the DNC list's, else the fallback
  std::string number_region(const CallingList& list, const Record& r) const;  // region of its national-format number
  std::string number_as_e164(const CallingList& list, const Record& r) const;  // read in its region; as written when unreadable
  void defer_closed_chain(ChainWork& chain, std::optional<std::uint64_t> key);  // window closed: wait in the list
  bool sync_dnc();                 // other engines' DNC changes; false: the list is stale, do not dial
  void report_dnc_load_errors();   // one error event per unreadable DNC row
  std::uint64_t dnc_generation_reported = 0;
  void finalize_dnc(ChainWork& chain, Record& r);
  // Do-not-call writes from the loop (call_events.cpp): bounded, and queued in the list when the table is locked.
  bool add_to_dnc(const DncEntry& e, std::int64_t record_id);  // false: queued, not written (reported once)
  void report_dnc_written();  // once every entry this campaign queued is in the table
  void flush_dnc();           // stop and unload: queued entries written with the connection's full wait
  std::size_t dnc_deferred = 0;  // entries this campaign queued and has not yet reported written
  void finalize_record_error(ChainWork& chain, Record& r, const std::string& reason);

  // --- pacing and dialing ---------------------------------------------------
  std::unique_ptr<Pacer> new_pacer(DialMode mode) const;  // cfg.pacer for `mode`; a baseline behind the guard
  PacingSnapshot snapshot() const;  // what the pacer sees now
  void dialing_turn();   // refill, callbacks, previews, auto-completion, then dial_as_paced
  void dial_as_paced();  // the pacer's decision, and that many chains dialed

  struct Pending {
    std::unique_ptr<ChainWork> chain;
    std::uint64_t phone_key = 0;
    std::string agent;  // a personal callback's reserved agent
    std::string phone;  // with a call log: the number its dial was noted under, for the contact limits
    Time noted_at{};    // when that dial was noted (the gate's time; the call's own once placed)
  };
  // The dial is noted in the call log's memory as the gate lets it through, so the next
  // record with the same number (in this batch, or another campaign's) counts it.
  Pending dial_pending(std::unique_ptr<ChainWork> chain, std::optional<std::uint64_t> key, std::string agent = {});
  void forget_pending_dial(const Pending& p);  // a noted dial that did not happen after all
  // The host's pre-dial check on chain.next; true when it vetoed (the record is closed through the treatments).
  bool vetoed_by_host(std::unique_ptr<ChainWork>& chain, std::optional<std::uint64_t> key);
  std::optional<EpochSeconds> contact_limit_end(const Record& r, std::optional<std::uint64_t> key) const;
  void reload_dials_if_due();  // other engines' dials, from the shared log
  bool reread_log(const char* what, const std::function<void()>& read);  // bounded; a failure waits 10 s
  Duration longest_contact_window() const;

  std::vector<Pending> collect_dialable(int n);  // up to n chains past the gate
  void dial_batch(std::vector<Pending> batch);  // records the attempts, then places the calls
  // The attempts are written (or not: `error`): place the batch's calls.
  void place_batch(std::vector<Pending>& batch, const std::vector<Record>& before, const std::set<std::int64_t>& lost,
                   const std::string& error);
  void place_call(Pending p);
  void undo_dial(Pending p, const Record& before);  // a batch record not dialed after all
  void announce_dial(const ActiveCall& c);

  // Runs a driver call; a failure is reported as a driver error (its message in *error), not thrown.
  // Control calls the driver makes from inside the call (force_unload from
  // dial(), say) are deferred until it returns, as from event handlers.
  template <typename Fn>
  bool guarded_driver_call(const char* what, Fn&& fn, std::string* error = nullptr) {
    DispatchScope scope(dispatching);
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
  void handle_call_event(const CallEvent& e);
  void finish_released(ActiveCall& c, CallResult reported, Time now);  // settles a released call's result and moves it on
  void on_answered(ActiveCall& c, const CallEvent& e, Time now);
  void apply_call_action(ActiveCall& c, AnswerClass answer);  // a treatment's drop/connect/transfer of a machine, fax, silence
  void abandon_deadline_passed(CallId id) override;  // a live answer not connected within abandon_after
  void on_connected(ActiveCall& c, const CallEvent& e, Time now);
  void list_opt_out(const ActiveCall& c);  // the callee's number goes on the do-not-call list
  void on_abandoned(ActiveCall& c, Time now);
  void count_answer(AnswerClass a);  // answers by class (CampaignStats::answered_*)
  void count_result(CallResult r);  // the per-result counters of the statistics
  void report_result(const ActiveCall& c, CallResult result);  // counts it and emits call_finished
  void finish_call(ActiveCall& c, CallResult result);
  // The treatments' decision; a record whose treatment fails is made final.
  TreatmentDecision treat(const ChainWork& chain, std::size_t index, CallResult result, const TreatmentSet& set);
  TreatmentLimits treatment_limits(CallResult result) const;  // the UK abandoned-call redial lockout, for the treatment
  void log_call(ActiveCall& c, CallResult result, Time now);          // queue the call's log row (once)
  CallLogEntry log_row(const ActiveCall& c, CallResult result, Time now) const;  // the row log_call queues
  bool flush_call_log();                                              // write the queued rows; false on failure
  void check_lists_for_load();                                        // setup mistakes refuse the load, nothing written
  void seed_from_call_log();                                          // abandon window and lockout at load
  std::optional<EpochSeconds> lockout_end(const Record& r, std::optional<std::uint64_t> key) const;  // the number's lockout
  static std::string dialed_phone(const Record& r, std::optional<std::uint64_t> key);  // E.164 when normalised
  std::string canonical_phone(const Record& r, std::optional<std::uint64_t> key) const;  // E.164 for log and lockout
  void reload_abandoned_if_due();  // other engines' abandons, from the shared log
  // Moves the chain on as the decision says: dialed again now, scheduled, or finished.
  void apply_decision(std::unique_ptr<ChainWork> chain, const TreatmentDecision& d, std::int64_t dialed_id);
  void count_outcome(const Record& r);  // the dialed record: rescheduled or finalized
  bool complete_if_all_final();  // auto-completion: true (and the unload posted) once every record is final

  bool state_accepts_dials() const { return state == CampaignState::running || state == CampaignState::active; }

  void schedule_chain(ChainWork& chain, EpochSeconds at);  // its open records wait until at
  void finish_chain(ChainWork& chain);  // its records not dialed close as chain_updated

  // --- agents -----------------------------------------------------------------
  void handle_agent_event(const AgentEvent& e);

  // --- engine-side routing (engine_routing.cpp) ---------------------------------
  void await_agent(ActiveCall& c);          // a live answer waits for an agent
  void route_live_answers();                // waiting calls to ready agents, in answer order
  void connect_agent(ActiveCall& c, const std::string& agent);  // agent busy, driver->connect
  void on_connect_failed(ActiveCall& c, const CallEvent& e);
  void agent_did_not_take(ActiveCall& c, const std::string& agent, const std::string& why);  // next agent, or abandoned
  void connect_deadline_passed(CallId id, const std::string& agent) override;  // no word from the driver in agent_answer_timeout
  void abandon_now(ActiveCall& c);          // abandoned, and the driver told to release it
  void call_left_routing(ActiveCall& c);    // connected or ending: an agent held for it is freed

  // --- the desktops (desktop.cpp, lib/desktop), personal callbacks (personal_callbacks.cpp)
  void deliver_to_agent(ActiveCall& c, const std::string& agent);  // a connected call's record to its agent's desktop
  bool route_released_call(ActiveCall& c, CallResult result);      // true: the desktop took the chain
  bool take_personal_callback(std::unique_ptr<ChainWork>& chain);
  void serve_waiting_callbacks();
  void fail_callback(std::unique_ptr<ChainWork> chain);
  void push_previews();
  void release_desk();   // unloading: desktops and waiting callbacks give their chains back
  void reschedule_stored(const std::string& agent, std::int64_t record_id, EpochSeconds at, CallbackKind kind);

  CampaignStats stats() const;
};

}  // namespace outbound
