// The `outbound` command-line tool: subcommands and small formatting helpers.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace outbound::cli {

/// `outbound demo [--list FILE] [--out DIR] [--records N] [--agents N] [--hours H] [--seed S] [--mode M] [--fresh]`.
int run_demo(const std::vector<std::string>& args);
/// `outbound sim SCENARIO.json [--plot FILE.svg] [--journal FILE] [--quiet]`, or `outbound sim --config CONFIG.json --campaign NAME [--in-place]`.
int run_sim(const std::vector<std::string>& args);
/// `outbound serve CONFIG.json [--check] [--listen HOST:PORT] [--report FILE]`.
int run_serve(const std::vector<std::string>& args);
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
/// A span of hours in words: "30 days" for 720, "24 h" for 24.
inline std::string window_words(double hours) {
  if (hours >= 48 && std::fmod(hours, 24.0) == 0) return fmt_fixed(hours / 24, 0) + " days";
  return fmt_fixed(hours, hours == std::floor(hours) ? 0 : 1) + " h";
}

}  // namespace outbound::cli
