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
//
// That chance is computed exactly (one call at a time, O(calls^2)) while the
// calls are few; beyond, by an upper bound in O(calls): Hoeffding's binomial
// bound, the lesser with the Poisson Chernoff bound. An upper bound of the
// chance can only allow fewer dials than the exact one, never more.
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>

#include "forecast.hpp"
#include "outbound/pacing.hpp"

namespace outbound {
namespace {

using Fast = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
// The bound's binomial: an evaluation Boost cannot do gives NaN (the other bound then stands), never an exception.
using FastQuiet = boost::math::policies::policy<
    boost::math::policies::promote_double<false>,
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>>;

constexpr double kRisk = 1e-6;          // chance a decision may leave of the window crossing the cap
constexpr double kRateConfidence = 1e-3;  // the live-answer rate used is exceeded with this chance
constexpr double kMinOutcomes = 30.0;     // resolved calls before the live-answer rate is used at all
constexpr int kMaxGuardedDials = 500;     // more new calls than this at once are never allowed
constexpr int kExactUpTo = 200;           // calls waiting, dialing and for free agents computed exactly (automatic)

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

// Upper confidence bound of the live-answer share of the calls placed
// lately, every call still dialing counted as live; 1 while too few are known.
double recent_dials_bound(const DialOutcomes& d) {
  const double placed = static_cast<double>(d.dials - d.cleared);
  if (placed < kMinOutcomes) return 1.0;
  const double not_live = std::clamp(static_cast<double>(d.other), 0.0, placed);
  boost::math::beta_distribution<double, Fast> post(placed - not_live + 0.5, not_live + 0.5);
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

// Most new dials, exactly: the distribution of the live answers to come (the
// calls waiting for sure, one Bernoulli per call dialing, then one per new
// call at p), each new call beyond the protected ones checked against kRisk.
int most_dials_exact(int waiting, const std::vector<double>& chances, double p, int protected_dials, double limit) {
  std::vector<double> live(static_cast<std::size_t>(waiting) + 1, 0.0);
  live.back() = 1.0;
  for (double q : chances) detail::add_bernoulli(live, q);
  int n = 0;
  while (n < protected_dials + kMaxGuardedDials) {
    detail::add_bernoulli(live, p);
    if (n >= protected_dials && tail_above(live, limit) > kRisk) break;
    ++n;
  }
  return n;
}

// An upper bound of P(T > x) for T a sum of independent Bernoulli trials,
// `trials` of them with `mean` successes expected in all (each chance < 1).
//  - Poisson Chernoff: E[exp(tT)] <= exp(mean (e^t - 1)) for any such sum,
//    so P(T >= k) <= exp(-mean) (e mean / k)^k for k > mean.
//  - Hoeffding (1956, "On the distribution of the number of successes in
//    independent trials", Theorem 4): for mean >= 1 and c >= mean + 1,
//    P(T > c) <= P(B > c) with B binomial of the same trials and mean — the
//    binomial is the most spread of them. The bound is loose only by the
//    spread of the chances themselves: sum (q - mean/trials)^2 more variance.
double tail_bound(double trials, double mean, double x) {
  if (x < 0.0) return 1.0;
  const double c = std::floor(x);  // T > x exactly when T > c
  if (c >= trials || mean <= 0.0) return 0.0;
  double bound = 1.0;
  if (const double k = c + 1.0; k > mean) bound = std::exp(k - mean + k * std::log(mean / k));
  if (mean >= 1.0 && c >= mean + 1.0) {
    boost::math::binomial_distribution<double, FastQuiet> b(trials, std::min(1.0, mean / trials));
    const double binomial = boost::math::cdf(boost::math::complement(b, c));
    if (binomial >= 0.0) bound = std::min(bound, binomial);  // NaN (not computable) leaves the other bound
  }
  return bound;
}

// The bound of the chance, for any number of new calls: the chances summed
// once (O(calls)), then O(1) per question (one Boost binomial).
class BoundedTail {
 public:
  BoundedTail(int waiting, const std::vector<double>& chances, double p, double limit)
      : certain_(waiting), p_(p), limit_(limit) {
    for (double q : chances) {
      if (q >= 1.0) certain_ += 1.0;  // live for sure: no chance to spread
      else if (q > 0.0) trials_ += 1.0, mean_ += q;
    }
  }
  // With n new calls, the chance may exceed kRisk. The margin keeps rounding
  // (1e-13 relative, where the bound equals the exact chance: equal chances)
  // from ever allowing a dial the exact computation refuses.
  bool risky(int n) const {
    const double m = n, risk = kRisk * (1.0 - 1e-9);
    if (p_ >= 1.0) return tail_bound(trials_, mean_, limit_ - certain_ - m) > risk;
    return tail_bound(trials_ + m, mean_ + m * p_, limit_ - certain_) > risk;
  }

 private:
  double certain_, trials_ = 0.0, mean_ = 0.0, p_, limit_;
};

// Most new dials by the bound: a bisection, as the bound grows with every
// call added (like the chance it bounds). Never more than most_dials_exact().
int most_dials_bounded(const BoundedTail& tail, int protected_dials) {
  int allowed = protected_dials, refused = protected_dials + kMaxGuardedDials;
  if (!tail.risky(refused)) return refused;
  while (refused - allowed > 1) {
    const int mid = allowed + (refused - allowed) / 2;
    (tail.risky(mid) ? refused : allowed) = mid;
  }
  return allowed;
}

}  // namespace

int free_capacity(const PacingSnapshot& s) noexcept {
  if (is_gvp(s.mode)) return std::max(0, s.ports - s.calls_connected);
  if (is_seizing(s.mode)) return std::max(0, s.agents_reserved);
  return std::max(0, s.agents_ready);
}

AbandonAllowance abandon_guard(const PacingSnapshot& s) { return abandon_guard(s, GuardMethod::automatic); }

AbandonAllowance abandon_guard(const PacingSnapshot& s, GuardMethod method) {
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
  // With more calls in flight than the live-answer rate remembers outcomes
  // (half-life 200), that rate follows whichever outcome came back last (busy
  // and SIT in seconds, no answer in bursts at the timeout): the recent dials,
  // every call still dialing counted as live, bound it too.
  const bool large = waiting + dialing + a.protected_dials > kExactUpTo;
  const double p = large ? std::max(live_rate_bound(s.stats), recent_dials_bound(s.stats.recent_dials))
                         : live_rate_bound(s.stats);
  std::vector<double> chances = s.dialing_elapsed_s;  // each call's age, then its chance
  chances.resize(static_cast<std::size_t>(dialing), 0.0);
  for (double& q : chances) q = still_live(s.stats, p, q);
  const double limit = affordable + free;
  const BoundedTail bounded(waiting, chances, p, limit);
  const int most = a.protected_dials + kMaxGuardedDials;
  if (method == GuardMethod::bound || (method == GuardMethod::automatic && large)) {
    a.max_dials = most_dials_bounded(bounded, a.protected_dials);
  } else if (method == GuardMethod::automatic && !bounded.risky(most)) {
    a.max_dials = most;  // safe even by the bound, so exactly too: the usual case, with room under the cap
  } else {
    a.max_dials = most_dials_exact(waiting, chances, p, a.protected_dials, limit);
  }
  return a;
}

}  // namespace outbound
