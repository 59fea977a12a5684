// outbound — a calling list's progress as a supervisor reads it: records by
// status, and the ready ones split into dialable now, waiting for their
// calling window, and scheduled for later.
#pragma once

#include <cstdint>
#include <map>

#include "outbound/calling_list.hpp"
#include "outbound/clock.hpp"
#include "outbound/export.hpp"
#include "outbound/timezone.hpp"

namespace outbound {

/// A calling list's progress at one instant.
struct ListProgress {
  std::map<RecordStatus, std::int64_t> by_status;  ///< every record, by record_status
  std::int64_t ready = 0;             ///< ready records passing the list's filter
  std::int64_t dialable_now = 0;      ///< of those: due and inside their calling window
  std::int64_t window_deferred = 0;   ///< due, but their window is closed now
  std::int64_t scheduled_later = 0;   ///< their dial_sched_time is still ahead
  std::int64_t unknown_zone = 0;      ///< due, in a zone the windows do not map
};

/// Counts `list`'s records at `now` under `windows` (the campaign's calling
/// windows; disabled windows make every due record dialable). Reads the
/// database: call it from the thread that owns `list`.
OB_API ListProgress list_progress(CallingList& list, const CallingWindows& windows, Time now);

}  // namespace outbound
