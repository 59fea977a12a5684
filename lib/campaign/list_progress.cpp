// A list's progress: the database counts ready records by zone and window;
// the campaign's calling windows say which of those groups are open now.
#include "outbound/list_progress.hpp"

#include <string>

namespace outbound {

ListProgress list_progress(CallingList& list, const CallingWindows& windows, Time now) {
  ListProgress p;
  p.by_status = list.count_by_status();
  const std::string& zone_column = list.options().zone_column;
  for (const auto& g : list.ready_groups(to_epoch_seconds(now))) {
    p.ready += g.count;
    if (g.scheduled_later) {
      p.scheduled_later += g.count;
      continue;
    }
    // A record standing for the group: its zone and its own window.
    Record r;
    if (zone_column.empty())
      r.tz_dbid = static_cast<int>(std::strtol(g.zone_key.c_str(), nullptr, 10));
    else
      r.custom[zone_column] = g.zone_key;
    r.daily_from = g.daily_from;
    r.daily_till = g.daily_till;
    switch (windows.check(r, now)) {
      case WindowVerdict::open: p.dialable_now += g.count; break;
      case WindowVerdict::closed: p.window_deferred += g.count; break;
      case WindowVerdict::unknown_zone: p.unknown_zone += g.count; break;
    }
  }
  return p;
}

}  // namespace outbound
