// Private: turning the text of a calling-list row into a validated Record.
// Rows are fetched as text (CAST(col AS TEXT)) so a malformed value in one row
// becomes a clear per-row error instead of failing the whole fetch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "outbound/model.hpp"

namespace outbound::detail {

/// One fetched row: each column's text, or nullopt for SQL NULL.
using TextRow = std::vector<std::optional<std::string>>;

/// A decoded row: the record as far as it could be read, and why it is
/// malformed (empty when it is fine).
struct DecodedRow {
  Record record;      ///< best effort: unreadable fields keep their defaults
  std::string error;  ///< the first problem found, or empty
};

/// Parses a row whose first columns are mandatory_columns() and whose rest are
/// `custom` (same order).
DecodedRow decode_row(const TextRow& row, const std::vector<std::string>& custom);

/// record_id of a row if it parses, else 0 (for error reports).
std::int64_t row_record_id(const TextRow& row);

/// Parses a decimal integer; nullopt unless the whole text is one.
std::optional<long long> parse_integer(const std::string& text);

}  // namespace outbound::detail
