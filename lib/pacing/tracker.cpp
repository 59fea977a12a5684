// Online statistics for pacing, learned from the campaign's events.
//
// Everything recent-weighted uses exponential forgetting by observation
// count: the k-th observation weighs g^k with g = 2^(1/half_life), so an
// observation half_life observations old counts half as much as the newest.
// Weights grow instead of decaying (cheap: no pass over old data) and are
// rescaled before they overflow. The recent dials are counted by dial second
// instead, each outcome with its call's second, so what comes back first
// cannot bias their live-answer share.
#include <algorithm>
#include <cmath>
#include <deque>

#include "outbound/pacing.hpp"

namespace outbound {
namespace {

constexpr double kRescaleAt = 1e100;

double growth_for(double half_life) { return std::pow(2.0, 1.0 / std::max(1.0, half_life)); }

/// A recent-weighted mean with its effective sample size.
class DecayingMean {
 public:
  explicit DecayingMean(double half_life) : growth_(growth_for(half_life)) {}
  void add(double x) {
    if (w_ > kRescaleAt) rescale();
    sum_ += w_ * x;
    total_ += w_;
    total2_ += w_ * w_;
    w_ *= growth_;
  }
  double mean() const { return total_ > 0 ? sum_ / total_ : 0.0; }
  double effective_n() const { return total2_ > 0 ? total_ * total_ / total2_ : 0.0; }
  /// Sum of the weights, the newest observation counting 1.
  double memory() const { return total_ * growth_ / w_; }

 private:
  void rescale() {
    sum_ /= w_, total_ /= w_, total2_ /= (w_ * w_);
    w_ = 1.0;
  }
  double growth_;
  double w_ = 1.0, sum_ = 0.0, total_ = 0.0, total2_ = 0.0;
};

/// A recent-weighted histogram of durations on a 1 s grid, turned into a
/// DurationDistribution on demand (and cached until the next sample).
class DecayingHistogram {
 public:
  DecayingHistogram(std::size_t bins, double half_life) : bins_(bins + 1, 0.0), growth_(growth_for(half_life)) {}
  void add(double seconds) {
    if (w_ > kRescaleAt) rescale();
    auto i = static_cast<std::size_t>(std::clamp(seconds, 0.0, static_cast<double>(bins_.size() - 1)));
    bins_[i] += w_;
    total_ += w_;
    total2_ += w_ * w_;
    sum_ += w_ * seconds;
    w_ *= growth_;
    cached_.reset();
  }
  double mean() const { return total_ > 0 ? sum_ / total_ : 0.0; }
  double effective_n() const { return total2_ > 0 ? total_ * total_ / total2_ : 0.0; }
  const DurationDistribution& distribution() const {
    if (!cached_) cached_ = build();
    return *cached_;
  }

 private:
  DurationDistribution build() const {
    if (total_ <= 0) return {};
    std::size_t last = bins_.size();
    while (last > 1 && bins_[last - 1] <= 0.0) --last;  // no table past the longest duration seen
    std::vector<double> s(last + 1, 0.0);
    double above = 0.0;
    for (std::size_t i = last; i-- > 0;) {
      above += bins_[i];
      s[i] = above / total_;
    }
    s[0] = 1.0;
    return DurationDistribution::from_survival(std::move(s), 1.0, effective_n());
  }
  void rescale() {
    for (double& b : bins_) b /= w_;
    sum_ /= w_, total_ /= w_, total2_ /= (w_ * w_);
    w_ = 1.0;
  }
  std::vector<double> bins_;
  double growth_;
  double w_ = 1.0, total_ = 0.0, total2_ = 0.0, sum_ = 0.0;
  mutable std::optional<DurationDistribution> cached_;
};

/// Counts over a sliding period, kept as one entry per second.
class SlidingCounts {
 public:
  explicit SlidingCounts(double period_s) : period_s_(period_s) {}
  void add(double t, long RecentCounts::*field) {
    auto sec = static_cast<long long>(std::floor(t));
    if (entries_.empty() || entries_.back().first != sec) entries_.push_back({sec, RecentCounts{}});
    ++(entries_.back().second.*field);
    ++(sum_.*field);
  }
  RecentCounts at(double now) {
    auto oldest = static_cast<long long>(std::floor(now - period_s_));
    while (!entries_.empty() && entries_.front().first <= oldest) {
      const auto& c = entries_.front().second;
      sum_.dials -= c.dials, sum_.resolved -= c.resolved, sum_.live_answers -= c.live_answers, sum_.abandoned -= c.abandoned;
      entries_.pop_front();
    }
    return sum_;
  }

 private:
  double period_s_;
  std::deque<std::pair<long long, RecentCounts>> entries_;
  RecentCounts sum_;
};

/// The calls placed over a sliding period, one entry per dial second, each
/// outcome counted with the second its call was placed in.
class DialCohorts {
 public:
  explicit DialCohorts(double period_s) : period_s_(period_s) {}
  void dial(double t) {
    const auto sec = static_cast<long long>(std::floor(t));
    if (entries_.empty() || entries_.back().first != sec) entries_.push_back({sec, DialOutcomes{}});
    ++entries_.back().second.dials;
    ++sum_.dials;
  }
  // An outcome of a call placed at `dialed`; none once its second has left the period.
  void outcome(double dialed, long DialOutcomes::*field) {
    const auto sec = static_cast<long long>(std::floor(dialed));
    auto it = std::lower_bound(entries_.begin(), entries_.end(), sec, [](const auto& e, long long s) { return e.first < s; });
    if (it == entries_.end() || it->first != sec) return;
    ++(it->second.*field);
    ++(sum_.*field);
  }
  DialOutcomes at(double now) {
    const auto oldest = static_cast<long long>(std::floor(now - period_s_));
    while (!entries_.empty() && entries_.front().first <= oldest) {
      const auto& c = entries_.front().second;
      sum_.dials -= c.dials, sum_.live -= c.live, sum_.other -= c.other, sum_.cleared -= c.cleared;
      entries_.pop_front();
    }
    return sum_;
  }

 private:
  double period_s_;
  std::deque<std::pair<long long, DialOutcomes>> entries_;
  DialOutcomes sum_;
};

/// Agent time per state, forgotten exponentially in time.
class DecayingAgentTime {
 public:
  explicit DecayingAgentTime(double half_life_s) : rate_(std::log(2.0) / std::max(1.0, half_life_s)) {}
  void add(double t, AgentState s, double seconds) {
    double* bucket = s == AgentState::busy ? &busy_
                     : s == AgentState::wrap_up ? &wrap_
                     : (s == AgentState::ready || s == AgentState::reserved) ? &idle_
                                                                             : nullptr;
    if (bucket) *bucket += weight(t) * seconds;
  }
  void connect(double t) { connects_ += weight(t); }
  double occupancy() const {
    double work = busy_ + wrap_, all = work + idle_;
    return all > 0 ? work / all : 0.0;
  }
  double wait_per_call() const { return connects_ > 0 ? idle_ / connects_ : 0.0; }

 private:
  // Weight of an observation at t relative to the reference time; rebased before it overflows.
  double weight(double t) {
    if (!based_) based_ = true, ref_ = t;
    double w = std::exp(rate_ * (t - ref_));
    if (w > 1e100) {
      busy_ /= w, wrap_ /= w, idle_ /= w, connects_ /= w;
      ref_ = t;
      w = 1.0;
    }
    return w;
  }
  double rate_;
  bool based_ = false;
  double ref_ = 0.0, busy_ = 0.0, wrap_ = 0.0, idle_ = 0.0, connects_ = 0.0;
};

double seconds_of(Time t) { return to_seconds(t.time_since_epoch()); }

// Results that only come after an answer: their call was already counted as resolved.
bool follows_answer(CallResult r) {
  switch (r) {
    case CallResult::ok:
    case CallResult::transferred:
    case CallResult::conferenced:
    case CallResult::remote_release:
    case CallResult::answering_machine:
    case CallResult::abandoned:
    case CallResult::consult:
    case CallResult::picked_up:
    case CallResult::dropped:
    case CallResult::converse_on:
    case CallResult::bridged:
    case CallResult::silence:
    case CallResult::answer:
    case CallResult::wrong_party:
    case CallResult::call_drop_error:
    case CallResult::transfer_error:
    case CallResult::deafened:
    case CallResult::held:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct PacingTracker::Impl {
  explicit Impl(const PacingTrackerOptions& o)
      : live_rate(o.outcome_half_life), answer_delay(120, o.delay_half_life), other_delay(300, o.delay_half_life),
        talk(3600, o.handle_half_life), wrap(1800, o.handle_half_life), session(3600, o.handle_half_life),
        abandon_rate(o.abandon_half_life), distribution(o.abandon_half_life), agent_time(o.agent_time_half_life_s) {}

  PacingStats totals;
  DecayingMean live_rate;
  DecayingHistogram answer_delay, other_delay, talk, wrap, session;
  DecayingMean abandon_rate, distribution;
  DecayingAgentTime agent_time;
  SlidingCounts minute{60.0}, hour{3600.0};
  DialCohorts cohorts{600.0};

  void resolved(Time t, bool live) {
    ++totals.resolved;
    live_rate.add(live ? 1.0 : 0.0);
    minute.add(seconds_of(t), &RecentCounts::resolved);
    hour.add(seconds_of(t), &RecentCounts::resolved);
  }
};

PacingTracker::PacingTracker() : PacingTracker(PacingTrackerOptions{}) {}
PacingTracker::PacingTracker(const PacingTrackerOptions& options) : impl_(std::make_unique<Impl>(options)) {}
PacingTracker::~PacingTracker() = default;

void PacingTracker::on_dial(Time t) {
  ++impl_->totals.dials;
  impl_->cohorts.dial(seconds_of(t));
  impl_->minute.add(seconds_of(t), &RecentCounts::dials);
  impl_->hour.add(seconds_of(t), &RecentCounts::dials);
}

void PacingTracker::on_answer(Time t, bool live, Duration since_dial) {
  auto& im = *impl_;
  im.resolved(t, live);
  im.cohorts.outcome(seconds_of(t - since_dial), live ? &DialOutcomes::live : &DialOutcomes::other);
  if (live) {
    ++im.totals.live_answers;
    im.answer_delay.add(to_seconds(since_dial));
    im.minute.add(seconds_of(t), &RecentCounts::live_answers);
    im.hour.add(seconds_of(t), &RecentCounts::live_answers);
  } else {
    im.other_delay.add(to_seconds(since_dial));
  }
}

void PacingTracker::on_connect(Time t, Duration wait) {
  auto& im = *impl_;
  ++im.totals.connected;
  im.abandon_rate.add(0.0);
  im.distribution.add(to_seconds(wait));
  im.agent_time.connect(seconds_of(t));
}

void PacingTracker::on_abandon(Time t) {
  auto& im = *impl_;
  ++im.totals.abandoned;
  im.abandon_rate.add(1.0);
  im.minute.add(seconds_of(t), &RecentCounts::abandoned);
  im.hour.add(seconds_of(t), &RecentCounts::abandoned);
}

void PacingTracker::on_release(Time t, CallResult result, Duration since_dial, std::optional<bool> answered,
                               std::optional<Duration> connected_for) {
  auto& im = *impl_;
  if (connected_for) im.session.add(to_seconds(*connected_for));
  bool was_answered = answered.value_or(follows_answer(result));
  if (was_answered) return;
  // A call the engine or the switch cleared before it was answered says nothing about the network.
  im.cohorts.outcome(seconds_of(t - since_dial), result == CallResult::cleared ? &DialOutcomes::cleared : &DialOutcomes::other);
  if (result == CallResult::cleared) return;
  im.resolved(t, false);
  im.other_delay.add(to_seconds(since_dial));
}

void PacingTracker::on_agent_state(Time t, AgentState from, AgentState, Duration in_from) {
  auto& im = *impl_;
  double s = to_seconds(in_from);
  im.agent_time.add(seconds_of(t), from, s);
  if (from == AgentState::busy) im.talk.add(s);
  if (from == AgentState::wrap_up) im.wrap.add(s);
}

PacingStats PacingTracker::stats(Time now) const {
  auto& im = *impl_;
  PacingStats p = im.totals;
  p.now_s = seconds_of(now);
  p.live_answer_rate = im.live_rate.mean();
  p.live_answer_samples = im.live_rate.effective_n();
  p.answer_delay = im.answer_delay.distribution();
  p.other_delay = im.other_delay.distribution();
  p.talk = im.talk.distribution();
  p.wrap = im.wrap.distribution();
  p.session = im.session.distribution();
  p.mean_answer_delay_s = im.answer_delay.mean();
  p.mean_talk_s = im.talk.mean();
  p.mean_wrap_s = im.wrap.mean();
  p.mean_handle_s = p.mean_talk_s + p.mean_wrap_s;
  p.recent_abandon_rate = im.abandon_rate.mean();
  p.recent_live_weight = im.abandon_rate.memory();
  p.recent_distribution_s = im.distribution.mean();
  p.recent_occupancy = im.agent_time.occupancy();
  p.recent_wait_s = im.agent_time.wait_per_call();
  p.last_minute = im.minute.at(p.now_s);
  p.last_hour = im.hour.at(p.now_s);
  p.recent_dials = im.cohorts.at(p.now_s);
  return p;
}

}  // namespace outbound
