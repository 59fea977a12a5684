// Rehearsal copies (see list_copy.hpp): SQLite files through the online
// backup API, PostgreSQL tables with CREATE TABLE … (LIKE … INCLUDING ALL).
#include "list_copy.hpp"

#include <sqlite3.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

namespace outbound::cli {
namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

struct SqliteTarget {
  std::string path;   // the database file
  std::string query;  // "?timeout=…" options, kept on the copy's connection
};

std::optional<SqliteTarget> sqlite_target(const std::string& connection) {
  std::string rest;
  if (starts_with(connection, "sqlite3://")) rest = connection.substr(10);
  else if (starts_with(connection, "sqlite://")) rest = connection.substr(9);
  else return std::nullopt;
  auto q = rest.find('?');
  return SqliteTarget{rest.substr(0, q), q == std::string::npos ? std::string() : rest.substr(q)};
}

std::string pg_conninfo(const std::string& connection) {
  if (starts_with(connection, "postgresql://") || starts_with(connection, "postgres://")) return connection;
  if (starts_with(connection, "postgresql:")) return connection.substr(11);
  throw Error(ErrorCode::invalid_argument, "a rehearsal copies SQLite or PostgreSQL lists, not \"" + connection + "\"");
}

// The whole database file, copied page by page from a read-only source
// connection: the source file is never written.
void backup_sqlite(const std::string& from, const std::string& to) {
  if (!std::filesystem::exists(from)) throw Error(ErrorCode::not_found, "no SQLite database at " + from);
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto close = [&] {
    sqlite3_close(src);
    sqlite3_close(dst);
  };
  std::string error;
  if (sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    error = "cannot open " + from + ": " + sqlite3_errmsg(src);
  else if (sqlite3_open_v2(to.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    error = "cannot create " + to + ": " + sqlite3_errmsg(dst);
  else if (sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main"); !b)
    error = "cannot copy " + from + ": " + sqlite3_errmsg(dst);
  else {
    int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) error = "copying " + from + " failed: " + sqlite3_errstr(rc);
  }
  close();
  if (!error.empty()) throw Error(ErrorCode::database, error);
}

// T -> T_rh on the same database, replacing an earlier rehearsal's copy (and
// its lease table). Column defaults that draw from a sequence are dropped so
// the copy never advances the real table's sequences.
void copy_pg_table(soci::session& sql, const std::string& table, const std::string& copy) {
  int exists = 0;
  sql << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = :t",
      soci::use(table), soci::into(exists);
  sql << "DROP TABLE IF EXISTS " + copy + "_lease";
  sql << "DROP TABLE IF EXISTS " + copy;
  if (!exists) return;
  sql << "CREATE TABLE " + copy + " (LIKE " + table + " INCLUDING ALL)";
  sql << "INSERT INTO " + copy + " SELECT * FROM " + table;
  std::vector<std::string> columns(1000);
  sql << "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = :t "
         "AND column_default LIKE 'nextval(%'",
      soci::use(copy), soci::into(columns);
  for (const auto& c : columns) sql << "ALTER TABLE " + copy + " ALTER COLUMN " + c + " DROP DEFAULT";
}

}  // namespace

RehearsalCopies RehearsalCopies::make(const std::vector<std::pair<std::string, std::string>>& tables) {
  RehearsalCopies out;
  std::map<std::string, std::string> sqlite_copies;  // source connection -> copy connection
  std::map<std::string, std::unique_ptr<soci::session>> pg_sessions;
  std::filesystem::path dir;
  for (const auto& [connection, table] : tables) {
    if (out.copies_.count({connection, table})) continue;
    if (!is_safe_identifier(table)) throw Error(ErrorCode::invalid_argument, "table name \"" + table + "\" is not a plain SQL identifier");
    if (auto target = sqlite_target(connection)) {
      auto& copy = sqlite_copies[connection];
      if (copy.empty()) {
        if (dir.empty()) {
          std::string tmpl = (std::filesystem::temp_directory_path() / "ob-rehearsal-XXXXXX").string();
          if (!::mkdtemp(tmpl.data())) throw Error(ErrorCode::generic, "cannot create a folder for the rehearsal copy");
          dir = tmpl;
        }
        auto to = dir / std::filesystem::path(target->path).filename();
        for (int n = 2; std::filesystem::exists(to); ++n)
          to = dir / (std::filesystem::path(target->path).stem().string() + "-" + std::to_string(n) + ".db");
        backup_sqlite(target->path, to.string());
        copy = "sqlite3://" + to.string() + target->query;
      }
      out.copies_[{connection, table}] = {copy, table};
      continue;
    }
    const std::string copy = table + "_rh";
    if (copy.size() > 57)
      throw Error(ErrorCode::invalid_argument, "table name \"" + table + "\" is too long for a rehearsal copy (" + copy +
                                                   "); rename it or rehearse --in-place");
    auto& session = pg_sessions[connection];
    try {
      if (!session) {
        session = std::make_unique<soci::session>(soci::postgresql, pg_conninfo(connection));
        *session << "SET client_min_messages TO WARNING";  // no NOTICE for a copy that did not exist yet
      }
      copy_pg_table(*session, table, copy);
    } catch (const soci::soci_error& e) {
      throw Error(ErrorCode::database, "copying table " + table + " for the rehearsal failed: " + e.what());
    }
    out.copies_[{connection, table}] = {connection, copy};
  }
  return out;
}

TableCopy RehearsalCopies::of(const std::string& connection, const std::string& table) const {
  auto it = copies_.find({connection, table});
  if (it == copies_.end()) throw Error(ErrorCode::generic, "table " + table + " was not copied for the rehearsal");
  return it->second;
}

}  // namespace outbound::cli
