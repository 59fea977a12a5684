#include "outbound/clock.hpp"

#include <cmath>

namespace outbound {

EpochSeconds to_epoch_seconds(Time t) noexcept {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}
Time from_epoch_seconds(EpochSeconds s) noexcept { return Time{std::chrono::seconds{s}}; }
double to_seconds(Duration d) noexcept { return static_cast<double>(d.count()) / 1000.0; }
Duration from_seconds(double s) noexcept {
  return Duration{static_cast<std::int64_t>(std::llround(s * 1000.0))};
}

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
void ManualClock::advance(Duration d) { advance_to(now() + d); }

}  // namespace outbound
