// A simulated CPD server: board channels, call progress detection, and
// transfer or ASM mode, with simulated agents whose states it reports.
#include <cmath>

#include "call_center.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/error.hpp"

namespace outbound::sim {
namespace {

bool is_share(double x) { return x >= 0.0 && x <= 1.0; }

const CpdOptions& checked(const CpdOptions& o) {
  const bool engaged = o.mode == CpdMode::asm_mode;
  if (o.mode != CpdMode::transfer && !engaged)
    throw Error(ErrorCode::invalid_argument,
                "unknown CPD mode " + std::to_string(static_cast<int>(o.mode)) + " (0 transfer or 1 asm)");
  if (o.channels < (engaged ? 2 : 1))
    throw Error(ErrorCode::invalid_argument,
                std::string(engaged ? "an ASM CPD server needs at least 2 channels (each call holds two)"
                                    : "a CPD server needs at least 1 channel") +
                    ", not " + std::to_string(o.channels));
  if (!(o.engage_s >= 0.0) || !std::isfinite(o.engage_s)) throw Error(ErrorCode::invalid_argument, "engage_s must be a finite time >= 0");
  if (!is_share(o.engage_failure) || !is_share(o.opt_out))
    throw Error(ErrorCode::invalid_argument, "engage_failure and opt_out must lie in [0, 1]");
  return o;
}

detail::CenterSetup setup_of(const CpdOptions& o) {
  const bool engaged = o.mode == CpdMode::asm_mode;
  detail::CenterSetup s;
  s.name = engaged ? "sim-cpd-asm" : "sim-cpd";
  // ASM splits the board: half the channels hold agents on the line, half dial customers.
  s.call_limit = engaged ? o.channels / 2 : o.channels;
  s.engage_first = engaged;
  s.leg_limit = engaged ? o.channels / 2 : 0;
  s.engage_s = o.engage_s;
  s.engage_failure = o.engage_failure;
  s.opt_out = o.opt_out;
  return s;
}

}  // namespace

SimCpd::SimCpd(Network& network, AgentModel agent_model, int agents, CpdOptions options, std::string agent_prefix)
    : options_(checked(options)),
      impl_(std::make_unique<detail::CallCenter>(network, agent_model, agents, std::move(agent_prefix), setup_of(options_))) {}

SimCpd::~SimCpd() = default;

DriverCapabilities SimCpd::capabilities() const {
  DriverCapabilities c;
  c.kind = DriverKind::cpd;
  const bool engaged = options_.mode == CpdMode::asm_mode;
  c.max_concurrent_calls = engaged ? options_.channels / 2 : options_.channels;
  c.reports_agent_states = true;
  c.routes_to_agents = !impl_->engine_routing();
  c.connects_on_request = impl_->engine_routing();
  c.detects_machines = true;
  c.supports_engaging = engaged;
  return c;
}

std::string SimCpd::name() const { return impl_->name(); }
void SimCpd::start(EventSink& sink) { impl_->start(sink); }
void SimCpd::dial(const DialRequest& request) { impl_->dial(request); }
void SimCpd::cancel(CallId call_id) { impl_->cancel(call_id); }
void SimCpd::connect(CallId call_id, const std::string& agent_id) { impl_->connect_on_request(call_id, agent_id); }
void SimCpd::set_engine_routing(bool on) { impl_->set_engine_routing(on); }
void SimCpd::release_abandoned(CallId call_id) { impl_->release_abandoned(call_id); }
void SimCpd::transfer(CallId call_id, const std::string& destination) { impl_->transfer(call_id, destination); }
void SimCpd::stop() { impl_->stop(); }
void SimCpd::set_agent_count(int n) { impl_->floor().set_count(n); }
void SimCpd::set_agent_model(const AgentModel& model) { impl_->floor().set_model(model); }
std::size_t SimCpd::calls_in_progress() const { return impl_->calls_in_progress(); }
int SimCpd::channels_in_use() const { return impl_->board_channels(); }
const SimDriverStats& SimCpd::stats() const { return impl_->stats(); }

}  // namespace outbound::sim
