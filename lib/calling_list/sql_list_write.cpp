// The calling-list store on SOCI: writes (inserts, write-back, leases, recovery).
//
// Each backend gets its fast path: on SQLite, prepared per-row statements
// inside one transaction (a few µs a row); on PostgreSQL, one statement per
// batch with array parameters expanded by unnest(), because SOCI 4.0's vector
// `use` sends one round trip per row there (~80 µs a row).
#include <algorithm>
#include <set>
#include <unordered_map>

#include "outbound/error.hpp"
#include "row_codec.hpp"
#include "schema.hpp"
#include "sql_list.hpp"

namespace outbound::detail {
namespace {

constexpr std::size_t kInListChunk = 500;

// The last write of each record wins when a batch names a record twice.
std::vector<Record> last_write_per_record(const std::vector<Record>& records) {
  std::unordered_map<std::int64_t, std::size_t> last;
  for (std::size_t i = 0; i < records.size(); ++i) last[records[i].record_id] = i;
  std::vector<Record> out;
  out.reserve(last.size());
  for (std::size_t i = 0; i < records.size(); ++i)
    if (last[records[i].record_id] == i) out.push_back(records[i]);
  return out;
}

std::string with_ids(const std::string& sql, const std::string& predicate) {
  std::string q = sql;
  auto pos = q.find("{ids}");
  if (pos != std::string::npos) q.replace(pos, 5, predicate);
  return q;
}

}  // namespace

// --- helpers over id sets -----------------------------------------------------

long long SqlCallingList::exec_for_ids(const std::string& sql, const std::vector<long long>& ids, const Binder& bind) {
  if (ids.empty()) return 0;
  if (pg()) {
    std::string arr = pg_int_array(ids);
    return execute_count(db_, with_ids(sql, "= ANY(CAST(:ids AS bigint[]))"), [&](soci::statement& st) {
      if (bind) bind(st);
      st.exchange(soci::use(arr, "ids"));
    });
  }
  long long n = 0;
  for (std::size_t i = 0; i < ids.size(); i += kInListChunk)
    n += execute_count(db_, with_ids(sql, "IN (" + int_list(ids, i, kInListChunk) + ")"), bind);
  return n;
}

std::vector<long long> SqlCallingList::query_ids(const std::string& sql, const std::vector<long long>& ids,
                                                 const Binder& bind) {
  std::vector<long long> out;
  auto collect = [&](const std::vector<TextRow>& rows) {
    for (const auto& r : rows)
      if (r[0])
        if (auto v = parse_integer(*r[0])) out.push_back(*v);
  };
  if (ids.empty()) return out;
  if (pg()) {
    std::string arr = pg_int_array(ids);
    collect(fetch_text_rows(db_, with_ids(sql, "= ANY(CAST(:ids AS bigint[]))"), 1, [&](soci::statement& st) {
      if (bind) bind(st);
      st.exchange(soci::use(arr, "ids"));
    }));
    return out;
  }
  for (std::size_t i = 0; i < ids.size(); i += kInListChunk)
    collect(fetch_text_rows(db_, with_ids(sql, "IN (" + int_list(ids, i, kInListChunk) + ")"), 1, bind));
  return out;
}

// Which of `ids` this handle holds a lease on. On PostgreSQL the lease rows are
// locked until commit, so a concurrent recover() by another engine waits
// instead of handing the records out while we write them.
std::vector<long long> SqlCallingList::owned_ids(const std::vector<long long>& ids) {
  return query_ids("SELECT CAST(record_id AS TEXT) FROM " + lease_table() + " WHERE holder = :h AND record_id {ids}" +
                       (pg() ? " FOR UPDATE" : ""),
                   ids, [&](soci::statement& st) { st.exchange(soci::use(holder_.token(), "h")); });
}

void SqlCallingList::delete_own_leases(const std::vector<long long>& ids) {
  exec_for_ids("DELETE FROM " + lease_table() + " WHERE holder = :h AND record_id {ids}", ids,
               [&](soci::statement& st) { st.exchange(soci::use(holder_.token(), "h")); });
}

// --- retrieval's writes ---------------------------------------------------------

void SqlCallingList::mark_retrieved(const std::vector<long long>& ids, long long expires) {
  if (ids.empty()) return;
  const std::string lt = lease_table();
  if (pg()) {
    // One round trip: the status change feeds the lease rows.
    std::string arr = pg_int_array(ids);
    execute_count(db_,
                  "WITH held AS (UPDATE " + opt_.table + " SET record_status = 2 WHERE record_id = ANY(CAST(:ids AS bigint[])) "
                  "RETURNING record_id) INSERT INTO " + lt + " (record_id, engine_id, expires_at, holder) "
                  "SELECT record_id, :e, :x, :h FROM held "
                  "ON CONFLICT (record_id) DO UPDATE SET engine_id = excluded.engine_id, expires_at = excluded.expires_at, "
                  "holder = excluded.holder",
                  [&](soci::statement& st) {
                    st.exchange(soci::use(arr, "ids"));
                    st.exchange(soci::use(opt_.engine_id, "e"));
                    st.exchange(soci::use(expires, "x"));
                    st.exchange(soci::use(holder_.token(), "h"));
                  });
    return;
  }
  exec_for_ids("UPDATE " + opt_.table + " SET record_status = 2 WHERE record_id {ids}", ids);
  long long id = 0;
  soci::statement st = (db_.sql->prepare << "INSERT OR REPLACE INTO " + lt +
                                                " (record_id, engine_id, expires_at, holder) VALUES (:id, :e, :x, :h)",
                        soci::use(id), soci::use(opt_.engine_id), soci::use(expires), soci::use(holder_.token()));
  for (long long v : ids) {
    id = v;
    st.execute(true);
  }
}

void SqlCallingList::mark_errors(const std::vector<long long>& ids) {
  exec_for_ids("UPDATE " + opt_.table + " SET record_status = 3, call_result = 41 WHERE record_id {ids}", ids);
}

// A row whose record_id is NULL or not an integer (SQLite keeps text in an
// integer column) cannot be named by id: it is marked by the value it has.
void SqlCallingList::mark_errors_by_key(const std::vector<std::optional<std::string>>& keys) {
  const std::string head = "UPDATE " + opt_.table + " SET record_status = 3, call_result = 41 WHERE record_status = 1 AND ";
  bool null_done = false;
  for (const auto& key : keys) {
    if (!key) {
      if (!null_done) execute_count(db_, head + "record_id IS NULL");
      null_done = true;
      continue;
    }
    std::string value = *key;
    execute_count(db_, head + "CAST(record_id AS TEXT) = :v", [&](soci::statement& st) { st.exchange(soci::use(value, "v")); });
  }
}

// --- write-back ------------------------------------------------------------------

std::vector<std::int64_t> SqlCallingList::update_owned(const std::vector<Record>& records) {
  if (records.empty()) return {};
  return in_transaction(db_, "update " + opt_.table, [&] { return write_owned(records, /*dialing=*/false); });
}

std::vector<std::int64_t> SqlCallingList::mark_dialing_owned(const std::vector<Record>& records) {
  if (records.empty()) return {};
  return in_transaction(db_, "record dial attempts in " + opt_.table,
                        [&] { return write_owned(records, /*dialing=*/true); });
}

// Writes the records this engine still holds a lease on and returns the ids of
// the others. After a final write (status no longer retrieved) the lease goes.
std::vector<std::int64_t> SqlCallingList::write_owned(const std::vector<Record>& records, bool dialing) {
  auto unique = last_write_per_record(records);
  std::vector<long long> ids;
  for (const auto& r : unique) ids.push_back(r.record_id);
  auto owned_list = owned_ids(ids);
  std::set<long long> owned(owned_list.begin(), owned_list.end());
  std::vector<Record> mine;
  std::vector<std::int64_t> lost;
  std::vector<long long> done;
  for (auto& r : unique) {
    if (!owned.count(r.record_id)) {
      lost.push_back(r.record_id);
      continue;
    }
    if (!dialing && r.record_status != RecordStatus::retrieved) done.push_back(r.record_id);
    mine.push_back(std::move(r));
  }
  if (pg()) {
    if (!mine.empty()) write_records_postgresql(mine, dialing, done);
  } else {
    if (!mine.empty()) write_records_sqlite(mine, dialing, lost);
    delete_own_leases(done);
  }
  return lost;
}

void SqlCallingList::write_records_sqlite(const std::vector<Record>& records, bool dialing,
                                          std::vector<std::int64_t>& lost) {
  long long id = 0, attempt = 0, call_time = 0, sched = 0;
  int type = 0, status = 0, result = 0, group = 0;
  std::string agent, treatments;
  soci::indicator call_ind = soci::i_ok, sched_ind = soci::i_ok;
  const std::string& t = opt_.table;
  soci::statement st =
      dialing ? (db_.sql->prepare << "UPDATE " + t + " SET attempt = :a, call_time = :ct WHERE record_id = :id",
                 soci::use(attempt), soci::use(call_time, call_ind), soci::use(id))
              : (db_.sql->prepare << "UPDATE " + t +
                                         " SET record_type = :rt, record_status = :rs, call_result = :cr, attempt = :a, "
                                         "dial_sched_time = :ds, call_time = :ct, agent_id = :ag, group_id = :g, "
                                         "treatments = :tr WHERE record_id = :id",
                 soci::use(type), soci::use(status), soci::use(result), soci::use(attempt), soci::use(sched, sched_ind),
                 soci::use(call_time, call_ind), soci::use(agent), soci::use(group), soci::use(treatments),
                 soci::use(id));
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
    group = r.group_id;
    treatments = r.treatments;
    st.execute(true);
    if (st.get_affected_rows() == 0) lost.push_back(r.record_id);  // the row itself is gone
  }
}

// One statement per batch; a final write also drops the finished records'
// leases in the same statement (their rows were locked by owned_ids()).
void SqlCallingList::write_records_postgresql(const std::vector<Record>& records, bool dialing,
                                              const std::vector<long long>& done) {
  std::vector<long long> ids, attempts, types, statuses, results, groups;
  std::vector<std::optional<long long>> call_times, scheds;
  std::vector<std::string> agents, treatments;
  for (const auto& r : records) {
    ids.push_back(r.record_id);
    attempts.push_back(r.attempt);
    types.push_back(static_cast<int>(r.record_type));
    statuses.push_back(static_cast<int>(r.record_status));
    results.push_back(static_cast<int>(r.call_result));
    groups.push_back(r.group_id);
    call_times.push_back(r.call_time);
    scheds.push_back(r.dial_sched_time);
    agents.push_back(r.agent_id);
    treatments.push_back(r.treatments);
  }
  std::string a_ids = pg_int_array(ids), a_att = pg_int_array(attempts), a_ct = pg_opt_int_array(call_times);
  const std::string& t = opt_.table;
  if (dialing) {
    execute_count(db_,
                  "UPDATE " + t + " AS t SET attempt = u.a, call_time = u.ct FROM unnest(CAST(:ids AS bigint[]), "
                  "CAST(:a AS int[]), CAST(:ct AS bigint[])) AS u(id, a, ct) WHERE t.record_id = u.id",
                  [&](soci::statement& st) {
                    st.exchange(soci::use(a_ids, "ids"));
                    st.exchange(soci::use(a_att, "a"));
                    st.exchange(soci::use(a_ct, "ct"));
                  });
    return;
  }
  std::string a_rt = pg_int_array(types), a_rs = pg_int_array(statuses), a_cr = pg_int_array(results),
              a_g = pg_int_array(groups), a_ds = pg_opt_int_array(scheds), a_ag = pg_text_array(agents),
              a_tr = pg_text_array(treatments);
  std::string a_done = pg_int_array(done);
  execute_count(db_,
                "WITH gone AS (DELETE FROM " + lease_table() + " WHERE holder = :h AND record_id = ANY(CAST(:done AS bigint[]))) "
                "UPDATE " + t + " AS t SET record_type = u.rt, record_status = u.rs, call_result = u.cr, attempt = u.a, "
                "dial_sched_time = u.ds, call_time = u.ct, agent_id = u.ag, group_id = u.g, treatments = u.tr "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:rt AS int[]), CAST(:rs AS int[]), CAST(:cr AS int[]), "
                "CAST(:a AS int[]), CAST(:ds AS bigint[]), CAST(:ct AS bigint[]), CAST(:ag AS text[]), "
                "CAST(:g AS int[]), CAST(:tr AS text[])) AS u(id, rt, rs, cr, a, ds, ct, ag, g, tr) "
                "WHERE t.record_id = u.id",
                [&](soci::statement& st) {
                  st.exchange(soci::use(a_ids, "ids"));
                  st.exchange(soci::use(a_rt, "rt"));
                  st.exchange(soci::use(a_rs, "rs"));
                  st.exchange(soci::use(a_cr, "cr"));
                  st.exchange(soci::use(a_att, "a"));
                  st.exchange(soci::use(a_ds, "ds"));
                  st.exchange(soci::use(a_ct, "ct"));
                  st.exchange(soci::use(a_ag, "ag"));
                  st.exchange(soci::use(a_g, "g"));
                  st.exchange(soci::use(a_tr, "tr"));
                  st.exchange(soci::use(holder_.token(), "h"));
                  st.exchange(soci::use(a_done, "done"));
                });
}

// --- leases and recovery -----------------------------------------------------------

void SqlCallingList::release(const std::vector<std::int64_t>& record_ids) {
  if (record_ids.empty()) return;
  cursors_.clear();  // released records may lie behind it
  std::vector<long long> ids(record_ids.begin(), record_ids.end());
  in_transaction(db_, "release records of " + opt_.table, [&] {
    auto owned = owned_ids(ids);
    exec_for_ids("UPDATE " + opt_.table + " SET record_status = 1 WHERE record_status = 2 AND record_id {ids}", owned);
    delete_own_leases(owned);
  });
}

void SqlCallingList::renew_leases(EpochSeconds now) {
  long long expires = now + opt_.lease_s;
  guarded("renew leases on " + opt_.table, [&] {
    execute_count(db_, "UPDATE " + lease_table() + " SET expires_at = :x WHERE holder = :h", [&](soci::statement& st) {
      st.exchange(soci::use(expires, "x"));
      st.exchange(soci::use(holder_.token(), "h"));
    });
  });
}

// Leases go first (locked, then deleted), then their records return to ready,
// then (on the first call only) retrieved records that have no lease at all:
// left by a version that kept none, or imported as retrieved. Our own writes
// never leave one, so later calls (an engine checking for others' expired
// leases now and then) stay cheap.
//
// A lease is taken back only when it has expired or its holder is gone; never
// while its holder lives, even one with our engine_id (another campaign on this
// handle or another, another process with the default name): it may be in a call.
std::size_t SqlCallingList::recover(EpochSeconds now) { return recover_leases(now, true); }

std::size_t SqlCallingList::recover_expired(EpochSeconds now) { return recover_leases(now, false); }

// The leases of other holders that expired by `now` or whose holder is gone.
std::vector<long long> SqlCallingList::recoverable_leases(EpochSeconds now) {
  const std::string lt = lease_table();
  const std::string lock = pg() ? " FOR UPDATE" : "";
  std::vector<long long> ids;
  auto collect = [&](const std::string& where, const Binder& bind) {
    for (const auto& r : fetch_text_rows(db_, "SELECT CAST(record_id AS TEXT) FROM " + lt + " WHERE " + where + lock, 1, bind))
      if (r[0])
        if (auto v = parse_integer(*r[0])) ids.push_back(*v);
  };
  long long now_ll = now;
  collect("(holder IS NULL OR holder <> :h) AND expires_at <= :n", [&](soci::statement& st) {
    st.exchange(soci::use(holder_.token(), "h"));
    st.exchange(soci::use(now_ll, "n"));
  });
  std::vector<std::string> holders;
  for (const auto& r : fetch_text_rows(db_, "SELECT DISTINCT holder FROM " + lt + " WHERE holder <> :h AND expires_at > :n", 1,
                                       [&](soci::statement& st) {
                                         st.exchange(soci::use(holder_.token(), "h"));
                                         st.exchange(soci::use(now_ll, "n"));
                                       }))
    if (r[0] && !holder_may_be_alive(*r[0])) holders.push_back(*r[0]);
  for (std::string& gone : holders)
    collect("holder = :g AND expires_at > :n", [&](soci::statement& st) {
      st.exchange(soci::use(gone, "g"));
      st.exchange(soci::use(now_ll, "n"));
    });
  return ids;
}

std::size_t SqlCallingList::recover_leases(EpochSeconds now, bool at_load) {
  cursors_.clear();
  return in_transaction(db_, "recover retrieved records of " + opt_.table, [&] {
    const std::string& t = opt_.table;
    const std::string lt = lease_table();
    std::vector<long long> ids = recoverable_leases(now);
    exec_for_ids("DELETE FROM " + lt + " WHERE record_id {ids}", ids);
    long long n = exec_for_ids("UPDATE " + t + " SET record_status = 1 WHERE record_status = 2 AND record_id {ids}", ids);
    if (at_load && !orphans_checked_)  // a scan of the whole list: once per open, where nothing else can have made one
      n += execute_count(db_, "UPDATE " + t + " SET record_status = 1 WHERE record_status = 2 AND NOT EXISTS (SELECT 1 FROM " +
                                  lt + " WHERE " + lt + ".record_id = " + t + ".record_id)");
    if (at_load) orphans_checked_ = true;
    return static_cast<std::size_t>(n);
  });
}

// Only a ready record moves: one another engine (or this one) retrieved
// meanwhile is left to its holder.
bool SqlCallingList::reschedule(std::int64_t record_id, EpochSeconds at, RecordType type, const std::string& agent_id) {
  long long id = record_id, when = at;
  int type_code = static_cast<int>(type);
  std::string agent = agent_id;
  soci::indicator agent_ind = agent.empty() ? soci::i_null : soci::i_ok;
  cursors_.clear();
  return in_transaction(db_, "reschedule a record of " + opt_.table, [&] {
    return execute_count(db_,
                         "UPDATE " + opt_.table + " SET dial_sched_time = :at, record_type = :rt, agent_id = :ag "
                         "WHERE record_id = :id AND record_status = 1",
                         [&](soci::statement& st) {
                           st.exchange(soci::use(when, "at"));
                           st.exchange(soci::use(type_code, "rt"));
                           st.exchange(soci::use(agent, agent_ind, "ag"));
                           st.exchange(soci::use(id, "id"));
                         }) == 1;
  });
}

// --- inserts ---------------------------------------------------------------------------

void SqlCallingList::insert(const std::vector<Record>& records) {
  if (records.empty()) return;
  // The rules every path in applies (CSV import, the C API, Python, desktops):
  // a record retrieval would reject is not stored.
  for (const auto& r : records)
    if (auto decoded = decode_row(encode_row(r, custom_), custom_); !decoded.error.empty())
      throw Error(ErrorCode::invalid_argument, "record " + std::to_string(r.record_id) + ": " + decoded.error + " (nothing inserted)");
  cursors_.clear();
  in_transaction(db_, "insert into " + opt_.table, [&] {
    if (pg())
      insert_postgresql(records);
    else
      insert_sqlite(records);
  });
}

std::string SqlCallingList::insert_column_list() const {
  std::string cols;
  for (const auto& c : mandatory_columns()) cols += (cols.empty() ? "" : ", ") + c;
  for (const auto& c : custom_) cols += ", " + quoted_identifier(c);
  return cols;
}

// Every value is bound as text with an indicator; SQLite's column affinity
// stores integers as integers.
void SqlCallingList::insert_sqlite(const std::vector<Record>& records) {
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
    auto row = encode_row(r, custom_);
    for (std::size_t k = 0; k < n; ++k) {
      values[k] = row[k].value_or(std::string());
      inds[k] = row[k] ? soci::i_ok : soci::i_null;
    }
    st.execute(true);
  }
}

// One statement: a text array per column, unnest()ed and cast to the column's type.
void SqlCallingList::insert_postgresql(const std::vector<Record>& records) {
  const std::size_t n = ncols_;
  std::vector<std::vector<std::string>> cols(n);
  std::vector<std::vector<bool>> nulls(n);
  for (const auto& r : records) {
    auto row = encode_row(r, custom_);
    for (std::size_t k = 0; k < n; ++k) {
      cols[k].push_back(row[k].value_or(std::string()));
      nulls[k].push_back(!row[k]);
    }
  }
  std::vector<std::string> arrays(n);
  std::string unnest, casts, aliases;
  for (std::size_t k = 0; k < n; ++k) {
    const std::string c = "c" + std::to_string(k);
    arrays[k] = pg_text_array(cols[k], &nulls[k]);
    unnest += (k ? ", " : "") + ("CAST(:a" + std::to_string(k) + " AS text[])");
    casts += (k ? ", " : "") + ("CAST(" + c + " AS " + column_type(k) + ")");
    aliases += (k ? ", " : "") + c;
  }
  execute_count(db_,
                "INSERT INTO " + opt_.table + " (" + insert_column_list() + ") SELECT " + casts + " FROM unnest(" + unnest +
                    ") AS u(" + aliases + ")",
                [&](soci::statement& st) {
                  for (std::size_t k = 0; k < n; ++k) st.exchange(soci::use(arrays[k], "a" + std::to_string(k)));
                });
}

std::string SqlCallingList::column_type(std::size_t k) const {
  const auto& mandatory = mandatory_columns();
  if (k < mandatory.size()) {
    const auto& c = mandatory[k];
    if (is_text_column(c)) return "text";
    return (c == "record_id" || c == "dial_sched_time" || c == "call_time") ? "bigint" : "integer";
  }
  return custom_types_[k - mandatory.size()];
}

}  // namespace outbound::detail
