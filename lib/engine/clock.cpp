#include "outbound/clock.hpp"

#include <cmath>

namespace outbound {

EpochSeconds to_epoch_seconds(Time t) noexcept {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}
// Seconds beyond what milliseconds can hold are held at the ends of Time's range.
Time from_epoch_seconds(EpochSeconds s) noexcept {
  std::int64_t ms = 0;
  if (__builtin_mul_overflow(s, std::int64_t{1000}, &ms)) return s < 0 ? Time::min() : Time::max();
  return Time{Duration{ms}};
}
double to_seconds(Duration d) noexcept { return static_cast<double>(d.count()) / 1000.0; }
Duration from_seconds(double s) noexcept {
  return Duration{static_cast<std::int64_t>(std::llround(s * 1000.0))};
}

Duration add_saturating(Duration a, Duration b) noexcept {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a.count(), b.count(), &sum)) return b.count() < 0 ? Duration::min() : Duration::max();
  return Duration{sum};
}

Time add_saturating(Time t, Duration d) noexcept { return Time{add_saturating(t.time_since_epoch(), d)}; }

Clock::~Clock() = default;
void Clock::advance_to(Time) {}

Time SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

ManualClock::ManualClock(Time start) : now_ms_(start.time_since_epoch().count()) {}
Time ManualClock::now() const { return Time{Duration{now_ms_.load(std::memory_order_acquire)}}; }
void ManualClock::advance_to(Time t) {
  std::int64_t target = t.time_since_epoch().count();
  std::int64_t cur = now_ms_.load(std::memory_order_acquire);
  while (target > cur && !now_ms_.compare_exchange_weak(cur, target, std::memory_order_acq_rel)) {
  }
}
void ManualClock::advance(Duration d) { advance_to(add_saturating(now(), d)); }

}  // namespace outbound
