// Personal callbacks: a due callback for a named agent waits (callback_wait)
// until that agent is ready, is dialed for that agent with the agent held
// (reserved_agents), and fails through the treatments as agent callback error
// when the agent cannot take it.
#include "campaign_impl.hpp"

namespace outbound {
namespace {

bool is_personal_type(RecordType t) { return t == RecordType::personal_callback || t == RecordType::personal_rescheduled; }

}  // namespace

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
      desktop.emit(CampaignEvent::Kind::scheduled_call, r.agent_id, 0, &r, "personal callback due");
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

}  // namespace outbound
