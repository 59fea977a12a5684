// Private: the calling-list store on SOCI, SQLite or PostgreSQL behind one class.
//
// Concurrency model (PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE):
// - retrieve() locks candidate rows with FOR UPDATE SKIP LOCKED, drops any
//   chain one of whose ready rows another engine holds (so chains are never
//   split between engines), marks the rest retrieved and inserts leases, all
//   in one transaction.
// - Writes that need ownership (update, mark_dialing, release) lock this
//   engine's lease rows first and write only the records whose lease is still
//   there; recover() deletes expired leases first. Lease rows are always
//   locked before list rows, so these never deadlock each other.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../storage/database.hpp"
#include "lease_holder.hpp"
#include "outbound/calling_list.hpp"

namespace outbound::detail {

class SqlCallingList final : public CallingList {
 public:
  SqlCallingList(Database db, ListOptions options);

  const ListOptions& options() const override { return opt_; }
  const std::vector<std::string>& custom_fields() const override { return custom_; }
  std::string backend() const override { return db_.dialect == Dialect::sqlite ? "sqlite3" : "postgresql"; }

  void insert(const std::vector<Record>& records) override;
  RetrieveResult retrieve(const RetrieveRequest& request) override;
  void update(const std::vector<Record>& records) override { update_owned(records); }
  void mark_dialing(const std::vector<Record>& records) override { mark_dialing_owned(records); }
  std::vector<std::int64_t> update_owned(const std::vector<Record>& records) override;
  std::vector<std::int64_t> mark_dialing_owned(const std::vector<Record>& records) override;
  void release(const std::vector<std::int64_t>& record_ids) override;
  void renew_leases(EpochSeconds now) override;
  std::size_t recover(EpochSeconds now) override;
  std::size_t recover_expired(EpochSeconds now) override;
  bool reschedule(std::int64_t record_id, EpochSeconds at, RecordType type, const std::string& agent_id) override;
  std::vector<RowError> mark_unknown_zones(const std::vector<std::string>& known_zone_keys) override;
  std::vector<RowError> mark_malformed() override;
  std::vector<std::string> load_problems() override;
  std::map<std::string, std::int64_t> unmapped_zone_counts(const std::vector<std::string>& known_zone_keys) override;
  std::vector<std::string> zone_keys() override;

  std::map<RecordStatus, std::int64_t> count_by_status() override;
  std::optional<Record> get(std::int64_t record_id) override;
  std::vector<Record> all() override;
  std::vector<Record> chain(int chain_id) override;
  std::vector<Record> page(std::int64_t after_record_id, std::size_t limit) override;
  std::vector<std::int64_t> existing_ids(const std::vector<std::int64_t>& record_ids) override;

  // --- third-party requests and progress views (sql_list_admin.cpp)
  std::vector<Record> find_ready(const RecordMatch& match) override;
  std::vector<std::int64_t> cancel_ready(const std::vector<std::int64_t>& record_ids) override;
  std::vector<ReadyGroup> ready_groups(EpochSeconds now) override;

 private:
  // --- configuration (sql_list.cpp)
  void check_options();
  void build_select_list();
  void check_filter_runs();
  void find_index_hints();
  std::string lease_table() const { return opt_.table + "_lease"; }
  bool pg() const { return db_.dialect == Dialect::postgresql; }

  // --- reads (sql_list.cpp)
  std::string base_condition(const RetrieveRequest& rq) const;
  std::string unmapped_zone_condition(const std::vector<std::string>& known) const;  // zone NULL or not configured
  std::vector<TextRow> fetch_due_rows(const RetrieveRequest& rq);
  // The index key a stream is read in: two columns and their positions in a row.
  struct StreamKey {
    std::string first, second;
    std::size_t first_col, second_col;
  };
  std::vector<TextRow> read_stream(const std::string& stream, const std::string& head, const StreamKey& key,
                                   std::size_t limit);
  std::vector<TextRow> fetch_scheduled_rows(const RetrieveRequest& rq, const std::string& base);
  void complete_chains(std::vector<TextRow>& rows);
  std::vector<TextRow> fetch_rows_by_id(const std::vector<long long>& ids);
  RetrieveResult retrieve_locked(const RetrieveRequest& rq);
  std::vector<Record> select_records(const std::string& where, const std::string& order_and_limit);

  // --- writes (sql_list_write.cpp)
  void mark_retrieved(const std::vector<long long>& ids, long long lease_expires);
  void mark_errors(const std::vector<long long>& ids);
  void mark_errors_by_key(const std::vector<std::optional<std::string>>& keys);  // rows whose record_id is NULL or no integer
  std::vector<long long> owned_ids(const std::vector<long long>& ids);
  void delete_own_leases(const std::vector<long long>& ids);
  void write_records_sqlite(const std::vector<Record>& records, bool dialing, std::vector<std::int64_t>& lost);
  void write_records_postgresql(const std::vector<Record>& records, bool dialing, const std::vector<long long>& done);
  std::vector<std::int64_t> write_owned(const std::vector<Record>& records, bool dialing);
  void insert_sqlite(const std::vector<Record>& records);
  void insert_postgresql(const std::vector<Record>& records);
  std::string column_type(std::size_t k) const;
  std::string insert_column_list() const;

  // Runs `sql` (which contains "{ids}" where a record_id predicate goes, e.g.
  // "... WHERE record_id {ids}") over `ids`: IN-lists of literals in chunks on
  // SQLite, one `= ANY(array)` parameter on PostgreSQL. Returns rows changed.
  long long exec_for_ids(const std::string& sql, const std::vector<long long>& ids, const Binder& bind = {});
  // Reads the single integer column of `sql` (with "{ids}" as above) over `ids`.
  std::vector<long long> query_ids(const std::string& sql, const std::vector<long long>& ids, const Binder& bind = {});

  Database db_;
  ListOptions opt_;
  std::vector<std::string> custom_;
  std::vector<std::string> custom_types_;
  std::string select_list_;
  std::size_t ncols_ = 0;
  std::string zone_expr_ = "tz_dbid";
  // SQLite: " INDEXED BY <index>" for each of our retrieval indexes the table
  // has. Without statistics SQLite's planner prefers the record_status index
  // and sorts every ready row for each chunk; naming the index keeps a chunk's
  // cost independent of the list's size. Empty on PostgreSQL.
  std::string due_hint_, fresh_hint_, chain_hint_;
  // Where each candidate stream's last read stopped (the index key of the
  // last row taken from it): see read_stream().
  std::map<std::string, std::pair<long long, long long>> cursors_;
  std::size_t retrievals_ = 0;
  static constexpr std::size_t kCursorRestartEvery = 64;  // retrievals between restarts from the front
  std::size_t recover_leases(EpochSeconds now, bool at_load);
  std::vector<long long> recoverable_leases(EpochSeconds now);
  bool orphans_checked_ = false;  // recover() has looked for retrieved rows without a lease
  LeaseHolder holder_;            // this handle, on every lease it takes
};

}  // namespace outbound::detail
