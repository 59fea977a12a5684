// outbound — injected time. The engine never reads the system clock directly:
// under a ManualClock a whole campaign is deterministic and runs as fast as the
// CPU allows, which is how pacing is tested and how users rehearse campaigns.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// A UTC instant with millisecond resolution.
using Time = std::chrono::sys_time<std::chrono::milliseconds>;
/// A span of time with millisecond resolution.
using Duration = std::chrono::milliseconds;

/// Seconds since the epoch of an instant (rounded down).
OB_API EpochSeconds to_epoch_seconds(Time t) noexcept;
/// The instant of an epoch-seconds value.
OB_API Time from_epoch_seconds(EpochSeconds s) noexcept;
/// Seconds of a duration as a double (for statistics and reports).
OB_API double to_seconds(Duration d) noexcept;
/// A duration of fractional seconds, rounded to the millisecond.
OB_API Duration from_seconds(double s) noexcept;

/// The longest a duration option may be: 36,500 days (100 years), which also
/// serves as "forever" (a redial lockout, a backoff). Options beyond it are refused.
inline constexpr Duration kMaxDurationOption = std::chrono::hours(24 * 36500);

/// `t + d`, held at the ends of Time's range instead of overflowing. Every
/// duration added to an instant goes through it, so a huge value means "never",
/// not a jump into the past.
OB_API Time add_saturating(Time t, Duration d) noexcept;
/// `a + b`, held at the ends of Duration's range instead of overflowing.
OB_API Duration add_saturating(Duration a, Duration b) noexcept;

/// A source of the current time; the engine's only way to learn it.
class OB_API Clock {
 public:
  virtual ~Clock();
  /// The current instant.
  virtual Time now() const = 0;
  /// True when time only moves when told to (the loop may jump it forward).
  virtual bool is_manual() const = 0;
  /// Moves a manual clock to `t` (never backwards); ignored by real clocks.
  virtual void advance_to(Time t);
};

/// Wall-clock time from std::chrono::system_clock.
class OB_API SystemClock final : public Clock {
 public:
  /// The system's current UTC time.
  Time now() const override;
  /// Always false.
  bool is_manual() const override { return false; }
};

/// Time that moves only when advanced: deterministic runs and rehearsals.
class OB_API ManualClock final : public Clock {
 public:
  /// A manual clock standing at `start`.
  explicit ManualClock(Time start = Time{});
  /// The instant the clock stands at.
  Time now() const override;
  /// Always true.
  bool is_manual() const override { return true; }
  /// Moves the clock to `t`; a `t` in the past is ignored (time never runs back).
  void advance_to(Time t) override;
  /// Moves the clock forward by `d`.
  void advance(Duration d);

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace outbound
