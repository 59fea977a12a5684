// outbound — CSV import and export of calling lists (RFC 4180).
//
// The header row names the columns: mandatory OCS columns and the list's
// custom fields, by name, in any order. record_id and contact_info are
// required; other mandatory columns may be left out (or left empty in a row)
// and take the value a new OCS record has: general, ready, result unknown,
// attempt 0, calling window 0..86400, chain_id = record_id. A header naming a
// column the list does not have fails the whole file; a bad row is reported
// with its line number and reason and the good rows are imported. Nothing is
// dropped silently: data_rows == imported + errors.size(). Phone numbers are
// read as the campaign's gate reads them, in the region the record will use
// (its region column, its zone's country, the list's phone_region, else US):
// a number that will fail at dial time fails the row at import.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "outbound/calling_list.hpp"
#include "outbound/export.hpp"
#include "outbound/timezone.hpp"

namespace outbound {

/// How CSV files are read and written.
struct CsvOptions {
  char delimiter = ',';            ///< field separator (quote is always '"')
  std::size_t batch_size = 1000;   ///< good rows inserted per transaction
  int default_daily_from = 0;      ///< daily_from of rows that do not give one
  int default_daily_till = 86400;  ///< daily_till of rows that do not give one
  int default_tz_dbid = 0;         ///< tz_dbid of rows that do not give one
  int default_campaign_id = 0;     ///< campaign_id of rows that do not give one
  bool crlf = true;                ///< export: end lines with CRLF (RFC 4180) rather than LF
  std::vector<std::string> columns;  ///< export: columns to write, in order (empty: all)
  ZoneMap zones;                   ///< import: the campaign's tz_dbid zones, so a record is read in its zone's country
};

/// A data row that was not imported, and why.
struct CsvRowError {
  std::size_t line = 0;        ///< 1-based line where the row starts (the header is line 1)
  std::int64_t record_id = 0;  ///< the row's record_id when it could be read, else 0
  std::string reason;          ///< e.g. "record_type has no such code: 9"
};

/// What an import did. data_rows == imported + errors.size().
struct ImportReport {
  std::size_t data_rows = 0;        ///< rows after the header (blank lines are not rows)
  std::size_t imported = 0;         ///< rows inserted into the list
  std::size_t blank_lines = 0;      ///< empty lines skipped
  std::vector<CsvRowError> errors;  ///< rows not inserted, in line order
};

/// Imports the CSV text of `in` into `list`. Throws Error(invalid_argument)
/// for a file whose header is unusable (nothing is imported then).
OB_API ImportReport import_csv(CallingList& list, std::istream& in, const CsvOptions& options = {});
/// Imports the CSV file at `path` (Error(not_found) if it cannot be opened).
OB_API ImportReport import_csv(CallingList& list, const std::string& path, const CsvOptions& options = {});

/// Writes every record of `list`, by record_id, with a header row; NULL times
/// and absent custom fields are empty cells. Returns the number of records.
OB_API std::size_t export_csv(CallingList& list, std::ostream& out, const CsvOptions& options = {});
/// Writes the list to the file at `path` (replaced if it exists).
OB_API std::size_t export_csv(CallingList& list, const std::string& path, const CsvOptions& options = {});

}  // namespace outbound
