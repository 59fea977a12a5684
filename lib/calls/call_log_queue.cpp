// The call-log rows of a campaign's calls, written in one transaction a flush.
#include "call_tracker.hpp"

#include <exception>

namespace outbound::calls {

// All or none (CallLog::append is one transaction): on failure every row stays
// queued, in order, for the next flush, so no call's proof is lost.
bool CallLogQueue::flush(CallLog& log, std::optional<Duration> max_wait, std::string* error) {
  if (rows_.empty()) return true;
  try {
    if (max_wait)
      log.append(rows_, *max_wait);
    else
      log.append(rows_);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
  rows_.clear();
  return true;
}

}  // namespace outbound::calls
