#include "outbound/pacing.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "outbound/error.hpp"

namespace outbound {
namespace {

constexpr std::array<std::string_view, 12> kModeNames = {
    "none",  "predictive", "progressive", "preview",  "progressive_seize", "predictive_seize",
    "power", "power_seize", "push_preview", "progressive_gvp", "predictive_gvp", "power_gvp"};

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

Pacer::~Pacer() = default;

int ProgressivePacer::dials_now(const PacingSnapshot& s) {
  // Lines for ready agents; ratios above 1 round up so 1.5 x 1 agent dials 2.
  double lines = std::ceil(s.ratio * static_cast<double>(s.agents_ready) - 1e-9);
  int in_flight = s.calls_dialing + s.calls_waiting;
  int n = static_cast<int>(lines) - in_flight;
  if (s.ports > 0) n = std::min(n, s.ports - in_flight - s.calls_connected);
  return std::max(0, n);
}

std::unique_ptr<Pacer> make_pacer(DialMode mode, const std::string& name) {
  if (name != "outbound") throw Error(ErrorCode::invalid_argument, "unknown pacer \"" + name + "\"");
  switch (mode) {
    case DialMode::progressive:
    case DialMode::progressive_seize:
      return std::make_unique<ProgressivePacer>();
    default:
      throw Error(ErrorCode::unsupported, "dial mode " + std::string(to_string(mode)) + " has no pacer yet");
  }
}

}  // namespace outbound
