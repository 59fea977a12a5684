// The calling-list store on SOCI: SQLite or PostgreSQL behind one class.
//
// Rows are read as text and validated in C++ (row_codec), so one malformed
// row becomes a clear per-record error instead of failing a chunk. Writes use
// each backend's fast path: prepared per-row statements inside one
// transaction on SQLite, array parameters with unnest() on PostgreSQL (SOCI's
// vector `use` costs ~80 µs a row there).
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "../storage/database.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"
#include "row_codec.hpp"
#include "schema.hpp"

namespace outbound {
namespace {

using detail::Database;
using detail::Dialect;
using detail::TextRow;

constexpr std::size_t kFetchBatch = 1000;
constexpr std::size_t kInListChunk = 500;

// Reads every row of `query` (whose select list has `ncols` columns) as text.
std::vector<TextRow> fetch_text_rows(Database& db, const std::string& query, std::size_t ncols) {
  std::vector<std::vector<std::string>> cols(ncols);
  std::vector<std::vector<soci::indicator>> inds(ncols);
  auto reset = [&] {
    for (std::size_t k = 0; k < ncols; ++k) {
      cols[k].assign(kFetchBatch, std::string());
      inds[k].assign(kFetchBatch, soci::i_ok);
    }
  };
  reset();
  soci::statement st(*db.sql);
  for (std::size_t k = 0; k < ncols; ++k) st.exchange(soci::into(cols[k], inds[k]));
  st.alloc();
  st.prepare(query);
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

// A zone key as an SQL literal: an integer tz_dbid, or a quoted IANA name.
std::string zone_literal(const std::string& key, bool zone_is_text) {
  if (zone_is_text) {
    bool ok = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/' || c == '-' || c == '+';
    });
    if (!ok) throw Error(ErrorCode::invalid_argument, "zone name \"" + key + "\" has unexpected characters");
    return "'" + key + "'";
  }
  auto v = detail::parse_integer(key);
  if (!v) throw Error(ErrorCode::invalid_argument, "tz_dbid key \"" + key + "\" is not an integer");
  return std::to_string(*v);
}

std::string window_clause(const std::string& zone_expr, bool zone_is_text, const ZoneNow& z) {
  std::string s = std::to_string(z.local_second);
  // daily_from == daily_till means the record sets no window of its own;
  // from > till is a window that wraps past midnight.
  return "(" + zone_expr + " = " + zone_literal(z.key, zone_is_text) +
         " AND (daily_from = daily_till OR (daily_from < daily_till AND daily_from <= " + s + " AND " + s +
         " < daily_till) OR (daily_from > daily_till AND (" + s + " >= daily_from OR " + s + " < daily_till))))";
}

class SqlCallingList final : public CallingList {
 public:
  SqlCallingList(Database db, ListOptions options) : db_(std::move(db)), opt_(std::move(options)) {
    const std::string& t = opt_.table;
    if (!detail::table_exists(db_, t)) {
      if (!opt_.create_if_missing) throw Error(ErrorCode::not_found, "calling list table \"" + t + "\" does not exist");
      detail::create_list_table(db_, t, {});
    }
    custom_ = detail::check_list_columns(db_, t);
    custom_types_ = detail::custom_column_types(db_, t, custom_);
    detail::create_lease_table(db_, t);
    if (opt_.create_indexes) detail::create_list_indexes(db_, t);
    check_options();
    build_select_list();
  }

  const ListOptions& options() const override { return opt_; }
  const std::vector<std::string>& custom_fields() const override { return custom_; }
  std::string backend() const override { return db_.dialect == Dialect::sqlite ? "sqlite3" : "postgresql"; }

  void insert(const std::vector<Record>& records) override {
    if (records.empty()) return;
    detail::in_transaction(db_, "insert into " + opt_.table, [&] {
      if (db_.dialect == Dialect::sqlite)
        insert_sqlite(records);
      else
        insert_postgresql(records);
    });
  }

  RetrieveResult retrieve(const RetrieveRequest& rq) override {
    if (rq.max_records == 0) return {};
    return detail::in_transaction(db_, "retrieve from " + opt_.table, [&] { return retrieve_locked(rq); });
  }

  void update(const std::vector<Record>& records) override {
    if (records.empty()) return;
    detail::in_transaction(db_, "update " + opt_.table, [&] {
      write_records(records, /*dialing=*/false);
      std::vector<long long> done;
      for (const auto& r : records)
        if (r.record_status != RecordStatus::retrieved) done.push_back(r.record_id);
      delete_leases(done);
    });
  }

  void mark_dialing(const std::vector<Record>& records) override {
    if (records.empty()) return;
    detail::in_transaction(db_, "record dial attempts in " + opt_.table,
                           [&] { write_records(records, /*dialing=*/true); });
  }

  void release(const std::vector<std::int64_t>& ids) override {
    if (ids.empty()) return;
    std::vector<long long> v(ids.begin(), ids.end());
    detail::in_transaction(db_, "release records of " + opt_.table, [&] {
      for_each_in_chunk(v, [&](const std::string& in) {
        *db_.sql << "UPDATE " + opt_.table + " SET record_status = 1 WHERE record_status = 2 AND record_id IN (" + in +
                        ") AND record_id IN (SELECT record_id FROM " + lease_table() + " WHERE engine_id = :e)",
            soci::use(opt_.engine_id);
      });
      delete_leases(v);
    });
  }

  void renew_leases(EpochSeconds now) override {
    long long expires = now + opt_.lease_s;
    detail::guarded("renew leases on " + opt_.table, [&] {
      *db_.sql << "UPDATE " + lease_table() + " SET expires_at = :x WHERE engine_id = :e", soci::use(expires),
          soci::use(opt_.engine_id);
    });
  }

  std::size_t recover(EpochSeconds now) override {
    long long now_ll = now;
    return detail::in_transaction(db_, "recover retrieved records of " + opt_.table, [&] {
      const std::string& t = opt_.table;
      const std::string lt = lease_table();
      soci::statement st = (db_.sql->prepare << "UPDATE " + t + " SET record_status = 1 WHERE record_status = 2 AND (record_id IN (SELECT record_id FROM " + lt +
                                                    " WHERE engine_id = :e OR expires_at <= :n) OR record_id NOT IN (SELECT record_id FROM " + lt + "))",
                            soci::use(opt_.engine_id), soci::use(now_ll));
      st.execute(true);
      auto n = static_cast<std::size_t>(st.get_affected_rows());
      *db_.sql << "DELETE FROM " + lt + " WHERE engine_id = :e OR expires_at <= :n", soci::use(opt_.engine_id),
          soci::use(now_ll);
      return n;
    });
  }

  std::vector<RowError> mark_unknown_zones(const std::vector<std::string>& known) override {
    std::string cond = zone_expr_ + " IS NULL";
    if (!known.empty()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ",") + quoted_zone_key(k);
      cond += " OR " + zone_expr_ + " NOT IN (" + list + ")";
    }
    return detail::in_transaction(db_, "mark records with unknown zones in " + opt_.table, [&] {
      std::vector<long long> ids;
      std::vector<RowError> errors;
      std::vector<std::optional<std::string>> keys;
      std::string q = "SELECT record_id, CAST(" + zone_expr_ + " AS TEXT) FROM " + opt_.table +
                      " WHERE record_status = 1 AND (" + cond + ")";
      for (auto& row : fetch_text_rows(db_, q, 2)) {
        auto id = row[0] ? detail::parse_integer(*row[0]) : std::nullopt;
        if (!id) continue;
        ids.push_back(*id);
        errors.push_back({*id, (opt_.zone_column.empty() ? "tz_dbid " : opt_.zone_column + " ") +
                                   (row[1] ? "\"" + *row[1] + "\"" : std::string("NULL")) +
                                   " names no configured time zone"});
      }
      mark_errors(ids);
      return errors;
    });
  }

  std::vector<std::string> zone_keys() override {
    return detail::guarded("read zones of " + opt_.table, [&] {
      std::vector<std::string> out;
      for (auto& row : fetch_text_rows(db_, "SELECT DISTINCT CAST(" + zone_expr_ + " AS TEXT) FROM " + opt_.table, 1))
        if (row[0]) out.push_back(*row[0]);
      return out;
    });
  }

  std::map<RecordStatus, std::int64_t> count_by_status() override {
    return detail::guarded("count records of " + opt_.table, [&] {
      std::map<RecordStatus, std::int64_t> out;
      for (auto& row : fetch_text_rows(db_, "SELECT CAST(record_status AS TEXT), CAST(COUNT(*) AS TEXT) FROM " +
                                                opt_.table + " GROUP BY record_status", 2)) {
        auto status = row[0] ? detail::parse_integer(*row[0]) : std::nullopt;
        auto count = row[1] ? detail::parse_integer(*row[1]) : std::nullopt;
        if (status && count) out[static_cast<RecordStatus>(*status)] += *count;
      }
      return out;
    });
  }

  std::optional<Record> get(std::int64_t id) override {
    auto records = select_records("record_id = " + std::to_string(id), "record_id");
    if (records.empty()) return std::nullopt;
    return records.front();
  }

  std::vector<Record> all() override { return select_records("1 = 1", "record_id"); }

  std::vector<Record> chain(int chain_id) override {
    return select_records("chain_id = " + std::to_string(chain_id), "chain_n, record_id");
  }

 private:
  std::string lease_table() const { return opt_.table + "_lease"; }

  void check_options() {
    if (!is_safe_identifier(opt_.table) || opt_.table.size() > 57)
      throw Error(ErrorCode::invalid_argument, "table name \"" + opt_.table + "\" is not a plain SQL identifier of at most 57 characters");
    if (opt_.engine_id.empty() || opt_.engine_id.size() > 64)
      throw Error(ErrorCode::invalid_argument, "engine_id must be 1 to 64 characters");
    if (opt_.lease_s <= 0) throw Error(ErrorCode::invalid_argument, "lease_s must be positive");
    std::vector<std::string> columns = mandatory_columns();
    columns.insert(columns.end(), custom_.begin(), custom_.end());
    if (!opt_.filter.empty()) check_safe_condition(opt_.filter, columns);
    if (!opt_.order_by.empty()) check_safe_order(opt_.order_by, columns);
    if (!opt_.zone_column.empty()) {
      if (std::find(custom_.begin(), custom_.end(), opt_.zone_column) == custom_.end())
        throw Error(ErrorCode::invalid_argument, "zone column \"" + opt_.zone_column + "\" is not a custom field of " + opt_.table);
      zone_expr_ = opt_.zone_column;
    }
    for (const auto& [type, prio] : opt_.record_type_priority)
      if (!is_valid_record_type(type))
        throw Error(ErrorCode::invalid_argument, "record_type_priority names unknown record type " + std::to_string(type));
  }

  void build_select_list() {
    select_list_.clear();
    for (const auto& c : mandatory_columns()) select_list_ += (select_list_.empty() ? "" : ", ") + ("CAST(" + c + " AS TEXT)");
    for (const auto& c : custom_) select_list_ += ", CAST(" + c + " AS TEXT)";
    ncols_ = mandatory_columns().size() + custom_.size();
  }

  std::string quoted_zone_key(const std::string& key) const { return zone_literal(key, !opt_.zone_column.empty()); }

  std::string priority_order() const {
    if (opt_.record_type_priority.empty()) return "dial_sched_time, record_id";
    std::string s = "CASE record_type";
    for (const auto& [type, prio] : opt_.record_type_priority)
      s += " WHEN " + std::to_string(type) + " THEN " + std::to_string(prio);
    return s + " ELSE 1000000 END, dial_sched_time, record_id";
  }

  std::string base_condition(const RetrieveRequest& rq) const {
    std::string cond = "record_status = 1";
    if (!opt_.filter.empty()) cond += " AND (" + opt_.filter + ")";
    if (rq.check_windows) {
      std::string windows;
      for (const auto& z : rq.zones)
        windows += (windows.empty() ? "" : " OR ") + window_clause(zone_expr_, !opt_.zone_column.empty(), z);
      cond += " AND (" + (windows.empty() ? std::string("1 = 0") : windows) + ")";
    }
    return cond;
  }

  std::string lock_suffix() const { return db_.dialect == Dialect::postgresql ? " FOR UPDATE SKIP LOCKED" : ""; }

  std::vector<TextRow> fetch_due_rows(const RetrieveRequest& rq) {
    const std::string base = base_condition(rq);
    const std::string from = "SELECT " + select_list_ + " FROM " + opt_.table + " WHERE " + base;
    auto rows = fetch_text_rows(db_, from + " AND dial_sched_time IS NOT NULL AND dial_sched_time <= " +
                                         std::to_string(rq.now) + " ORDER BY " + priority_order() + " LIMIT " +
                                         std::to_string(rq.max_records) + lock_suffix(), ncols_);
    if (rows.size() < rq.max_records) {
      std::string order = opt_.order_by.empty() ? "chain_id, chain_n" : opt_.order_by;
      auto fresh = fetch_text_rows(db_, from + " AND dial_sched_time IS NULL ORDER BY " + order + " LIMIT " +
                                            std::to_string(rq.max_records - rows.size()) + lock_suffix(), ncols_);
      std::move(fresh.begin(), fresh.end(), std::back_inserter(rows));
    }
    return rows;
  }

  // Ready records that share a chain with the retrieved ones come along.
  std::vector<TextRow> fetch_chain_siblings(const std::vector<Record>& records) {
    std::vector<long long> chains, ids;
    std::set<int> seen;
    for (const auto& r : records) {
      ids.push_back(r.record_id);
      if (seen.insert(r.chain_id).second) chains.push_back(r.chain_id);
    }
    std::vector<TextRow> rows;
    for (std::size_t i = 0; i < chains.size(); i += kInListChunk) {
      std::string q = "SELECT " + select_list_ + " FROM " + opt_.table + " WHERE record_status = 1 AND chain_id IN (" +
                      detail::int_list(chains, i, kInListChunk) + ")";
      auto part = fetch_text_rows(db_, q + lock_suffix(), ncols_);
      std::move(part.begin(), part.end(), std::back_inserter(rows));
    }
    std::set<long long> have(ids.begin(), ids.end());
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const TextRow& r) { return have.count(detail::row_record_id(r)) != 0; }),
               rows.end());
    return rows;
  }

  void decode_into(std::vector<TextRow>& rows, std::vector<Record>& records, RetrieveResult& result,
                   std::vector<long long>& bad_ids) {
    for (auto& row : rows) {
      auto decoded = detail::decode_row(row, custom_);
      if (decoded.error.empty()) {
        records.push_back(std::move(decoded.record));
      } else {
        std::int64_t id = detail::row_record_id(row);
        result.errors.push_back({id, "record " + std::to_string(id) + ": " + decoded.error});
        if (id != 0) bad_ids.push_back(id);
      }
    }
  }

  RetrieveResult retrieve_locked(const RetrieveRequest& rq) {
    RetrieveResult result;
    std::vector<Record> records;
    std::vector<long long> bad_ids;
    auto rows = fetch_due_rows(rq);
    decode_into(rows, records, result, bad_ids);
    auto siblings = fetch_chain_siblings(records);
    decode_into(siblings, records, result, bad_ids);
    mark_errors(bad_ids);

    std::vector<long long> ids;
    for (auto& r : records) {
      r.record_status = RecordStatus::retrieved;
      ids.push_back(r.record_id);
    }
    for_each_in_chunk(ids, [&](const std::string& in) {
      *db_.sql << "UPDATE " + opt_.table + " SET record_status = 2 WHERE record_id IN (" + in + ")";
    });
    insert_leases(ids, rq.now + opt_.lease_s);
    result.records = group_chains(std::move(records));
    return result;
  }

  // Chains stay together in first-seen order; each chain in chain_n order.
  static std::vector<Record> group_chains(std::vector<Record> records) {
    std::unordered_map<int, std::size_t> first_seen;
    for (std::size_t i = 0; i < records.size(); ++i) first_seen.emplace(records[i].chain_id, i);
    std::stable_sort(records.begin(), records.end(), [&](const Record& a, const Record& b) {
      auto fa = first_seen[a.chain_id], fb = first_seen[b.chain_id];
      if (fa != fb) return fa < fb;
      return a.chain_n < b.chain_n;
    });
    return records;
  }

  void mark_errors(const std::vector<long long>& ids) {
    for_each_in_chunk(ids, [&](const std::string& in) {
      *db_.sql << "UPDATE " + opt_.table + " SET record_status = 3, call_result = 41 WHERE record_id IN (" + in + ")";
    });
  }

  template <typename Fn>
  void for_each_in_chunk(const std::vector<long long>& ids, Fn&& fn) {
    for (std::size_t i = 0; i < ids.size(); i += kInListChunk) fn(detail::int_list(ids, i, kInListChunk));
  }

  void insert_leases(const std::vector<long long>& ids, long long expires) {
    if (ids.empty()) return;
    const std::string lt = lease_table();
    if (db_.dialect == Dialect::postgresql) {
      std::string arr = detail::pg_int_array(ids);
      *db_.sql << "INSERT INTO " + lt + " (record_id, engine_id, expires_at) SELECT id, :e, :x FROM unnest(CAST(:ids AS bigint[])) AS u(id) "
                  "ON CONFLICT (record_id) DO UPDATE SET engine_id = excluded.engine_id, expires_at = excluded.expires_at",
          soci::use(opt_.engine_id), soci::use(expires), soci::use(arr);
      return;
    }
    long long id = 0;
    soci::statement st = (db_.sql->prepare << "INSERT OR REPLACE INTO " + lt + " (record_id, engine_id, expires_at) VALUES (:id, :e, :x)",
                          soci::use(id), soci::use(opt_.engine_id), soci::use(expires));
    for (long long v : ids) {
      id = v;
      st.execute(true);
    }
  }

  void delete_leases(const std::vector<long long>& ids) {
    for_each_in_chunk(ids, [&](const std::string& in) {
      *db_.sql << "DELETE FROM " + lease_table() + " WHERE record_id IN (" + in + ")";
    });
  }

  // Writes the mutable columns of records this engine holds a lease on; a record
  // whose lease was lost (taken over after expiry) is left as the new owner has it.
  void write_records(const std::vector<Record>& records, bool dialing) {
    if (db_.dialect == Dialect::postgresql)
      write_records_postgresql(records, dialing);
    else
      write_records_sqlite(records, dialing);
  }

  void write_records_sqlite(const std::vector<Record>& records, bool dialing) {
    long long id = 0, attempt = 0, call_time = 0, sched = 0;
    int type = 0, status = 0, result = 0;
    std::string agent, treatments;
    soci::indicator call_ind = soci::i_ok, sched_ind = soci::i_ok;
    const std::string owned = " AND record_id IN (SELECT record_id FROM " + lease_table() + " WHERE engine_id = :e)";
    soci::statement st =
        dialing ? (db_.sql->prepare << "UPDATE " + opt_.table + " SET attempt = :a, call_time = :ct WHERE record_id = :id" + owned,
                   soci::use(attempt), soci::use(call_time, call_ind), soci::use(id), soci::use(opt_.engine_id))
                : (db_.sql->prepare << "UPDATE " + opt_.table +
                                           " SET record_type = :rt, record_status = :rs, call_result = :cr, attempt = :a, "
                                           "dial_sched_time = :ds, call_time = :ct, agent_id = :ag, treatments = :tr WHERE record_id = :id" + owned,
                   soci::use(type), soci::use(status), soci::use(result), soci::use(attempt), soci::use(sched, sched_ind),
                   soci::use(call_time, call_ind), soci::use(agent), soci::use(treatments), soci::use(id), soci::use(opt_.engine_id));
    for (const auto& r : records) {
      id = r.record_id;
      attempt = r.attempt;
      call_time = r.call_time.value_or(0);
      call_ind = r.call_time ? soci::i_ok : soci::i_null;
      sched = r.dial_sched_time.value_or(0);
      sched_ind = r.dial_sched_time ? soci::i_ok : soci::i_null;
      type = static_cast<int>(r.record_type);
      status = static_cast<int>(r.record_status);
      result = static_cast<int>(r.call_result);
      agent = r.agent_id;
      treatments = r.treatments;
      st.execute(true);
    }
  }

  void write_records_postgresql(const std::vector<Record>& records, bool dialing) {
    std::vector<long long> ids, attempts, types, statuses, results;
    std::vector<std::optional<long long>> call_times, scheds;
    std::vector<std::string> agents, treatments;
    for (const auto& r : records) {
      ids.push_back(r.record_id);
      attempts.push_back(r.attempt);
      types.push_back(static_cast<int>(r.record_type));
      statuses.push_back(static_cast<int>(r.record_status));
      results.push_back(static_cast<int>(r.call_result));
      call_times.push_back(r.call_time);
      scheds.push_back(r.dial_sched_time);
      agents.push_back(r.agent_id);
      treatments.push_back(r.treatments);
    }
    std::string a_ids = detail::pg_int_array(ids), a_att = detail::pg_int_array(attempts),
                a_ct = detail::pg_opt_int_array(call_times);
    const std::string owned = " AND t.record_id IN (SELECT record_id FROM " + lease_table() + " WHERE engine_id = :e)";
    if (dialing) {
      *db_.sql << "UPDATE " + opt_.table + " AS t SET attempt = u.a, call_time = u.ct FROM unnest(CAST(:ids AS bigint[]), "
                  "CAST(:a AS int[]), CAST(:ct AS bigint[])) AS u(id, a, ct) WHERE t.record_id = u.id" + owned,
          soci::use(a_ids), soci::use(a_att), soci::use(a_ct), soci::use(opt_.engine_id);
      return;
    }
    std::string a_rt = detail::pg_int_array(types), a_rs = detail::pg_int_array(statuses),
                a_cr = detail::pg_int_array(results), a_ds = detail::pg_opt_int_array(scheds),
                a_ag = detail::pg_text_array(agents), a_tr = detail::pg_text_array(treatments);
    *db_.sql << "UPDATE " + opt_.table + " AS t SET record_type = u.rt, record_status = u.rs, call_result = u.cr, attempt = u.a, "
                "dial_sched_time = u.ds, call_time = u.ct, agent_id = u.ag, treatments = u.tr FROM unnest(CAST(:ids AS bigint[]), "
                "CAST(:rt AS int[]), CAST(:rs AS int[]), CAST(:cr AS int[]), CAST(:a AS int[]), CAST(:ds AS bigint[]), "
                "CAST(:ct AS bigint[]), CAST(:ag AS text[]), CAST(:tr AS text[])) AS u(id, rt, rs, cr, a, ds, ct, ag, tr) "
                "WHERE t.record_id = u.id" + owned,
        soci::use(a_ids), soci::use(a_rt), soci::use(a_rs), soci::use(a_cr), soci::use(a_att), soci::use(a_ds),
        soci::use(a_ct), soci::use(a_ag), soci::use(a_tr), soci::use(opt_.engine_id);
  }

  std::string insert_column_list() const {
    std::string cols;
    for (const auto& c : mandatory_columns()) cols += (cols.empty() ? "" : ", ") + c;
    for (const auto& c : custom_) cols += ", " + c;
    return cols;
  }

  void insert_sqlite(const std::vector<Record>& records) {
    // Every value is bound as text with an indicator; SQLite's column affinity
    // stores integers as integers.
    const std::size_t n = ncols_;
    std::vector<std::string> values(n);
    std::vector<soci::indicator> inds(n, soci::i_ok);
    std::string placeholders;
    for (std::size_t k = 0; k < n; ++k) placeholders += (k ? ", :v" : ":v") + std::to_string(k);
    soci::statement st(*db_.sql);
    for (std::size_t k = 0; k < n; ++k) st.exchange(soci::use(values[k], inds[k]));
    st.alloc();
    st.prepare("INSERT INTO " + opt_.table + " (" + insert_column_list() + ") VALUES (" + placeholders + ")");
    st.define_and_bind();
    for (const auto& r : records) {
      encode_row(r, values, inds);
      st.execute(true);
    }
  }

  void insert_postgresql(const std::vector<Record>& records) {
    const std::size_t n = ncols_;
    std::vector<std::vector<std::string>> cols(n);
    std::vector<std::vector<bool>> nulls(n);
    std::vector<std::string> values(n);
    std::vector<soci::indicator> inds(n);
    for (const auto& r : records) {
      encode_row(r, values, inds);
      for (std::size_t k = 0; k < n; ++k) {
        cols[k].push_back(values[k]);
        nulls[k].push_back(inds[k] == soci::i_null);
      }
    }
    std::vector<std::string> arrays(n);
    std::string unnest, casts;
    for (std::size_t k = 0; k < n; ++k) {
      arrays[k] = detail::pg_text_array(cols[k], &nulls[k]);
      unnest += (k ? ", " : "") + ("CAST(:a" + std::to_string(k) + " AS text[])");
      casts += (k ? ", " : "") + ("CAST(c" + std::to_string(k) + " AS " + column_type(k) + ")");
    }
    std::string aliases;
    for (std::size_t k = 0; k < n; ++k) aliases += (k ? ", c" : "c") + std::to_string(k);
    soci::statement st(*db_.sql);
    for (std::size_t k = 0; k < n; ++k) st.exchange(soci::use(arrays[k]));
    st.alloc();
    st.prepare("INSERT INTO " + opt_.table + " (" + insert_column_list() + ") SELECT " + casts + " FROM unnest(" + unnest +
               ") AS u(" + aliases + ")");
    st.define_and_bind();
    st.execute(true);
  }

  std::string column_type(std::size_t k) const {
    const auto& mandatory = mandatory_columns();
    if (k < mandatory.size()) {
      const auto& c = mandatory[k];
      if (detail::is_text_column(c)) return "text";
      return (c == "record_id" || c == "dial_sched_time" || c == "call_time") ? "bigint" : "integer";
    }
    return custom_types_[k - mandatory.size()];
  }

  void encode_row(const Record& r, std::vector<std::string>& v, std::vector<soci::indicator>& ind) const {
    auto set = [&](std::size_t k, std::string s) {
      v[k] = std::move(s);
      ind[k] = soci::i_ok;
    };
    auto set_opt = [&](std::size_t k, const std::optional<EpochSeconds>& x) {
      v[k] = x ? std::to_string(*x) : std::string();
      ind[k] = x ? soci::i_ok : soci::i_null;
    };
    std::size_t k = 0;
    set(k++, std::to_string(r.record_id));
    set(k++, r.contact_info);
    set(k++, std::to_string(static_cast<int>(r.contact_info_type)));
    set(k++, std::to_string(static_cast<int>(r.record_type)));
    set(k++, std::to_string(static_cast<int>(r.record_status)));
    set(k++, std::to_string(static_cast<int>(r.call_result)));
    set(k++, std::to_string(r.attempt));
    set_opt(k++, r.dial_sched_time);
    set_opt(k++, r.call_time);
    for (int x : {r.daily_from, r.daily_till, r.tz_dbid, r.campaign_id}) set(k++, std::to_string(x));
    set(k++, r.agent_id);
    for (int x : {r.chain_id, r.chain_n, r.group_id, r.app_id, r.media_ref, r.email_template_id, r.switch_id})
      set(k++, std::to_string(x));
    set(k++, r.treatments);
    set(k++, r.email_subject);
    for (const auto& name : custom_) {
      auto it = r.custom.find(name);
      v[k] = it == r.custom.end() ? std::string() : it->second;
      ind[k] = it == r.custom.end() ? soci::i_null : soci::i_ok;
      ++k;
    }
  }

  std::vector<Record> select_records(const std::string& where, const std::string& order) {
    return detail::guarded("read records of " + opt_.table, [&] {
      std::vector<Record> out;
      auto rows = fetch_text_rows(db_, "SELECT " + select_list_ + " FROM " + opt_.table + " WHERE " + where + " ORDER BY " + order, ncols_);
      // Every row is returned, malformed or not: reports and exports must see them all.
      for (auto& row : rows) out.push_back(detail::decode_row(row, custom_).record);
      return out;
    });
  }

  Database db_;
  ListOptions opt_;
  std::vector<std::string> custom_;
  std::vector<std::string> custom_types_;
  std::string select_list_;
  std::size_t ncols_ = 0;
  std::string zone_expr_ = "tz_dbid";
};

}  // namespace

CallingList::~CallingList() = default;

std::unique_ptr<CallingList> CallingList::open(const std::string& connection, const ListOptions& options) {
  auto db = detail::connect_database(connection);
  return detail::guarded("open calling list " + options.table, [&] {
    return std::unique_ptr<CallingList>(std::make_unique<SqlCallingList>(std::move(db), options));
  });
}

void CallingList::create_table(const std::string& connection, const std::string& table,
                               const std::vector<std::string>& custom_columns) {
  auto db = detail::connect_database(connection);
  detail::create_list_table(db, table, custom_columns);
}

}  // namespace outbound
