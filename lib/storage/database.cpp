#include "database.hpp"

#include <algorithm>
#include <cctype>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

namespace outbound::detail {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string hide_password(std::string s) {
  auto pos = s.find("password=");
  if (pos != std::string::npos) {
    auto end = s.find(' ', pos);
    s.replace(pos + 9, (end == std::string::npos ? s.size() : end) - pos - 9, "***");
  }
  return s;
}

// A whole number option of a sqlite3:// connection (at most 9 digits).
long parse_sqlite_number(const std::string& key, const std::string& value) {
  if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos)
    throw Error(ErrorCode::invalid_argument, "sqlite3 option " + key + " must be a whole number: \"" + value + "\"");
  return std::stol(value);
}

// "PATH[?timeout=SECONDS][&max_pages=N]": timeout is how long a write waits
// for another connection's lock before it fails with "database is locked"
// (default 30); max_pages caps the file (PRAGMA max_page_count), so a list
// can be given a quota, and a write beyond it fails as on a full disk.
Database connect_sqlite(std::string path, const std::string& original) {
  long timeout_s = 30, max_pages = 0;
  if (auto q = path.find('?'); q != std::string::npos) {
    std::string query = path.substr(q + 1);
    path.resize(q);
    std::size_t at = 0;
    while (at <= query.size()) {
      std::size_t end = std::min(query.find('&', at), query.size());
      const std::string item = query.substr(at, end - at);
      const std::size_t eq = item.find('=');
      const std::string key = item.substr(0, eq), value = eq == std::string::npos ? std::string() : item.substr(eq + 1);
      if (key == "timeout")
        timeout_s = parse_sqlite_number(key, value);
      else if (key == "max_pages")
        max_pages = parse_sqlite_number(key, value);
      else
        throw Error(ErrorCode::invalid_argument, "unknown sqlite3 option \"" + key + "\" (known: timeout, max_pages)");
      at = end + 1;
    }
  }
  if (path.empty()) throw Error(ErrorCode::invalid_argument, "sqlite3:// connection has no file path");
  if (path.find_first_of(" \"") != std::string::npos)
    throw Error(ErrorCode::invalid_argument, "sqlite3 path must not contain spaces or quotes: " + path);
  Database db;
  db.dialect = Dialect::sqlite;
  db.description = original;
  db.sql = std::make_unique<soci::session>(soci::sqlite3, "db=" + path + " timeout=" + std::to_string(timeout_s));
  if (path != ":memory:") *db.sql << "PRAGMA journal_mode=WAL";
  *db.sql << "PRAGMA synchronous=NORMAL";
  if (max_pages > 0) *db.sql << "PRAGMA max_page_count=" + std::to_string(max_pages);
  return db;
}

Database connect_postgresql(const std::string& conninfo, const std::string& original) {
  Database db;
  db.dialect = Dialect::postgresql;
  db.description = hide_password(original);
  db.sql = std::make_unique<soci::session>(soci::postgresql, conninfo);
  *db.sql << "SET client_min_messages TO WARNING";
  return db;
}

}  // namespace

void rethrow_as_database_error(const std::string& what) {
  try {
    throw;
  } catch (const outbound::Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
    throw Error(ErrorCode::database, what + ": " + msg);
  } catch (...) {
    throw Error(ErrorCode::database, what + ": unknown failure");
  }
}

Database connect_database(const std::string& connection) {
  return guarded("cannot connect to \"" + hide_password(connection) + "\"", [&] {
    if (starts_with(connection, "sqlite3://")) return connect_sqlite(connection.substr(10), connection);
    if (starts_with(connection, "sqlite://")) return connect_sqlite(connection.substr(9), connection);
    if (starts_with(connection, "postgresql://") || starts_with(connection, "postgres://"))
      return connect_postgresql(connection, connection);
    if (starts_with(connection, "postgresql:")) return connect_postgresql(connection.substr(11), connection);
    throw Error(ErrorCode::invalid_argument,
                "unknown connection \"" + hide_password(connection) +
                    "\": expected sqlite3://PATH, postgresql://URI or postgresql:key=value");
  });
}

std::string pg_int_array(const std::vector<long long>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

std::string pg_opt_int_array(const std::vector<std::optional<long long>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += values[i] ? std::to_string(*values[i]) : std::string("NULL");
  }
  out += '}';
  return out;
}

std::string pg_text_array(const std::vector<std::string>& values, const std::vector<bool>* is_null) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if (is_null && (*is_null)[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string int_list(const std::vector<long long>& values, std::size_t from, std::size_t count) {
  std::string out;
  std::size_t end = std::min(values.size(), from + count);
  for (std::size_t i = from; i < end; ++i) {
    if (i > from) out += ',';
    out += std::to_string(values[i]);
  }
  return out;
}

std::vector<TextRow> fetch_text_rows(Database& db, const std::string& query, std::size_t ncols, const Binder& bind) {
  // Small batches: most reads (a change log, a due check) find a few rows or
  // none, and each batch costs its size in allocations whatever it finds. SOCI
  // cannot grow an into-vector between fetches, so the size is fixed.
  constexpr std::size_t batch = 64;
  std::vector<std::vector<std::string>> cols(ncols);
  std::vector<std::vector<soci::indicator>> inds(ncols);
  auto reset = [&] {
    for (std::size_t k = 0; k < ncols; ++k) {
      cols[k].assign(batch, std::string());
      inds[k].assign(batch, soci::i_ok);
    }
  };
  reset();
  soci::statement st(*db.sql);
  for (std::size_t k = 0; k < ncols; ++k) st.exchange(soci::into(cols[k], inds[k]));
  if (bind) bind(st);
  st.alloc();
  st.prepare(query, soci::details::st_one_time_query);
  st.define_and_bind();
  std::vector<TextRow> rows;
  bool more = st.execute(true);
  for (;;) {
    std::size_t n = cols.empty() ? 0 : cols[0].size();
    for (std::size_t i = 0; i < n; ++i) {
      TextRow row(ncols);
      for (std::size_t k = 0; k < ncols; ++k)
        if (inds[k][i] != soci::i_null) row[k] = std::move(cols[k][i]);
      rows.push_back(std::move(row));
    }
    if (!more) break;
    reset();
    more = st.fetch();
    if (!more && cols[0].empty()) break;
  }
  return rows;
}

long long execute_count(Database& db, const std::string& query, const Binder& bind) {
  soci::statement st(*db.sql);
  if (bind) bind(st);
  st.alloc();
  st.prepare(query, soci::details::st_one_time_query);
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

bool table_exists(Database& db, const std::string& table) {
  return !table_columns(db, table).empty();
}

std::vector<std::pair<std::string, std::string>> table_columns(Database& db, const std::string& table) {
  if (!is_safe_identifier(table))
    throw Error(ErrorCode::invalid_argument, "table name \"" + table + "\" is not a plain SQL identifier");
  return guarded("cannot read the columns of " + table, [&] {
    std::vector<std::pair<std::string, std::string>> out;
    soci::rowset<soci::row> rows =
        db.dialect == Dialect::sqlite
            ? (db.sql->prepare << "SELECT name, type FROM pragma_table_info('" + table + "')")
            : (db.sql->prepare << "SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name = lower('" + table + "') AND table_schema = current_schema() "
                                  "ORDER BY ordinal_position");
    for (const auto& row : rows) {
      std::string name = row.get<std::string>(0), type = row.get<std::string>(1, "");
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
      out.emplace_back(name, type);
    }
    return out;
  });
}

}  // namespace outbound::detail
