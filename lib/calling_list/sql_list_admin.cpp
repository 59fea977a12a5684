// The calling-list store's answers to third parties and supervisors: ready
// records named by a phone number or customer id (OCS cancel requests), their
// cancellation, and ready records counted by zone and window (progress views).
// None of these take leases: they only touch rows nobody holds (ready).
#include <algorithm>

#include "outbound/error.hpp"
#include "row_codec.hpp"
#include "sql_list.hpp"

namespace outbound::detail {
namespace {

// "2125551234" -> "%2%1%2%5%5%5%1%2%3%4%": the digits in order, anything
// between them, so "(212) 555-1234" and "+1 212 555 1234" both match.
std::string digits_pattern(const std::string& digits) {
  std::string p = "%";
  for (char c : digits) {
    if (c < '0' || c > '9')
      throw Error(ErrorCode::invalid_argument, "phone digits \"" + digits + "\" must be digits only (0-9)");
    p += c;
    p += '%';
  }
  return p;
}

}  // namespace

std::vector<Record> SqlCallingList::find_ready(const RecordMatch& m) {
  const bool by_customer = !m.customer_field.empty();
  if (by_customer && std::find(custom_.begin(), custom_.end(), m.customer_field) == custom_.end())
    throw Error(ErrorCode::invalid_argument, "customer id field \"" + m.customer_field + "\" is not a custom field of " + opt_.table);
  if (!by_customer && m.phone_digits.empty())
    throw Error(ErrorCode::invalid_argument, "a record match needs phone digits or a customer id");
  std::string where = "record_status = 1";
  if (!opt_.filter.empty()) where += " AND (" + opt_.filter + ")";
  std::string value = by_customer ? m.customer_id : digits_pattern(m.phone_digits);
  where += by_customer ? " AND CAST(" + m.customer_field + " AS TEXT) = :v" : " AND contact_info LIKE :v";
  return guarded("find records in " + opt_.table, [&] {
    std::vector<Record> out;
    auto rows = fetch_text_rows(db_, "SELECT " + select_list_ + " FROM " + opt_.table + " WHERE " + where +
                                         " ORDER BY record_id",
                                ncols_, [&](soci::statement& st) { st.exchange(soci::use(value, "v")); });
    for (auto& row : rows) out.push_back(decode_row(row, custom_).record);
    return out;
  });
}

std::vector<std::int64_t> SqlCallingList::cancel_ready(const std::vector<std::int64_t>& record_ids) {
  std::vector<long long> ids(record_ids.begin(), record_ids.end());
  if (ids.empty()) return {};
  return in_transaction(db_, "cancel records of " + opt_.table, [&] {
    const std::string lock = pg() ? " FOR UPDATE" : "";
    auto ready = query_ids("SELECT record_id FROM " + opt_.table + " WHERE record_status = 1 AND record_id {ids}" + lock, ids);
    exec_for_ids("UPDATE " + opt_.table + " SET record_status = 5 WHERE record_status = 1 AND record_id {ids}", ready);
    std::sort(ready.begin(), ready.end());
    return std::vector<std::int64_t>(ready.begin(), ready.end());
  });
}

std::vector<ReadyGroup> SqlCallingList::ready_groups(EpochSeconds now) {
  std::string where = "record_status = 1";
  if (!opt_.filter.empty()) where += " AND (" + opt_.filter + ")";
  const std::string later = "CASE WHEN dial_sched_time IS NOT NULL AND dial_sched_time > " + std::to_string(now) + " THEN 1 ELSE 0 END";
  const std::string query = "SELECT CAST(" + zone_expr_ + " AS TEXT), CAST(daily_from AS TEXT), CAST(daily_till AS TEXT), CAST(" +
                            later + " AS TEXT), CAST(COUNT(*) AS TEXT) FROM " + opt_.table + " WHERE " + where +
                            " GROUP BY " + zone_expr_ + ", daily_from, daily_till, " + later;
  return guarded("count ready records of " + opt_.table, [&] {
    std::vector<ReadyGroup> out;
    for (auto& row : fetch_text_rows(db_, query, 5)) {
      ReadyGroup g;
      g.zone_key = row[0].value_or("");
      g.daily_from = static_cast<int>(row[1] ? parse_integer(*row[1]).value_or(0) : 0);
      g.daily_till = static_cast<int>(row[2] ? parse_integer(*row[2]).value_or(86400) : 86400);
      g.scheduled_later = row[3] && *row[3] == "1";
      g.count = row[4] ? parse_integer(*row[4]).value_or(0) : 0;
      out.push_back(std::move(g));
    }
    return out;
  });
}

}  // namespace outbound::detail

namespace outbound {

std::vector<Record> CallingList::find_ready(const RecordMatch&) {
  throw Error(ErrorCode::unsupported, "this calling list cannot find records");
}

std::vector<std::int64_t> CallingList::cancel_ready(const std::vector<std::int64_t>&) {
  throw Error(ErrorCode::unsupported, "this calling list cannot cancel records");
}

std::vector<ReadyGroup> CallingList::ready_groups(EpochSeconds) {
  throw Error(ErrorCode::unsupported, "this calling list cannot count ready records");
}

}  // namespace outbound
