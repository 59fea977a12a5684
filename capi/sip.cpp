// outbound C API — the SIP driver: options in, a driver handle out, its counters.
// Built without the SIP driver (meson feature sip), every call says OB_EUNSUPPORTED.
#include "shim.hpp"

#ifdef OB_WITH_SIP
#include "outbound/driver/sip.hpp"
#endif

using outbound::ErrorCode;

namespace obc {
namespace {

ob_sip_options default_sip_options() {
  ob_sip_options o = OB_SIP_OPTIONS_INIT;
  return o;
}

#ifdef OB_WITH_SIP
// A `*_ms` option: not negative (the driver checks the rest and names the field).
outbound::Duration sip_ms(std::int64_t ms, const char* what) {
  if (ms < 0) fail(ErrorCode::invalid_argument, std::string("ob_sip_options.") + what + " must not be negative");
  return outbound::Duration(ms);
}

std::map<std::string, std::string> to_agents(const ob_sip_agent* agents, std::size_t n) {
  if (n && !agents) fail(ErrorCode::invalid_argument, "ob_sip_options.agents is NULL but agent_count is " + std::to_string(n));
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string at = "ob_sip_options.agents[" + std::to_string(i) + "]";
    if (!agents[i].agent_id || !*agents[i].agent_id) fail(ErrorCode::invalid_argument, at + " has no agent_id");
    if (!agents[i].uri) fail(ErrorCode::invalid_argument, at + " (" + agents[i].agent_id + ") has no uri");
    if (!out.emplace(agents[i].agent_id, agents[i].uri).second)
      fail(ErrorCode::invalid_argument, at + ": agent " + std::string(agents[i].agent_id) + " is listed twice");
  }
  return out;
}

outbound::SipConfig to_sip_config(const ob_sip_options& o) {
  outbound::SipConfig c;
  if (o.listen) c.listen = o.listen;
  if (o.customer_uri) c.customer_uri = o.customer_uri;
  c.outbound_proxy = str(o.outbound_proxy);
  c.credentials = {str(o.username), str(o.password), str(o.realm)};
  c.caller_id = str(o.caller_id);
  c.agents = to_agents(o.agents, o.agent_count);
  c.max_concurrent_calls = o.max_concurrent_calls;
  c.calls_per_second = o.calls_per_second;
  c.agent_answer_timeout = sip_ms(o.agent_answer_timeout_ms, "agent_answer_timeout_ms");
  c.default_ring_timeout = sip_ms(o.default_ring_timeout_ms, "default_ring_timeout_ms");
  c.max_call_duration = sip_ms(o.max_call_duration_ms, "max_call_duration_ms");
  c.leg_check_interval = sip_ms(o.leg_check_interval_ms, "leg_check_interval_ms");
  c.transaction_timeout = sip_ms(o.transaction_timeout_ms, "transaction_timeout_ms");
  c.backoff_initial = sip_ms(o.backoff_initial_ms, "backoff_initial_ms");
  c.backoff_max = sip_ms(o.backoff_max_ms, "backoff_max_ms");
  c.rtp_address = str(o.rtp_address);
  c.rtp_port_min = o.rtp_port_min;
  c.rtp_port_max = o.rtp_port_max;
  c.audio.abandon_message = str(o.abandon_message);
  c.audio.machine_message = str(o.machine_message);
  if (o.opt_out_digit < 0 || o.opt_out_digit > 127)
    fail(ErrorCode::invalid_argument, "ob_sip_options.opt_out_digit must be a character '0'-'9', '*', '#' (or 0)");
  c.audio.opt_out_digit = static_cast<char>(o.opt_out_digit);
  return c;
}

outbound::SipDriver& sip_driver(ob_driver* d) {
  auto& h = get(d, "driver");
  if (h.type != ob_driver::Type::sip) fail(ErrorCode::unsupported, "driver \"" + h.name + "\" is not a SIP driver");
  return static_cast<outbound::SipDriver&>(*h.driver);
}
#else
[[noreturn]] void no_sip() {
  fail(ErrorCode::unsupported, "this outbound library was built without the SIP driver (meson -Dsip=enabled)");
}
#endif

}  // namespace
}  // namespace obc

int ob_sip_options_init(ob_sip_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_SIP_OPTIONS_VERSION, "ob_sip_options");
    *out = obc::default_sip_options();
  });
}

int ob_sip_driver_new(ob_driver** out, ob_engine* engine, const ob_sip_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
#ifdef OB_WITH_SIP
    ob_sip_options o = obc::default_sip_options();
    if (opts) {
      obc::check_version(opts->version, OB_SIP_OPTIONS_VERSION, "ob_sip_options");
      o = *opts;
    }
    std::shared_ptr<outbound::Clock> clock = engine ? obc::pin(engine)->clock : nullptr;
    auto handle = std::make_unique<ob_driver>();
    handle->type = ob_driver::Type::sip;
    handle->driver = std::make_shared<outbound::SipDriver>(obc::to_sip_config(o), std::move(clock));
    handle->name = handle->driver->name();
    obc::track(handle.get(), obc::Kind::driver);
    *out = handle.release();
#else
    (void)engine, (void)opts;
    obc::no_sip();
#endif
  });
}

int ob_sip_driver_stats_get(ob_sip_driver_stats* out, ob_driver* driver) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(out->version, OB_SIP_DRIVER_STATS_VERSION, "ob_sip_driver_stats");
#ifdef OB_WITH_SIP
    const auto s = obc::sip_driver(driver).stats();
    out->invites = s.invites;
    out->timeouts = s.timeouts;
    out->transport_failures = s.transport_failures;
    out->backoffs = s.backoffs;
    out->connects = s.connects;
    out->connect_failures = s.connect_failures;
    out->legs_lost = s.legs_lost;
    out->open_dialogs = s.open_dialogs;
    if (out->version >= 2) {  // a version-1 struct ends before them
      out->transfers = s.transfers;
      out->transfer_failures = s.transfer_failures;
    }
#else
    (void)driver;
    obc::no_sip();
#endif
  });
}
