// outbound C API — treatment rules.
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {

std::vector<outbound::Treatment> to_treatments(const ob_treatment* rules, std::size_t count) {
  if (count && !rules) fail(ErrorCode::invalid_argument, "treatments must not be NULL when their count > 0");
  std::vector<outbound::Treatment> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const ob_treatment& c = rules[i];
    check_version(c.version, OB_TREATMENT_VERSION, "ob_treatment");
    check_code(OB_ENUM_CALL_RESULT, c.call_result, "treatment call_result");
    check_code(OB_ENUM_RECORD_ACTION, c.action, "treatment action");
    check_code(OB_ENUM_CALL_ACTION, c.call_action, "treatment call_action");
    if (c.interval_ms < 0 || c.increment_ms < 0)
      fail(ErrorCode::invalid_argument, "treatment interval_ms and increment_ms must not be negative");
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
    if (c.date_time != OB_NO_TIME) t.date_time = c.date_time;
    t.group_id = c.group_id;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace obc

extern "C" {

int ob_treatment_init(ob_treatment* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_TREATMENT_VERSION, "ob_treatment");
    *out = ob_treatment OB_TREATMENT_INIT;
    out->version = version;
  });
}

int ob_treatments_validate(const ob_treatment* rules, size_t count) {
  return obc::guard([&] { outbound::TreatmentSet check(obc::to_treatments(rules, count)); });
}

}  // extern "C"
