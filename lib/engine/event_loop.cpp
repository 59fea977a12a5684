#include "outbound/event_loop.hpp"

#include <utility>

namespace outbound {
namespace {

// Marks the calling thread as the loop's thread for the scope of a run.
class LoopThreadScope {
 public:
  explicit LoopThreadScope(std::atomic<std::thread::id>& slot) : slot_(slot) {
    previous_ = slot_.exchange(std::this_thread::get_id());
  }
  ~LoopThreadScope() { slot_.store(previous_); }
  LoopThreadScope(const LoopThreadScope&) = delete;
  LoopThreadScope& operator=(const LoopThreadScope&) = delete;

 private:
  std::atomic<std::thread::id>& slot_;
  std::thread::id previous_;
};

}  // namespace

EventLoop::EventLoop(std::shared_ptr<Clock> clock) : clock_(std::move(clock)) {}
EventLoop::~EventLoop() = default;

TimerId EventLoop::schedule_at(Time at, std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  timers_.emplace(TimerKey{at, id}, std::move(fn));
  timer_times_.emplace(id, at);
  return id;
}

TimerId EventLoop::schedule_after(Duration delay, std::function<void()> fn) {
  return schedule_at(add_saturating(now(), delay), std::move(fn));  // a huge delay: never, not at once
}

bool EventLoop::cancel(TimerId id) {
  auto it = timer_times_.find(id);
  if (it == timer_times_.end()) return false;
  timers_.erase(TimerKey{it->second, id});
  timer_times_.erase(it);
  return true;
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(std::move(fn));
  }
  inbox_cv_.notify_one();
}

void EventLoop::stop() {
  {
    std::lock_guard lock(inbox_mutex_);
    stop_requested_ = true;
  }
  inbox_cv_.notify_one();
}

bool EventLoop::in_loop_thread() const { return loop_thread_.load() == std::this_thread::get_id(); }

std::size_t EventLoop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(inbox_mutex_);
    batch.swap(inbox_);
  }
  for (auto& fn : batch) fn();
  return batch.size();
}

std::size_t EventLoop::run_due_timers(const std::function<bool()>& done) {
  std::size_t ran = 0;
  const Time now_t = now();
  // One timer at a time: a callback may schedule or cancel others.
  while (!timers_.empty()) {
    auto it = timers_.begin();
    if (it->first.first > now_t) break;
    auto fn = std::move(it->second);
    timer_times_.erase(it->first.second);
    timers_.erase(it);
    fn();
    ++ran;
    ran += run_posted();  // work a timer posted runs before later timers
    if (done && done()) break;
  }
  return ran;
}

std::size_t EventLoop::poll() {
  LoopThreadScope scope(loop_thread_);
  std::size_t ran = run_posted();
  ran += run_due_timers(nullptr);
  return ran;
}

// Blocks a real-clock loop until there is work, the next timer, the deadline, or a stop.
void EventLoop::wait_for_work(Time deadline) {
  std::unique_lock lock(inbox_mutex_);
  if (stop_requested_ || !inbox_.empty()) return;
  Time wake = deadline;
  if (!timers_.empty() && timers_.begin()->first.first < wake) wake = timers_.begin()->first.first;
  // Bounded so far-off deadlines (Time::max) never overflow the wait.
  auto wait = std::min<Duration>(wake - now(), std::chrono::hours(1));
  if (wait > Duration::zero())
    inbox_cv_.wait_for(lock, wait, [&] { return stop_requested_ || !inbox_.empty(); });
}

void EventLoop::run_until(Time deadline) { run_until(deadline, nullptr); }

void EventLoop::run_until(Time deadline, const std::function<bool()>& done) {
  LoopThreadScope scope(loop_thread_);
  for (;;) {
    run_posted();
    run_due_timers(done);
    if (done && done()) return;
    {
      std::lock_guard lock(inbox_mutex_);
      if (stop_requested_) {
        stop_requested_ = false;  // consumed: the next run starts afresh
        return;
      }
      if (!inbox_.empty()) continue;
    }
    if (now() >= deadline) return;
    if (clock_->is_manual()) {
      // Nothing is pending now: jump to the next timer, or to the deadline.
      Time next = timers_.empty() ? deadline : std::min(deadline, timers_.begin()->first.first);
      clock_->advance_to(next);
    } else {
      wait_for_work(deadline);  // a stop is seen at the top of the next turn
    }
  }
}

}  // namespace outbound
