// What happens once a call exists: the driver's call events (answer,
// connect, abandon, release), the results counted and reported, the
// treatments applied and the chain moved on (dialed again, scheduled or
// finished), auto-completion, agent events and the statistics.
#include "campaign_impl.hpp"

namespace outbound {

void Campaign::Impl::handle_call_event(const CallEvent& e) {
  ActiveCall* found = calls.find(e.call_id);
  if (!found) {
    ++st.driver_errors;
    emit(CampaignEvent::Kind::driver_error, "event " + std::string(to_string(e.kind)) + " for unknown call " + std::to_string(e.call_id) + " ignored");
    return;
  }
  ActiveCall& c = *found;
  const Time now = loop.now();
  switch (e.kind) {
    case CallEventKind::dialing:
      break;
    case CallEventKind::ringing:
      c.ringing = true;
      break;
    case CallEventKind::connect_failed:  // after connect(): the engine routes (engine_routing.cpp)
      on_connect_failed(c, e);
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
      // Out of the tracker first (its deadlines cancelled): handlers and desktops may change the campaign meanwhile.
      ActiveCall done = calls.remove(e.call_id);
      done.message_left = e.message_left;
      if (e.message_left) ++st.messages_left;
      finish_released(done, e.result, now);
      if (state == CampaignState::waiting_unload && calls.empty()) finish_unload();
      break;
    }
  }
  request_pace();
}

void Campaign::Impl::finish_released(ActiveCall& c, CallResult reported, Time now) {
  calls.disarm_abandon(c);
  call_left_routing(c);
  CallResult result = reported;
  // An abandoned call ends abandoned, unless the callee opted out during the message.
  if (c.abandoned && result != CallResult::abandoned && result != CallResult::do_not_call) result = CallResult::abandoned;
  if (result == CallResult::do_not_call) list_opt_out(c);
  // Dropped or sent on by a treatment: the hang-up we asked for is not the call's result.
  if (c.call_action_result && (result == CallResult::cleared || result == CallResult::answer)) result = *c.call_action_result;
  tracker.on_release(now, result, now - c.dialed_at, c.answered_at.has_value(),
                     c.connected_at ? std::optional<Duration>(now - *c.connected_at) : std::nullopt);
  if (c.personal) reserved_agents.erase(c.agent);
  if (infer_agents && c.connected && !c.agent.empty())  // without a desktop the agent is free again
    handle_agent_event({c.agent, cfg.wait_for_desktop ? AgentState::wrap_up : AgentState::ready, now});
  log_call(c, result, now);
  report_result(c, result);
  if (!c.handle || !route_released_call(c, result)) finish_call(c, result);
}

void Campaign::Impl::on_answered(ActiveCall& c, const CallEvent& e, Time now) {
  if (c.answered_at) return;
  c.answered_at = now;
  c.answer = e.answer;
  count_answer(e.answer);
  // Only a person starts the abandon clock; machines, fax and silence do not.
  const bool live = e.answer == AnswerClass::live || e.answer == AnswerClass::unknown;
  tracker.on_answer(now, live, now - c.dialed_at);
  if (!live) {
    if (e.answer == AnswerClass::machine) abandon_window.add_machine(now);
    apply_call_action(c, e.answer);
    return;
  }
  c.live = true;
  ++st.live_answers;
  // Regulation: a live answer must reach an agent within abandon_after.
  calls.arm_abandon(c, cfg.abandon_after);
  if (engine_routes) await_agent(c);
}

namespace {

// The result a machine, fax or silence answer ends with, which keys its treatment rules.
std::optional<CallResult> result_of_answer(AnswerClass answer) {
  switch (answer) {
    case AnswerClass::machine: return CallResult::answering_machine;
    case AnswerClass::fax: return CallResult::fax;
    case AnswerClass::silence: return CallResult::silence;
    default: return std::nullopt;
  }
}

}  // namespace

// OCS "apply to call": the rule for the answer's result (apply-to-call rules are always
// number 1 of their sequence) says what happens to the call while it is still up: drop
// releases it at once, connect and transfer send it to the rule's destination. The call
// then ends with that result, whatever the driver reports for the hang-up it was asked for.
void Campaign::Impl::apply_call_action(ActiveCall& c, AnswerClass answer) {
  const auto result = result_of_answer(answer);
  const Treatment* rule = result && c.rules ? c.rules->find(*result, 1) : nullptr;
  if (!rule || rule->call_action == CallAction::none) return;
  const CallId id = c.id;
  c.call_action_result = *result;
  if (rule->call_action == CallAction::drop) {
    guarded_driver_call("drop a call (treatment apply-to-call)", [&] { driver->cancel(id); });
    return;
  }
  const std::string what = std::string(to_string(rule->call_action)) + " a call to " + rule->destination +
                           " (treatment " + std::to_string(rule->id) + ")";
  // A driver that cannot: the call goes on as the driver handles such answers (never dropped silently).
  if (!guarded_driver_call(what.c_str(), [&] { driver->transfer(id, rule->destination); })) c.call_action_result.reset();
}

// The tracker clears the call's abandon timer before it calls here.
void Campaign::Impl::abandon_deadline_passed(CallId id) {
  ActiveCall* c = calls.find(id);
  if (!c || c->connected || c->abandoned) return;
  on_abandoned(*c, loop.now());
  guarded_driver_call("release an abandoned call", [&] { driver->release_abandoned(id); });
}

void Campaign::Impl::on_connected(ActiveCall& c, const CallEvent& e, Time now) {
  if (c.connected || c.abandoned) return;
  c.connected = true;
  c.connected_at = now;
  calls.disarm_abandon(c);
  call_left_routing(c);
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
// network): the number goes on the DNC list at once. The table write runs on
// the loop, so it waits at most campaign_detail::kLoopLockWait for a lock; what it cannot write
// stays blocked here and queued in the list until the table takes it.
void Campaign::Impl::list_opt_out(const ActiveCall& c) {
  const Record& r = c.chain->records[c.index];
  if (!dnc) {
    emit(CampaignEvent::Kind::error, "callee opted out but campaign " + cfg.name + " has no do-not-call list", r.record_id);
    return;
  }
  try {
    add_to_dnc({number_as_e164(*c.chain->list, r), {}, "opted out during the call", {}, std::nullopt}, r.record_id);
  } catch (const std::exception& ex) {
    emit(CampaignEvent::Kind::error, std::string("cannot list an opt-out: ") + ex.what(), r.record_id);
  }
}

// Bad input throws Error(invalid_argument) as DncList::add does; a table that
// cannot be written now is reported once here, and once more when written.
bool Campaign::Impl::add_to_dnc(const DncEntry& e, std::int64_t record_id) {
  if (dnc->add(e, campaign_detail::kLoopLockWait)) return true;
  ++dnc_deferred;
  const std::string what = e.phone.empty() ? "customer id " + e.customer_id : "number " + e.phone;
  emit(CampaignEvent::Kind::database_error,
       "do-not-call " + what + " is blocked in this engine and queued, not lost: the table could not be written within " +
           std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(campaign_detail::kLoopLockWait).count()) + " ms (" +
           dnc->pending_error() + "); it is written when the database allows, and other engines learn it then",
       record_id);
  return false;
}

void Campaign::Impl::report_dnc_written() {
  if (dnc_deferred == 0 || !dnc || dnc->pending_count() > 0) return;
  emit(CampaignEvent::Kind::info, std::to_string(dnc_deferred) + " queued do-not-call " +
                                      (dnc_deferred == 1 ? "entry is" : "entries are") + " now written to the table");
  dnc_deferred = 0;
}

// Stop and unload promise every write done: the queued entries wait for the
// table as long as its connection does (the list may be shared: all of them).
void Campaign::Impl::flush_dnc() {
  if (dnc && dnc->pending_count() > 0) {
    try {
      dnc->flush_pending();
    } catch (const std::exception& e) {
      emit(CampaignEvent::Kind::database_error, std::string("do-not-call writes: ") + e.what());
    }
  }
  report_dnc_written();
}

void Campaign::Impl::on_abandoned(ActiveCall& c, Time now) {
  if (c.abandoned || c.connected) return;
  c.abandoned = true;
  // An agent being called for it did nothing wrong: freed when the driver says so, or at the release.
  router.forget(c.id);
  calls.disarm_connect(c);
  if (c.live) {
    ++st.abandoned;
    tracker.on_abandon(now);
    abandon_window.add(now, true);
    // Held at once for every campaign on the log, and written now: a crash
    // before the next flush must not forget it (the record would be redialed).
    if (call_log) {
      call_log->remember_abandoned(c.phone, now);
      log_call(c, CallResult::abandoned, now);  // the row is queued once: not again at the release
      flush_call_log();
    }
  }
}

void Campaign::Impl::count_answer(AnswerClass a) {
  switch (a) {
    case AnswerClass::live: ++st.answered_live; break;
    case AnswerClass::machine: ++st.answered_machine; break;
    case AnswerClass::fax: ++st.answered_fax; break;
    case AnswerClass::silence: ++st.answered_silence; break;
    case AnswerClass::unknown: ++st.answered_unknown; break;
  }
}

void Campaign::Impl::count_result(CallResult r) {
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
void Campaign::Impl::report_result(const ActiveCall& c, CallResult result) {
  count_result(result);
  emit(CampaignEvent::Kind::call_finished, std::string(to_string(result)), c.chain->records[c.index].record_id, result);
}

// Runs a finished call's chain through the treatments and moves it on.
void Campaign::Impl::finish_call(ActiveCall& c, CallResult result) {
  const std::int64_t id = c.chain->records[c.index].record_id;
  TreatmentDecision d = treat(*c.chain, c.index, result, *c.rules);
  apply_decision(std::move(c.chain), d, id);
}

TreatmentDecision Campaign::Impl::treat(const ChainWork& chain, std::size_t index, CallResult result, const TreatmentSet& set) {
  TreatmentDecision d;
  try {
    d = apply_treatment(chain.records, index, result, set, now_s(), treatment_limits(result));
  } catch (const std::exception& ex) {
    // A treatment that cannot be evaluated must not lose the record: it is final with its result.
    const Record& dialed = chain.records[index];
    emit(CampaignEvent::Kind::error, "record " + std::to_string(dialed.record_id) + " (chain " + std::to_string(dialed.chain_id) +
                                         "): treatment failed, record made final: " + ex.what(), dialed.record_id);
    d = TreatmentDecision{};
    Record r = dialed;
    r.call_result = result;
    r.record_status = RecordStatus::updated;
    d.updates.push_back(r);
    d.chain_finished = true;
  }
  return d;
}

// The call's row for the log, written with the next flush (once a call: the tracker keeps count).
void Campaign::Impl::log_call(ActiveCall& c, CallResult result, Time now) {
  if (!call_log) return;
  calls.log_once(c, [&] { return log_row(c, result, now); });
}

CallLogEntry Campaign::Impl::log_row(const ActiveCall& c, CallResult result, Time now) const {
  const Record& r = c.chain->records[c.index];
  CallLogEntry e;
  e.campaign = cfg.name;
  e.list = c.chain->list ? c.chain->list->options().table : std::string();
  e.record_id = r.record_id;
  e.chain_id = r.chain_id;
  e.chain_n = r.chain_n;
  e.phone = c.phone;
  e.agent_id = c.agent;
  e.dialed_at = c.dialed_at;
  e.answered_at = c.answered_at;
  e.answer = c.answer;
  e.connected_at = c.connected_at;
  e.abandoned = c.abandoned && c.live;
  e.released_at = now;
  e.result = result;
  e.message_left = c.message_left;
  return e;
}

// UK rule: a number whose call was abandoned is not called again within the
// lockout (72 h) unless an agent is guaranteed (seizing modes). The treatment
// decides with it, so its golden files cover it.
TreatmentLimits Campaign::Impl::treatment_limits(CallResult result) const {
  TreatmentLimits limits;
  if (result != CallResult::abandoned || cfg.abandoned_redial_lockout <= Duration::zero() || is_seizing(cfg.mode)) return limits;
  limits.number_locked_until = to_epoch_seconds(add_saturating(from_epoch_seconds(now_s()), cfg.abandoned_redial_lockout));
  return limits;
}

// Turns a treatment decision into the engine's moves. The decision
// describes rows (open records ready, the next one scheduled); the engine
// keeps a chain that goes on at once in memory (its records stay
// retrieved), and gives a chain that goes on later one due time on every
// open record, so no record of it is picked as fresh before then.
void Campaign::Impl::apply_decision(std::unique_ptr<ChainWork> chain, const TreatmentDecision& d, std::int64_t dialed_id) {
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
          if (r.record_status == RecordStatus::ready && r.dial_sched_time) note_due(*r.dial_sched_time);  // a retry
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

void Campaign::Impl::count_outcome(const Record& r) {
  if (r.record_status == RecordStatus::ready)
    ++st.records_rescheduled;
  else if (r.record_status != RecordStatus::retrieved)
    ++st.records_finalized;
}

// Auto-completion: nothing buffered, in flight, on a desktop or waiting,
// and no list has a ready record left (scheduled ones included).
bool Campaign::Impl::complete_if_all_final() {
  if (completing) return true;
  if (!buffer.empty() || !calls.empty() || !desktop.empty() || !waiting_callbacks.empty()) return false;
  if (storage.in_flight() > 0) return false;  // records or writes still with the list worker
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

// Records the decision did not mention still wait with the chain: they get the same due time.
void Campaign::Impl::schedule_chain(ChainWork& chain, EpochSeconds at) {
  for (auto& r : chain.records)
    if (r.record_status == RecordStatus::retrieved) {
      r.record_status = RecordStatus::ready;
      r.dial_sched_time = at;
      queue_update(chain.list, r);
    }
  note_due(at);
}

// A finished chain's records not dialed are closed as chain updated.
void Campaign::Impl::finish_chain(ChainWork& chain) {
  for (auto& r : chain.records)
    if (r.record_status == RecordStatus::retrieved) {
      r.record_status = RecordStatus::chain_updated;
      queue_update(chain.list, r);
    }
}

void Campaign::Impl::handle_agent_event(const AgentEvent& e) {
  const Time now = loop.now();
  if (const Agent* before = agents.find(e.agent_id); before && before->state != e.state)
    tracker.on_agent_state(now, before->state, e.state, now > before->since ? now - before->since : Duration::zero());
  agents.set_state(e.agent_id, e.state, now);
  if (e.state == AgentState::ready) route_live_answers();
  request_pace();
}

CampaignStats Campaign::Impl::stats() const {
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

}  // namespace outbound
