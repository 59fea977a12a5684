// Private: where a campaign's calling-list I/O runs. With a real clock a
// thread of its own does it, so a slow or locked database never delays the
// loop thread (the abandon timer, connecting a live answer); the loop posts
// jobs and gets each job's completion back as a loop event, in order. Under a
// manual clock a job and its completion run at once on the caller's thread,
// so simulations stay deterministic and give the same reports as before.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "outbound/event_loop.hpp"

namespace outbound::detail {

/// Runs database jobs for one campaign: on a worker thread, or inline.
class ListWorker {
 public:
  /// A worker posting completions to `loop`; `threaded` false runs everything inline.
  ListWorker(EventLoop& loop, bool threaded);
  /// Finishes the jobs already queued (writes in flight are not dropped), then joins.
  ~ListWorker();
  ListWorker(const ListWorker&) = delete;
  ListWorker& operator=(const ListWorker&) = delete;

  /// Runs `job` off the loop thread, then `done` on the loop thread; jobs run in submission order.
  void submit(std::function<void()> job, std::function<void()> done);
  /// Runs `fn` now on the calling thread, after any job under way (one database user at a time).
  template <typename Fn>
  decltype(auto) run_now(Fn&& fn) {
    std::lock_guard lock(io_mutex_);
    return fn();
  }
  /// Blocks until every submitted job has run, then runs their completions here (loop thread).
  void wait_idle();
  /// Runs the completions of finished jobs (loop thread).
  void run_completions();
  /// Jobs submitted whose completion has not run yet.
  std::size_t in_flight() const { return in_flight_; }
  /// True when jobs run on a worker thread.
  bool threaded() const { return threaded_; }

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::function<void()>> jobs;
    std::deque<std::function<void()>> completions;
    bool running_job = false;
    bool stopping = false;
  };
  void work();

  EventLoop& loop_;
  const bool threaded_;
  std::size_t in_flight_ = 0;          // loop thread only
  std::mutex io_mutex_;                // held while a job (or run_now) uses the database
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::thread thread_;
};

/// Runs one database call in a job; a failure's message ("what: reason") goes to `error` for the loop to report.
template <typename Fn>
bool run_db(const char* what, std::string& error, Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const std::exception& e) {
    error = std::string(what) + ": " + e.what();
  } catch (...) {
    error = std::string(what) + ": unknown error";
  }
  return false;
}

}  // namespace outbound::detail
