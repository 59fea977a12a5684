// The call log table: written in batches by campaigns at each flush, read at
// load for the abandon window and the abandoned-number lockout.
#include "outbound/call_log.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include "../storage/database.hpp"
#include "../storage/database_inl.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

namespace outbound {
namespace {

long long ms_of(Time t) { return t.time_since_epoch().count(); }
Time time_of(long long ms) { return Time{std::chrono::milliseconds{ms}}; }

// A read, waiting at most `max_wait` for a lock when one is given (the loop's periodic re-reads).
std::vector<detail::TextRow> read_rows(detail::Database& db, const std::string& what, std::optional<Duration> max_wait,
                                       const std::string& query, std::size_t ncols, const detail::Binder& bind) {
  if (!max_wait) return detail::guarded(what, [&] { return detail::fetch_text_rows(db, query, ncols, bind); });
  return detail::with_lock_wait(db, what, *max_wait, false, [&] { return detail::fetch_text_rows(db, query, ncols, bind); });
}

constexpr const char* kColumns =
    "campaign, list_name, record_id, chain_id, chain_n, phone, agent_id, dialed_at_ms, answered_at_ms, "
    "answer_class, connected_at_ms, abandoned, released_at_ms, call_result, message_left";

// The row being bound: SOCI binds variables by reference, so one row at a time passes through here.
struct BoundRow {
  std::string campaign, list, phone, agent;
  long long record_id = 0, chain_id = 0, dialed = 0, answered = 0, connected = 0, released = 0;
  int chain_n = 0, answer = 0, abandoned = 0, result = 0, message_left = 0;
  soci::indicator answered_ind = soci::i_null, connected_ind = soci::i_null;

  void set(const CallLogEntry& e) {
    campaign = e.campaign, list = e.list, phone = e.phone, agent = e.agent_id;
    record_id = e.record_id, chain_id = e.chain_id, chain_n = e.chain_n;
    dialed = ms_of(e.dialed_at), released = ms_of(e.released_at);
    answered = e.answered_at ? ms_of(*e.answered_at) : 0;
    answered_ind = e.answered_at ? soci::i_ok : soci::i_null;
    connected = e.connected_at ? ms_of(*e.connected_at) : 0;
    connected_ind = e.connected_at ? soci::i_ok : soci::i_null;
    answer = static_cast<int>(e.answer), abandoned = e.abandoned ? 1 : 0, result = static_cast<int>(e.result);
    message_left = e.message_left ? 1 : 0;
  }
};

bool has_column(detail::Database& db, const std::string& table, const std::string& column) {
  for (const auto& [name, type] : detail::table_columns(db, table))
    if (name == column) return true;
  return false;
}

// Tables made before message_left (0.3 before the call audio) get it, 0 on their old rows.
// Two engines opening one such table at once may both try: the loser finds it there.
void add_message_left_column(detail::Database& db, const std::string& t) {
  if (has_column(db, t, "message_left")) return;
  try {
    *db.sql << "ALTER TABLE " + t + " ADD COLUMN message_left INTEGER NOT NULL DEFAULT 0";
  } catch (const std::exception& e) {
    if (!has_column(db, t, "message_left"))
      throw Error(ErrorCode::database, "call log table " + t + ": cannot add the message_left column: " + e.what());
  }
}

// One INSERT a row, prepared once; the caller holds the transaction.
void insert_rows(detail::Database& db, const std::string& table, const std::vector<CallLogEntry>& calls);

}  // namespace

struct CallLog::Impl {
  detail::Database db;
  std::string table;
  std::map<std::string, Time> abandoned;  // phone -> latest abandon known
  // phone -> its dials (ms, campaign, record): the key makes a dial read back from the table
  // the same as the one noted when it was placed.
  using Dial = std::tuple<long long, std::string, std::int64_t>;
  std::map<std::string, std::set<Dial>> dials;
  std::optional<Duration> keep_dials;  // the longest contact-limit window; none: dials are not kept
};

CallLog::CallLog() : impl_(std::make_unique<Impl>()) {}
CallLog::~CallLog() = default;

std::unique_ptr<CallLog> CallLog::open(const std::string& connection, const CallLogOptions& options) {
  if (!is_safe_identifier(options.table))
    throw Error(ErrorCode::invalid_argument, "call log table name \"" + options.table + "\" is not a plain SQL identifier");
  std::unique_ptr<CallLog> log(new CallLog());
  auto& im = *log->impl_;
  im.db = detail::connect_database(connection);
  im.table = options.table;
  const std::string& t = options.table;
  if (!detail::table_exists(im.db, t) && !options.create_if_missing)
    throw Error(ErrorCode::not_found, "call log table \"" + t + "\" does not exist");
  // IF NOT EXISTS: two engines starting together both create; TEXT: no name or number is too long to log.
  detail::guarded("create call log table " + t, [&] {
    *im.db.sql << "CREATE TABLE IF NOT EXISTS " + t +
                      " (campaign TEXT, list_name TEXT, record_id BIGINT, chain_id BIGINT, chain_n INTEGER, "
                      "phone TEXT, agent_id TEXT, dialed_at_ms BIGINT NOT NULL, answered_at_ms BIGINT, "
                      "answer_class INTEGER, connected_at_ms BIGINT, abandoned INTEGER NOT NULL, "
                      "released_at_ms BIGINT NOT NULL, call_result INTEGER NOT NULL, message_left INTEGER NOT NULL DEFAULT 0)";
    // The questions asked at load and every minute: a campaign's answers in its window, abandoned numbers lately.
    *im.db.sql << "CREATE INDEX IF NOT EXISTS " + t + "_answered ON " + t + " (campaign, answered_at_ms)";
    *im.db.sql << "CREATE INDEX IF NOT EXISTS " + t + "_abandoned ON " + t + " (abandoned, released_at_ms)";
    // The contact limits read the dials of their longest window at load and the last minutes every minute.
    *im.db.sql << "CREATE INDEX IF NOT EXISTS " + t + "_dialed ON " + t + " (dialed_at_ms)";
  });
  add_message_left_column(im.db, t);
  return log;
}

void CallLog::append(const std::vector<CallLogEntry>& calls) {
  auto& im = *impl_;
  for (const auto& e : calls)
    if (e.abandoned) remember_abandoned(e.phone, e.released_at);
  if (calls.empty()) return;
  detail::in_transaction(im.db, "write call log " + im.table, [&] { insert_rows(im.db, im.table, calls); });
}

// The loop's own write: it waits at most `max_wait` for a lock (SQLite waits
// in BEGIN IMMEDIATE, PostgreSQL in the INSERT).
void CallLog::append(const std::vector<CallLogEntry>& calls, Duration max_wait) {
  auto& im = *impl_;
  for (const auto& e : calls)
    if (e.abandoned) remember_abandoned(e.phone, e.released_at);
  if (calls.empty()) return;
  detail::with_lock_wait(im.db, "write call log " + im.table, max_wait, true, [&] { insert_rows(im.db, im.table, calls); });
}

namespace {

void insert_rows(detail::Database& db, const std::string& table, const std::vector<CallLogEntry>& calls) {
  BoundRow r;
  soci::statement st =
      (db.sql->prepare << "INSERT INTO " + table + " (" + kColumns +
                              ") VALUES (:c, :l, :rid, :cid, :cn, :p, :a, :d, :an, :ac, :co, :ab, :re, :res, :ml)",
       soci::use(r.campaign), soci::use(r.list), soci::use(r.record_id), soci::use(r.chain_id), soci::use(r.chain_n),
       soci::use(r.phone), soci::use(r.agent), soci::use(r.dialed), soci::use(r.answered, r.answered_ind),
       soci::use(r.answer), soci::use(r.connected, r.connected_ind), soci::use(r.abandoned), soci::use(r.released),
       soci::use(r.result), soci::use(r.message_left));
  for (const auto& e : calls) {
    r.set(e);
    st.execute(true);
  }
}

}  // namespace

std::vector<CallLogEntry> CallLog::answered_since(const std::string& campaign, Time since) {
  auto& im = *impl_;
  const long long from = ms_of(since);
  std::string who = campaign;
  const auto rows = detail::fetch_text_rows(
      im.db,
      "SELECT campaign, list_name, CAST(record_id AS TEXT), CAST(chain_id AS TEXT), CAST(chain_n AS TEXT), phone, agent_id, "
      "CAST(dialed_at_ms AS TEXT), CAST(answered_at_ms AS TEXT), CAST(answer_class AS TEXT), CAST(connected_at_ms AS TEXT), "
      "CAST(abandoned AS TEXT), CAST(released_at_ms AS TEXT), CAST(call_result AS TEXT), CAST(message_left AS TEXT) FROM " +
          im.table + " WHERE campaign = :c AND answered_at_ms >= :f ORDER BY answered_at_ms",
      15, [&](soci::statement& st) {
        st.exchange(soci::use(who, "c"));
        st.exchange(soci::use(from, "f"));
      });
  std::vector<CallLogEntry> out;
  out.reserve(rows.size());
  auto num = [](const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0LL; };
  for (const auto& row : rows) {
    CallLogEntry e;
    e.campaign = row[0].value_or("");
    e.list = row[1].value_or("");
    e.record_id = num(row[2]);
    e.chain_id = num(row[3]);
    e.chain_n = static_cast<int>(num(row[4]));
    e.phone = row[5].value_or("");
    e.agent_id = row[6].value_or("");
    e.dialed_at = time_of(num(row[7]));
    if (row[8]) e.answered_at = time_of(num(row[8]));
    e.answer = static_cast<AnswerClass>(num(row[9]));
    if (row[10]) e.connected_at = time_of(num(row[10]));
    e.abandoned = num(row[11]) != 0;
    e.released_at = time_of(num(row[12]));
    e.result = static_cast<CallResult>(num(row[13]));
    e.message_left = num(row[14]) != 0;
    out.push_back(std::move(e));
  }
  return out;
}

std::size_t CallLog::load_abandoned(Time since) { return load_abandoned_rows(since, std::nullopt); }
std::size_t CallLog::load_abandoned(Time since, Duration max_wait) { return load_abandoned_rows(since, max_wait); }

std::size_t CallLog::load_abandoned_rows(Time since, std::optional<Duration> max_wait) {
  auto& im = *impl_;
  const long long from = ms_of(since);
  const auto rows = read_rows(im.db, "read abandoned numbers from " + im.table, max_wait,
      "SELECT phone, CAST(MAX(released_at_ms) AS TEXT) FROM " + im.table +
          " WHERE abandoned = 1 AND released_at_ms >= :f GROUP BY phone",
      2, [&](soci::statement& st) { st.exchange(soci::use(from, "f")); });
  for (const auto& row : rows)
    if (row[0] && row[1]) remember_abandoned(*row[0], time_of(std::stoll(*row[1])));
  return im.abandoned.size();
}

void CallLog::remember_abandoned(const std::string& phone, Time at) {
  auto [it, fresh] = impl_->abandoned.emplace(phone, at);
  if (!fresh && it->second < at) it->second = at;
}

std::optional<Time> CallLog::last_abandoned(const std::string& phone) const {
  auto it = impl_->abandoned.find(phone);
  if (it == impl_->abandoned.end()) return std::nullopt;
  return it->second;
}

std::size_t CallLog::load_dials(Time now, Duration window, Time since) { return load_dial_rows(now, window, since, std::nullopt); }
std::size_t CallLog::load_dials(Time now, Duration window, Time since, Duration max_wait) {
  return load_dial_rows(now, window, since, max_wait);
}

std::size_t CallLog::load_dial_rows(Time now, Duration window, Time since, std::optional<Duration> max_wait) {
  auto& im = *impl_;
  if (!im.keep_dials || *im.keep_dials < window) im.keep_dials = window;
  const long long from = ms_of(since), oldest = ms_of(now - *im.keep_dials);
  const auto rows = read_rows(im.db, "read dials from " + im.table, max_wait,
      "SELECT phone, campaign, CAST(record_id AS TEXT), CAST(dialed_at_ms AS TEXT) FROM " + im.table +
                 " WHERE dialed_at_ms >= :f",
      4, [&](soci::statement& st) { st.exchange(soci::use(from, "f")); });
  // Older dials leave every window that asked for `since`; a number with none left is dropped.
  for (auto it = im.dials.begin(); it != im.dials.end();) {
    auto& set = it->second;
    set.erase(set.begin(), set.lower_bound(Impl::Dial{oldest, std::string(), INT64_MIN}));
    it = set.empty() ? im.dials.erase(it) : std::next(it);
  }
  for (const auto& row : rows)
    if (row[0] && row[3] && std::stoll(*row[3]) >= oldest)
      im.dials[*row[0]].emplace(std::stoll(*row[3]), row[1].value_or(""), row[2] ? std::stoll(*row[2]) : 0);
  return im.dials.size();
}

void CallLog::remember_dial(const std::string& phone, const std::string& campaign, std::int64_t record_id, Time at) {
  auto& im = *impl_;
  if (!im.keep_dials) return;  // no campaign counts them
  auto& set = im.dials[phone];
  set.emplace(ms_of(at), campaign, record_id);
  // The number's dials that left the longest window go as it is dialed again.
  set.erase(set.begin(), set.lower_bound(Impl::Dial{ms_of(at - *im.keep_dials), std::string(), INT64_MIN}));
}

void CallLog::forget_dial(const std::string& phone, const std::string& campaign, std::int64_t record_id, Time at) {
  auto it = impl_->dials.find(phone);
  if (it == impl_->dials.end()) return;
  it->second.erase(Impl::Dial{ms_of(at), campaign, record_id});
  if (it->second.empty()) impl_->dials.erase(it);
}

std::vector<Time> CallLog::dials_since(const std::string& phone, Time since) const {
  std::vector<Time> out;
  auto it = impl_->dials.find(phone);
  if (it == impl_->dials.end()) return out;
  // After `since`: a dial exactly one window ago has left the window.
  for (auto d = it->second.lower_bound(Impl::Dial{ms_of(since) + 1, std::string(), INT64_MIN}); d != it->second.end(); ++d)
    out.push_back(time_of(std::get<0>(*d)));
  return out;
}

long long CallLog::count() {
  auto& im = *impl_;
  return detail::guarded("count call log " + im.table, [&] {
    long long n = 0;
    *im.db.sql << "SELECT COUNT(*) FROM " + im.table, soci::into(n);
    return n;
  });
}

const std::string& CallLog::table() const noexcept { return impl_->table; }

}  // namespace outbound
