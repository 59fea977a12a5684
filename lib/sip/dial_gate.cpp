#include "dial_gate.hpp"

#include <algorithm>
#include <cmath>

namespace outbound::sip {

DialGate::DialGate(double cps, Duration initial, Duration max)
    : interval_(cps > 0 ? Duration(static_cast<Duration::rep>(std::llround(1000.0 / cps))) : Duration(0)),
      initial_(initial),
      max_(max) {}

Time DialGate::next_allowed() const noexcept { return std::max(next_, paused_until_); }

void DialGate::sent(Time now) noexcept { next_ = std::max(now, next_) + interval_; }

Duration DialGate::trouble(Time now, std::optional<Duration> retry_after) noexcept {
  if (now < paused_until_) return Duration(0);
  ++consecutive_;
  // initial * 2^(n-1), computed without overflow: stop doubling once past max.
  Duration pause = initial_;
  for (int i = 1; i < consecutive_ && pause < max_; ++i) pause *= 2;
  if (retry_after) pause = std::max(pause, *retry_after);
  pause = std::min(pause, max_);
  paused_until_ = std::max(paused_until_, now + pause);
  return pause;
}

}  // namespace outbound::sip
