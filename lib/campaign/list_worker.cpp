// A campaign's calling-list I/O off the loop thread (see list_worker.hpp).
#include "list_worker.hpp"

#include <utility>

namespace outbound::detail {

ListWorker::ListWorker(EventLoop& loop, bool threaded) : loop_(loop), threaded_(threaded) {
  if (threaded_) thread_ = std::thread([this] { work(); });
}

ListWorker::~ListWorker() {
  if (!threaded_) return;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->cv.notify_all();
  thread_.join();
}

void ListWorker::submit(std::function<void()> job, std::function<void()> done) {
  if (!threaded_) {
    job();
    done();
    return;
  }
  ++in_flight_;
  {
    std::lock_guard lock(shared_->mutex);
    // The completion travels with the job so that both keep submission order.
    shared_->jobs.push_back([job = std::move(job), done = std::move(done), s = shared_.get()]() mutable {
      job();
      std::lock_guard l(s->mutex);
      s->completions.push_back(std::move(done));
    });
  }
  shared_->cv.notify_all();
}

// Runs queued jobs until stopped; a stop waits for the queue to empty first.
void ListWorker::work() {
  std::unique_lock lock(shared_->mutex);
  for (;;) {
    shared_->cv.wait(lock, [&] { return shared_->stopping || !shared_->jobs.empty(); });
    if (shared_->jobs.empty()) return;  // stopping, nothing left
    auto job = std::move(shared_->jobs.front());
    shared_->jobs.pop_front();
    shared_->running_job = true;
    lock.unlock();
    {
      std::lock_guard io(io_mutex_);
      job();  // jobs catch their own database errors; their completions report them
    }
    lock.lock();
    shared_->running_job = false;
    shared_->cv.notify_all();
    // The loop learns of it as an event; a worker gone by then finds nothing to run.
    loop_.post([w = std::weak_ptr<Shared>(shared_), this] {
      if (auto alive = w.lock()) run_completions();
    });
  }
}

void ListWorker::wait_idle() {
  if (!threaded_) return;
  {
    std::unique_lock lock(shared_->mutex);
    shared_->cv.wait(lock, [&] { return shared_->jobs.empty() && !shared_->running_job; });
  }
  run_completions();
}

// One at a time: a completion may itself wait for the worker (a stop from
// an event handler), and the completions it runs then must still come in order.
void ListWorker::run_completions() {
  for (;;) {
    std::function<void()> done;
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->completions.empty()) return;
      done = std::move(shared_->completions.front());
      shared_->completions.pop_front();
    }
    --in_flight_;
    done();
  }
}

}  // namespace outbound::detail
