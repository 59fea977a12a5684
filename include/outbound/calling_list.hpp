// outbound — calling lists: OCS-shaped SQL tables read and written through SOCI.
//
// A list is a table with the mandatory OCS columns (docs/reference.md) and any
// number of custom fields. Retrieval takes a chunk of dialable records and
// marks them retrieved in one transaction, with a lease (holder + expiry)
// kept in a companion table `<table>_lease`, so engines sharing a PostgreSQL
// list never hold the same record and a crashed engine's records come back.
// The holder is the list object: two objects (campaigns, processes) never take
// each other's live leases, whatever engine_id they share.
// SQLite ("sqlite3://path") is the embedded default; PostgreSQL
// ("postgresql://..." or "postgresql:key=value ...") serves several engines.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// How a calling list is opened and read.
struct ListOptions {
  std::string table = "calling_list";  ///< table name (a plain SQL identifier)
  std::string filter;                   ///< extra SQL condition on the list's columns (at most 4096 characters, 64 levels of parentheses), or empty
  std::string order_by;                 ///< ORDER BY for unscheduled records (default chain_id, chain_n)
  std::string engine_id = "engine-1";   ///< a name for the engine on the leases it takes (a label: leases belong to the list object)
  std::int64_t lease_s = 600;           ///< lease length, 1 s to 36,500 days; leases are renewed while held
  std::string zone_column;              ///< a custom column holding IANA zone names, instead of tz_dbid
  bool create_if_missing = false;       ///< create the table (OCS shape) when it does not exist
  bool create_indexes = false;          ///< add the retrieval indexes (changes the user's schema)
  std::map<int, int> record_type_priority;  ///< record_type code -> priority (lower dials first)
  std::string phone_region;             ///< ISO 3166 region of national-format numbers ("GB"); empty: the DNC list's, else US
  std::string region_column;            ///< a custom column holding each record's ISO 3166 region, or empty
  int list_dbid = 0;                    ///< the list's id for DNC entries scoped by list_dbid (0: unknown, every such entry applies)
};

/// The local time of one zone at retrieval: records in that zone are dialable
/// when `local_second` lies inside their [daily_from, daily_till) window.
struct ZoneNow {
  std::string key;   ///< the tz_dbid (as decimal text) or the zone column's value
  int local_second;  ///< seconds since local midnight in that zone now
};

/// What to retrieve.
struct RetrieveRequest {
  EpochSeconds now = 0;            ///< records with dial_sched_time <= now are due
  std::size_t max_records = 100;   ///< at most this many records (whole chains may add a few)
  bool check_windows = false;      ///< when true only records in `zones` with an open window
  std::vector<ZoneNow> zones;      ///< zones whose campaign window is open now
  bool include_unmapped_zones = false;        ///< with check_windows, also records whose zone is NULL or not in `mapped_zone_keys` (zoned by their number at the gate)
  std::vector<std::string> mapped_zone_keys;  ///< every configured zone key
  bool due_only = false;           ///< only scheduled records now due (no fresh ones), earliest first: a due retry need not wait for the buffer to drain
};

/// A row that could not be used, with the reason; the row is marked as a
/// record error (record_status updated, call_result dial_error) in the table.
struct RowError {
  std::int64_t record_id = 0;  ///< the row's record_id (0 when it had none)
  std::string reason;          ///< what was wrong, e.g. "contact_info is NULL"
};

/// The records retrieved, and the rows that were marked as errors instead.
struct RetrieveResult {
  std::vector<Record> records;   ///< whole chains, each in chain_n order
  std::vector<RowError> errors;  ///< rows that failed validation
};

/// What a third-party request names (OCS cancel by phone or customer id).
struct RecordMatch {
  std::string phone_digits;    ///< rows whose contact_info holds these digits in this order (anything between)
  std::string customer_field;  ///< a custom column holding the customer id ("": match by phone)
  std::string customer_id;     ///< the customer id in that column
};

/// Ready records passing the list's filter that share a zone, a window and whether they are due.
struct ReadyGroup {
  std::string zone_key;          ///< tz_dbid (as decimal text) or the zone column's value
  int daily_from = 0;            ///< the records' window start, s after local midnight
  int daily_till = 86400;        ///< the records' window end
  bool scheduled_later = false;  ///< true: dial_sched_time lies after the instant asked about
  std::int64_t count = 0;        ///< records in the group
};

/// A calling list on one database connection. Not thread-safe: one owner.
class OB_API CallingList {
 public:
  virtual ~CallingList();

  /// Opens `table` on `connection` and checks its columns (one error lists every
  /// missing or mistyped column, or custom column names no quoting makes safe)
  /// and the filter (run once with LIMIT 0). Call recover() before dialing.
  static std::unique_ptr<CallingList> open(const std::string& connection,
                                           const ListOptions& options = {});
  /// Creates a table in the OCS shape (mandatory columns plus `custom_columns`,
  /// each "name TYPE"), with the retrieval indexes.
  static void create_table(const std::string& connection, const std::string& table,
                           const std::vector<std::string>& custom_columns = {});

  /// The options the list was opened with.
  virtual const ListOptions& options() const = 0;
  /// Names of the custom fields (columns beyond the mandatory ones).
  virtual const std::vector<std::string>& custom_fields() const = 0;
  /// "sqlite3" or "postgresql".
  virtual std::string backend() const = 0;

  /// Inserts records (record_id must be unique); all or none. A record that retrieval
  /// (or CSV import) would reject is refused with Error(invalid_argument) naming it.
  virtual void insert(const std::vector<Record>& records) = 0;
  /// Takes a chunk of dialable records, marks them retrieved, and leases them.
  virtual RetrieveResult retrieve(const RetrieveRequest& request) = 0;
  /// Writes back the mutable columns of retrieved records (status, result,
  /// attempt, times, type, agent, group, treatments); records no longer
  /// retrieved lose their lease. Records whose lease this engine lost are not
  /// written (see update_owned()). All or none.
  virtual void update(const std::vector<Record>& records) = 0;
  /// Writes `attempt` and `call_time` of records about to be dialed, so a
  /// crash after the dial still counts it. Records whose lease is lost are
  /// not written (see mark_dialing_owned()).
  virtual void mark_dialing(const std::vector<Record>& records) = 0;
  /// update(), returning the ids it did not write because this engine no
  /// longer holds their lease (it expired and another engine recovered or
  /// retrieved the record, whose row is left as the new owner has it).
  virtual std::vector<std::int64_t> update_owned(const std::vector<Record>& records) = 0;
  /// mark_dialing(), returning the ids it did not write because their lease is
  /// lost: the caller must not dial those.
  virtual std::vector<std::int64_t> mark_dialing_owned(const std::vector<Record>& records) = 0;
  /// Returns retrieved records this engine holds to ready without a dial (buffer flush, stop).
  virtual void release(const std::vector<std::int64_t>& record_ids) = 0;
  /// Extends this engine's leases to now + lease_s.
  virtual void renew_leases(EpochSeconds now) = 0;
  /// Returns to ready every retrieved record of another holder whose lease has
  /// expired by `now` or whose holder is gone (a list object closed in this
  /// process, a process on this machine that exited), and, on the first call,
  /// every retrieved record with no lease at all; returns how many. A live
  /// holder's lease is never taken. Campaigns call it at load.
  virtual std::size_t recover(EpochSeconds now) = 0;
  /// recover() without the scan for records with no lease: a running engine's
  /// check for crashed peers (its own leases stay).
  virtual std::size_t recover_expired(EpochSeconds now) = 0;
  /// Moves a scheduled record that nobody holds (status ready) to `at`, with a
  /// new record_type and agent_id; false when it is not ready any more.
  virtual bool reschedule(std::int64_t record_id, EpochSeconds at, RecordType type, const std::string& agent_id) = 0;
  /// Marks ready records whose zone is not in `known_zone_keys` as record
  /// errors; returns them.
  virtual std::vector<RowError> mark_unknown_zones(const std::vector<std::string>& known_zone_keys) = 0;
  /// Marks ready records whose dial_sched_time no query can compare (text or
  /// bytes in an SQLite integer column: such a row would never be due) as
  /// record errors; returns them. PostgreSQL's column types refuse such values.
  virtual std::vector<RowError> mark_malformed() = 0;
  /// What makes the list unfit to dial, read without writing anything: record types and statuses
  /// with no code, and windows of ready records outside 0..86400 or given in hours. One message per
  /// value, with its record count and a record_id; empty when the list is fit.
  virtual std::vector<std::string> load_problems() = 0;
  /// Zone keys of ready and retrieved records that are not in `known_zone_keys` (records with no
  /// zone key aside), each with how many records carry it. Reads only.
  virtual std::map<std::string, std::int64_t> unmapped_zone_counts(const std::vector<std::string>& known_zone_keys) = 0;
  /// Distinct zone keys (tz_dbid or zone column values) among the list's records.
  virtual std::vector<std::string> zone_keys() = 0;

  /// Number of records per record_status.
  virtual std::map<RecordStatus, std::int64_t> count_by_status() = 0;
  /// One record by id, or nullopt.
  virtual std::optional<Record> get(std::int64_t record_id) = 0;
  /// Every record, ordered by record_id (for exports, tests and reports).
  virtual std::vector<Record> all() = 0;
  /// Records of one chain, in chain_n order.
  virtual std::vector<Record> chain(int chain_id) = 0;
  /// Up to `limit` records with record_id > `after_record_id`, by record_id
  /// (INT64_MIN: from the first; SIZE_MAX: all), for streaming a large list without holding it in memory.
  virtual std::vector<Record> page(std::int64_t after_record_id, std::size_t limit) = 0;
  /// Which of `record_ids` are already in the table (ascending).
  virtual std::vector<std::int64_t> existing_ids(const std::vector<std::int64_t>& record_ids) = 0;

  /// Ready records passing the filter that `match` names (phone digits are a
  /// coarse filter: the caller compares numbers in E.164). Error(unsupported) by default.
  virtual std::vector<Record> find_ready(const RecordMatch& match);
  /// Cancels the records of `record_ids` that are still ready (record_status
  /// cancelled, nothing else changes); returns those it changed. Error(unsupported) by default.
  virtual std::vector<std::int64_t> cancel_ready(const std::vector<std::int64_t>& record_ids);
  /// Ready records passing the filter, counted by zone, window and whether
  /// their dial_sched_time lies after `now` (progress views). Error(unsupported) by default.
  virtual std::vector<ReadyGroup> ready_groups(EpochSeconds now);
};

/// True when `name` is a plain SQL identifier: [A-Za-z_][A-Za-z0-9_]*, at most 63 chars.
OB_API bool is_safe_identifier(const std::string& name) noexcept;
/// Throws Error(invalid_argument) unless `condition` is a safe filter over `columns`
/// (identifiers from `columns`, literals, comparisons, AND/OR/NOT, IN, IS NULL,
/// LIKE, BETWEEN, parentheses; no statements, comments, functions or subqueries).
OB_API void check_safe_condition(const std::string& condition, const std::vector<std::string>& columns);
/// Throws Error(invalid_argument) unless `order_by` is a list of `columns` each
/// optionally followed by ASC or DESC.
OB_API void check_safe_order(const std::string& order_by, const std::vector<std::string>& columns);

/// The mandatory OCS columns, in table order.
OB_API const std::vector<std::string>& mandatory_columns();

}  // namespace outbound
