// outbound C API — the simulated network and the simulated T-Server, CPD and GVP drivers.
#include "shim.hpp"

using outbound::ErrorCode;
namespace sim = outbound::sim;

namespace obc {

sim::Distribution to_distribution(const ob_distribution& d) {
  check_code(OB_ENUM_DISTRIBUTION_KIND, d.kind, "distribution kind");
  if (!(d.mean >= 0.0) || !(d.sd >= 0.0))
    fail(ErrorCode::invalid_argument, "distribution mean and sd must not be negative (got " + std::to_string(d.mean) +
                                          " and " + std::to_string(d.sd) + ")");
  sim::Distribution out;
  out.kind = static_cast<sim::Distribution::Kind>(d.kind);
  out.mean = d.mean;
  out.sd = d.sd;
  return out;
}

ob_distribution from_distribution(const sim::Distribution& d) noexcept {
  return ob_distribution{static_cast<int>(d.kind), d.mean, d.sd};
}

sim::AgentModel to_agent_model(const ob_sim_agent_options* opts) {
  sim::AgentModel m;
  if (!opts) return m;
  check_version(opts->version, OB_SIM_AGENT_OPTIONS_VERSION, "ob_sim_agent_options");
  m.talk = to_distribution(opts->talk);
  m.wrap = to_distribution(opts->wrap);
  return m;
}

namespace {

void fill_network_options(ob_sim_network_options& o, const sim::NetworkModel& m, std::uint64_t seed) {
  o.seed = seed;
  o.live_answer = m.live_answer;
  o.busy = m.busy;
  o.no_answer = m.no_answer;
  o.machine = m.machine;
  o.sit = m.sit;
  o.fax = m.fax;
  o.silence = m.silence;
  const auto& k = m.sit_kinds;
  const double weights[6] = {k.invalid_number, k.vacant, k.operator_intercept, k.unknown, k.no_circuit, k.reorder};
  for (int i = 0; i < 6; ++i) o.sit_weights[i] = weights[i];
  o.ring = from_distribution(m.ring);
  o.no_answer_timeout_s = m.no_answer_timeout_s;
  o.patience_s = m.patience_s;
  o.busy_signal_s = m.busy_signal_s;
  o.sit_s = m.sit_s;
  o.amd_s = m.amd_s;
  o.amd_false_positive = m.amd_false_positive;
  o.machine_talk_s = m.machine_talk_s;
}

sim::NetworkModel to_network_model(const ob_sim_network_options& o) {
  check_version(o.version, OB_SIM_NETWORK_OPTIONS_VERSION, "ob_sim_network_options");
  sim::NetworkModel m;
  m.live_answer = o.live_answer;
  m.busy = o.busy;
  m.no_answer = o.no_answer;
  m.machine = o.machine;
  m.sit = o.sit;
  m.fax = o.fax;
  m.silence = o.silence;
  m.sit_kinds = {o.sit_weights[0], o.sit_weights[1], o.sit_weights[2], o.sit_weights[3], o.sit_weights[4], o.sit_weights[5]};
  m.ring = to_distribution(o.ring);
  m.no_answer_timeout_s = o.no_answer_timeout_s;
  m.patience_s = o.patience_s;
  m.busy_signal_s = o.busy_signal_s;
  m.sit_s = o.sit_s;
  m.amd_s = o.amd_s;
  m.amd_false_positive = o.amd_false_positive;
  m.machine_talk_s = o.machine_talk_s;
  sim::validate(m);
  return m;
}

sim::CpdOptions to_cpd_options(const ob_sim_cpd_options* opts) {
  sim::CpdOptions c;
  if (!opts) return c;
  check_version(opts->version, OB_SIM_CPD_OPTIONS_VERSION, "ob_sim_cpd_options");
  check_code(OB_ENUM_CPD_MODE, opts->mode, "cpd mode");
  c.mode = static_cast<sim::CpdMode>(opts->mode);
  c.channels = opts->channels;
  c.engage_s = opts->engage_s;
  c.engage_failure = opts->engage_failure;
  c.opt_out = opts->opt_out;
  return c;
}

sim::GvpOptions to_gvp_options(const ob_sim_gvp_options* opts) {
  sim::GvpOptions g;
  if (!opts) return g;
  check_version(opts->version, OB_SIM_GVP_OPTIONS_VERSION, "ob_sim_gvp_options");
  g.ports = opts->ports;
  g.ivr = to_distribution(opts->ivr);
  return g;
}

// Makes a simulated driver on `network` with `make(net)` (run on the engine's loop).
template <typename Make>
ob_driver* new_sim_driver(ob_sim_network* network, ob_driver::Type type, Make&& make) {
  auto net = get(network, "simulated network").core;
  auto handle = std::make_unique<ob_driver>();
  handle->type = type;
  handle->network = net;
  run_on(net->engine, [&] {
    outbound::Driver* raw = make(*net->network);
    // The driver keeps its network (and engine) alive; it goes on their loop.
    handle->driver = std::shared_ptr<outbound::Driver>(raw, [net](outbound::Driver* d) { delete d; });
  });
  handle->name = handle->driver->name();
  track(handle.get(), Kind::driver);
  return handle.release();
}

ob_driver& sim_driver(ob_driver* d) {
  auto& h = get(d, "driver");
  if (h.type == ob_driver::Type::custom || h.type == ob_driver::Type::sip)
    fail(ErrorCode::unsupported, "driver \"" + h.name + "\" is not a simulated driver");
  return h;
}

// Runs `fn` on the driver as its concrete simulated type, on its engine's loop.
template <typename Fn>
auto on_sim(ob_driver& h, Fn&& fn) {
  return run_on(h.network->engine, [&] {
    switch (h.type) {
      case ob_driver::Type::tserver: return fn(static_cast<sim::SimTServer&>(*h.driver));
      case ob_driver::Type::cpd: return fn(static_cast<sim::SimCpd&>(*h.driver));
      default: return fn(static_cast<sim::SimGvp&>(*h.driver));
    }
  });
}

// Runs `fn` on a simulated driver that has agents (T-Server or CPD).
template <typename Fn>
void on_agents(ob_driver& h, Fn&& fn) {
  if (h.type == ob_driver::Type::gvp) fail(ErrorCode::unsupported, "a simulated GVP has no agents");
  run_on(h.network->engine, [&] {
    if (h.type == ob_driver::Type::tserver)
      fn(static_cast<sim::SimTServer&>(*h.driver));
    else
      fn(static_cast<sim::SimCpd&>(*h.driver));
  });
}

}  // namespace
}  // namespace obc

extern "C" {

int ob_sim_network_options_init(ob_sim_network_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_SIM_NETWORK_OPTIONS_VERSION, "ob_sim_network_options");
    *out = ob_sim_network_options{};
    out->version = version;
    obc::fill_network_options(*out, sim::NetworkModel{}, 1);
  });
}

int ob_sim_agent_options_init(ob_sim_agent_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_SIM_AGENT_OPTIONS_VERSION, "ob_sim_agent_options");
    sim::AgentModel m;
    *out = ob_sim_agent_options{version, obc::from_distribution(m.talk), obc::from_distribution(m.wrap)};
  });
}

int ob_sim_cpd_options_init(ob_sim_cpd_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_SIM_CPD_OPTIONS_VERSION, "ob_sim_cpd_options");
    sim::CpdOptions c;
    *out = ob_sim_cpd_options{version, static_cast<int>(c.mode), c.channels, c.engage_s, c.engage_failure, c.opt_out};
  });
}

int ob_sim_gvp_options_init(ob_sim_gvp_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_SIM_GVP_OPTIONS_VERSION, "ob_sim_gvp_options");
    sim::GvpOptions g;
    *out = ob_sim_gvp_options{version, g.ports, obc::from_distribution(g.ivr)};
  });
}

int ob_sim_network_new(ob_sim_network** out, ob_engine* engine, const ob_sim_network_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto core = obc::get(engine, "engine").core;
    ob_sim_network_options o{};
    if (opts) {
      o = *opts;
    } else {
      o.version = OB_SIM_NETWORK_OPTIONS_VERSION;
      obc::fill_network_options(o, sim::NetworkModel{}, 1);
    }
    auto model = obc::to_network_model(o);
    auto net = std::make_shared<obc::NetworkCore>();
    net->engine = core;
    net->network = std::make_unique<sim::Network>(core->engine->loop(), model, o.seed);
    auto handle = std::make_unique<ob_sim_network>();
    handle->core = std::move(net);
    obc::track(handle.get(), obc::Kind::network);
    *out = handle.release();
  });
}

void ob_sim_network_free(ob_sim_network* network) {
  obc::guard([&] {
    if (!network || !obc::is_tracked(network, obc::Kind::network)) return;
    obc::untrack(network);
    auto doomed = std::unique_ptr<ob_sim_network>(network);
    auto engine = doomed->core->engine;
    obc::run_on(engine, [&] { doomed->core.reset(); });
  });
}

int ob_sim_network_set_model(ob_sim_network* network, const ob_sim_network_options* opts) {
  return obc::guard([&] {
    obc::need(opts, "opts");
    auto net = obc::get(network, "simulated network").core;
    auto model = obc::to_network_model(*opts);
    obc::run_on(net->engine, [&] { net->network->set_model(model); });
  });
}

int ob_sim_tserver_new(ob_driver** out, ob_sim_network* network, int agents, const char* prefix,
                       const ob_sim_agent_options* agent_opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    if (agents < 0) obc::fail(ErrorCode::invalid_argument, "agents must not be negative (got " + std::to_string(agents) + ")");
    auto model = obc::to_agent_model(agent_opts);
    *out = obc::new_sim_driver(network, ob_driver::Type::tserver, [&](sim::Network& n) {
      return new sim::SimTServer(n, model, agents, prefix ? prefix : "agent");
    });
  });
}

int ob_sim_cpd_new(ob_driver** out, ob_sim_network* network, int agents, const char* prefix,
                   const ob_sim_agent_options* agent_opts, const ob_sim_cpd_options* cpd_opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    if (agents < 0) obc::fail(ErrorCode::invalid_argument, "agents must not be negative (got " + std::to_string(agents) + ")");
    auto model = obc::to_agent_model(agent_opts);
    auto cpd = obc::to_cpd_options(cpd_opts);
    *out = obc::new_sim_driver(network, ob_driver::Type::cpd, [&](sim::Network& n) {
      return new sim::SimCpd(n, model, agents, cpd, prefix ? prefix : "agent");
    });
  });
}

int ob_sim_gvp_new(ob_driver** out, ob_sim_network* network, const ob_sim_gvp_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto gvp = obc::to_gvp_options(opts);
    auto hook = std::make_shared<obc::SessionHook>();
    *out = obc::new_sim_driver(network, ob_driver::Type::gvp, [&](sim::Network& n) {
      auto* d = new sim::SimGvp(n, gvp);
      d->on_session([hook](const sim::GvpSession& s) {
        std::lock_guard lock(hook->mu);
        if (!hook->cb) return;
        std::vector<const char*> names, values;
        for (const auto& [k, v] : s.attributes) {
          names.push_back(k.c_str());
          values.push_back(v.c_str());
        }
        ob_gvp_session c{OB_GVP_SESSION_VERSION, s.call_id, s.application.c_str(), obc::to_ms(s.started), names.size(),
                         names.empty() ? nullptr : names.data(), values.empty() ? nullptr : values.data()};
        obc::call_user([&] { hook->cb(hook->user_data, &c); });
      });
      return d;
    });
    (*out)->session_hook = std::move(hook);
  });
}

int ob_sim_driver_set_agent_count(ob_driver* driver, int count) {
  return obc::guard([&] {
    if (count < 0) obc::fail(ErrorCode::invalid_argument, "count must not be negative (got " + std::to_string(count) + ")");
    obc::on_agents(obc::sim_driver(driver), [&](auto& d) { d.set_agent_count(count); });
  });
}

int ob_sim_driver_set_agent_model(ob_driver* driver, const ob_sim_agent_options* opts) {
  return obc::guard([&] {
    obc::need(opts, "opts");
    auto& h = obc::sim_driver(driver);
    auto model = obc::to_agent_model(opts);
    obc::on_agents(h, [&](auto& d) { d.set_agent_model(model); });
  });
}

int ob_sim_driver_stats_get(ob_sim_driver_stats* out, ob_driver* driver) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(out->version, OB_SIM_DRIVER_STATS_VERSION, "ob_sim_driver_stats");
    auto s = obc::on_sim(obc::sim_driver(driver), [](auto& d) { return d.stats(); });
    out->dials = s.dials;
    out->live_answers = s.live_answers;
    out->connected = s.connected;
    out->abandoned = s.abandoned;
    out->machines = s.machines;
    out->wait_to_connect_s = s.wait_to_connect_s;
    out->engaged = s.engaged;
    out->engage_failures = s.engage_failures;
    out->opt_outs = s.opt_outs;
    if (out->version < 2) return;  // a version-1 struct ends here
    out->connect_failures = s.connect_failures;
    out->transfers = s.transfers;
    out->machine_messages = s.machine_messages;
  });
}

int ob_sim_driver_set_engine_routing(ob_driver* driver, int on) {
  return obc::guard([&] {
    if (on != 0 && on != 1) obc::fail(ErrorCode::invalid_argument, "on must be 0 or 1");
    obc::on_agents(obc::sim_driver(driver), [&](auto& d) { d.set_engine_routing(on != 0); });
  });
}

int ob_sim_driver_calls_in_progress(size_t* out, ob_driver* driver) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::on_sim(obc::sim_driver(driver), [](auto& d) { return d.calls_in_progress(); });
  });
}

int ob_sim_gvp_set_session_callback(ob_driver* driver, ob_gvp_session_cb cb, void* user_data) {
  return obc::guard([&] {
    auto& h = obc::sim_driver(driver);
    if (h.type != ob_driver::Type::gvp) obc::fail(ErrorCode::unsupported, "driver \"" + h.name + "\" is not a simulated GVP");
    std::lock_guard lock(h.session_hook->mu);
    h.session_hook->cb = cb;
    h.session_hook->user_data = user_data;
  });
}

}  // extern "C"
