// Private: the compliance gate as a pure function. The caller looks up the
// facts about one record (attempts, its number, the do-not-call list, the
// calling window in every zone, the abandoned-call lockout) and applies the
// verdict (finalising, deferring, dialing); the gate only decides, so each
// rule and their order are tested without a database, a clock or a campaign.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "outbound/dnc.hpp"
#include "outbound/model.hpp"
#include "outbound/timezone.hpp"

namespace outbound::gate {

/// What the caller found out about the record to dial. A fact the gate will
/// not read (the window of a record already blocked) need not be looked up.
struct Facts {
  std::int64_t record_id = 0;
  /// A record of the chain is scheduled (callback, reschedule, retry) after
  /// now: the latest such time. The chain is held until then, whole.
  std::optional<EpochSeconds> chain_due_at;
  bool attempts_exhausted = false;            ///< attempt >= the campaign's max_attempts
  std::optional<std::string> number_problem;  ///< why its number cannot be dialed (unparseable, emergency, short code)
  DncMatch dnc = DncMatch::none;              ///< the do-not-call list's answer
  WindowVerdict window = WindowVerdict::open; ///< its calling window, in every zone it has
  bool window_reopens = true;                 ///< closed: it opens again (in the list's query or within 3 days)
  std::string zone;                           ///< unknown_zone: the zone key it named
  bool zones_from_numbers = false;            ///< unknown_zone: zones are also read from numbers
  std::optional<EpochSeconds> locked_out_until;  ///< abandoned-call lockout, when the caller applies it
  /// Today is a no-call day (holiday, weekday) in one of its zones: the first instant allowed in all of them.
  std::optional<EpochSeconds> no_call_until;
  /// A contact limit is reached: the earliest time its number may be dialed again.
  std::optional<EpochSeconds> contact_limited_until;
  // Further rules join here as facts, each with its rule in decide() and its
  // case in the gate's tests. The host's pre-dial veto is asked after the gate.
};

/// What to do with the record.
struct Verdict {
  enum class Kind {
    dial,         ///< every rule passed
    block,        ///< never dial it (or, with Scope::chain, any record of its chain)
    defer_window, ///< outside its calling window: waits for it
    defer_until,  ///< not yet: due again at `until` (Scope::chain: the chain is held for a scheduled record)
    defer_day,    ///< a no-call day in one of its zones: due again at `until`
    defer_limit,  ///< a contact limit is reached: due again at `until`
  };
  /// Which records a block closes.
  enum class Scope { record, chain };
  Kind kind = Kind::dial;
  Scope scope = Scope::record;
  std::optional<CallResult> result;  ///< block: the result written (none: the record is closed with its own)
  std::string reason;                ///< block as a record error: the message reported
  EpochSeconds until = 0;            ///< defer_until, defer_day, defer_limit: when
};

/// Decides one record: scheduled chain, attempt cap, number, do-not-call, unknown zone, no-call day,
/// window, lockout, contact limit, in that order.
Verdict decide(const Facts& f);

}  // namespace outbound::gate
