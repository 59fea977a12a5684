// Rehearsals of a config file's campaign: `outbound sim --config CONFIG.json
// --campaign NAME` turns the campaign — its lists with their filters, orders,
// priorities and zones, its treatments, window, DNC table, customer id field,
// call log, caller id and caps — into a scenario on the simulated network.
#pragma once

#include <optional>
#include <string>

#include "../scenario.hpp"
#include "config.hpp"

namespace outbound::serve {

/// How a rehearsal runs beyond what the config says.
struct RehearsalOptions {
  bool in_place = false;                 ///< write into the real lists (default: copies)
  std::optional<double> hours;           ///< simulated hours (default 8)
  std::optional<std::uint64_t> seed;     ///< default: the sim driver's seed, else 1
  std::optional<EpochSeconds> start;     ///< simulated start (default: clock.start_utc, else now)
};

/// The scenario that rehearses `campaign` of `config`; throws Error(not_found) for an unknown campaign.
cli::Scenario rehearsal_scenario(const ServeConfig& config, const std::string& campaign, const RehearsalOptions& options);

}  // namespace outbound::serve
