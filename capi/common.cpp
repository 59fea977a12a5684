// outbound C API — errors, versions, code names, memory, and the registries
// of live handles and of results handed to the caller.
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "outbound/agents.hpp"
#include "outbound/pacing.hpp"
#include "outbound_version.h"
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {
namespace {

struct ThreadError {
  int code = OB_OK;
  std::string message = "no error";
  std::uint64_t serial = 0;
};
thread_local ThreadError t_error;

// The handle registry: address -> kind. Lookups never read a handle's memory,
// so a freed handle is rejected rather than dereferenced.
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::unordered_map<const void*, Kind>& registry() {
  static std::unordered_map<const void*, Kind> r;
  return r;
}

std::mutex& owned_mutex() {
  static std::mutex m;
  return m;
}
std::unordered_map<const void*, std::unique_ptr<Owned>>& owned() {
  static std::unordered_map<const void*, std::unique_ptr<Owned>> o;
  return o;
}

// --- code tables ------------------------------------------------------------

using Names = std::vector<const char*>;

// Names of a contiguous code table 0..n-1 produced by a C++ to_string().
template <typename E>
Names names_of(int count) {
  Names out;
  for (int i = 0; i < count; ++i) out.push_back(outbound::to_string(static_cast<E>(i)).data());
  return out;
}

const outbound::CampaignEvent::Kind kEventKinds[] = {
    outbound::CampaignEvent::Kind::loaded,          outbound::CampaignEvent::Kind::started,
    outbound::CampaignEvent::Kind::stopped,         outbound::CampaignEvent::Kind::unloaded,
    outbound::CampaignEvent::Kind::mode_changed,    outbound::CampaignEvent::Kind::state_changed,
    outbound::CampaignEvent::Kind::record_error,    outbound::CampaignEvent::Kind::driver_error,
    outbound::CampaignEvent::Kind::database_error,  outbound::CampaignEvent::Kind::call_finished,
    outbound::CampaignEvent::Kind::info,            outbound::CampaignEvent::Kind::preview_record,
    outbound::CampaignEvent::Kind::preview_record_empty, outbound::CampaignEvent::Kind::chained_record,
    outbound::CampaignEvent::Kind::record_delivered, outbound::CampaignEvent::Kind::scheduled_call,
    outbound::CampaignEvent::Kind::completed,       outbound::CampaignEvent::Kind::error,
};
constexpr int kEventKindCount = static_cast<int>(sizeof kEventKinds / sizeof kEventKinds[0]);

// Every code table, built once. Index = ob_enum; position = value (the status
// table is offset: position i holds code -i).
const std::vector<Names>& tables() {
  static const std::vector<Names> t = [] {
    std::vector<Names> v(OB_ENUM_COUNT);
    v[OB_ENUM_STATUS] = {"ok", "generic", "invalid_argument", "not_found", "invalid_state", "busy",
                         "compliance_blocked", "database", "driver", "unsupported", "bad_handle"};
    v[OB_ENUM_CALL_RESULT] = names_of<outbound::CallResult>(OB_CALL_RESULT_COUNT);
    v[OB_ENUM_RECORD_TYPE] = names_of<outbound::RecordType>(8);
    v[OB_ENUM_RECORD_STATUS] = names_of<outbound::RecordStatus>(OB_RECORD_STATUS_COUNT);
    v[OB_ENUM_CONTACT_INFO_TYPE] = names_of<outbound::ContactInfoType>(12);
    v[OB_ENUM_DIAL_MODE] = names_of<outbound::DialMode>(12);
    v[OB_ENUM_GOAL] = names_of<outbound::OptimizationGoal>(6);
    v[OB_ENUM_CAMPAIGN_STATE] = names_of<outbound::CampaignState>(6);
    v[OB_ENUM_AGENT_STATE] = names_of<outbound::AgentState>(outbound::kAgentStateCount);
    v[OB_ENUM_CALL_EVENT_KIND] = names_of<outbound::CallEventKind>(outbound::kCallEventKindCount);
    v[OB_ENUM_ANSWER_CLASS] = {"live", "machine", "fax", "silence", "unknown"};
    v[OB_ENUM_AMD_MODE] = {"none", "detect_drop", "detect_connect"};
    v[OB_ENUM_DRIVER_KIND] = {"tserver", "cpd", "gvp", "custom"};
    v[OB_ENUM_RECORD_ACTION] = names_of<outbound::RecordAction>(11);
    v[OB_ENUM_CALL_ACTION] = names_of<outbound::CallAction>(4);
    // Spelled here: outbound::to_string(CampaignEvent::Kind) is declared but not defined in the library yet.
    v[OB_ENUM_EVENT_KIND] = {"loaded", "started", "stopped", "unloaded", "mode_changed", "state_changed",
                             "record_error", "driver_error", "database_error", "call_finished", "info",
                             "preview_record", "preview_record_empty", "chained_record", "record_delivered",
                             "scheduled_call", "completed", "error"};
    v[OB_ENUM_LOG_LEVEL] = {"debug", "info", "warning", "error"};
    v[OB_ENUM_DNC_MATCH] = {"none", "phone", "customer_id"};
    v[OB_ENUM_CALLBACK_KIND] = {"personal", "campaign"};
    v[OB_ENUM_DNC_SCOPE] = {"record", "chain"};
    v[OB_ENUM_CPD_MODE] = {"transfer", "asm"};
    v[OB_ENUM_DISTRIBUTION_KIND] = {"constant", "exponential", "lognormal", "uniform"};
    v[OB_ENUM_CLOCK_KIND] = {"real", "manual"};
    return v;
  }();
  return t;
}

const char* table_name(int which, int value) noexcept {
  if (which < 0 || which >= OB_ENUM_COUNT) return nullptr;
  const Names& names = tables()[static_cast<std::size_t>(which)];
  int index = which == OB_ENUM_STATUS ? -value : value;
  if (index < 0 || index >= static_cast<int>(names.size())) return nullptr;
  return names[static_cast<std::size_t>(index)];
}

}  // namespace

thread_local int t_callback_depth = 0;

int set_error(int code, const std::string& message) noexcept {
  try {
    t_error.message = message.empty() ? std::string(ob_strerror(code)) : message;
  } catch (...) {
    t_error.message.clear();  // out of memory: ob_last_error() falls back to the code's text
  }
  t_error.code = code;
  ++t_error.serial;
  return code;
}

std::uint64_t error_serial() noexcept { return t_error.serial; }

void fail(ErrorCode code, const std::string& message) { throw outbound::Error(code, message); }

ErrorCode error_code_of(int status) noexcept {
  if (status <= OB_ERROR && status >= OB_EHANDLE) return static_cast<ErrorCode>(status);
  return ErrorCode::driver;
}

void check_version(unsigned int version, unsigned int current, const char* what) {
  if (version == 0 || version > current)
    fail(ErrorCode::invalid_argument, std::string(what) + " has version " + std::to_string(version) +
                                          "; this library knows versions 1.." + std::to_string(current) +
                                          " (set it with the _INIT macro or _init function)");
}

void check_code(int which, int v, const char* what) {
  if (!table_name(which, v)) fail(ErrorCode::invalid_argument, std::string(what) + " has no code " + std::to_string(v));
}

outbound::CampaignEvent::Kind to_event_kind(int kind) {
  if (kind < 0 || kind >= kEventKindCount) fail(ErrorCode::invalid_argument, "no event kind " + std::to_string(kind));
  return kEventKinds[kind];
}

int from_event_kind(outbound::CampaignEvent::Kind kind) noexcept {
  for (int i = 0; i < kEventKindCount; ++i)
    if (kEventKinds[i] == kind) return i;
  return OB_EVENT_INFO;
}

void track(const void* handle, Kind kind) {
  std::lock_guard lock(registry_mutex());
  registry()[handle] = kind;
}

void untrack(const void* handle) noexcept {
  std::lock_guard lock(registry_mutex());
  registry().erase(handle);
}

bool is_tracked_locked(const void* handle, Kind kind) noexcept {
  auto it = registry().find(handle);
  return it != registry().end() && it->second == kind;
}

bool is_tracked(const void* handle, Kind kind) noexcept {
  std::lock_guard lock(registry_mutex());
  return is_tracked_locked(handle, kind);
}

std::unique_lock<std::mutex> registry_lock() { return std::unique_lock(registry_mutex()); }

void bad_handle(const char* what) {
  fail(ErrorCode::bad_handle, std::string(what) + " is NULL, already freed, or not " + what);
}

void register_owned(const void* key, std::unique_ptr<Owned> owner) {
  std::lock_guard lock(owned_mutex());
  owned()[key] = std::move(owner);
}

void take_back(const void* key) noexcept {
  if (!key) return;
  std::unique_ptr<Owned> gone;
  {
    std::lock_guard lock(owned_mutex());
    auto it = owned().find(key);
    if (it == owned().end()) return;
    gone = std::move(it->second);
    owned().erase(it);
  }
}

char* dup_string(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

std::int64_t to_ms(outbound::Time t) noexcept { return t.time_since_epoch().count(); }
outbound::Time from_ms(std::int64_t ms) noexcept { return outbound::Time(outbound::Duration(ms)); }

}  // namespace obc

// --- the exported functions ----------------------------------------------------

extern "C" {

int ob_version_number(void) { return OB_VERSION_NUMBER; }

const char* ob_version_string(void) { return OB_VERSION_STRING; }

const char* ob_last_error(void) {
  const auto& e = obc::t_error;
  return e.message.empty() ? ob_strerror(e.code) : e.message.c_str();
}

const char* ob_strerror(int code) {
  if (code == OB_OK) return "ok";
  if (code <= OB_ERROR && code >= OB_EHANDLE) return outbound::to_string(static_cast<ErrorCode>(code)).data();
  return "unknown status";
}

void ob_error_set(int code, const char* message) { obc::set_error(code, obc::str(message)); }

void ob_free(void* p) { std::free(p); }

const char* ob_call_result_name(int code) { return obc::table_name(OB_ENUM_CALL_RESULT, code); }

const char* ob_enum_name(int which, int value) { return obc::table_name(which, value); }

int ob_enum_value(int* out, int which, const char* name) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(name, "name");
    if (which < 0 || which >= OB_ENUM_COUNT) obc::fail(ErrorCode::invalid_argument, "no code table " + std::to_string(which));
    const auto& names = obc::tables()[static_cast<std::size_t>(which)];
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (std::strcmp(names[i], name) == 0) {
        int v = static_cast<int>(i);
        *out = which == OB_ENUM_STATUS ? -v : v;
        return;
      }
    }
    obc::fail(ErrorCode::not_found, std::string("no code named \"") + name + "\" in table " + std::to_string(which));
  });
}

}  // extern "C"
