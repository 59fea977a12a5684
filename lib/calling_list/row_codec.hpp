// Private: turning the text of a calling-list row into a validated Record.
// Rows are fetched as text (CAST(col AS TEXT)) so a malformed value in one row
// becomes a clear per-row error instead of failing the whole fetch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../storage/database.hpp"
#include "outbound/model.hpp"

namespace outbound::detail {

/// A decoded row: the record as far as it could be read, and why it is
/// malformed (empty when it is fine).
struct DecodedRow {
  Record record;      ///< best effort: unreadable fields keep their defaults
  std::string error;  ///< the first problem found, or empty
};

/// Parses a row whose first columns are mandatory_columns() and whose rest are
/// `custom` (same order).
DecodedRow decode_row(const TextRow& row, const std::vector<std::string>& custom);

/// The row of a record: mandatory_columns() then `custom` (same order), as
/// text; NULL for unset dial_sched_time/call_time and absent custom fields.
TextRow encode_row(const Record& record, const std::vector<std::string>& custom);

/// Position of a mandatory column in mandatory_columns(), or -1.
int mandatory_index(const std::string& column);

/// record_id of a row if it parses, else 0 (for error reports).
std::int64_t row_record_id(const TextRow& row);

/// Parses a decimal integer; nullopt unless the whole text is one.
std::optional<long long> parse_integer(const std::string& text);

}  // namespace outbound::detail
