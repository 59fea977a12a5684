#include "schema.hpp"

#include <algorithm>
#include <set>

#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

namespace outbound::detail {
namespace {

const std::set<std::string>& text_columns() {
  static const std::set<std::string> kText = {"contact_info", "agent_id", "treatments", "email_subject"};
  return kText;
}

bool looks_integer(const std::string& type) {
  return type.find("int") != std::string::npos || type == "numeric" || type.rfind("numeric(", 0) == 0 ||
         type.rfind("decimal", 0) == 0 || type.empty();  // SQLite allows columns without a type
}

bool looks_text(const std::string& type) {
  return type.find("char") != std::string::npos || type.find("text") != std::string::npos ||
         type.find("clob") != std::string::npos || type.empty();
}

std::string column_definition(const std::string& column, Dialect dialect) {
  if (column == "record_id")
    return dialect == Dialect::sqlite ? "record_id INTEGER PRIMARY KEY" : "record_id BIGINT PRIMARY KEY";
  if (column == "contact_info") return "contact_info VARCHAR(128) NOT NULL";
  if (column == "contact_info_type") return "contact_info_type INTEGER NOT NULL DEFAULT 1";
  if (column == "record_type") return "record_type INTEGER NOT NULL DEFAULT 2";
  if (column == "record_status") return "record_status INTEGER NOT NULL DEFAULT 1";
  if (column == "call_result") return "call_result INTEGER NOT NULL DEFAULT 28";
  if (column == "attempt") return "attempt INTEGER NOT NULL DEFAULT 0";
  if (column == "dial_sched_time" || column == "call_time") return column + " BIGINT";
  if (column == "daily_from") return "daily_from INTEGER NOT NULL DEFAULT 0";
  if (column == "daily_till") return "daily_till INTEGER NOT NULL DEFAULT 86400";
  if (column == "agent_id") return "agent_id VARCHAR(32)";
  if (column == "treatments") return "treatments VARCHAR(255)";
  if (column == "email_subject") return "email_subject VARCHAR(255)";
  return column + " INTEGER NOT NULL DEFAULT 0";
}

}  // namespace

bool is_text_column(const std::string& column) { return text_columns().count(column) != 0; }

std::string quoted_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void create_list_table(Database& db, const std::string& table, const std::vector<std::string>& custom_columns) {
  if (!is_safe_identifier(table))
    throw Error(ErrorCode::invalid_argument, "table name \"" + table + "\" is not a plain SQL identifier");
  std::string ddl = "CREATE TABLE " + table + " (";
  for (const auto& c : mandatory_columns()) ddl += column_definition(c, db.dialect) + ", ";
  for (const auto& c : custom_columns) {
    auto space = c.find(' ');
    std::string name = c.substr(0, space);
    std::string type = space == std::string::npos ? "VARCHAR(255)" : c.substr(space + 1);
    if (!is_safe_identifier(name) ||
        !std::all_of(type.begin(), type.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == ' ' || ch == '(' || ch == ')' || ch == '_'; }))
      throw Error(ErrorCode::invalid_argument, "custom column \"" + c + "\" is not \"name TYPE\"");
    ddl += name + " " + type + ", ";
  }
  ddl.resize(ddl.size() - 2);
  ddl += ")";
  guarded("cannot create table " + table, [&] { *db.sql << ddl; });
  create_list_indexes(db, table);
  create_lease_table(db, table);
}

void create_list_indexes(Database& db, const std::string& table) {
  guarded("cannot create the indexes of " + table, [&] {
    *db.sql << "CREATE INDEX IF NOT EXISTS " + table + "_ob_due ON " + table +
                   " (dial_sched_time, record_id) WHERE record_status = 1 AND dial_sched_time IS NOT NULL";
    *db.sql << "CREATE INDEX IF NOT EXISTS " + table + "_ob_fresh ON " + table +
                   " (chain_id, chain_n) WHERE record_status = 1 AND dial_sched_time IS NULL";
    *db.sql << "CREATE INDEX IF NOT EXISTS " + table + "_ob_chain ON " + table + " (chain_id, chain_n)";
    // No index on record_status alone: every status change would maintain it,
    // and SQLite's planner, without statistics, prefers it to the partial
    // indexes and then sorts every ready row for each chunk.
  });
}

std::set<std::string> list_index_names(Database& db, const std::string& table) {
  return guarded("cannot read the indexes of " + table, [&] {
    std::set<std::string> out;
    auto rows = fetch_text_rows(db, db.dialect == Dialect::sqlite
                                        ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '" + table + "'"
                                        : "SELECT indexname FROM pg_indexes WHERE tablename = lower('" + table + "')" +
                                              " AND schemaname = current_schema()",
                                1);
    for (const auto& r : rows)
      if (r[0]) out.insert(*r[0]);
    return out;
  });
}

// holder names the list handle that took the lease (lease_holder.hpp); a
// table made by an earlier version gains the column (its rows have none, and
// are recovered once they expire).
void create_lease_table(Database& db, const std::string& table) {
  // On SQLite an INTEGER PRIMARY KEY is the rowid: one b-tree, not two.
  const std::string key = db.dialect == Dialect::sqlite ? "INTEGER" : "BIGINT";
  const std::string lt = table + "_lease";
  guarded("cannot create the lease table of " + table, [&] {
    *db.sql << "CREATE TABLE IF NOT EXISTS " + lt + " (record_id " + key +
                   " PRIMARY KEY, engine_id VARCHAR(64) NOT NULL, expires_at BIGINT NOT NULL, holder VARCHAR(128))";
    auto columns = table_columns(db, lt);
    if (std::any_of(columns.begin(), columns.end(), [](const auto& c) { return c.first == "holder"; })) return;
    if (db.dialect == Dialect::postgresql) {
      *db.sql << "ALTER TABLE " + lt + " ADD COLUMN IF NOT EXISTS holder VARCHAR(128)";
      return;
    }
    try {
      *db.sql << "ALTER TABLE " + lt + " ADD COLUMN holder VARCHAR(128)";
    } catch (const std::exception&) {
      columns = table_columns(db, lt);  // another engine added it first
      if (std::none_of(columns.begin(), columns.end(), [](const auto& c) { return c.first == "holder"; })) throw;
    }
  });
}

std::vector<std::string> check_list_columns(Database& db, const std::string& table) {
  auto columns = table_columns(db, table);
  if (columns.empty()) throw Error(ErrorCode::not_found, "calling list table \"" + table + "\" does not exist");
  std::vector<std::string> missing, mistyped, custom;
  for (const auto& name : mandatory_columns()) {
    auto it = std::find_if(columns.begin(), columns.end(), [&](const auto& c) { return c.first == name; });
    if (it == columns.end()) {
      missing.push_back(name);
      continue;
    }
    bool ok = is_text_column(name) ? looks_text(it->second) : looks_integer(it->second);
    if (!ok)
      mistyped.push_back(name + " (" + it->second + ", expected " + (is_text_column(name) ? "text" : "integer") + ")");
  }
  std::vector<std::string> unquotable;
  for (const auto& c : columns)
    if (std::find(mandatory_columns().begin(), mandatory_columns().end(), c.first) == mandatory_columns().end()) {
      // Quoted, any name is one identifier, except one no quoting carries through
      // every driver and database: control characters, or longer than PostgreSQL keeps.
      bool control = std::any_of(c.first.begin(), c.first.end(), [](char ch) {
        auto u = static_cast<unsigned char>(ch);
        return u < 0x20 || u == 0x7f;
      });
      if (c.first.empty() || control || c.first.size() > 63)
        unquotable.push_back(c.first);
      else
        custom.push_back(c.first);
    }
  if (!unquotable.empty()) {
    std::string names;
    for (const auto& n : unquotable) {
      std::string shown;
      for (char ch : n) shown += static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f ? '?' : ch;
      names += (names.empty() ? "\"" : ", \"") + shown + "\"";
    }
    throw Error(ErrorCode::invalid_argument, "calling list table \"" + table + "\" has custom columns whose names cannot be " +
                                                 "used safely in SQL (empty, a control character, or over 63 bytes): " + names);
  }
  if (missing.empty() && mistyped.empty()) return custom;
  std::string msg = "calling list table \"" + table + "\" is not in the OCS shape:";
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!missing.empty()) msg += " missing columns: " + join(missing) + ";";
  if (!mistyped.empty()) msg += " mistyped columns: " + join(mistyped) + ";";
  msg.pop_back();
  throw Error(ErrorCode::invalid_argument, msg);
}

std::vector<std::string> custom_column_types(Database& db, const std::string& table,
                                             const std::vector<std::string>& custom) {
  auto columns = table_columns(db, table);
  std::vector<std::string> types;
  for (const auto& name : custom) {
    auto it = std::find_if(columns.begin(), columns.end(), [&](const auto& c) { return c.first == name; });
    std::string type = it == columns.end() || it->second.empty() ? "text" : it->second;
    if (!std::all_of(type.begin(), type.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == ' ' || ch == '(' || ch == ')' || ch == ',' || ch == '_'; }))
      type = "text";
    types.push_back(type);
  }
  return types;
}

}  // namespace outbound::detail
