// A custom dialer driver a host can copy: it "dials" through a thread of its
// own and reports every event from that thread, the way a driver built on a
// vendor's telephony SDK (whose events arrive on the SDK's thread) would.
//
// What to keep when you copy it:
//   * dial() checks the request and the capacity on the caller's thread and
//     throws outbound::Error, so a bad request fails at once with a clear code;
//     the work itself goes to the driver's thread through a command queue.
//   * Only the driver's thread touches call state; the queue, the set of ids in
//     use and the running flag are the only shared data, under one mutex.
//   * Events go to the EventSink from the driver's thread, never under the
//     mutex (the engine's sink just queues them to the engine's loop).
//   * cancel() and release_abandoned() wait until the driver's thread has done
//     them, so the released event is out when they return.
//   * stop() joins the thread: no event can reach the sink after it returns.
//
// What to replace: the "pretend PBX" part (CallPlan, plan_from_digits and the
// timeline in Worker) stands for your network. Here it runs on the steady
// clock, `speedup` times faster than real time, and decides each call's fate
// from its phone number, so runs are repeatable.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "outbound/clock.hpp"
#include "outbound/driver/driver.hpp"
#include "outbound/error.hpp"

namespace sample {

/// What the pretend PBX does with one call (a real driver learns this from its network).
struct CallPlan {
  /// How the far end responds.
  enum class Outcome { live, machine, busy, no_answer };
  Outcome outcome = Outcome::live;  ///< the far end's response
  double ring_s = 4.0;              ///< seconds until the answer (or the busy tone)
  double talk_s = 60.0;             ///< seconds an agent talks with a live callee
  double patience_s = 2.0;          ///< seconds a live callee waits for an agent before hanging up
};

/// A plan from the phone number, so a run is repeatable: last digit 0–1 no
/// answer, 2 busy, 3 machine, 4–9 live; the digit before sets the ring time.
inline CallPlan plan_from_digits(const outbound::DialRequest& request) {
  auto digit = [&](std::size_t from_end) {
    if (request.phone.size() <= from_end) return 0;
    char c = request.phone[request.phone.size() - 1 - from_end];
    return c >= '0' && c <= '9' ? c - '0' : 0;
  };
  CallPlan plan;
  const int last = digit(0);
  plan.outcome = last <= 1   ? CallPlan::Outcome::no_answer
                 : last == 2 ? CallPlan::Outcome::busy
                 : last == 3 ? CallPlan::Outcome::machine
                             : CallPlan::Outcome::live;
  plan.ring_s = 2.0 + digit(1);           // 2–11 s
  plan.talk_s = 20.0 + 10.0 * digit(2);   // 20–110 s
  return plan;
}

/// Settings of the sample driver.
struct ThreadedDriverOptions {
  int lines = 8;         ///< calls it can hold at once
  int desks = 2;         ///< agents at the pretend PBX (reported as desk1..deskN)
  double speedup = 1.0;  ///< the pretend PBX runs this many times faster than real time
  std::function<CallPlan(const outbound::DialRequest&)> plan = plan_from_digits;  ///< the pretend network
  std::shared_ptr<outbound::Clock> clock;  ///< stamps events (pass the engine's clock); the system clock when null
};

/// A driver with a thread of its own; see the top of this file.
class ThreadedDriver final : public outbound::Driver {
 public:
  /// A driver with `options`; throws Error(invalid_argument) on bad ones.
  explicit ThreadedDriver(ThreadedDriverOptions options) : options_(std::move(options)) {
    if (options_.lines < 1 || options_.desks < 0 || !(options_.speedup > 0.0) || !options_.plan)
      throw outbound::Error(outbound::ErrorCode::invalid_argument,
                            "sample-threaded needs lines >= 1, desks >= 0, speedup > 0 and a plan");
    if (!options_.clock) options_.clock = std::make_shared<outbound::SystemClock>();
  }
  ~ThreadedDriver() override { stop(); }
  ThreadedDriver(const ThreadedDriver&) = delete;
  ThreadedDriver& operator=(const ThreadedDriver&) = delete;

  /// A custom driver that routes to its own desks and reports their states.
  outbound::DriverCapabilities capabilities() const override {
    outbound::DriverCapabilities c;
    c.kind = outbound::DriverKind::custom;
    c.max_concurrent_calls = options_.lines;
    c.reports_agent_states = true;
    c.routes_to_agents = true;
    c.detects_machines = true;
    return c;
  }

  std::string name() const override { return "sample-threaded"; }

  /// Starts the driver's thread; events go to `sink` until stop() returns.
  void start(outbound::EventSink& sink) override {
    std::lock_guard lock(mutex_);
    if (running_) throw outbound::Error(outbound::ErrorCode::invalid_state, "sample-threaded is already started");
    running_ = true;
    commands_.clear();
    in_use_.clear();
    thread_ = std::thread([this, &sink] { Worker(*this, sink).run(); });
  }

  /// Checks the request here (so errors are immediate), then hands it to the thread.
  void dial(const outbound::DialRequest& request) override {
    const std::string call = "call " + std::to_string(request.call_id);
    std::unique_lock lock(mutex_);
    if (!running_)
      throw outbound::Error(outbound::ErrorCode::invalid_state,
                            "sample-threaded is not started: dial() needs start() first and is refused after stop()");
    if (request.call_id == 0)
      throw outbound::Error(outbound::ErrorCode::invalid_argument, "sample-threaded: call id 0 is not a valid call id");
    if (in_use_.count(request.call_id))
      throw outbound::Error(outbound::ErrorCode::invalid_argument, "sample-threaded: " + call + " is already in progress");
    if (request.phone.empty())
      throw outbound::Error(outbound::ErrorCode::invalid_argument, "sample-threaded: " + call + " has no phone number");
    if (request.ring_timeout != outbound::Duration::zero() && request.ring_timeout < std::chrono::seconds(15))
      throw outbound::Error(outbound::ErrorCode::invalid_argument,
                            "sample-threaded: " + call + " must ring at least 15 s (0: the default 25 s)");
    if (static_cast<int>(in_use_.size()) >= options_.lines)
      throw outbound::Error(outbound::ErrorCode::busy, "sample-threaded: all " + std::to_string(options_.lines) +
                                                           " lines are in use; " + call + " not placed");
    in_use_.insert(request.call_id);  // the thread frees it when the call is released
    send(lock, Dial{request});
  }

  /// Cancels a call not yet connected; returns once the released event is out.
  void cancel(outbound::CallId call_id) override { command_and_wait(Cancel{call_id}); }

  /// Plays the message to a waiting live call and releases it; returns once both events are out.
  void release_abandoned(outbound::CallId call_id) override { command_and_wait(Abandon{call_id}); }

  /// Releases the calls in flight, logs the desks out and joins the thread.
  void stop() override {
    {
      std::unique_lock lock(mutex_);
      if (!running_) return;
      running_ = false;
      send(lock, Stop{});
    }
    if (thread_.joinable()) thread_.join();  // after this, no event can reach the sink
    std::lock_guard lock(mutex_);
    in_use_.clear();
  }

 private:
  // --- commands from the engine's thread to the driver's thread -----------
  struct Dial { outbound::DialRequest request; };
  struct Cancel { outbound::CallId id; };
  struct Abandon { outbound::CallId id; };
  struct Stop {};
  using Command = std::variant<Dial, Cancel, Abandon, Stop>;

  // Queues a command (mutex held); returns its sequence number.
  std::uint64_t send(std::unique_lock<std::mutex>&, Command command) {
    commands_.emplace_back(++sent_, std::move(command));
    wake_.notify_all();
    return sent_;
  }

  // Queues a command and waits until the driver's thread has carried it out.
  void command_and_wait(Command command) {
    std::unique_lock lock(mutex_);
    if (!running_) return;  // not started or stopped: there is no call to act on
    const std::uint64_t seq = send(lock, std::move(command));
    done_.wait(lock, [&] { return handled_ >= seq || !running_; });
  }

  // --- the driver's thread -------------------------------------------------
  using Steady = std::chrono::steady_clock;

  /// Everything here runs on the driver's thread only.
  class Worker {
   public:
    Worker(ThreadedDriver& driver, outbound::EventSink& sink) : d_(driver), sink_(sink) {}

    void run() {
      for (int i = 1; i <= d_.options_.desks; ++i) {
        desks_["desk" + std::to_string(i)] = false;
        agent("desk" + std::to_string(i), outbound::AgentState::ready);
      }
      for (;;) {
        std::deque<std::pair<std::uint64_t, Command>> batch;
        {
          std::unique_lock lock(d_.mutex_);
          auto has_work = [&] { return !d_.commands_.empty(); };
          if (steps_.empty())
            d_.wake_.wait(lock, has_work);
          else
            d_.wake_.wait_until(lock, steps_.begin()->first.first, has_work);
          batch.swap(d_.commands_);
        }
        bool stop = false;
        for (auto& [seq, command] : batch) {
          stop = stop || std::holds_alternative<Stop>(command);
          if (!stop) std::visit([this](auto& c) { handle(c); }, command);
          acknowledge(seq);
        }
        if (stop) return shut_down();
        run_due_steps();
      }
    }

   private:
    /// One call on the pretend PBX.
    struct Call {
      outbound::DialRequest request;
      CallPlan plan;
      bool waiting = false;
      bool connected = false;
      std::string desk;
    };
    using StepKey = std::pair<Steady::time_point, std::uint64_t>;

    // --- commands ---
    void handle(Dial& c) {
      const outbound::CallId id = c.request.call_id;
      Call& call = calls_[id];
      call.request = std::move(c.request);
      call.plan = d_.options_.plan(call.request);
      event(outbound::CallEventKind::dialing, id);
      const auto timeout = call.request.ring_timeout.count() > 0 ? call.request.ring_timeout : std::chrono::seconds(25);
      const double ring_timeout_s = std::chrono::duration<double>(timeout).count();
      switch (call.plan.outcome) {
        case CallPlan::Outcome::busy:
          at(call.plan.ring_s, id, [this, id] { release(id, outbound::CallResult::busy); });
          break;
        case CallPlan::Outcome::no_answer:
          at(0.5, id, [this, id] { event(outbound::CallEventKind::ringing, id); });
          at(ring_timeout_s, id, [this, id] { release(id, outbound::CallResult::no_answer); });
          break;
        case CallPlan::Outcome::live:
        case CallPlan::Outcome::machine:
          at(0.5, id, [this, id] { event(outbound::CallEventKind::ringing, id); });
          if (call.plan.ring_s >= ring_timeout_s)
            at(ring_timeout_s, id, [this, id] { release(id, outbound::CallResult::no_answer); });
          else
            at(std::max(0.5, call.plan.ring_s), id, [this, id] { answer(id); });
          break;
      }
    }

    void handle(Cancel& c) {
      auto it = calls_.find(c.id);
      if (it == calls_.end() || it->second.connected) return;  // unknown or with an agent: ignored
      release(c.id, outbound::CallResult::cleared, "cancelled by the engine");
    }

    void handle(Abandon& c) {
      auto it = calls_.find(c.id);
      if (it == calls_.end() || !it->second.waiting || it->second.connected) return;
      abandon(c.id, "abandonment message played");
    }

    void handle(Stop&) {}

    // Tells a waiting caller its command is done.
    void acknowledge(std::uint64_t seq) {
      std::lock_guard lock(d_.mutex_);
      d_.handled_ = seq;
      d_.done_.notify_all();
    }

    // --- the pretend PBX ---
    void answer(outbound::CallId id) {
      Call& call = calls_.at(id);
      if (call.plan.outcome == CallPlan::Outcome::machine) {
        bool drop = call.request.amd == outbound::AmdMode::detect_drop;
        bool detect = call.request.amd != outbound::AmdMode::none;
        event(outbound::CallEventKind::answered, id, detect ? outbound::AnswerClass::machine : outbound::AnswerClass::live);
        if (drop) return release(id, outbound::CallResult::answering_machine);
      } else {
        event(outbound::CallEventKind::answered, id, outbound::AnswerClass::live);
        at(call.plan.patience_s, id, [this, id] {
          if (!calls_.at(id).connected) abandon(id, "callee hung up waiting for an agent");
        });
      }
      call.waiting = true;  // until a desk takes it: release_abandoned applies
      queue_.push_back(id);
      route();
    }

    // Gives waiting calls to free desks, in queue order.
    void route() {
      for (auto& [desk, busy] : desks_) {
        if (busy) continue;
        if (queue_.empty()) return;
        outbound::CallId id = queue_.front();
        queue_.pop_front();
        Call& call = calls_.at(id);
        busy = true;
        call.waiting = false;
        call.connected = true;
        call.desk = desk;
        agent(desk, outbound::AgentState::busy);
        event(outbound::CallEventKind::connected, id, outbound::AnswerClass::unknown, desk);
        const auto result = call.plan.outcome == CallPlan::Outcome::machine ? outbound::CallResult::answering_machine
                                                                            : outbound::CallResult::answer;
        at(call.plan.talk_s, id, [this, id, result] { release(id, result); });
      }
    }

    void abandon(outbound::CallId id, const std::string& why) {
      event(outbound::CallEventKind::abandoned, id);
      release(id, outbound::CallResult::abandoned, why);
    }

    // Ends a call: drops its pending steps, frees its desk and its line, sends released.
    void release(outbound::CallId id, outbound::CallResult result, const std::string& detail = {}) {
      auto it = calls_.find(id);
      if (it == calls_.end()) return;
      const std::string desk = it->second.desk;
      calls_.erase(it);
      queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
      for (auto s = steps_.begin(); s != steps_.end();) s = s->second.first == id ? steps_.erase(s) : std::next(s);
      {
        std::lock_guard lock(d_.mutex_);
        d_.in_use_.erase(id);
      }
      event(outbound::CallEventKind::released, id, outbound::AnswerClass::unknown, {}, result, detail);
      if (!desk.empty()) {
        desks_[desk] = false;
        agent(desk, outbound::AgentState::ready);
        route();
      }
    }

    void shut_down() {
      std::vector<outbound::CallId> ids;
      for (auto& [id, call] : calls_) ids.push_back(id);
      for (auto id : ids) {
        Call& call = calls_.at(id);
        if (!call.desk.empty()) desks_[call.desk] = false;
        call.desk.clear();  // no "ready" report and no routing: the desks log out below
        release(id, outbound::CallResult::cleared, "driver stopped");
      }
      for (auto& [desk, busy] : desks_) agent(desk, outbound::AgentState::logged_out);
    }

    // --- timeline ---
    void at(double network_s, outbound::CallId id, std::function<void()> fn) {
      auto real = std::chrono::duration<double>(network_s / d_.options_.speedup);
      auto when = Steady::now() + std::chrono::duration_cast<Steady::duration>(real);
      steps_.emplace(StepKey{when, ++step_seq_}, std::make_pair(id, std::move(fn)));
    }

    void run_due_steps() {
      while (!steps_.empty() && steps_.begin()->first.first <= Steady::now()) {
        auto fn = std::move(steps_.begin()->second.second);
        steps_.erase(steps_.begin());
        fn();
      }
    }

    // --- reporting, from this thread ---
    void event(outbound::CallEventKind kind, outbound::CallId id, outbound::AnswerClass answer = outbound::AnswerClass::unknown,
               const std::string& agent_id = {}, outbound::CallResult result = outbound::CallResult::unknown,
               const std::string& detail = {}) {
      outbound::CallEvent e;
      e.kind = kind;
      e.call_id = id;
      e.at = d_.options_.clock->now();
      e.answer = answer;
      e.agent_id = agent_id;
      e.result = result;
      e.detail = detail;
      sink_.on_call_event(e);
    }

    void agent(const std::string& id, outbound::AgentState state) {
      sink_.on_agent_event({id, state, d_.options_.clock->now()});
    }

    ThreadedDriver& d_;
    outbound::EventSink& sink_;
    std::map<outbound::CallId, Call> calls_;
    std::map<std::string, bool> desks_;  // desk -> busy
    std::deque<outbound::CallId> queue_;  // answered, waiting for a desk
    std::map<StepKey, std::pair<outbound::CallId, std::function<void()>>> steps_;
    std::uint64_t step_seq_ = 0;
  };

  ThreadedDriverOptions options_;
  std::thread thread_;
  // Shared between the engine's thread and the driver's thread, under mutex_.
  std::mutex mutex_;
  std::condition_variable wake_;  // the driver's thread: a command arrived
  std::condition_variable done_;  // callers of command_and_wait: a command was carried out
  std::deque<std::pair<std::uint64_t, Command>> commands_;
  std::set<outbound::CallId> in_use_;
  std::uint64_t sent_ = 0, handled_ = 0;
  bool running_ = false;
};

}  // namespace sample
