// outbound — what users see of a call without the driver tier: its id, how
// answering machines are handled, and how an answer was classified. Drivers
// (include/outbound/driver/) build on these; campaigns, the call log and the
// simulator use them without needing the driver interface.
#pragma once

#include <cstdint>
#include <string>

#include "outbound/clock.hpp"
#include "outbound/export.hpp"

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

/// What a campaign's calls hear and how their answers are told apart; it travels with every dial
/// (DialRequest::audio), so any driver gets it. A zero or empty field means "the driver's own".
/// The AMD times are those of docs/amd.md (media::AmdSettings), in ms of audio after the answer.
struct CampaignAudio {
  Duration amd_initial_silence{0};         ///< no voice this long after the answer: silence (500..30000 ms)
  Duration amd_max_greeting{0};            ///< a greeting still going this long after it began: machine (200..30000 ms)
  Duration amd_after_greeting_silence{0};  ///< quiet this long after a shorter greeting: live (100..10000 ms)
  int amd_max_words = 0;                   ///< more words than this in the greeting: machine (1..100)
  Duration amd_max_decision{0};            ///< undecided this long: machine if still talking, else unknown (500..60000 ms)
  Duration amd_max_message_wait{0};        ///< a machine's message starts by then, beep or not (1000..120000 ms)
  std::string abandon_message;             ///< WAV (8/16 kHz mono 16-bit) played to an abandoned live callee
  std::string machine_message;             ///< WAV left on a machine after its beep (detect_connect)
  char opt_out_digit = 0;                  ///< '0'-'9', '*', '#': pressed during the abandon message, the number goes on the DNC list

  /// Field by field equality (a request whose audio equals CampaignAudio{} leaves everything to the driver).
  bool operator==(const CampaignAudio&) const = default;
};

/// Throws Error(invalid_argument) naming the field (prefixed by `field`, e.g. "audio") when a setting
/// is out of its range, a message is not a readable 8/16 kHz mono 16-bit WAV, or the opt-out digit is
/// not one of 0-9, * and #.
OB_API void validate(const CampaignAudio& audio, const std::string& field = "audio");

}  // namespace outbound
