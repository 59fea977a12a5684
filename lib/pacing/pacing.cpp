// Dial modes, the pacers of each mode, and the factory that picks one by name.
#include "outbound/pacing.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "baselines.hpp"
#include "outbound/error.hpp"
#include "predictive.hpp"

namespace outbound {
namespace {

constexpr std::array<std::string_view, 12> kModeNames = {
    "none",  "predictive", "progressive", "preview",  "progressive_seize", "predictive_seize",
    "power", "power_seize", "push_preview", "progressive_gvp", "predictive_gvp", "power_gvp"};

int lines(double ratio, int units) { return static_cast<int>(std::ceil(ratio * static_cast<double>(units) - 1e-9)); }

/// Preview and push preview: agents ask for records; nothing is dialed autonomously.
class PreviewPacer final : public Pacer {
 public:
  int dials_now(const PacingSnapshot&) override { return 0; }
  std::string_view name() const override { return "preview"; }
};

/// Another pacer (a baseline) held within the abandon guard.
class GuardedPacer final : public Pacer {
 public:
  explicit GuardedPacer(std::unique_ptr<Pacer> inner) : inner_(std::move(inner)) {}
  int dials_now(const PacingSnapshot& s) override {
    const int wanted = inner_->dials_now(s);  // first: a baseline keeps its own state from every snapshot
    return std::clamp(wanted, 0, abandon_guard(s).max_dials);
  }
  std::string_view name() const override { return inner_->name(); }

 private:
  std::unique_ptr<Pacer> inner_;
};

/// Power: keep a fixed number of calls in progress — `ports` in power GVP (no
/// agents), ratio x working agents otherwise — within the abandon guard.
class PowerPacer final : public Pacer {
 public:
  int dials_now(const PacingSnapshot& s) override {
    const int in_progress = s.calls_dialing + s.calls_waiting + s.calls_connected;
    int goal = 0;
    if (is_gvp(s.mode)) {
      goal = s.ports;
    } else {
      goal = lines(s.ratio, s.agents_ready + s.agents_reserved + s.agents_busy + s.agents_wrap);
      if (s.ports > 0) goal = std::min(goal, s.ports);
    }
    return std::clamp(goal - in_progress, 0, abandon_guard(s).max_dials);
  }
  std::string_view name() const override { return "power"; }
};

}  // namespace

std::string_view to_string(DialMode m) noexcept {
  auto i = static_cast<std::size_t>(m);
  return i < kModeNames.size() ? kModeNames[i] : "invalid";
}

std::optional<DialMode> dial_mode_from_string(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kModeNames.size(); ++i)
    if (kModeNames[i] == name) return static_cast<DialMode>(i);
  return std::nullopt;
}

std::string_view to_string(OptimizationGoal g) noexcept {
  switch (g) {
    case OptimizationGoal::none: return "none";
    case OptimizationGoal::busy_factor: return "busy_factor";
    case OptimizationGoal::overdial_rate: return "overdial_rate";
    case OptimizationGoal::wait_time: return "wait_time";
    case OptimizationGoal::distribution_time: return "distribution_time";
    case OptimizationGoal::max_gain: return "max_gain";
  }
  return "invalid";
}

bool is_autonomous(DialMode m) noexcept {
  return m != DialMode::none && m != DialMode::preview && m != DialMode::push_preview;
}

bool is_gvp(DialMode m) noexcept {
  return m == DialMode::progressive_gvp || m == DialMode::predictive_gvp || m == DialMode::power_gvp;
}

bool is_seizing(DialMode m) noexcept {
  return m == DialMode::progressive_seize || m == DialMode::predictive_seize || m == DialMode::power_seize;
}

Pacer::~Pacer() = default;

int ProgressivePacer::dials_now(const PacingSnapshot& s) {
  // Lines for free agents (engaged ones when seizing, free ports in GVP);
  // ratios above 1 round up so 1.5 x 1 agent dials 2.
  int in_flight = s.calls_dialing + s.calls_waiting;
  int n = lines(s.ratio, free_capacity(s)) - in_flight;
  if (s.ports > 0 && !is_gvp(s.mode)) n = std::min(n, s.ports - in_flight - s.calls_connected);
  return std::clamp(n, 0, abandon_guard(s).max_dials);
}

bool is_baseline_pacer(const std::string& name) noexcept { return detail::is_baseline(name); }

std::unique_ptr<Pacer> guarded(std::unique_ptr<Pacer> inner) {
  if (!inner) throw Error(ErrorCode::invalid_argument, "guarded() needs a pacer");
  return std::make_unique<GuardedPacer>(std::move(inner));
}

std::unique_ptr<Pacer> make_pacer(DialMode mode, const std::string& name) {
  const bool ours = name == "outbound";
  if (!ours && !detail::is_baseline(name)) throw Error(ErrorCode::invalid_argument, "unknown pacer \"" + name + "\"");
  switch (mode) {
    case DialMode::preview:
    case DialMode::push_preview:
      return std::make_unique<PreviewPacer>();
    case DialMode::progressive:
      return std::make_unique<ProgressivePacer>();
    default:
      break;
  }
  if (!ours) return detail::make_baseline(mode, name);
  switch (mode) {
    case DialMode::progressive_seize:
    case DialMode::power_seize:
    case DialMode::progressive_gvp:
      return std::make_unique<ProgressivePacer>();
    case DialMode::power:
    case DialMode::power_gvp:
      return std::make_unique<PowerPacer>();
    case DialMode::predictive:
    case DialMode::predictive_seize:
    case DialMode::predictive_gvp:
      return std::make_unique<detail::PredictivePacer>();
    default:
      throw Error(ErrorCode::unsupported, "dial mode " + std::string(to_string(mode)) + " has no pacer");
  }
}

}  // namespace outbound
