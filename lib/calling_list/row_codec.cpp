#include "row_codec.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "outbound/calling_list.hpp"

namespace outbound::detail {
namespace {

// Column positions in mandatory_columns().
enum Col {
  kRecordId, kContactInfo, kContactInfoType, kRecordType, kRecordStatus, kCallResult, kAttempt,
  kDialSchedTime, kCallTime, kDailyFrom, kDailyTill, kTzDbid, kCampaignId, kAgentId, kChainId,
  kChainN, kGroupId, kAppId, kMediaRef, kEmailTemplateId, kSwitchId, kTreatments, kEmailSubject,
  kMandatoryCount
};

// Reads integer columns, collecting the first problem as the row's reason.
class IntReader {
 public:
  explicit IntReader(const TextRow& row) : row_(row) {}

  template <typename T>
  T get(int col, T fallback, bool nullable = true) {
    const auto& cell = row_[static_cast<std::size_t>(col)];
    if (!cell) {
      if (!nullable) fail(col, "is NULL");
      return fallback;
    }
    auto v = parse_integer(*cell);
    if (!v || *v < std::numeric_limits<T>::min() || *v > std::numeric_limits<T>::max()) {
      fail(col, "is not an integer: \"" + *cell + "\"");
      return fallback;
    }
    return static_cast<T>(*v);
  }
  std::optional<long long> optional(int col) {
    const auto& cell = row_[static_cast<std::size_t>(col)];
    if (!cell) return std::nullopt;
    auto v = parse_integer(*cell);
    if (!v) fail(col, "is not an integer: \"" + *cell + "\"");
    return v;
  }
  void fail(int col, const std::string& what) {
    if (reason.empty()) reason = mandatory_columns()[static_cast<std::size_t>(col)] + " " + what;
  }
  std::string reason;

 private:
  const TextRow& row_;
};

std::string text_or_empty(const std::optional<std::string>& cell) { return cell ? *cell : std::string(); }

void check_codes(IntReader& in, const Record& r, int daily_from_raw, int daily_till_raw) {
  if (!is_valid_contact_info_type(static_cast<int>(r.contact_info_type)))
    in.fail(kContactInfoType, "has no such code: " + std::to_string(static_cast<int>(r.contact_info_type)));
  if (!is_valid_record_type(static_cast<int>(r.record_type)))
    in.fail(kRecordType, "has no such code: " + std::to_string(static_cast<int>(r.record_type)));
  if (!is_valid_record_status(static_cast<int>(r.record_status)))
    in.fail(kRecordStatus, "has no such code: " + std::to_string(static_cast<int>(r.record_status)));
  if (!is_valid_call_result(static_cast<int>(r.call_result)))
    in.fail(kCallResult, "has no such code: " + std::to_string(static_cast<int>(r.call_result)));
  if (daily_from_raw < 0 || daily_from_raw > 86400)
    in.fail(kDailyFrom, "is outside 0..86400: " + std::to_string(daily_from_raw));
  if (daily_till_raw < 0 || daily_till_raw > 86400)
    in.fail(kDailyTill, "is outside 0..86400: " + std::to_string(daily_till_raw));
  if (r.attempt < 0) in.fail(kAttempt, "is negative");
}

}  // namespace

std::optional<long long> parse_integer(const std::string& text) {
  long long v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || text.empty()) return std::nullopt;
  return v;
}

std::int64_t row_record_id(const TextRow& row) {
  if (row.empty() || !row[kRecordId]) return 0;
  return parse_integer(*row[kRecordId]).value_or(0);
}

TextRow encode_row(const Record& r, const std::vector<std::string>& custom) {
  TextRow row;
  row.reserve(kMandatoryCount + custom.size());
  auto num = [&](long long v) { row.emplace_back(std::to_string(v)); };
  auto opt = [&](const std::optional<EpochSeconds>& v) {
    row.push_back(v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt);
  };
  num(r.record_id);
  row.emplace_back(r.contact_info);
  for (int v : {static_cast<int>(r.contact_info_type), static_cast<int>(r.record_type),
                static_cast<int>(r.record_status), static_cast<int>(r.call_result), r.attempt})
    num(v);
  opt(r.dial_sched_time);
  opt(r.call_time);
  for (int v : {r.daily_from, r.daily_till, r.tz_dbid, r.campaign_id}) num(v);
  row.emplace_back(r.agent_id);
  for (int v : {r.chain_id, r.chain_n, r.group_id, r.app_id, r.media_ref, r.email_template_id, r.switch_id}) num(v);
  row.emplace_back(r.treatments);
  row.emplace_back(r.email_subject);
  for (const auto& name : custom) {
    auto it = r.custom.find(name);
    row.push_back(it == r.custom.end() ? std::nullopt : std::optional<std::string>(it->second));
  }
  return row;
}

int mandatory_index(const std::string& column) {
  const auto& cols = mandatory_columns();
  auto it = std::find(cols.begin(), cols.end(), column);
  return it == cols.end() ? -1 : static_cast<int>(it - cols.begin());
}

DecodedRow decode_row(const TextRow& row, const std::vector<std::string>& custom) {
  IntReader in(row);
  Record r;
  r.record_id = in.get<std::int64_t>(kRecordId, 0, false);
  if (!row[kContactInfo] || row[kContactInfo]->empty()) in.fail(kContactInfo, "is empty or NULL");
  r.contact_info = text_or_empty(row[kContactInfo]);
  r.contact_info_type = static_cast<ContactInfoType>(in.get<int>(kContactInfoType, 1));
  r.record_type = static_cast<RecordType>(in.get<int>(kRecordType, 2));
  r.record_status = static_cast<RecordStatus>(in.get<int>(kRecordStatus, 1));
  r.call_result = static_cast<CallResult>(in.get<int>(kCallResult, 28));
  r.attempt = in.get<int>(kAttempt, 0);
  r.dial_sched_time = in.optional(kDialSchedTime);
  if (r.dial_sched_time == 0) r.dial_sched_time.reset();  // 0 means "not scheduled" in OCS lists
  r.call_time = in.optional(kCallTime);
  int daily_from = in.get<int>(kDailyFrom, 0);
  int daily_till = in.get<int>(kDailyTill, 86400);
  r.daily_from = daily_from;
  r.daily_till = daily_till;
  r.tz_dbid = in.get<int>(kTzDbid, 0);
  r.campaign_id = in.get<int>(kCampaignId, 0);
  r.agent_id = text_or_empty(row[kAgentId]);
  r.chain_id = in.get<int>(kChainId, 0);
  r.chain_n = in.get<int>(kChainN, 0);
  r.group_id = in.get<int>(kGroupId, 0);
  r.app_id = in.get<int>(kAppId, 0);
  r.media_ref = in.get<int>(kMediaRef, 0);
  r.email_template_id = in.get<int>(kEmailTemplateId, 0);
  r.switch_id = in.get<int>(kSwitchId, 0);
  r.treatments = text_or_empty(row[kTreatments]);
  r.email_subject = text_or_empty(row[kEmailSubject]);
  check_codes(in, r, daily_from, daily_till);
  for (std::size_t i = 0; i < custom.size(); ++i) {
    const auto& cell = row[kMandatoryCount + i];
    if (cell) r.custom.emplace(custom[i], *cell);
  }
  return {std::move(r), std::move(in.reason)};
}

}  // namespace outbound::detail
