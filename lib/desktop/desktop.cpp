// Desktop requests (OCS desktop protocol).
//
// A record reaches a desktop by a handle: in preview modes when the agent asks
// (or is pushed one), in autonomous modes when its call connects to the agent.
// The agent's decision (processed, reschedule, cancel, reject, do-not-call) is
// validated before anything changes; during a call it is kept and applied when
// the call is released. A chain on a desktop moves on (next record, schedule,
// finish) once every handle of it is closed.
#include "desktop.hpp"

#include <atomic>

#include "outbound/dnc.hpp"
#include "outbound/error.hpp"
#include "outbound/timezone.hpp"

namespace outbound::desktop {
namespace {

std::atomic<std::int64_t> g_campaign_sequence{0};  // gives each campaign its own handle range
constexpr int kHandleShift = 32;

}  // namespace

Desktop::Desktop(DesktopHost& host, Setup setup)
    : host_(host), loop_(setup.loop), cfg_(setup.cfg), windows_(setup.windows), dnc_(setup.dnc) {}

std::int64_t Desktop::new_handle() {
  if (!handle_base_) handle_base_ = (g_campaign_sequence.fetch_add(1) + 1) << kHandleShift;
  return handle_base_ + next_handle_++;
}

Desktop::HandleRef& Desktop::handle_of(const std::string& agent, std::int64_t handle) {
  auto it = handles_.find(handle);
  if (it == handles_.end()) {
    std::int64_t owner = handle >> kHandleShift;
    if (owner >= 1 && owner != (handle_base_ >> kHandleShift) && owner <= g_campaign_sequence.load())
      throw Error(ErrorCode::invalid_argument,
                  "record handle " + std::to_string(handle) + " belongs to another campaign, not " + cfg_.name);
    throw Error(ErrorCode::not_found,
                "record handle " + std::to_string(handle) + " is unknown or already finished in " + cfg_.name);
  }
  if (it->second.agent != agent)
    throw Error(ErrorCode::invalid_argument,
                "record handle " + std::to_string(handle) + " is held by agent " + it->second.agent + ", not " + agent);
  return it->second;
}

ChainWork& Desktop::chain_of(const HandleRef& ref) const {
  return ref.call ? host_.call_chain(ref.call) : *desk_.at(ref.entry).chain;
}

DesktopRecord Desktop::desktop_record(std::int64_t handle, const ChainWork& chain, std::size_t index,
                                      const std::string& agent) const {
  return {handle, cfg_.name, chain.list->options().table, agent, chain.records.at(index)};
}

void Desktop::emit(CampaignEvent::Kind kind, const std::string& agent, std::int64_t handle, const Record* record,
                   std::string message) {
  CampaignEvent e;
  e.kind = kind;
  e.campaign = cfg_.name;
  e.agent_id = agent;
  e.handle = handle;
  e.message = std::move(message);
  if (record) {
    e.record = *record;
    e.record_id = record->record_id;
  }
  host_.desktop_event(e);
}

// --- records that arrive with a call ---------------------------------------

std::int64_t Desktop::open_call_handle(CallId call, const std::string& agent, std::size_t index) {
  const std::int64_t h = new_handle();
  handles_[h] = {agent, call, 0, index, std::nullopt};
  return h;
}

void Desktop::announce_delivery(std::int64_t handle) {
  const HandleRef& ref = handles_.at(handle);
  const Record& r = chain_of(ref).records[ref.index];
  emit(CampaignEvent::Kind::record_delivered, ref.agent, handle, &r,
       "record " + std::to_string(r.record_id) + " delivered to agent " + ref.agent);
}

bool Desktop::call_released(std::int64_t key, std::unique_ptr<ChainWork>& chain, std::size_t index, CallResult result,
                            std::shared_ptr<const TreatmentSet> rules) {
  HandleRef& ref = handles_.at(key);
  if (!ref.decision && !cfg_.wait_for_desktop) {
    handles_.erase(key);
    return false;
  }
  std::optional<Decision> decided = std::move(ref.decision);
  Entry e;
  e.agent = ref.agent;
  e.chain = std::move(chain);
  e.open[key] = index;
  e.network_result = result;
  e.rules = std::move(rules);
  ref = {e.agent, 0, key, index, std::nullopt};
  desk_.emplace(key, std::move(e));
  if (decided) {
    apply(desk_.at(key), index, *decided);
    close_handle(key);
  } else {
    desk_.at(key).timeout = loop_.schedule_after(cfg_.desktop_timeout, [this, key] { on_timeout(key); });
  }
  return true;
}

void Desktop::on_timeout(std::int64_t key) {
  auto it = desk_.find(key);
  if (it == desk_.end()) return;
  it->second.timeout = 0;
  host_.report_error("records of agent " + it->second.agent +
                     " not processed within the desktop timeout; the called record is finished with the "
                     "network's result, chained records handed out beside it get none of their own");
  auto open = it->second.open;  // closing handles erases from the map
  for (auto [handle, index] : open) {
    if (!desk_.count(key)) break;
    // Only the called record (keyed by its call's handle) has a result of its
    // own; a chained record the desktop asked for may never have been dialed,
    // and the network's result would end it without a call.
    Entry& e = desk_.at(key);
    if (handle == key && e.network_result && !e.preview) apply(e, index, Decision{});
    close_handle(handle);
  }
}

// --- decisions -----------------------------------------------------------------

void Desktop::validate(const HandleRef& ref, const Record& r, const Decision& d) const {
  using K = Decision::Kind;
  switch (d.kind) {
    case K::processed:
      if (d.result && !is_valid_call_result(static_cast<int>(*d.result)))
        throw Error(ErrorCode::invalid_argument,
                    "call result " + std::to_string(static_cast<int>(*d.result)) + " does not exist");
      break;
    case K::reschedule:
      check_reschedule(r, d.at);
      break;
    case K::reject:
      if (ref.call || !desk_.at(ref.entry).preview)
        throw Error(ErrorCode::invalid_state,
                    "only a previewed record can be rejected (record " + std::to_string(r.record_id) + ")");
      break;
    case K::dnc:
      if (!dnc_) throw Error(ErrorCode::invalid_state, "campaign " + cfg_.name + " has no do-not-call list");
      dnc_->normalizer().to_e164(r.contact_info);  // throws invalid_argument for a number that is none
      break;
    case K::cancel:
      break;
  }
}

void Desktop::check_reschedule(const Record& r, EpochSeconds at) const {
  if (at <= now_s())
    throw Error(ErrorCode::invalid_argument,
                "cannot reschedule record " + std::to_string(r.record_id) + " into the past");
  if (windows_.check(r, from_epoch_seconds(at)) != WindowVerdict::open)
    throw Error(ErrorCode::compliance_blocked,
                "cannot reschedule record " + std::to_string(r.record_id) + " outside its calling window");
}

void Desktop::decide(const std::string& agent, std::int64_t handle, Decision d) {
  HandleRef& ref = handle_of(agent, handle);
  validate(ref, chain_of(ref).records.at(ref.index), d);
  if (ref.call) {
    if (ref.decision)
      throw Error(ErrorCode::invalid_state, "record handle " + std::to_string(handle) + " already has a decision");
    ref.decision = std::move(d);  // applied when the call is released
    return;
  }
  apply(desk_.at(ref.entry), ref.index, d);
  close_handle(handle);
}

void Desktop::apply(Entry& e, std::size_t index, const Decision& d) {
  using K = Decision::Kind;
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
      TreatmentDecision td = host_.treat(chain, index, result, *e.rules);
      // Only this record changes now: the others may still be on the desktop.
      // A final record is written at once; the chain moves on (with the last
      // decision) when its last handle closes.
      for (const auto& u : td.updates)
        if (u.record_id == r.record_id) {
          RecordStatus keep = r.record_status;
          r = u;
          if (r.record_status == RecordStatus::ready) r.record_status = keep;  // still held until the chain moves
        }
      if (r.record_status != RecordStatus::retrieved) host_.write_record(chain.list, r, true);
      e.outcome.treatment = std::move(td);
      e.outcome.treated_record = r.record_id;
      break;
    }
    case K::reschedule:
      r.record_type =
          d.callback == CallbackKind::personal ? RecordType::personal_callback : RecordType::campaign_callback;
      r.agent_id = d.callback == CallbackKind::personal ? e.agent : std::string();
      r.record_status = RecordStatus::ready;
      r.dial_sched_time = d.at;
      if (e.network_result) r.call_result = *e.network_result;
      host_.write_record(chain.list, r, true);
      e.outcome.reschedule_at = e.outcome.reschedule_at ? std::max(*e.outcome.reschedule_at, d.at) : d.at;
      break;
    case K::cancel:
      r.record_status = RecordStatus::cancelled;
      if (e.network_result) r.call_result = *e.network_result;
      host_.write_record(chain.list, r, true);
      break;
    case K::reject:
      r.record_status = RecordStatus::ready;
      host_.release_record(chain.list, r.record_id);
      break;
    case K::dnc:
      host_.list_do_not_call(*chain.list, r, d.scope, d.message);
      finalize_dnc(chain, r);
      if (d.scope == DncScope::chain)
        for (auto& other : chain.records)
          if (other.record_status == RecordStatus::retrieved) {
            host_.list_do_not_call(*chain.list, other, DncScope::record, d.message);
            finalize_dnc(chain, other);
          }
      break;
  }
}

// A number the desktop put on the do-not-call list ends its record, listed or not.
void Desktop::finalize_dnc(ChainWork& chain, Record& r) {
  r.call_result = CallResult::do_not_call;
  r.record_status = RecordStatus::updated;
  host_.write_record(chain.list, r, true);
}

void Desktop::close_handle(std::int64_t handle) {
  auto it = handles_.find(handle);
  if (it == handles_.end()) return;
  std::int64_t key = it->second.entry;
  const std::string agent = it->second.agent;
  handles_.erase(it);
  bool holds_more = false;
  for (const auto& [h, ref] : handles_) holds_more = holds_more || ref.agent == agent;
  if (!holds_more) host_.desk_cleared(agent);
  auto e = desk_.find(key);
  if (e == desk_.end()) return;
  e->second.open.erase(handle);
  if (e->second.open.empty()) route_entry(key);
}

// Every handle of the chain is closed: it moves on as its decisions say.
void Desktop::route_entry(std::int64_t key) {
  auto node = desk_.extract(key);
  Entry& e = node.mapped();
  if (e.timeout) loop_.cancel(e.timeout);
  host_.move_chain_on(std::move(e.chain), e.outcome);
}

// --- preview ---------------------------------------------------------------------

std::optional<DesktopRecord> Desktop::preview(const std::string& agent, bool pushed) {
  if (agent.empty()) throw Error(ErrorCode::invalid_argument, "agent id must not be empty");
  if (!host_.dialing())
    throw Error(ErrorCode::invalid_state, "campaign " + cfg_.name + " is not dialing (start it first)");
  if (!pushed && cfg_.mode != DialMode::preview && cfg_.mode != DialMode::push_preview)
    throw Error(ErrorCode::invalid_state, "campaign " + cfg_.name + " dials in " + std::string(to_string(cfg_.mode)) +
                                              " mode: preview record requests need the preview or push_preview mode");
  PreviewPick pick = host_.pick_for_preview(!pushed);
  if (!pick.chain) {
    emit(CampaignEvent::Kind::preview_record_empty, agent, 0, nullptr, pick.none_because);
    return std::nullopt;
  }
  const std::int64_t h = new_handle();
  const std::size_t index = pick.chain->next;
  Entry e;
  e.agent = agent;
  e.chain = std::move(pick.chain);
  e.open[h] = index;
  e.rules = std::move(pick.rules);
  e.preview = true;
  auto rec = desktop_record(h, *e.chain, index, agent);
  desk_.emplace(h, std::move(e));
  handles_[h] = {agent, 0, h, index, std::nullopt};
  emit(CampaignEvent::Kind::preview_record, agent, h, &rec.record,
       "record " + std::to_string(rec.record.record_id) + " handed to agent " + agent + " for preview");
  return rec;
}

// --- chained records -------------------------------------------------------------

std::optional<DesktopRecord> Desktop::chained(const std::string& agent, std::int64_t handle) {
  const HandleRef ref = handle_of(agent, handle);
  if (ref.call)
    throw Error(ErrorCode::invalid_state,
                "chained records are handed out once the call of handle " + std::to_string(handle) + " is over");
  Entry& e = desk_.at(ref.entry);
  std::set<std::size_t> held;
  for (auto [h, i] : e.open) held.insert(i);
  for (std::size_t i = ref.index + 1; i < e.chain->records.size(); ++i) {
    if (held.count(i) || e.chain->records[i].record_status != RecordStatus::retrieved) continue;
    // The desktop may dial it: the same gate as any dial (DNC, window, attempts).
    switch (host_.gate_chained(*e.chain, i)) {
      case GateVerdict::dial:
        break;
      case GateVerdict::chain_done:
        i = e.chain->records.size();
        continue;
      case GateVerdict::skip:
        continue;
    }
    const std::int64_t h = new_handle();
    e.open[h] = i;
    handles_[h] = {agent, 0, ref.entry, i, std::nullopt};
    auto rec = desktop_record(h, *e.chain, i, agent);
    emit(CampaignEvent::Kind::chained_record, agent, h, &rec.record,
         "record " + std::to_string(rec.record.record_id) + ", next in chain " + std::to_string(rec.record.chain_id) +
             ", handed to agent " + agent);
    return rec;
  }
  emit(CampaignEvent::Kind::chained_record, agent, 0, nullptr, "no further record in the chain");
  return std::nullopt;
}

// --- other requests --------------------------------------------------------------

void Desktop::set_call_result(const std::string& agent, std::int64_t handle, CallResult result) {
  if (!is_valid_call_result(static_cast<int>(result)))
    throw Error(ErrorCode::invalid_argument,
                "call result " + std::to_string(static_cast<int>(result)) + " does not exist");
  HandleRef& ref = handle_of(agent, handle);
  ChainWork& chain = chain_of(ref);
  Record& r = chain.records.at(ref.index);
  r.call_result = result;
  if (!ref.call) host_.write_record(chain.list, r, false);  // the result alone: no outcome yet
}

void Desktop::logout(const std::string& agent) {
  std::vector<std::int64_t> held;
  for (const auto& [h, ref] : handles_)
    if (ref.agent == agent && !ref.call) held.push_back(h);
  for (auto h : held) {
    if (!handles_.count(h)) continue;
    const HandleRef& ref = handles_.at(h);
    Decision d;
    if (desk_.at(ref.entry).preview) d.kind = Decision::Kind::reject;  // never dialed: back to ready
    decide(agent, h, d);
  }
}

std::vector<DesktopRecord> Desktop::records_of(const std::string& agent) const {
  std::vector<DesktopRecord> out;
  for (const auto& [h, ref] : handles_)
    if (ref.agent == agent) out.push_back(desktop_record(h, chain_of(ref), ref.index, agent));
  return out;
}

std::set<std::string> Desktop::holders() const {
  std::set<std::string> out;
  for (const auto& [h, ref] : handles_) out.insert(ref.agent);
  return out;
}

// --- unloading -------------------------------------------------------------------

// A record whose call is over keeps the network's result (the desktop timeout's
// rule): returning it to ready would call a customer who was just reached.
// Records never dialed (previews, chained records) return to ready.
void Desktop::release_all() {
  while (!desk_.empty()) {
    const std::int64_t key = desk_.begin()->first;
    Entry& e = desk_.begin()->second;
    // An entry after a call is keyed by the call's handle.
    if (auto call = e.open.find(key); call != e.open.end() && e.network_result && !e.preview) {
      if (e.chain->records[call->second].record_status == RecordStatus::retrieved) {
        apply(e, call->second, Decision{});
        close_handle(key);
      }
    }
    if (!desk_.count(key)) continue;
    auto node = desk_.extract(key);
    Entry& rest = node.mapped();
    if (rest.timeout) loop_.cancel(rest.timeout);
    for (auto [h, i] : rest.open) handles_.erase(h);
    host_.move_chain_on(std::move(rest.chain), rest.outcome);
  }
}

}  // namespace outbound::desktop
