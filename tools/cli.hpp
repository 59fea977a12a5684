// The `outbound` command-line tool: subcommands and small formatting helpers.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace outbound::cli {

/// `outbound demo [--list FILE] [--out DIR] [--records N] [--agents N] [--hours H] [--seed S] [--mode M] [--fresh]`.
int run_demo(const std::vector<std::string>& args);
/// `outbound sim SCENARIO.json [--plot FILE.svg] [--quiet]`.
int run_sim(const std::vector<std::string>& args);
/// `outbound amd FILE.wav [--settings JSON] [--details]`: one JSON line; exit 2 for a bad file or settings.
int run_amd(const std::vector<std::string>& args);

/// "12.34%".
inline std::string fmt_pct(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f%%", 100.0 * v);
  return b;
}
/// A number with `digits` decimals.
inline std::string fmt_fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace outbound::cli
