// outbound C API — custom drivers: a C struct of function pointers adapted to
// outbound::Driver, and the event sink handle such drivers report through.
#include <chrono>
#include <cstddef>
#include <cstring>

#include "shim.hpp"

using outbound::ErrorCode;

/// The sink a custom driver reports to: forwards to the campaign's EventSink
/// between start and the return of stop, refuses events otherwise.
struct ob_event_sink {
  static constexpr obc::Kind kKind = obc::Kind::sink;
  obc::Kind magic = kKind;
  std::mutex mu;                             // guards target and clock
  outbound::EventSink* target = nullptr;     // the campaign's sink while started
  std::shared_ptr<outbound::Clock> clock;    // the engine's clock, for at_ms == 0
};

namespace obc {

/// outbound::Driver over an ob_driver_class. Methods run on the loop thread;
/// a failing method becomes an outbound::Error after it has returned.
class CDriver final : public outbound::Driver {
 public:
  CDriver(const ob_driver_class& cls, void* user_data) : cls_(cls), user_data_(user_data) {
    name_ = cls.name ? cls.name : "custom";
    cls_.name = nullptr;  // copied into name_; the caller's string need not live on
    sink_ = new ob_event_sink();
    track(sink_, Kind::sink);
  }

  ~CDriver() override {
    untrack(sink_);
    { std::lock_guard lock(sink_->mu); }  // a report in progress on another thread finishes first
    delete sink_;
    if (cls_.destroy) call_user([&] { cls_.destroy(user_data_); });
  }

  CDriver(const CDriver&) = delete;
  CDriver& operator=(const CDriver&) = delete;

  /// Asks the driver for its capabilities once; they are fixed for its life.
  void load_capabilities() {
    if (!cls_.capabilities) return;
    ob_driver_capabilities c = OB_DRIVER_CAPABILITIES_INIT;
    call("capabilities", [&] { return cls_.capabilities(user_data_, &c); });
    check_code(OB_ENUM_DRIVER_KIND, c.kind, "capabilities kind");
    if (c.max_concurrent_calls < 0)
      fail(ErrorCode::invalid_argument,
           "max_concurrent_calls must not be negative (got " + std::to_string(c.max_concurrent_calls) + ")");
    caps_.kind = static_cast<outbound::DriverKind>(c.kind);
    caps_.max_concurrent_calls = c.max_concurrent_calls;
    caps_.reports_agent_states = c.reports_agent_states != 0;
    caps_.routes_to_agents = c.routes_to_agents != 0;
    caps_.detects_machines = c.detects_machines != 0;
    caps_.supports_engaging = c.supports_engaging != 0;
    caps_.runs_voice_applications = c.runs_voice_applications != 0;
    caps_.connects_on_request = c.connects_on_request != 0;
    if (caps_.connects_on_request && !cls_.connect)
      fail(ErrorCode::invalid_argument, name_ + ": connects_on_request needs the class's connect (version 2)");
  }

  /// Binds the driver to the engine whose campaign uses it: its clock stamps events,
  /// its loop runs ob_driver_connect.
  void bind_engine(const std::shared_ptr<EngineCore>& core) {
    {
      std::lock_guard lock(sink_->mu);
      sink_->clock = core->clock;
    }
    std::lock_guard lock(engine_mu_);
    engine_ = core;
  }

  /// The engine bound by bind_engine, if it is still alive.
  std::shared_ptr<EngineCore> engine() const {
    std::lock_guard lock(engine_mu_);
    return engine_.lock();
  }

  outbound::DriverCapabilities capabilities() const override { return caps_; }

  void start(outbound::EventSink& sink) override {
    set_target(&sink);
    try {
      call("start", [&] { return cls_.start(user_data_, sink_); });
    } catch (...) {
      set_target(nullptr);
      throw;
    }
  }

  void dial(const outbound::DialRequest& rq) override {
    std::vector<const char*> names, values;
    for (const auto& [k, v] : rq.attributes) {
      names.push_back(k.c_str());
      values.push_back(v.c_str());
    }
    ob_dial_request r{};
    r.version = OB_DIAL_REQUEST_VERSION;
    r.call_id = rq.call_id;
    r.phone = rq.phone.c_str();
    r.record_id = rq.record_id;
    r.campaign_id = rq.campaign_id;
    r.campaign = rq.campaign.c_str();
    r.amd = static_cast<int>(rq.amd);
    r.ring_timeout_ms = rq.ring_timeout.count();
    r.agent_id = rq.agent_id.c_str();
    r.voice_application = rq.voice_application.c_str();
    r.attribute_count = names.size();
    r.attribute_names = names.empty() ? nullptr : names.data();
    r.attribute_values = values.empty() ? nullptr : values.data();
    r.caller_id = rq.caller_id.c_str();
    const auto& a = rq.audio;
    r.amd_initial_silence_ms = a.amd_initial_silence.count();
    r.amd_max_greeting_ms = a.amd_max_greeting.count();
    r.amd_after_greeting_silence_ms = a.amd_after_greeting_silence.count();
    r.amd_max_words = a.amd_max_words;
    r.amd_max_decision_ms = a.amd_max_decision.count();
    r.amd_max_message_wait_ms = a.amd_max_message_wait.count();
    r.abandon_message = a.abandon_message.c_str();
    r.machine_message = a.machine_message.c_str();
    r.opt_out_digit = static_cast<unsigned char>(a.opt_out_digit);
    call("dial", [&] { return cls_.dial(user_data_, &r); });
  }

  void cancel(outbound::CallId id) override {
    call("cancel", [&] { return cls_.cancel(user_data_, id); });
  }

  void connect(outbound::CallId id, const std::string& agent_id) override {
    if (!cls_.connect) return outbound::Driver::connect(id, agent_id);
    call("connect", [&] { return cls_.connect(user_data_, id, agent_id.c_str()); });
  }

  void transfer(outbound::CallId id, const std::string& destination) override {
    if (!cls_.transfer) return outbound::Driver::transfer(id, destination);
    call("transfer", [&] { return cls_.transfer(user_data_, id, destination.c_str()); });
  }

  void release_abandoned(outbound::CallId id) override {
    if (!cls_.release_abandoned) return cancel(id);
    call("release_abandoned", [&] { return cls_.release_abandoned(user_data_, id); });
  }

  void stop() override {
    try {
      call("stop", [&] { return cls_.stop(user_data_); });
    } catch (...) {
      set_target(nullptr);
      throw;
    }
    set_target(nullptr);
  }

  std::string name() const override { return name_; }

 private:
  void set_target(outbound::EventSink* target) {
    std::lock_guard lock(sink_->mu);
    sink_->target = target;
  }

  // Calls a driver method; a failure becomes an outbound::Error carrying the
  // message the driver set with ob_error_set(), or a generic one.
  template <typename Fn>
  void call(const char* what, Fn&& fn) const {
    const auto serial = error_serial();
    int rc = OB_ERROR;
    ++t_callback_depth;
    try {
      rc = fn();
    } catch (...) {
      rc = OB_EDRIVER;  // a C++ driver threw through the C interface
    }
    --t_callback_depth;
    if (rc == OB_OK) return;
    std::string message = error_serial() != serial
                              ? std::string(ob_last_error())
                              : name_ + ": " + what + " failed (" + ob_strerror(rc) + ")";
    throw outbound::Error(error_code_of(rc), message);
  }

  ob_driver_class cls_;  // zero beyond what the caller's version holds
  void* user_data_;
  std::string name_;
  outbound::DriverCapabilities caps_;
  ob_event_sink* sink_ = nullptr;
  mutable std::mutex engine_mu_;  // guards engine_
  std::weak_ptr<EngineCore> engine_;
};

void bind_custom_driver(ob_driver& driver, const std::shared_ptr<EngineCore>& core) {
  if (driver.custom) driver.custom->bind_engine(core);
}

namespace {

/// Bytes of an ob_driver_class of `version`: a version-1 struct ends before connect, a version-2 one before transfer.
std::size_t driver_class_size(unsigned int version) {
  if (version == 1) return offsetof(ob_driver_class, connect);
  if (version == 2) return offsetof(ob_driver_class, transfer);
  return sizeof(ob_driver_class);
}

// Runs `fn` on a live, started sink; the registry lock pins the sink while its own lock is taken.
template <typename Fn>
int with_sink(ob_event_sink* sink, Fn&& fn) {
  return guard([&] {
    auto registry = registry_lock();
    if (!sink || !is_tracked_locked(sink, Kind::sink)) bad_handle("event sink");
    std::lock_guard lock(sink->mu);
    registry.unlock();
    if (!sink->target)
      fail(ErrorCode::invalid_state, "the driver is not started: events are accepted between start and the return of stop");
    fn(*sink);
  });
}

outbound::Time event_time(const ob_event_sink& sink, std::int64_t at_ms) {
  if (at_ms != 0) return from_ms(at_ms);
  if (sink.clock) return sink.clock->now();
  return std::chrono::time_point_cast<outbound::Duration>(std::chrono::system_clock::now());
}

}  // namespace
}  // namespace obc

extern "C" {

int ob_driver_new(ob_driver** out, const ob_driver_class* cls, void* user_data) {
  // destroy is read first: it must run exactly once, whatever fails below.
  void (*destroy)(void*) = cls ? cls->destroy : nullptr;
  bool handed_over = false;
  int rc = obc::guard([&] {
    obc::need(cls, "cls");
    obc::need(out, "out");
    obc::check_version(cls->version, OB_DRIVER_CLASS_VERSION, "ob_driver_class");
    if (!cls->start || !cls->dial || !cls->cancel || !cls->stop)
      obc::fail(ErrorCode::invalid_argument, "a driver class needs start, dial, cancel and stop");
    // An older caller's struct is shorter: read only what its version holds.
    ob_driver_class copy;
    std::memset(&copy, 0, sizeof copy);
    std::memcpy(&copy, cls, obc::driver_class_size(cls->version));
    auto driver = std::make_shared<obc::CDriver>(copy, user_data);
    handed_over = true;  // from here the CDriver calls destroy when it goes
    driver->load_capabilities();
    auto handle = std::make_unique<ob_driver>();
    handle->type = ob_driver::Type::custom;
    handle->custom = driver.get();
    handle->name = driver->name();
    handle->driver = std::move(driver);
    obc::track(handle.get(), obc::Kind::driver);
    *out = handle.release();
  });
  if (rc != OB_OK && !handed_over && destroy) obc::call_user([&] { destroy(user_data); });
  return rc;
}

void ob_driver_free(ob_driver* driver) {
  obc::guard([&] {
    if (!driver || !obc::is_tracked(driver, obc::Kind::driver)) return;
    obc::untrack(driver);
    auto doomed = std::unique_ptr<ob_driver>(driver);
    if (doomed->session_hook) {
      std::lock_guard lock(doomed->session_hook->mu);
      doomed->session_hook->cb = nullptr;
    }
    // A simulated driver cancels its timers as it goes: let go on its engine's loop.
    if (auto net = doomed->network) obc::run_on(net->engine, [&] { doomed->driver.reset(); });
  });
}

int ob_driver_name(const char** out, ob_driver* driver) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::get(driver, "driver").name.c_str();
  });
}

int ob_driver_capabilities_get(ob_driver_capabilities* out, ob_driver* driver) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(out->version, OB_DRIVER_CAPABILITIES_VERSION, "ob_driver_capabilities");
    auto& d = obc::get(driver, "driver");
    auto c = d.network ? obc::run_on(d.network->engine, [&] { return d.driver->capabilities(); })
                       : d.driver->capabilities();
    out->kind = static_cast<int>(c.kind);
    out->max_concurrent_calls = c.max_concurrent_calls;
    out->reports_agent_states = c.reports_agent_states;
    out->routes_to_agents = c.routes_to_agents;
    out->detects_machines = c.detects_machines;
    out->supports_engaging = c.supports_engaging;
    out->runs_voice_applications = c.runs_voice_applications;
    if (out->version >= 2) out->connects_on_request = c.connects_on_request;
  });
}

int ob_driver_connect(ob_driver* driver, uint64_t call_id, const char* agent_id) {
  return obc::guard([&] {
    obc::need(agent_id, "agent_id");
    auto& d = obc::get(driver, "driver");
    auto engine = d.network ? d.network->engine : d.custom ? d.custom->engine() : nullptr;
    auto target = d.driver;  // kept alive through the call, whoever frees the handle meanwhile
    const std::string agent = agent_id;
    if (engine)
      obc::run_on(engine, [&] { target->connect(call_id, agent); });
    else
      target->connect(call_id, agent);
  });
}

int ob_event_sink_call_event(ob_event_sink* sink, const ob_call_event* event) {
  return obc::with_sink(sink, [&](ob_event_sink& s) {
    obc::need(event, "event");
    obc::check_version(event->version, OB_CALL_EVENT_VERSION, "ob_call_event");
    obc::check_code(OB_ENUM_CALL_EVENT_KIND, event->kind, "call event kind");
    obc::check_code(OB_ENUM_ANSWER_CLASS, event->answer, "answer class");
    obc::check_code(OB_ENUM_CALL_RESULT, event->result, "call result");
    if (event->call_id == 0) obc::fail(ErrorCode::invalid_argument, "call_id 0 names no call");
    outbound::CallEvent e;
    e.kind = static_cast<outbound::CallEventKind>(event->kind);
    e.call_id = event->call_id;
    e.at = obc::event_time(s, event->at_ms);
    e.answer = static_cast<outbound::AnswerClass>(event->answer);
    e.agent_id = obc::str(event->agent_id);
    e.result = static_cast<outbound::CallResult>(event->result);
    e.detail = obc::str(event->detail);
    e.message_left = event->version >= 2 && event->message_left != 0;  // a version-1 struct ends before it
    s.target->on_call_event(e);
  });
}

int ob_event_sink_agent_event(ob_event_sink* sink, const ob_agent_event* event) {
  return obc::with_sink(sink, [&](ob_event_sink& s) {
    obc::need(event, "event");
    obc::check_version(event->version, OB_AGENT_EVENT_VERSION, "ob_agent_event");
    obc::need(event->agent_id, "agent_id");
    if (!*event->agent_id) obc::fail(ErrorCode::invalid_argument, "agent_id must not be empty");
    obc::check_code(OB_ENUM_AGENT_STATE, event->state, "agent state");
    outbound::AgentEvent e;
    e.agent_id = event->agent_id;
    e.state = static_cast<outbound::AgentState>(event->state);
    e.at = obc::event_time(s, event->at_ms);
    s.target->on_agent_event(e);
  });
}

}  // extern "C"
