// When the next INVITE may go to the trunk: the calls-per-second limit, and a
// back-off after signs of an overloaded or unreachable trunk (503, no
// response, transport failure) so that a storm of them slows dialing instead
// of burning through the calling list (private to lib/sip; pure: times in).
#pragma once

#include <optional>

#include "outbound/clock.hpp"

namespace outbound::sip {

/// The gate INVITEs pass; all times are the caller's (steady) milliseconds.
class DialGate {
 public:
  /// A gate letting through `cps` INVITEs a second (0 = no limit), pausing `initial` after the
  /// first sign of trouble, doubling with each further one up to `max`.
  DialGate(double cps, Duration initial, Duration max);

  /// The earliest time an INVITE may go out (<= now: at once).
  Time next_allowed() const noexcept;
  /// Records an INVITE sent at `now`.
  void sent(Time now) noexcept;
  /// Records trouble at `now` (a 503, a timeout, a transport failure); `retry_after` is the trunk's
  /// Retry-After when it gave one. Returns the pause it starts: 0 while one is under way already (the
  /// answers to INVITEs sent before it tell nothing new).
  Duration trouble(Time now, std::optional<Duration> retry_after = std::nullopt) noexcept;
  /// Records a response that shows the trunk working: the next trouble starts from `initial` again.
  void healthy() noexcept { consecutive_ = 0; }
  /// Troubles in a row so far.
  int consecutive() const noexcept { return consecutive_; }

 private:
  Duration interval_{0};  // between INVITEs (1 / cps)
  Duration initial_, max_;
  Time next_{};           // the rate limit's next slot
  Time paused_until_{};   // the back-off's end
  int consecutive_ = 0;
};

}  // namespace outbound::sip
