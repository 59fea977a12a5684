// Scenarios over SIP (a "sip" section, clock "real"): the SIP driver toward
// the scenario's far end, the agents' desktops (ready at the start, wrap_s
// after each call), and the report's SIP figures.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/call_log.hpp"
#include "outbound/campaign.hpp"
#include "outbound/driver/driver.hpp"
#include "outbound/sim.hpp"
#include "scenario.hpp"

namespace outbound::cli {

/// The SIP driver of a scenario; Error(unsupported) when built without it.
std::shared_ptr<Driver> make_sip_driver(const ScenarioSip& sip, std::shared_ptr<Clock> clock);

/// Final responses by status code of a SIP driver made by make_sip_driver.
std::map<int, long> sip_final_responses(const Driver& driver);

/// The agents' desktops: each connected call's record is processed `wrap` after
/// its call ends, which makes its agent ready again (the campaign waits for desktops).
class SipDesks {
 public:
  SipDesks(Campaign& campaign, EventLoop& loop, sim::Distribution wrap, std::uint64_t seed)
      : campaign_(campaign), loop_(loop), wrap_(wrap), rng_(seed ^ 0x5195eedULL) {}
  /// Every agent ready now.
  void log_in(const std::map<std::string, std::string>& agents);
  /// Follows the campaign's events (record delivered, call finished).
  void on_event(const CampaignEvent& e);

 private:
  struct Held {
    std::string agent;
    std::int64_t handle = 0;
  };
  Campaign& campaign_;
  EventLoop& loop_;
  sim::Distribution wrap_;
  sim::Rng rng_;
  std::map<std::int64_t, Held> by_record_;  // delivered records whose call goes on
};

/// Live answer -> agent bridged, in ms, of every connected call in the log since `since`.
std::vector<double> connect_latencies_ms(CallLog& log, const std::string& campaign, Time since);

/// The value at quantile q (0..1) of `values` (nearest rank); nullopt when empty.
std::optional<double> quantile(std::vector<double> values, double q);

}  // namespace outbound::cli
