// Instants as text for JSON: ISO 8601 UTC with seconds.
#pragma once

#include <ctime>
#include <string>

#include "outbound/clock.hpp"

namespace outbound::serve {

/// "2026-03-09T13:00:00Z".
inline std::string iso_utc(Time t) {
  std::time_t s = static_cast<std::time_t>(to_epoch_seconds(t));
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace outbound::serve
