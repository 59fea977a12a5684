// Private: the predictive model behind the pacers (see docs/pacing.md).
//
// Over the next K seconds it predicts, on a 1 s grid:
//  - supply Y(t): agents (ports) free by t — the free ones now, plus each busy
//    or wrapping one from its elapsed time and the learned talk and wrap
//    distributions;
//  - demand X(t): live answers by t — the calls waiting now, each call in
//    flight from its age (the chance it is still to be answered live, and
//    when), and each new dial from the live-answer rate and answer delay.
// A live answer arriving in (t-1, t] is abandoned when the answers before it
// have taken every agent free by t + patience; the expected abandons of
// dialing n more sum that chance over the arrivals of the horizon.
// Few agents (<= 15): exact Poisson-binomial probabilities; more: normal.
#pragma once

#include <optional>
#include <vector>

#include "outbound/pacing.hpp"

namespace outbound::detail {

/// Units of capacity (agents or ports) at or below which probabilities are exact.
inline constexpr int kSmallGroup = 15;

/// The predictive model of one snapshot.
class Forecast {
 public:
  /// The model of `s`, or nullopt while too little has been learned.
  static std::optional<Forecast> build(const PacingSnapshot& s);
  /// The outlook of `n` new dials; idle and queue terms only when asked.
  PacingOutlook evaluate(int n, bool with_idle, bool with_queue) const;
  /// Agents (ports) serving this campaign: free, busy and wrapping.
  int units() const noexcept { return units_; }
  /// Mean talk + wrap (or session) time, seconds.
  double mean_handle_s() const noexcept { return handle_s_; }
  /// Share of dials answered live.
  double live_rate() const noexcept { return p_; }

 private:
  Forecast() = default;
  void build_supply(const PacingSnapshot& s, const std::vector<double>& busy, const std::vector<double>& wrap,
                    const DurationDistribution& talk, const DurationDistribution& wrap_dist, int free_now);
  void build_demand(const PacingSnapshot& s);
  double excess_at(int t, int supply_t, int n) const;    // E[(X_n(t) - Y(supply_t))+]
  double shortage_at(int t, int supply_t, int n) const;  // P(X_n(t) >= Y(supply_t))
  double exact_abandons(int n) const;
  double no_agent_left(const std::vector<double>& pmf, const std::vector<double>& y_cdf) const;

  bool exact_ = false;
  int K_ = 0;        // arrivals are looked at for t = 0..K
  int M_ = 0;        // supply is known for t = 0..M (M >= K + patience)
  int P_ = 2;        // patience in grid steps (rounded down)
  int t_idle_ = 0;   // when new dials typically answer: idle agents are counted then
  int units_ = 0;
  double handle_s_ = 0.0;
  double p_ = 0.0;
  double p_relvar_ = 0.0;  // relative variance of the live-answer rate estimate
  int waiting_ = 0;
  std::vector<double> y_mean_, y_var_;           // supply, t = 0..M
  std::vector<std::vector<double>> y_pmf_;       // exact: P(Y(t) = k)
  std::vector<std::vector<double>> y_cdf_;       // exact: P(Y(t) <= k)
  std::vector<double> x_mean_, x_var_;           // demand from calls waiting and in flight, t = 0..K
  std::vector<std::vector<double>> x_pmf_;       // exact: P(X(t) = k)
  std::vector<double> pi_;                       // a new dial's chance of a live answer by t
  std::vector<std::vector<double>> call_live_by_;  // exact: each call in flight's chance of a live answer by t
};

/// Adds one Bernoulli(q) to the distribution of a count (Poisson-binomial step).
void add_bernoulli(std::vector<double>& pmf, double q);
/// Takes one Bernoulli(q) back out of the distribution of a count.
std::vector<double> remove_bernoulli(const std::vector<double>& pmf, double q);

}  // namespace outbound::detail
