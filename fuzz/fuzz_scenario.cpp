// Fuzz target: scenario JSON (`./run sim SCENARIO.json`), parsed by
// outbound::cli::parse_scenario from tools/scenario.cpp. Its contract: a
// Scenario, or outbound::Error(invalid_argument) naming the offending key.
// Any other exception, or a crash, is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "outbound/error.hpp"
#include "scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto s = outbound::cli::parse_scenario(text);
    if (!(s.duration_h > 0) || s.agents < 0) {
      std::fprintf(stderr, "fuzz_scenario: accepted an impossible scenario\n");
      std::abort();
    }
  } catch (const outbound::Error& e) {
    if (e.code() != outbound::ErrorCode::invalid_argument) {
      std::fprintf(stderr, "fuzz_scenario: Error with code %d: %s\n", static_cast<int>(e.code()), e.what());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_scenario: escaped %s\n", e.what());
    std::abort();
  }
  return 0;
}
