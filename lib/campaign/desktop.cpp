// Desktop requests (OCS desktop protocol) and personal callbacks.
//
// A record reaches a desktop by a handle: in preview modes when the agent asks
// (or is pushed one), in autonomous modes when its call connects to the agent.
// The agent's decision (processed, reschedule, cancel, reject, do-not-call) is
// validated before anything changes; during a call it is kept and applied when
// the call is released. A chain on a desktop moves on (next record, schedule,
// finish) once every handle of it is closed.
#include <atomic>

#include "campaign_impl.hpp"

namespace outbound {
namespace {

std::atomic<std::int64_t> g_campaign_sequence{0};  // gives each campaign its own handle range
constexpr int kHandleShift = 32;

bool is_personal_type(RecordType t) { return t == RecordType::personal_callback || t == RecordType::personal_rescheduled; }

// A scheduled record keeps its kind (callback or reschedule) and takes the
// owner asked for: personal (its agent) or campaign (anyone).
RecordType callback_type(RecordType current, CallbackKind kind) {
  const bool callback = current == RecordType::personal_callback || current == RecordType::campaign_callback;
  if (kind == CallbackKind::personal) return callback ? RecordType::personal_callback : RecordType::personal_rescheduled;
  return callback ? RecordType::campaign_callback : RecordType::campaign_rescheduled;
}

}  // namespace

std::int64_t Campaign::Impl::new_handle() {
  if (!handle_base) handle_base = (g_campaign_sequence.fetch_add(1) + 1) << kHandleShift;
  return handle_base + next_handle++;
}

HandleRef& Campaign::Impl::handle_of(const std::string& agent, std::int64_t handle) {
  auto it = handles.find(handle);
  if (it == handles.end()) {
    std::int64_t owner = handle >> kHandleShift;
    if (owner >= 1 && owner != (handle_base >> kHandleShift) && owner <= g_campaign_sequence.load())
      throw Error(ErrorCode::invalid_argument,
                  "record handle " + std::to_string(handle) + " belongs to another campaign, not " + cfg.name);
    throw Error(ErrorCode::not_found, "record handle " + std::to_string(handle) + " is unknown or already finished in " + cfg.name);
  }
  if (it->second.agent != agent)
    throw Error(ErrorCode::invalid_argument, "record handle " + std::to_string(handle) + " is held by agent " +
                                                 it->second.agent + ", not " + agent);
  return it->second;
}

std::unique_ptr<ChainWork>& Campaign::Impl::chain_of(const HandleRef& ref) {
  return ref.call ? calls.at(ref.call).chain : desk.at(ref.entry).chain;
}

Record& Campaign::Impl::record_of(const HandleRef& ref) { return chain_of(ref)->records.at(ref.index); }

DesktopRecord Campaign::Impl::desktop_record(std::int64_t handle, const ChainWork& chain, std::size_t index,
                                   const std::string& agent) const {
  return {handle, cfg.name, chain.list->options().table, agent, chain.records.at(index)};
}

void Campaign::Impl::emit_desktop(CampaignEvent::Kind kind, const std::string& agent, std::int64_t handle, const Record* record,
                        std::string message) {
  CampaignEvent e;
  e.kind = kind;
  e.campaign = cfg.name;
  e.agent_id = agent;
  e.handle = handle;
  e.message = std::move(message);
  if (record) {
    e.record = *record;
    e.record_id = record->record_id;
  }
  for (auto& h : handlers) h(e);
}

// --- records that arrive with a call ---------------------------------------

void Campaign::Impl::deliver_to_agent(ActiveCall& c, const std::string& agent) {
  if (c.handle) return;
  c.handle = new_handle();
  c.agent = agent;
  handles[c.handle] = {agent, c.id, 0, c.index};
  emit_desktop(CampaignEvent::Kind::record_delivered, agent, c.handle, &c.chain->records[c.index],
               "record " + std::to_string(c.chain->records[c.index].record_id) + " delivered to agent " + agent);
}

// Called when a call with a desktop handle is released; false when the
// record should be finished the usual way (no desktop decision to wait for).
bool Campaign::Impl::route_released_call(ActiveCall& c, CallResult result) {
  if (!c.desk_decision && !cfg.wait_for_desktop) {
    handles.erase(c.handle);
    return false;
  }
  const std::int64_t key = c.handle;
  DeskEntry e;
  e.agent = c.agent;
  e.chain = std::move(c.chain);
  e.open[key] = c.index;
  e.network_result = result;
  e.rules = c.rules;
  desk.emplace(key, std::move(e));
  handles[key] = {c.agent, 0, key, c.index};
  if (c.desk_decision) {
    apply_to_record(desk.at(key), c.index, *c.desk_decision);
    close_handle(key);
  } else {
    desk.at(key).timeout = loop.schedule_after(cfg.desktop_timeout, [this, key] { on_desk_timeout(key); });
  }
  return true;
}

void Campaign::Impl::on_desk_timeout(std::int64_t key) {
  auto it = desk.find(key);
  if (it == desk.end()) return;
  it->second.timeout = 0;
  emit(CampaignEvent::Kind::error, "records of agent " + it->second.agent +
                                        " not processed within the desktop timeout; the called record is finished with the "
                                        "network's result, chained records handed out beside it get none of their own");
  auto open = it->second.open;  // closing handles erases from the map
  for (auto [handle, index] : open) {
    if (!desk.count(key)) break;
    // Only the called record (keyed by its call's handle) has a result of its
    // own; a chained record the desktop asked for may never have been dialed,
    // and the network's result would end it without a call.
    DeskEntry& e = desk.at(key);
    if (handle == key && e.network_result && !e.preview) apply_to_record(e, index, DeskDecision{});
    close_handle(handle);
  }
}

// --- decisions -----------------------------------------------------------------

void Campaign::Impl::validate_decision(const HandleRef& ref, const Record& r, const DeskDecision& d) {
  using K = DeskDecision::Kind;
  switch (d.kind) {
    case K::processed:
      if (d.result && !is_valid_call_result(static_cast<int>(*d.result)))
        throw Error(ErrorCode::invalid_argument, "call result " + std::to_string(static_cast<int>(*d.result)) + " does not exist");
      break;
    case K::reschedule: {
      if (d.at <= now_s())
        throw Error(ErrorCode::invalid_argument, "cannot reschedule record " + std::to_string(r.record_id) + " into the past");
      if (windows.check(r, from_epoch_seconds(d.at)) != WindowVerdict::open)
        throw Error(ErrorCode::compliance_blocked,
                    "cannot reschedule record " + std::to_string(r.record_id) + " outside its calling window");
      break;
    }
    case K::reject:
      if (ref.call || !desk.at(ref.entry).preview)
        throw Error(ErrorCode::invalid_state, "only a previewed record can be rejected (record " + std::to_string(r.record_id) + ")");
      break;
    case K::dnc:
      if (!dnc) throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " has no do-not-call list");
      dnc->normalizer().to_e164(r.contact_info);  // throws invalid_argument for a number that is none
      break;
    case K::cancel:
      break;
  }
}

void Campaign::Impl::decide(const std::string& agent, std::int64_t handle, DeskDecision d) {
  HandleRef& ref = handle_of(agent, handle);
  validate_decision(ref, record_of(ref), d);
  if (ref.call) {
    ActiveCall& c = calls.at(ref.call);
    if (c.desk_decision) throw Error(ErrorCode::invalid_state, "record handle " + std::to_string(handle) + " already has a decision");
    c.desk_decision = std::move(d);  // applied when the call is released
    return;
  }
  apply_to_record(desk.at(ref.entry), ref.index, d);
  close_handle(handle);
}

void Campaign::Impl::apply_to_record(DeskEntry& e, std::size_t index, const DeskDecision& d) {
  using K = DeskDecision::Kind;
  ChainWork& chain = *e.chain;
  Record& r = chain.records.at(index);
  const EpochSeconds now = now_s();
  switch (d.kind) {
    case K::processed: {
      CallResult result = d.result ? *d.result : e.network_result.value_or(CallResult::ok);
      if (e.preview) {  // the desktop placed this call
        r.attempt += 1;
        r.call_time = now;
      }
      TreatmentDecision td = treat(chain, index, result, *e.rules);
      // Only this record changes now: the others may still be on the desktop.
      // A final record is written at once; the chain moves on (with the last
      // decision) when its last handle closes.
      for (const auto& u : td.updates)
        if (u.record_id == r.record_id) {
          RecordStatus keep = r.record_status;
          r = u;
          if (r.record_status == RecordStatus::ready) r.record_status = keep;  // still held until the chain moves
        }
      if (r.record_status != RecordStatus::retrieved) {
        ++st.records_finalized;
        queue_update(chain.list, r);
      }
      e.treatment = std::move(td);
      e.treated_record = r.record_id;
      break;
    }
    case K::reschedule:
      r.record_type = d.callback == CallbackKind::personal ? RecordType::personal_callback : RecordType::campaign_callback;
      r.agent_id = d.callback == CallbackKind::personal ? e.agent : std::string();
      r.record_status = RecordStatus::ready;
      r.dial_sched_time = d.at;
      if (e.network_result) r.call_result = *e.network_result;
      ++st.records_rescheduled;
      queue_update(chain.list, r);
      e.reschedule_at = e.reschedule_at ? std::max(*e.reschedule_at, d.at) : d.at;
      break;
    case K::cancel:
      r.record_status = RecordStatus::cancelled;
      if (e.network_result) r.call_result = *e.network_result;
      ++st.records_finalized;
      queue_update(chain.list, r);
      break;
    case K::reject:
      r.record_status = RecordStatus::ready;
      pending_releases[chain.list].push_back(r.record_id);
      break;
    case K::dnc:
      add_to_dnc(chain, r, d.message);
      if (d.scope == DncScope::chain) {
        std::string customer = customer_id_of(r);
        if (!customer.empty()) {
          try {
            dnc->add_customer(customer, d.message);
          } catch (const std::exception& e) {
            emit(CampaignEvent::Kind::database_error, std::string("customer id not listed: ") + e.what(), r.record_id);
          }
        }
        for (auto& other : chain.records)
          if (other.record_status == RecordStatus::retrieved) add_to_dnc(chain, other, d.message);
      }
      break;
  }
}

void Campaign::Impl::add_to_dnc(ChainWork& chain, Record& r, const std::string& message) {
  try {
    dnc->add_phone(number_as_e164(*chain.list, r), message);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::invalid_argument) {
      emit(CampaignEvent::Kind::record_error, e.what(), r.record_id);  // no number to list; the record still ends
    } else {
      // The DNC table cannot be written now: add_phone already blocked the number
      // in memory; the operator is told to list it again.
      emit(CampaignEvent::Kind::database_error, std::string("do-not-call entry for record ") + std::to_string(r.record_id) +
                                                    " blocked in memory but not persisted: " + e.what(), r.record_id);
    }
  }
  r.call_result = CallResult::do_not_call;
  r.record_status = RecordStatus::updated;
  ++st.records_finalized;
  queue_update(chain.list, r);
}

void Campaign::Impl::close_handle(std::int64_t handle) {
  auto it = handles.find(handle);
  if (it == handles.end()) return;
  std::int64_t key = it->second.entry;
  const std::string agent = it->second.agent;
  handles.erase(it);
  free_agent_after_desktop(agent);
  auto e = desk.find(key);
  if (e == desk.end()) return;
  e->second.open.erase(handle);
  if (e->second.open.empty()) route_entry(key);
}

// With inferred agent states, an agent in wrap-up is ready again once its desktop holds nothing.
void Campaign::Impl::free_agent_after_desktop(const std::string& agent) {
  if (!infer_agents) return;
  for (const auto& [h, ref] : handles)
    if (ref.agent == agent) return;
  const Agent* a = agents.find(agent);
  if (a && a->state == AgentState::wrap_up) handle_agent_event({agent, AgentState::ready, loop.now()});
}

// Every handle of the chain is closed: it moves on as its decisions say.
void Campaign::Impl::route_entry(std::int64_t key) {
  auto node = desk.extract(key);
  DeskEntry& e = node.mapped();
  if (e.timeout) loop.cancel(e.timeout);
  if (e.reschedule_at) {
    schedule_chain(*e.chain, *e.reschedule_at);
  } else if (e.treatment) {
    apply_decision(std::move(e.chain), *e.treatment, e.treated_record);
  } else {
    release_chain(*e.chain);
  }
}

// --- preview ---------------------------------------------------------------------

std::optional<DesktopRecord> Campaign::Impl::preview(const std::string& agent, bool pushed) {
  if (agent.empty()) throw Error(ErrorCode::invalid_argument, "agent id must not be empty");
  if (!state_accepts_dials()) throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " is not dialing (start it first)");
  if (!pushed && cfg.mode != DialMode::preview && cfg.mode != DialMode::push_preview)
    throw Error(ErrorCode::invalid_state, "campaign " + cfg.name + " dials in " + std::string(to_string(cfg.mode)) +
                                              " mode: preview record requests need the preview or push_preview mode");
  if (!pushed && !sync_dnc()) {
    emit_desktop(CampaignEvent::Kind::preview_record_empty, agent, 0, nullptr, "do-not-call list not up to date");
    return std::nullopt;
  }
  for (;;) {
    if (buffer.empty()) {
      refill();
      storage.wait_idle();  // an agent asking for a preview waits for the records
    }
    if (buffer.empty()) {
      emit_desktop(CampaignEvent::Kind::preview_record_empty, agent, 0, nullptr, "no record to preview");
      return std::nullopt;
    }
    auto chain = buffer.pop_front();
    if (hold_if_scheduled(*chain)) continue;
    if (take_personal_callback(chain)) continue;
    std::optional<std::uint64_t> key;
    EpochSeconds held_until = 0;
    Gate g = Gate::skip_record;
    while (chain->seek_open()) {
      g = gate_and_close_blocked(*chain, key, Lockout::ignored, &held_until);
      if (g != Gate::skip_record) break;
    }
    if (g == Gate::held) {
      hold_chain(*chain, held_until);
      continue;
    }
    if (g == Gate::no_call_day) {  // an agent does not preview it on a no-call day either
      schedule_chain(*chain, held_until);
      continue;
    }
    if (g == Gate::window_closed) {
      ++st.window_deferred;
      defer_closed_chain(*chain, key);
      continue;
    }
    if (g != Gate::dial || chain->records[chain->next].record_status != RecordStatus::retrieved) {
      finish_chain(*chain);
      continue;
    }
    const std::int64_t h = new_handle();
    const std::size_t index = chain->next;
    DeskEntry e;
    e.agent = agent;
    e.chain = std::move(chain);
    e.open[h] = index;
    e.rules = rules;
    e.preview = true;
    auto rec = desktop_record(h, *e.chain, index, agent);
    desk.emplace(h, std::move(e));
    handles[h] = {agent, 0, h, index};
    emit_desktop(CampaignEvent::Kind::preview_record, agent, h, &rec.record,
                 "record " + std::to_string(rec.record.record_id) + " handed to agent " + agent + " for preview");
    return rec;
  }
}

std::optional<DesktopRecord> Campaign::Impl::chained(const std::string& agent, std::int64_t handle) {
  HandleRef ref = handle_of(agent, handle);
  if (ref.call)
    throw Error(ErrorCode::invalid_state, "chained records are handed out once the call of handle " + std::to_string(handle) + " is over");
  DeskEntry& e = desk.at(ref.entry);
  std::set<std::size_t> held;
  for (auto [h, i] : e.open) held.insert(i);
  for (std::size_t i = ref.index + 1; i < e.chain->records.size(); ++i) {
    if (held.count(i) || e.chain->records[i].record_status != RecordStatus::retrieved) continue;
    // The desktop may dial it: the same gate as any dial (DNC, window, attempts).
    switch (gate_chained(*e.chain, i)) {
      case Gate::dial: break;
      case Gate::chain_done: i = e.chain->records.size(); continue;
      default: continue;
    }
    const std::int64_t h = new_handle();
    e.open[h] = i;
    handles[h] = {agent, 0, ref.entry, i};
    auto rec = desktop_record(h, *e.chain, i, agent);
    emit_desktop(CampaignEvent::Kind::chained_record, agent, h, &rec.record,
                 "record " + std::to_string(rec.record.record_id) + ", next in chain " +
                     std::to_string(rec.record.chain_id) + ", handed to agent " + agent);
    return rec;
  }
  emit_desktop(CampaignEvent::Kind::chained_record, agent, 0, nullptr, "no further record in the chain");
  return std::nullopt;
}

// The gate (no lockout: the agent dials it) on another record of a held chain (the chain's cursor is kept).
Campaign::Impl::Gate Campaign::Impl::gate_chained(ChainWork& chain, std::size_t index) {
  const std::size_t saved = chain.next;
  chain.next = index;
  std::optional<std::uint64_t> key;
  Gate g = gate_and_close_blocked(chain, key, Lockout::ignored);
  chain.next = saved;
  return g;
}

void Campaign::Impl::push_previews() {
  if (cfg.mode != DialMode::push_preview || !state_accepts_dials()) return;
  std::set<std::string> busy;
  for (const auto& [h, ref] : handles) busy.insert(ref.agent);
  for (const auto& [id, a] : agents.agents())
    if (a.state == AgentState::ready && !busy.count(id) && !reserved_agents.count(id))
      if (!preview(id, true)) return;
}

// --- personal callbacks ---------------------------------------------------------

// A due personal callback waits for its own agent; true when it was taken aside.
bool Campaign::Impl::take_personal_callback(std::unique_ptr<ChainWork>& chain) {
  const Record& r = chain->records[chain->next];
  if (!is_personal_type(r.record_type) || r.agent_id.empty()) return false;
  waiting_callbacks.push_back({std::move(chain), add_saturating(loop.now(), cfg.callback_wait), false});
  return true;
}

void Campaign::Impl::serve_waiting_callbacks() {
  const Time now = loop.now();
  std::vector<Pending> ready_to_dial;
  for (auto it = waiting_callbacks.begin(); it != waiting_callbacks.end();) {
    Record& r = it->chain->records[it->chain->next];
    const Agent* a = agents.find(r.agent_id);
    if (!it->announced) {
      it->announced = true;
      emit_desktop(CampaignEvent::Kind::scheduled_call, r.agent_id, 0, &r, "personal callback due");
    }
    bool agent_free = a && a->state == AgentState::ready && !reserved_agents.count(r.agent_id);
    if (agent_free && state_accepts_dials()) {
      std::optional<std::uint64_t> key;
      EpochSeconds locked_until = 0;
      // A reserved agent can still be gone when the callee answers (the call
      // can be abandoned): the lockout after an abandon holds callbacks too.
      Gate g = gate_and_close_blocked(*it->chain, key, Lockout::applies, &locked_until);
      if (g == Gate::locked_out || g == Gate::limited || g == Gate::no_call_day) {
        if (g != Gate::no_call_day) ++(g == Gate::locked_out ? st.lockout_deferred : st.contact_deferred);
        schedule_chain(*it->chain, locked_until);
      } else if (g == Gate::held) {
        hold_chain(*it->chain, locked_until);
      } else if (g == Gate::dial) {
        // Out of the list first: the host's check and a veto's treatment may run handlers.
        auto chain = std::move(it->chain);
        it = waiting_callbacks.erase(it);
        if (vetoed_by_host(chain, key)) continue;  // closed through the treatments
        const std::string agent = chain->records[chain->next].agent_id;
        reserved_agents.insert(agent);
        ready_to_dial.push_back(dial_pending(std::move(chain), key, agent));
        continue;
      } else if (g == Gate::window_closed) {
        release_chain(*it->chain);
      } else if (g == Gate::skip_record) {
        buffer.push_front(std::move(it->chain));  // the callback is closed; the chain's other records go on
      } else {
        finish_chain(*it->chain);
      }
      it = waiting_callbacks.erase(it);
    } else if (!a || a->state == AgentState::logged_out || now > it->deadline || !state_accepts_dials()) {
      // The wait includes its last instant: a callback taken aside at its due
      // time (due records are retrieved on time) still goes to an agent who is
      // ready exactly callback_wait later.
      auto chain = std::move(it->chain);
      it = waiting_callbacks.erase(it);
      if (state_accepts_dials())
        fail_callback(std::move(chain));
      else
        release_chain(*chain);
    } else {
      ++it;
    }
  }
  dial_batch(std::move(ready_to_dial));
}

// OCS: a personal callback whose agent cannot take it gets agent callback
// error (47) through the treatments; with none it ends as missed callback.
void Campaign::Impl::fail_callback(std::unique_ptr<ChainWork> chain) {
  const std::size_t index = chain->next;
  const std::int64_t id = chain->records[index].record_id;
  TreatmentDecision d = treat(*chain, index, CallResult::agent_callback_error, *rules);
  for (auto& u : d.updates)
    if (u.record_id == id && u.record_status == RecordStatus::updated) u.record_status = RecordStatus::missed_callback;
  emit(CampaignEvent::Kind::error, "personal callback for agent " + chain->records[index].agent_id + " could not be placed", id,
       CallResult::agent_callback_error);
  apply_decision(std::move(chain), d, id);
}

// --- a record that is scheduled in the list, not held --------------------------

void Campaign::Impl::reschedule_stored(const std::string& agent, std::int64_t record_id, EpochSeconds at, CallbackKind kind) {
  if (agent.empty()) throw Error(ErrorCode::invalid_argument, "agent id must not be empty");
  for (auto& e : lists) {
    // On the loop thread, after any list job under way: a desktop request waits for the answer.
    auto r = storage.run_now([&] { return e.list->get(record_id); });
    if (!r) continue;
    if (r->campaign_id != cfg.campaign_id)
      throw Error(ErrorCode::invalid_argument, "record " + std::to_string(record_id) + " belongs to campaign " +
                                                   std::to_string(r->campaign_id) + ", not " + cfg.name);
    bool scheduled = r->record_status == RecordStatus::ready && r->dial_sched_time &&
                     (r->record_type == RecordType::campaign_rescheduled || r->record_type == RecordType::personal_rescheduled ||
                      r->record_type == RecordType::personal_callback || r->record_type == RecordType::campaign_callback);
    if (!scheduled) throw Error(ErrorCode::invalid_state, "record " + std::to_string(record_id) + " is not a scheduled record");
    if (at <= now_s()) throw Error(ErrorCode::invalid_argument, "cannot reschedule record " + std::to_string(record_id) + " into the past");
    if (windows.check(*r, from_epoch_seconds(at)) != WindowVerdict::open)
      throw Error(ErrorCode::compliance_blocked, "cannot reschedule record " + std::to_string(record_id) + " outside its calling window");
    const bool personal = kind == CallbackKind::personal;
    const RecordType type = callback_type(r->record_type, kind);
    if (!storage.run_now([&] { return e.list->reschedule(record_id, at, type, personal ? agent : std::string()); }))
      throw Error(ErrorCode::invalid_state, "record " + std::to_string(record_id) + " was retrieved meanwhile; try again");
    return;
  }
  throw Error(ErrorCode::not_found, "no record " + std::to_string(record_id) + " in the lists of " + cfg.name);
}

// --- unloading -------------------------------------------------------------------

// A record whose call is over keeps the network's result (the desktop timeout's
// rule): returning it to ready would call a customer who was just reached.
// Records never dialed (previews, chained records) return to ready.
void Campaign::Impl::release_desk() {
  while (!desk.empty()) {
    const std::int64_t key = desk.begin()->first;
    DeskEntry& e = desk.begin()->second;
    // An entry after a call is keyed by the call's handle.
    if (auto call = e.open.find(key); call != e.open.end() && e.network_result && !e.preview) {
      if (e.chain->records[call->second].record_status == RecordStatus::retrieved) {
        apply_to_record(e, call->second, DeskDecision{});
        close_handle(key);
      }
    }
    if (!desk.count(key)) continue;
    auto node = desk.extract(key);
    DeskEntry& rest = node.mapped();
    if (rest.timeout) loop.cancel(rest.timeout);
    for (auto [h, i] : rest.open) handles.erase(h);
    if (rest.reschedule_at)
      schedule_chain(*rest.chain, *rest.reschedule_at);
    else if (rest.treatment)
      apply_decision(std::move(rest.chain), *rest.treatment, rest.treated_record);
    else
      release_chain(*rest.chain);
  }
  for (auto& w : waiting_callbacks) release_chain(*w.chain);
  waiting_callbacks.clear();
  reserved_agents.clear();
}

// --- the public requests ---------------------------------------------------------

std::optional<DesktopRecord> Campaign::preview_record_request(const std::string& agent_id) {
  return impl_->preview(agent_id, false);
}

std::optional<DesktopRecord> Campaign::chained_record_request(const std::string& agent_id, std::int64_t handle) {
  return impl_->chained(agent_id, handle);
}

std::int64_t Campaign::add_record(const std::string& agent_id, Record record) {
  auto& im = *impl_;
  if (im.lists.empty()) throw Error(ErrorCode::invalid_state, "campaign " + im.cfg.name + " has no calling list");
  if (record.record_id <= 0)
    throw Error(ErrorCode::invalid_argument,
                "a new record needs a positive record_id, not " + std::to_string(record.record_id));
  if (record.contact_info.empty()) throw Error(ErrorCode::invalid_argument, "a new record needs a phone number");
  im.number_normalizer().to_e164(record.contact_info, im.number_region(*im.lists.front().list, record));
  if (record.daily_from < 0 || record.daily_from > 86400 || record.daily_till < 0 || record.daily_till > 86400)
    throw Error(ErrorCode::invalid_argument, "daily_from and daily_till must lie in 0..86400 (seconds after midnight), not " +
                                                 std::to_string(record.daily_from) + " and " +
                                                 std::to_string(record.daily_till));
  if (!record.chain_id) record.chain_id = static_cast<int>(record.record_id);
  record.campaign_id = im.cfg.campaign_id;
  record.record_status = RecordStatus::ready;
  auto& list = *im.lists.front().list;
  if (list.get(record.record_id))
    throw Error(ErrorCode::invalid_argument, "record_id " + std::to_string(record.record_id) + " already exists in " + list.options().table);
  list.insert({record});
  (void)agent_id;
  return record.record_id;
}

void Campaign::update_call_completion_stats(const std::string& agent_id, std::int64_t handle, CallResult result) {
  if (!is_valid_call_result(static_cast<int>(result)))
    throw Error(ErrorCode::invalid_argument, "call result " + std::to_string(static_cast<int>(result)) + " does not exist");
  auto& im = *impl_;
  HandleRef& ref = im.handle_of(agent_id, handle);
  Record& r = im.record_of(ref);
  r.call_result = result;
  if (!ref.call) im.queue_update(im.chain_of(ref)->list, r);
}

void Campaign::record_processed(const std::string& agent_id, std::int64_t handle, std::optional<CallResult> result) {
  DeskDecision d;
  d.result = result;
  impl_->decide(agent_id, handle, d);
}

void Campaign::record_reject(const std::string& agent_id, std::int64_t handle) {
  DeskDecision d;
  d.kind = DeskDecision::Kind::reject;
  impl_->decide(agent_id, handle, d);
}

void Campaign::record_cancel(const std::string& agent_id, std::int64_t handle) {
  DeskDecision d;
  d.kind = DeskDecision::Kind::cancel;
  impl_->decide(agent_id, handle, d);
}

void Campaign::record_reschedule(const std::string& agent_id, std::int64_t handle, EpochSeconds at, CallbackKind kind) {
  DeskDecision d;
  d.kind = DeskDecision::Kind::reschedule;
  d.at = at;
  d.callback = kind;
  impl_->decide(agent_id, handle, d);
}

void Campaign::scheduled_record_reschedule(const std::string& agent_id, std::int64_t record_id, EpochSeconds at,
                                           CallbackKind kind) {
  impl_->reschedule_stored(agent_id, record_id, at, kind);
}

void Campaign::do_not_call(const std::string& agent_id, std::int64_t handle, DncScope scope, const std::string& message) {
  DeskDecision d;
  d.kind = DeskDecision::Kind::dnc;
  d.scope = scope;
  d.message = message;
  impl_->decide(agent_id, handle, d);
}

void Campaign::do_not_call_number(const std::string& phone, const std::string& message) {
  auto& im = *impl_;
  if (!im.dnc) throw Error(ErrorCode::invalid_state, "campaign " + im.cfg.name + " has no do-not-call list");
  im.dnc->add_phone(phone, message);
}

void Campaign::ready_time(const std::string& agent_id, Duration in) {
  auto& im = *impl_;
  if (!im.agents.find(agent_id)) throw Error(ErrorCode::not_found, "no agent " + agent_id + " in campaign " + im.cfg.name);
  if (in < Duration::zero())
    throw Error(ErrorCode::invalid_argument, "ready time must not be negative (got " + std::to_string(in.count()) + " ms)");
  im.agents.set_expected_ready(agent_id, add_saturating(im.loop.now(), in));
}

void Campaign::logout(const std::string& agent_id) {
  auto& im = *impl_;
  if (!im.agents.find(agent_id)) throw Error(ErrorCode::not_found, "no agent " + agent_id + " in campaign " + im.cfg.name);
  std::vector<std::int64_t> held;
  for (const auto& [h, ref] : im.handles)
    if (ref.agent == agent_id && !ref.call) held.push_back(h);
  for (auto h : held) {
    if (!im.handles.count(h)) continue;
    const HandleRef& ref = im.handles.at(h);
    DeskDecision d;
    if (im.desk.at(ref.entry).preview) d.kind = DeskDecision::Kind::reject;  // never dialed: back to ready
    im.decide(agent_id, h, d);
  }
  im.reserved_agents.erase(agent_id);
  im.handle_agent_event({agent_id, AgentState::logged_out, im.loop.now()});
}

std::vector<DesktopRecord> Campaign::desktop_records(const std::string& agent_id) const {
  auto& im = *impl_;
  std::vector<DesktopRecord> out;
  for (const auto& [h, ref] : im.handles)
    if (ref.agent == agent_id) out.push_back(im.desktop_record(h, *im.chain_of(ref), ref.index, agent_id));
  return out;
}

}  // namespace outbound
