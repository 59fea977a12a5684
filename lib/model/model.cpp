// Names and validity of the OCS codes, generated from the tables in model.hpp.
#define OUTBOUND_MODEL_CODE_TABLES  // keep model.hpp's X-macro tables defined here
#include "outbound/model.hpp"

#include "outbound/error.hpp"

namespace outbound {
namespace {

#define OB_CASE_NAME(name, value) \
  case value:                     \
    return #name;
#define OB_CASE_VALID(name, value) case value:

std::string_view record_type_name(int v) {
  switch (v) { OB_RECORD_TYPES(OB_CASE_NAME) default: return "invalid"; }
}
std::string_view record_status_name(int v) {
  switch (v) { OB_RECORD_STATUSES(OB_CASE_NAME) default: return "invalid"; }
}
std::string_view contact_info_type_name(int v) {
  switch (v) { OB_CONTACT_INFO_TYPES(OB_CASE_NAME) default: return "invalid"; }
}
std::string_view call_result_name(int v) {
  switch (v) { OB_CALL_RESULTS(OB_CASE_NAME) default: return "invalid"; }
}

}  // namespace

std::string_view to_string(RecordType v) noexcept { return record_type_name(static_cast<int>(v)); }
std::string_view to_string(RecordStatus v) noexcept { return record_status_name(static_cast<int>(v)); }
std::string_view to_string(ContactInfoType v) noexcept {
  return contact_info_type_name(static_cast<int>(v));
}
std::string_view to_string(CallResult v) noexcept { return call_result_name(static_cast<int>(v)); }

bool is_valid_record_type(int v) noexcept { return record_type_name(v) != "invalid"; }
bool is_valid_record_status(int v) noexcept { return record_status_name(v) != "invalid"; }
bool is_valid_contact_info_type(int v) noexcept { return contact_info_type_name(v) != "invalid"; }
bool is_valid_call_result(int v) noexcept { return call_result_name(v) != "invalid"; }

std::optional<CallResult> call_result_from_string(std::string_view name) noexcept {
  for (int v = 0; v < kCallResultCount; ++v)
    if (call_result_name(v) == name) return static_cast<CallResult>(v);
  return std::nullopt;
}

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::generic: return "error";
    case ErrorCode::invalid_argument: return "invalid argument";
    case ErrorCode::not_found: return "not found";
    case ErrorCode::invalid_state: return "invalid state";
    case ErrorCode::busy: return "busy";
    case ErrorCode::compliance_blocked: return "blocked by compliance";
    case ErrorCode::database: return "database error";
    case ErrorCode::driver: return "driver error";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::bad_handle: return "bad handle";
  }
  return "unknown error code";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

}  // namespace outbound
