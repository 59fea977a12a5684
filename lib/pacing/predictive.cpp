// Our predictive pacer: asks the forecast what each dial count would bring
// and takes the count that holds the goal, never past the abandon guard.
#include "predictive.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

#include "forecast.hpp"

namespace outbound::detail {
namespace {

constexpr int kSearchSpan = 1000;  // more new calls than this at once is never asked

// The largest n in [lo, hi] with ok(n), for ok true up to a point then false
// (lo when ok(lo + 1) already fails). Exponential then binary search.
template <typename Ok>
int most(int lo, int hi, Ok ok) {
  if (hi <= lo) return lo;
  int good = lo, bad = hi + 1, step = 1;
  while (good < hi) {
    const int c = std::min(hi, good + step);
    if (!ok(c)) {
      bad = c;
      break;
    }
    good = c;
    step *= 2;
  }
  while (bad - good > 1) {
    const int mid = good + (bad - good) / 2;
    (ok(mid) ? good : bad) = mid;
  }
  return good;
}

// The smallest n in [lo, hi] with ok(n), for ok false up to a point then true (hi when never).
template <typename Ok>
int fewest(int lo, int hi, Ok ok) {
  if (ok(lo)) return lo;
  return std::min(hi, most(lo, hi, [&](int n) { return !ok(n); }) + 1);
}

// New calls the channel limit still allows (GVP ports bound answered calls, not dials).
int room_for_calls(const PacingSnapshot& s) {
  if (s.ports <= 0 || is_gvp(s.mode)) return INT_MAX;
  return std::max(0, s.ports - s.calls_dialing - s.calls_waiting - s.calls_connected);
}

constexpr double kGoalGain = 4.0;        // the same for the busy factor, wait and distribution time
constexpr double kMaxCorrection = 8.0;   // the correction stays within x1/8 .. x8
constexpr double kTrustAfter = 100.0;    // live answers before the recent rate is half trusted

// A multiplier from a relative error of what was achieved recently:
// exp(gain x error), trusted as history grows, within x1/8 .. x8.
double correction(double error, double trust, double gain) {
  const double limit = std::log(kMaxCorrection);
  return std::exp(std::clamp(gain * error * trust, -limit, limit));
}

// The abandons a new call may add per live answer it brings, for an abandon
// rate theta: theta itself, eased by the guard's throttle as the window nears
// the cap, and corrected by how the recent abandon rate compares with theta —
// so what the model gets wrong about this network is learned, not tuned.
//
// The correction moves the allowance by one e-fold per standard deviation of
// evidence: the recent abandons are a Poisson count with mean theta x live
// answers if the rate is theta, so (expected - observed) / sqrt(expected) =
// (1 - recent / theta) sqrt(theta x live). A few abandons among a few hundred
// live answers (few agents) then move the allowance a little, not eightfold,
// and the allowance stays steady enough for the marginal rule to spend the
// budget where it buys the most; with many answers the same rule is firm.
double marginal_allowance(const PacingSnapshot& s, const AbandonAllowance& g, double theta) {
  if (theta <= 0.0) return 0.0;
  const double weight = std::max(0.0, s.stats.recent_live_weight);
  const double z = (1.0 - s.stats.recent_abandon_rate / theta) * std::sqrt(theta * weight);
  return theta * g.target_scale * correction(z, 1.0, 1.0);
}

/// Expected abandons by dial count, each computed once.
class AbandonsByCount {
 public:
  explicit AbandonsByCount(const Forecast& f) : f_(f) {}
  const PacingOutlook& at(int n) {
    for (const auto& [k, o] : seen_)
      if (k == n) return o;
    seen_.emplace_back(n, f_.evaluate(n, false, false));
    return seen_.back().second;
  }
  // Adding the n-th call adds at most `allowance` abandons per live answer it brings.
  bool marginal_within(int n, double allowance) {
    const PacingOutlook b = at(n - 1);
    const PacingOutlook& a = at(n);
    return a.abandons - b.abandons <= allowance * (a.live - b.live) + 1e-12;
  }

 private:
  const Forecast& f_;
  std::vector<std::pair<int, PacingOutlook>> seen_;
};

double agent_history_trust(const PacingStats& st) {
  const auto n = static_cast<double>(st.connected);
  return n / (n + kTrustAfter);
}

// Agents to keep idle on average for a busy factor, or a mean wait between
// calls, corrected by how far the recent busy factor or wait is from it.
double idle_target(const PacingSnapshot& s, const Forecast& f) {
  const double units = f.units(), trust = agent_history_trust(s.stats);
  if (s.goal == OptimizationGoal::busy_factor) {
    const double busy = std::clamp(s.target, 0.0, 1.0);
    const double error = (s.stats.recent_occupancy - busy) / std::max(0.05, 1.0 - busy);  // > 0: busier than asked
    return (1.0 - busy) * units * correction(error, trust, kGoalGain);
  }
  const double wait = std::max(0.0, s.target), handle = std::max(1.0, f.mean_handle_s());
  const double error = (wait - s.stats.recent_wait_s) / std::max(1.0, wait);  // > 0: agents wait less than asked
  return units * wait / (handle + wait) * correction(error, trust, kGoalGain);
}

// The mean distribution time to aim the model at, corrected by the recent one.
double distribution_limit(const PacingSnapshot& s) {
  const double target = std::max(0.0, s.target);
  const double error = (target - s.stats.recent_distribution_s) / std::max(target, 1e-3);
  return target * correction(error, agent_history_trust(s.stats), kGoalGain);
}

}  // namespace

int PredictivePacer::dials_now(const PacingSnapshot& s) {
  const AbandonAllowance g = abandon_guard(s);
  const int hard = std::min(g.max_dials, room_for_calls(s));
  const int floor = std::max(0, std::min(g.protected_dials, hard));
  const auto f = Forecast::build(s);
  if (!f) return floor;  // progressive until enough has been learned
  const int hi = static_cast<int>(std::min<long long>(hard, static_cast<long long>(floor) + kSearchSpan));
  const double cap = std::min(1.0, s.abandon.cap_rate);
  AbandonsByCount abandons(*f);
  // The regulatory ceiling every goal stays under; calls for free agents are always placed.
  auto under_cap = [&](double theta) {
    const double allowance = marginal_allowance(s, g, theta);
    return most(floor, hi, [&](int k) { return k <= floor || abandons.marginal_within(k, allowance); });
  };
  int n = floor;
  switch (s.goal) {
    case OptimizationGoal::busy_factor:
    case OptimizationGoal::wait_time: {
      const double idle = idle_target(s, *f);
      const int wanted = fewest(0, hi, [&](int k) { return f->evaluate(k, true, false).idle_agents <= idle; });
      n = std::min(wanted, under_cap(cap));
      break;
    }
    case OptimizationGoal::distribution_time: {
      const double limit = distribution_limit(s);
      const int wanted = most(floor, hi, [&](int k) { return f->evaluate(k, false, true).distribution_s <= limit; });
      n = std::min(wanted, under_cap(cap));
      break;
    }
    default: {  // overdial rate; none and max gain aim at the regulatory cap
      const double theta = s.goal == OptimizationGoal::overdial_rate && s.target > 0.0 ? std::min(s.target, cap) : cap;
      n = under_cap(theta);
      break;
    }
  }
  return std::clamp(n, 0, std::max(0, hard));
}

}  // namespace outbound::detail

namespace outbound {

std::optional<PacingOutlook> pacing_outlook(const PacingSnapshot& s, int n) {
  auto f = detail::Forecast::build(s);
  if (!f) return std::nullopt;
  return f->evaluate(n, true, true);
}

}  // namespace outbound
