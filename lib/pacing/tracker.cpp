// Online statistics for pacing: running means of answer delay, talk and
// wrap-up, and the live-answer rate. Kept simple here; predictive pacing
// refines what it needs.
#include "outbound/pacing.hpp"

namespace outbound {

struct PacingTracker::Impl {
  PacingStats s;
  double answer_delay_sum = 0, talk_sum = 0, wrap_sum = 0;
  long answer_delay_n = 0, talk_n = 0, wrap_n = 0;
};

PacingTracker::PacingTracker() : impl_(std::make_unique<Impl>()) {}
PacingTracker::~PacingTracker() = default;

void PacingTracker::on_dial(Time) { ++impl_->s.dials; }

void PacingTracker::on_answer(Time, bool live, Duration since_dial) {
  if (!live) return;
  ++impl_->s.live_answers;
  impl_->answer_delay_sum += to_seconds(since_dial);
  ++impl_->answer_delay_n;
}

void PacingTracker::on_connect(Time, Duration) {}
void PacingTracker::on_abandon(Time) { ++impl_->s.abandoned; }
void PacingTracker::on_release(Time, CallResult, Duration) {}

void PacingTracker::on_agent_state(Time, AgentState from, AgentState, Duration in_from) {
  if (from == AgentState::busy) {
    impl_->talk_sum += to_seconds(in_from);
    ++impl_->talk_n;
  } else if (from == AgentState::wrap_up) {
    impl_->wrap_sum += to_seconds(in_from);
    ++impl_->wrap_n;
  }
}

PacingStats PacingTracker::stats(Time) const {
  PacingStats p = impl_->s;
  const auto& im = *impl_;
  p.live_answer_rate = p.dials ? static_cast<double>(p.live_answers) / static_cast<double>(p.dials) : 0.0;
  p.mean_answer_delay_s = im.answer_delay_n ? im.answer_delay_sum / static_cast<double>(im.answer_delay_n) : 0.0;
  p.mean_talk_s = im.talk_n ? im.talk_sum / static_cast<double>(im.talk_n) : 0.0;
  p.mean_wrap_s = im.wrap_n ? im.wrap_sum / static_cast<double>(im.wrap_n) : 0.0;
  p.mean_handle_s = p.mean_talk_s + p.mean_wrap_s;
  return p;
}

}  // namespace outbound
