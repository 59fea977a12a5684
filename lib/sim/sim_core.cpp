// The call table and call-progress script the simulated drivers share.
#include "sim_core.hpp"

#include <algorithm>

#include "outbound/error.hpp"
#include "outbound/media.hpp"

namespace outbound::sim::detail {

Judgement judge(const CallFate& fate, AmdMode amd) {
  Judgement j;
  const bool detect = amd != AmdMode::none;
  switch (fate.kind) {
    case CallFate::Kind::live:
      j.person = true;
      j.end_result = CallResult::answer;
      if (detect && fate.amd_false_positive && amd == AmdMode::detect_drop) {
        j.reported = AnswerClass::machine;  // the detector is wrong: a person is dropped as a machine
        j.drop = true;
        j.drop_result = CallResult::answering_machine;
      }
      break;
    case CallFate::Kind::machine:
      j.end_result = CallResult::answering_machine;
      if (detect) j.reported = AnswerClass::machine;
      if (amd == AmdMode::detect_drop) {
        j.drop = true;
        j.drop_result = CallResult::answering_machine;
      }
      break;
    case CallFate::Kind::fax:
    case CallFate::Kind::silence: {
      // A fax or dead air cannot be usefully connected: detected, it is dropped.
      const bool fax = fate.kind == CallFate::Kind::fax;
      j.end_result = fax ? CallResult::fax : CallResult::silence;
      if (detect) {
        j.reported = fax ? AnswerClass::fax : AnswerClass::silence;
        j.drop = true;
        j.drop_result = j.end_result;
      }
      break;
    }
    case CallFate::Kind::busy:
    case CallFate::Kind::no_answer:
    case CallFate::Kind::sit:
      break;  // never answered
  }
  return j;
}

SimDriverCore::SimDriverCore(Network& net, std::string name, int capacity)
    : net_(net), name_(std::move(name)), capacity_(capacity) {}

SimDriverCore::~SimDriverCore() {
  for (auto& [id, call] : calls_)
    for (TimerId t : call->timers) net_.loop().cancel(t);
}

void SimDriverCore::start(EventSink& sink) {
  if (running_) throw Error(ErrorCode::invalid_state, name_ + " is already started");
  sink_ = &sink;
  running_ = true;
}

void SimDriverCore::dial(const DialRequest& rq) {
  const std::string call = "call " + std::to_string(rq.call_id);
  if (!running_)
    throw Error(ErrorCode::invalid_state, name_ + " is not started: dial() needs start() first and is refused after stop()");
  if (rq.call_id == 0) throw Error(ErrorCode::invalid_argument, name_ + ": call id 0 is not a valid call id");
  if (calls_.count(rq.call_id)) throw Error(ErrorCode::invalid_argument, name_ + ": " + call + " is already in progress");
  if (rq.phone.empty()) throw Error(ErrorCode::invalid_argument, name_ + ": " + call + " has no phone number");
  if (rq.ring_timeout < Duration::zero() || (rq.ring_timeout > Duration::zero() && rq.ring_timeout < std::chrono::seconds(15)))
    throw Error(ErrorCode::invalid_argument, name_ + ": " + call + " asks to ring " + std::to_string(rq.ring_timeout.count()) +
                                                 " ms; a call must ring at least 15 s (0: the network's default)");
  check_request(rq);
  double message_s = 0.0;
  if (rq.amd == AmdMode::detect_connect && !rq.audio.machine_message.empty()) {
    auto [it, fresh] = message_seconds_.emplace(rq.audio.machine_message, 0.0);
    if (fresh) {
      try {  // the campaign checked the file; a host's request may name anything
        const media::Pcm pcm = media::read_wav(rq.audio.machine_message);
        it->second = static_cast<double>(pcm.samples.size()) / pcm.sample_rate;
      } catch (const Error& e) {
        message_seconds_.erase(it);
        throw Error(ErrorCode::invalid_argument, name_ + ": " + call + ": machine_message: " + e.what());
      }
    }
    message_s = it->second;
  }
  if (capacity_ > 0 && static_cast<int>(calls_.size()) >= capacity_)
    throw Error(ErrorCode::busy, name_ + ": no free channel for " + call + " (all " + std::to_string(capacity_) + " in use)");
  auto c = std::make_unique<SimCall>();
  c->request = rq;
  c->fate = net_.draw();
  c->message_s = message_s;
  ++stats_.dials;
  calls_.emplace(rq.call_id, std::move(c));
  emit(CallEventKind::dialing, rq.call_id);
  if (SimCall* placed = find(rq.call_id)) place(*placed);
}

void SimDriverCore::ring(SimCall& call) {
  const auto& m = net_.model();
  const CallId id = call.request.call_id;
  const double timeout_s = call.request.ring_timeout.count() > 0 ? to_seconds(call.request.ring_timeout) : m.no_answer_timeout_s;
  const CallFate fate = call.fate;
  switch (fate.kind) {
    case CallFate::Kind::busy:
      after(call, m.busy_signal_s, [this, id] { release(id, CallResult::busy); });
      return;
    case CallFate::Kind::sit:
      after(call, m.sit_s, [this, id, r = fate.sit_result] { release(id, r); });
      return;
    case CallFate::Kind::no_answer:
      after(call, 0.5, [this, id] { emit(CallEventKind::ringing, id); });
      after(call, timeout_s, [this, id] { release(id, CallResult::no_answer); });
      return;
    case CallFate::Kind::live:
    case CallFate::Kind::machine:
    case CallFate::Kind::fax:
    case CallFate::Kind::silence:
      after(call, 0.5, [this, id] { emit(CallEventKind::ringing, id); });
      if (fate.ring_s >= timeout_s)
        after(call, timeout_s, [this, id] { release(id, CallResult::no_answer); });
      else
        after(call, std::max(0.5, fate.ring_s), [this, id] {
          if (SimCall* c = find(id)) answered(*c);
        });
      return;
  }
}

void SimDriverCore::after(SimCall& call, double seconds, std::function<void()> fn) {
  call.timers.push_back(net_.loop().schedule_after(from_seconds(seconds), std::move(fn)));
}

SimCall* SimDriverCore::find(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second.get();
}

void SimDriverCore::emit(CallEventKind kind, CallId id, AnswerClass answer, const std::string& agent, CallResult result,
                         const std::string& detail) {
  if (!sink_) return;
  CallEvent e;
  e.kind = kind;
  e.call_id = id;
  e.at = now();
  e.answer = answer;
  e.agent_id = agent;
  e.result = result;
  e.detail = detail;
  sink_->on_call_event(e);
}

void SimDriverCore::release(CallId id, CallResult result, const std::string& detail) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  std::unique_ptr<SimCall> call = std::move(it->second);
  calls_.erase(it);
  for (TimerId t : call->timers) net_.loop().cancel(t);
  if (sink_) {
    CallEvent e;
    e.kind = CallEventKind::released;
    e.call_id = id;
    e.at = now();
    e.result = result;
    e.detail = detail;
    e.message_left = call->message_left;
    sink_->on_call_event(e);
  }
  released(*call);
}

void SimDriverCore::abandon(CallId id, CallResult result, const std::string& detail) {
  SimCall* call = find(id);
  if (!call) return;
  call->abandonable = false;
  ++stats_.abandoned;
  emit(CallEventKind::abandoned, id);
  release(id, result, detail);
}

void SimDriverCore::announce_answer(SimCall& call, AnswerClass reported) {
  call.answered = true;
  call.answered_at = now();
  emit(CallEventKind::answered, call.request.call_id, reported);
}

std::optional<Judgement> SimDriverCore::classify_answer(SimCall& call) {
  const Judgement j = judge(call.fate, call.request.amd);
  const CallId id = call.request.call_id;
  if (j.drop) {
    // The detector listens for a few seconds, then drops the call.
    after(call, net().model().amd_s, [this, id, j] {
      SimCall* c = find(id);
      if (!c) return;
      if (j.reported == AnswerClass::machine) ++stats_.machines;
      announce_answer(*c, j.reported);
      release(id, j.drop_result);
    });
    return std::nullopt;
  }
  if (call.fate.kind == CallFate::Kind::machine) ++stats_.machines;
  if (call.fate.kind == CallFate::Kind::live) ++stats_.live_answers;
  announce_answer(call, j.reported);
  return j;
}

void SimDriverCore::cancel(CallId id) {
  SimCall* call = find(id);
  if (!call || call->connected) return;  // unknown or already with an agent: nothing to cancel
  release(id, CallResult::cleared, "cancelled by the engine");
}

void SimDriverCore::release_abandoned(CallId id) {
  SimCall* call = find(id);
  if (!call || call->connected || !call->abandonable) return;  // only an answered call waiting for an agent
  abandon(id, CallResult::abandoned, "abandonment message played");
}

// A treatment sent an answered call on (connect/transfer): the network records where, and the
// call ends after the time a machine talks, with the result it would have had.
void SimDriverCore::transfer(CallId id, const std::string& destination) {
  SimCall* call = find(id);
  if (!call || !call->answered || call->connected)
    throw Error(ErrorCode::invalid_state, name_ + ": call " + std::to_string(id) + " is not an answered call waiting: it cannot be transferred");
  if (destination.empty()) throw Error(ErrorCode::invalid_argument, name_ + ": a transfer needs a destination");
  call->connected = true;  // no agent takes it now
  call->abandonable = false;
  ++stats_.transfers;
  stats_.transfer_destinations.push_back(destination);
  const CallResult result = judge(call->fate, call->request.amd).end_result;
  after(*call, net().model().machine_talk_s, [this, id, result, destination] { release(id, result, "transferred to " + destination); });
}

bool SimDriverCore::wants_message(const SimCall& call) const {
  return call.fate.kind == CallFate::Kind::machine && call.request.amd == AmdMode::detect_connect && call.message_s > 0;
}

void SimDriverCore::leave_message(SimCall& call) {
  const CallId id = call.request.call_id;
  const double beep_s = net().model().amd_s;
  after(call, beep_s, [this, id] {
    SimCall* c = find(id);
    if (!c || c->connected) return;  // transferred by the engine meanwhile
    after(*c, c->message_s, [this, id] {
      SimCall* done = find(id);
      if (!done || done->connected) return;
      done->message_left = true;
      ++stats_.machine_messages;
      release(id, CallResult::answering_machine, "answering machine; message left after the beep");
    });
  });
}

void SimDriverCore::stop() {
  if (!running_) return;
  running_ = false;  // from here no new work starts (no routing, no dials)
  std::vector<CallId> ids;
  for (auto& [id, c] : calls_) ids.push_back(id);
  for (CallId id : ids) release(id, CallResult::cleared, "driver stopped");
  on_stop();
  sink_ = nullptr;
}

}  // namespace outbound::sim::detail
