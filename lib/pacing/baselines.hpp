// Private: the comparison baselines, re-implemented from their published
// descriptions (docs/pacing.md): VICIdial's adaptive dial level, Webitel's
// hit-rate overdial, and a fixed ratio.
#pragma once

#include <memory>
#include <string>

#include "outbound/pacing.hpp"

namespace outbound::detail {

/// True for the name of a baseline pacer.
bool is_baseline(const std::string& name);
/// The baseline `name` for `mode`; throws Error(unsupported) for a mode it cannot drive.
std::unique_ptr<Pacer> make_baseline(DialMode mode, const std::string& name);

}  // namespace outbound::detail
