// apply_treatment: what happens to a chain after one call result.
//
// The decision has three parts, each a small function below:
//  1. where the chain stands: the history restored from the dialed record;
//  2. which rule applies: the next step of the result's sequence;
//  3. what the rule does to the rows: the chain goes on (a record is due
//     again, now or later) or the chain is finished.
// docs/treatments.md explains the choices made where the OCS documentation
// is silent.
#include <algorithm>
#include <chrono>
#include <limits>
#include <set>

#include "outbound/error.hpp"
#include "outbound/treatment.hpp"

namespace outbound {
namespace {

constexpr EpochSeconds kDay = 24 * 60 * 60;
constexpr EpochSeconds kMaxTime = std::numeric_limits<EpochSeconds>::max();
constexpr EpochSeconds kMinTime = std::numeric_limits<EpochSeconds>::min();

// Time arithmetic saturates: absurd rule values give "never", not UB.
EpochSeconds add_saturating(EpochSeconds a, EpochSeconds b) {
  EpochSeconds sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? kMaxTime : kMinTime;
  return sum;
}

EpochSeconds mul_saturating(EpochSeconds a, EpochSeconds b) {
  EpochSeconds product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return (a < 0) == (b < 0) ? kMaxTime : kMinTime;
  return product;
}

// Rounded up: a configured wait is never shortened.
EpochSeconds whole_seconds(Duration d) { return std::chrono::ceil<std::chrono::seconds>(d).count(); }

// The wait before the n-th repeat (n >= 1): interval, plus increment for each repeat after the first.
EpochSeconds repeat_wait(const Treatment& rule, int n) {
  EpochSeconds extra = mul_saturating(whole_seconds(rule.increment), n - 1);
  return add_saturating(whole_seconds(rule.interval), extra);
}

// A date already past means the same time of day on the first day still
// ahead: a stale date keeps working as "daily at HH:MM" instead of failing a
// live call result or dialing at once against the rule's intent.
EpochSeconds next_date(const Treatment& rule, EpochSeconds now) {
  EpochSeconds when = rule.date_time.value_or(now);
  if (when >= now) return when;
  EpochSeconds behind = (when - now) % kDay;  // in (-kDay, 0]; no overflow as 0 <= when < now
  return add_saturating(now, behind == 0 ? 0 : behind + kDay);
}

bool is_next_in_chain(RecordAction a) {
  return a == RecordAction::next_in_chain || a == RecordAction::next_in_chain_after ||
         a == RecordAction::next_in_chain_at_date;
}

// Records still in play: not yet finished by an outcome of their own.
bool is_open(const Record& r) {
  return r.record_status == RecordStatus::ready || r.record_status == RecordStatus::retrieved;
}

bool is_dialable(const Record& r) { return is_open(r) && r.record_type != RecordType::no_call; }

// A retry keeps the callback or personal nature of a record (so it still
// reaches its agent); anything else becomes "campaign rescheduled", the type
// OCS gives treatment reschedules and restores the history of.
RecordType rescheduled_type(RecordType t) {
  switch (t) {
    case RecordType::personal_callback:
    case RecordType::campaign_callback:
    case RecordType::personal_rescheduled:
      return t;
    default:
      return RecordType::campaign_rescheduled;
  }
}

// Handed to a group, a record stops being personal.
RecordType group_type(RecordType t) {
  bool callback = t == RecordType::personal_callback || t == RecordType::campaign_callback;
  return callback ? RecordType::campaign_callback : RecordType::campaign_rescheduled;
}

// ---- 0. arguments ---------------------------------------------------------

void check_arguments(const std::vector<Record>& chain, std::size_t dialed, CallResult result) {
  if (chain.empty()) throw Error(ErrorCode::invalid_argument, "apply_treatment: the chain is empty");
  if (dialed >= chain.size())
    throw Error(ErrorCode::invalid_argument, "apply_treatment: dialed index " + std::to_string(dialed) +
                                                 " is outside a chain of " + std::to_string(chain.size()));
  if (!is_valid_call_result(static_cast<int>(result)))
    throw Error(ErrorCode::invalid_argument,
                "apply_treatment: " + std::to_string(static_cast<int>(result)) + " is not a call result code");
  std::set<int> seen;
  for (const Record& r : chain)
    if (!seen.insert(r.chain_n).second)
      throw Error(ErrorCode::invalid_argument,
                  "apply_treatment: chain_n " + std::to_string(r.chain_n) + " appears twice in the chain");
}

// ---- 1. where the chain stands --------------------------------------------

struct Progress {
  const Treatment* last = nullptr;  ///< the rule applied last, if still configured
  int cycle_attempt = 0;            ///< times `last` has been applied in a row
  int pass = 1;                     ///< pass through the chain, from 1
};

// OCS reads the history only from rescheduled and callback records; a general
// record starts afresh whatever its field holds.
Progress restore(const Record& dialed, const TreatmentSet& rules) {
  Progress p;
  if (!history_restored_for(dialed.record_type)) return p;
  auto history = parse_treatment_history(dialed.treatments);
  if (!history) return p;
  p.last = rules.find_id(history->treatment_id);  // a rule since removed restarts the sequence
  p.cycle_attempt = history->cycle_attempt;
  p.pass = std::max(history->sequence_no, 1);
  return p;
}

// ---- 2. which rule applies ------------------------------------------------

struct Step {
  const Treatment* rule = nullptr;  ///< nullptr: no rule, the record is final
  int attempt = 1;                  ///< this application's number within the rule
};

// The sequence goes on only while the same result repeats on the same record:
// a different result breaks it, and a next-in-chain move starts it again for
// the new record (TreatmentSequences page).
Step choose_step(const Progress& p, CallResult result, const TreatmentSet& rules) {
  bool continues = p.last && p.last->call_result == result && !is_next_in_chain(p.last->action);
  if (!continues) return {rules.find(result, 1), 1};
  if (p.cycle_attempt < p.last->cycle_attempts) return {p.last, p.cycle_attempt + 1};
  return {rules.find(result, p.last->sequence + 1), 1};  // a gap in numbering ends the sequence
}

struct Move {
  std::size_t target = 0;  ///< index of the record to dial
  int pass = 1;            ///< the pass that dial belongs to
  bool wrapped = false;    ///< true when the chain starts over from its first record
};

// The next open record after the dialed one; past the end, the first open
// record again while the rule allows another pass (cycle attempts = passes).
std::optional<Move> find_next(const std::vector<Record>& chain, std::size_t dialed, int pass, int max_passes) {
  for (std::size_t i = dialed + 1; i < chain.size(); ++i)
    if (is_dialable(chain[i])) return Move{i, pass, false};
  if (pass >= max_passes) return std::nullopt;
  for (std::size_t i = 0; i <= dialed; ++i)
    if (is_dialable(chain[i])) return Move{i, pass + 1, true};
  return std::nullopt;
}

// ---- 3. what the rule does to the rows ------------------------------------

// The rows after the decision, compared with the rows before it.
class Rows {
 public:
  Rows(const std::vector<Record>& chain, std::size_t dialed, CallResult result, EpochSeconds now)
      : before_(chain), after_(chain), dialed_(dialed), now_(now) {
    after_[dialed].call_result = result;
  }

  Record& dialed() { return after_[dialed_]; }

  // The chain goes on: `target` is due at `at` (nullopt: at once). Every open
  // record goes back to ready carrying the history, so a restart continues.
  TreatmentDecision go_on(std::size_t target, std::optional<EpochSeconds> at, const TreatmentHistory& history) {
    std::string field = format_treatment_history(history);
    for (std::size_t i = 0; i < after_.size(); ++i) {
      if (!is_open(before_[i])) continue;
      after_[i].record_status = RecordStatus::ready;
      after_[i].treatments = field;
    }
    dialed().dial_sched_time.reset();  // this dial used up its schedule
    Record& next = after_[target];
    next.record_type = rescheduled_type(next.record_type);
    next.dial_sched_time = at.value_or(now_);
    TreatmentDecision d;
    d.dial_next_chain_n = next.chain_n;
    if (at && *at > now_) d.dial_at = at;
    return d;
  }

  // The chain is done: the dialed record ends as `status`, the other open
  // records as chain_updated (so no retrieval picks the chain up again),
  // taking the result too when `others_result` is given.
  TreatmentDecision finish(RecordStatus status, std::optional<CallResult> others_result) {
    for (std::size_t i = 0; i < after_.size(); ++i) {
      if (i != dialed_ && !is_open(before_[i])) continue;
      after_[i].record_status = i == dialed_ ? status : RecordStatus::chain_updated;
      if (i != dialed_ && others_result) after_[i].call_result = *others_result;
      after_[i].treatments.clear();  // history only resumes unfinished chains
    }
    dialed().dial_sched_time.reset();
    TreatmentDecision d;
    d.chain_finished = true;
    return d;
  }

  // Every row that changed, and the dialed record always, in chain order.
  std::vector<Record> changed() const {
    std::vector<Record> out;
    for (std::size_t i = 0; i < after_.size(); ++i)
      if (i == dialed_ || !same_row(before_[i], after_[i])) out.push_back(after_[i]);
    return out;
  }

 private:
  // Only these columns are ever written by a treatment.
  static bool same_row(const Record& a, const Record& b) {
    return a.record_status == b.record_status && a.record_type == b.record_type && a.call_result == b.call_result &&
           a.dial_sched_time == b.dial_sched_time && a.group_id == b.group_id && a.agent_id == b.agent_id &&
           a.treatments == b.treatments;
  }

  const std::vector<Record>& before_;
  std::vector<Record> after_;
  std::size_t dialed_;
  EpochSeconds now_;
};

struct Context {
  const std::vector<Record>& chain;
  std::size_t dialed;
  CallResult result;
  EpochSeconds now;
  Progress progress;
};

TreatmentHistory same_record_history(const Context& c, const Step& s) {
  return {s.rule->id, s.attempt, c.chain[c.dialed].chain_n, c.progress.pass};
}

TreatmentDecision retry_same_record(const Context& c, const Step& s, Rows& rows) {
  const Treatment& rule = *s.rule;
  std::optional<EpochSeconds> at;  // redial: at once; its interval is not used
  if (rule.action == RecordAction::retry_in) at = add_saturating(c.now, repeat_wait(rule, s.attempt));
  if (rule.action == RecordAction::retry_at_date) at = next_date(rule, c.now);
  return rows.go_on(c.dialed, at, same_record_history(c, s));
}

TreatmentDecision assign_to_group(const Context& c, const Step& s, Rows& rows) {
  TreatmentDecision d = rows.go_on(c.dialed, std::nullopt, same_record_history(c, s));
  Record& r = rows.dialed();
  r.group_id = s.rule->group_id;
  r.record_type = group_type(c.chain[c.dialed].record_type);
  r.agent_id.clear();  // no longer a personal record
  return d;
}

// When the move happens: next_in_chain waits only when it starts the chain
// over; _after waits before every move; _at_date waits for its date.
std::optional<EpochSeconds> move_time(const Treatment& rule, const Move& m, EpochSeconds now) {
  switch (rule.action) {
    case RecordAction::next_in_chain:
      if (!m.wrapped) return std::nullopt;
      return add_saturating(now, repeat_wait(rule, m.pass - 1));
    case RecordAction::next_in_chain_after:
      return add_saturating(now, repeat_wait(rule, m.pass));
    default:
      return next_date(rule, now);
  }
}

TreatmentDecision move_in_chain(const Context& c, const Treatment& rule, const Move& m, Rows& rows) {
  TreatmentHistory history{rule.id, m.pass, c.chain[m.target].chain_n, m.pass};
  return rows.go_on(m.target, move_time(rule, m, c.now), history);
}

TreatmentDecision act(const Context& c, const Step& s, Rows& rows) {
  switch (s.rule->action) {
    case RecordAction::redial:
    case RecordAction::retry_in:
    case RecordAction::retry_at_date:
      return retry_same_record(c, s, rows);
    case RecordAction::assign_to_group:
      return assign_to_group(c, s, rows);
    case RecordAction::mark_agent_error:
      return rows.finish(RecordStatus::agent_error, std::nullopt);
    case RecordAction::cancel_record:
      return rows.finish(RecordStatus::cancelled, std::nullopt);
    case RecordAction::update_all_in_chain:
      return rows.finish(RecordStatus::updated, c.result);
    default:
      return rows.finish(RecordStatus::updated, std::nullopt);  // no_treatment
  }
}

// A next-in-chain step with no pass left hands over to the next step of the
// sequence; the loop ends because sequence numbers only grow.
TreatmentDecision decide(const Context& c, const TreatmentSet& rules, Rows& rows) {
  Step step = choose_step(c.progress, c.result, rules);
  while (step.rule && is_next_in_chain(step.rule->action)) {
    auto move = find_next(c.chain, c.dialed, c.progress.pass, step.rule->cycle_attempts);
    if (move) {
      TreatmentDecision d = move_in_chain(c, *step.rule, *move, rows);
      d.applied = *step.rule;
      return d;
    }
    step = {rules.find(c.result, step.rule->sequence + 1), 1};
  }
  if (!step.rule) return rows.finish(RecordStatus::updated, std::nullopt);
  TreatmentDecision d = act(c, step, rows);
  d.applied = *step.rule;
  return d;
}

// The dialed number's lockout: its record is not due before the lockout
// ends, whether the rule redials it or the chain comes back to it.
void hold_locked_number(TreatmentDecision& d, std::int64_t dialed_id, EpochSeconds until) {
  for (auto& u : d.updates)
    if (u.record_id == dialed_id && u.record_status == RecordStatus::ready && (!u.dial_sched_time || *u.dial_sched_time < until))
      u.dial_sched_time = until;
  if (d.dial_next_chain_n && (!d.dial_at || *d.dial_at < until))
    for (const auto& u : d.updates)
      if (u.record_id == dialed_id && u.chain_n == *d.dial_next_chain_n) d.dial_at = until;
}

}  // namespace

TreatmentDecision apply_treatment(const std::vector<Record>& chain, std::size_t dialed, CallResult result,
                                  const TreatmentSet& rules, EpochSeconds now, const TreatmentLimits& limits) {
  TreatmentDecision d = apply_treatment(chain, dialed, result, rules, now);
  if (limits.number_locked_until) hold_locked_number(d, chain[dialed].record_id, *limits.number_locked_until);
  return d;
}

TreatmentDecision apply_treatment(const std::vector<Record>& chain, std::size_t dialed, CallResult result,
                                  const TreatmentSet& rules, EpochSeconds now) {
  check_arguments(chain, dialed, result);
  Rows rows(chain, dialed, result, now);
  TreatmentDecision decision;
  if (is_successful_result(result)) {
    decision = rows.finish(RecordStatus::updated, std::nullopt);
  } else {
    Context context{chain, dialed, result, now, restore(chain[dialed], rules)};
    decision = decide(context, rules, rows);
  }
  decision.updates = rows.changed();
  return decision;
}

}  // namespace outbound
