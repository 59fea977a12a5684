// Treatment rules: names, the `treatments` history field, and the validated
// rule set. The decision itself lives in apply.cpp.
#include "outbound/treatment.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "outbound/error.hpp"

namespace outbound {
namespace {

constexpr std::array<std::pair<RecordAction, std::string_view>, 11> kRecordActionNames{{
    {RecordAction::no_treatment, "no_treatment"},
    {RecordAction::redial, "redial"},
    {RecordAction::retry_in, "retry_in"},
    {RecordAction::retry_at_date, "retry_at_date"},
    {RecordAction::next_in_chain, "next_in_chain"},
    {RecordAction::next_in_chain_after, "next_in_chain_after"},
    {RecordAction::next_in_chain_at_date, "next_in_chain_at_date"},
    {RecordAction::assign_to_group, "assign_to_group"},
    {RecordAction::mark_agent_error, "mark_agent_error"},
    {RecordAction::update_all_in_chain, "update_all_in_chain"},
    {RecordAction::cancel_record, "cancel_record"},
}};

bool is_valid_record_action(RecordAction a) { return to_string(a) != "invalid"; }
bool is_valid_call_action(CallAction a) { return to_string(a) != "invalid"; }

bool needs_date(RecordAction a) { return a == RecordAction::retry_at_date || a == RecordAction::next_in_chain_at_date; }

// OCS lets only these actions handle "Agent CallBack Error" (ApplytoRecordActions page).
bool allowed_for_agent_callback_error(RecordAction a) {
  switch (a) {
    case RecordAction::assign_to_group:
    case RecordAction::mark_agent_error:
    case RecordAction::redial:
    case RecordAction::retry_at_date:
    case RecordAction::retry_in:
      return true;
    default:
      return false;
  }
}

// "treatment 'Busy1' (id 7)", so an operator finds the rule in the configuration.
std::string rule_label(const Treatment& t) {
  std::string id = "id " + std::to_string(t.id);
  return t.name.empty() ? "treatment " + id : "treatment '" + t.name + "' (" + id + ")";
}

[[noreturn]] void reject(const Treatment& t, const std::string& why) {
  throw Error(ErrorCode::invalid_argument, rule_label(t) + ": " + why);
}

void check_codes(const Treatment& t) {
  if (t.id < 1) reject(t, "id must be a positive DBID (it is written to the treatments history)");
  if (!is_valid_call_result(static_cast<int>(t.call_result)))
    reject(t, "call_result " + std::to_string(static_cast<int>(t.call_result)) + " is not a call result code");
  if (!is_valid_record_action(t.action))
    reject(t, "action " + std::to_string(static_cast<int>(t.action)) + " is not a record action");
  if (!is_valid_call_action(t.call_action))
    reject(t, "call_action " + std::to_string(static_cast<int>(t.call_action)) + " is not a call action");
}

void check_counts_and_times(const Treatment& t) {
  if (t.sequence < 1) reject(t, "number in sequence must be >= 1 (got " + std::to_string(t.sequence) + ")");
  if (t.cycle_attempts < 1) reject(t, "cycle_attempts must be >= 1 (got " + std::to_string(t.cycle_attempts) + ")");
  if (t.interval < Duration::zero())
    reject(t, "interval must not be negative (got " + std::to_string(t.interval.count()) + " ms)");
  if (t.increment < Duration::zero())
    reject(t, "increment must not be negative (got " + std::to_string(t.increment.count()) + " ms)");
  if (needs_date(t.action) && !t.date_time) reject(t, std::string(to_string(t.action)) + " needs date_time");
  if (needs_date(t.action) && *t.date_time < 0) reject(t, "date_time must not be before 1970");
}

void check_action_details(const Treatment& t) {
  if (t.action == RecordAction::assign_to_group && t.group_id < 1)
    reject(t, "assign_to_group needs a group_id (a positive DBID)");
  bool routes_call = t.call_action == CallAction::connect || t.call_action == CallAction::transfer;
  if (routes_call && t.destination.empty()) reject(t, std::string(to_string(t.call_action)) + " needs a destination");
  // OCS treats an apply-to-call rule as number 1 whatever is configured; a
  // different number would silently collide, so we refuse it instead.
  if (t.call_action != CallAction::none && t.sequence != 1)
    reject(t, "a rule with an apply-to-call action cannot be sequenced (number in sequence must be 1)");
  if (is_successful_result(t.call_result))
    reject(t, "result " + std::string(to_string(t.call_result)) +
                  " means the party was reached; it never gets a treatment");
  if (t.call_result == CallResult::agent_callback_error && !allowed_for_agent_callback_error(t.action))
    reject(t, std::string(to_string(t.action)) + " cannot handle agent_callback_error");
}

void check_rule(const Treatment& t) {
  check_codes(t);
  check_counts_and_times(t);
  check_action_details(t);
}

bool by_result_then_sequence(const Treatment& a, const Treatment& b) {
  return std::pair(static_cast<int>(a.call_result), a.sequence) <
         std::pair(static_cast<int>(b.call_result), b.sequence);
}

void check_unique_steps(const std::vector<Treatment>& sorted) {
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const Treatment& a = sorted[i - 1];
    const Treatment& b = sorted[i];
    if (a.call_result == b.call_result && a.sequence == b.sequence)
      reject(b, "number in sequence " + std::to_string(b.sequence) + " for " + std::string(to_string(b.call_result)) +
                    " is already used by " + rule_label(a));
  }
}

void check_unique_ids(std::vector<Treatment> rules) {
  std::sort(rules.begin(), rules.end(), [](const Treatment& a, const Treatment& b) { return a.id < b.id; });
  auto dup = std::adjacent_find(rules.begin(), rules.end(),
                                [](const Treatment& a, const Treatment& b) { return a.id == b.id; });
  if (dup != rules.end()) reject(*std::next(dup), "id is already used by " + rule_label(*dup));
}

// A non-negative decimal int with nothing else around it.
std::optional<int> parse_count(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// CHAR columns come back space-padded on some databases.
std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(RecordAction a) noexcept {
  for (const auto& [action, name] : kRecordActionNames)
    if (action == a) return name;
  return "invalid";
}

std::optional<RecordAction> record_action_from_string(std::string_view name) noexcept {
  for (const auto& [action, action_name] : kRecordActionNames)
    if (action_name == name) return action;
  return std::nullopt;
}

std::string_view to_string(CallAction a) noexcept {
  switch (a) {
    case CallAction::none:
      return "none";
    case CallAction::connect:
      return "connect";
    case CallAction::transfer:
      return "transfer";
    case CallAction::drop:
      return "drop";
  }
  return "invalid";
}

std::optional<TreatmentHistory> parse_treatment_history(const std::string& field) noexcept {
  std::string_view rest = trim(field);
  std::array<int, 4> parts{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::size_t at = rest.find('@');
    bool last = i + 1 == parts.size();
    if (last != (at == std::string_view::npos)) return std::nullopt;  // too few or too many fields
    auto value = parse_count(rest.substr(0, at));
    if (!value) return std::nullopt;
    parts[i] = *value;
    if (!last) rest.remove_prefix(at + 1);
  }
  return TreatmentHistory{parts[0], parts[1], parts[2], parts[3]};
}

std::string format_treatment_history(const TreatmentHistory& h) {
  return std::to_string(h.treatment_id) + '@' + std::to_string(h.cycle_attempt) + '@' + std::to_string(h.next_chain_n) +
         '@' + std::to_string(h.sequence_no);
}

bool history_restored_for(RecordType type) noexcept {
  switch (type) {
    case RecordType::campaign_rescheduled:
    case RecordType::personal_rescheduled:
    case RecordType::campaign_callback:
    case RecordType::personal_callback:
      return true;
    default:
      return false;
  }
}

bool is_successful_result(CallResult result) noexcept {
  switch (result) {
    case CallResult::ok:
    case CallResult::transferred:
    case CallResult::conferenced:
    case CallResult::answer:
      return true;
    default:
      return false;
  }
}

TreatmentSet::TreatmentSet(std::vector<Treatment> rules) : rules_(std::move(rules)) {
  for (const Treatment& t : rules_) check_rule(t);
  check_unique_ids(rules_);
  std::stable_sort(rules_.begin(), rules_.end(), by_result_then_sequence);
  check_unique_steps(rules_);
}

const Treatment* TreatmentSet::find(CallResult result, int sequence) const {
  for (const Treatment& t : rules_)
    if (t.call_result == result && t.sequence == sequence) return &t;
  return nullptr;
}

const Treatment* TreatmentSet::find_id(int id) const {
  for (const Treatment& t : rules_)
    if (t.id == id) return &t;
  return nullptr;
}

}  // namespace outbound
