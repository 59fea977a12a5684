// The call log: one row per call placed, kept in a table beside the calling
// lists. It is the proof regulators ask for (when each call was dialed,
// answered, connected or abandoned, and how it ended) and the memory that must
// outlive a restart and be shared by campaigns: the abandon-rate window and
// the numbers under the abandoned-call redial lockout (UK: 72 hours).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "outbound/call.hpp"
#include "outbound/clock.hpp"
#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// One call as the log keeps it.
struct CallLogEntry {
  std::string campaign;                       ///< campaign group name
  std::string list;                           ///< calling list (table) of the dialed record
  std::int64_t record_id = 0;                 ///< the dialed record
  std::int64_t chain_id = 0;                  ///< its chain
  int chain_n = 0;                            ///< its place in the chain
  std::string phone;                          ///< the number dialed (E.164 where a DNC list normalised it)
  std::string agent_id;                       ///< the agent connected (or reserved for a personal callback)
  Time dialed_at{};                           ///< when the dial was asked of the driver
  std::optional<Time> answered_at;            ///< when the far end answered
  AnswerClass answer = AnswerClass::unknown;  ///< who answered, by call progress detection
  std::optional<Time> connected_at;           ///< when an agent (or the IVR application) was joined
  bool abandoned = false;                     ///< answered live and no agent came in time
  Time released_at{};                         ///< when the call ended
  CallResult result = CallResult::ok;         ///< how it ended
  bool message_left = false;                  ///< a message was left on the answering machine (column message_left)
};

/// Options of a call log table.
struct CallLogOptions {
  std::string table = "ob_call_log";  ///< the table (created when missing)
  bool create_if_missing = true;      ///< create the table when it does not exist
};

/// A call log backed by a table (SQLite or PostgreSQL). Not thread-safe: use
/// it from the engine's loop thread, as campaigns do.
class OB_API CallLog {
 public:
  /// The log in `options.table` on `connection` ("sqlite3://…", "postgresql://…").
  static std::unique_ptr<CallLog> open(const std::string& connection, const CallLogOptions& options = {});
  ~CallLog();
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  /// Writes calls in one transaction: all or none (Error(database) when none).
  /// Abandoned calls are also remembered in memory at once, written or not.
  void append(const std::vector<CallLogEntry>& calls);
  /// As append, but waits at most `max_wait` for a lock another connection holds (SQLite's busy
  /// timeout, PostgreSQL's lock_timeout), then fails with Error(database): for a caller that must
  /// not stall, such as the engine's loop thread, which keeps the rows and tries again later.
  void append(const std::vector<CallLogEntry>& calls, Duration max_wait);
  /// Calls of `campaign` answered at or after `since`, oldest answer first.
  std::vector<CallLogEntry> answered_since(const std::string& campaign, Time since);
  /// Reads the numbers abandoned at or after `since` (any campaign, any
  /// engine sharing the table) into memory; returns how many numbers it holds.
  std::size_t load_abandoned(Time since);
  /// As load_abandoned, but waits at most `max_wait` for a lock, then fails with Error(database).
  std::size_t load_abandoned(Time since, Duration max_wait);
  /// Remembers in memory that a call to `phone` was abandoned at `at`.
  void remember_abandoned(const std::string& phone, Time at);
  /// The last time a call to `phone` was abandoned, as far as this log knows.
  std::optional<Time> last_abandoned(const std::string& phone) const;

  // Dials by number, for the contact limits (CampaignConfig::contact_limits). Kept in
  // memory: read from the table at load and every minute, and noted by campaigns as
  // they dial, so a lookup per dial never scans the table. A dial is one (campaign,
  // record, instant): read again from the table, it is not counted twice.

  /// Keeps the dials of the last `window` in memory from now on (the longest window asked
  /// for wins; before any, no dial is kept), reads those at or after `since` (any campaign,
  /// any engine sharing the table), forgets those older than `now` - the window; returns
  /// how many numbers it holds.
  std::size_t load_dials(Time now, Duration window, Time since);
  /// As load_dials, but waits at most `max_wait` for a lock, then fails with Error(database).
  std::size_t load_dials(Time now, Duration window, Time since, Duration max_wait);
  /// Notes a dial of `phone` at `at` by `campaign` for `record_id`.
  void remember_dial(const std::string& phone, const std::string& campaign, std::int64_t record_id, Time at);
  /// Takes back a dial noted with remember_dial (a dial that did not happen after all).
  void forget_dial(const std::string& phone, const std::string& campaign, std::int64_t record_id, Time at);
  /// The dials of `phone` after `since`, oldest first, as far as this log knows.
  std::vector<Time> dials_since(const std::string& phone, Time since) const;
  /// Rows in the table.
  long long count();
  /// The table name.
  const std::string& table() const noexcept;

 private:
  CallLog();
  std::size_t load_abandoned_rows(Time since, std::optional<Duration> max_wait);
  std::size_t load_dial_rows(Time now, Duration window, Time since, std::optional<Duration> max_wait);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outbound
