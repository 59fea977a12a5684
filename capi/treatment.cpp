// outbound C API — treatment rules.
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {

std::size_t treatment_size(unsigned int version) {
  return version >= 2 ? sizeof(ob_treatment) : offsetof(ob_treatment, date_time_ms);
}
// Version 1 is a shipped ABI: arrays of it have this stride on LP64.
static_assert(sizeof(void*) != 8 || offsetof(ob_treatment, date_time_ms) == 80,
              "ob_treatment version 1 was 80 bytes on LP64; new fields go at the end");

namespace {

// Rule `i` of an array whose elements are `stride` bytes (the caller's version of the struct),
// read into a full current struct (fields the caller's version lacks keep their defaults).
ob_treatment rule_at(const ob_treatment* rules, std::size_t i, std::size_t stride) {
  ob_treatment c = OB_TREATMENT_INIT;
  const auto* at = reinterpret_cast<const unsigned char*>(rules) + i * stride;
  copy_version_part(&c, reinterpret_cast<const ob_treatment*>(at), stride);
  return c;
}

std::optional<outbound::EpochSeconds> date_time_of(const ob_treatment& c, std::size_t i) {
  std::optional<outbound::EpochSeconds> from_s, from_ms;
  if (c.date_time != OB_NO_TIME) from_s = c.date_time;
  if (c.date_time_ms != OB_NO_TIME) from_ms = floor_seconds(c.date_time_ms);
  if (from_s && from_ms && *from_s != *from_ms)
    fail(ErrorCode::invalid_argument, "treatment " + std::to_string(i) + " has date_time " + std::to_string(c.date_time) +
                                          " (epoch s) and date_time_ms " + std::to_string(c.date_time_ms) +
                                          ", two different instants: set one of them");
  const auto at = from_ms ? from_ms : from_s;
  // Past it the engine's millisecond arithmetic would overflow; no calendar date lies there.
  // (Before 1970 the treatment module refuses, naming the rule.)
  if (at && *at > kMaxInstantS)
    fail(ErrorCode::invalid_argument,
         "treatment " + std::to_string(i) + " has " +
             (from_ms ? "date_time_ms " + std::to_string(c.date_time_ms) : "date_time " + std::to_string(c.date_time) + " (epoch s)") +
             ", past 9999-12-31T23:59:59Z (epoch s " + std::to_string(kMaxInstantS) + "): is it in the other unit?");
  return at;
}

// The message for a rule whose version differs from rule 0's: most often an array of a newer
// struct whose rules say an older version (so the library steps through it at the older size).
std::string version_mismatch(std::size_t i, unsigned int version, unsigned int first) {
  return "treatment " + std::to_string(i) + " has version " + std::to_string(version) + ", treatment 0 version " +
         std::to_string(first) + ": the rules of one array share a version, and each element is as large as that " +
         "version of ob_treatment (" + std::to_string(treatment_size(first)) + " bytes for version " + std::to_string(first) +
         "; this library's sizeof(ob_treatment) is " + std::to_string(sizeof(ob_treatment)) + ")";
}

}  // namespace

std::vector<outbound::Treatment> to_treatments(const ob_treatment* rules, std::size_t count) {
  if (count && !rules) fail(ErrorCode::invalid_argument, "treatments must not be NULL when their count > 0");
  std::vector<outbound::Treatment> out;
  if (!count) return out;
  // One array, one version: the first rule's version gives every rule's size.
  check_version(rules[0].version, OB_TREATMENT_VERSION, "ob_treatment");
  const std::size_t stride = treatment_size(rules[0].version);
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const ob_treatment c = rule_at(rules, i, stride);
    if (c.version != rules[0].version) fail(ErrorCode::invalid_argument, version_mismatch(i, c.version, rules[0].version));
    check_code(OB_ENUM_CALL_RESULT, c.call_result, "treatment call_result");
    check_code(OB_ENUM_RECORD_ACTION, c.action, "treatment action");
    check_code(OB_ENUM_CALL_ACTION, c.call_action, "treatment call_action");
    if (c.interval_ms < 0 || c.increment_ms < 0)
      fail(ErrorCode::invalid_argument, "treatment " + std::to_string(i) + " has interval_ms " + std::to_string(c.interval_ms) +
                                            " and increment_ms " + std::to_string(c.increment_ms) +
                                            ": neither may be negative");
    outbound::Treatment t;
    t.id = c.id;
    t.name = str(c.name);
    t.call_result = static_cast<outbound::CallResult>(c.call_result);
    t.action = static_cast<outbound::RecordAction>(c.action);
    t.call_action = static_cast<outbound::CallAction>(c.call_action);
    t.destination = str(c.destination);
    t.sequence = c.sequence;
    t.cycle_attempts = c.cycle_attempts;
    t.interval = outbound::Duration(c.interval_ms);
    t.increment = outbound::Duration(c.increment_ms);
    t.date_time = date_time_of(c, i);
    t.group_id = c.group_id;
    out.push_back(std::move(t));
  }
  return out;
}

ob_treatment from_treatment(const outbound::Treatment& t, unsigned int version) noexcept {
  ob_treatment c = OB_TREATMENT_INIT;
  c.version = version;
  c.id = t.id;
  c.name = t.name.c_str();
  c.call_result = static_cast<int>(t.call_result);
  c.action = static_cast<int>(t.action);
  c.call_action = static_cast<int>(t.call_action);
  c.destination = t.destination.c_str();
  c.sequence = t.sequence;
  c.cycle_attempts = t.cycle_attempts;
  c.interval_ms = t.interval.count();
  c.increment_ms = t.increment.count();
  c.group_id = t.group_id;
  // One field carries the instant, so a rule read back, changed and set again is not refused as
  // two instants: date_time_ms from version 2 on, the 0.2 date_time (s) before it. Rules reach the
  // engine through to_treatments, which bounds the instant, so * 1000 cannot overflow.
  if (t.date_time && version >= 2)
    c.date_time_ms = *t.date_time * 1000;
  else if (t.date_time)
    c.date_time = *t.date_time;
  return c;
}

std::vector<unsigned char> from_treatments(const std::vector<outbound::Treatment>& rules, unsigned int version) {
  const std::size_t stride = treatment_size(version);
  std::vector<unsigned char> out(rules.size() * stride);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const ob_treatment c = from_treatment(rules[i], version);
    std::memcpy(out.data() + i * stride, &c, stride);
  }
  return out;
}

}  // namespace obc

extern "C" {

int ob_treatment_init(ob_treatment* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_TREATMENT_VERSION, "ob_treatment");
    ob_treatment t = OB_TREATMENT_INIT;
    t.version = version;
    obc::copy_version_part(out, &t, obc::treatment_size(version));  // an older struct is shorter
  });
}

int ob_treatments_validate(const ob_treatment* rules, size_t count) {
  return obc::guard([&] { outbound::TreatmentSet check(obc::to_treatments(rules, count)); });
}

}  // extern "C"
