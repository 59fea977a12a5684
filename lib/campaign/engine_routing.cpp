// Engine-side routing (drivers with connects_on_request, such as SIP): on a
// live answer the campaign picks the agent (agent_router.hpp) and asks the
// driver to join the agent's line. The agent is busy from that moment, so no
// second call is offered to it. An agent who does not take the call
// (connect_failed, a refused connect, or no word from the driver within
// agent_answer_timeout) is put not ready and the next ready agent is tried;
// with none left the call is released as abandoned and counts under the cap.
// A live answer that finds no agent ready waits for one until abandon_after.
#include "campaign_impl.hpp"

namespace outbound {

void Campaign::Impl::await_agent(ActiveCall& c) {
  router.enqueue(c.id, c.personal ? c.agent : std::string());
  route_live_answers();
}

void Campaign::Impl::route_live_answers() {
  if (!engine_routes) return;
  while (auto m = router.next_match(agents, reserved_agents)) {
    ActiveCall* c = calls.find(m->call);
    if (!c || c->connected || c->abandoned) {
      router.forget(m->call);
      continue;
    }
    connect_agent(*c, m->agent);
  }
}

void Campaign::Impl::connect_agent(ActiveCall& c, const std::string& agent) {
  const CallId id = c.id;
  router.connecting(id);
  c.connecting_agent = agent;
  handle_agent_event({agent, AgentState::busy, loop.now()});  // held for this call: offered no other
  if (cfg.agent_answer_timeout > Duration::zero()) calls.arm_connect(c, agent, cfg.agent_answer_timeout);
  try {
    DispatchScope scope(dispatching);
    driver->connect(id, agent);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::invalid_state) return call_left_routing(c);  // it is ending: its release follows
    agent_did_not_take(c, agent, std::string("the driver refused: ") + e.what());
  } catch (const std::exception& e) {
    agent_did_not_take(c, agent, std::string("the driver failed: ") + e.what());
  }
}

void Campaign::Impl::on_connect_failed(ActiveCall& c, const CallEvent& e) {
  if (e.agent_id.empty() || e.agent_id != c.connecting_agent) return;  // not the connect under way
  if (c.abandoned || c.connected) return call_left_routing(c);  // given up already: the agent did nothing wrong
  agent_did_not_take(c, e.agent_id, e.detail.empty() ? "connect failed" : e.detail);
}

void Campaign::Impl::agent_did_not_take(ActiveCall& c, const std::string& agent, const std::string& why) {
  calls.disarm_connect(c);
  c.connecting_agent.clear();
  router.failed(c.id, agent);
  handle_agent_event({agent, AgentState::not_ready, loop.now()});
  emit(CampaignEvent::Kind::info, "agent " + agent + " did not take call " + std::to_string(c.id) + " (" + why +
                                      "): the agent is not ready now", c.chain->records[c.index].record_id);
  if (c.abandoned || c.connected) return;
  if (auto next = router.pick(c.id, agents, reserved_agents)) return connect_agent(c, *next);
  abandon_now(c);  // nobody left to take it: the customer is not kept waiting
}

// The tracker clears the call's connect timer (when it is this one) before it calls here.
void Campaign::Impl::connect_deadline_passed(CallId id, const std::string& agent) {
  ActiveCall* found = calls.find(id);
  if (!found || found->connecting_agent != agent) return;
  ActiveCall& c = *found;
  if (c.abandoned || c.connected) return;  // given up meanwhile: the agent is freed at the release
  // The driver still holds the agent's leg, so no other agent can be asked: the call is given up.
  c.connecting_agent.clear();
  router.failed(id, agent);
  handle_agent_event({agent, AgentState::not_ready, loop.now()});
  emit(CampaignEvent::Kind::info, "agent " + agent + " did not answer call " + std::to_string(id) + " within agent_answer_timeout" +
                                      ": the agent is not ready now", c.chain->records[c.index].record_id);
  abandon_now(c);
}

void Campaign::Impl::abandon_now(ActiveCall& c) {
  calls.disarm_abandon(c);
  router.forget(c.id);
  on_abandoned(c, loop.now());
  const CallId id = c.id;
  guarded_driver_call("release an abandoned call", [&] { driver->release_abandoned(id); });
}

// The call stops waiting for an agent (connected, abandoned, released): an
// agent held for a connect that never finished is free again.
void Campaign::Impl::call_left_routing(ActiveCall& c) {
  router.forget(c.id);
  calls.disarm_connect(c);
  if (c.connecting_agent.empty() || c.connected) {
    c.connecting_agent.clear();
    return;
  }
  const std::string agent = std::move(c.connecting_agent);
  c.connecting_agent.clear();
  if (const Agent* a = agents.find(agent); a && a->state == AgentState::busy)
    handle_agent_event({agent, AgentState::ready, loop.now()});
}

}  // namespace outbound
