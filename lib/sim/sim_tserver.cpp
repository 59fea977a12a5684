// A simulated T-Server: the switch places calls, detects call progress, queues
// live answers for the longest-ready agent, and reports agent states, as a
// Genesys T-Server does for OCS. No channel limit: trunks are the switch's.
#include "call_center.hpp"
#include "outbound/driver/sim.hpp"

namespace outbound::sim {

SimTServer::SimTServer(Network& network, AgentModel agent_model, int agents, std::string agent_prefix)
    : impl_(std::make_unique<detail::CallCenter>(network, agent_model, agents, std::move(agent_prefix),
                                                 detail::CenterSetup{"sim-tserver"})) {}

SimTServer::~SimTServer() = default;

DriverCapabilities SimTServer::capabilities() const {
  DriverCapabilities c;
  c.kind = DriverKind::tserver;
  c.reports_agent_states = true;
  c.routes_to_agents = !impl_->engine_routing();
  c.connects_on_request = impl_->engine_routing();
  c.detects_machines = true;
  return c;
}

void SimTServer::start(EventSink& sink) { impl_->start(sink); }
void SimTServer::dial(const DialRequest& request) { impl_->dial(request); }
void SimTServer::cancel(CallId call_id) { impl_->cancel(call_id); }
void SimTServer::connect(CallId call_id, const std::string& agent_id) { impl_->connect_on_request(call_id, agent_id); }
void SimTServer::set_engine_routing(bool on) { impl_->set_engine_routing(on); }
void SimTServer::release_abandoned(CallId call_id) { impl_->release_abandoned(call_id); }
void SimTServer::transfer(CallId call_id, const std::string& destination) { impl_->transfer(call_id, destination); }
void SimTServer::stop() { impl_->stop(); }
void SimTServer::set_agent_count(int n) { impl_->floor().set_count(n); }
void SimTServer::set_agent_model(const AgentModel& model) { impl_->floor().set_model(model); }
std::size_t SimTServer::calls_in_progress() const { return impl_->calls_in_progress(); }
const SimDriverStats& SimTServer::stats() const { return impl_->stats(); }

}  // namespace outbound::sim
