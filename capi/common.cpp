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
//
// One source: every C name table below is read off the C++ enums, through the
// library's to_string() or, for enums that have none, through an exhaustive
// switch (a new C++ enumerator without a C name fails the build under -Wswitch
// -Werror). The C enums of outbound.h and the Python enums are checked against
// these tables by the capi_code_tables test.

using Names = std::vector<const char*>;

// The names of the contiguous values 0, 1, … of E, up to the first value `name`
// does not know (nullptr).
template <typename E, typename NameFn>
Names enumerate(NameFn name) {
  Names out;
  for (int i = 0;; ++i) {
    const char* n = name(static_cast<E>(i));
    if (!n) return out;
    out.push_back(n);
  }
}

// A table named by the library's to_string() ("invalid" past the last value).
template <typename E>
Names names_of() {
  return enumerate<E>([](E e) -> const char* {
    std::string_view n = outbound::to_string(e);
    return n == "invalid" ? nullptr : n.data();  // the names are NUL-terminated literals
  });
}

const char* status_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::generic: return "generic";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::invalid_state: return "invalid_state";
    case ErrorCode::busy: return "busy";
    case ErrorCode::compliance_blocked: return "compliance_blocked";
    case ErrorCode::database: return "database";
    case ErrorCode::driver: return "driver";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::bad_handle: return "bad_handle";
  }
  return nullptr;
}

// Status codes run 0, -1, -2, …: position i holds code -i.
Names status_names() {
  Names out{"ok"};
  for (int i = 1;; ++i) {
    const char* n = status_name(static_cast<ErrorCode>(-i));
    if (!n) return out;
    out.push_back(n);
  }
}

const char* answer_class_name(outbound::AnswerClass a) {
  using A = outbound::AnswerClass;
  switch (a) {
    case A::live: return "live";
    case A::machine: return "machine";
    case A::fax: return "fax";
    case A::silence: return "silence";
    case A::unknown: return "unknown";
  }
  return nullptr;
}

const char* amd_mode_name(outbound::AmdMode m) {
  using M = outbound::AmdMode;
  switch (m) {
    case M::none: return "none";
    case M::detect_drop: return "detect_drop";
    case M::detect_connect: return "detect_connect";
  }
  return nullptr;
}

const char* driver_kind_name(outbound::DriverKind k) {
  using K = outbound::DriverKind;
  switch (k) {
    case K::tserver: return "tserver";
    case K::cpd: return "cpd";
    case K::gvp: return "gvp";
    case K::custom: return "custom";
  }
  return nullptr;
}

const char* log_level_name(outbound::LogLevel l) {
  using L = outbound::LogLevel;
  switch (l) {
    case L::debug: return "debug";
    case L::info: return "info";
    case L::warning: return "warning";
    case L::error: return "error";
  }
  return nullptr;
}

const char* dnc_match_name(outbound::DncMatch m) {
  using M = outbound::DncMatch;
  switch (m) {
    case M::none: return "none";
    case M::phone: return "phone";
    case M::customer_id: return "customer_id";
  }
  return nullptr;
}

const char* callback_kind_name(outbound::CallbackKind k) {
  switch (k) {
    case outbound::CallbackKind::personal: return "personal";
    case outbound::CallbackKind::campaign: return "campaign";
  }
  return nullptr;
}

const char* dnc_scope_name(outbound::DncScope s) {
  switch (s) {
    case outbound::DncScope::record: return "record";
    case outbound::DncScope::chain: return "chain";
  }
  return nullptr;
}

const char* cpd_mode_name(outbound::sim::CpdMode m) {
  switch (m) {
    case outbound::sim::CpdMode::transfer: return "transfer";
    case outbound::sim::CpdMode::asm_mode: return "asm";  // C and Python say "asm"
  }
  return nullptr;
}

const char* distribution_kind_name(outbound::sim::Distribution::Kind k) {
  using K = outbound::sim::Distribution::Kind;
  switch (k) {
    case K::constant: return "constant";
    case K::exponential: return "exponential";
    case K::lognormal: return "lognormal";
    case K::uniform: return "uniform";
  }
  return nullptr;
}

// Every code table, built once. Index = ob_enum; position = value (the status
// table is offset: position i holds code -i).
const std::vector<Names>& tables() {
  static const std::vector<Names> t = [] {
    std::vector<Names> v(OB_ENUM_COUNT);
    v[OB_ENUM_STATUS] = status_names();
    v[OB_ENUM_CALL_RESULT] = names_of<outbound::CallResult>();
    v[OB_ENUM_RECORD_TYPE] = names_of<outbound::RecordType>();
    v[OB_ENUM_RECORD_STATUS] = names_of<outbound::RecordStatus>();
    v[OB_ENUM_CONTACT_INFO_TYPE] = names_of<outbound::ContactInfoType>();
    v[OB_ENUM_DIAL_MODE] = names_of<outbound::DialMode>();
    v[OB_ENUM_GOAL] = names_of<outbound::OptimizationGoal>();
    v[OB_ENUM_CAMPAIGN_STATE] = names_of<outbound::CampaignState>();
    v[OB_ENUM_AGENT_STATE] = names_of<outbound::AgentState>();
    v[OB_ENUM_CALL_EVENT_KIND] = names_of<outbound::CallEventKind>();
    v[OB_ENUM_ANSWER_CLASS] = enumerate<outbound::AnswerClass>(answer_class_name);
    v[OB_ENUM_AMD_MODE] = enumerate<outbound::AmdMode>(amd_mode_name);
    v[OB_ENUM_DRIVER_KIND] = enumerate<outbound::DriverKind>(driver_kind_name);
    v[OB_ENUM_RECORD_ACTION] = names_of<outbound::RecordAction>();
    v[OB_ENUM_CALL_ACTION] = names_of<outbound::CallAction>();
    v[OB_ENUM_EVENT_KIND] = names_of<outbound::CampaignEvent::Kind>();
    v[OB_ENUM_LOG_LEVEL] = enumerate<outbound::LogLevel>(log_level_name);
    v[OB_ENUM_DNC_MATCH] = enumerate<outbound::DncMatch>(dnc_match_name);
    v[OB_ENUM_CALLBACK_KIND] = enumerate<outbound::CallbackKind>(callback_kind_name);
    v[OB_ENUM_DNC_SCOPE] = enumerate<outbound::DncScope>(dnc_scope_name);
    v[OB_ENUM_CPD_MODE] = enumerate<outbound::sim::CpdMode>(cpd_mode_name);
    v[OB_ENUM_DISTRIBUTION_KIND] = enumerate<outbound::sim::Distribution::Kind>(distribution_kind_name);
    v[OB_ENUM_CLOCK_KIND] = {"real", "manual"};  // the C API's own choice; C++ passes a Clock object
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
  if (table_name(which, v)) return;
  const auto n = static_cast<int>(tables()[static_cast<std::size_t>(which)].size());
  fail(ErrorCode::invalid_argument, std::string(what) + " = " + std::to_string(v) + " is no code of its table (0.." +
                                        std::to_string(n - 1) + ")");
}

outbound::CampaignEvent::Kind to_event_kind(int kind) {
  if (!table_name(OB_ENUM_EVENT_KIND, kind)) fail(ErrorCode::invalid_argument, "no event kind " + std::to_string(kind));
  return static_cast<outbound::CampaignEvent::Kind>(kind);
}

// The C values are the C++ enumerators' (both tables come from the C++ enum).
int from_event_kind(outbound::CampaignEvent::Kind kind) noexcept { return static_cast<int>(kind); }

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
  fail(ErrorCode::bad_handle, std::string("the ") + what + " handle is NULL, already freed, or of another kind");
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
    if (which < 0 || which >= OB_ENUM_COUNT)
      obc::fail(ErrorCode::invalid_argument, "no code table " + std::to_string(which) + " (the OB_ENUM_* tables are 0.." +
                                                 std::to_string(OB_ENUM_COUNT - 1) + ")");
    const auto& names = obc::tables()[static_cast<std::size_t>(which)];
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (std::strcmp(names[i], name) == 0) {
        int v = static_cast<int>(i);
        *out = which == OB_ENUM_STATUS ? -v : v;
        return;
      }
    }
    obc::fail(ErrorCode::not_found, std::string("no code named \"") + name + "\" in code table " + std::to_string(which) +
                                        " (ob_enum_name lists its names)");
  });
}

}  // extern "C"
