// The driver conformance suite (tests/drivers/conformance_cases.hpp) run
// against the SIP driver, with baresip as the far end: every number the
// suite dials is an account of one baresip instance, behaving as the
// scenario asks, and the engine's part (routing live answers to agents'
// phones with connect) is played by the context's router (EngineRouter).
#include <set>

#include "../drivers/conformance.hpp"
#include "outbound/driver/sip.hpp"
#include "sip_fixture.hpp"

namespace conformance {

/// The numbers the suite's cases dial (request(id) for these ids).
inline std::set<std::string> suite_numbers() {
  std::set<std::string> out;
  auto add = [&](CallId id) { out.insert(request(id).phone); };
  for (CallId id = 1; id <= 200; ++id) add(id);
  for (CallId id : {500, 1000, 1001, 1002}) add(id);
  for (CallId id = 2001; id <= 2030; ++id) add(id);
  return out;
}

/// The SIP driver against baresip on 127.0.0.1.
struct SipContext {
  static constexpr const char* name = "sip (baresip)";
  static constexpr int capacity = 20;
  static constexpr bool can_wait_live = true;
  static constexpr bool seeded = false;  // the far end decides by number
  static std::string refusing_agent() { return "refuser"; }  // a phone that rejects every call (486)

  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t) {
    auto rig = std::make_unique<Rig>();
    rig->threaded = true;
    auto voices = std::make_shared<siptest::Voices>();
    std::vector<rig::Account> accounts;
    for (const auto& number : suite_numbers()) {
      switch (s) {
        case Scenario::mixed:
          // Three in ten numbers are not assigned (404); the rest answer, talk a moment, hang up.
          if (std::hash<std::string>{}(number) % 10 >= 3) accounts.emplace_back(number, "auto", voices->hello_brief.string());
          break;
        case Scenario::rings:
          accounts.emplace_back(number, "manual");
          break;
        case Scenario::waits_live:
        case Scenario::connects:
        case Scenario::routed:
          accounts.emplace_back(number, "auto", voices->hello.string());  // a person who stays until hung up
          break;
      }
    }
    std::vector<std::string> agent_ids;
    if (s == Scenario::mixed || s == Scenario::connects)
      for (int i = 1; i <= capacity; ++i) agent_ids.push_back("agent" + std::to_string(i));
    if (s == Scenario::routed) agent_ids = {"agent1", "agent2", refusing_agent()};
    for (const auto& a : agent_ids) accounts.emplace_back(a, "auto", "", a == refusing_agent());
    auto phone = std::make_shared<rig::Baresip>(accounts, voices->long_line);
    SipConfig cfg = siptest::config_for(phone->customer_template());
    cfg.max_concurrent_calls = capacity;
    const int rtp = rig::free_ports(100);
    cfg.rtp_port_min = rtp;
    cfg.rtp_port_max = rtp + 99;
    for (const auto& a : agent_ids) cfg.agents[a] = phone->uri(a);
    auto driver = std::make_shared<SipDriver>(cfg, rig->clock);
    rig->driver = driver;
    rig->far_ends = {voices, phone};
    if (!agent_ids.empty() && s != Scenario::routed) {
      auto router = std::make_shared<EngineRouter>(driver, agent_ids);
      rig->sink.on_route([router](const CallEvent& e) { (*router)(e); });
    }
    return rig;
  }
};

}  // namespace conformance

#define OB_CONFORMANCE_CONTEXTS conformance::SipContext
#include "../drivers/conformance_cases.hpp"
