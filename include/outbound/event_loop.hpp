// outbound — the single-threaded event loop at the heart of the engine.
//
// All engine state changes on the loop's thread. Timers are scheduled and run
// on it; other threads hand work to it with post(). Under a ManualClock the
// loop jumps the clock to the next timer once nothing else is pending, so a
// simulated day runs in seconds and two runs with one seed are identical.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "outbound/clock.hpp"
#include "outbound/export.hpp"

namespace outbound {

/// Identifies a scheduled timer; 0 is never a valid id.
using TimerId = std::uint64_t;

/// A timer queue plus a thread-safe inbox, driven by poll() or run_until().
class OB_API EventLoop {
 public:
  /// A loop on `clock` (shared: drivers and tests may read it too).
  explicit EventLoop(std::shared_ptr<Clock> clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// The loop's clock.
  Clock& clock() const { return *clock_; }
  /// The current time on the loop's clock.
  Time now() const { return clock_->now(); }

  /// Runs `fn` at `at` (or on the next turn if `at` is past); loop thread only.
  TimerId schedule_at(Time at, std::function<void()> fn);
  /// Runs `fn` after `delay`; loop thread only.
  TimerId schedule_after(Duration delay, std::function<void()> fn);
  /// Cancels a pending timer; false when it already ran or never existed.
  bool cancel(TimerId id);

  /// Queues `fn` to run on the loop thread; callable from any thread.
  void post(std::function<void()> fn);

  /// Runs everything due now (posted work, expired timers); never blocks.
  /// Returns the number of callbacks run.
  std::size_t poll();
  /// Runs until `deadline` on the clock or stop(); a manual clock is advanced
  /// timer by timer, a real clock is waited on.
  void run_until(Time deadline);
  /// Runs until `done()` is true (checked after each callback), `deadline`, or stop().
  void run_until(Time deadline, const std::function<bool()>& done);
  /// Makes the running (or the next) run_until() return soon; callable from any thread.
  void stop();
  /// Number of timers still pending.
  std::size_t pending_timers() const { return timers_.size(); }
  /// True when called on the thread currently running the loop.
  bool in_loop_thread() const;

 private:
  using TimerKey = std::pair<Time, TimerId>;
  std::size_t run_posted();
  std::size_t run_due_timers(const std::function<bool()>& done);
  void wait_for_work(Time deadline);

  std::shared_ptr<Clock> clock_;
  std::map<TimerKey, std::function<void()>> timers_;
  std::unordered_map<TimerId, Time> timer_times_;
  TimerId next_timer_id_ = 1;

  mutable std::mutex inbox_mutex_;
  std::condition_variable inbox_cv_;
  std::vector<std::function<void()>> inbox_;
  bool stop_requested_ = false;
  std::atomic<std::thread::id> loop_thread_{};
};

}  // namespace outbound
