// One database for one test, so the same calling-list contract runs on SQLite
// (a fresh file) and on PostgreSQL (a fresh table on the suite's server).
// Each test program defines make_list_db() for its backend.
#pragma once

#include <memory>
#include <string>

#include "../support/test_support.hpp"
#include "outbound/calling_list.hpp"

namespace listtest {

/// The database of one test: a connection, a table name no other test uses,
/// and a way to run plain SQL on it as a user would.
class ListDb {
 public:
  virtual ~ListDb() = default;
  /// The connection string CallingList::open() takes.
  virtual std::string conn() const = 0;
  /// This test's table (its lease table is table() + "_lease").
  virtual std::string table() const = 0;
  /// True on PostgreSQL.
  virtual bool pg() const = 0;
  /// Runs plain SQL on the database; every "{t}" is replaced by table().
  virtual void exec(const std::string& sql) = 0;
  /// Reads one integer (the first column of the first row) of plain SQL; "{t}" as above.
  virtual long long scalar(const std::string& sql) = 0;
  /// A folder for files (CSV) that goes with the test.
  const obtest::TempDir& dir() const { return dir_; }

  /// Opens this test's list (creating the table unless `create` is false).
  std::unique_ptr<outbound::CallingList> open(outbound::ListOptions o = {}, bool create = true) const {
    o.table = table();
    o.create_if_missing = create;
    return outbound::CallingList::open(conn(), o);
  }
  /// open() with another engine's name and lease length.
  std::unique_ptr<outbound::CallingList> open_engine(const std::string& engine, std::int64_t lease_s = 600) const {
    outbound::ListOptions o;
    o.engine_id = engine;
    o.lease_s = lease_s;
    return open(o);
  }

 protected:
  /// Replaces every "{t}" in `sql` with the table name.
  std::string expand(std::string sql) const {
    for (auto pos = sql.find("{t}"); pos != std::string::npos; pos = sql.find("{t}", pos)) sql.replace(pos, 3, table());
    return sql;
  }

 private:
  obtest::TempDir dir_;
};

/// A fresh database for one test, or nullptr when the backend is not
/// available and the program was told that is fine (the test then passes
/// without running; the program has a test that fails in that case otherwise).
std::unique_ptr<ListDb> make_list_db();

/// A retrieval of up to `n` records due at `now`, without calling windows.
inline outbound::RetrieveRequest due_at(outbound::EpochSeconds now, std::size_t n) {
  outbound::RetrieveRequest rq;
  rq.now = now;
  rq.max_records = n;
  return rq;
}

/// The plain-SQL OCS table of a deployment (integer and varchar columns,
/// columns not in our order, two custom fields), with no index of ours.
inline void create_ocs_table_by_hand(ListDb& db) {
  db.exec("CREATE TABLE {t} (record_id integer not null unique, contact_info varchar(128), contact_info_type integer, "
          "record_type integer, record_status integer, call_result integer, attempt integer, dial_sched_time integer, "
          "call_time integer, daily_from integer, daily_till integer, tz_dbid integer, campaign_id integer, "
          "agent_id varchar(32), chain_id integer, chain_n integer, group_id integer, app_id integer, "
          "treatments varchar(255), media_ref integer, email_subject varchar(255), email_template_id integer, "
          "switch_id integer, customer_name varchar(64), balance integer)");
}

/// `n` records in chains of `chain_len`, ids from 1.
inline std::vector<outbound::Record> chained_records(int n, int chain_len) {
  std::vector<outbound::Record> out;
  for (int i = 0; i < n; ++i) out.push_back(obtest::make_record(i + 1, i / chain_len + 1, i % chain_len + 1));
  return out;
}

}  // namespace listtest

using namespace outbound;
using listtest::due_at;

/// Starts a test on a fresh database named `db`; returns early when there is none.
#define LIST_DB(db)                       \
  auto db##_owner = listtest::make_list_db(); \
  if (!db##_owner) return;                \
  listtest::ListDb& db = *db##_owner
