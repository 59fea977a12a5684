#include "reactor.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <string>

#include "outbound/error.hpp"

namespace outbound::sip {

Reactor::~Reactor() {
  quit();
  join();
}

void Reactor::start(std::function<void()> init, std::function<void()> finish) {
  std::promise<void> ready;
  auto started = ready.get_future();
  thread_ = std::thread([this, init = std::move(init), finish = std::move(finish), &ready]() mutable {
    run(std::move(init), std::move(finish), ready);
  });
  try {
    started.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

void Reactor::run(std::function<void()> init, std::function<void()> finish, std::promise<void>& ready) {
  su_init();
  root_ = su_root_create(nullptr);
  wakeup_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  su_wait_t wait[1];
  bool ok = root_ && wakeup_fd_ >= 0 && su_wait_create(wait, wakeup_fd_, SU_WAIT_IN) == 0 &&
            (wakeup_index_ = su_root_register(root_, wait, on_wakeup, reinterpret_cast<su_wakeup_arg_t*>(this), 0)) >= 0;
  try {
    if (!ok) throw Error(ErrorCode::generic, std::string("SIP driver: no event loop: ") + std::strerror(errno));
    init();
  } catch (...) {
    if (root_) su_root_destroy(root_);
    if (wakeup_fd_ >= 0) close(wakeup_fd_);
    root_ = nullptr;
    wakeup_fd_ = -1;
    su_deinit();
    ready.set_exception(std::current_exception());
    return;
  }
  {
    std::lock_guard lock(mu_);
    open_ = true;
  }
  ready.set_value();
  su_root_run(root_);
  {
    std::lock_guard lock(mu_);
    open_ = false;
    queue_.clear();
  }
  finish();
  su_root_deregister(root_, wakeup_index_);
  su_root_destroy(root_);
  close(wakeup_fd_);
  root_ = nullptr;
  wakeup_fd_ = -1;
  su_deinit();
  ended_.set_value();
}

bool Reactor::wait_ended(Duration limit) {
  if (!thread_.joinable()) return true;
  return ended_future_.wait_for(limit) == std::future_status::ready;
}

bool Reactor::post(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (!open_) return false;
  queue_.push_back(std::move(fn));
  const std::uint64_t one = 1;
  // A full counter still wakes the loop: the write can only fail with EAGAIN then.
  [[maybe_unused]] auto n = write(wakeup_fd_, &one, sizeof one);
  return true;
}

int Reactor::on_wakeup(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  auto* self = reinterpret_cast<Reactor*>(arg);
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = read(self->wakeup_fd_, &count, sizeof count);
  self->drain();
  return 0;
}

void Reactor::drain() {
  for (;;) {
    std::function<void()> fn;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty() || !open_) return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    fn();
  }
}

void Reactor::quit() {
  if (!thread_.joinable()) return;
  if (in_thread()) {
    su_root_break(root_);
    return;
  }
  post([this] { su_root_break(root_); });
}

void Reactor::join() {
  if (thread_.joinable() && !in_thread()) thread_.join();
}

void Timer::set(su_root_t* root, Duration delay, std::function<void()> fn) {
  cancel();
  fn_ = std::move(fn);
  // A one-shot su_timer_set (not set_interval): sofia touches an interval timer after its callback,
  // and ours may destroy the timer from there.
  const auto ms = static_cast<su_duration_t>(std::max<Duration::rep>(0, delay.count()));
  timer_ = su_timer_create(su_root_task(root), ms);
  if (timer_ && su_timer_set(timer_, fire, reinterpret_cast<su_timer_arg_t*>(this)) != 0) cancel();
}

void Timer::cancel() noexcept {
  if (!timer_) return;
  su_timer_destroy(timer_);
  timer_ = nullptr;
}

void Timer::fire(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  auto* self = reinterpret_cast<Timer*>(arg);
  auto fn = std::move(self->fn_);
  self->cancel();  // one-shot; fn may set it again or destroy the Timer
  if (fn) fn();
}

}  // namespace outbound::sip
