// The predictive model: supply of agents and demand of live answers over the
// next seconds, and the expected abandons, idle agents and waits of a dial
// count. See forecast.hpp and docs/pacing.md.
#include "forecast.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace outbound::detail {
namespace {

// Boost.Math in double precision: the default promotes to long double, which
// costs more than the whole rest of a decision and buys nothing here.
using Fast = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

constexpr int kMinLiveAnswers = 10;       // live answers before the answer delay means anything
constexpr double kMinOutcomes = 30.0;     // resolved calls behind the live-answer rate
constexpr double kMinHandleSamples = 10;  // talk periods before agents' freeing is predicted
constexpr double kMinWrapSamples = 3;

// E[max(Z, 0)] for Z ~ Normal(mu, sigma): the expected overflow of a count.
double normal_excess(double mu, double sigma) {
  if (sigma < 1e-9) return std::max(mu, 0.0);
  static const boost::math::normal_distribution<double, Fast> unit;
  const double z = mu / sigma;
  if (z < -12.0) return 0.0;
  return mu * boost::math::cdf(unit, z) + sigma * boost::math::pdf(unit, z);
}

// P(D >= 0) for an integer count D ~ Normal(mu, sigma) (continuity corrected).
double normal_at_least_zero(double mu, double sigma) {
  static const boost::math::normal_distribution<double, Fast> unit;
  if (sigma < 1e-9) return mu > -0.5 ? 1.0 : 0.0;
  return boost::math::cdf(unit, (mu + 0.5) / sigma);
}

// Relative variance of the live-answer rate: the Beta posterior of p given
// the effective number of resolved calls (Jeffreys prior).
double rate_relative_variance(double p, double n) {
  if (p <= 0.0) return 0.0;
  boost::math::beta_distribution<double, Fast> post(p * n + 0.5, (1.0 - p) * n + 0.5);
  return boost::math::variance(post) / (p * p);
}

// E[(x - Y)+] for a count Y with the given distribution.
double overflow_of(const std::vector<double>& y_pmf, int x) {
  double e = 0.0;
  const int top = std::min<int>(x, static_cast<int>(y_pmf.size()) - 1);
  for (int y = 0; y <= top; ++y) e += y_pmf[static_cast<std::size_t>(y)] * (x - y);
  return e;
}

std::vector<double> padded(const std::vector<double>& elapsed, int count) {
  std::vector<double> v = elapsed;
  if (static_cast<int>(v.size()) < count) v.resize(static_cast<std::size_t>(count), 0.0);
  return v;
}

bool enough_history(const PacingSnapshot& s, const DurationDistribution& handle) {
  const auto& st = s.stats;
  if (st.live_answers < kMinLiveAnswers || st.live_answer_samples < kMinOutcomes) return false;
  if (st.answer_delay.samples() < kMinLiveAnswers || !(st.live_answer_rate > 0.0)) return false;
  if (is_seizing(s.mode)) return true;  // engaged agents are the only capacity: no freeing to predict
  if (handle.samples() < kMinHandleSamples) return false;
  if (!is_gvp(s.mode) && s.agents_wrap > 0 && st.wrap.samples() < kMinWrapSamples) return false;
  return true;
}

}  // namespace

std::vector<double> remove_bernoulli(const std::vector<double>& pmf, double q) {
  q = std::clamp(q, 0.0, 1.0);
  if (pmf.size() < 2) return pmf;
  const std::size_t m = pmf.size() - 1;
  std::vector<double> b(m, 0.0);
  if (q <= 0.5) {  // divide from the bottom: stable while 1 - q dominates
    b[0] = pmf[0] / (1.0 - q);
    for (std::size_t k = 1; k < m; ++k) b[k] = (pmf[k] - q * b[k - 1]) / (1.0 - q);
  } else {  // from the top
    b[m - 1] = pmf[m] / q;
    for (std::size_t k = m - 1; k > 0; --k) b[k - 1] = (pmf[k] - (1.0 - q) * b[k]) / q;
  }
  for (double& v : b) v = std::max(0.0, v);
  return b;
}

void add_bernoulli(std::vector<double>& pmf, double q) {
  q = std::clamp(q, 0.0, 1.0);
  pmf.push_back(0.0);
  for (std::size_t k = pmf.size() - 1; k > 0; --k) pmf[k] = pmf[k] * (1.0 - q) + pmf[k - 1] * q;
  pmf[0] *= (1.0 - q);
}

std::optional<Forecast> Forecast::build(const PacingSnapshot& s) {
  const bool gvp = is_gvp(s.mode), seize = is_seizing(s.mode);
  const DurationDistribution& handle = gvp && !s.stats.session.empty() ? s.stats.session : s.stats.talk;
  if (!enough_history(s, handle)) return std::nullopt;
  Forecast f;
  f.p_ = std::clamp(s.stats.live_answer_rate, 1e-4, 1.0);
  f.p_relvar_ = rate_relative_variance(f.p_, s.stats.live_answer_samples);
  f.P_ = std::max(0, static_cast<int>(std::floor(s.abandon_after_s + 1e-9)));
  f.K_ = std::clamp(static_cast<int>(std::ceil(s.stats.answer_delay.quantile(0.99))), 5, 60);
  f.M_ = f.K_ + f.P_;
  f.t_idle_ = std::clamp(static_cast<int>(std::lround(s.stats.answer_delay.quantile(0.5))), 0, f.K_);
  f.waiting_ = std::max(0, s.calls_waiting);

  std::vector<double> busy, wrap;
  DurationDistribution wrap_dist;
  if (gvp) {
    busy = padded(s.connected_elapsed_s, s.calls_connected);
    f.units_ = std::max(0, s.ports);
    f.handle_s_ = handle.mean();
  } else if (!seize) {
    busy = padded(s.busy_elapsed_s, s.agents_busy);
    wrap = padded(s.wrap_elapsed_s, s.agents_wrap);
    wrap_dist = s.stats.wrap;
    f.handle_s_ = handle.mean() + wrap_dist.mean();
  }
  const int free_now = free_capacity(s);
  if (!gvp) f.units_ = free_now + static_cast<int>(busy.size() + wrap.size());
  f.exact_ = f.units_ <= kSmallGroup && s.calls_dialing <= 4 * kSmallGroup;
  f.build_supply(s, busy, wrap, handle, wrap_dist, free_now);
  f.build_demand(s);
  return f;
}

void Forecast::build_supply(const PacingSnapshot&, const std::vector<double>& busy, const std::vector<double>& wrap,
                            const DurationDistribution& talk, const DurationDistribution& wrap_dist, int free_now) {
  const auto M = static_cast<std::size_t>(M_);
  // Chance a wrap-up that starts now is over within j + 1/2 s (talk ends inside a 1 s step).
  std::vector<double> wrap_by(M + 1, 1.0);
  if (!wrap_dist.empty())
    for (std::size_t j = 0; j <= M; ++j) wrap_by[j] = wrap_dist.cdf(static_cast<double>(j) + 0.5);

  y_mean_.assign(M + 1, static_cast<double>(free_now));
  y_var_.assign(M + 1, 0.0);
  std::vector<std::vector<double>> unit_q;  // exact: each unit's P(free by t)
  std::vector<double> ends(M + 1, 0.0);     // large groups: expected talk ends in (t-1, t]
  std::vector<double> q(M + 1), end_at(M + 1);
  for (double e : busy) {
    const double alive = talk.survival(e);
    double before = 1.0;
    std::fill(q.begin(), q.end(), 0.0);
    std::fill(end_at.begin(), end_at.end(), 0.0);
    for (std::size_t k = 1; k <= M; ++k) {
      double still = alive > 1e-12 ? std::min(1.0, talk.survival(e + static_cast<double>(k)) / alive)
                                   : talk.conditional_survival(e, static_cast<double>(k));
      end_at[k] = std::max(0.0, before - still);
      before = still;
    }
    if (exact_) {
      for (std::size_t t = 1; t <= M; ++t)
        for (std::size_t k = 1; k <= t; ++k) q[t] += end_at[k] * wrap_by[t - k];
      unit_q.push_back(q);
    } else {
      for (std::size_t k = 1; k <= M; ++k) ends[k] += end_at[k];
    }
  }
  if (!exact_ && !busy.empty()) {
    const double n = static_cast<double>(busy.size());
    for (std::size_t t = 1; t <= M; ++t) {
      double m = 0.0;
      for (std::size_t k = 1; k <= t; ++k) m += ends[k] * wrap_by[t - k];
      y_mean_[t] += m;
      y_var_[t] += m * std::max(0.0, 1.0 - m / n);  // >= the sum of q(1-q): errs on the side of caution
    }
  }
  for (double e : wrap) {
    for (std::size_t t = 0; t <= M; ++t) q[t] = 1.0 - wrap_dist.conditional_survival(e, static_cast<double>(t));
    if (exact_) {
      unit_q.push_back(q);
    } else {
      for (std::size_t t = 0; t <= M; ++t) y_mean_[t] += q[t], y_var_[t] += q[t] * (1.0 - q[t]);
    }
  }
  if (!exact_) return;
  for (const auto& uq : unit_q)
    for (std::size_t t = 0; t <= M; ++t) y_mean_[t] += uq[t], y_var_[t] += uq[t] * (1.0 - uq[t]);
  y_pmf_.assign(M + 1, {});
  y_cdf_.assign(M + 1, {});
  for (std::size_t t = 0; t <= M; ++t) {
    std::vector<double> pmf(static_cast<std::size_t>(free_now), 0.0);
    pmf.push_back(1.0);  // free_now units for sure
    for (const auto& uq : unit_q) add_bernoulli(pmf, uq[t]);
    std::vector<double> cdf(pmf.size());
    double c = 0.0;
    for (std::size_t k = 0; k < pmf.size(); ++k) cdf[k] = (c += pmf[k]);
    y_pmf_[t] = std::move(pmf);
    y_cdf_[t] = std::move(cdf);
  }
}

void Forecast::build_demand(const PacingSnapshot& s) {
  const auto K = static_cast<std::size_t>(K_);
  const auto& live_delay = s.stats.answer_delay;
  const auto& other_delay = s.stats.other_delay;
  x_mean_.assign(K + 1, static_cast<double>(waiting_));
  x_var_.assign(K + 1, 0.0);
  if (exact_) x_pmf_.assign(K + 1, std::vector<double>{1.0});
  call_live_by_.clear();
  pi_.assign(K + 1, 0.0);
  for (std::size_t t = 0; t <= K; ++t) pi_[t] = p_ * live_delay.cdf(static_cast<double>(t));
  for (double age : s.dialing_elapsed_s) {
    // Still dialing at this age: it is either a live answer to come or another outcome to come.
    const double live_left = live_delay.survival(age);
    const double other_left = other_delay.empty() ? 0.0 : other_delay.survival(age);
    const double pending = p_ * live_left + (1.0 - p_) * other_left;
    if (pending < 1e-12) continue;
    std::vector<double> by(K + 1);
    for (std::size_t t = 0; t <= K; ++t) {
      double r = p_ * (live_left - live_delay.survival(age + static_cast<double>(t))) / pending;
      r = std::clamp(r, 0.0, 1.0);
      by[t] = r;
      x_mean_[t] += r;
      x_var_[t] += r * (1.0 - r);
      if (exact_) add_bernoulli(x_pmf_[t], r);
    }
    if (exact_) call_live_by_.push_back(std::move(by));
  }
}

double Forecast::excess_at(int t, int supply_t, int n) const {
  const auto ti = static_cast<std::size_t>(t), si = static_cast<std::size_t>(std::min(supply_t, M_));
  const double nn = static_cast<double>(n), pi = pi_[ti];
  if (exact_) {
    std::vector<double> pmf = x_pmf_[ti];
    for (int i = 0; i < n; ++i) add_bernoulli(pmf, pi);
    double e = 0.0;
    for (std::size_t x = 0; x < pmf.size(); ++x)
      if (pmf[x] > 1e-15) e += pmf[x] * overflow_of(y_pmf_[si], static_cast<int>(x) + waiting_);
    return e;
  }
  const double calls = x_mean_[ti] - waiting_ + nn * pi;  // live answers still to come
  const double mu = x_mean_[ti] + nn * pi - y_mean_[si];
  const double var = x_var_[ti] + nn * pi * (1.0 - pi) + p_relvar_ * calls * calls + y_var_[si];
  return normal_excess(mu, std::sqrt(var));
}

double Forecast::shortage_at(int t, int supply_t, int n) const {
  const auto ti = static_cast<std::size_t>(t), si = static_cast<std::size_t>(std::min(supply_t, M_));
  const double nn = static_cast<double>(n), pi = pi_[ti];
  if (exact_) {
    std::vector<double> pmf = x_pmf_[ti];
    for (int i = 0; i < n; ++i) add_bernoulli(pmf, pi);
    const auto& y = y_cdf_[si];
    double p = 0.0;
    for (std::size_t x = 0; x < pmf.size(); ++x) {
      const std::size_t k = std::min(y.size() - 1, x + static_cast<std::size_t>(waiting_));
      p += pmf[x] * y[k];
    }
    return p;
  }
  const double calls = x_mean_[ti] - waiting_ + nn * pi;
  const double mu = x_mean_[ti] + nn * pi - y_mean_[si];
  const double var = x_var_[ti] + nn * pi * (1.0 - pi) + p_relvar_ * calls * calls + y_var_[si];
  return normal_at_least_zero(mu, std::sqrt(var));
}

// P(W + count >= Y) for a count with distribution `pmf` and Y with cumulative `y_cdf`.
double Forecast::no_agent_left(const std::vector<double>& pmf, const std::vector<double>& y_cdf) const {
  double p = 0.0;
  for (std::size_t x = 0; x < pmf.size(); ++x)
    p += pmf[x] * y_cdf[std::min(y_cdf.size() - 1, x + static_cast<std::size_t>(waiting_))];
  return p;
}

double Forecast::exact_abandons(int n) const {
  double a = waiting_ > 0 ? excess_at(0, P_, n) : 0.0;
  for (int t = 1; t <= K_; ++t) {
    const auto ti = static_cast<std::size_t>(t), prev = ti - 1;
    const auto& y = y_cdf_[static_cast<std::size_t>(std::min(t - 1 + P_, M_))];
    // Whoever answers in (t-1, t] finds the answers before it ahead: never itself.
    std::vector<double> ahead = x_pmf_[prev];
    for (int i = 1; i < n; ++i) add_bernoulli(ahead, pi_[prev]);
    const double new_arrivals = static_cast<double>(n) * (pi_[ti] - pi_[prev]);
    if (n > 0 && new_arrivals > 1e-12) a += new_arrivals * no_agent_left(ahead, y);
    if (n > 0) add_bernoulli(ahead, pi_[prev]);  // now all n new calls may be ahead
    for (const auto& by : call_live_by_) {
      const double arriving = by[ti] - by[prev];
      if (arriving > 1e-12) a += arriving * no_agent_left(remove_bernoulli(ahead, by[prev]), y);
    }
  }
  return a;
}

PacingOutlook Forecast::evaluate(int n, bool with_idle, bool with_queue) const {
  PacingOutlook o;
  o.exact = exact_;
  n = std::max(0, n);
  // Calls already waiting, then each later live answer: abandoned when the
  // answers before it have taken every agent free by its deadline.
  if (exact_) {
    o.abandons = exact_abandons(n);
  } else {
    o.abandons = waiting_ > 0 ? excess_at(0, P_, n) : 0.0;
    for (int t = 1; t <= K_; ++t) {
      const auto ti = static_cast<std::size_t>(t);
      const double arriving = (x_mean_[ti] - x_mean_[ti - 1]) + static_cast<double>(n) * (pi_[ti] - pi_[ti - 1]);
      if (arriving > 1e-12) o.abandons += arriving * shortage_at(t - 1, t - 1 + P_, n);
    }
  }
  o.live = x_mean_[static_cast<std::size_t>(K_)] + static_cast<double>(n) * pi_[static_cast<std::size_t>(K_)];
  if (with_idle) {
    // Idle when new calls typically answer: E[(Y - X)+] = E[(X - Y)+] - E[X - Y].
    const auto t = static_cast<std::size_t>(t_idle_);
    const double mean_x = x_mean_[t] + static_cast<double>(n) * pi_[t];
    o.idle_agents = std::max(0.0, excess_at(t_idle_, t_idle_, n) - (mean_x - y_mean_[t]));
  }
  if (with_queue) {
    // Customer-seconds spent waiting, less those of the abandoned, per connected call.
    double queue_s = 0.0;
    for (int t = 0; t <= K_; ++t) queue_s += excess_at(t, t, n);
    const double served = o.live - o.abandons;
    const double waited = std::max(0.0, queue_s - static_cast<double>(P_) * o.abandons);
    o.distribution_s = served > 1e-9 ? waited / served : 0.0;
  }
  return o;
}

}  // namespace outbound::detail
