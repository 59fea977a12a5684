// outbound — the one exception type the C++ API throws, with a code a caller
// can act on. The C ABI maps these codes one to one onto its int statuses.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "outbound/export.hpp"

namespace outbound {

/// Failure kinds a caller can act on; values match the C ABI's OB_E* codes.
enum class ErrorCode : int {
  generic = -1,             ///< anything else (see the message)
  invalid_argument = -2,    ///< a bad value: malformed, out of range, unsafe SQL
  not_found = -3,           ///< an unknown record, campaign, call or agent
  invalid_state = -4,       ///< not allowed now (campaign not loaded, stopped driver…)
  busy = -5,                ///< a resource is taken (locked database, no free port)
  compliance_blocked = -6,  ///< DNC, calling window or abandon cap forbids it
  database = -7,            ///< the database failed or went away
  driver = -8,              ///< a dialer driver failed
  unsupported = -9,         ///< the driver or mode cannot do this
  bad_handle = -10,         ///< a NULL, freed or wrong handle (C ABI)
};

/// Static text for an error code ("invalid argument").
OB_API std::string_view to_string(ErrorCode code) noexcept;

/// The exception thrown by the outbound C++ API.
class OB_API Error : public std::runtime_error {
 public:
  /// Builds an error with a code and a message that says what went wrong.
  Error(ErrorCode code, const std::string& message);
  /// The error's code.
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace outbound
