// outbound — what users see of a call without the driver tier: its id, how
// answering machines are handled, and how an answer was classified. Drivers
// (include/outbound/driver/) build on these; campaigns, the call log and the
// simulator use them without needing the driver interface.
#pragma once

#include <cstdint>

namespace outbound {

/// Identifies one call placed by the engine; unique per engine, never 0.
using CallId = std::uint64_t;

/// How answering machines are handled.
enum class AmdMode : int {
  none = 0,            ///< no detection: every answer is treated as live
  detect_drop = 1,     ///< detect machines and release them (result answering_machine)
  detect_connect = 2,  ///< detect machines and connect them (e.g. to leave a message)
};

/// How an answer was classified; only live (or unknown) starts the 2 s abandon clock.
enum class AnswerClass : int { live = 0, machine = 1, fax = 2, silence = 3, unknown = 4 };

}  // namespace outbound
