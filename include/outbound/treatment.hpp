// outbound — treatments: what happens to a record (and its chain) after a call.
//
// Rules are keyed by call result; several rules for one result form a
// sequence (number in sequence 1, 2, …), each step repeating up to its cycle
// attempts. Evaluation is a pure function of (chain, dialed record, result,
// rules, now), so it is tested exhaustively with golden files. The chain's
// progress is persisted in the record's `treatments` field as
// "treatmentId@cycleAttempt@nextChainN@sequenceNo" so a restart continues
// where it was.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outbound/clock.hpp"
#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// OCS "Apply to Record" actions.
enum class RecordAction : int {
  no_treatment = 0,         ///< the record is final (updated)
  redial = 1,               ///< dial the same record again at once
  retry_in = 2,             ///< dial it again after interval (+ increment per repeat)
  retry_at_date = 3,        ///< dial it again at a given date and time
  next_in_chain = 4,        ///< dial the chain's next record at once
  next_in_chain_after = 5,  ///< dial the chain's next record after interval
  next_in_chain_at_date = 6,  ///< dial the chain's next record at a given date and time
  assign_to_group = 7,      ///< hand the record to another agent group
  mark_agent_error = 8,     ///< mark the record agent error (final)
  update_all_in_chain = 9,  ///< finish every record of the chain with this result
  cancel_record = 10,       ///< cancel the record (final)
};

/// OCS "Apply to Call" actions (what the driver does with the call itself).
enum class CallAction : int {
  none = 0,      ///< nothing beyond the record action
  connect = 1,   ///< connect the call (e.g. an answering machine) to `destination`
  transfer = 2,  ///< transfer the call to `destination`
  drop = 3,      ///< release the call
};

/// Name of a record action ("retry_in").
OB_API std::string_view to_string(RecordAction a) noexcept;
/// Record action named `name`, or nullopt.
OB_API std::optional<RecordAction> record_action_from_string(std::string_view name) noexcept;
/// Name of a call action ("transfer"), or "invalid".
OB_API std::string_view to_string(CallAction a) noexcept;

/// One treatment rule.
struct Treatment {
  int id = 0;                                  ///< DBID, written to the treatments history
  std::string name;                            ///< for logs and reports
  CallResult call_result = CallResult::busy;   ///< the result it applies to
  RecordAction action = RecordAction::no_treatment;  ///< apply to record
  CallAction call_action = CallAction::none;   ///< apply to call
  std::string destination;                     ///< for connect/transfer
  int sequence = 1;                            ///< number in sequence (1, 2, …)
  int cycle_attempts = 1;                      ///< times this step repeats before the next in sequence
  Duration interval{};                         ///< wait before the first repeat
  Duration increment{};                        ///< added to the wait at each later repeat
  std::optional<EpochSeconds> date_time;       ///< for the *_at_date actions
  int group_id = 0;                            ///< for assign_to_group
};

/// The decoded `treatments` field of a chain.
struct TreatmentHistory {
  int treatment_id = 0;   ///< the last treatment applied
  int cycle_attempt = 0;  ///< cycle attempts made within it, from 1
  int next_chain_n = 0;   ///< chain_n of the record to dial when the chain is next retrieved
  int sequence_no = 0;    ///< cycles through the chain of records
};

/// Parses "id@cycle@chainN@seq"; nullopt when empty or malformed.
OB_API std::optional<TreatmentHistory> parse_treatment_history(const std::string& field) noexcept;
/// Formats a history as "id@cycle@chainN@seq".
OB_API std::string format_treatment_history(const TreatmentHistory& h);
/// True for the record types whose `treatments` history OCS restores (rescheduled and callbacks).
OB_API bool history_restored_for(RecordType type) noexcept;

/// What the engine must do after a call's result.
struct TreatmentDecision {
  /// Every chain record whose row changes, with its new column values
  /// (status, call_result, dial_sched_time, record_type, treatments, group_id…).
  std::vector<Record> updates;
  /// chain_n of the record to dial next, if the chain goes on now or later.
  std::optional<int> dial_next_chain_n;
  /// When that next dial may happen (nullopt: at once).
  std::optional<EpochSeconds> dial_at;
  /// The rule applied, if any (for logs and the call action).
  std::optional<Treatment> applied;
  /// True when the chain is finished: nothing of it will be dialed again.
  bool chain_finished = false;
};

/// A set of treatment rules; may be replaced while a campaign runs.
class OB_API TreatmentSet {
 public:
  /// An empty set: every result is final.
  TreatmentSet() = default;
  /// A set of rules; throws Error(invalid_argument) for contradictory or out-of-range rules.
  explicit TreatmentSet(std::vector<Treatment> rules);
  /// The rules, sorted by call result then sequence.
  const std::vector<Treatment>& rules() const { return rules_; }
  /// The rule for `result` at `sequence`, or nullptr.
  const Treatment* find(CallResult result, int sequence) const;
  /// The rule with DBID `id`, or nullptr.
  const Treatment* find_id(int id) const;

 private:
  std::vector<Treatment> rules_;
};

/// Decides what happens after `result` for the record `dialed` of `chain`
/// (the chain's records in chain_n order, `dialed` among them) at `now`.
/// Pure: reads nothing but its arguments.
OB_API TreatmentDecision apply_treatment(const std::vector<Record>& chain, std::size_t dialed, CallResult result,
                                         const TreatmentSet& rules, EpochSeconds now);

/// What the treatment must respect beside its rules.
struct TreatmentLimits {
  /// The dialed number may not be dialed again before this time (the redial
  /// lockout after an abandoned call); the dialed record's next dial is held until then.
  std::optional<EpochSeconds> number_locked_until;
};

/// apply_treatment() within `limits`. Pure: reads nothing but its arguments.
OB_API TreatmentDecision apply_treatment(const std::vector<Record>& chain, std::size_t dialed, CallResult result,
                                         const TreatmentSet& rules, EpochSeconds now, const TreatmentLimits& limits);

/// Results that mean the intended party was reached; they never get a
/// treatment (the agent or desktop finishes the record).
OB_API bool is_successful_result(CallResult result) noexcept;

}  // namespace outbound
