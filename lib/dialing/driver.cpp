#include "outbound/driver/driver.hpp"

namespace outbound {

EventSink::~EventSink() = default;
Driver::~Driver() = default;

std::string_view to_string(CallEventKind k) noexcept {
  switch (k) {
    case CallEventKind::dialing: return "dialing";
    case CallEventKind::ringing: return "ringing";
    case CallEventKind::answered: return "answered";
    case CallEventKind::connected: return "connected";
    case CallEventKind::abandoned: return "abandoned";
    case CallEventKind::released: return "released";
  }
  return "invalid";
}

}  // namespace outbound
