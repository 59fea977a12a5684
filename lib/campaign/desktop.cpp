// The campaign's side of the desktops: it hosts lib/desktop (DeskHost below
// is the whole of what the desktop may ask of it), forwards the public desktop
// requests to its Desktop, pushes previews to ready agents, and reschedules
// records waiting in the lists. Personal callbacks are in personal_callbacks.cpp.
#include "campaign_impl.hpp"

namespace outbound {
namespace {

// A scheduled record keeps its kind (callback or reschedule) and takes the
// owner asked for: personal (its agent) or campaign (anyone).
RecordType callback_type(RecordType current, CallbackKind kind) {
  const bool callback = current == RecordType::personal_callback || current == RecordType::campaign_callback;
  if (kind == CallbackKind::personal) return callback ? RecordType::personal_callback : RecordType::personal_rescheduled;
  return callback ? RecordType::campaign_callback : RecordType::campaign_rescheduled;
}

}  // namespace

// --- the campaign as the desktop's host -------------------------------------------

class Campaign::Impl::DeskHost final : public desktop::DesktopHost {
 public:
  explicit DeskHost(Impl& im) : im_(im) {}

  ChainWork& call_chain(CallId call) override { return *im_.calls.at(call).chain; }
  bool dialing() const override { return im_.state_accepts_dials(); }
  desktop::PreviewPick pick_for_preview(bool sync_dnc_first) override;
  desktop::GateVerdict gate_chained(ChainWork& chain, std::size_t index) override;
  TreatmentDecision treat(const ChainWork& chain, std::size_t index, CallResult result, const TreatmentSet& rules) override {
    return im_.treat(chain, index, result, rules);
  }
  void write_record(CallingList* list, const Record& r, bool counted) override {
    if (counted) im_.count_outcome(r);
    im_.queue_update(list, r);
  }
  void release_record(CallingList* list, std::int64_t record_id) override { im_.pending_releases[list].push_back(record_id); }
  void list_do_not_call(const CallingList& list, const Record& r, DncScope scope, const std::string& message) override;
  void move_chain_on(std::unique_ptr<ChainWork> chain, const desktop::ChainOutcome& o) override {
    if (o.reschedule_at)
      im_.schedule_chain(*chain, *o.reschedule_at);
    else if (o.treatment)
      im_.apply_decision(std::move(chain), *o.treatment, o.treated_record);
    else
      im_.release_chain(*chain);
  }
  void desktop_event(const CampaignEvent& e) override {
    for (auto& h : im_.handlers) h(e);
  }
  void report_error(const std::string& message) override { im_.emit(CampaignEvent::Kind::error, message); }
  // With inferred agent states, an agent in wrap-up is ready again once its desktop holds nothing.
  void desk_cleared(const std::string& agent) override {
    if (!im_.infer_agents) return;
    const Agent* a = im_.agents.find(agent);
    if (a && a->state == AgentState::wrap_up) im_.handle_agent_event({agent, AgentState::ready, im_.loop.now()});
  }

 private:
  Impl& im_;
};

std::unique_ptr<desktop::DesktopHost> Campaign::Impl::make_desk_host(Impl& im) { return std::make_unique<DeskHost>(im); }

// The buffer's next chain the gate lets an agent dial (no lockout); what the
// gate holds back is put back, deferred or finished as for any dial.
desktop::PreviewPick Campaign::Impl::DeskHost::pick_for_preview(bool sync_dnc_first) {
  if (sync_dnc_first && !im_.sync_dnc()) return {nullptr, nullptr, "do-not-call list not up to date"};
  for (;;) {
    if (im_.buffer.empty()) {
      im_.refill();
      im_.storage.wait_idle();  // an agent asking for a preview waits for the records
    }
    if (im_.buffer.empty()) return {nullptr, nullptr, "no record to preview"};
    auto chain = im_.buffer.pop_front();
    if (im_.hold_if_scheduled(*chain)) continue;
    if (im_.take_personal_callback(chain)) continue;
    std::optional<std::uint64_t> key;
    EpochSeconds held_until = 0;
    Gate g = Gate::skip_record;
    while (chain->seek_open()) {
      g = im_.gate_and_close_blocked(*chain, key, Lockout::ignored, &held_until);
      if (g != Gate::skip_record) break;
    }
    if (g == Gate::held) {
      im_.hold_chain(*chain, held_until);
      continue;
    }
    if (g == Gate::no_call_day) {  // an agent does not preview it on a no-call day either
      im_.schedule_chain(*chain, held_until);
      continue;
    }
    if (g == Gate::window_closed) {
      ++im_.st.window_deferred;
      im_.defer_closed_chain(*chain, key);
      continue;
    }
    if (g != Gate::dial || chain->records[chain->next].record_status != RecordStatus::retrieved) {
      im_.finish_chain(*chain);
      continue;
    }
    return {std::move(chain), im_.rules, {}};
  }
}

// The gate (no lockout: the agent dials it) on another record of a held chain (the chain's cursor is kept).
desktop::GateVerdict Campaign::Impl::DeskHost::gate_chained(ChainWork& chain, std::size_t index) {
  const std::size_t saved = chain.next;
  chain.next = index;
  std::optional<std::uint64_t> key;
  Gate g = im_.gate_and_close_blocked(chain, key, Lockout::ignored);
  chain.next = saved;
  if (g == Gate::dial) return desktop::GateVerdict::dial;
  return g == Gate::chain_done ? desktop::GateVerdict::chain_done : desktop::GateVerdict::skip;
}

// The number goes on the campaign's DNC list (and for a chain, the customer id);
// what cannot be listed is reported, and the record still ends (the desktop ends it).
// A locked table holds the loop at most kLoopLockWait: the entry is then queued.
void Campaign::Impl::DeskHost::list_do_not_call(const CallingList& list, const Record& r, DncScope scope,
                                                const std::string& message) {
  try {
    im_.add_to_dnc({im_.number_as_e164(list, r), {}, message, {}, std::nullopt}, r.record_id);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::invalid_argument) {
      im_.emit(CampaignEvent::Kind::record_error, e.what(), r.record_id);  // no number to list; the record still ends
    } else {
      im_.emit(CampaignEvent::Kind::database_error, std::string("do-not-call entry for record ") + std::to_string(r.record_id) +
                                                        " not listed: " + e.what(), r.record_id);
    }
  }
  if (scope != DncScope::chain) return;
  std::string customer = im_.customer_id_of(r);
  if (customer.empty()) return;
  try {
    im_.add_to_dnc({{}, customer, message, {}, std::nullopt}, r.record_id);
  } catch (const std::exception& e) {
    im_.emit(CampaignEvent::Kind::database_error, std::string("customer id not listed: ") + e.what(), r.record_id);
  }
}

// --- records that arrive with a call -------------------------------------------------

void Campaign::Impl::deliver_to_agent(ActiveCall& c, const std::string& agent) {
  if (c.handle) return;
  c.handle = desktop.open_call_handle(c.id, agent, c.index);
  c.agent = agent;
  desktop.announce_delivery(c.handle);  // subscribers see the call with its handle and agent set
}

// Called when a call with a desktop handle is released; false when the
// record should be finished the usual way (no desktop decision to wait for).
bool Campaign::Impl::route_released_call(ActiveCall& c, CallResult result) {
  return desktop.call_released(c.handle, c.chain, c.index, result, c.rules);
}

// Push preview: every ready agent whose desktop is empty and who is not held
// for a personal callback is handed a record, until none is left.
void Campaign::Impl::push_previews() {
  if (cfg.mode != DialMode::push_preview || !state_accepts_dials()) return;
  const std::set<std::string> busy = desktop.holders();
  for (const auto& [id, a] : agents.agents())
    if (a.state == AgentState::ready && !busy.count(id) && !reserved_agents.count(id))
      if (!desktop.preview(id, true)) return;
}

// Unloading: chains on desktops leave them (desktop.hpp says how); waiting personal callbacks return to ready.
void Campaign::Impl::release_desk() {
  desktop.release_all();
  for (auto& w : waiting_callbacks) release_chain(*w.chain);
  waiting_callbacks.clear();
  reserved_agents.clear();
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
    desktop.check_reschedule(*r, at);  // the same rule as for a held record
    const bool personal = kind == CallbackKind::personal;
    const RecordType type = callback_type(r->record_type, kind);
    if (!storage.run_now([&] { return e.list->reschedule(record_id, at, type, personal ? agent : std::string()); }))
      throw Error(ErrorCode::invalid_state, "record " + std::to_string(record_id) + " was retrieved meanwhile; try again");
    return;
  }
  throw Error(ErrorCode::not_found, "no record " + std::to_string(record_id) + " in the lists of " + cfg.name);
}

// --- the public requests ---------------------------------------------------------

std::optional<DesktopRecord> Campaign::preview_record_request(const std::string& agent_id) {
  return impl_->desktop.preview(agent_id, false);
}

std::optional<DesktopRecord> Campaign::chained_record_request(const std::string& agent_id, std::int64_t handle) {
  return impl_->desktop.chained(agent_id, handle);
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
  impl_->desktop.set_call_result(agent_id, handle, result);
}

void Campaign::record_processed(const std::string& agent_id, std::int64_t handle, std::optional<CallResult> result) {
  desktop::Decision d;
  d.result = result;
  impl_->desktop.decide(agent_id, handle, std::move(d));
}

void Campaign::record_reject(const std::string& agent_id, std::int64_t handle) {
  desktop::Decision d;
  d.kind = desktop::Decision::Kind::reject;
  impl_->desktop.decide(agent_id, handle, std::move(d));
}

void Campaign::record_cancel(const std::string& agent_id, std::int64_t handle) {
  desktop::Decision d;
  d.kind = desktop::Decision::Kind::cancel;
  impl_->desktop.decide(agent_id, handle, std::move(d));
}

void Campaign::record_reschedule(const std::string& agent_id, std::int64_t handle, EpochSeconds at, CallbackKind kind) {
  desktop::Decision d;
  d.kind = desktop::Decision::Kind::reschedule;
  d.at = at;
  d.callback = kind;
  impl_->desktop.decide(agent_id, handle, std::move(d));
}

void Campaign::scheduled_record_reschedule(const std::string& agent_id, std::int64_t record_id, EpochSeconds at,
                                           CallbackKind kind) {
  impl_->reschedule_stored(agent_id, record_id, at, kind);
}

void Campaign::do_not_call(const std::string& agent_id, std::int64_t handle, DncScope scope, const std::string& message) {
  desktop::Decision d;
  d.kind = desktop::Decision::Kind::dnc;
  d.scope = scope;
  d.message = message;
  impl_->desktop.decide(agent_id, handle, std::move(d));
}

void Campaign::do_not_call_number(const std::string& phone, const std::string& message) {
  auto& im = *impl_;
  if (!im.dnc) throw Error(ErrorCode::invalid_state, "campaign " + im.cfg.name + " has no do-not-call list");
  im.add_to_dnc({phone, {}, message, {}, std::nullopt}, 0);  // bounded: a locked table queues it (an event says so)
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
  im.desktop.logout(agent_id);
  im.reserved_agents.erase(agent_id);
  im.handle_agent_event({agent_id, AgentState::logged_out, im.loop.now()});
}

std::vector<DesktopRecord> Campaign::desktop_records(const std::string& agent_id) const {
  return impl_->desktop.records_of(agent_id);
}

}  // namespace outbound
