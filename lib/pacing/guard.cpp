// The abandon-rate guard: the regulatory limit on every autonomous pacer.
//
// Over the window (US: 30 days; UK: 24 hours with an answering-machine
// false-positive estimate) abandoned <= cap x live must hold at every moment.
// slack = cap x live - abandoned is what is left: one abandon costs (1 - cap)
// of it, one machine detection f (1 - cap) (the UK estimate of silent calls),
// one connected live answer gives back cap.
//
// The guard bounds what the calls waiting, in flight and about to be placed
// can cost, even if no busy agent frees up in time: the free agents take the
// first live answers, every further live answer is abandoned. How many of the
// calls will be answered live is a Poisson-binomial count (each call in
// flight by its age, from what has been learned; each new one at an upper
// confidence bound of the live-answer rate); new calls are allowed while the
// chance that this cost exceeds the slack stays below kRisk. Before anything
// is learned every call counts as live: the plain worst case. Calls for free
// agents are always allowed: they can only lower the rate.
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <cmath>

#include "forecast.hpp"
#include "outbound/pacing.hpp"

namespace outbound {
namespace {

using Fast = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

constexpr double kRisk = 1e-6;          // chance a decision may leave of the window crossing the cap
constexpr double kRateConfidence = 1e-3;  // the live-answer rate used is exceeded with this chance
constexpr double kMinOutcomes = 30.0;     // resolved calls before the live-answer rate is used at all
constexpr int kMaxGuardedDials = 500;     // more new calls than this at once are never allowed

double silent_calls(const AbandonBudget& b) {
  return std::clamp(b.amd_false_positive, 0.0, 1.0) * static_cast<double>(std::max(0L, b.machines_in_window));
}

// Slack of the window now and after the answers that leave it within the next minute.
double window_slack(const AbandonBudget& b) {
  const double live = static_cast<double>(b.live_in_window) + silent_calls(b);
  const double abandoned = static_cast<double>(b.abandoned_in_window) + silent_calls(b);
  const double now = b.cap_rate * live - abandoned;
  const double later = b.cap_rate * (live - static_cast<double>(b.live_expiring)) -
                       (abandoned - static_cast<double>(b.abandoned_expiring));
  return std::min(now, later);
}

// 1 while the window's rate is below 90 % of the cap, falling to 0 at the cap.
double throttle(const AbandonBudget& b) {
  if (b.cap_rate >= 1.0) return 1.0;
  if (b.cap_rate <= 0.0) return 0.0;
  const double live = static_cast<double>(b.live_in_window) + silent_calls(b);
  if (live <= 0.0) return 1.0;
  const double rate = (static_cast<double>(b.abandoned_in_window) + silent_calls(b)) / live;
  return std::clamp(10.0 * (1.0 - rate / b.cap_rate), 0.0, 1.0);
}

// Upper confidence bound of the live-answer rate, or 1 while too little is known.
double live_rate_bound(const PacingStats& st) {
  if (st.live_answer_samples < kMinOutcomes || st.answer_delay.empty()) return 1.0;
  const double p = std::clamp(st.live_answer_rate, 0.0, 1.0), n = st.live_answer_samples;
  boost::math::beta_distribution<double, Fast> post(p * n + 0.5, (1.0 - p) * n + 0.5);
  return boost::math::quantile(boost::math::complement(post, kRateConfidence));
}

// P(T > age) with one more observation assumed past it: a tail no sample
// has reached yet is thin, not empty.
double cautious_survival(const DurationDistribution& d, double age) {
  const double n = d.samples();
  return (n * d.survival(age) + 1.0) / (n + 1.0);
}

// Chance that a call dialing for `age` seconds will still be answered live.
double still_live(const PacingStats& st, double p, double age) {
  if (p >= 1.0) return 1.0;
  const double live_left = p * cautious_survival(st.answer_delay, age);
  const double other_left = st.other_delay.empty() ? 0.0 : (1.0 - p) * cautious_survival(st.other_delay, age);
  return live_left / (live_left + other_left);
}

// P(count > limit) for a count with this distribution.
double tail_above(const std::vector<double>& pmf, double limit) {
  double tail = 0.0;
  for (std::size_t k = pmf.size(); k-- > 0 && static_cast<double>(k) > limit;) tail += pmf[k];
  return tail;
}

}  // namespace

int free_capacity(const PacingSnapshot& s) noexcept {
  if (is_gvp(s.mode)) return std::max(0, s.ports - s.calls_connected);
  if (is_seizing(s.mode)) return std::max(0, s.agents_reserved);
  return std::max(0, s.agents_ready);
}

AbandonAllowance abandon_guard(const PacingSnapshot& s) {
  AbandonAllowance a;
  const int free = free_capacity(s);
  const int waiting = std::max(0, s.calls_waiting), dialing = std::max(0, s.calls_dialing);
  a.protected_dials = std::max(0, free - waiting - dialing);
  a.slack = window_slack(s.abandon);
  a.target_scale = throttle(s.abandon);
  const double cap = s.abandon.cap_rate;
  if (cap >= 1.0) return a;  // no cap: max_dials stays unbounded
  // What the slack affords, in worst-case abandons, less the estimated silent
  // calls of the calls that will have an agent (each may be a machine).
  const double f = std::clamp(s.abandon.amd_false_positive, 0.0, 1.0);
  const int protected_dialing = std::max(0, std::min(dialing + a.protected_dials, free - waiting));
  const double affordable = a.slack / (1.0 - cap) - f * protected_dialing;
  if (affordable < 0.0) {
    a.max_dials = a.protected_dials;
    return a;
  }
  // Live answers to come from the calls waiting and dialing; the free agents take the first ones.
  const double p = live_rate_bound(s.stats);
  std::vector<double> live(static_cast<std::size_t>(waiting) + 1, 0.0);
  live.back() = 1.0;
  std::vector<double> ages = s.dialing_elapsed_s;
  ages.resize(static_cast<std::size_t>(dialing), 0.0);
  for (double age : ages) detail::add_bernoulli(live, still_live(s.stats, p, age));
  const double limit = affordable + free;
  int n = 0;
  while (n < a.protected_dials + kMaxGuardedDials) {
    detail::add_bernoulli(live, p);
    if (n >= a.protected_dials && tail_above(live, limit) > kRisk) break;
    ++n;
  }
  a.max_dials = n;
  return a;
}

}  // namespace outbound
