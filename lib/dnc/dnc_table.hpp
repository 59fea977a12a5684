// Private: the DNC table in the gsw_donotcall_list shape and its change log
// `<table>_changes`, on SQLite or PostgreSQL. Every addition and removal made
// through the API writes its rows and one change-log row in one transaction;
// engines sharing the table read the log after the last sequence number they
// applied. On PostgreSQL writers take the log's lock first, so sequence
// numbers commit in order and a reader never skips a late commit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../storage/database.hpp"
#include "outbound/dnc.hpp"

namespace outbound::detail {

/// One row of the DNC table as stored: text of each column, nullopt for NULL.
struct DncRow {
  std::optional<std::string> phone;      ///< phone
  std::optional<std::string> customer;   ///< customer_id
  std::optional<std::string> tenant;     ///< tenant_dbid
  std::optional<std::string> campaign;   ///< campaign_dbid
  std::optional<std::string> list;       ///< list_dbid
  std::optional<std::string> expires;    ///< expires_at
};

/// What one change-log row says.
struct DncChange {
  enum class Op { add = 1, remove_phone = 2, remove_customer = 3 };
  long long seq = 0;                       ///< its sequence number
  Op op = Op::add;                         ///< what was done
  std::optional<std::uint64_t> phone_key;  ///< the number's key ("+digits" in the log)
  std::string customer;                    ///< the customer id, or empty
  int tenant_dbid = 0;                     ///< the entry's scope
  DncEntryScope scope;                     ///< campaign and list scope
  std::optional<EpochSeconds> expires_at;  ///< its expiry
};

/// The backing table of a DNC list and its change log.
class DncTable {
 public:
  /// Opens (and when allowed creates) `options.table` and its change log on `connection`.
  DncTable(const std::string& connection, const DncOptions& options);
  /// Calls `fn` on every row, streamed in batches (the row's strings may be moved from).
  void scan(const std::function<void(DncRow&)>& fn);
  /// The row keys (SQLite rowid, PostgreSQL ctid) of the rows holding each phone text, in table order.
  std::map<std::string, std::vector<std::string>> row_keys_of(const std::vector<std::string>& phones);
  /// Number of rows (to size the in-memory sets before a load).
  std::size_t row_count();
  /// The highest sequence number in the change log (0 when empty).
  long long last_seq();
  /// Change-log rows after `seq`, in order; with `max_wait`, waiting at most that long for a lock
  /// another connection holds (then Error(database)).
  std::vector<DncChange> changes_after(long long seq, std::optional<std::chrono::milliseconds> max_wait = std::nullopt);
  /// False when no other connection can have committed since the last call
  /// (SQLite's data_version, one cheap pragma); always true on PostgreSQL.
  bool others_may_have_written();
  /// Writes one entry (phone already in E.164, or empty) and its change-log row; with `max_wait`, waits at
  /// most that long for a lock (SQLite busy timeout, PostgreSQL lock_timeout) and throws Error(database) after.
  void add(const DncEntry& entry, int tenant_dbid, std::optional<Duration> max_wait = std::nullopt);
  /// Deletes the rows whose phone `same_key` accepts among those holding the digits of `key`; logs the removal.
  std::size_t remove_phone(std::uint64_t key, const std::function<bool(const std::string&)>& same_key);
  /// Deletes the rows of `customer_id`; logs the removal.
  std::size_t remove_customer(const std::string& customer_id);
  /// True when the table has an expires_at column.
  bool has_expiry() const { return has_expiry_; }
  /// The table's name.
  const std::string& name() const { return table_; }

 private:
  void create_tables(bool create_main);
  static void unfold(const std::string& folded, DncRow& row);
  void log_change(DncChange::Op op, const std::string& phone, const std::string& customer, int tenant,
                  const DncEntryScope& scope, std::optional<EpochSeconds> expires);
  void lock_log();
  void insert_entry(const DncEntry& e, int tenant_dbid);
  std::string row_key_expr() const;

  Database db_;
  std::string table_, log_;
  bool has_expiry_ = false;
  std::optional<long long> data_version_;  // SQLite: at the last others_may_have_written()
};

}  // namespace outbound::detail
