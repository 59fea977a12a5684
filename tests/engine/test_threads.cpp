// Drivers may report events from any thread while the engine runs its loop on
// its own thread: events are queued to the loop, nothing races, nothing is
// lost. Run under ThreadSanitizer in CI.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

/// A driver with worker threads of its own: dial() hands the call to a
/// queue; workers report its whole life from their threads, plus noise
/// (events for calls that do not exist).
class ThreadedDriver : public Driver {
 public:
  explicit ThreadedDriver(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this, i] { work(i); });
  }
  ~ThreadedDriver() override {
    {
      std::lock_guard lock(m_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  DriverCapabilities capabilities() const override {
    DriverCapabilities c;
    c.reports_agent_states = false;
    return c;
  }
  void start(EventSink& sink) override {
    std::lock_guard lock(m_);
    sink_ = &sink;
  }
  void dial(const DialRequest& rq) override {
    std::lock_guard lock(m_);
    queue_.push_back(rq.call_id);
    ++dials;
    cv_.notify_one();
  }
  void cancel(CallId) override {}
  void release_abandoned(CallId) override {}
  void stop() override {
    std::unique_lock lock(m_);
    // No event after stop returns: wait for the workers to drop the sink.
    sink_ = nullptr;
    idle_.wait(lock, [&] { return busy_ == 0; });
  }
  std::string name() const override { return "threaded"; }
  std::atomic<long> dials{0};

 private:
  void work(int worker) {
    for (;;) {
      CallId id = 0;
      EventSink* sink = nullptr;
      {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return quit_ || !queue_.empty(); });
        if (quit_) return;
        id = queue_.front();
        queue_.pop_front();
        sink = sink_;
        if (sink) ++busy_;
      }
      if (sink) {
        Time t{};
        sink->on_call_event(obtest::call_event(CallEventKind::dialing, id, t));
        sink->on_call_event(obtest::call_event(CallEventKind::ringing, id, t));
        sink->on_call_event(obtest::call_event(CallEventKind::released, 999999 + id, t));  // unknown call: ignored
        sink->on_agent_event({"agent" + std::to_string(worker), AgentState::ready, t});
        sink->on_call_event(obtest::call_event(CallEventKind::released, id, t, AnswerClass::unknown, {},
                                               id % 3 ? CallResult::no_answer : CallResult::busy));
        std::lock_guard lock(m_);
        if (--busy_ == 0) idle_.notify_all();
      }
    }
  }

  std::mutex m_;
  std::condition_variable cv_, idle_;
  std::deque<CallId> queue_;
  EventSink* sink_ = nullptr;
  int busy_ = 0;
  bool quit_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE("events from driver threads reach the engine thread; every record ends written") {
  obtest::TempDir dir;
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  list->insert(obtest::make_records(400));
  auto driver = std::make_shared<ThreadedDriver>(4);
  Engine engine;  // the system clock: real threads, real time
  std::promise<Campaign*> made;
  std::atomic<long> finished{0};
  engine.start_thread();
  engine.loop().post([&] {
    CampaignConfig cfg;
    cfg.name = "threads";
    cfg.flush_interval = 20ms;
    cfg.tick = 10ms;
    auto& c = engine.add_campaign(cfg, driver);
    c.on_event([&](const CampaignEvent& e) {
      if (e.kind == CampaignEvent::Kind::call_finished) finished.fetch_add(1);
    });
    c.add_list(list);
    c.load();
    for (int i = 0; i < 8; ++i) c.set_agent_state("host" + std::to_string(i), AgentState::ready);
    c.start();
    made.set_value(&c);
  });
  Campaign* c = made.get_future().get();
  for (int i = 0; i < 1000 && finished.load() < 400; ++i) std::this_thread::sleep_for(10ms);
  std::promise<void> done;
  engine.loop().post([&] {
    c->unload();
    done.set_value();
  });
  done.get_future().wait();
  engine.stop_thread();
  CHECK(finished.load() >= 400);
  CHECK(driver->dials.load() >= 400);
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::retrieved] == 0);
  CHECK(counts[RecordStatus::updated] == 400);
}

TEST_CASE("posting from many threads at once loses nothing") {
  auto clock = std::make_shared<SystemClock>();
  EventLoop loop(clock);
  long counter = 0;  // touched only on the loop thread
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t)
    posters.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) loop.post([&] { ++counter; });
    });
  std::thread runner([&] { loop.run_until(clock->now() + 10s, [&] { return counter == 20000; }); });
  for (auto& p : posters) p.join();
  runner.join();
  CHECK(counter == 20000);
}
