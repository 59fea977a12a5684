// The campaign's life on the engine's loop: events to subscribers, load,
// start, stop and the unloads, and the timers that keep it going (tick,
// lease renewal, periodic flush, pacing requests). Control calls made from
// inside an event handler are deferred here (control) until it returns.
#include "campaign_impl.hpp"

namespace outbound {

void Campaign::Impl::emit(CampaignEvent::Kind kind, std::string message, std::int64_t record_id,
                          CallResult result) {
  CampaignEvent e;
  e.kind = kind;
  e.campaign = cfg.name;
  e.record_id = record_id;
  e.result = result;
  e.message = std::move(message);
  notify(e);
}

// Handlers run with `dispatching` raised, so control calls they make are deferred.
void Campaign::Impl::notify(const CampaignEvent& e) {
  DispatchScope scope(dispatching);
  for (auto& h : handlers) h(e);
}

// stop/unload/force_unload from inside a handler or a driver method would pull
// the call, chain or batch being handled from under the engine (a force unload
// from dial() freed the call being placed): they run once it returns, in the
// order they were made. A queued call that fails is reported as an error event.
void Campaign::Impl::control(void (Impl::*action)(), bool defer_while_dispatching) {
  if (queued_controls == 0 && (dispatching == 0 || !defer_while_dispatching)) return (this->*action)();
  ++queued_controls;
  loop.post([w = weak_from_this(), action] {
    auto im = w.lock();
    if (!im) return;
    --im->queued_controls;
    try {
      (im.get()->*action)();
    } catch (const std::exception& ex) {
      im->emit(CampaignEvent::Kind::error, std::string("a deferred control call failed: ") + ex.what());
    }
  });
}

void Campaign::Impl::set_state(CampaignState s) {
  if (s == state) return;
  state = s;
  emit(CampaignEvent::Kind::state_changed, std::string(to_string(s)));
}

void Campaign::Impl::load() {
  if (state == CampaignState::waiting_unload || state == CampaignState::unload_in_progress)
    throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " is still unloading: load it again once it is unloaded");
  if (state != CampaignState::not_loaded) throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " is already loaded");
  if (cfg.ring_timeout < std::chrono::seconds(15))
    throw Error(ErrorCode::invalid_argument, "ring_timeout must be at least 15 s (FCC/Ofcom minimum ring time), not " +
                                                 std::to_string(cfg.ring_timeout.count()) + " ms");
  if (lists.empty()) throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " has no calling list");
  // Presented as E.164 so every network shows the same, callable number.
  if (!cfg.caller_id.empty()) {
    try {
      caller_id = dnc ? dnc->normalizer().to_e164(cfg.caller_id) : PhoneNormalizer().to_e164(cfg.caller_id);
    } catch (const Error& e) {
      throw Error(ErrorCode::invalid_argument, "campaign " + cfg.name + ": caller_id: " + e.what());
    }
  }
  check_lists_for_load();  // a refused load writes nothing
  // Results of the last run not yet written go first: recovery would
  // otherwise return their records to ready and dial them again.
  flush_now();
  if (write_failed)
    throw Error(ErrorCode::database, "campaign " + cfg.name + ": results of the last run cannot be written yet; load again when the database is back");
  if (!cfg.contact_limits.empty() && !call_log)
    throw Error(ErrorCode::invalid_argument, "campaign " + cfg.name +
                                                 ": contact_limits are counted from the call log: give the campaign one (set_call_log) before load");
  if (call_log) seed_from_call_log();
  pacer = is_autonomous(cfg.mode) ? new_pacer(cfg.mode) : nullptr;
  for (auto& e : lists) {
    std::size_t n = e.list->recover(now_s());
    if (n) emit(CampaignEvent::Kind::info, std::to_string(n) + " records left retrieved by an earlier run returned to ready in " + e.list->options().table);
    for (const auto& err : e.list->mark_malformed()) record_error(err.record_id, err.reason);
    // Without zones from numbers, a record whose zone is not configured can never be checked.
    if (windows.enabled() && !windows.zones_from_numbers())
      for (const auto& err : e.list->mark_unknown_zones(windows.zones().keys())) record_error(err.record_id, err.reason);
  }
  infer_agents = !driver->capabilities().reports_agent_states;
  engine_routes = driver->capabilities().connects_on_request;
  router.clear();
  completing = false;
  sink = std::make_unique<Sink>(weak_from_this(), loop, ++session);
  {
    DispatchScope scope(dispatching);  // control calls from start() wait until it returns
    driver->start(*sink);
  }
  driver_started = true;
  set_state(CampaignState::inactive);
  emit(CampaignEvent::Kind::loaded, "campaign loaded");
  flush_timer = loop.schedule_after(cfg.flush_interval, [this] { on_flush_timer(); });
}

// Setup mistakes refuse the load before any row is written, all named in one
// message: dialing on them would break a rule in silence (a misspelt customer
// id column lets DNC customers through, a window in hours dials nothing) or
// destroy data (unmapped zones turned into final errors).
void Campaign::Impl::check_lists_for_load() {
  std::vector<std::string> problems;
  for (auto& e : lists) {
    const auto& table = e.list->options().table;
    const auto& custom = e.list->custom_fields();
    if (!cfg.customer_id_field.empty() && std::find(custom.begin(), custom.end(), cfg.customer_id_field) == custom.end()) {
      std::string columns;
      for (const auto& c : custom) columns += (columns.empty() ? "" : ", ") + c;
      problems.push_back("customer_id_field \"" + cfg.customer_id_field + "\" names no column of " + table + " (its own columns: " +
                         (columns.empty() ? std::string("none") : columns) + "): correct the name or add the column");
    }
    for (auto& p : e.list->load_problems()) problems.push_back(std::move(p));
    if (windows.enabled() && cfg.unknown_zones == UnknownZones::refuse) {
      const std::string column = e.list->options().zone_column.empty() ? "tz_dbid" : e.list->options().zone_column;
      std::string missing;
      for (const auto& [key, n] : e.list->unmapped_zone_counts(windows.zones().keys()))
        missing += (missing.empty() ? "" : ", ") + column + " " + key + " (" + std::to_string(n) + (n == 1 ? " record" : " records") +
                   " of " + table + ")";
      if (!missing.empty())
        problems.push_back(missing + " not in the campaign's zone map: add them, or set unknown_zones to from_numbers "
                                     "(zoned by each number) or errors (those records become dial errors)");
    }
  }
  if (problems.empty()) return;
  std::string message = "campaign " + cfg.name + " not loaded, nothing changed: ";
  for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  throw Error(ErrorCode::invalid_argument, message);
}

// The log is the record of what earlier runs (and other engines) did: the
// answers still inside the abandon window, and the numbers still locked out.
void Campaign::Impl::seed_from_call_log() {
  const Time now = loop.now();
  std::vector<CallLogEntry> answered;
  std::size_t locked = 0, numbers_dialed = 0;
  try {
    answered = call_log->answered_since(cfg.name, now - cfg.abandon_cap.window);
    if (cfg.abandoned_redial_lockout > Duration::zero()) locked = call_log->load_abandoned(now - cfg.abandoned_redial_lockout);
    abandoned_loaded_at = now;
    if (!cfg.contact_limits.empty()) {
      const Duration w = longest_contact_window();
      numbers_dialed = call_log->load_dials(now, w, now - w);
      dials_loaded_at = now;
    }
  } catch (const std::exception& ex) {
    throw Error(ErrorCode::database, "campaign " + cfg.name + ": cannot read the call log: " + ex.what());
  }
  abandon_window = detail::AbandonWindow(cfg.abandon_cap.window);
  long live = 0;
  for (const auto& e : answered) {
    if (*e.answered_at > now) continue;  // written by an engine whose clock is ahead: not in this window yet
    if (e.answer == AnswerClass::machine) {
      abandon_window.add_machine(*e.answered_at);
    } else if ((e.answer == AnswerClass::live || e.answer == AnswerClass::unknown) && (e.abandoned || e.connected_at)) {
      abandon_window.add(*e.answered_at, e.abandoned);
      ++live;
    }
  }
  emit(CampaignEvent::Kind::info, "call log " + call_log->table() + ": " + std::to_string(live) + " live answers (" +
                                      std::to_string(abandon_window.abandoned()) + " abandoned) in the abandon window, " +
                                      std::to_string(locked) + " numbers under the redial lockout" +
                                      (cfg.contact_limits.empty() ? std::string()
                                                                  : ", " + std::to_string(numbers_dialed) + " numbers dialed within the contact limits"));
}

void Campaign::Impl::start() {
  if (state == CampaignState::running || state == CampaignState::active) return;
  if (state == CampaignState::not_loaded)
    throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " cannot start: it is not loaded (load it first)");
  if (state != CampaignState::inactive)
    throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " cannot start while it unloads (" +
                                              (state == CampaignState::waiting_unload ? "calls in flight are finishing"
                                                                                      : "records are being written back") +
                                              "); load it again once it is unloaded");
  started_at = loop.now();
  set_state(CampaignState::active);
  emit(CampaignEvent::Kind::started, "dialing started");
  tick_timer = loop.schedule_after(cfg.tick, [this] { on_tick(); });
  request_pace();
}

void Campaign::Impl::stop() {
  if (state != CampaignState::running && state != CampaignState::active) return;
  loop.cancel(tick_timer);
  tick_timer = 0;
  release_buffer();
  for (auto& w : waiting_callbacks) release_chain(*w.chain);
  waiting_callbacks.clear();
  set_state(CampaignState::inactive);
  flush_now();  // a stop returns with every write under way done
  flush_dnc();  // do-not-call entries a locked table queued, too
  emit(CampaignEvent::Kind::stopped, "dialing stopped; " + std::to_string(calls.size()) + " calls in flight will finish");
}

void Campaign::Impl::unload() {
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
void Campaign::Impl::force_unload() {
  if (state == CampaignState::not_loaded) return;
  stop();
  set_state(CampaignState::waiting_unload);
  std::vector<CallId> ids;
  for (auto& [id, c] : calls) ids.push_back(id);
  for (CallId id : ids) guarded_driver_call("cancel", [&] { driver->cancel(id); });
  finish_unload();
}

void Campaign::Impl::finish_unload() {
  set_state(CampaignState::unload_in_progress);
  settle_storage();  // a batch or retrieval under way comes back first
  release_buffer();
  release_desk();
  flush_now();
  if (driver_started) {
    sink->close();
    guarded_driver_call("stop", [&] { driver->stop(); });
    driver_started = false;
  }
  loop.cancel(flush_timer);
  flush_timer = 0;
  // Calls the driver never released (it failed or misbehaved) are not lost:
  // their records return to ready with the attempt already counted.
  router.clear();
  for (auto& [id, c] : calls) {
    calls.disarm_abandon(c);
    calls.disarm_connect(c);
    if (c.live && !c.connected) on_abandoned(c, loop.now());  // a person answered and is hung up on
    log_call(c, c.abandoned ? CallResult::abandoned : CallResult::cleared, loop.now());  // placed: it is on record
    if (c.personal) reserved_agents.erase(c.agent);
    release_chain(*c.chain);
  }
  calls.clear();
  desktop.forget_call_handles();
  flush_now();
  flush_dnc();  // opt-outs of the calls that ended since the stop
  ++session;  // events still queued from this session find no campaign to reach
  set_state(CampaignState::not_loaded);
  emit(CampaignEvent::Kind::unloaded, "campaign unloaded");
}

void Campaign::Impl::on_tick() {
  tick_timer = loop.schedule_after(cfg.tick, [this] { on_tick(); });
  abandon_window.prune(loop.now());
  renew_leases_and_recover_expired();
  dialing_turn();
  check_idle();
}

// Runs from the tick and from the flush timer, so leases stay ours while
// loaded, dialing or not (records on desktops and in calls included); at most
// once a third of the lease, it also returns other engines' expired records to ready.
void Campaign::Impl::renew_leases_and_recover_expired() {
  const Time now = loop.now();
  Duration renew_every = std::chrono::seconds(std::max<std::int64_t>(1, lists.empty() ? 60 : lists.front().list->options().lease_s / 3));
  if (renewing || now - last_lease_renewal < renew_every) return;
  last_lease_renewal = now;
  struct Outcome {
    std::vector<std::size_t> recovered;
    std::vector<std::string> errors;
  };
  auto out = std::make_shared<Outcome>();
  std::vector<std::shared_ptr<CallingList>> targets;
  for (auto& e : lists) targets.push_back(e.list);
  renewing = true;
  storage.submit(
      [out, targets, at = to_epoch_seconds(now)] {
        for (const auto& list : targets) {
          std::string error;
          std::size_t n = 0;
          detail::run_db("renew leases", error, [&] {
            list->renew_leases(at);
            // Engines sharing a list: records of an engine that died come back once its leases expire.
            n = list->recover_expired(at);
          });
          out->recovered.push_back(n);
          out->errors.push_back(std::move(error));
        }
      },
      [this, out] {
        renewing = false;
        for (std::size_t i = 0; i < out->errors.size(); ++i) {
          if (!out->errors[i].empty())
            report_db_error(out->errors[i]);
          else if (out->recovered[i])
            emit(CampaignEvent::Kind::info, std::to_string(out->recovered[i]) + " records of an expired lease returned to ready");
        }
      });
}

void Campaign::Impl::on_flush_timer() {
  flush_timer = loop.schedule_after(cfg.flush_interval, [this] { on_flush_timer(); });
  flush();
  renew_leases_and_recover_expired();
  reload_abandoned_if_due();
  reload_dials_if_due();
}

// As the abandoned numbers: other engines' dials within a minute, rows read back
// ten minutes before the last read. Ours are in memory as they are placed.
void Campaign::Impl::reload_dials_if_due() {
  if (!call_log || cfg.contact_limits.empty()) return;
  const Time now = loop.now();
  if (now - dials_loaded_at < std::chrono::minutes(1) || now < log_reread_after) return;
  const Duration w = longest_contact_window();
  const Time since = std::max(now - w, dials_loaded_at - std::chrono::minutes(10));
  if (reread_log("read dials from the call log", [&] { call_log->load_dials(now, w, since, campaign_detail::kLoopLockWait); }))
    dials_loaded_at = now;
}

// Engines sharing the log table learn each other's abandons within a minute;
// rows are read back ten minutes (a late flush, a clock apart) before the last read.
void Campaign::Impl::reload_abandoned_if_due() {
  if (!call_log || cfg.abandoned_redial_lockout <= Duration::zero()) return;
  const Time now = loop.now();
  if (now - abandoned_loaded_at < std::chrono::minutes(1) || now < log_reread_after) return;
  const Time since = std::max(now - cfg.abandoned_redial_lockout, abandoned_loaded_at - std::chrono::minutes(10));
  if (reread_log("read abandoned numbers from the call log", [&] { call_log->load_abandoned(since, campaign_detail::kLoopLockWait); }))
    abandoned_loaded_at = now;
}

// A minute's re-read on the loop thread: it waits at most kLoopLockWait for a
// locked log; one that failed is tried again 10 s later (not at every flush
// turn), so a long stall costs the loop 100 ms every 10 s and one event each.
bool Campaign::Impl::reread_log(const char* what, const std::function<void()>& read) {
  if (guarded_db(what, read)) return true;
  log_reread_after = loop.now() + std::chrono::seconds(10);
  return false;
}

// Events ask for a pacing decision; decisions are at most one per
// pace_interval (a dialer reacting every 250 ms is well inside the 2 s a live
// answer may wait, and a burst of events makes one decision, not one each).
void Campaign::Impl::request_pace() {
  if (pace_posted) return;
  pace_posted = true;
  const Time due = add_saturating(last_pace, cfg.pace_interval);
  auto run = [w = weak_from_this()] {
    if (auto im = w.lock()) {
      im->pace_posted = false;
      im->dialing_turn();
    }
  };
  if (due <= loop.now())
    loop.post(run);
  else
    loop.schedule_at(due, run);
}

}  // namespace outbound
