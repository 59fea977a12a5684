#include "dnc_table.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>

#include "../storage/database.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

namespace outbound::detail {
namespace {

constexpr std::size_t kBatch = 10000;

std::optional<long long> as_integer(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    long long v = std::stoll(*s, &used);
    if (used == s->size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

int as_int(const std::optional<std::string>& s) {
  auto v = as_integer(s);
  return v && *v >= INT32_MIN && *v <= INT32_MAX ? static_cast<int>(*v) : 0;
}

// The LIKE pattern every spelling of a number matches: its last seven digits
// in order, anything between ("(212) 555-0100", "+1 212.555.0100"…).
std::string digits_pattern(std::uint64_t key) {
  std::string digits = std::to_string(key);
  if (digits.size() > 7) digits = digits.substr(digits.size() - 7);
  std::string p = "%";
  for (char c : digits) (p += c) += '%';
  return p;
}

}  // namespace

DncTable::DncTable(const std::string& connection, const DncOptions& options)
    : db_(connect_database(connection)), table_(options.table), log_(options.table + "_changes") {
  if (!is_safe_identifier(table_))
    throw Error(ErrorCode::invalid_argument, "DNC table name \"" + table_ + "\" is not a plain SQL identifier");
  if (!is_safe_identifier(log_))
    throw Error(ErrorCode::invalid_argument, "DNC table name \"" + table_ + "\" is too long for its change log \"" + log_ + "\" (63 characters at most)");
  const bool exists = table_exists(db_, table_);
  if (!exists && !options.create_if_missing)
    throw Error(ErrorCode::not_found, "DNC table \"" + table_ + "\" does not exist");
  create_tables(!exists);
  for (const auto& [name, type] : table_columns(db_, table_)) has_expiry_ |= name == "expires_at";
}

void DncTable::create_tables(bool create_main) {
  const bool pg = db_.dialect == Dialect::postgresql;
  auto create = [&](const std::string& what, const std::string& ddl) {
    try {
      guarded("create " + what, [&] { *db_.sql << ddl; });
    } catch (const Error&) {
      // Two engines opening at once on PostgreSQL: the other one's CREATE won.
      if (!table_exists(db_, what)) throw;
    }
  };
  if (create_main)
    create(table_, "CREATE TABLE IF NOT EXISTS " + table_ +
                       " (phone VARCHAR(64), customer_id VARCHAR(64), dnc_message VARCHAR(255), tenant_dbid INTEGER, "
                       "campaign_dbid INTEGER, list_dbid INTEGER, is_internal INTEGER, time_stamp BIGINT, expires_at BIGINT)");
  create(log_, "CREATE TABLE IF NOT EXISTS " + log_ + " (seq " +
                   (pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT") +
                   ", op INTEGER NOT NULL, phone VARCHAR(64), customer_id VARCHAR(64), tenant_dbid INTEGER, "
                   "campaign_dbid INTEGER, list_dbid INTEGER, expires_at BIGINT, changed_at BIGINT)");
}

std::string DncTable::row_key_expr() const {
  return db_.dialect == Dialect::postgresql ? "CAST(ctid AS TEXT)" : "CAST(rowid AS TEXT)";
}

std::size_t DncTable::row_count() {
  return guarded("count the rows of " + table_, [&] {
    long long n = 0;
    *db_.sql << "SELECT COUNT(*) FROM " + table_, soci::into(n);
    return static_cast<std::size_t>(std::max(0LL, n));
  });
}

// One pass of three columns: phone, customer_id, and the scope and expiry
// folded into one text ("tenant|campaign|list|expires") that is NULL for the
// common row with none of them. Each column read costs a locked call into
// SQLite, so the pass reads no more (10M rows load as fast as before).
void DncTable::scan(const std::function<void(DncRow&)>& fn) {
  guarded("load DNC table " + table_, [&] {
    std::string extra;
    for (const char* c : {"tenant_dbid", "campaign_dbid", "list_dbid", "expires_at"}) {
      if (std::string(c) == "expires_at" && !has_expiry_) continue;
      extra += std::string(extra.empty() ? "" : " AND ") + c + " IS NULL";
    }
    const std::string folded = "CASE WHEN " + extra + " THEN NULL ELSE COALESCE(CAST(tenant_dbid AS TEXT), '') || '|' || " +
                               "COALESCE(CAST(campaign_dbid AS TEXT), '') || '|' || COALESCE(CAST(list_dbid AS TEXT), '') || '|' || " +
                               (has_expiry_ ? "COALESCE(CAST(expires_at AS TEXT), '')" : "''") + " END";
    std::vector<std::string> phone(kBatch), cust(kBatch), more_cols(kBatch);
    std::vector<soci::indicator> phone_ind(kBatch), cust_ind(kBatch), more_ind(kBatch);
    soci::statement st = (db_.sql->prepare << "SELECT phone, customer_id, " + folded + " FROM " + table_,
                          soci::into(phone, phone_ind), soci::into(cust, cust_ind), soci::into(more_cols, more_ind));
    bool more = st.execute(true);
    DncRow row;
    for (;;) {
      for (std::size_t i = 0; i < phone.size(); ++i) {
        row.phone = phone_ind[i] == soci::i_ok ? std::optional<std::string>(std::move(phone[i])) : std::nullopt;
        row.customer = cust_ind[i] == soci::i_ok ? std::optional<std::string>(std::move(cust[i])) : std::nullopt;
        row.tenant.reset();
        row.campaign.reset();
        row.list.reset();
        row.expires.reset();
        if (more_ind[i] == soci::i_ok) unfold(more_cols[i], row);
        fn(row);
      }
      if (!more) break;
      for (auto* v : {&phone, &cust, &more_cols}) v->resize(kBatch);
      for (auto* v : {&phone_ind, &cust_ind, &more_ind}) v->resize(kBatch);
      more = st.fetch();
      if (!more && phone.empty()) break;
    }
  });
}

void DncTable::unfold(const std::string& folded, DncRow& row) {
  std::optional<std::string>* fields[] = {&row.tenant, &row.campaign, &row.list, &row.expires};
  std::size_t start = 0;
  for (auto* f : fields) {
    std::size_t bar = folded.find('|', start);
    std::string v = folded.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!v.empty()) *f = v;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
}

std::map<std::string, std::vector<std::string>> DncTable::row_keys_of(const std::vector<std::string>& phones) {
  std::map<std::string, std::vector<std::string>> out;
  constexpr std::size_t kChunk = 200;
  for (std::size_t from = 0; from < phones.size(); from += kChunk) {
    std::string list;
    for (std::size_t k = from; k < std::min(phones.size(), from + kChunk); ++k) {
      std::string quoted = "'";
      for (char c : phones[k]) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      list += (list.empty() ? "" : ",") + quoted + "'";
    }
    const std::string key = db_.dialect == Dialect::postgresql ? "CAST(ctid AS TEXT)" : "CAST(rowid AS TEXT)";
    auto rows = guarded("find unreadable rows of " + table_, [&] {
      return fetch_text_rows(db_, "SELECT " + key + ", CAST(phone AS TEXT) FROM " + table_ + " WHERE CAST(phone AS TEXT) IN (" + list + ") ORDER BY " +
                                   (db_.dialect == Dialect::postgresql ? "ctid" : "rowid"), 2);
    });
    for (auto& r : rows)
      if (r[0] && r[1]) out[*r[1]].push_back(*r[0]);
  }
  return out;
}

long long DncTable::last_seq() {
  return guarded("read the change log " + log_, [&] {
    long long seq = 0;
    soci::indicator ind = soci::i_null;
    *db_.sql << "SELECT MAX(seq) FROM " + log_, soci::into(seq, ind);
    return ind == soci::i_ok ? seq : 0LL;
  });
}

std::vector<DncChange> DncTable::changes_after(long long seq, std::optional<std::chrono::milliseconds> max_wait) {
  const std::string what = "read the change log " + log_;
  auto read = [&] {
    return fetch_text_rows(db_,
                           "SELECT CAST(seq AS TEXT), CAST(op AS TEXT), phone, customer_id, CAST(tenant_dbid AS TEXT), "
                           "CAST(campaign_dbid AS TEXT), CAST(list_dbid AS TEXT), CAST(expires_at AS TEXT) FROM " +
                               log_ + " WHERE seq > " + std::to_string(seq) + " ORDER BY seq",
                           8);
  };
  // The loop's reads wait at most max_wait: on PostgreSQL a locked log would hold them with no limit.
  auto rows = max_wait ? with_lock_wait(db_, what, *max_wait, false, read) : guarded(what, [&] {
    // A PostgreSQL server that restarted: the failed read marked the session broken.
    if (db_.dialect == Dialect::postgresql && !db_.sql->is_connected()) db_.sql->reconnect();
    return read();
  });
  std::vector<DncChange> out;
  for (const auto& r : rows) {
    DncChange c;
    c.seq = as_integer(r[0]).value_or(seq);
    c.op = static_cast<DncChange::Op>(as_int(r[1]));
    if (r[2] && r[2]->size() > 1 && (*r[2])[0] == '+') c.phone_key = digits_only_key(*r[2]);
    c.customer = r[3].value_or("");
    c.tenant_dbid = as_int(r[4]);
    c.scope = {c.tenant_dbid, as_int(r[5]), as_int(r[6])};
    c.expires_at = as_integer(r[7]);
    out.push_back(std::move(c));
  }
  return out;
}

bool DncTable::others_may_have_written() {
  if (db_.dialect != Dialect::sqlite) return true;
  const long long version = guarded("read the data version of " + table_, [&] {
    long long v = 0;
    *db_.sql << "PRAGMA data_version", soci::into(v);
    return v;
  });
  // This connection's own writes leave the version alone: they are in memory already.
  const bool changed = !data_version_ || *data_version_ != version;
  data_version_ = version;
  return changed;
}

void DncTable::lock_log() {
  // Sequence numbers are taken in lock order, so they commit in order too.
  if (db_.dialect == Dialect::postgresql) *db_.sql << "LOCK TABLE " + log_ + " IN EXCLUSIVE MODE";
}

void DncTable::log_change(DncChange::Op op, const std::string& phone, const std::string& customer, int tenant,
                          const DncEntryScope& scope, std::optional<EpochSeconds> expires) {
  soci::indicator phone_ind = phone.empty() ? soci::i_null : soci::i_ok;
  soci::indicator cust_ind = customer.empty() ? soci::i_null : soci::i_ok;
  soci::indicator exp_ind = expires ? soci::i_ok : soci::i_null;
  long long exp = expires.value_or(0), now = static_cast<long long>(std::time(nullptr));
  int op_code = static_cast<int>(op), campaign = scope.campaign_dbid, list = scope.list_dbid;
  *db_.sql << "INSERT INTO " + log_ +
                  " (op, phone, customer_id, tenant_dbid, campaign_dbid, list_dbid, expires_at, changed_at) "
                  "VALUES (:op, :p, :c, :t, :cd, :ld, :e, :now)",
      soci::use(op_code), soci::use(phone, phone_ind), soci::use(customer, cust_ind), soci::use(tenant),
      soci::use(campaign), soci::use(list), soci::use(exp, exp_ind), soci::use(now);
}

void DncTable::add(const DncEntry& e, int tenant_dbid, std::optional<Duration> max_wait) {
  if (e.expires_at && !has_expiry_)
    throw Error(ErrorCode::invalid_argument, "DNC table " + table_ +
                                                 " has no expires_at column for an entry's expiry (ALTER TABLE " + table_ +
                                                 " ADD COLUMN expires_at BIGINT)");
  const std::string what = "persist a do-not-call entry in " + table_;
  // The bounded write: SQLite's busy timeout lowered for it, PostgreSQL's lock_timeout set
  // before lock_log() (the first lock it takes), both for this transaction only.
  if (max_wait)
    with_lock_wait(db_, what, std::chrono::duration_cast<std::chrono::milliseconds>(*max_wait), true,
                   [&] { insert_entry(e, tenant_dbid); });
  else
    in_transaction(db_, what, [&] { insert_entry(e, tenant_dbid); });
}

// The entry's row and its change-log row, inside the caller's transaction.
void DncTable::insert_entry(const DncEntry& e, int tenant_dbid) {
  lock_log();
  soci::indicator phone_ind = e.phone.empty() ? soci::i_null : soci::i_ok;
  soci::indicator cust_ind = e.customer_id.empty() ? soci::i_null : soci::i_ok;
  auto scope_ind = [](int v) { return v ? soci::i_ok : soci::i_null; };
  soci::indicator t_ind = scope_ind(tenant_dbid), c_ind = scope_ind(e.scope.campaign_dbid), l_ind = scope_ind(e.scope.list_dbid);
  int tenant = tenant_dbid, campaign = e.scope.campaign_dbid, list = e.scope.list_dbid;
  long long now = static_cast<long long>(std::time(nullptr));
  std::string columns = "phone, customer_id, dnc_message, tenant_dbid, campaign_dbid, list_dbid, is_internal, time_stamp";
  std::string values = ":p, :c, :m, :t, :cd, :ld, 1, :ts";
  if (has_expiry_) {
    long long exp = e.expires_at.value_or(0);
    soci::indicator exp_ind = e.expires_at ? soci::i_ok : soci::i_null;
    *db_.sql << "INSERT INTO " + table_ + " (" + columns + ", expires_at) VALUES (" + values + ", :e)",
        soci::use(e.phone, phone_ind), soci::use(e.customer_id, cust_ind), soci::use(e.message),
        soci::use(tenant, t_ind), soci::use(campaign, c_ind), soci::use(list, l_ind), soci::use(now), soci::use(exp, exp_ind);
  } else {
    *db_.sql << "INSERT INTO " + table_ + " (" + columns + ") VALUES (" + values + ")", soci::use(e.phone, phone_ind),
        soci::use(e.customer_id, cust_ind), soci::use(e.message), soci::use(tenant, t_ind), soci::use(campaign, c_ind),
        soci::use(list, l_ind), soci::use(now);
  }
  log_change(DncChange::Op::add, e.phone, e.customer_id, tenant_dbid, e.scope, e.expires_at);
}

std::size_t DncTable::remove_phone(std::uint64_t key, const std::function<bool(const std::string&)>& same_key) {
  return in_transaction(db_, "remove a do-not-call number from " + table_, [&] {
    lock_log();
    std::string pattern = digits_pattern(key);
    auto rows = fetch_text_rows(db_, "SELECT " + row_key_expr() + ", CAST(phone AS TEXT) FROM " + table_ + " WHERE CAST(phone AS TEXT) LIKE :p", 2,
                                [&](soci::statement& st) { st.exchange(soci::use(pattern)); });
    std::size_t removed = 0;
    const std::string del = "DELETE FROM " + table_ + " WHERE " +
                            (db_.dialect == Dialect::postgresql ? "ctid = CAST(:r AS tid)" : "rowid = CAST(:r AS INTEGER)");
    for (const auto& r : rows) {
      if (!r[0] || !r[1] || !same_key(*r[1])) continue;
      std::string row = *r[0];
      removed += static_cast<std::size_t>(execute_count(db_, del, [&](soci::statement& st) { st.exchange(soci::use(row)); }));
    }
    log_change(DncChange::Op::remove_phone, "+" + std::to_string(key), {}, 0, {}, std::nullopt);
    return removed;
  });
}

std::size_t DncTable::remove_customer(const std::string& customer_id) {
  return in_transaction(db_, "remove a do-not-call customer from " + table_, [&] {
    lock_log();
    std::string id = customer_id;
    auto removed = static_cast<std::size_t>(execute_count(db_, "DELETE FROM " + table_ + " WHERE customer_id = :c",
                                                          [&](soci::statement& st) { st.exchange(soci::use(id)); }));
    log_change(DncChange::Op::remove_customer, {}, customer_id, 0, {}, std::nullopt);
    return removed;
  });
}

}  // namespace outbound::detail
