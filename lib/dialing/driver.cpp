#include "outbound/driver/driver.hpp"

#include "outbound/error.hpp"

namespace outbound {

EventSink::~EventSink() = default;
Driver::~Driver() = default;

DriverCapabilities Driver::capabilities() const { return {}; }

void Driver::connect(CallId call_id, const std::string& agent_id) {
  throw Error(ErrorCode::unsupported, name() + " cannot connect call " + std::to_string(call_id) + " to agent " +
                                          agent_id + " on request: its network routes answers itself");
}

// Without a message to play, ending the call is all a driver can do; the
// engine records it as abandoned whatever result the release carries.
void Driver::release_abandoned(CallId call_id) { cancel(call_id); }

void Driver::transfer(CallId call_id, const std::string& destination) {
  throw Error(ErrorCode::unsupported, name() + " cannot transfer call " + std::to_string(call_id) + " to " + destination);
}

std::string Driver::name() const { return "custom"; }

std::string_view to_string(CallEventKind k) noexcept {
  switch (k) {
    case CallEventKind::dialing: return "dialing";
    case CallEventKind::ringing: return "ringing";
    case CallEventKind::answered: return "answered";
    case CallEventKind::connected: return "connected";
    case CallEventKind::abandoned: return "abandoned";
    case CallEventKind::released: return "released";
    case CallEventKind::connect_failed: return "connect_failed";
  }
  return "invalid";
}

}  // namespace outbound
