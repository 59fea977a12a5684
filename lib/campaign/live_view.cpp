// What a supervisor watches live: the calls in flight by phase.
#include "campaign_impl.hpp"

namespace outbound {

CallCounts Campaign::call_counts() const {
  CallCounts n;
  for (const auto& [id, c] : impl_->calls) {
    if (c.connected)
      ++n.connected;
    else if (c.live && !c.abandoned)
      ++n.waiting;
    else if (c.answered_at)
      ++n.other;  // a machine, fax or silence being handled, or an abandoned call being released
    else if (c.ringing)
      ++n.ringing;
    else
      ++n.dialing;
  }
  return n;
}

}  // namespace outbound
