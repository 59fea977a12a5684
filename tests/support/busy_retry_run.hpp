// A campaign whose every call ends busy and is retried, run on a manual clock
// over simulated hours: the property tests of calling windows (by zone, by
// number, across DST changes) and calendars check every dial it placed.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/timezone.hpp"
#include "test_support.hpp"

namespace obtest {

/// The dials a run placed, with the simulated instant of each.
struct Dials {
  std::vector<outbound::DialRequest> requests;  ///< in order
  std::vector<outbound::Time> times;            ///< when each was placed
};

/// How the run goes: its agents, how long a call lasts, when a busy number is tried again.
struct BusyRetryOptions {
  int agents = 8;                                            ///< ready all along
  outbound::Duration call_length = std::chrono::seconds(20);  ///< dial to busy
  outbound::Duration retry = std::chrono::minutes(20);        ///< the busy treatment's interval
  outbound::UnknownZones unknown_zones = outbound::UnknownZones::refuse;  ///< records whose zone key is not mapped
};

/// Runs a campaign on `list` with `windows` from `start` for `hours`, then
/// stops it, lets its calls end and unloads it: every record left is final or
/// ready again (the caller checks the list too).
inline Dials run_busy_retries(std::shared_ptr<outbound::CallingList> list, outbound::CallingWindows windows,
                              outbound::Time start, int hours, const BusyRetryOptions& o = {}) {
  using namespace outbound;
  auto clock = std::make_shared<ManualClock>(start);
  Engine engine(clock);
  auto driver = std::make_shared<ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::busy; }, o.call_length);
  CampaignConfig cfg;
  cfg.name = "busy-retries";
  Treatment t;
  t.id = 1;
  t.call_result = CallResult::busy;
  t.action = RecordAction::retry_in;
  t.cycle_attempts = 100;
  t.interval = o.retry;
  cfg.treatments = TreatmentSet({t});
  cfg.empty_list_backoff = std::chrono::seconds(60);
  cfg.unknown_zones = o.unknown_zones;
  auto& c = engine.add_campaign(cfg, driver, nullptr, std::move(windows));
  c.add_list(list);
  c.load();
  for (int i = 0; i < o.agents; ++i) c.set_agent_state("a" + std::to_string(i), AgentState::ready);
  c.start();
  engine.run_until(start + std::chrono::hours(hours));
  c.stop();
  engine.loop().run_until(clock->now() + std::chrono::hours(1), [&] { return c.calls_in_flight() == 0; });
  c.unload();
  return {driver->requests, driver->dial_times};
}

}  // namespace obtest
