// Scenarios over SIP: the driver, the agents' desktops, the connect latencies.
#include "sim_sip.hpp"

#include <algorithm>
#include <cmath>

#include "outbound/error.hpp"
#ifdef OB_WITH_SIP
#include "outbound/driver/sip.hpp"
#endif

namespace outbound::cli {

std::shared_ptr<Driver> make_sip_driver(const ScenarioSip& sip, std::shared_ptr<Clock> clock) {
#ifdef OB_WITH_SIP
  SipConfig c;
  c.listen = sip.listen;
  c.customer_uri = sip.customer_uri;
  c.agents = sip.agents;
  c.calls_per_second = sip.cps;
  c.agent_answer_timeout = Duration(sip.agent_answer_timeout_ms);
  try {
    return std::make_shared<SipDriver>(c, std::move(clock));
  } catch (const Error& e) {
    throw Error(e.code(), std::string("scenario key \"sip\": ") + e.what());
  }
#else
  (void)sip, (void)clock;
  throw Error(ErrorCode::unsupported, "this outbound was built without the SIP driver (meson -Dsip=enabled)");
#endif
}

std::map<int, long> sip_final_responses(const Driver& driver) {
#ifdef OB_WITH_SIP
  if (const auto* sip = dynamic_cast<const SipDriver*>(&driver)) return sip->stats().final_responses;
#else
  (void)driver;
#endif
  return {};
}

void SipDesks::log_in(const std::map<std::string, std::string>& agents) {
  for (const auto& [id, uri] : agents) campaign_.set_agent_state(id, AgentState::ready);
}

// A record delivered to an agent is held until its call ends; then the agent
// wraps up for a drawn time and processes it (the agent is ready again).
void SipDesks::on_event(const CampaignEvent& e) {
  if (e.kind == CampaignEvent::Kind::record_delivered && e.handle) {
    by_record_[e.record_id] = {e.agent_id, e.handle};
    return;
  }
  if (e.kind != CampaignEvent::Kind::call_finished) return;
  auto it = by_record_.find(e.record_id);
  if (it == by_record_.end()) return;
  const Held held = it->second;
  by_record_.erase(it);
  const double wrap_s = std::max(0.0, rng_.sample(wrap_));
  loop_.schedule_after(from_seconds(wrap_s), [this, held] {
    try {
      campaign_.record_processed(held.agent, held.handle);
    } catch (const Error&) {
      // The campaign finished the record meanwhile (desktop timeout, unload): nothing to do.
    }
  });
}

std::vector<double> connect_latencies_ms(CallLog& log, const std::string& campaign, Time since) {
  std::vector<double> out;
  for (const auto& e : log.answered_since(campaign, since))
    if (e.answered_at && e.connected_at) out.push_back(to_seconds(*e.connected_at - *e.answered_at) * 1000.0);
  return out;
}

std::optional<double> quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace outbound::cli
