// The SIP driver's one thread: a sofia-sip root that runs every call's SIP
// transactions, RTP sockets and timers. Other threads hand it work with
// post() (or call(), which waits); everything else in lib/sip runs on it
// (private to lib/sip).
#pragma once

#include <sofia-sip/su_wait.h>

#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>

#include "outbound/clock.hpp"
#include "outbound/error.hpp"

namespace outbound::sip {

/// A thread running a sofia-sip root, with a queue other threads post to.
class Reactor {
 public:
  Reactor() = default;
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  /// Starts the thread and runs `init` on it first; an exception from `init` ends the thread and is
  /// rethrown here. `finish` runs on the thread after the loop ends (stop()).
  void start(std::function<void()> init, std::function<void()> finish);
  /// Runs `fn` on the thread soon (in order); false (and dropped) when the thread is not running.
  bool post(std::function<void()> fn);
  /// Runs `fn` on the thread and waits; rethrows what it throws; Error(invalid_state) when the
  /// thread is not running. On the thread itself: at once.
  template <typename Fn>
  auto call(Fn&& fn) -> std::invoke_result_t<Fn&>;
  /// Ends the loop (from the thread: after the current callback); stop() then joins.
  void quit();
  /// Waits for the thread to end (after quit()) and runs nothing more.
  void join();
  /// Waits up to `limit` for the thread to end; true when it has (then join() is quick).
  bool wait_ended(Duration limit);
  /// True on the reactor's thread.
  bool in_thread() const noexcept { return std::this_thread::get_id() == thread_.get_id(); }
  /// The root (its thread only).
  su_root_t* root() const noexcept { return root_; }

 private:
  static int on_wakeup(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg);
  void run(std::function<void()> init, std::function<void()> finish, std::promise<void>& ready);
  void drain();

  std::thread thread_;
  std::promise<void> ended_;
  std::shared_future<void> ended_future_ = ended_.get_future().share();
  su_root_t* root_ = nullptr;
  int wakeup_fd_ = -1;
  int wakeup_index_ = -1;
  std::mutex mu_;  // guards queue_ and open_
  std::deque<std::function<void()>> queue_;
  bool open_ = false;
};

template <typename Fn>
auto Reactor::call(Fn&& fn) -> std::invoke_result_t<Fn&> {
  using R = std::invoke_result_t<Fn&>;
  if (in_thread()) return fn();
  auto done = std::make_shared<std::promise<R>>();
  auto result = done->get_future();
  const bool posted = post([&fn, done] {
    try {
      if constexpr (std::is_void_v<R>) {
        fn();
        done->set_value();
      } else {
        done->set_value(fn());
      }
    } catch (...) {
      done->set_exception(std::current_exception());
    }
  });
  if (!posted) throw Error(ErrorCode::invalid_state, "the SIP driver is not started");
  return result.get();
}

/// A one-shot timer on the reactor's thread; cancelled when it goes.
class Timer {
 public:
  Timer() = default;
  ~Timer() { cancel(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Runs `fn` once after `delay` (replacing what was set).
  void set(su_root_t* root, Duration delay, std::function<void()> fn);
  /// Forgets what was set.
  void cancel() noexcept;
  /// True while set and not yet fired.
  bool armed() const noexcept { return timer_ != nullptr; }

 private:
  static void fire(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg);
  su_timer_t* timer_ = nullptr;
  std::function<void()> fn_;
};

}  // namespace outbound::sip
