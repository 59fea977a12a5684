// The driver conformance harness: a driver under test on an EventLoop with a
// ManualClock, a sink that records every event (and flags any that arrives
// after stop() returned), and one small context per driver saying how to build
// it for a scenario and which quirks it has (SOCI tests/common style).
//
// Adding a driver: write a context struct like the ones at the bottom (name,
// flags, make()) and add it to OB_DRIVER_CONTEXTS.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../../samples/cpp/custom_driver/threaded_driver.hpp"
#include "outbound/driver/driver.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/error.hpp"
#include "outbound/event_loop.hpp"

namespace conformance {

using namespace outbound;
using namespace std::chrono_literals;

inline const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z

/// What the network does with the calls of a test.
enum class Scenario {
  mixed,       ///< the usual mix of answers, busy, no answer, machines, SIT
  rings,       ///< every call rings until its ring timeout
  waits_live,  ///< every call is answered by a person and no agent comes
  connects,    ///< every call is answered by a person and connected
  routed,      ///< every call is answered by a person and waits; the test routes it with connect()
               ///< (drivers with connects_on_request: agent1 and agent2 ready, refusing_agent() refuses)
};

/// Records what a driver reports; thread-safe. Events after close() are counted as late.
class RecordingSink final : public EventSink {
 public:
  /// Reactions to call events run on `loop` (posted, as the engine's sink does).
  explicit RecordingSink(EventLoop& loop) : loop_(loop) {}

  void on_call_event(const CallEvent& e) override {
    std::function<void(const CallEvent&)> react, route;
    {
      std::lock_guard lock(mutex_);
      if (closed_) ++late_;
      calls_.push_back(e);
      react = react_;
      route = route_;
    }
    if (route) loop_.post([route, e] { route(e); });
    if (react) loop_.post([react, e] { react(e); });
  }
  void on_agent_event(const AgentEvent& e) override {
    std::lock_guard lock(mutex_);
    if (closed_) ++late_;
    agents_.push_back(e);
  }

  /// From now on every event is late (call right after the driver's stop() returned).
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  /// Accepts events again (a restart).
  void reopen() {
    std::lock_guard lock(mutex_);
    closed_ = false;
  }
  /// Runs `fn` on the loop after each call event.
  void on_event(std::function<void(const CallEvent&)> fn) {
    std::lock_guard lock(mutex_);
    react_ = std::move(fn);
  }
  /// Runs `fn` on the loop after each call event, before on_event's: the engine's part a driver
  /// with connects_on_request needs (routing live answers to agents), kept by its context.
  void on_route(std::function<void(const CallEvent&)> fn) {
    std::lock_guard lock(mutex_);
    route_ = std::move(fn);
  }

  int late() const {
    std::lock_guard lock(mutex_);
    return late_;
  }
  std::vector<CallEvent> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<AgentEvent> agents() const {
    std::lock_guard lock(mutex_);
    return agents_;
  }
  /// Events of one call, in order.
  std::vector<CallEvent> of(CallId id) const {
    std::vector<CallEvent> out;
    for (const auto& e : calls())
      if (e.call_id == id) out.push_back(e);
    return out;
  }
  /// Number of events of `kind` (for `id`, or for any call when id is 0).
  int count(CallEventKind kind, CallId id = 0) const {
    int n = 0;
    for (const auto& e : calls())
      if (e.kind == kind && (id == 0 || e.call_id == id)) ++n;
    return n;
  }

 private:
  EventLoop& loop_;
  mutable std::mutex mutex_;
  std::vector<CallEvent> calls_;
  std::vector<AgentEvent> agents_;
  std::function<void(const CallEvent&)> react_, route_;
  bool closed_ = false;
  int late_ = 0;
};

/// A driver under test with its loop, clock, sink and whatever it runs on.
struct Rig {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
  EventLoop loop{clock};
  RecordingSink sink{loop};
  std::unique_ptr<sim::Network> network;  // the simulated drivers' shared world
  std::shared_ptr<Driver> driver;
  bool threaded = false;                  // events come from the driver's own thread
  std::function<std::size_t()> in_progress;  // calls the driver holds, when it can tell
  std::vector<std::shared_ptr<void>> far_ends;  // what a context's driver calls (phones, folders)

  ~Rig() {
    if (driver) driver->stop();  // before the network and loop go
    driver.reset();
  }

  /// Runs until `done` (true) or until the loop reaches `horizon` of simulated
  /// time (threaded drivers: until a generous real-time safety bound).
  bool settle(const std::function<bool()>& done, Duration horizon = std::chrono::hours(2)) {
    if (!threaded) {
      loop.run_until(clock->now() + horizon, done);
      return done();
    }
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      loop.poll();
      if (done()) return true;
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(1ms);
    }
  }

  /// Lets time pass with nothing expected: the loop runs `d` of simulated time
  /// (threaded drivers: a short real pause, then what was posted).
  void idle(Duration d) {
    if (!threaded) {
      loop.run_until(clock->now() + d);
      return;
    }
    std::this_thread::sleep_for(50ms);
    loop.poll();
  }

  /// Starts the driver on the recording sink.
  void start() { driver->start(sink); }
  /// Stops the driver and closes the sink: anything after is late.
  void stop() {
    driver->stop();
    sink.close();
  }
};

/// A request the test dials: a phone derived from the id, a voice application, record data.
inline DialRequest request(CallId id) {
  DialRequest rq;
  rq.call_id = id;
  rq.phone = "+1212555" + std::to_string(1000 + (id * 7919) % 9000);
  rq.record_id = static_cast<std::int64_t>(id);
  rq.campaign_id = 1;
  rq.campaign = "conformance";
  rq.attributes = {{"name", "customer " + std::to_string(id)}};
  rq.amd = AmdMode::detect_drop;
  rq.ring_timeout = 25s;
  rq.voice_application = "survey";
  return rq;
}

/// The simulated network of a scenario.
inline sim::NetworkModel model_for(Scenario s) {
  sim::NetworkModel m;
  switch (s) {
    case Scenario::mixed:
      m.no_answer = 0.40;  // make room for the CPD's extra answer classes
      m.fax = 0.03;
      m.silence = 0.02;
      break;
    case Scenario::rings:
      m.live_answer = m.busy = m.machine = m.sit = 0.0;
      m.no_answer = 1.0;
      break;
    case Scenario::waits_live:
    case Scenario::connects:
    case Scenario::routed:
      m.busy = m.no_answer = m.machine = m.sit = 0.0;
      m.live_answer = 1.0;
      m.ring = {sim::Distribution::Kind::constant, 3.0, 0.0};
      m.patience_s = 600.0;  // the callee waits: only release_abandoned ends the wait
      break;
  }
  return m;
}

/// Agents a simulated switch or CPD server gets in a scenario.
inline int agents_for(Scenario s) {
  switch (s) {
    case Scenario::mixed: return 5;
    case Scenario::rings: return 5;
    case Scenario::waits_live: return 0;
    case Scenario::connects: return 40;
    case Scenario::routed: return 2;
  }
  return 0;
}

inline std::unique_ptr<Rig> sim_rig(Scenario s, std::uint64_t seed) {
  auto rig = std::make_unique<Rig>();
  rig->network = std::make_unique<sim::Network>(rig->loop, model_for(s), seed);
  return rig;
}

/// Long talks in the `connects` scenario keep calls connected while the test pokes them.
inline sim::AgentModel agent_model_for(Scenario s) {
  sim::AgentModel a;
  if (s == Scenario::connects || s == Scenario::routed) a.talk = {sim::Distribution::Kind::constant, 600.0, 0.0};
  return a;
}

/// Plays the engine's part for drivers with connects_on_request: hands each live answer to the
/// next free agent, another on connect_failed (that agent is not ready now: it is not offered
/// again), and the agent is free again when its call is released.
class EngineRouter {
 public:
  EngineRouter(std::shared_ptr<Driver> driver, std::vector<std::string> agents)
      : driver_(std::move(driver)), free_(std::move(agents)) {}

  void operator()(const CallEvent& e) {
    switch (e.kind) {
      case CallEventKind::answered:
      case CallEventKind::connect_failed:
        if (e.kind == CallEventKind::connect_failed) busy_.erase(e.call_id);
        try_connect(e.call_id);
        break;
      case CallEventKind::released:
        if (auto it = busy_.find(e.call_id); it != busy_.end()) {
          free_.push_back(it->second);
          busy_.erase(it);
        }
        break;
      default:
        break;
    }
  }

  /// Agents id1..idN named prefix1..prefixN.
  static std::vector<std::string> named(const std::string& prefix, int n) {
    std::vector<std::string> out;
    for (int i = 1; i <= n; ++i) out.push_back(prefix + std::to_string(i));
    return out;
  }

 private:
  void try_connect(CallId id) {
    if (free_.empty()) return;  // the call waits; release_abandoned is the test's to call
    const std::string agent = free_.front();
    free_.erase(free_.begin());
    try {
      driver_->connect(id, agent);
      busy_[id] = agent;
    } catch (const Error&) {
      free_.push_back(agent);  // the call ended meanwhile, or was not a live answer
    }
  }

  std::shared_ptr<Driver> driver_;
  std::vector<std::string> free_;
  std::map<CallId, std::string> busy_;
};

// --- the contexts ------------------------------------------------------------

struct TServerContext {
  static constexpr const char* name = "sim-tserver";
  static constexpr int capacity = 0;  // a switch has no channel limit here
  static constexpr bool can_wait_live = true;
  static constexpr bool seeded = true;
  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t seed) {
    auto rig = sim_rig(s, seed);
    auto d = std::make_shared<sim::SimTServer>(*rig->network, agent_model_for(s), agents_for(s));
    rig->in_progress = [d] { return d->calls_in_progress(); };
    rig->driver = d;
    return rig;
  }
};

struct CpdTransferContext {
  static constexpr const char* name = "sim-cpd (transfer)";
  static constexpr int capacity = 10;
  static constexpr bool can_wait_live = true;
  static constexpr bool seeded = true;
  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t seed) {
    auto rig = sim_rig(s, seed);
    sim::CpdOptions o;
    o.channels = 10;
    auto d = std::make_shared<sim::SimCpd>(*rig->network, agent_model_for(s), agents_for(s), o);
    rig->in_progress = [d] { return d->calls_in_progress(); };
    rig->driver = d;
    return rig;
  }
};

struct CpdAsmContext {
  static constexpr const char* name = "sim-cpd (ASM)";
  static constexpr int capacity = 10;  // 20 channels, two a call
  static constexpr bool can_wait_live = false;  // a callee is bridged or hears the message at once
  static constexpr bool seeded = true;
  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t seed) {
    auto rig = sim_rig(s, seed);
    sim::CpdOptions o;
    o.mode = sim::CpdMode::asm_mode;
    o.channels = 20;
    o.opt_out = 0.3;
    auto d = std::make_shared<sim::SimCpd>(*rig->network, agent_model_for(s), agents_for(s), o);
    rig->in_progress = [d] { return d->calls_in_progress(); };
    rig->driver = d;
    return rig;
  }
};

/// A simulated switch or CPD server in engine-routing mode: the router plays the engine.
template <typename Make>
std::unique_ptr<Rig> engine_routed_rig(Scenario s, std::uint64_t seed, Make make) {
  auto rig = sim_rig(s, seed);
  auto d = make(*rig);
  d->set_engine_routing(true);
  rig->in_progress = [d] { return d->calls_in_progress(); };
  rig->driver = d;
  if (s != Scenario::routed && agents_for(s) > 0) {
    auto router = std::make_shared<EngineRouter>(d, EngineRouter::named("agent", agents_for(s)));
    rig->sink.on_route([router](const CallEvent& e) { (*router)(e); });
  }
  return rig;
}

struct TServerEngineContext {
  static constexpr const char* name = "sim-tserver (engine routing)";
  static constexpr int capacity = 0;
  static constexpr bool can_wait_live = true;
  static constexpr bool seeded = true;
  static std::string refusing_agent() { return "agent1"; }  // busy with the routed test's first call
  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t seed) {
    return engine_routed_rig(s, seed, [s](Rig& rig) {
      return std::make_shared<sim::SimTServer>(*rig.network, agent_model_for(s), agents_for(s));
    });
  }
};

struct CpdEngineContext {
  static constexpr const char* name = "sim-cpd (transfer, engine routing)";
  static constexpr int capacity = 10;
  static constexpr bool can_wait_live = true;
  static constexpr bool seeded = true;
  static std::string refusing_agent() { return "agent1"; }
  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t seed) {
    return engine_routed_rig(s, seed, [s](Rig& rig) {
      sim::CpdOptions o;
      o.channels = 10;
      return std::make_shared<sim::SimCpd>(*rig.network, agent_model_for(s), agents_for(s), o);
    });
  }
};

struct GvpContext {
  static constexpr const char* name = "sim-gvp";
  static constexpr int capacity = 10;
  static constexpr bool can_wait_live = false;  // the application starts on the answer
  static constexpr bool seeded = true;
  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t seed) {
    auto rig = sim_rig(s, seed);
    sim::GvpOptions o;
    o.ports = 10;
    if (s == Scenario::connects) o.ivr = {sim::Distribution::Kind::constant, 600.0, 0.0};
    auto d = std::make_shared<sim::SimGvp>(*rig->network, o);
    rig->in_progress = [d] { return d->calls_in_progress(); };
    rig->driver = d;
    return rig;
  }
};

/// The sample custom driver (samples/cpp/custom_driver): its own thread, real time.
struct ThreadedContext {
  static constexpr const char* name = "sample-threaded";
  static constexpr int capacity = 10;
  static constexpr bool can_wait_live = true;
  static constexpr bool seeded = false;  // its fates come from the phone numbers, not a seed
  static std::unique_ptr<Rig> make(Scenario s, std::uint64_t /*seed: its fates come from the phone numbers*/) {
    auto rig = std::make_unique<Rig>();
    rig->threaded = true;
    sample::ThreadedDriverOptions o;
    o.lines = 10;
    o.clock = rig->clock;
    switch (s) {
      case Scenario::mixed:
        o.desks = 10;  // every live call finds a desk at once, so outcomes do not hang on timing
        o.speedup = 1000;
        break;
      case Scenario::rings:
        o.desks = 2;
        o.speedup = 1;  // 25 s of real ringing: the test acts long before
        o.plan = [](const DialRequest&) { return sample::CallPlan{sample::CallPlan::Outcome::no_answer}; };
        break;
      case Scenario::waits_live:
      case Scenario::routed:
        o.desks = 0;
        o.speedup = 100;
        o.plan = [](const DialRequest&) {
          return sample::CallPlan{sample::CallPlan::Outcome::live, 1.0, 60.0, 6000.0};
        };
        break;
      case Scenario::connects:
        o.desks = 10;
        o.speedup = 100;
        o.plan = [](const DialRequest&) {
          return sample::CallPlan{sample::CallPlan::Outcome::live, 1.0, 6000.0, 2.0};
        };
        break;
    }
    rig->driver = std::make_shared<sample::ThreadedDriver>(o);
    return rig;
  }
};

#define OB_DRIVER_CONTEXTS                                                                                      \
  conformance::TServerContext, conformance::CpdTransferContext, conformance::CpdAsmContext, conformance::GvpContext, \
      conformance::ThreadedContext, conformance::TServerEngineContext, conformance::CpdEngineContext

// --- checks ------------------------------------------------------------------

/// Position of an event kind in the lifecycle (connected and abandoned share one).
inline int rank(CallEventKind k) {
  switch (k) {
    case CallEventKind::dialing: return 0;
    case CallEventKind::ringing: return 1;
    case CallEventKind::answered: return 2;
    case CallEventKind::connect_failed: return 3;
    case CallEventKind::connected:
    case CallEventKind::abandoned: return 4;
    case CallEventKind::released: return 5;
  }
  return -1;
}

/// Why one call's events break the lifecycle, or empty when they keep it:
/// dialing → [ringing] → [answered → [connect_failed]* → [connected | abandoned]] → released,
/// each at most once (connect_failed once per agent tried), exactly one released and last,
/// times non-decreasing.
inline std::string lifecycle_error(const std::vector<CallEvent>& events) {
  if (events.empty()) return "no events";
  if (events.front().kind != CallEventKind::dialing) return "first event is " + std::string(to_string(events.front().kind));
  std::map<CallEventKind, int> seen;
  int last_rank = -1;
  Time last_at = events.front().at;
  for (const auto& e : events) {
    const std::string what = std::string(to_string(e.kind));
    if (++seen[e.kind] > 1 && e.kind != CallEventKind::connect_failed) return what + " twice";
    if (rank(e.kind) < last_rank) return what + " out of order";
    if (rank(e.kind) == last_rank && rank(e.kind) == 4) return "both connected and abandoned";
    if (e.at < last_at) return what + " goes back in time";
    const bool needs_answer = e.kind == CallEventKind::connected || e.kind == CallEventKind::abandoned ||
                              e.kind == CallEventKind::connect_failed;
    if (needs_answer && !seen.count(CallEventKind::answered)) return what + " without answered";
    if (e.kind == CallEventKind::connect_failed && e.agent_id.empty()) return "connect_failed names no agent";
    last_rank = rank(e.kind);
    last_at = e.at;
  }
  if (events.back().kind != CallEventKind::released) return "not released";
  if (!is_valid_call_result(static_cast<int>(events.back().result)) || events.back().result == CallResult::unknown)
    return "released without a call result";
  return {};
}

/// A trace line per event, for determinism checks.
inline std::string trace(const std::vector<CallEvent>& events, bool with_times) {
  std::ostringstream out;
  for (const auto& e : events) {
    if (with_times) out << (e.at - kStart).count() << "ms ";
    out << e.call_id << ' ' << to_string(e.kind) << ' ' << static_cast<int>(e.answer) << ' ' << e.agent_id << ' '
        << static_cast<int>(e.result) << '\n';
  }
  return out.str();
}

/// Dials `total` calls, at most `at_once` in flight, topping up as calls are released.
inline void dial_many(Rig& rig, int total, int at_once, CallId first_id = 1) {
  auto next = std::make_shared<CallId>(first_id);
  auto in_flight = std::make_shared<int>(0);
  const CallId end = first_id + static_cast<CallId>(total);
  auto top_up = [&rig, next, in_flight, at_once, end] {
    while (*in_flight < at_once && *next < end) {
      rig.driver->dial(request((*next)++));
      ++*in_flight;
    }
  };
  rig.sink.on_event([in_flight, top_up](const CallEvent& e) {
    if (e.kind != CallEventKind::released) return;
    --*in_flight;
    top_up();
  });
  const int want = rig.sink.count(CallEventKind::released) + total;
  top_up();
  REQUIRE(rig.settle([&] { return rig.sink.count(CallEventKind::released) >= want; }, std::chrono::hours(24)));
  rig.sink.on_event(nullptr);
}

}  // namespace conformance
