// SIP final responses to OCS call results: one place, the table docs/sip.md
// shows row by row. The few results that do not come from a response (ring
// timeout, no response at all, transport failure, hang-ups) are chosen where
// they happen (call_flow.cpp) and listed in the same table.
#include "outbound/driver/sip.hpp"

namespace outbound {

CallResult sip_call_result(int status) noexcept {
  switch (status) {
    case 404: return CallResult::sit_vacant;          // Not Found: no such number here (Q.850 1, unallocated)
    case 604: return CallResult::sit_vacant;          // Does Not Exist Anywhere
    case 410: return CallResult::sit_oper_intercept;  // Gone: the number changed or was disconnected (Q.850 22)
    case 484: return CallResult::sit_invalid_num;     // Address Incomplete: not a valid number (Q.850 28)
    case 486: return CallResult::busy;                // Busy Here (Q.850 17)
    case 600: return CallResult::busy;                // Busy Everywhere
    case 603: return CallResult::busy;                // Decline: the callee refused this call; try another time
    case 408: return CallResult::no_answer;           // Request Timeout from the far end (Q.850 18, no user responding)
    case 480: return CallResult::no_answer;           // Temporarily Unavailable (Q.850 19, no answer)
    case 487: return CallResult::cleared;             // Request Terminated: our CANCEL
    case 503: return CallResult::all_trunks_busy;     // Service Unavailable (Q.850 34, no circuit): dialing backs off
    case 500: return CallResult::switch_error;        // Server Internal Error
    case 502: return CallResult::switch_error;        // Bad Gateway (Q.850 38, network out of order)
    case 504: return CallResult::no_progress;         // Server Time-out: the next hop never answered
    case 403: return CallResult::dial_error;          // Forbidden: the trunk will not place this call
    case 401:                                         // Unauthorized / Proxy Authentication Required,
    case 407: return CallResult::dial_error;          //   once the credentials (if any) were refused
    case 488:                                         // Not Acceptable Here / Not Acceptable:
    case 606: return CallResult::dial_error;          //   no common codec with G.711
    default: break;
  }
  if (status >= 300 && status < 400) return CallResult::redirected;  // 3xx: redirects are not followed
  if (status >= 400 && status < 500) return CallResult::dial_error;  // any other request failure
  if (status >= 500 && status < 600) return CallResult::switch_error;  // any other server failure
  if (status >= 600 && status < 700) return CallResult::general_error;  // any other global failure
  return CallResult::unknown;
}

}  // namespace outbound
