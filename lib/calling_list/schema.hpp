// Private: the OCS table shape — creating it, and checking a user's table
// against it without altering anything.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "../storage/database.hpp"

namespace outbound::detail {

/// True for mandatory columns stored as text (contact_info, agent_id, …).
bool is_text_column(const std::string& column);

/// `name` as an SQL identifier both databases read as that column: in double
/// quotes, a quote inside doubled ("first name", "say ""hi"""). Custom column
/// names come from the user's table and are never written into SQL bare.
std::string quoted_identifier(const std::string& name);

/// Creates the list table with the mandatory columns, `custom_columns`
/// ("name TYPE" each) and the retrieval indexes.
void create_list_table(Database& db, const std::string& table, const std::vector<std::string>& custom_columns);
/// Creates the retrieval indexes if missing.
void create_list_indexes(Database& db, const std::string& table);
/// Names of the indexes on `table` (a safe identifier).
std::set<std::string> list_index_names(Database& db, const std::string& table);
/// Creates `<table>_lease` if missing (our companion table; the list is untouched).
void create_lease_table(Database& db, const std::string& table);

/// Checks the table's columns; throws one Error listing every missing or
/// mistyped mandatory column. Returns the custom columns, in table order.
std::vector<std::string> check_list_columns(Database& db, const std::string& table);

/// The declared type of each custom column (for casts on PostgreSQL).
std::vector<std::string> custom_column_types(Database& db, const std::string& table,
                                             const std::vector<std::string>& custom);

}  // namespace outbound::detail
