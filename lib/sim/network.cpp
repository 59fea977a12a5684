// The simulated world's randomness: a portable generator and the callee model.
// Distributions are sampled by hand from uniform draws (not <random>'s
// distributions, whose output differs between standard libraries) so golden
// reports are the same on every platform.
#include <cmath>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>

#include "outbound/error.hpp"
#include "outbound/sim.hpp"

namespace outbound::sim {
namespace {

std::uint64_t splitmix(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

// A setting's value as a reader wrote it: 0.5, 1e+09 (std::to_string would print 0.500000).
std::string shown(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

}  // namespace

Distribution make_distribution(const std::string& kind, double mean, double sd) {
  if (!(mean >= 0.0) || !(sd >= 0.0) || !std::isfinite(mean) || !std::isfinite(sd))
    throw Error(ErrorCode::invalid_argument, "distribution \"" + kind + "\" needs a finite mean >= 0 and sd >= 0");
  if (kind == "constant") return {Distribution::Kind::constant, mean, 0.0};
  if (kind == "exponential") return {Distribution::Kind::exponential, mean, 0.0};
  if (kind == "lognormal") {
    if (mean <= 0.0) throw Error(ErrorCode::invalid_argument, "a lognormal distribution needs mean > 0");
    return {Distribution::Kind::lognormal, mean, sd};
  }
  if (kind == "uniform") {
    if (sd > mean) throw Error(ErrorCode::invalid_argument, "a uniform distribution needs sd (half-width) <= mean");
    return {Distribution::Kind::uniform, mean, sd};
  }
  throw Error(ErrorCode::invalid_argument,
              "unknown distribution \"" + kind + "\" (expected constant, exponential, lognormal or uniform)");
}

Rng::Rng(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix(seed);
}

std::uint64_t Rng::next() noexcept {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::normal() noexcept {
  double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double Rng::sample(const Distribution& d) noexcept {
  switch (d.kind) {
    case Distribution::Kind::constant:
      return d.mean;
    case Distribution::Kind::exponential:
      return -d.mean * std::log(1.0 - uniform());
    case Distribution::Kind::lognormal: {
      // Parameters of the underlying normal from the lognormal's mean and sd.
      double var = d.sd * d.sd;
      double sigma2 = std::log(1.0 + var / (d.mean * d.mean));
      double mu = std::log(d.mean) - sigma2 / 2.0;
      return std::exp(mu + std::sqrt(sigma2) * normal());
    }
    case Distribution::Kind::uniform:
      return d.mean - d.sd + 2.0 * d.sd * uniform();
  }
  return d.mean;
}

void validate(const NetworkModel& m) {
  const std::pair<const char*, double> shares[] = {{"live_answer", m.live_answer}, {"busy", m.busy},
                                                    {"no_answer", m.no_answer},     {"machine", m.machine},
                                                    {"sit", m.sit},                 {"fax", m.fax},
                                                    {"silence", m.silence}};
  double sum = 0;
  for (const auto& [name, s] : shares) {
    if (!(s >= 0.0 && s <= 1.0))
      throw Error(ErrorCode::invalid_argument, std::string("network share ") + name + " must lie in [0, 1], not " + shown(s));
    sum += s;
  }
  if (std::fabs(sum - 1.0) > 1e-6)
    throw Error(ErrorCode::invalid_argument,
                "network shares (live_answer + busy + no_answer + machine + sit + fax + silence) must sum to 1, not " +
                    shown(sum));
  const auto& k = m.sit_kinds;
  const double weights[] = {k.invalid_number, k.vacant, k.operator_intercept, k.unknown, k.no_circuit, k.reorder};
  double weight_sum = 0;
  for (double w : weights) {
    if (!(w >= 0.0) || !std::isfinite(w))
      throw Error(ErrorCode::invalid_argument, "SIT kind weights must be finite and >= 0, not " + shown(w));
    weight_sum += w;
  }
  if (!(weight_sum > 0.0)) throw Error(ErrorCode::invalid_argument, "SIT kind weights must not all be 0");
  // Times a callee takes: some may be 0 (no wait), the others need a positive length.
  const std::tuple<const char*, double, bool> times[] = {
      {"no_answer_timeout_s", m.no_answer_timeout_s, false}, {"patience_s", m.patience_s, true},
      {"busy_signal_s", m.busy_signal_s, false},             {"sit_s", m.sit_s, false},
      {"amd_s", m.amd_s, true},                              {"machine_talk_s", m.machine_talk_s, true}};
  for (const auto& [name, s, zero_ok] : times)
    if (!(zero_ok ? s >= 0 : s > 0))
      throw Error(ErrorCode::invalid_argument, std::string("network time ") + name + " must be " +
                                                   (zero_ok ? "0 s or more" : "positive") + ", not " + shown(s));
  if (!(m.amd_false_positive >= 0.0 && m.amd_false_positive <= 1.0))
    throw Error(ErrorCode::invalid_argument, "amd_false_positive must lie in [0, 1], not " + shown(m.amd_false_positive));
}

namespace {

// The SIT kind at relative position `x` in [0, 1) of the SIT weights.
CallResult sit_kind_at(const SitMix& k, double x) {
  const std::pair<double, CallResult> kinds[] = {
      {k.invalid_number, CallResult::sit_invalid_num}, {k.vacant, CallResult::sit_vacant},
      {k.operator_intercept, CallResult::sit_oper_intercept}, {k.unknown, CallResult::sit_unknown},
      {k.no_circuit, CallResult::sit_no_circuit}, {k.reorder, CallResult::sit_reorder}};
  double total = 0;
  for (const auto& [w, r] : kinds) total += w;
  double edge = 0;
  CallResult last = CallResult::sit_invalid_num;
  for (const auto& [w, r] : kinds) {
    if (w <= 0) continue;
    edge += w / total;
    last = r;
    if (x < edge) return r;
  }
  return last;  // rounding at the top end
}

}  // namespace

Network::Network(EventLoop& loop, NetworkModel model, std::uint64_t seed) : loop_(loop), model_(model), rng_(seed) {
  validate(model_);
}

void Network::set_model(const NetworkModel& model) {
  validate(model);
  model_ = model;
}

CallFate Network::draw() {
  CallFate f;
  // One uniform draw picks the category; its position inside the SIT share
  // picks the SIT kind, so adding kinds costs no extra draws.
  const double u = rng_.uniform();
  const auto& m = model_;
  const std::pair<double, CallFate::Kind> shares[] = {
      {m.live_answer, CallFate::Kind::live}, {m.busy, CallFate::Kind::busy},   {m.no_answer, CallFate::Kind::no_answer},
      {m.machine, CallFate::Kind::machine},  {m.sit, CallFate::Kind::sit},     {m.fax, CallFate::Kind::fax},
      {m.silence, CallFate::Kind::silence}};
  double low = 0.0;
  bool picked = false;
  for (const auto& [share, kind] : shares) {
    if (share <= 0) continue;
    f.kind = kind;  // the last positive share takes what rounding leaves at the top
    if (u < low + share) {
      if (kind == CallFate::Kind::sit) f.sit_result = sit_kind_at(m.sit_kinds, (u - low) / share);
      picked = true;
      break;
    }
    low += share;
  }
  if (!picked && f.kind == CallFate::Kind::sit) f.sit_result = sit_kind_at(m.sit_kinds, 0.999999);
  f.ring_s = rng_.sample(m.ring);
  f.patience_s = m.patience_s;
  f.amd_false_positive = f.kind == CallFate::Kind::live && rng_.uniform() < m.amd_false_positive;
  return f;
}

}  // namespace outbound::sim
