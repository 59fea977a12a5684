// The SIP driver's engine side: the checks a dial, connect or cancel must
// pass at once (so a refusal is an exception, as the driver contract wants),
// then the work handed to the reactor's thread. Events go out through emit(),
// under the mutex that also guards the engine-facing state.
#include <sofia-sip/su_log.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>

#include "outbound/error.hpp"
#include "sip_impl.hpp"

namespace outbound {

using sip::Reactor;

namespace {

// sofia-sip prints its diagnostics to stderr, which is not a library's to
// write to: they are dropped unless OB_SIP_LOG is set in the environment.
void sofia_log(void*, const char* fmt, va_list ap) {
  static const bool verbose = std::getenv("OB_SIP_LOG") != nullptr;
  if (verbose) std::vfprintf(stderr, fmt, ap);
}

void quiet_sofia() {
  static std::once_flag once;
  std::call_once(once, [] { su_log_redirect(nullptr, sofia_log, nullptr); });
}

}  // namespace

SipDriver::Impl::Impl(SipConfig config, std::shared_ptr<Clock> clock)
    : cfg_((validate(config), std::move(config))),
      clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()),
      listen_(sip::parse_host_port(cfg_.listen, "listen")),
      media_address_(cfg_.rtp_address.empty() ? listen_.host : cfg_.rtp_address),
      trunk_host_(sip::uri_host(sip::customer_uri(cfg_.customer_uri, "+10000000000"))),
      gate_(cfg_.calls_per_second, cfg_.backoff_initial, cfg_.backoff_max) {
  quiet_sofia();
  std::random_device rd;
  next_session_ = (static_cast<std::uint64_t>(rd()) << 20) + 1;  // unique origins across restarts
  rtp_cursor_ = cfg_.rtp_port_min;
  load_audio();
}

SipDriver::Impl::~Impl() {
  stop();
  join_previous();
}

void SipDriver::Impl::join_previous() {
  if (reactor_) reactor_->join();
  reactor_.reset();
}

void SipDriver::Impl::start(EventSink& sink) {
  {
    std::lock_guard lock(mu_);
    if (started_) throw Error(ErrorCode::invalid_state, "the SIP driver is already started");
  }
  join_previous();  // a stopped driver may still be saying goodbye on its old thread
  auto reactor = std::make_unique<Reactor>();
  reactor_ = std::move(reactor);
  try {
    reactor_->start([this] { create_stack(); }, [this] { destroy_stack(); });
  } catch (...) {
    reactor_.reset();
    throw;
  }
  std::lock_guard lock(mu_);
  sink_ = &sink;
  started_ = true;
}

void SipDriver::Impl::dial(const DialRequest& rq) {
  if (rq.call_id == 0) throw Error(ErrorCode::invalid_argument, "call id 0 names no call");
  if (rq.phone.empty()) throw Error(ErrorCode::invalid_argument, "call " + std::to_string(rq.call_id) + " has no phone");
  if (!sip::is_e164(rq.phone))
    throw Error(ErrorCode::invalid_argument, "call " + std::to_string(rq.call_id) + ": phone \"" + rq.phone +
                                                 "\" is not an E.164 number (+ and up to 15 digits)");
  if (rq.ring_timeout.count() != 0 && rq.ring_timeout < std::chrono::seconds(15))
    throw Error(ErrorCode::invalid_argument, "call " + std::to_string(rq.call_id) + " asks to ring " +
                                                 std::to_string(rq.ring_timeout.count()) +
                                                 " ms; a call must ring at least 15 s (the regulatory minimum; 0: the default)");
  AudioPtr sound = audio_of(rq);  // before the call counts: a bad setting refuses the dial
  {
    std::lock_guard lock(mu_);
    if (!started_) throw Error(ErrorCode::invalid_state, "the SIP driver is not started (dial between start and stop)");
    if (active_.count(rq.call_id))
      throw Error(ErrorCode::invalid_argument, "call id " + std::to_string(rq.call_id) + " is already in progress");
    if (cfg_.max_concurrent_calls > 0 && static_cast<int>(active_.size()) >= cfg_.max_concurrent_calls)
      throw Error(ErrorCode::busy, "the SIP driver has its " + std::to_string(cfg_.max_concurrent_calls) +
                                       " calls (max_concurrent_calls) in progress");
    active_.insert(rq.call_id);
  }
  emit(CallEventKind::dialing, rq.call_id);  // before the reactor can say anything more of it
  reactor_->post([this, rq, sound = std::move(sound)]() mutable { take_call(rq, std::move(sound)); });
}

void SipDriver::Impl::cancel(CallId id) {
  {
    std::lock_guard lock(mu_);
    if (!started_ || !active_.count(id)) return;
  }
  reactor_->call([&] {
    Call* c = find(id);
    if (!c || c->stage == Stage::connected || c->stage == Stage::bridging) return;  // connected calls are the agent's
    release(*c, CallResult::cleared, "cancelled by the engine");
  });
}

void SipDriver::Impl::connect(CallId id, const std::string& agent_id) {
  if (!cfg_.agents.count(agent_id))
    throw Error(ErrorCode::not_found, "agent " + agent_id + " has no phone in the SIP driver's agents");
  {
    std::lock_guard lock(mu_);
    if (!started_) throw Error(ErrorCode::invalid_state, "the SIP driver is not started");
  }
  reactor_->call([&] {
    Call* c = find(id);
    if (!c) throw Error(ErrorCode::invalid_state, "call " + std::to_string(id) + " is not in progress");
    if (c->stage != Stage::waiting)
      throw Error(ErrorCode::invalid_state, "call " + std::to_string(id) + " is not an answered call waiting for an agent");
    c->agent_id = agent_id;
    start_join(*c, cfg_.agents.at(agent_id));
  });
}

void SipDriver::Impl::transfer(CallId id, const std::string& destination) {
  if (!destination.starts_with("sip:") && !destination.starts_with("sips:"))
    throw Error(ErrorCode::invalid_argument, "call " + std::to_string(id) + ": transfer destination \"" + destination +
                                                 "\" is not a SIP URI (give sip:user@host[:port] or sips:…)");
  {
    std::lock_guard lock(mu_);
    if (!started_) throw Error(ErrorCode::invalid_state, "the SIP driver is not started");
  }
  reactor_->call([&] {
    Call* c = find(id);
    if (!c) throw Error(ErrorCode::invalid_state, "call " + std::to_string(id) + " is not in progress");
    // A machine under detect_connect waits for its beep (messaging, still listening): it can go;
    // once its message plays (nothing listened to any more) it is too late.
    const bool may = c->stage == Stage::waiting || (c->stage == Stage::messaging && c->audio);
    if (!may)
      throw Error(ErrorCode::invalid_state, "call " + std::to_string(id) +
                                                " is not an answered call waiting (or a machine waiting for its beep): it "
                                                "cannot be transferred");
    c->audio_timer.cancel();  // no message for the machine now
    c->transfer_to = destination;
    start_join(*c, destination);
  });
}

void SipDriver::Impl::release_abandoned(CallId id) {
  {
    std::lock_guard lock(mu_);
    if (!started_ || !active_.count(id)) return;
  }
  reactor_->call([&] {
    Call* c = find(id);
    if (c && c->transfer_to.empty() && (c->stage == Stage::waiting || c->stage == Stage::connecting))
      play_abandon_message(*c, "no agent in time");
  });
}

void SipDriver::Impl::stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
  }
  // Every call is released (CANCEL or BYE on the wire) before stop returns; the
  // old thread then finishes those transactions on its own, and start() or the
  // destructor waits for it.
  reactor_->call([this] {
    std::vector<CallId> ids;
    for (const auto& [id, c] : calls_) ids.push_back(id);
    for (CallId id : ids)
      if (Call* c = find(id)) release(*c, CallResult::cleared, "the SIP driver stopped");
    queue_.clear();
  });
  {
    std::lock_guard lock(mu_);
    sink_ = nullptr;
    started_ = false;
    active_.clear();
  }
  reactor_->post([this] { begin_shutdown(); });
  // Usually the stack is down in a few milliseconds and the address is free
  // when stop returns; a far end that never answers only delays the old thread.
  if (reactor_->wait_ended(std::chrono::seconds(2))) join_previous();
}

SipDriverStats SipDriver::Impl::stats() const {
  std::lock_guard lock(mu_);
  SipDriverStats s = stats_;
  s.rtp_packets = rtp_counters_.packets;
  s.rtp_rejected = rtp_counters_.rejected;
  s.open_dialogs = open_dialogs_;
  return s;
}

void SipDriver::Impl::play(CallId id, std::span<const std::uint8_t> g711) {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
  }
  std::vector<std::uint8_t> bytes(g711.begin(), g711.end());
  reactor_->post([this, id, bytes = std::move(bytes)] {
    Call* c = find(id);
    if (c && c->rtp && c->stage != Stage::connected && c->stage != Stage::bridging) c->rtp->play(bytes);
  });
}

void SipDriver::Impl::emit(CallEventKind kind, CallId id, AnswerClass answer, const std::string& agent,
                           CallResult result, const std::string& detail, bool message_left) {
  CallEvent e;
  e.kind = kind;
  e.call_id = id;
  e.at = clock_->now();
  e.answer = answer;
  e.agent_id = agent;
  e.result = result;
  e.detail = detail;
  e.message_left = message_left;
  std::lock_guard lock(mu_);
  if (kind == CallEventKind::released) active_.erase(id);
  if (sink_) sink_->on_call_event(e);
}

// --- the public class ---------------------------------------------------------

SipDriver::SipDriver(SipConfig config, std::shared_ptr<Clock> clock)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(clock))) {}

SipDriver::~SipDriver() = default;

DriverCapabilities SipDriver::capabilities() const {
  DriverCapabilities c;
  c.kind = DriverKind::custom;
  c.max_concurrent_calls = impl_->config().max_concurrent_calls;
  c.connects_on_request = true;
  return c;
}

void SipDriver::start(EventSink& sink) { impl_->start(sink); }
void SipDriver::dial(const DialRequest& request) { impl_->dial(request); }
void SipDriver::cancel(CallId call_id) { impl_->cancel(call_id); }
void SipDriver::connect(CallId call_id, const std::string& agent_id) { impl_->connect(call_id, agent_id); }
void SipDriver::transfer(CallId call_id, const std::string& destination) { impl_->transfer(call_id, destination); }
void SipDriver::release_abandoned(CallId call_id) { impl_->release_abandoned(call_id); }
void SipDriver::stop() { impl_->stop(); }
SipDriverStats SipDriver::stats() const { return impl_->stats(); }
void SipDriver::on_audio(std::function<void(const SipAudioFrame&)> observer) { impl_->on_audio(std::move(observer)); }
void SipDriver::play(CallId call_id, std::span<const std::uint8_t> g711) { impl_->play(call_id, g711); }
std::string SipDriver::local_address() const { return impl_->config().listen; }

}  // namespace outbound
