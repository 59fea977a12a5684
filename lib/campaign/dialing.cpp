// From a buffered chain to a placed call: the compliance gate's facts and
// its verdict carried out (lib/gate decides), the pacing snapshot and decision, and the
// dial itself — the attempt is made durable before the driver is asked.
#include "campaign_impl.hpp"

namespace outbound {

// The facts the gate needs about chain.next, looked up in the gate's order:
// one that cannot change the verdict (the window of a blocked record) is not
// looked up, so no number is parsed or list consulted needlessly.
gate::Facts Campaign::Impl::gate_facts(const ChainWork& chain, std::optional<std::uint64_t>& phone_key, Lockout lockout) const {
  const Record& r = chain.records[chain.next];
  gate::Facts f;
  f.record_id = r.record_id;
  phone_key.reset();
  f.chain_due_at = chain_due_at(chain);
  if (f.chain_due_at) return f;
  f.attempts_exhausted = cfg.max_attempts > 0 && r.attempt >= cfg.max_attempts;
  if (f.attempts_exhausted) return f;
  // Every number is read, with or without a DNC list, in the record's own region.
  std::string why;
  phone_key = number_normalizer().key(r.contact_info, number_region(*chain.list, r), &why);
  if (!phone_key) {
    f.number_problem = why;
    return f;
  }
  if (dnc) f.dnc = dnc->check(phone_key, customer_id_of(r), DncContext{cfg.campaign_id, chain.list->options().list_dbid});
  if (f.dnc != DncMatch::none) return f;
  const Time now = loop.now();
  f.window = windows.check(r, now, *phone_key);
  if (f.window == WindowVerdict::closed)
    // A record zoned by its number waits for the first instant open in all its zones.
    f.window_reopens = windows.has_mapped_zone(r) || windows.next_open(r, now, *phone_key).has_value();
  if (f.window == WindowVerdict::unknown_zone) {
    f.zone = windows.zone_key(r);
    f.zones_from_numbers = windows.zones_from_numbers();
    return f;
  }
  f.no_call_until = no_call_day_end(r, *phone_key, now);
  if (f.no_call_until) return f;
  if (f.window == WindowVerdict::open && lockout == Lockout::applies) {
    f.locked_out_until = lockout_end(r, phone_key);
    if (!f.locked_out_until) f.contact_limited_until = contact_limit_end(r, phone_key);
  }
  return f;
}

// A no-call day in any of the record's zones (its mapped zone, else its
// number's): the first instant allowed in all of them. Where the calendar
// leaves none within its horizon (zones whose weekdays off together cover
// the week), the record waits for the horizon and is asked again then.
std::optional<EpochSeconds> Campaign::Impl::no_call_day_end(const Record& r, std::uint64_t key, Time now) const {
  if (no_call.empty()) return std::nullopt;
  const auto next = no_call.next_allowed(windows.zones_of(r, key), now);
  if (next && *next <= now) return std::nullopt;
  return to_epoch_seconds(next.value_or(now + std::chrono::hours(24 * 400)));
}

// The contact limits: the number's dials in each window (every campaign and
// list on the log, in memory); at a limit, it is free again once the dial that
// makes it full leaves the window. The latest of the limits reached wins.
std::optional<EpochSeconds> Campaign::Impl::contact_limit_end(const Record& r, std::optional<std::uint64_t> key) const {
  if (!call_log || cfg.contact_limits.empty()) return std::nullopt;
  const Time now = loop.now();
  const std::string phone = canonical_phone(r, key);
  const auto dials = call_log->dials_since(phone, now - longest_contact_window());
  std::optional<Time> free_at;
  for (const auto& limit : cfg.contact_limits) {
    // Dials inside this window: the tail of the longest window's list.
    const auto first = std::upper_bound(dials.begin(), dials.end(), now - limit.window);
    const auto in_window = dials.end() - first;
    if (in_window < limit.max_calls) continue;
    const Time t = add_saturating(*(dials.end() - limit.max_calls), limit.window);
    if (!free_at || t > *free_at) free_at = t;
  }
  if (!free_at) return std::nullopt;
  // Rounded up: the record is due no sooner than the dial has left the window.
  return to_epoch_seconds(add_saturating(*free_at, std::chrono::milliseconds(999)));
}

Duration Campaign::Impl::longest_contact_window() const {
  Duration longest = Duration::zero();
  for (const auto& limit : cfg.contact_limits) longest = std::max(longest, limit.window);
  return longest;
}

// The number's lockout after an abandoned call, for any record that has it
// (other chains, other lists, other campaigns on the same log).
std::optional<EpochSeconds> Campaign::Impl::lockout_end(const Record& r, std::optional<std::uint64_t> key) const {
  if (!call_log || cfg.abandoned_redial_lockout <= Duration::zero() || is_seizing(cfg.mode)) return std::nullopt;
  const auto at = call_log->last_abandoned(canonical_phone(r, key));
  if (!at) return std::nullopt;
  // Saturating: a "forever" lockout ends at the end of time, not in the past.
  const Time end = add_saturating(*at, cfg.abandoned_redial_lockout);
  if (end <= loop.now()) return std::nullopt;
  // Rounded up: the record is due no sooner than the lockout's end.
  return to_epoch_seconds(add_saturating(end, std::chrono::milliseconds(999)));
}

// Carries out a blocking verdict: the blocked records are made final and
// queued for write-back. What happens to the chain is the caller's.
Campaign::Impl::Gate Campaign::Impl::close_blocked(ChainWork& chain, const gate::Verdict& v) {
  Record& r = chain.records[chain.next];
  if (v.scope == gate::Verdict::Scope::chain) {
    for (auto& other : chain.records)
      if (other.record_status == RecordStatus::retrieved) finalize_dnc(chain, other);
    return Gate::chain_done;
  }
  if (!v.result) {
    r.record_status = RecordStatus::updated;
    ++st.records_finalized;
    queue_update(chain.list, r);
  } else if (*v.result == CallResult::do_not_call) {
    finalize_dnc(chain, r);
  } else {
    finalize_record_error(chain, r, v.reason);
  }
  return Gate::skip_record;
}

Campaign::Impl::Gate Campaign::Impl::gate_and_close_blocked(ChainWork& chain, std::optional<std::uint64_t>& phone_key,
                                                            Lockout lockout, EpochSeconds* locked_until) {
  const gate::Verdict v = gate::decide(gate_facts(chain, phone_key, lockout));
  switch (v.kind) {
    case gate::Verdict::Kind::dial:
      return Gate::dial;
    case gate::Verdict::Kind::block:
      return close_blocked(chain, v);
    case gate::Verdict::Kind::defer_window:
      return Gate::window_closed;
    case gate::Verdict::Kind::defer_until:
      if (locked_until) *locked_until = v.until;
      return v.scope == gate::Verdict::Scope::chain ? Gate::held : Gate::locked_out;
    case gate::Verdict::Kind::defer_limit:
      if (locked_until) *locked_until = v.until;
      return Gate::limited;
    case gate::Verdict::Kind::defer_day:
      if (locked_until) *locked_until = v.until;
      return Gate::no_call_day;
  }
  return Gate::dial;
}

// A chain is retrieved whole: a due record brings along its chain's records
// that are scheduled for later (a callback at 15:00 beside a ready number).
// The latest of those times, so that at it every record of the chain is due.
std::optional<EpochSeconds> Campaign::Impl::chain_due_at(const ChainWork& chain) const {
  const EpochSeconds now = now_s();
  std::optional<EpochSeconds> at;
  for (const auto& r : chain.records)
    if (r.record_status == RecordStatus::retrieved && r.dial_sched_time && *r.dial_sched_time > now)
      at = std::max(at.value_or(*r.dial_sched_time), *r.dial_sched_time);
  return at;
}

// Asked before anything else is done with a chain taken from the buffer
// (a personal callback taken aside for its agent would be dialed early).
bool Campaign::Impl::hold_if_scheduled(ChainWork& chain) {
  gate::Facts f;
  f.record_id = chain.records.empty() ? 0 : chain.records[chain.next].record_id;
  f.chain_due_at = chain_due_at(chain);
  const gate::Verdict v = gate::decide(f);
  if (v.kind != gate::Verdict::Kind::defer_until) return false;
  hold_chain(chain, v.until);
  return true;
}

// Every open record gets the chain's due time (none is moved earlier: it is
// the latest), so the fresh query does not take the ready ones before it.
void Campaign::Impl::hold_chain(ChainWork& chain, EpochSeconds until) {
  ++st.chains_held;
  schedule_chain(chain, until);
}

const PhoneNormalizer& Campaign::Impl::number_normalizer() const { return dnc ? dnc->normalizer() : fallback_normalizer; }

// Where a national-format number is read: the record's region column, its
// zone's country, the list's region, the DNC list's region, else US.
std::string Campaign::Impl::number_region(const CallingList& list, const Record& r) const {
  const auto& o = list.options();
  return record_phone_region(r, o.region_column, windows.country_of(r), o.phone_region, number_normalizer().default_region());
}

std::string Campaign::Impl::number_as_e164(const CallingList& list, const Record& r) const {
  auto key = number_normalizer().key(r.contact_info, number_region(list, r), nullptr);
  return key ? "+" + std::to_string(*key) : r.contact_info;
}

// A chain the retrieval query zoned waits in the list for its window; one
// zoned by its number (the query cannot read numbers) is rescheduled to the
// first instant open in all its zones.
void Campaign::Impl::defer_closed_chain(ChainWork& chain, std::optional<std::uint64_t> key) {
  const Record& r = chain.records[chain.next];
  auto next = windows.has_mapped_zone(r) || !key ? std::nullopt : windows.next_open(r, loop.now(), *key);
  if (!next) return release_chain(chain);
  schedule_chain(chain, to_epoch_seconds(*next + std::chrono::milliseconds(999)));
}

// Other engines' DNC changes and expiries, before any dial is decided. A list
// that cannot be brought up to date may be missing an entry: no dial then. A
// locked change log is waited for at most kLoopLockWait (the loop thread), and
// read again at the next turn after sync_interval.
bool Campaign::Impl::sync_dnc() {
  if (!dnc) return true;
  try {
    dnc->sync(loop.now(), campaign_detail::kLoopLockWait);
  } catch (const std::exception& e) {
    report_db_error(std::string("do-not-call list not up to date, dialing held: ") + e.what());
    return false;
  }
  if (dnc->load_generation() != dnc_generation_reported) report_dnc_load_errors();
  report_dnc_written();  // sync() retried the entries queued by a locked table
  return true;
}

// Each unreadable DNC row, once per load of the list: it blocks by its digits.
void Campaign::Impl::report_dnc_load_errors() {
  dnc_generation_reported = dnc->load_generation();
  for (const auto& e : dnc->load_errors())
    emit(CampaignEvent::Kind::error, "do-not-call row " + e.row + " (phone \"" + e.phone + "\"): " + e.reason);
}

// The number as dialed: E.164 when the DNC list normalised it.
std::string Campaign::Impl::dialed_phone(const Record& r, std::optional<std::uint64_t> key) {
  return key && *key ? "+" + std::to_string(*key) : r.contact_info;
}

// The number as the log and the lockout know it: E.164 whether or not the
// campaign has a DNC list, so "020 7946 0000" and "+44 20 7946 0000" are one
// number (the raw text only when it cannot be read as a phone number).
std::string Campaign::Impl::canonical_phone(const Record& r, std::optional<std::uint64_t> key) const {
  if (key && *key) return "+" + std::to_string(*key);
  if (auto k = number_normalizer().key(r.contact_info)) return "+" + std::to_string(*k);
  return r.contact_info;
}

std::string Campaign::Impl::customer_id_of(const Record& r) const {
  if (cfg.customer_id_field.empty()) return {};
  auto it = r.custom.find(cfg.customer_id_field);
  return it == r.custom.end() ? std::string() : it->second;
}

void Campaign::Impl::finalize_dnc(ChainWork& chain, Record& r) {
  ++st.dnc_blocked;
  r.call_result = CallResult::do_not_call;
  r.record_status = RecordStatus::updated;
  ++st.records_finalized;
  queue_update(chain.list, r);
}

void Campaign::Impl::finalize_record_error(ChainWork& chain, Record& r, const std::string& reason) {
  r.call_result = CallResult::dial_error;
  r.record_status = RecordStatus::updated;
  ++st.records_finalized;
  queue_update(chain.list, r);
  record_error(r.record_id, reason);
}

// Every pacer of a real campaign dials within the abandon guard: ours apply it
// themselves; a baseline (fixed ratio abandoned 95 % of live answers at ratio
// 3) is held by it, unless a simulation asks for it as published.
std::unique_ptr<Pacer> Campaign::Impl::new_pacer(DialMode mode) const {
  auto p = make_pacer(mode, cfg.pacer);
  if (is_baseline_pacer(cfg.pacer) && !unguarded_baseline) p = guarded(std::move(p));
  return p;
}

PacingSnapshot Campaign::Impl::snapshot() const {
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

// One turn of the campaign's dialing work, in this order: failed writes
// retried, the DNC list brought up to date, the buffer refilled, due personal
// callbacks served, previews pushed, the campaign completed when every record
// is final, and last the dials the pacer asks for.
void Campaign::Impl::dialing_turn() {
  if (!state_accepts_dials()) return;
  if (queued_controls > 0) return;  // a stop or unload is on its way: nothing new is dialed before it
  last_pace = loop.now();
  if (write_failed) {
    flush();  // retry; no call is placed whose result could not be recorded
    if (write_failed) return;
  }
  if (!sync_dnc()) return;  // callbacks, pushed previews and dials all pass the gate below
  refill();
  refill_due();
  serve_waiting_callbacks();
  push_previews();
  if (cfg.auto_complete && complete_if_all_final()) return;
  dial_as_paced();
}

// The pacer's decision, and that many chains past the gate dialed.
void Campaign::Impl::dial_as_paced() {
  if (!pacer) return;
  if (dials_in_flight > 0) return;  // the last batch's attempts are still being written
  abandon_window.prune(loop.now());
  int n = pacer->dials_now(snapshot());
  set_state(n > 0 || !calls.empty() ? CampaignState::running : CampaignState::active);
  if (n <= 0) return;
  dial_batch(collect_dialable(n));
}

std::vector<Campaign::Impl::Pending> Campaign::Impl::collect_dialable(int n) {
  std::vector<Pending> out;
  std::vector<std::unique_ptr<ChainWork>> closed;
  while (static_cast<int>(out.size()) < n) {
    if (buffer.empty()) {
      refill();
      if (buffer.empty()) break;
    }
    auto chain = buffer.pop_front();
    if (hold_if_scheduled(*chain)) continue;
    if (chain->seek_open() && take_personal_callback(chain)) continue;
    std::optional<std::uint64_t> key;
    Gate g = Gate::skip_record;
    EpochSeconds locked_until = 0;
    // Previews and chained records on a desktop are dialed by their agent,
    // which the lockout allows; personal callbacks are held in serve_waiting_callbacks.
    while (chain->seek_open()) {
      g = gate_and_close_blocked(*chain, key, Lockout::applies, &locked_until);
      if (g != Gate::skip_record) break;
    }
    if (g == Gate::locked_out || g == Gate::limited) {
      ++(g == Gate::locked_out ? st.lockout_deferred : st.contact_deferred);
      schedule_chain(*chain, locked_until);
    } else if (g == Gate::held) {
      hold_chain(*chain, locked_until);
    } else if (g == Gate::no_call_day) {
      schedule_chain(*chain, locked_until);  // no counter: ob_campaign_stats keeps its version
    } else if (g == Gate::dial && chain->records[chain->next].record_status == RecordStatus::retrieved) {
      if (vetoed_by_host(chain, key)) continue;
      out.push_back(dial_pending(std::move(chain), key));
    } else if (g == Gate::window_closed) {
      ++st.window_deferred;
      defer_closed_chain(*chain, key);
    } else {
      finish_chain(*chain);
    }
  }
  return out;
}

// The attempts are written by the list worker; the calls are placed when it
// is done (at once under a manual clock). Meanwhile no other dial is decided.
void Campaign::Impl::dial_batch(std::vector<Pending> batch) {
  if (batch.empty()) return;
  const Time now = loop.now();
  struct Marks {
    std::vector<std::pair<CallingList*, std::vector<Record>>> lists;
    std::vector<Pending> batch;
    std::vector<Record> before;  // as each record was, should its dial not happen after all
    std::set<std::int64_t> lost;
    std::string error;
  };
  auto m = std::make_shared<Marks>();
  std::map<CallingList*, std::vector<Record>> marks;
  for (auto& p : batch) {
    Record& r = p.chain->records[p.chain->next];
    m->before.push_back(r);
    r.attempt += 1;
    r.call_time = to_epoch_seconds(now);
    marks[p.chain->list].push_back(r);
  }
  m->lists.assign(std::make_move_iterator(marks.begin()), std::make_move_iterator(marks.end()));
  m->batch = std::move(batch);
  ++dials_in_flight;
  // The attempt is durable before the call exists: a crash after the dial still counts it.
  storage.submit(
      [m] {
        for (auto& [list, records] : m->lists) {
          std::vector<std::int64_t> not_ours;
          if (!detail::run_db("record dial attempts", m->error, [&, l = list, &r = records] { not_ours = l->mark_dialing_owned(r); }))
            return;
          m->lost.insert(not_ours.begin(), not_ours.end());
        }
      },
      [this, m] {
        --dials_in_flight;
        place_batch(m->batch, m->before, m->lost, m->error);
        if (storage.threaded()) request_pace();
      });
}

void Campaign::Impl::place_batch(std::vector<Pending>& batch, const std::vector<Record>& before,
                                 const std::set<std::int64_t>& lost, const std::string& error) {
  if (!error.empty()) {
    report_db_error(error);
    for (auto& p : batch) {
      Record& r = p.chain->records[p.chain->next];
      r.attempt -= 1;
      forget_pending_dial(p);
      release_chain(*p.chain);
      if (!p.agent.empty()) reserved_agents.erase(p.agent);
    }
    write_failed = true;
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Pending& p = batch[i];
    const std::int64_t id = p.chain->records[p.chain->next].record_id;
    if (queued_controls > 0 || !state_accepts_dials()) {
      // A stop or unload was asked meanwhile (by the driver or a subscriber):
      // the rest of the batch is not dialed, and its attempts are taken back.
      undo_dial(std::move(p), before[i]);
      continue;
    }
    if (lost.count(id)) {
      // Our lease expired and another engine holds the record: never dial it twice at once.
      emit(CampaignEvent::Kind::error, "lease lost: record " + std::to_string(id) + " not dialed (another engine holds it)", id);
      forget_pending_dial(p);
      release_chain(*p.chain);  // the rest of the chain, where still ours (release checks the lease)
      if (!p.agent.empty()) reserved_agents.erase(p.agent);
      continue;
    }
    place_call(std::move(p));
  }
}

// A batch record whose attempt was written but whose call is not placed: the
// attempt and call time are restored, and the record returns to ready.
void Campaign::Impl::undo_dial(Pending p, const Record& before) {
  Record& r = p.chain->records[p.chain->next];
  forget_pending_dial(p);
  r.attempt = before.attempt;
  r.call_time = before.call_time;
  r.record_status = RecordStatus::ready;
  queue_update(p.chain->list, r);
  release_chain(*p.chain);  // the rest of the chain
  if (!p.agent.empty()) reserved_agents.erase(p.agent);
}

void Campaign::Impl::place_call(Pending p) {
  const CallId id = next_call_id++;
  Record& r = p.chain->records[p.chain->next];
  DialRequest rq;
  rq.call_id = id;
  rq.phone = dialed_phone(r, p.phone_key ? std::optional<std::uint64_t>(p.phone_key) : std::nullopt);
  rq.record_id = r.record_id;
  rq.campaign_id = r.campaign_id;
  rq.campaign = cfg.name;
  rq.attributes = r.custom;
  rq.amd = cfg.amd;
  rq.ring_timeout = cfg.ring_timeout;
  rq.voice_application = cfg.voice_application;
  rq.caller_id = caller_id;
  rq.audio = cfg.audio;
  rq.agent_id = p.agent;
  ActiveCall call;
  call.id = id;
  call.agent = p.agent;
  call.personal = !p.agent.empty();
  call.index = p.chain->next;
  call.dialed_at = loop.now();
  if (call_log) {
    call.phone = canonical_phone(r, p.phone_key ? std::optional<std::uint64_t>(p.phone_key) : std::nullopt);
    // The noted dial becomes the call's own: the same instant as its log row, so reading
    // the row back from the table does not count it twice.
    forget_pending_dial(p);
    call_log->remember_dial(call.phone, cfg.name, r.record_id, call.dialed_at);
  }
  call.rules = rules;
  call.chain = std::move(p.chain);
  ActiveCall& added = calls.add(std::move(call));
  ++st.dials;
  tracker.on_dial(loop.now());
  announce_dial(added);
  std::string error;
  bool placed = guarded_driver_call("dial", [&] { driver->dial(rq); }, &error);
  // Looked up again: nothing the driver did may have kept a reference valid.
  ActiveCall* c = calls.find(id);
  if (!placed && c) {
    // The driver refused: the attempt stands (it was recorded) and the
    // record goes through the treatments as a dial error.
    ++st.driver_errors;
    note_refusal(error);
    if (c->personal) reserved_agents.erase(c->agent);
    log_call(*c, CallResult::dial_error, loop.now());
    report_result(*c, CallResult::dial_error);
    finish_call(*c, CallResult::dial_error);
    calls.remove(id);
  }
}

Campaign::Impl::Pending Campaign::Impl::dial_pending(std::unique_ptr<ChainWork> chain, std::optional<std::uint64_t> key,
                                                     std::string agent) {
  Pending p{std::move(chain), key.value_or(0), std::move(agent), {}, loop.now()};
  if (call_log) {
    const Record& r = p.chain->records[p.chain->next];
    p.phone = canonical_phone(r, key);
    call_log->remember_dial(p.phone, cfg.name, r.record_id, p.noted_at);
  }
  return p;
}

void Campaign::Impl::forget_pending_dial(const Pending& p) {
  if (call_log && !p.phone.empty()) call_log->forget_dial(p.phone, cfg.name, p.chain->records[p.chain->next].record_id, p.noted_at);
}

// OCS pre-dial validation. The host's answer is final: a veto closes the record
// through the treatments with the host's result, as if a call had ended so. A
// check that fails (throws, or answers no result code) fails closed: no dial,
// and the record is closed as dial_error with an error event saying why.
bool Campaign::Impl::vetoed_by_host(std::unique_ptr<ChainWork>& chain, std::optional<std::uint64_t> key) {
  if (!pre_dial_check) return false;
  const Record& r = chain->records[chain->next];
  PreDialRequest rq{cfg.name, chain->list ? chain->list->options().table : std::string(), dialed_phone(r, key), r};
  std::optional<CallResult> veto;
  {
    DispatchScope scope(dispatching);  // a stop or unload asked from the check waits until it returns
    try {
      veto = pre_dial_check(rq);
    } catch (const std::exception& e) {
      veto = CallResult::dial_error;
      emit(CampaignEvent::Kind::error, "pre-dial check failed for record " + std::to_string(rq.record.record_id) +
                                           ", not dialed (closed as dial_error): " + e.what(), rq.record.record_id);
    } catch (...) {
      veto = CallResult::dial_error;
      emit(CampaignEvent::Kind::error, "pre-dial check failed for record " + std::to_string(rq.record.record_id) +
                                           ", not dialed (closed as dial_error)", rq.record.record_id);
    }
  }
  if (!veto) return false;
  ++st.predial_vetoed;
  const std::int64_t id = rq.record.record_id;
  emit(CampaignEvent::Kind::info, "record " + std::to_string(id) + " vetoed by the pre-dial check: " + std::string(to_string(*veto)), id);
  TreatmentDecision d = treat(*chain, chain->next, *veto, *rules);
  apply_decision(std::move(chain), d, id);
  return true;
}

// Subscribers (journals, audits) learn of every dial before the driver is asked.
void Campaign::Impl::announce_dial(const ActiveCall& c) {
  const Record& r = c.chain->records[c.index];
  CampaignEvent e;
  e.kind = CampaignEvent::Kind::dialing;
  e.campaign = cfg.name;
  e.record_id = r.record_id;
  e.agent_id = c.agent;
  e.message = "dialing record " + std::to_string(r.record_id) + (c.agent.empty() ? "" : " for agent " + c.agent);
  e.record = r;
  notify(e);
}

}  // namespace outbound
