// Private: our predictive pacer (predictive, predictive with seizing,
// predictive GVP), holding one of the four goals within the abandon guard.
#pragma once

#include "outbound/pacing.hpp"

namespace outbound::detail {

/// Dials what the forecast says holds the goal; progressive until it has learned enough.
class PredictivePacer final : public Pacer {
 public:
  /// Pure: a function of the snapshot alone.
  int dials_now(const PacingSnapshot& s) override;
  /// "predictive".
  std::string_view name() const override { return "predictive"; }
};

}  // namespace outbound::detail
