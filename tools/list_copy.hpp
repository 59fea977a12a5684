// Rehearsal copies: the tables a rehearsal writes (calling lists, the DNC
// table, the call log) copied first, so the real ones stay as they are.
// SQLite: each database file is copied whole with SQLite's online backup API
// into a new folder under the system's temporary directory (the source is
// opened read-only). PostgreSQL: each table T is copied into T_rh on the same
// database (replacing the copy of an earlier rehearsal), since the list's own
// sessions could not see a session's TEMPORARY table.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace outbound::cli {

/// Where a copied table lives.
struct TableCopy {
  std::string connection;  ///< the copy's database
  std::string table;       ///< the copy's table name
};

/// The copies of one rehearsal; they are kept after the run for inspection.
class RehearsalCopies {
 public:
  /// Copies every (connection, table) pair; a table that does not exist yet
  /// gets a copy name only (the run creates it there).
  static RehearsalCopies make(const std::vector<std::pair<std::string, std::string>>& tables);
  /// The copy of `table` on `connection`.
  TableCopy of(const std::string& connection, const std::string& table) const;

 private:
  std::map<std::pair<std::string, std::string>, TableCopy> copies_;
};

}  // namespace outbound::cli
