// SIT codes, their names and their OCS call results.
#include "sit.hpp"

namespace outbound::media {

namespace sit {

SitCode code_of(Segment a, Segment b) noexcept {
  // Low/high frequency and short/long duration of segments 1 and 2, per the
  // Bellcore assignment; every other combination is not assigned.
  struct Row { Segment a, b; SitCode code; };
  static constexpr Row rows[] = {
      {{false, false}, {false, false}, SitCode::intercept},
      {{true, true}, {true, true}, SitCode::no_circuit},
      {{false, true}, {false, true}, SitCode::no_circuit_interlata},
      {{true, true}, {false, false}, SitCode::vacant_code},
      {{false, false}, {true, true}, SitCode::reorder},
      {{true, false}, {false, true}, SitCode::reorder_interlata},
      {{false, true}, {true, false}, SitCode::ineffective_other},
  };
  for (const Row& r : rows)
    if (r.a.high == a.high && r.a.longer == a.longer && r.b.high == b.high && r.b.longer == b.longer) return r.code;
  return SitCode::unknown;
}

std::array<std::array<Segment, 2>, 16> all_patterns() noexcept {
  std::array<std::array<Segment, 2>, 16> out{};
  for (int i = 0; i < 16; ++i)
    out[static_cast<std::size_t>(i)] = {Segment{(i & 1) != 0, (i & 2) != 0}, Segment{(i & 4) != 0, (i & 8) != 0}};
  return out;
}

}  // namespace sit

std::string_view to_string(SitCode code) noexcept {
  switch (code) {
    case SitCode::intercept: return "intercept";
    case SitCode::no_circuit: return "no_circuit";
    case SitCode::no_circuit_interlata: return "no_circuit_interlata";
    case SitCode::vacant_code: return "vacant_code";
    case SitCode::reorder: return "reorder";
    case SitCode::reorder_interlata: return "reorder_interlata";
    case SitCode::ineffective_other: return "ineffective_other";
    case SitCode::unknown: return "unknown";
  }
  return "unknown";
}

CallResult sit_call_result(SitCode code) noexcept {
  switch (code) {
    case SitCode::intercept: return CallResult::sit_oper_intercept;
    case SitCode::no_circuit:
    case SitCode::no_circuit_interlata: return CallResult::sit_no_circuit;
    case SitCode::vacant_code: return CallResult::sit_vacant;
    case SitCode::reorder:
    case SitCode::reorder_interlata: return CallResult::sit_reorder;
    case SitCode::ineffective_other: return CallResult::sit_invalid_num;
    case SitCode::unknown: return CallResult::sit_unknown;
  }
  return CallResult::sit_unknown;
}

}  // namespace outbound::media
