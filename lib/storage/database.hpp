// Private: one SOCI session on SQLite or PostgreSQL, with what differs between
// the two kept here (transactions, bulk binding, upserts, column types).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <soci/soci.h>

namespace outbound::detail {

/// One fetched row: each column's text, or nullopt for SQL NULL.
using TextRow = std::vector<std::optional<std::string>>;

/// The SQL dialect behind a connection.
enum class Dialect { sqlite, postgresql };

/// A connected database session and its dialect.
struct Database {
  std::unique_ptr<soci::session> sql;  ///< the SOCI session
  Dialect dialect = Dialect::sqlite;   ///< which backend
  std::string description;             ///< connection string with any password hidden
};

/// Adds `use` elements to a statement before it is prepared.
using Binder = std::function<void(soci::statement&)>;

/// Connects: "sqlite3://PATH" (":memory:" too), "postgresql://URI" or
/// "postgresql:key=value ...". Throws Error(invalid_argument|database).
Database connect_database(const std::string& connection);

/// Runs `fn` inside a transaction (SQLite: BEGIN IMMEDIATE, so a reader that
/// later writes never deadlocks); commits, or rolls back and rethrows as Error.
template <typename Fn>
auto in_transaction(Database& db, const std::string& what, Fn&& fn) -> decltype(fn());

/// Runs `fn` waiting at most `max_wait` for any lock it needs, so the loop
/// thread is never held longer by another connection's lock (a timeout throws
/// Error(database) like any failure). SQLite: the busy timeout is lowered for
/// the call and put back after; `fn` runs in a transaction when `write`
/// (readers need none: WAL). PostgreSQL: `fn` runs in a transaction with
/// lock_timeout set for it alone.
template <typename Fn>
auto with_lock_wait(Database& db, const std::string& what, std::chrono::milliseconds max_wait, bool write, Fn&& fn)
    -> decltype(fn());

/// Runs `fn` and turns any SOCI or standard exception into Error(database) naming `what`.
template <typename Fn>
auto guarded(const std::string& what, Fn&& fn) -> decltype(fn());

/// Reads every row of `query` (a SELECT whose `ncols` columns are text, e.g.
/// CAST(c AS TEXT)) in batches. The statement runs as a one-time query (one
/// round trip on PostgreSQL: no server-side prepare and deallocate).
std::vector<TextRow> fetch_text_rows(Database& db, const std::string& query, std::size_t ncols,
                                     const Binder& bind = {});

/// Runs one statement as a one-time query with the `use` elements `bind`
/// adds; returns the number of rows it changed.
long long execute_count(Database& db, const std::string& query, const Binder& bind = {});

/// A PostgreSQL array literal of integers: {1,2,3}.
std::string pg_int_array(const std::vector<long long>& values);
/// A PostgreSQL array literal of optional integers: {1,NULL,3}.
std::string pg_opt_int_array(const std::vector<std::optional<long long>>& values);
/// A PostgreSQL array literal of texts with quoting: {"a","b\"c"}; NULLs as NULL.
std::string pg_text_array(const std::vector<std::string>& values, const std::vector<bool>* is_null = nullptr);
/// Comma-separated integers for an IN (...) list.
std::string int_list(const std::vector<long long>& values, std::size_t from, std::size_t count);

/// True when the table exists.
bool table_exists(Database& db, const std::string& table);
/// Column names and declared types (lower case) of a table, in order.
std::vector<std::pair<std::string, std::string>> table_columns(Database& db, const std::string& table);

/// Throws Error(database) with the text of the current exception and `what`.
[[noreturn]] void rethrow_as_database_error(const std::string& what);

}  // namespace outbound::detail

#include "database_inl.hpp"
