// Private: no-call days (issue 17 item 6), local dates and weekdays on which a
// campaign does not call (holidays, Sundays), for every zone or for one zone.
// A record is called only on a local day that is a no-call day in none of its
// zones; the gate defers it to the next such day (lib/gate, Facts::no_call_until).
// Not yet wired into CampaignConfig, C, Python or the simulator.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "outbound/clock.hpp"

namespace outbound::detail {

/// No-call days, read from entries "YYYY-MM-DD" (a local date) or a weekday ("mon".."sun"), each
/// for every zone, or for one zone when "Zone/Name:" comes first ("America/New_York:2026-07-04").
class NoCallDays {
 public:
  /// No day is a no-call day.
  NoCallDays() = default;
  /// Reads `entries`; Error(invalid_argument) naming an entry that is no date or weekday, or names
  /// no tz database zone, or when the seven weekdays are all no-call days in one zone.
  explicit NoCallDays(const std::vector<std::string>& entries);
  /// True when no day is a no-call day.
  bool empty() const { return dates_.empty() && weekdays_.empty(); }
  /// True when `t`'s local date in IANA zone `zone` is a no-call day there.
  bool is_no_call(const std::string& zone, Time t) const;
  /// The first instant at or after `t` whose local date is a no-call day in none of `zones` (a
  /// local midnight, or `t` itself); nullopt when none comes within 400 days.
  std::optional<Time> next_allowed(const std::vector<std::string>& zones, Time t) const;

 private:
  std::set<std::pair<std::string, long>> dates_;  // (zone, "" for all; days since 1970-01-01)
  std::map<std::string, unsigned> weekdays_;      // zone ("" for all) -> bit 0 Sunday .. bit 6 Saturday
};

}  // namespace outbound::detail
