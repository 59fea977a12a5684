// Learned duration distributions: a survival table with an exponential tail.
//
// Pacing asks conditional questions ("this agent has talked for 300 s; will
// it be free within 12 s?"), so the table keeps the survival function itself
// and replaces its sparse far end (where a handful of samples would make the
// conditional probabilities jump) by an exponential tail fitted to the mean
// residual time there.
#include <algorithm>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <cmath>

#include "outbound/error.hpp"
#include "outbound/pacing.hpp"

namespace outbound {

struct DurationDistribution::Table {
  std::vector<double> s;  // P(T > i * step), i = 0 .. s.size()-1; the tail starts at the last point
  double step = 1.0;
  double tail_rate = 1.0;  // hazard per second past the table
  double mean = 0.0;
  double samples = 0.0;
};

namespace {

constexpr double kTailStart = 0.01;  // below this survival, the sparse end becomes an exponential tail

// Area under the table from index `from` to its end (trapezoids).
double area(const std::vector<double>& s, std::size_t from, double step) {
  double a = 0.0;
  for (std::size_t i = from; i + 1 < s.size(); ++i) a += 0.5 * (s[i] + s[i + 1]) * step;
  return a;
}

// Hazard of the exponential tail that continues the table from index i0.
double tail_rate_from(const std::vector<double>& s, std::size_t i0, double step) {
  const double s0 = s[i0];
  if (s0 <= 0.0) return 1.0 / step;  // nothing lasts longer: end quickly
  if (i0 + 1 < s.size()) {
    double residual = area(s, i0, step) / s0;  // the table's end reaches ~0 past i0
    return 1.0 / std::max(residual, 0.5 * step);
  }
  // The table ends above kTailStart (durations longer than it was built for):
  // continue the decay seen over its last fifth.
  std::size_t k = std::max<std::size_t>(1, s.size() / 5);
  if (k >= s.size()) return 1.0 / std::max(step, 1.0);
  double before = s[s.size() - 1 - k];
  double rate = before > s0 ? std::log(before / s0) / (static_cast<double>(k) * step) : 0.0;
  return std::max(rate, 1e-5);
}

}  // namespace

DurationDistribution DurationDistribution::from_survival(std::vector<double> s, double step_s, double samples) {
  if (s.empty() || !(step_s > 0.0)) throw Error(ErrorCode::invalid_argument, "a survival table needs points and a positive step");
  auto t = std::make_shared<Table>();
  double prev = 1.0;
  for (double& v : s) {  // clamp to a proper, non-increasing survival
    v = std::clamp(std::isfinite(v) ? v : 0.0, 0.0, prev);
    prev = v;
  }
  std::size_t i0 = s.size() - 1;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] < kTailStart) {
      i0 = i;
      break;
    }
  t->step = step_s;
  t->tail_rate = tail_rate_from(s, i0, step_s);
  s.resize(i0 + 1);
  t->mean = area(s, 0, step_s) + s.back() / t->tail_rate;
  t->s = std::move(s);
  t->samples = std::max(0.0, samples);
  return DurationDistribution(std::move(t));
}

DurationDistribution DurationDistribution::from_samples(const std::vector<double>& seconds) {
  if (seconds.empty()) return {};
  double hi = 0.0;
  for (double x : seconds) hi = std::max(hi, std::max(0.0, x));
  std::vector<double> count(static_cast<std::size_t>(hi) + 2, 0.0);
  for (double x : seconds) count[static_cast<std::size_t>(std::max(0.0, x))] += 1.0;
  // Survival at i: the share of samples at or past i (a sample inside [i, i+1) is spread evenly over it).
  std::vector<double> s(count.size(), 0.0);
  double above = 0.0;
  for (std::size_t i = count.size(); i-- > 0;) {
    above += count[i];
    s[i] = above / static_cast<double>(seconds.size());
  }
  s[0] = 1.0;
  return from_survival(std::move(s), 1.0, static_cast<double>(seconds.size()));
}

namespace {

template <typename Dist>
std::vector<double> tabulate(const Dist& d, double upto) {
  std::vector<double> s(static_cast<std::size_t>(std::ceil(upto)) + 2);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = boost::math::cdf(boost::math::complement(d, static_cast<double>(i)));
  return s;
}

}  // namespace

DurationDistribution DurationDistribution::lognormal(double mean_s, double sd_s, double samples) {
  if (!(mean_s > 0.0) || !(sd_s >= 0.0)) throw Error(ErrorCode::invalid_argument, "a lognormal needs mean > 0 and sd >= 0");
  if (sd_s == 0.0) return constant(mean_s, samples);
  double sigma2 = std::log(1.0 + (sd_s * sd_s) / (mean_s * mean_s));
  boost::math::lognormal_distribution<double> d(std::log(mean_s) - sigma2 / 2.0, std::sqrt(sigma2));
  return from_survival(tabulate(d, boost::math::quantile(d, 0.999)), 1.0, samples);
}

DurationDistribution DurationDistribution::exponential(double mean_s, double samples) {
  if (!(mean_s > 0.0)) throw Error(ErrorCode::invalid_argument, "an exponential needs mean > 0");
  boost::math::exponential_distribution<double> d(1.0 / mean_s);
  return from_survival(tabulate(d, boost::math::quantile(d, 0.999)), 1.0, samples);
}

DurationDistribution DurationDistribution::constant(double seconds, double samples) {
  if (!(seconds >= 0.0)) throw Error(ErrorCode::invalid_argument, "a constant duration must not be negative");
  std::vector<double> s(static_cast<std::size_t>(seconds) + 2, 0.0);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<double>(i) < seconds ? 1.0 : 0.0;
  // The grid spreads the step over [floor, floor + 1): put its middle on the value.
  auto d = from_survival(std::move(s), 1.0, samples);
  return d;
}

double DurationDistribution::samples() const noexcept { return table_ ? table_->samples : 0.0; }

double DurationDistribution::mean() const noexcept { return table_ ? table_->mean : 0.0; }

double DurationDistribution::survival(double x) const noexcept {
  if (!table_) return 1.0;
  const Table& t = *table_;
  if (!(x > 0.0)) return x < 0.0 ? 1.0 : t.s[0];
  const double pos = x / t.step;
  const std::size_t last = t.s.size() - 1;
  if (pos >= static_cast<double>(last)) return t.s[last] * std::exp(-t.tail_rate * (x - static_cast<double>(last) * t.step));
  const auto i = static_cast<std::size_t>(pos);
  const double f = pos - static_cast<double>(i);
  return t.s[i] + (t.s[i + 1] - t.s[i]) * f;
}

double DurationDistribution::conditional_survival(double elapsed, double more) const noexcept {
  if (!table_ || !(more > 0.0)) return 1.0;
  double now = survival(elapsed);
  if (now > 1e-12) return std::min(1.0, survival(elapsed + more) / now);
  return std::exp(-table_->tail_rate * more);
}

double DurationDistribution::quantile(double q) const noexcept {
  if (!table_) return 0.0;
  const Table& t = *table_;
  q = std::clamp(q, 0.0, 1.0 - 1e-12);
  const double target = 1.0 - q;  // the survival level sought
  if (t.s[0] <= target) return 0.0;
  for (std::size_t i = 0; i + 1 < t.s.size(); ++i)
    if (t.s[i + 1] <= target) {
      double drop = t.s[i] - t.s[i + 1];
      double f = drop > 0.0 ? (t.s[i] - target) / drop : 0.0;
      return (static_cast<double>(i) + f) * t.step;
    }
  const double last = t.s.back();
  return static_cast<double>(t.s.size() - 1) * t.step + std::log(last / target) / t.tail_rate;
}

}  // namespace outbound
