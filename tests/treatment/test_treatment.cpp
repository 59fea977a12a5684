// Tests of the treatment module: names, history field, rule validation, every
// record action, sequences, chain passes, restart continuity, and golden files
// of whole scenarios (OB_UPDATE_GOLDEN=1 rewrites them).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "outbound/error.hpp"
#include "outbound/treatment.hpp"

#ifndef OB_TREATMENT_GOLDEN_DIR
#define OB_TREATMENT_GOLDEN_DIR ""
#endif

using namespace outbound;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

constexpr EpochSeconds kT0 = 1'700'000'000;  // 2023-11-14 22:13:20 UTC
constexpr EpochSeconds kDay = 86'400;

Record make_record(int chain_n, RecordType type = RecordType::general) {
  Record r;
  r.record_id = 100 + chain_n;
  r.contact_info = "+1555000" + std::to_string(1000 + chain_n);
  r.chain_id = 7;
  r.chain_n = chain_n;
  r.record_type = type;
  r.record_status = RecordStatus::retrieved;  // OCS retrieves a chain as a whole
  r.attempt = 0;
  return r;
}

std::vector<Record> make_chain(int size) {
  std::vector<Record> chain;
  for (int n = 1; n <= size; ++n) chain.push_back(make_record(n));
  return chain;
}

Treatment make_rule(int id, CallResult result, RecordAction action, int sequence = 1, int cycles = 1) {
  Treatment t;
  t.id = id;
  t.name = std::string(to_string(result)) + std::to_string(sequence);
  t.call_result = result;
  t.action = action;
  t.sequence = sequence;
  t.cycle_attempts = cycles;
  return t;
}

Treatment with_wait(Treatment t, Duration interval, Duration increment = {}) {
  t.interval = interval;
  t.increment = increment;
  return t;
}

Treatment with_date(Treatment t, EpochSeconds date) {
  t.date_time = date;
  return t;
}

const Record& updated_row(const TreatmentDecision& d, std::int64_t record_id) {
  for (const Record& r : d.updates)
    if (r.record_id == record_id) return r;
  FAIL("record " << record_id << " is not in the updates");
  throw std::logic_error("unreachable");
}

bool is_updated(const TreatmentDecision& d, std::int64_t record_id) {
  for (const Record& r : d.updates)
    if (r.record_id == record_id) return true;
  return false;
}

// What the engine does with a decision: store the rows.
void store(std::vector<Record>& chain, const TreatmentDecision& d) {
  for (const Record& row : d.updates)
    for (Record& r : chain)
      if (r.record_id == row.record_id) r = row;
}

std::size_t index_of(const std::vector<Record>& chain, int chain_n) {
  for (std::size_t i = 0; i < chain.size(); ++i)
    if (chain[i].chain_n == chain_n) return i;
  FAIL("no chain_n " << chain_n);
  return 0;
}

// What the engine does at dial time.
void mark_dialed(Record& r, EpochSeconds now) {
  r.attempt += 1;
  r.call_time = now;
  r.record_status = RecordStatus::retrieved;
}

void expect_invalid(std::vector<Treatment> rules, const std::string& fragment) {
  try {
    TreatmentSet set(std::move(rules));
    FAIL("accepted rules that should be rejected with: " << fragment);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    std::string message = e.what();
    INFO("message: " << message);
    CHECK(message.find(fragment) != std::string::npos);
  }
}

// ---- a stable text rendering, for golden files --------------------------

std::string render_time(std::optional<EpochSeconds> t) {
  if (!t) return "-";
  EpochSeconds delta = *t - kT0;
  return delta < 0 ? "t0" + std::to_string(delta) : "t0+" + std::to_string(delta);
}

std::string render_record(const Record& r) {
  std::ostringstream o;
  o << "record " << r.record_id << " chain_n=" << r.chain_n << " status=" << to_string(r.record_status)
    << " type=" << to_string(r.record_type) << " result=" << to_string(r.call_result) << " attempt=" << r.attempt
    << " sched=" << render_time(r.dial_sched_time) << " group=" << r.group_id << " agent=\"" << r.agent_id
    << "\" treatments=\"" << r.treatments << "\"";
  return o.str();
}

std::string render_rule(const Treatment& t) {
  std::ostringstream o;
  o << "rule " << t.id << " '" << t.name << "' " << to_string(t.call_result) << " #" << t.sequence << " "
    << to_string(t.action) << " cycles=" << t.cycle_attempts << " interval=" << to_seconds(t.interval)
    << "s increment=" << to_seconds(t.increment) << "s date=" << render_time(t.date_time) << " group=" << t.group_id
    << " call=" << to_string(t.call_action);
  if (!t.destination.empty()) o << " to " << t.destination;
  return o.str();
}

std::string render_decision(const TreatmentDecision& d) {
  std::ostringstream o;
  o << "  applied: " << (d.applied ? render_rule(*d.applied) : "none") << "\n";
  o << "  next: ";
  if (d.dial_next_chain_n)
    o << "chain_n=" << *d.dial_next_chain_n << " " << (d.dial_at ? "at " + render_time(d.dial_at) : "at once");
  else
    o << "none";
  o << "\n  chain_finished: " << (d.chain_finished ? "yes" : "no") << "\n";
  for (const Record& r : d.updates) o << "  update " << render_record(r) << "\n";
  return o.str();
}

// ---- scenarios: a chain, rules, and the results the calls return ---------

struct Scenario {
  std::string name;
  std::vector<Treatment> rules;
  std::vector<Record> chain;
  std::vector<CallResult> results;  ///< one per dial, in order
  /// The redial lockout after an abandoned call, in seconds (the campaign's abandoned_redial_lockout).
  std::optional<EpochSeconds> lockout_s = std::nullopt;
};

constexpr EpochSeconds kCallSeconds = 30;  // a result comes this long after its dial

std::string run_scenario(const Scenario& s) {
  TreatmentSet rules(s.rules);
  std::ostringstream out;
  out << "scenario " << s.name << "\n";
  for (const Treatment& t : rules.rules()) out << render_rule(t) << "\n";
  if (s.lockout_s) out << "lockout after abandoned: " << *s.lockout_s << "s\n";
  for (const Record& r : s.chain) out << "start " << render_record(r) << "\n";
  std::vector<Record> chain = s.chain;
  EpochSeconds dial_time = kT0;
  int next = chain.front().chain_n;
  for (std::size_t i = 0; i < s.results.size(); ++i) {
    std::size_t dialed = index_of(chain, next);
    mark_dialed(chain[dialed], dial_time);
    EpochSeconds now = dial_time + kCallSeconds;
    out << "step " << i + 1 << ": dial chain_n=" << next << " at " << render_time(dial_time) << ", "
        << to_string(s.results[i]) << " at " << render_time(now) << "\n";
    TreatmentLimits limits;
    if (s.lockout_s && s.results[i] == CallResult::abandoned) limits.number_locked_until = now + *s.lockout_s;
    TreatmentDecision d = apply_treatment(chain, dialed, s.results[i], rules, now, limits);
    out << render_decision(d);
    store(chain, d);
    if (d.chain_finished || !d.dial_next_chain_n) {
      if (i + 1 < s.results.size()) out << "unused results: " << s.results.size() - i - 1 << "\n";
      break;
    }
    next = *d.dial_next_chain_n;
    dial_time = d.dial_at.value_or(now);
  }
  for (const Record& r : chain) out << "end " << render_record(r) << "\n";
  return out.str();
}

std::filesystem::path golden_dir() {
  std::string configured = OB_TREATMENT_GOLDEN_DIR;
  if (!configured.empty()) return configured;
  return std::filesystem::path(__FILE__).parent_path() / "golden";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The first line where two texts differ, to make a golden failure readable.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string el, al;
  for (int line = 1;; ++line) {
    bool more_e = static_cast<bool>(std::getline(e, el));
    bool more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a) return "no difference";
    if (el != al || more_e != more_a)
      return "line " + std::to_string(line) + "\n  expected: " + (more_e ? el : "<end>") +
             "\n  actual:   " + (more_a ? al : "<end>");
  }
}

bool updating_golden() {
  const char* flag = std::getenv("OB_UPDATE_GOLDEN");
  return flag && std::string(flag) == "1";
}

void check_golden(const Scenario& s) {
  std::string actual = run_scenario(s);
  std::filesystem::path file = golden_dir() / (s.name + ".txt");
  if (updating_golden()) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << actual;
    MESSAGE("rewrote " << file.string());
    return;
  }
  if (!std::filesystem::exists(file)) {
    FAIL_CHECK("missing golden file " << file.string() << " (run with OB_UPDATE_GOLDEN=1 to create it)");
    return;
  }
  std::string expected = read_file(file);
  INFO("golden file " << file.string() << " differs at " << first_difference(expected, actual));
  CHECK(expected == actual);
}

std::vector<Scenario> golden_scenarios() {
  using A = RecordAction;
  using R = CallResult;
  std::vector<Scenario> all;

  all.push_back({"no_rule_is_final", {}, make_chain(2), {R::busy}});

  // The UK redial lockout after an abandoned call (72 h): the dialed number
  // waits for it, whatever the rule's own wait; other numbers of the chain do not.
  constexpr EpochSeconds kLockout = 72 * 3600;
  all.push_back({"abandoned_lockout_holds_redial",
                 {with_wait(make_rule(1, R::abandoned, A::retry_in, 1, 3), minutes(10))},
                 make_chain(1),
                 {R::abandoned, R::abandoned, R::busy},
                 kLockout});
  all.push_back({"abandoned_lockout_longer_wait_stands",
                 {with_wait(make_rule(1, R::abandoned, A::retry_in, 1, 2), hours(96))},
                 make_chain(1),
                 {R::abandoned, R::abandoned},
                 kLockout});
  all.push_back({"abandoned_lockout_next_in_chain",
                 {make_rule(1, R::abandoned, A::next_in_chain, 1, 2)},
                 make_chain(2),
                 {R::abandoned, R::abandoned, R::abandoned, R::abandoned},
                 kLockout});
  all.push_back({"abandoned_lockout_only_after_abandoned",
                 {with_wait(make_rule(1, R::no_answer, A::retry_in, 1, 2), minutes(10))},
                 make_chain(1),
                 {R::no_answer, R::no_answer},
                 kLockout});

  all.push_back(
      {"answer_finishes_chain", {make_rule(1, R::busy, A::next_in_chain)}, make_chain(3), {R::busy, R::answer}});

  all.push_back({"redial_twice_then_final",
                 {make_rule(1, R::busy, A::redial, 1, 2)},
                 make_chain(1),
                 {R::busy, R::busy, R::busy}});

  all.push_back({"retry_in_with_increment",
                 {with_wait(make_rule(1, R::no_answer, A::retry_in, 1, 3), minutes(10), minutes(5))},
                 make_chain(1),
                 {R::no_answer, R::no_answer, R::no_answer, R::no_answer}});

  all.push_back({"retry_at_date_in_future",
                 {with_date(make_rule(1, R::fax, A::retry_at_date), kT0 + 3 * kDay)},
                 make_chain(1),
                 {R::fax, R::fax}});

  all.push_back({"retry_at_date_in_past_rolls_to_next_day",
                 {with_date(make_rule(1, R::answering_machine, A::retry_at_date, 1, 2), kT0 - 10 * kDay - 3600)},
                 make_chain(1),
                 {R::answering_machine, R::answering_machine, R::answering_machine}});

  all.push_back({"next_in_chain_passes_with_increment",
                 {with_wait(make_rule(1, R::busy, A::next_in_chain, 1, 3), hours(1), minutes(30))},
                 make_chain(3),
                 std::vector<R>(9, R::busy)});

  all.push_back({"next_in_chain_after",
                 {with_wait(make_rule(1, R::no_answer, A::next_in_chain_after, 1, 2), hours(2), hours(1))},
                 make_chain(2),
                 std::vector<R>(4, R::no_answer)});

  all.push_back({"next_in_chain_at_date",
                 {with_date(make_rule(1, R::sit_no_circuit, A::next_in_chain_at_date, 1, 2), kT0 + kDay)},
                 make_chain(2),
                 std::vector<R>(4, R::sit_no_circuit)});

  {
    Scenario s{"assign_to_group_then_answer",
               {make_rule(1, R::agent_callback_error, A::assign_to_group)},
               {make_record(1, RecordType::personal_callback), make_record(2)},
               {R::agent_callback_error, R::answer}};
    s.rules[0].group_id = 42;
    s.chain[0].agent_id = "agent7";
    s.chain[0].dial_sched_time = kT0;
    all.push_back(s);
  }

  all.push_back({"mark_agent_error",
                 {make_rule(1, R::agent_callback_error, A::mark_agent_error)},
                 {make_record(1, RecordType::personal_callback), make_record(2)},
                 {R::agent_callback_error}});

  {
    Scenario s{"update_all_in_chain",
               {make_rule(1, R::sit_invalid_num, A::update_all_in_chain)},
               make_chain(3),
               {R::sit_invalid_num}};
    s.chain[2].record_status = RecordStatus::cancelled;  // already final: left alone
    all.push_back(s);
  }

  all.push_back({"cancel_record", {make_rule(1, R::wrong_number, A::cancel_record)}, make_chain(2), {R::wrong_number}});

  all.push_back(
      {"sequence_redial_retry_then_next_in_chain",
       {make_rule(1, R::busy, A::redial, 1, 2), with_wait(make_rule(2, R::busy, A::retry_in, 2, 1), minutes(15)),
        make_rule(3, R::busy, A::next_in_chain, 3, 1)},
       make_chain(2),
       std::vector<R>(9, R::busy)});

  // The example of the OCS "Treatment Sequences" page: a different result
  // breaks a sequence, which starts over when its result comes back.
  all.push_back({"sequence_interrupted_by_other_result",
                 {make_rule(1, R::busy, A::redial, 1), with_wait(make_rule(2, R::busy, A::retry_in, 2), minutes(60)),
                  with_wait(make_rule(3, R::answering_machine, A::retry_in, 1), minutes(60)),
                  with_date(make_rule(4, R::answering_machine, A::retry_at_date, 2), kT0 + 2 * kDay),
                  with_wait(make_rule(5, R::no_answer, A::retry_in, 1), minutes(60))},
                 make_chain(1),
                 {R::busy, R::answering_machine, R::busy, R::answering_machine, R::answering_machine, R::answer}});

  all.push_back(
      {"sequence_gap_stops",
       {make_rule(1, R::busy, A::redial, 1), make_rule(2, R::busy, A::redial, 2), make_rule(4, R::busy, A::redial, 4)},
       make_chain(1),
       {R::busy, R::busy, R::busy, R::busy}});

  {
    // Mixed results along a chain: the rule of the last record decides
    // whether and when the chain starts over.
    Scenario s{"mixed_results_along_chain",
               {with_wait(make_rule(1, R::no_answer, A::next_in_chain, 1, 3), hours(4)),
                with_wait(make_rule(2, R::general_error, A::next_in_chain, 1, 5), hours(6)),
                with_wait(make_rule(3, R::answering_machine, A::next_in_chain, 1, 2), hours(54))},
               make_chain(3),
               {R::no_answer, R::general_error, R::answering_machine, R::no_answer, R::answer}};
    s.rules[2].call_action = CallAction::connect;
    s.rules[2].destination = "5000";
    all.push_back(s);
  }

  all.push_back({"next_in_chain_exhausted_hands_over",
                 {make_rule(1, R::busy, A::next_in_chain, 1, 1),
                  with_wait(make_rule(2, R::busy, A::retry_in, 2, 2), minutes(30))},
                 make_chain(2),
                 std::vector<R>(5, R::busy)});

  {
    Scenario s{"next_in_chain_skips_closed_records",
               {make_rule(1, R::busy, A::next_in_chain, 1, 2)},
               make_chain(4),
               std::vector<R>(5, R::busy)};
    s.chain[1].record_status = RecordStatus::updated;
    s.chain[2].record_type = RecordType::no_call;
    all.push_back(s);
  }
  return all;
}

}  // namespace

// ---- names -----------------------------------------------------------------

TEST_CASE("record actions round-trip through their names") {
  for (int v = 0; v <= 10; ++v) {
    auto action = static_cast<RecordAction>(v);
    std::string_view name = to_string(action);
    CHECK(name != "invalid");
    CHECK(record_action_from_string(name) == action);
  }
  CHECK(to_string(RecordAction::retry_in) == "retry_in");
  CHECK(to_string(static_cast<RecordAction>(11)) == "invalid");
  CHECK(to_string(static_cast<RecordAction>(-1)) == "invalid");
  CHECK_FALSE(record_action_from_string("Retry in").has_value());
  CHECK_FALSE(record_action_from_string("").has_value());
  CHECK_FALSE(record_action_from_string("invalid").has_value());
}

TEST_CASE("call actions have names") {
  CHECK(to_string(CallAction::none) == "none");
  CHECK(to_string(CallAction::connect) == "connect");
  CHECK(to_string(CallAction::transfer) == "transfer");
  CHECK(to_string(CallAction::drop) == "drop");
  CHECK(to_string(static_cast<CallAction>(9)) == "invalid");
}

TEST_CASE("successful results are the ones that reached the party") {
  CHECK(is_successful_result(CallResult::ok));
  CHECK(is_successful_result(CallResult::answer));
  CHECK(is_successful_result(CallResult::transferred));
  CHECK(is_successful_result(CallResult::conferenced));
  CHECK_FALSE(is_successful_result(CallResult::busy));
  CHECK_FALSE(is_successful_result(CallResult::answering_machine));
  CHECK_FALSE(is_successful_result(CallResult::wrong_party));
  CHECK_FALSE(is_successful_result(CallResult::abandoned));
  CHECK_FALSE(is_successful_result(static_cast<CallResult>(99)));
}

// ---- history field ---------------------------------------------------------

TEST_CASE("treatment history parses and formats") {
  auto h = parse_treatment_history("12@3@2@1");
  REQUIRE(h);
  CHECK(h->treatment_id == 12);
  CHECK(h->cycle_attempt == 3);
  CHECK(h->next_chain_n == 2);
  CHECK(h->sequence_no == 1);
  CHECK(format_treatment_history(*h) == "12@3@2@1");
  CHECK(format_treatment_history({0, 0, 0, 0}) == "0@0@0@0");

  TreatmentHistory big{2147483647, 1, 99, 4};
  CHECK(parse_treatment_history(format_treatment_history(big))->treatment_id == 2147483647);

  SUBCASE("surrounding blanks of a padded CHAR column are ignored") {
    CHECK(parse_treatment_history("  5@1@1@1   ")->treatment_id == 5);
  }
  SUBCASE("malformed fields give nullopt") {
    for (const char* bad :
         {"", " ", "1@2@3", "1@2@3@4@5", "a@1@1@1", "1@@1@1", "@1@1@1", "1@1@1@", "-1@1@1@1", "+1@1@1@1", "1@1@1@1x",
          "1 @1@1@1", "1@1@ 1@1", "99999999999@1@1@1", "1.5@1@1@1", "1@1@1@1@", "@@@", "1,1,1,1"}) {
      INFO("field: '" << bad << "'");
      CHECK_FALSE(parse_treatment_history(bad).has_value());
    }
  }
}

TEST_CASE("history is restored only for rescheduled and callback records") {
  CHECK(history_restored_for(RecordType::campaign_rescheduled));
  CHECK(history_restored_for(RecordType::personal_rescheduled));
  CHECK(history_restored_for(RecordType::campaign_callback));
  CHECK(history_restored_for(RecordType::personal_callback));
  CHECK_FALSE(history_restored_for(RecordType::general));
  CHECK_FALSE(history_restored_for(RecordType::unknown));
  CHECK_FALSE(history_restored_for(RecordType::none));
  CHECK_FALSE(history_restored_for(RecordType::no_call));
}

// ---- the rule set ------------------------------------------------------------

TEST_CASE("a rule set is sorted by result then sequence and searchable") {
  TreatmentSet set({make_rule(3, CallResult::no_answer, RecordAction::retry_in, 1),
                    make_rule(2, CallResult::busy, RecordAction::retry_in, 2),
                    make_rule(1, CallResult::busy, RecordAction::redial, 1)});
  REQUIRE(set.rules().size() == 3);
  CHECK(set.rules()[0].id == 1);
  CHECK(set.rules()[1].id == 2);
  CHECK(set.rules()[2].id == 3);
  REQUIRE(set.find(CallResult::busy, 2));
  CHECK(set.find(CallResult::busy, 2)->id == 2);
  CHECK(set.find(CallResult::busy, 3) == nullptr);
  CHECK(set.find(CallResult::fax, 1) == nullptr);
  REQUIRE(set.find_id(3));
  CHECK(set.find_id(3)->call_result == CallResult::no_answer);
  CHECK(set.find_id(4) == nullptr);
  CHECK(TreatmentSet().rules().empty());
}

TEST_CASE("a rule set rejects contradictory or out-of-range rules, naming the rule") {
  using A = RecordAction;
  using R = CallResult;
  Treatment busy = make_rule(1, R::busy, A::redial);
  busy.name = "Busy1";

  SUBCASE("cycle attempts") {
    Treatment t = busy;
    t.cycle_attempts = 0;
    expect_invalid({t}, "treatment 'Busy1' (id 1): cycle_attempts must be >= 1");
  }
  SUBCASE("sequence") {
    Treatment t = busy;
    t.sequence = 0;
    expect_invalid({t}, "'Busy1'");
    expect_invalid({t}, "number in sequence must be >= 1");
  }
  SUBCASE("duplicate result and sequence") {
    Treatment other = make_rule(2, R::busy, A::retry_in);
    expect_invalid({busy, other}, "number in sequence 1 for busy is already used by treatment 'Busy1'");
  }
  SUBCASE("duplicate id") { expect_invalid({busy, make_rule(1, R::fax, A::redial)}, "id is already used"); }
  SUBCASE("id must be positive") {
    expect_invalid({make_rule(0, R::fax, A::redial)}, "(id 0): id must be a positive DBID");
    Treatment unnamed = make_rule(0, R::fax, A::redial);
    unnamed.name.clear();
    expect_invalid({unnamed}, "treatment id 0: id must be");
  }
  SUBCASE("negative interval and increment") {
    expect_invalid({with_wait(busy, minutes(-1))}, "interval must not be negative");
    expect_invalid({with_wait(busy, minutes(1), minutes(-1))}, "increment must not be negative");
  }
  SUBCASE("at-date actions need a date") {
    expect_invalid({make_rule(5, R::busy, A::retry_at_date)}, "retry_at_date needs date_time");
    expect_invalid({make_rule(5, R::busy, A::next_in_chain_at_date)}, "next_in_chain_at_date needs date_time");
    expect_invalid({with_date(make_rule(5, R::busy, A::retry_at_date), -5)}, "before 1970");
  }
  SUBCASE("codes out of range") {
    Treatment t = busy;
    t.action = static_cast<A>(11);
    expect_invalid({t}, "action 11 is not a record action");
    t = busy;
    t.call_action = static_cast<CallAction>(4);
    expect_invalid({t}, "call_action 4 is not a call action");
    t = busy;
    t.call_result = static_cast<R>(54);
    expect_invalid({t}, "call_result 54 is not a call result code");
  }
  SUBCASE("assign to group needs a group") {
    expect_invalid({make_rule(6, R::agent_callback_error, A::assign_to_group)}, "needs a group_id");
  }
  SUBCASE("connect and transfer need a destination") {
    Treatment t = busy;
    t.call_action = CallAction::transfer;
    expect_invalid({t}, "transfer needs a destination");
    t.destination = "5000";
    CHECK_NOTHROW(TreatmentSet({t}));
    t.call_action = CallAction::drop;
    t.destination.clear();
    CHECK_NOTHROW(TreatmentSet({t}));
  }
  SUBCASE("apply-to-call rules cannot be sequenced") {
    Treatment t = make_rule(8, R::answering_machine, A::retry_in, 2);
    t.call_action = CallAction::connect;
    t.destination = "5000";
    expect_invalid({t}, "cannot be sequenced");
  }
  SUBCASE("successful results never get a treatment") {
    expect_invalid({make_rule(9, R::answer, A::redial)}, "answer means the party was reached");
  }
  SUBCASE("agent callback error takes only some actions") {
    expect_invalid({make_rule(9, R::agent_callback_error, A::next_in_chain)},
                   "next_in_chain cannot handle agent_callback_error");
    CHECK_NOTHROW(TreatmentSet({make_rule(9, R::agent_callback_error, A::mark_agent_error)}));
  }
  SUBCASE("a gap in numbering is accepted, as OCS does") {
    CHECK_NOTHROW(TreatmentSet({busy, make_rule(2, R::busy, A::redial, 3)}));
  }
}

// ---- apply_treatment: arguments ---------------------------------------------

TEST_CASE("apply_treatment rejects bad arguments instead of misbehaving") {
  TreatmentSet rules({make_rule(1, CallResult::busy, RecordAction::redial)});
  auto throws_invalid = [&](const std::vector<Record>& chain, std::size_t dialed, CallResult result) {
    try {
      apply_treatment(chain, dialed, result, rules, kT0);
      return false;
    } catch (const Error& e) {
      return e.code() == ErrorCode::invalid_argument;
    }
  };
  CHECK(throws_invalid({}, 0, CallResult::busy));
  CHECK(throws_invalid(make_chain(2), 2, CallResult::busy));
  CHECK(throws_invalid(make_chain(2), static_cast<std::size_t>(-1), CallResult::busy));
  CHECK(throws_invalid(make_chain(1), 0, static_cast<CallResult>(-3)));
  CHECK(throws_invalid(make_chain(1), 0, static_cast<CallResult>(54)));
  std::vector<Record> twins = make_chain(2);
  twins[1].chain_n = 1;
  CHECK(throws_invalid(twins, 0, CallResult::busy));
}

// ---- apply_treatment: final outcomes ----------------------------------------

TEST_CASE("no rule for a result: the record is updated and the chain finished") {
  std::vector<Record> chain = make_chain(3);
  chain[2].record_status = RecordStatus::cancelled;
  TreatmentDecision d = apply_treatment(chain, 0, CallResult::busy, TreatmentSet(), kT0);
  CHECK(d.chain_finished);
  CHECK_FALSE(d.applied);
  CHECK_FALSE(d.dial_next_chain_n);
  CHECK_FALSE(d.dial_at);
  const Record& dialed = updated_row(d, 101);
  CHECK(dialed.record_status == RecordStatus::updated);
  CHECK(dialed.call_result == CallResult::busy);
  CHECK(dialed.attempt == 0);  // attempts are the engine's business
  const Record& other = updated_row(d, 102);
  CHECK(other.record_status == RecordStatus::chain_updated);
  CHECK(other.call_result == CallResult::unknown);
  CHECK_FALSE(is_updated(d, 103));  // already final
}

TEST_CASE("a successful result finishes the chain without a treatment") {
  TreatmentSet rules({make_rule(1, CallResult::busy, RecordAction::redial)});
  std::vector<Record> chain = make_chain(2);
  chain[1].record_type = RecordType::campaign_rescheduled;
  chain[1].treatments = "1@1@2@1";
  TreatmentDecision d = apply_treatment(chain, 1, CallResult::answer, rules, kT0);
  CHECK(d.chain_finished);
  CHECK_FALSE(d.applied);
  CHECK(updated_row(d, 102).record_status == RecordStatus::updated);
  CHECK(updated_row(d, 102).call_result == CallResult::answer);
  CHECK(updated_row(d, 102).treatments.empty());
  CHECK(updated_row(d, 101).record_status == RecordStatus::chain_updated);
}

TEST_CASE("mark_agent_error, cancel_record and update_all_in_chain are final") {
  using A = RecordAction;
  using R = CallResult;
  std::vector<Record> chain = make_chain(3);
  chain[0].record_type = RecordType::personal_callback;

  SUBCASE("mark agent error") {
    TreatmentSet rules({make_rule(4, R::agent_callback_error, A::mark_agent_error)});
    TreatmentDecision d = apply_treatment(chain, 0, R::agent_callback_error, rules, kT0);
    CHECK(d.chain_finished);
    REQUIRE(d.applied);
    CHECK(d.applied->id == 4);
    CHECK(updated_row(d, 101).record_status == RecordStatus::agent_error);
    CHECK(updated_row(d, 102).record_status == RecordStatus::chain_updated);
    CHECK(updated_row(d, 102).call_result == R::unknown);
  }
  SUBCASE("cancel record") {
    TreatmentSet rules({make_rule(4, R::wrong_number, A::cancel_record)});
    TreatmentDecision d = apply_treatment(chain, 1, R::wrong_number, rules, kT0);
    CHECK(d.chain_finished);
    CHECK(updated_row(d, 102).record_status == RecordStatus::cancelled);
    CHECK(updated_row(d, 102).call_result == R::wrong_number);
    CHECK(updated_row(d, 101).record_status == RecordStatus::chain_updated);
  }
  SUBCASE("update all in chain gives every open record the result") {
    chain[2].record_status = RecordStatus::agent_error;
    TreatmentSet rules({make_rule(4, R::sit_vacant, A::update_all_in_chain)});
    TreatmentDecision d = apply_treatment(chain, 1, R::sit_vacant, rules, kT0);
    CHECK(d.chain_finished);
    CHECK(updated_row(d, 102).record_status == RecordStatus::updated);
    CHECK(updated_row(d, 101).record_status == RecordStatus::chain_updated);
    CHECK(updated_row(d, 101).call_result == R::sit_vacant);
    CHECK_FALSE(is_updated(d, 103));
  }
}

// ---- apply_treatment: the same record again ---------------------------------

TEST_CASE("redial dials the same record at once and counts its cycles") {
  TreatmentSet rules({make_rule(5, CallResult::busy, RecordAction::redial, 1, 2)});
  std::vector<Record> chain = make_chain(1);
  TreatmentDecision d = apply_treatment(chain, 0, CallResult::busy, rules, kT0);
  CHECK_FALSE(d.chain_finished);
  CHECK(d.dial_next_chain_n == 1);
  CHECK_FALSE(d.dial_at);
  REQUIRE(d.updates.size() == 1);
  const Record& r = d.updates[0];
  CHECK(r.record_status == RecordStatus::ready);
  CHECK(r.record_type == RecordType::campaign_rescheduled);
  CHECK(r.dial_sched_time == kT0);
  CHECK(r.call_result == CallResult::busy);
  CHECK(r.treatments == "5@1@1@1");

  store(chain, d);
  d = apply_treatment(chain, 0, CallResult::busy, rules, kT0 + 60);
  CHECK(d.updates[0].treatments == "5@2@1@1");
  CHECK_FALSE(d.chain_finished);

  store(chain, d);
  d = apply_treatment(chain, 0, CallResult::busy, rules, kT0 + 120);
  CHECK(d.chain_finished);
  CHECK_FALSE(d.applied);
  CHECK(d.updates[0].record_status == RecordStatus::updated);
}

TEST_CASE("retry_in waits interval, then interval plus increment per repeat") {
  TreatmentSet rules(
      {with_wait(make_rule(5, CallResult::no_answer, RecordAction::retry_in, 1, 3), minutes(10), minutes(5))});
  std::vector<Record> chain = make_chain(1);
  EpochSeconds now = kT0;
  for (EpochSeconds wait : {600, 900, 1200}) {
    TreatmentDecision d = apply_treatment(chain, 0, CallResult::no_answer, rules, now);
    REQUIRE(d.dial_at);
    CHECK(*d.dial_at == now + wait);
    CHECK(d.updates[0].dial_sched_time == now + wait);
    store(chain, d);
    now = *d.dial_at + 40;
  }
  CHECK(apply_treatment(chain, 0, CallResult::no_answer, rules, now).chain_finished);
}

TEST_CASE("retry_in with a sub-second interval never dials early") {
  TreatmentSet rules({with_wait(make_rule(5, CallResult::busy, RecordAction::retry_in), Duration(1500))});
  TreatmentDecision d = apply_treatment(make_chain(1), 0, CallResult::busy, rules, kT0);
  CHECK(d.dial_at == kT0 + 2);
}

TEST_CASE("retry_in with a zero interval is at once") {
  TreatmentSet rules({make_rule(5, CallResult::busy, RecordAction::retry_in)});
  TreatmentDecision d = apply_treatment(make_chain(1), 0, CallResult::busy, rules, kT0);
  CHECK_FALSE(d.dial_at);
  CHECK(d.dial_next_chain_n == 1);
  CHECK(d.updates[0].dial_sched_time == kT0);
}

TEST_CASE("retry_at_date uses the date, or the same time on the next day ahead") {
  auto decide_at = [](EpochSeconds date, EpochSeconds now) {
    TreatmentSet rules({with_date(make_rule(5, CallResult::fax, RecordAction::retry_at_date), date)});
    return apply_treatment(make_chain(1), 0, CallResult::fax, rules, now).updates[0].dial_sched_time;
  };
  CHECK(decide_at(kT0 + 5000, kT0) == kT0 + 5000);
  CHECK(decide_at(kT0, kT0) == kT0);
  CHECK(decide_at(kT0 - 1, kT0) == kT0 - 1 + kDay);
  CHECK(decide_at(kT0 - kDay, kT0) == kT0);
  CHECK(decide_at(kT0 - 30 * kDay - 7200, kT0) == kT0 + kDay - 7200);
  CHECK(decide_at(0, kT0) == kT0 + (kDay - kT0 % kDay) % kDay);
}

TEST_CASE("a retried callback keeps its type; a general record becomes campaign rescheduled") {
  TreatmentSet rules({make_rule(5, CallResult::busy, RecordAction::redial, 1, 3)});
  for (RecordType kept :
       {RecordType::personal_callback, RecordType::campaign_callback, RecordType::personal_rescheduled}) {
    std::vector<Record> chain{make_record(1, kept)};
    CHECK(apply_treatment(chain, 0, CallResult::busy, rules, kT0).updates[0].record_type == kept);
  }
  std::vector<Record> chain{make_record(1, RecordType::unknown)};
  CHECK(apply_treatment(chain, 0, CallResult::busy, rules, kT0).updates[0].record_type ==
        RecordType::campaign_rescheduled);
}

TEST_CASE("assign_to_group hands a personal callback to the group") {
  Treatment t = make_rule(5, CallResult::agent_callback_error, RecordAction::assign_to_group);
  t.group_id = 42;
  TreatmentSet rules({t});
  std::vector<Record> chain{make_record(1, RecordType::personal_callback)};
  chain[0].agent_id = "agent7";
  TreatmentDecision d = apply_treatment(chain, 0, CallResult::agent_callback_error, rules, kT0);
  CHECK_FALSE(d.chain_finished);
  CHECK(d.dial_next_chain_n == 1);
  CHECK_FALSE(d.dial_at);
  const Record& r = d.updates[0];
  CHECK(r.group_id == 42);
  CHECK(r.record_type == RecordType::campaign_callback);
  CHECK(r.agent_id.empty());
  CHECK(r.record_status == RecordStatus::ready);
  CHECK(r.treatments == "5@1@1@1");

  std::vector<Record> rescheduled{make_record(1, RecordType::personal_rescheduled)};
  CHECK(apply_treatment(rescheduled, 0, CallResult::agent_callback_error, rules, kT0).updates[0].record_type ==
        RecordType::campaign_rescheduled);
}

// ---- apply_treatment: sequences ---------------------------------------------

TEST_CASE("a sequence advances when a step's cycles are used up") {
  using A = RecordAction;
  TreatmentSet rules({make_rule(1, CallResult::busy, A::redial, 1, 2),
                      with_wait(make_rule(2, CallResult::busy, A::retry_in, 2, 1), minutes(15)),
                      make_rule(3, CallResult::busy, A::cancel_record, 3)});
  std::vector<Record> chain = make_chain(1);
  std::vector<int> applied;
  for (int i = 0; i < 4; ++i) {
    TreatmentDecision d = apply_treatment(chain, 0, CallResult::busy, rules, kT0 + i * 1000);
    REQUIRE(d.applied);
    applied.push_back(d.applied->id);
    store(chain, d);
  }
  CHECK(applied == std::vector<int>{1, 1, 2, 3});
  CHECK(chain[0].record_status == RecordStatus::cancelled);
}

TEST_CASE("a different result breaks the sequence, which restarts at 1") {
  using A = RecordAction;
  TreatmentSet rules({make_rule(1, CallResult::busy, A::redial, 1, 1), make_rule(2, CallResult::busy, A::redial, 2, 1),
                      make_rule(3, CallResult::no_answer, A::redial, 1, 5)});
  std::vector<Record> chain = make_chain(1);
  std::vector<int> applied;
  for (CallResult r : {CallResult::busy, CallResult::no_answer, CallResult::busy, CallResult::busy}) {
    TreatmentDecision d = apply_treatment(chain, 0, r, rules, kT0);
    REQUIRE(d.applied);
    applied.push_back(d.applied->id);
    store(chain, d);
  }
  CHECK(applied == std::vector<int>{1, 3, 1, 2});
}

TEST_CASE("a gap in sequence numbers ends the sequence") {
  TreatmentSet rules({make_rule(1, CallResult::busy, RecordAction::redial, 1),
                      make_rule(4, CallResult::busy, RecordAction::redial, 3)});
  std::vector<Record> chain = make_chain(1);
  store(chain, apply_treatment(chain, 0, CallResult::busy, rules, kT0));
  TreatmentDecision d = apply_treatment(chain, 0, CallResult::busy, rules, kT0);
  CHECK(d.chain_finished);
  CHECK_FALSE(d.applied);
}

// ---- apply_treatment: next in chain -----------------------------------------

TEST_CASE("next_in_chain moves along the chain at once and starts over after the interval") {
  TreatmentSet rules(
      {with_wait(make_rule(9, CallResult::busy, RecordAction::next_in_chain, 1, 3), hours(1), minutes(30))});
  std::vector<Record> chain = make_chain(3);

  TreatmentDecision d = apply_treatment(chain, 0, CallResult::busy, rules, kT0);
  CHECK(d.dial_next_chain_n == 2);
  CHECK_FALSE(d.dial_at);
  CHECK(updated_row(d, 101).record_status == RecordStatus::ready);
  CHECK(updated_row(d, 101).call_result == CallResult::busy);
  CHECK(updated_row(d, 101).record_type == RecordType::general);
  CHECK(updated_row(d, 102).record_type == RecordType::campaign_rescheduled);
  CHECK(updated_row(d, 102).treatments == "9@1@2@1");
  CHECK(updated_row(d, 103).treatments == "9@1@2@1");  // the history belongs to the chain
  store(chain, d);

  d = apply_treatment(chain, 1, CallResult::busy, rules, kT0 + 60);
  CHECK(d.dial_next_chain_n == 3);
  store(chain, d);

  d = apply_treatment(chain, 2, CallResult::busy, rules, kT0 + 120);  // end of pass 1
  CHECK(d.dial_next_chain_n == 1);
  CHECK(d.dial_at == kT0 + 120 + 3600);
  CHECK(updated_row(d, 101).treatments == "9@2@1@2");
  CHECK(updated_row(d, 101).dial_sched_time == kT0 + 120 + 3600);
  CHECK_FALSE(updated_row(d, 103).dial_sched_time);  // its schedule was used by this dial
  store(chain, d);

  for (std::size_t i : {0u, 1u}) store(chain, apply_treatment(chain, i, CallResult::busy, rules, kT0 + 9000));
  d = apply_treatment(chain, 2, CallResult::busy, rules, kT0 + 10000);  // end of pass 2
  CHECK(d.dial_at == kT0 + 10000 + 3600 + 1800);
  CHECK(updated_row(d, 101).treatments == "9@3@1@3");
  store(chain, d);

  for (std::size_t i : {0u, 1u}) store(chain, apply_treatment(chain, i, CallResult::busy, rules, kT0 + 20000));
  d = apply_treatment(chain, 2, CallResult::busy, rules, kT0 + 20000);  // end of pass 3: done
  CHECK(d.chain_finished);
  CHECK(updated_row(d, 103).record_status == RecordStatus::updated);
  CHECK(updated_row(d, 101).record_status == RecordStatus::chain_updated);
}

TEST_CASE("the whole sequence repeats on the next record of the chain") {
  using A = RecordAction;
  TreatmentSet rules(
      {make_rule(1, CallResult::busy, A::redial, 1, 1), make_rule(2, CallResult::busy, A::next_in_chain, 2, 2)});
  std::vector<Record> chain = make_chain(2);
  std::vector<std::pair<int, int>> steps;  // (applied rule, next chain_n)
  std::size_t dialed = 0;
  for (int i = 0; i < 4; ++i) {
    TreatmentDecision d = apply_treatment(chain, dialed, CallResult::busy, rules, kT0);
    REQUIRE(d.applied);
    steps.emplace_back(d.applied->id, d.dial_next_chain_n.value_or(0));
    store(chain, d);
    if (d.dial_next_chain_n) dialed = index_of(chain, *d.dial_next_chain_n);
  }
  CHECK(steps == std::vector<std::pair<int, int>>{{1, 1}, {2, 2}, {1, 2}, {2, 1}});
}

TEST_CASE("next_in_chain_after waits before every move") {
  TreatmentSet rules(
      {with_wait(make_rule(9, CallResult::no_answer, RecordAction::next_in_chain_after, 1, 2), hours(2), hours(1))});
  std::vector<Record> chain = make_chain(2);
  TreatmentDecision d = apply_treatment(chain, 0, CallResult::no_answer, rules, kT0);
  CHECK(d.dial_next_chain_n == 2);
  CHECK(d.dial_at == kT0 + 7200);
  store(chain, d);
  d = apply_treatment(chain, 1, CallResult::no_answer, rules, kT0 + 8000);
  CHECK(d.dial_next_chain_n == 1);
  CHECK(d.dial_at == kT0 + 8000 + 7200 + 3600);  // second pass
}

TEST_CASE("next_in_chain_at_date moves at the date") {
  TreatmentSet rules({with_date(make_rule(9, CallResult::busy, RecordAction::next_in_chain_at_date), kT0 + 500)});
  TreatmentDecision d = apply_treatment(make_chain(2), 0, CallResult::busy, rules, kT0);
  CHECK(d.dial_next_chain_n == 2);
  CHECK(d.dial_at == kT0 + 500);
}

TEST_CASE("next_in_chain on a single record starts it over") {
  TreatmentSet rules({with_wait(make_rule(9, CallResult::busy, RecordAction::next_in_chain, 1, 2), minutes(20))});
  std::vector<Record> chain = make_chain(1);
  TreatmentDecision d = apply_treatment(chain, 0, CallResult::busy, rules, kT0);
  CHECK(d.dial_next_chain_n == 1);
  CHECK(d.dial_at == kT0 + 1200);
  store(chain, d);
  CHECK(apply_treatment(chain, 0, CallResult::busy, rules, kT0 + 2000).chain_finished);
}

TEST_CASE("next_in_chain skips records that are closed or must not be called") {
  TreatmentSet rules({make_rule(9, CallResult::busy, RecordAction::next_in_chain, 1, 2)});
  std::vector<Record> chain = make_chain(4);
  chain[1].record_status = RecordStatus::cancelled;
  chain[2].record_type = RecordType::no_call;
  TreatmentDecision d = apply_treatment(chain, 0, CallResult::busy, rules, kT0);
  CHECK(d.dial_next_chain_n == 4);
  CHECK_FALSE(is_updated(d, 102));
  CHECK(updated_row(d, 103).record_status == RecordStatus::ready);
}

TEST_CASE("an exhausted next_in_chain hands over to the next step") {
  using A = RecordAction;
  TreatmentSet rules({make_rule(1, CallResult::busy, A::next_in_chain, 1, 1),
                      with_wait(make_rule(2, CallResult::busy, A::retry_in, 2), minutes(30))});
  TreatmentDecision d = apply_treatment(make_chain(1), 0, CallResult::busy, rules, kT0);
  REQUIRE(d.applied);
  CHECK(d.applied->id == 2);
  CHECK(d.dial_at == kT0 + 1800);
}

// ---- restart continuity ----------------------------------------------------

TEST_CASE("a restart continues from the history field") {
  TreatmentSet rules({make_rule(7, CallResult::busy, RecordAction::redial, 1, 3),
                      make_rule(8, CallResult::busy, RecordAction::cancel_record, 2)});
  Record r = make_record(1, RecordType::campaign_rescheduled);
  r.treatments = "7@2@1@1";

  SUBCASE("rescheduled record: the third redial, then the next step") {
    TreatmentDecision d = apply_treatment({r}, 0, CallResult::busy, rules, kT0);
    CHECK(d.applied->id == 7);
    CHECK(d.updates[0].treatments == "7@3@1@1");
    d = apply_treatment(d.updates, 0, CallResult::busy, rules, kT0);
    CHECK(d.applied->id == 8);
  }
  SUBCASE("general record: the field is ignored, as OCS does") {
    r.record_type = RecordType::general;
    TreatmentDecision d = apply_treatment({r}, 0, CallResult::busy, rules, kT0);
    CHECK(d.updates[0].treatments == "7@1@1@1");
  }
  SUBCASE("malformed field: start afresh") {
    r.treatments = "7@two@1@1";
    CHECK(apply_treatment({r}, 0, CallResult::busy, rules, kT0).updates[0].treatments == "7@1@1@1");
  }
  SUBCASE("a rule removed since: the sequence starts again") {
    r.treatments = "99@2@1@1";
    CHECK(apply_treatment({r}, 0, CallResult::busy, rules, kT0).updates[0].treatments == "7@1@1@1");
  }
  SUBCASE("the pass through the chain carries over") {
    r.treatments = "7@1@1@3";
    CHECK(apply_treatment({r}, 0, CallResult::busy, rules, kT0).updates[0].treatments == "7@2@1@3");
  }
}

TEST_CASE("the pass count survives a restart and limits next_in_chain") {
  TreatmentSet rules({make_rule(9, CallResult::busy, RecordAction::next_in_chain, 1, 2)});
  std::vector<Record> chain = make_chain(2);
  chain[1].record_type = RecordType::campaign_rescheduled;
  chain[1].treatments = "9@2@2@2";  // second pass, at its last record
  TreatmentDecision d = apply_treatment(chain, 1, CallResult::busy, rules, kT0);
  CHECK(d.chain_finished);
  chain[1].treatments = "9@1@2@1";
  d = apply_treatment(chain, 1, CallResult::busy, rules, kT0);
  CHECK(d.dial_next_chain_n == 1);
}

// ---- purity and totality ---------------------------------------------------

TEST_CASE("apply_treatment is pure: same inputs, same decision, inputs untouched") {
  TreatmentSet rules({with_wait(make_rule(9, CallResult::busy, RecordAction::next_in_chain, 1, 2), hours(1))});
  std::vector<Record> chain = make_chain(3);
  const std::string before = render_record(chain[0]) + render_record(chain[1]) + render_record(chain[2]);
  std::string first = render_decision(apply_treatment(chain, 2, CallResult::busy, rules, kT0));
  std::string second = render_decision(apply_treatment(chain, 2, CallResult::busy, rules, kT0));
  CHECK(first == second);
  CHECK(before == render_record(chain[0]) + render_record(chain[1]) + render_record(chain[2]));
}

TEST_CASE("extreme times and intervals saturate instead of overflowing") {
  constexpr EpochSeconds kMax = std::numeric_limits<EpochSeconds>::max();
  Treatment t = with_wait(make_rule(1, CallResult::busy, RecordAction::retry_in, 1, 1000000),
                          Duration(std::numeric_limits<std::int64_t>::max() / 2),
                          Duration(std::numeric_limits<std::int64_t>::max() / 2));
  TreatmentSet rules({t});
  Record r = make_record(1, RecordType::campaign_rescheduled);
  r.treatments = "1@999998@1@1";
  TreatmentDecision d = apply_treatment({r}, 0, CallResult::busy, rules, kMax - 10);
  CHECK(d.dial_at == kMax);

  TreatmentSet dated({with_date(make_rule(2, CallResult::busy, RecordAction::retry_at_date), 5)});
  CHECK(apply_treatment({make_record(1)}, 0, CallResult::busy, dated, kMax).dial_at == std::nullopt);
  CHECK(apply_treatment({make_record(1)}, 0, CallResult::busy, dated, -1000).dial_at == 5);
}

TEST_CASE("every action on every result code decides without throwing") {
  for (int code = 0; code < kCallResultCount; ++code) {
    auto result = static_cast<CallResult>(code);
    for (int action = 0; action <= 10; ++action) {
      Treatment t = make_rule(1, result, static_cast<RecordAction>(action), 1, 2);
      t.date_time = kT0 + 100;
      t.group_id = 3;
      t.interval = minutes(1);
      bool acceptable = true;
      try {
        TreatmentSet probe({t});
      } catch (const Error&) {
        acceptable = false;
      }
      if (!acceptable) continue;
      TreatmentSet rules({t});
      std::vector<Record> chain = make_chain(3);
      for (std::size_t dialed = 0; dialed < chain.size(); ++dialed) {
        INFO("result " << to_string(result) << " action " << to_string(t.action) << " dialed " << dialed);
        TreatmentDecision d = apply_treatment(chain, dialed, result, rules, kT0);
        REQUIRE_FALSE(d.updates.empty());
        CHECK(d.chain_finished != d.dial_next_chain_n.has_value());
        CHECK(updated_row(d, chain[dialed].record_id).call_result == result);
        for (const Record& row : d.updates) CHECK(row.attempt == 0);
      }
    }
  }
}

// ---- golden files ----------------------------------------------------------

TEST_CASE("treatment scenarios match their golden files") {
  for (const Scenario& s : golden_scenarios()) {
    CAPTURE(s.name);
    check_golden(s);
  }
}
