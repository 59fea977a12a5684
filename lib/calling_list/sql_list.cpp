// The calling-list store on SOCI: opening, configuration checks and reads
// (retrieval, lookups). Writes are in sql_list_write.cpp.
//
// Rows are read as text and validated in C++ (row_codec), so one malformed
// row becomes a clear per-record error instead of failing a chunk. Every
// retrieval query is shaped to walk one of the list's partial indexes in
// order and stop at its LIMIT, so a chunk costs the same on a 10M-row list as
// on a small one (docs/calling_lists.md has the plans).
#include "sql_list.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "outbound/dnc.hpp"
#include "outbound/clock.hpp"
#include "outbound/error.hpp"
#include "row_codec.hpp"
#include "schema.hpp"

namespace outbound::detail {
namespace {

// Positions in mandatory_columns() (and so in every fetched row).
constexpr std::size_t kRecordIdCol = 0;
constexpr std::size_t kDialSchedTimeCol = 7;
constexpr std::size_t kChainIdCol = 14;
constexpr std::size_t kChainNCol = 15;

// A zone key as an SQL literal: an integer tz_dbid, or a quoted IANA name
// (checked to hold only the characters zone names use, so it cannot break out).
std::string zone_literal(const std::string& key, bool zone_is_text) {
  if (zone_is_text) {
    bool ok = !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/' || c == '-' || c == '+';
    });
    if (!ok) throw Error(ErrorCode::invalid_argument, "zone name \"" + key + "\" has unexpected characters");
    return "'" + key + "'";
  }
  auto v = parse_integer(key);
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

// A LIMIT both databases take: they hold it in a signed 64-bit integer, so a
// larger size_t (SIZE_MAX: "all") is held at INT64_MAX, not sent as a number they refuse.
std::string sql_limit(std::size_t n) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return std::to_string(std::min(n, kMax));
}

long long cell_integer(const TextRow& row, std::size_t col) {
  return col < row.size() && row[col] ? parse_integer(*row[col]).value_or(0) : 0;
}

// Chains stay together in first-seen order; each chain in chain_n order, then record_id.
std::vector<Record> group_chains(std::vector<Record> records) {
  std::unordered_map<int, std::size_t> first_seen;
  for (std::size_t i = 0; i < records.size(); ++i) first_seen.emplace(records[i].chain_id, i);
  std::stable_sort(records.begin(), records.end(), [&](const Record& a, const Record& b) {
    auto fa = first_seen[a.chain_id], fb = first_seen[b.chain_id];
    if (fa != fb) return fa < fb;
    return std::tie(a.chain_n, a.record_id) < std::tie(b.chain_n, b.record_id);
  });
  return records;
}

// A chain is dialed in chain_n order and its treatments name the next record
// by chain_n, so two open records of one chain with the same chain_n cannot
// both take part: the lower record_id keeps its place, each other one is taken
// out of `records` and returned as a record error naming both.
std::vector<RowError> take_duplicate_chain_n(std::vector<Record>& records) {
  std::map<std::pair<int, int>, std::int64_t> first;  // (chain_id, chain_n) -> lowest record_id
  for (const auto& r : records) {
    auto [it, fresh] = first.emplace(std::make_pair(r.chain_id, r.chain_n), r.record_id);
    if (!fresh) it->second = std::min(it->second, r.record_id);
  }
  std::vector<RowError> errors;
  auto dup = std::stable_partition(records.begin(), records.end(),
                                   [&](const Record& r) { return first.at({r.chain_id, r.chain_n}) == r.record_id; });
  for (auto it = dup; it != records.end(); ++it)
    errors.push_back({it->record_id, "record " + std::to_string(it->record_id) + ": chain " + std::to_string(it->chain_id) +
                                         " has chain_n " + std::to_string(it->chain_n) + " twice (records " +
                                         std::to_string(first.at({it->chain_id, it->chain_n})) + " and " +
                                         std::to_string(it->record_id) + "); chain_n must be unique within a chain, " +
                                         "so this record is not dialed"});
  records.erase(dup, records.end());
  return errors;
}

}  // namespace

SqlCallingList::SqlCallingList(Database db, ListOptions options) : db_(std::move(db)), opt_(std::move(options)) {
  const std::string& t = opt_.table;
  if (!is_safe_identifier(t) || t.size() > 57)
    throw Error(ErrorCode::invalid_argument, "table name \"" + t + "\" is not a plain SQL identifier of at most 57 characters");
  if (!table_exists(db_, t)) {
    if (!opt_.create_if_missing) throw Error(ErrorCode::not_found, "calling list table \"" + t + "\" does not exist");
    create_list_table(db_, t, {});
  }
  custom_ = check_list_columns(db_, t);
  custom_types_ = custom_column_types(db_, t, custom_);
  create_lease_table(db_, t);
  if (opt_.create_indexes) create_list_indexes(db_, t);
  check_options();
  build_select_list();
  find_index_hints();
  check_filter_runs();
}

// A filter can pass the safety check and still be one the database refuses
// ("record_id = 1.2.3", "IN ()" on PostgreSQL, thousands of nested
// parentheses): every retrieval would fail and nothing be dialed. Running the
// retrieval's shape once with LIMIT 0 at open turns that into a clear error.
void SqlCallingList::check_filter_runs() {
  if (opt_.filter.empty() && opt_.order_by.empty()) return;
  RetrieveRequest rq;
  const std::string order = opt_.order_by.empty() ? "chain_id, chain_n" : opt_.order_by;
  try {
    fetch_text_rows(db_, "SELECT " + select_list_ + " FROM " + opt_.table + " WHERE " + base_condition(rq) + " ORDER BY " +
                             order + " LIMIT 0",
                    ncols_);
  } catch (const std::exception& e) {
    auto shown = [](const std::string& s) { return s.size() > 120 ? s.substr(0, 120) + "…" : s; };
    throw Error(ErrorCode::invalid_argument, "the filter \"" + shown(opt_.filter) + "\" (order \"" + shown(order) +
                                                 "\") is refused by the database: " + e.what());
  }
}

void SqlCallingList::find_index_hints() {
  if (pg()) return;
  auto names = list_index_names(db_, opt_.table);
  auto hint = [&](const std::string& suffix) {
    return names.count(opt_.table + suffix) ? " INDEXED BY " + opt_.table + suffix : std::string();
  };
  due_hint_ = hint("_ob_due");
  fresh_hint_ = hint("_ob_fresh");
  chain_hint_ = hint("_ob_chain");
}

void SqlCallingList::check_options() {
  if (opt_.engine_id.empty() || opt_.engine_id.size() > 64)
    throw Error(ErrorCode::invalid_argument, "engine_id must be 1 to 64 characters");
  const std::int64_t max_lease_s = std::chrono::duration_cast<std::chrono::seconds>(kMaxDurationOption).count();
  if (opt_.lease_s <= 0 || opt_.lease_s > max_lease_s)
    throw Error(ErrorCode::invalid_argument, "lease_s must lie in [1, " + std::to_string(max_lease_s) + "] (36,500 days), not " +
                                                 std::to_string(opt_.lease_s));
  std::vector<std::string> columns = mandatory_columns();
  columns.insert(columns.end(), custom_.begin(), custom_.end());
  if (!opt_.filter.empty()) check_safe_condition(opt_.filter, columns);
  if (!opt_.order_by.empty()) check_safe_order(opt_.order_by, columns);
  if (!opt_.zone_column.empty()) {
    if (std::find(custom_.begin(), custom_.end(), opt_.zone_column) == custom_.end())
      throw Error(ErrorCode::invalid_argument,
                  "zone column \"" + opt_.zone_column + "\" is not a custom field of " + opt_.table);
    zone_expr_ = quoted_identifier(opt_.zone_column);
  }
  if (!opt_.region_column.empty() && std::find(custom_.begin(), custom_.end(), opt_.region_column) == custom_.end())
    throw Error(ErrorCode::invalid_argument,
                "region column \"" + opt_.region_column + "\" is not a custom field of " + opt_.table);
  if (!opt_.phone_region.empty() && !is_phone_region(opt_.phone_region))
    throw Error(ErrorCode::invalid_argument, "phone_region \"" + opt_.phone_region +
                                                 "\" is not a region (expected an ISO 3166 code such as US or GB)");
  for (const auto& [type, prio] : opt_.record_type_priority)
    if (!is_valid_record_type(type))
      throw Error(ErrorCode::invalid_argument, "record_type_priority names unknown record type " + std::to_string(type));
}

// Every column is quoted: a custom column may be named anything the table
// allows ("first name"), and its name is never run as SQL.
// Output columns get their own names (ob0, ob1, …): on PostgreSQL an ORDER BY
// name matches an output column before a table column, so an unnamed
// CAST(chain_id AS TEXT) would make "ORDER BY chain_id" sort text, not numbers.
void SqlCallingList::build_select_list() {
  std::vector<std::string> columns = mandatory_columns();
  columns.insert(columns.end(), custom_.begin(), custom_.end());
  select_list_.clear();
  for (std::size_t k = 0; k < columns.size(); ++k)
    select_list_ += (k ? ", " : "") + ("CAST(" + quoted_identifier(columns[k]) + " AS TEXT) AS ob" + std::to_string(k));
  ncols_ = columns.size();
}

// --- retrieval ---------------------------------------------------------------

RetrieveResult SqlCallingList::retrieve(const RetrieveRequest& rq) {
  if (rq.max_records == 0) return {};
  if (++retrievals_ % kCursorRestartEvery == 0) cursors_.clear();
  try {
    return in_transaction(db_, "retrieve from " + opt_.table, [&] { return retrieve_locked(rq); });
  } catch (...) {
    cursors_.clear();  // the rows they passed were not retrieved after all
    throw;
  }
}

std::string SqlCallingList::base_condition(const RetrieveRequest& rq) const {
  std::string cond = "record_status = 1";
  if (!opt_.filter.empty()) cond += " AND (" + opt_.filter + ")";
  if (rq.check_windows) {
    std::string windows;
    for (const auto& z : rq.zones)
      windows += (windows.empty() ? "" : " OR ") + window_clause(zone_expr_, !opt_.zone_column.empty(), z);
    // Records no zone key maps are zoned by their number, which SQL cannot read: the gate checks them.
    if (rq.include_unmapped_zones) windows += (windows.empty() ? "" : " OR ") + unmapped_zone_condition(rq.mapped_zone_keys);
    cond += " AND (" + (windows.empty() ? std::string("1 = 0") : windows) + ")";
  }
  return cond;
}

// Due scheduled records, highest priority class first. Each class is one query
// walking the due index in (dial_sched_time, record_id) order, so no query sorts
// the whole due set; classes are the distinct configured priorities, then the
// record types left unconfigured.
// Due records, highest priority class first. Each class is one stream read in
// (dial_sched_time, record_id) order from the due index, so no query sorts the
// whole due set; classes are the distinct configured priorities, then the
// record types left unconfigured.
std::vector<TextRow> SqlCallingList::fetch_scheduled_rows(const RetrieveRequest& rq, const std::string& base) {
  const std::string head = "SELECT " + select_list_ + " FROM " + opt_.table + due_hint_ + " WHERE " + base +
                           " AND dial_sched_time IS NOT NULL AND dial_sched_time <= " + std::to_string(rq.now);
  const StreamKey key{"dial_sched_time", "record_id", kDialSchedTimeCol, kRecordIdCol};
  if (opt_.record_type_priority.empty()) return read_stream("due", head, key, rq.max_records);

  std::map<int, std::vector<int>> classes;  // priority -> record types
  std::string configured;
  for (const auto& [type, prio] : opt_.record_type_priority) {
    classes[prio].push_back(type);
    configured += (configured.empty() ? "" : ",") + std::to_string(type);
  }
  std::vector<TextRow> rows;
  auto take = [&](const std::string& cond) {
    if (rows.size() >= rq.max_records) return;
    auto part = read_stream("due" + cond, head + cond, key, rq.max_records - rows.size());
    std::move(part.begin(), part.end(), std::back_inserter(rows));
  };
  for (const auto& [prio, types] : classes) {
    std::string list;
    for (int t : types) list += (list.empty() ? "" : ",") + std::to_string(t);
    take(" AND record_type IN (" + list + ")");
  }
  take(" AND record_type NOT IN (" + configured + ")");
  return rows;
}

std::vector<TextRow> SqlCallingList::fetch_due_rows(const RetrieveRequest& rq) {
  const std::string base = base_condition(rq);
  auto rows = fetch_scheduled_rows(rq, base);
  if (rows.size() < rq.max_records && !rq.due_only) {
    const std::string head = "SELECT " + select_list_ + " FROM " + opt_.table + fresh_hint_ + " WHERE " + base +
                             " AND dial_sched_time IS NULL";
    const std::size_t limit = rq.max_records - rows.size();
    auto fresh = opt_.order_by.empty()
                     ? read_stream("fresh", head, {"chain_id", "chain_n", kChainIdCol, kChainNCol}, limit)
                     : fetch_text_rows(db_, head + " ORDER BY " + opt_.order_by + " LIMIT " + sql_limit(limit) +
                                                (pg() ? " FOR UPDATE SKIP LOCKED" : ""),
                                       ncols_);
    std::move(fresh.begin(), fresh.end(), std::back_inserter(rows));
  }
  return rows;
}

// Candidates of one stream (due records of a priority class, or fresh
// records), in index order, resumed after the last row this list took from
// it. Retrieved rows leave dead entries at the front of the partial indexes
// on PostgreSQL until VACUUM; starting every chunk from the front would walk
// all of them (measured: +1.8 ms a chunk per 300k records retrieved since the
// last vacuum), so a chunk starts at the cursor, then wraps to the front for
// what is left. Cursors restart from the front every kCursorRestartEvery
// retrievals and after inserts, releases and recovery, so a record that
// became ready behind one (released by another engine, say) waits at most a
// few chunks. (A custom order_by reads from the front: give it an index.)
std::vector<TextRow> SqlCallingList::read_stream(const std::string& stream, const std::string& head,
                                                 const StreamKey& key, std::size_t limit) {
  const std::string order = key.first + ", " + key.second;
  auto run = [&](const std::string& range, std::size_t n) {
    return fetch_text_rows(db_, head + range + " ORDER BY " + order + " LIMIT " + sql_limit(n) +
                                    (pg() ? " FOR UPDATE SKIP LOCKED" : ""),
                           ncols_);
  };
  std::vector<TextRow> rows;
  auto at = cursors_.find(stream);
  if (at == cursors_.end()) {
    rows = run("", limit);
  } else {
    const std::string pos = "(" + std::to_string(at->second.first) + ", " + std::to_string(at->second.second) + ")";
    rows = run(" AND (" + order + ") > " + pos, limit);
    if (rows.size() < limit) {
      auto wrapped = run(" AND (" + order + ") <= " + pos, limit - rows.size());
      std::move(wrapped.begin(), wrapped.end(), std::back_inserter(rows));
    }
  }
  if (!rows.empty()) cursors_[stream] = {cell_integer(rows.back(), key.first_col), cell_integer(rows.back(), key.second_col)};
  return rows;
}

// Ready records that share a chain with the fetched ones come along, whatever
// the filter or window says: a chain is retrieved whole. Chains are probed by
// id first; whole rows are read only for the records not fetched yet (usually
// none: a chunk's LIMIT cuts at most its last chain).
//
// SQLite: writers are serialised, so nobody else can hold part of a chain.
// PostgreSQL: the probe locks every ready row of the chains (SKIP LOCKED) and,
// in the same statement, counts each chain's ready rows without locking. A
// chain with more ready rows than we could lock is being retrieved by another
// engine at this moment: it is left out whole (its rows stay ready; our locks
// go at commit) rather than split between engines.
void SqlCallingList::complete_chains(std::vector<TextRow>& rows) {
  std::set<long long> chain_set, have;
  for (const auto& r : rows) {
    chain_set.insert(cell_integer(r, kChainIdCol));
    have.insert(row_record_id(r));
  }
  std::vector<long long> chains(chain_set.begin(), chain_set.end());
  std::vector<TextRow> probe;  // record_id, chain_id[, ready rows of the chain]
  if (pg()) {
    std::string arr = pg_int_array(chains);
    probe = fetch_text_rows(
        db_,
        "SELECT CAST(t.record_id AS TEXT), CAST(t.chain_id AS TEXT), CAST(c.n AS TEXT) FROM " + opt_.table +
            " AS t JOIN (SELECT chain_id AS cid, COUNT(*) AS n FROM " + opt_.table +
            " WHERE record_status = 1 AND chain_id = ANY(CAST(:chains AS bigint[])) GROUP BY chain_id) AS c "
            "ON t.chain_id = c.cid WHERE t.record_status = 1 AND t.chain_id = ANY(CAST(:chains AS bigint[])) "
            "FOR UPDATE OF t SKIP LOCKED",
        3, [&](soci::statement& st) { st.exchange(soci::use(arr, "chains")); });
  } else {
    constexpr std::size_t kChunk = 500;
    for (std::size_t i = 0; i < chains.size(); i += kChunk) {
      auto part = fetch_text_rows(db_, "SELECT CAST(record_id AS TEXT), CAST(chain_id AS TEXT) FROM " + opt_.table +
                                           chain_hint_ + " WHERE record_status = 1 AND chain_id IN (" +
                                           int_list(chains, i, kChunk) + ")",
                                  2);
      std::move(part.begin(), part.end(), std::back_inserter(probe));
    }
  }
  std::map<long long, long long> ready, locked;
  std::vector<long long> missing;
  for (const auto& p : probe) {
    long long id = cell_integer(p, 0), chain = cell_integer(p, 1);
    ++locked[chain];
    if (pg()) ready[chain] = cell_integer(p, 2);
    if (!have.count(id)) missing.push_back(id);
  }
  std::set<long long> contested;
  for (const auto& [chain, n] : ready)
    if (n > locked[chain]) contested.insert(chain);
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    auto more = fetch_rows_by_id(missing);
    std::move(more.begin(), more.end(), std::back_inserter(rows));
  }
  if (contested.empty()) return;
  rows.erase(std::remove_if(rows.begin(), rows.end(),
                            [&](const TextRow& r) { return contested.count(cell_integer(r, kChainIdCol)) != 0; }),
             rows.end());
}

std::vector<TextRow> SqlCallingList::fetch_rows_by_id(const std::vector<long long>& ids) {
  const std::string head = "SELECT " + select_list_ + " FROM " + opt_.table + " WHERE record_id ";
  if (pg()) {
    std::string arr = pg_int_array(ids);
    return fetch_text_rows(db_, head + "= ANY(CAST(:ids AS bigint[]))", ncols_,
                           [&](soci::statement& st) { st.exchange(soci::use(arr, "ids")); });
  }
  std::vector<TextRow> out;
  constexpr std::size_t kChunk = 500;
  for (std::size_t i = 0; i < ids.size(); i += kChunk) {
    auto part = fetch_text_rows(db_, head + "IN (" + int_list(ids, i, kChunk) + ")", ncols_);
    std::move(part.begin(), part.end(), std::back_inserter(out));
  }
  return out;
}

RetrieveResult SqlCallingList::retrieve_locked(const RetrieveRequest& rq) {
  auto rows = fetch_due_rows(rq);
  if (rows.empty()) return {};
  complete_chains(rows);

  RetrieveResult result;
  std::vector<Record> records;
  std::vector<long long> bad_ids;
  std::vector<std::optional<std::string>> bad_keys;  // rows without a usable record_id: their raw value
  for (auto& row : rows) {
    auto decoded = decode_row(row, custom_);
    if (decoded.error.empty()) {
      records.push_back(std::move(decoded.record));
      continue;
    }
    const auto& key = row[0];
    if (auto id = key ? parse_integer(*key) : std::nullopt) {
      result.errors.push_back({*id, "record " + std::to_string(*id) + ": " + decoded.error});
      bad_ids.push_back(*id);
    } else {
      // No id to mark it by: marked by its raw value, so it is not fetched (and
      // reported) again on every retrieval.
      result.errors.push_back({0, "a row with record_id " + (key ? "\"" + *key + "\"" : std::string("NULL")) + " (contact_info \"" +
                                      row[1].value_or("") + "\"): " + decoded.error + "; marked as a record error"});
      bad_keys.push_back(key);
    }
  }
  for (auto& dup : take_duplicate_chain_n(records)) {
    bad_ids.push_back(dup.record_id);
    result.errors.push_back(std::move(dup));
  }
  std::vector<long long> ids;
  for (auto& r : records) {
    r.record_status = RecordStatus::retrieved;
    ids.push_back(r.record_id);
  }
  mark_errors(bad_ids);
  mark_errors_by_key(bad_keys);
  mark_retrieved(ids, rq.now + opt_.lease_s);
  result.records = group_chains(std::move(records));
  return result;
}

// --- lookups -----------------------------------------------------------------

std::string SqlCallingList::unmapped_zone_condition(const std::vector<std::string>& known) const {
  std::string cond = zone_expr_ + " IS NULL";
  if (known.empty()) return "1 = 1";
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ",") + zone_literal(k, !opt_.zone_column.empty());
  return "(" + cond + " OR " + zone_expr_ + " NOT IN (" + list + "))";
}

std::vector<RowError> SqlCallingList::mark_unknown_zones(const std::vector<std::string>& known) {
  std::string cond = zone_expr_ + " IS NULL";
  if (!known.empty()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ",") + zone_literal(k, !opt_.zone_column.empty());
    cond += " OR " + zone_expr_ + " NOT IN (" + list + ")";
  }
  return in_transaction(db_, "mark records with unknown zones in " + opt_.table, [&] {
    std::vector<long long> ids;
    std::vector<RowError> errors;
    std::string q = "SELECT CAST(record_id AS TEXT), CAST(" + zone_expr_ + " AS TEXT) FROM " + opt_.table +
                    " WHERE record_status = 1 AND (" + cond + ")" + (pg() ? " FOR UPDATE SKIP LOCKED" : "");
    for (auto& row : fetch_text_rows(db_, q, 2)) {
      auto id = row[0] ? parse_integer(*row[0]) : std::nullopt;
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

// SQLite stores what it is given: text in dial_sched_time sorts after every
// number, so "dial_sched_time <= now" never holds and the row would wait
// forever. `>= ''` selects exactly the text and blob values, on the due index.
std::vector<RowError> SqlCallingList::mark_malformed() {
  if (pg()) return {};
  return in_transaction(db_, "check dial_sched_time in " + opt_.table, [&] {
    std::vector<long long> ids;
    std::vector<RowError> errors;
    const std::string q = "SELECT CAST(record_id AS TEXT), CAST(dial_sched_time AS TEXT) FROM " + opt_.table + due_hint_ +
                          " WHERE record_status = 1 AND dial_sched_time IS NOT NULL AND dial_sched_time >= ''";
    for (auto& row : fetch_text_rows(db_, q, 2)) {
      auto id = row[0] ? parse_integer(*row[0]) : std::nullopt;
      if (!id) continue;
      ids.push_back(*id);
      errors.push_back({*id, "record " + std::to_string(*id) + ": dial_sched_time \"" + row[1].value_or("") +
                                 "\" is not a time in epoch seconds"});
    }
    mark_errors(ids);
    return errors;
  });
}

// --- checks before a campaign loads the list (read only) --------------------

namespace {

// "3 records, e.g. record 17": how many rows carry a value, and one to look at.
std::string count_and_example(const std::optional<std::string>& count, const std::optional<std::string>& example) {
  std::string n = count.value_or("0");
  return n + (n == "1" ? " record" : " records") + (example ? ", e.g. record " + *example : std::string());
}

// A record window open less than this is no real window: (8, 21) meant hours, not seconds.
constexpr int kShortestWindowS = 15 * 60;

}  // namespace

std::vector<std::string> SqlCallingList::load_problems() {
  return guarded("check " + opt_.table + " before load", [&] {
    std::vector<std::string> out;
    // Codes: a row whose type or status has no code is never dialed, or is dialed as something it is not.
    for (const char* column : {"record_type", "record_status"}) {
      const bool type = std::string(column) == "record_type";
      auto rows = fetch_text_rows(db_, std::string("SELECT CAST(") + column + " AS TEXT), CAST(COUNT(*) AS TEXT), CAST(MIN(record_id) AS TEXT) FROM " +
                                           opt_.table + " GROUP BY " + column, 3);
      for (auto& row : rows) {
        auto v = row[0] ? parse_integer(*row[0]) : std::nullopt;
        bool ok = v && *v >= INT32_MIN && *v <= INT32_MAX &&
                  (type ? is_valid_record_type(static_cast<int>(*v)) : is_valid_record_status(static_cast<int>(*v)));
        if (ok) continue;
        out.push_back(std::string(column) + " " + (row[0] ? "\"" + *row[0] + "\"" : std::string("NULL")) + " in " +
                      count_and_example(row[1], row[2]) + " of " + opt_.table + " is no " + (type ? "record type" : "record status") +
                      " code (" + (type ? "0..7" : "0..8") + "): correct those rows");
      }
    }
    // Windows of records still to dial: outside the day, or open so briefly they were given in hours.
    const std::string bad = "daily_from < 0 OR daily_from > 86400 OR daily_till < 0 OR daily_till > 86400 OR "
                            "(daily_from <> daily_till AND (CASE WHEN daily_till > daily_from THEN daily_till - daily_from "
                            "ELSE daily_till - daily_from + 86400 END) < " +
                            std::to_string(kShortestWindowS) + ")";
    auto rows = fetch_text_rows(db_, "SELECT CAST(daily_from AS TEXT), CAST(daily_till AS TEXT), CAST(COUNT(*) AS TEXT), "
                                     "CAST(MIN(record_id) AS TEXT) FROM " + opt_.table +
                                     " WHERE record_status IN (1, 2) AND (" + bad + ") GROUP BY daily_from, daily_till", 4);
    for (auto& row : rows) {
      // -1: no integer (outside the day either way)
      const long long from = row[0] ? parse_integer(*row[0]).value_or(-1) : -1;
      const long long till = row[1] ? parse_integer(*row[1]).value_or(-1) : -1;
      std::string window = "daily_from " + row[0].value_or("NULL") + ", daily_till " + row[1].value_or("NULL");
      std::string what = window + " in " + count_and_example(row[2], row[3]) + " of " + opt_.table;
      if (from >= 0 && from <= 24 && till >= 0 && till <= 24)
        out.push_back(what + " looks like hours: give seconds after local midnight (" + std::to_string(from * 3600) + ", " +
                      std::to_string(till * 3600) + ")");
      else if (from >= 0 && from <= 86400 && till >= 0 && till <= 86400)
        out.push_back(what + " is open less than " + std::to_string(kShortestWindowS / 60) +
                      " minutes: give seconds after local midnight, e.g. 28800 and 75600 for 08:00-21:00");
      else
        out.push_back(what + " lies outside 0..86400 seconds after local midnight: correct those rows");
    }
    return out;
  });
}

std::map<std::string, std::int64_t> SqlCallingList::unmapped_zone_counts(const std::vector<std::string>& known) {
  std::string cond = zone_expr_ + " IS NOT NULL";
  if (!known.empty()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ",") + zone_literal(k, !opt_.zone_column.empty());
    cond += " AND " + zone_expr_ + " NOT IN (" + list + ")";
  }
  return guarded("read zones of " + opt_.table, [&] {
    std::map<std::string, std::int64_t> out;
    for (auto& row : fetch_text_rows(db_, "SELECT CAST(" + zone_expr_ + " AS TEXT), CAST(COUNT(*) AS TEXT) FROM " + opt_.table +
                                              " WHERE record_status IN (1, 2) AND " + cond + " GROUP BY " + zone_expr_, 2))
      if (row[0]) out[*row[0]] += row[1] ? parse_integer(*row[1]).value_or(0) : 0;
    return out;
  });
}

std::vector<std::string> SqlCallingList::zone_keys() {
  return guarded("read zones of " + opt_.table, [&] {
    std::vector<std::string> out;
    for (auto& row : fetch_text_rows(db_, "SELECT DISTINCT CAST(" + zone_expr_ + " AS TEXT) FROM " + opt_.table, 1))
      if (row[0]) out.push_back(*row[0]);
    return out;
  });
}

std::map<RecordStatus, std::int64_t> SqlCallingList::count_by_status() {
  return guarded("count records of " + opt_.table, [&] {
    std::map<RecordStatus, std::int64_t> out;
    for (auto& row : fetch_text_rows(db_, "SELECT CAST(record_status AS TEXT), CAST(COUNT(*) AS TEXT) FROM " +
                                              opt_.table + " GROUP BY record_status", 2)) {
      auto status = row[0] ? parse_integer(*row[0]) : std::nullopt;
      auto count = row[1] ? parse_integer(*row[1]) : std::nullopt;
      if (status && count) out[static_cast<RecordStatus>(*status)] += *count;
    }
    return out;
  });
}

std::optional<Record> SqlCallingList::get(std::int64_t id) {
  auto records = select_records("record_id = " + std::to_string(id), "record_id");
  if (records.empty()) return std::nullopt;
  return records.front();
}

std::vector<Record> SqlCallingList::all() { return select_records("1 = 1", "record_id"); }

std::vector<Record> SqlCallingList::chain(int chain_id) {
  return select_records("chain_id = " + std::to_string(chain_id), "chain_n, record_id");
}

std::vector<Record> SqlCallingList::page(std::int64_t after, std::size_t limit) {
  if (limit == 0) return {};
  std::string where = after == std::numeric_limits<std::int64_t>::min() ? "1 = 1" : "record_id > " + std::to_string(after);
  return select_records(where, "record_id LIMIT " + sql_limit(limit));
}

std::vector<std::int64_t> SqlCallingList::existing_ids(const std::vector<std::int64_t>& record_ids) {
  std::vector<long long> ids(record_ids.begin(), record_ids.end());
  auto found = guarded("look up records of " + opt_.table,
                       [&] { return query_ids("SELECT CAST(record_id AS TEXT) FROM " + opt_.table + " WHERE record_id {ids}", ids); });
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return {found.begin(), found.end()};
}

std::vector<Record> SqlCallingList::select_records(const std::string& where, const std::string& order_and_limit) {
  return guarded("read records of " + opt_.table, [&] {
    std::vector<Record> out;
    auto rows = fetch_text_rows(db_, "SELECT " + select_list_ + " FROM " + opt_.table + " WHERE " + where +
                                         " ORDER BY " + order_and_limit, ncols_);
    // Every row is returned, malformed or not: reports and exports must see them all.
    for (auto& row : rows) out.push_back(decode_row(row, custom_).record);
    return out;
  });
}

}  // namespace outbound::detail

namespace outbound {

CallingList::~CallingList() = default;

std::unique_ptr<CallingList> CallingList::open(const std::string& connection, const ListOptions& options) {
  auto db = detail::connect_database(connection);
  return detail::guarded("open calling list " + options.table, [&] {
    return std::unique_ptr<CallingList>(std::make_unique<detail::SqlCallingList>(std::move(db), options));
  });
}

void CallingList::create_table(const std::string& connection, const std::string& table,
                               const std::vector<std::string>& custom_columns) {
  auto db = detail::connect_database(connection);
  detail::create_list_table(db, table, custom_columns);
}

}  // namespace outbound
