// The comparison baselines, re-implemented from public descriptions of what
// peer dialers do (docs/pacing.md). They make the comparison
// honest: same simulator, same snapshots. They do not use our abandon guard —
// each has its own drop-rate rule, as published.
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "baselines.hpp"
#include "outbound/error.hpp"

namespace outbound::detail {
namespace {

int in_progress(const PacingSnapshot& s) { return s.calls_dialing + s.calls_waiting + s.calls_connected; }

int within_ports(const PacingSnapshot& s, int n) {
  if (s.ports > 0) n = std::min(n, s.ports - in_progress(s));
  return std::max(0, n);
}

/// A fixed dial ratio (VICIdial's RATIO method): ratio lines for every agent
/// ready or talking, counting the calls already placed or connected.
class FixedRatioPacer final : public Pacer {
 public:
  int dials_now(const PacingSnapshot& s) override {
    int goal = static_cast<int>(std::lround(s.ratio * (s.agents_ready + s.agents_busy)));
    return within_ports(s, goal - in_progress(s));
  }
  std::string_view name() const override { return "fixed_ratio"; }
};

/// VICIdial's adaptive dial level. Every 15 s the level is multiplied by
/// 1 + (mean of ready agents minus waiting calls over the last minute) /
/// (mean agents over the last minute), kept within [1, 3]; then drop-rate
/// rules cut it: more than half of the last minute's calls dropped halves it;
/// today's drops above the limit set it to 1.0 (hard limit) or halve it
/// (average). Calls = level x (agents ready or in a call) - calls in progress.
class VicidialAdaptPacer final : public Pacer {
 public:
  explicit VicidialAdaptPacer(bool average) : average_(average) {}

  int dials_now(const PacingSnapshot& s) override {
    const double now = s.stats.now_s;
    sample(s, now);
    if (std::isnan(last_recalc_s_)) last_recalc_s_ = now;
    if (now - last_recalc_s_ >= kRecalcS) {
      recalculate(s);
      last_recalc_s_ = now;
    }
    int goal = static_cast<int>(std::lround(level_ * (s.agents_ready + s.agents_busy)));
    return within_ports(s, goal - in_progress(s));
  }
  std::string_view name() const override { return average_ ? "vicidial_adapt_average" : "vicidial_adapt"; }

 private:
  static constexpr double kRecalcS = 15.0, kMaxLevel = 3.0;

  struct Sample {
    long long second;
    double differential;  // ready agents minus calls waiting for one
    double agents;
  };

  void sample(const PacingSnapshot& s, double now) {
    auto sec = static_cast<long long>(std::floor(now));
    if (!samples_.empty() && samples_.back().second == sec) return;  // one sample a second
    samples_.push_back({sec, static_cast<double>(s.agents_ready - s.calls_waiting), static_cast<double>(s.agents_logged_in)});
    while (!samples_.empty() && samples_.front().second <= sec - 60) samples_.pop_front();
  }

  void recalculate(const PacingSnapshot& s) {
    double diff = 0, agents = 0;
    for (const auto& x : samples_) diff += x.differential, agents += x.agents;
    const double n = static_cast<double>(samples_.size());
    if (n > 0 && agents > 0) level_ *= 1.0 + (diff / n) / (agents / n);
    level_ = std::clamp(level_, 1.0, kMaxLevel);
    const auto& minute = s.stats.last_minute;
    if (minute.resolved > 20 && minute.live_answers > 0 && minute.abandoned * 2 > minute.live_answers) level_ /= 2.0;
    const auto& st = s.stats;
    const double today = st.live_answers ? static_cast<double>(st.abandoned) / static_cast<double>(st.live_answers) : 0.0;
    if (st.resolved > 50 && today > s.abandon.cap_rate) level_ = average_ ? level_ / 2.0 : 1.0;
    level_ = std::max(level_, 1.0);
  }

  bool average_;
  double level_ = 1.0;
  double last_recalc_s_ = std::numeric_limits<double>::quiet_NaN();
  std::deque<Sample> samples_;
};

/// Webitel's predictive queue: over the last hour, hit rate = live answers /
/// attempts and overdial = 1 / hit rate; scaled up by 10 % for every point the
/// abandon rate is below the target, back to 1 at or above the maximum
/// (target = maximum = the cap). Progressive until enough live answers.
/// Calls = free agents x overdial - calls dialing or waiting.
class WebitelPacer final : public Pacer {
 public:
  int dials_now(const PacingSnapshot& s) override {
    const auto& h = s.stats.last_hour;
    double over = 1.0;
    if (h.live_answers >= kMinLive && h.resolved > 0) {
      const double hit = static_cast<double>(h.live_answers) / static_cast<double>(h.resolved);
      const double abandon_pct = 100.0 * static_cast<double>(h.abandoned) / static_cast<double>(h.live_answers);
      const double max_pct = 100.0 * s.abandon.cap_rate;
      if (abandon_pct < max_pct) over = std::min(kMaxLines, (1.0 / hit) * (1.0 + (max_pct - abandon_pct) * kLoad / 100.0));
    }
    int goal = static_cast<int>(std::floor(static_cast<double>(s.agents_ready) * over));
    int n = goal - s.calls_dialing - s.calls_waiting;
    return within_ports(s, n);
  }
  std::string_view name() const override { return "webitel"; }

 private:
  static constexpr long kMinLive = 20;
  static constexpr double kLoad = 10.0, kMaxLines = 10.0;
};

}  // namespace

bool is_baseline(const std::string& name) {
  return name == "fixed_ratio" || name == "vicidial_adapt" || name == "vicidial_adapt_average" || name == "webitel";
}

std::unique_ptr<Pacer> make_baseline(DialMode mode, const std::string& name) {
  const bool predictive = mode == DialMode::predictive;
  if (name == "fixed_ratio" && (predictive || mode == DialMode::power)) return std::make_unique<FixedRatioPacer>();
  if (name == "vicidial_adapt" && predictive) return std::make_unique<VicidialAdaptPacer>(false);
  if (name == "vicidial_adapt_average" && predictive) return std::make_unique<VicidialAdaptPacer>(true);
  if (name == "webitel" && predictive) return std::make_unique<WebitelPacer>();
  throw Error(ErrorCode::unsupported, "pacer \"" + name + "\" cannot drive dial mode " + std::string(to_string(mode)));
}

}  // namespace outbound::detail
