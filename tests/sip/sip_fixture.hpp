// What the SIP driver tests share: a sink that records the driver's events
// and lets the test wait for them, voices for the phones, and a driver
// configuration for a far end.
#pragma once

#include <doctest/doctest.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "outbound/driver/sip.hpp"
#include "rig.hpp"

namespace siptest {

using namespace outbound;
using namespace std::chrono_literals;

/// Records every event the driver reports; the test thread waits on it.
class EventLog final : public EventSink {
 public:
  void on_call_event(const CallEvent& e) override {
    std::lock_guard lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  }
  void on_agent_event(const AgentEvent&) override {}

  std::vector<CallEvent> all() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  /// One call's events, in order.
  std::vector<CallEvent> of(CallId id) const {
    std::vector<CallEvent> out;
    for (const auto& e : all())
      if (e.call_id == id) out.push_back(e);
    return out;
  }
  /// Events of `kind` (of call `id`, or of any call when 0).
  int count(CallEventKind kind, CallId id = 0) const {
    int n = 0;
    for (const auto& e : all())
      if (e.kind == kind && (id == 0 || e.call_id == id)) ++n;
    return n;
  }
  bool has(CallId id, CallEventKind kind) const { return count(kind, id) > 0; }
  /// Waits up to `limit` for call `id` to report `kind`.
  bool wait(CallId id, CallEventKind kind, std::chrono::milliseconds limit = 10s) const {
    return wait_until([&] { return has(id, kind); }, limit);
  }
  /// Waits up to `limit` for `done`.
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] {
      lock.unlock();
      const bool d = done();
      lock.lock();
      return d;
    });
  }
  /// The result call `id` was released with (unknown while it is not).
  CallResult result(CallId id) const {
    for (const auto& e : of(id))
      if (e.kind == CallEventKind::released) return e.result;
    return CallResult::unknown;
  }
  /// The detail of the last event of `kind` of call `id`.
  std::string detail(CallId id, CallEventKind kind) const {
    std::string d;
    for (const auto& e : of(id))
      if (e.kind == kind) d = e.detail;
    return d;
  }
  /// "dialing ringing answered …" for call `id`.
  std::string trace(CallId id) const {
    std::string s;
    for (const auto& e : of(id)) s += std::string(s.empty() ? "" : " ") + std::string(to_string(e.kind));
    return s;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<CallEvent> events_;
};

/// Voices of the rig's phones, written once into a folder of the test's.
struct Voices {
  rig::TempDir dir;
  rig::fs::path customer = dir.path() / "customer.wav";  ///< 1 kHz for 2 s, then the call hangs up
  rig::fs::path agent = dir.path() / "agent.wav";        ///< 400 Hz for 6 s
  rig::fs::path brief = dir.path() / "brief.wav";        ///< 0.2 s: the callee hangs up at once
  rig::fs::path long_line = dir.path() / "long.wav";     ///< 30 s of silence: stays on the line
  rig::fs::path hello = dir.path() / "hello.wav";        ///< a person: "Hello?", then 30 s of silence
  rig::fs::path hello_brief = dir.path() / "hello_brief.wav";  ///< "Hello?", 3 s of silence, then the callee hangs up
  Voices() {
    rig::say(hello, "Hello?", 0.3, 30);
    rig::say(hello_brief, "Hello?", 0.3, 3);
    rig::write_tone(customer, 2.0, 1000);
    rig::write_tone(agent, 6.0, 400);
    rig::write_tone(brief, 0.2, 1000);
    rig::write_tone(long_line, 30.0, 0);
  }
};

/// A request for `phone`.
inline DialRequest request(CallId id, const std::string& phone, AmdMode amd = AmdMode::none) {
  DialRequest rq;
  rq.call_id = id;
  rq.phone = phone;
  rq.record_id = static_cast<std::int64_t>(id);
  rq.campaign = "sip";
  rq.amd = amd;
  rq.ring_timeout = 15s;
  return rq;
}

/// A driver config on free ports toward `customer_template`, with quick timers for tests.
inline SipConfig config_for(const std::string& customer_template) {
  SipConfig c;
  c.listen = "127.0.0.1:" + std::to_string(rig::free_ports(2));
  c.customer_uri = customer_template;
  c.caller_id = "+12125550199";
  const int rtp = rig::free_ports(40);
  c.rtp_port_min = rtp;
  c.rtp_port_max = rtp + 39;
  c.transaction_timeout = 2s;
  c.backoff_initial = 100ms;
  c.backoff_max = 1s;
  return c;
}

}  // namespace siptest
