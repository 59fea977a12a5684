// outbound C API — records, calling lists, CSV import and export.
#include <cstddef>
#include <cstring>
#include <sstream>

#include "outbound/csv.hpp"
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {
namespace {

std::optional<outbound::EpochSeconds> to_time(std::int64_t t) {
  if (t == OB_NO_TIME) return std::nullopt;
  return t;
}
std::int64_t from_time(const std::optional<outbound::EpochSeconds>& t) { return t ? *t : OB_NO_TIME; }

struct OwnedRecords : Owned {
  std::vector<outbound::Record> source;
  std::vector<ob_record> records;
  std::vector<std::vector<const char*>> names, values;
};

struct OwnedReport : Owned {
  ob_import_report report{};
  outbound::ImportReport source;
  std::vector<ob_csv_row_error> errors;
};

ob_list& list_of(ob_list* l) { return get(l, "list"); }

/// The size of version `version` of ob_list_options (check_version'ed).
std::size_t list_options_size(unsigned int version) {
  if (version >= 3) return sizeof(ob_list_options);
  return version == 2 ? offsetof(ob_list_options, phone_region) : offsetof(ob_list_options, record_type_priority_count);
}
static_assert(sizeof(void*) != 8 || offsetof(ob_list_options, record_type_priority_count) == 64,
              "ob_list_options version 1 was 64 bytes on LP64; new fields go at the end");

outbound::ListOptions to_list_options(const ob_list_options& o) {
  outbound::ListOptions lo;
  if (o.table) lo.table = o.table;
  if (o.filter) lo.filter = o.filter;
  if (o.order_by) lo.order_by = o.order_by;
  if (o.engine_id) lo.engine_id = o.engine_id;
  if (o.lease_s <= 0) fail(ErrorCode::invalid_argument, "lease_s must be positive, got " + std::to_string(o.lease_s));
  lo.lease_s = o.lease_s;
  if (o.zone_column) lo.zone_column = o.zone_column;
  lo.create_if_missing = o.create_if_missing != 0;
  lo.create_indexes = o.create_indexes != 0;
  if (o.record_type_priority_count && !o.record_type_priorities)
    fail(ErrorCode::invalid_argument, "record_type_priorities must not be NULL when record_type_priority_count > 0");
  for (std::size_t i = 0; i < o.record_type_priority_count; ++i) {
    const auto& p = o.record_type_priorities[i];
    check_code(OB_ENUM_RECORD_TYPE, p.record_type, ("record_type_priorities[" + std::to_string(i) + "].record_type").c_str());
    if (!lo.record_type_priority.emplace(p.record_type, p.priority).second)
      fail(ErrorCode::invalid_argument, std::string("record_type_priorities names record type ") +
                                            ob_enum_name(OB_ENUM_RECORD_TYPE, p.record_type) + " twice");
  }
  if (o.phone_region) lo.phone_region = o.phone_region;
  if (o.region_column) lo.region_column = o.region_column;
  lo.list_dbid = o.list_dbid;
  return lo;
}

outbound::CsvOptions to_csv_options(const ob_csv_options* opts) {
  outbound::CsvOptions o;
  if (!opts) return o;
  check_version(opts->version, OB_CSV_OPTIONS_VERSION, "ob_csv_options");
  if (opts->delimiter == '"' || opts->delimiter == '\n' || opts->delimiter == '\r' || opts->delimiter == '\0')
    fail(ErrorCode::invalid_argument, "the CSV delimiter cannot be a quote, a line end or NUL");
  if (opts->batch_size == 0) fail(ErrorCode::invalid_argument, "batch_size must be positive");
  if (opts->column_count && !opts->columns) fail(ErrorCode::invalid_argument, "columns must not be NULL when column_count > 0");
  o.delimiter = opts->delimiter;
  o.batch_size = opts->batch_size;
  o.default_daily_from = opts->default_daily_from;
  o.default_daily_till = opts->default_daily_till;
  o.default_tz_dbid = opts->default_tz_dbid;
  o.default_campaign_id = opts->default_campaign_id;
  o.crlf = opts->crlf != 0;
  for (std::size_t i = 0; i < opts->column_count; ++i) {
    need(opts->columns[i], "columns[" + std::to_string(i) + "]");
    o.columns.emplace_back(opts->columns[i]);
  }
  if (opts->version >= 2) {
    if (opts->zone_count && !opts->zones) fail(ErrorCode::invalid_argument, "zones must not be NULL when zone_count > 0");
    for (std::size_t i = 0; i < opts->zone_count; ++i) {
      need(opts->zones[i].key, "zones[" + std::to_string(i) + "].key");
      need(opts->zones[i].iana, "zones[" + std::to_string(i) + "].iana");
      o.zones.add(opts->zones[i].key, opts->zones[i].iana);
    }
  }
  return o;
}

ob_import_report* hand_out_report(outbound::ImportReport report) {
  auto owner = std::make_unique<OwnedReport>();
  owner->source = std::move(report);
  for (const auto& e : owner->source.errors) owner->errors.push_back({e.line, e.record_id, e.reason.c_str()});
  auto& r = owner->report;
  r.version = OB_IMPORT_REPORT_VERSION;
  r.data_rows = owner->source.data_rows;
  r.imported = owner->source.imported;
  r.blank_lines = owner->source.blank_lines;
  r.error_count = owner->errors.size();
  r.errors = owner->errors.empty() ? nullptr : owner->errors.data();
  ob_import_report* key = &owner->report;
  return hand_out(key, std::move(owner));
}

}  // namespace

void fill_record_view(ob_record& out, const outbound::Record& r, std::vector<const char*>& names,
                      std::vector<const char*>& values) {
  names.clear();
  values.clear();
  for (const auto& [name, value] : r.custom) {
    names.push_back(name.c_str());
    values.push_back(value.c_str());
  }
  out = ob_record OB_RECORD_INIT;
  out.record_id = r.record_id;
  out.contact_info = r.contact_info.c_str();
  out.contact_info_type = static_cast<int>(r.contact_info_type);
  out.record_type = static_cast<int>(r.record_type);
  out.record_status = static_cast<int>(r.record_status);
  out.call_result = static_cast<int>(r.call_result);
  out.attempt = r.attempt;
  out.dial_sched_time = from_time(r.dial_sched_time);
  out.call_time = from_time(r.call_time);
  out.daily_from = r.daily_from;
  out.daily_till = r.daily_till;
  out.tz_dbid = r.tz_dbid;
  out.campaign_id = r.campaign_id;
  out.agent_id = r.agent_id.c_str();
  out.chain_id = r.chain_id;
  out.chain_n = r.chain_n;
  out.group_id = r.group_id;
  out.app_id = r.app_id;
  out.media_ref = r.media_ref;
  out.email_template_id = r.email_template_id;
  out.switch_id = r.switch_id;
  out.treatments = r.treatments.c_str();
  out.email_subject = r.email_subject.c_str();
  out.custom_count = names.size();
  out.custom_names = names.empty() ? nullptr : names.data();
  out.custom_values = values.empty() ? nullptr : values.data();
}

RecordView::RecordView(const outbound::Record& source) { fill_record_view(view, source, names, values); }

outbound::Record to_record(const ob_record& c) {
  check_version(c.version, OB_RECORD_VERSION, "ob_record");
  check_code(OB_ENUM_CONTACT_INFO_TYPE, c.contact_info_type, "contact_info_type");
  check_code(OB_ENUM_RECORD_TYPE, c.record_type, "record_type");
  check_code(OB_ENUM_RECORD_STATUS, c.record_status, "record_status");
  check_code(OB_ENUM_CALL_RESULT, c.call_result, "call_result");
  if (c.custom_count && (!c.custom_names || !c.custom_values))
    fail(ErrorCode::invalid_argument, "custom_names and custom_values must not be NULL when custom_count > 0");
  outbound::Record r;
  r.record_id = c.record_id;
  r.contact_info = str(c.contact_info);
  r.contact_info_type = static_cast<outbound::ContactInfoType>(c.contact_info_type);
  r.record_type = static_cast<outbound::RecordType>(c.record_type);
  r.record_status = static_cast<outbound::RecordStatus>(c.record_status);
  r.call_result = static_cast<outbound::CallResult>(c.call_result);
  r.attempt = c.attempt;
  r.dial_sched_time = to_time(c.dial_sched_time);
  r.call_time = to_time(c.call_time);
  r.daily_from = c.daily_from;
  r.daily_till = c.daily_till;
  r.tz_dbid = c.tz_dbid;
  r.campaign_id = c.campaign_id;
  r.agent_id = str(c.agent_id);
  r.chain_id = c.chain_id;
  r.chain_n = c.chain_n;
  r.group_id = c.group_id;
  r.app_id = c.app_id;
  r.media_ref = c.media_ref;
  r.email_template_id = c.email_template_id;
  r.switch_id = c.switch_id;
  r.treatments = str(c.treatments);
  r.email_subject = str(c.email_subject);
  for (std::size_t i = 0; i < c.custom_count; ++i) {
    need(c.custom_names[i], "custom_names[" + std::to_string(i) + "]");
    r.custom[c.custom_names[i]] = str(c.custom_values[i]);
  }
  return r;
}

ob_record* hand_out_records(std::vector<outbound::Record> records) {
  if (records.empty()) return nullptr;
  auto owner = std::make_unique<OwnedRecords>();
  owner->source = std::move(records);
  const std::size_t n = owner->source.size();
  owner->records.resize(n);
  owner->names.resize(n);
  owner->values.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    fill_record_view(owner->records[i], owner->source[i], owner->names[i], owner->values[i]);
  ob_record* key = owner->records.data();
  return hand_out(key, std::move(owner));
}

}  // namespace obc

extern "C" {

int ob_record_init(ob_record* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_RECORD_VERSION, "ob_record");
    *out = ob_record OB_RECORD_INIT;
    out->version = version;
  });
}

void ob_record_free(ob_record* record) { obc::take_back(record); }

void ob_records_free(ob_record* records, size_t /*count*/) { obc::take_back(records); }

int ob_list_options_init(ob_list_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_LIST_OPTIONS_VERSION, "ob_list_options");
    ob_list_options o = OB_LIST_OPTIONS_INIT;
    o.version = version;
    obc::copy_version_part(out, &o, obc::list_options_size(version));  // an older struct is shorter
  });
}

int ob_list_open(ob_list** out, const char* connection, const ob_list_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(connection, "connection");
    ob_list_options o = OB_LIST_OPTIONS_INIT;
    if (opts) {
      obc::check_version(opts->version, OB_LIST_OPTIONS_VERSION, "ob_list_options");
      obc::copy_version_part(&o, opts, obc::list_options_size(opts->version));  // newer fields: defaults
    }
    auto handle = std::make_unique<ob_list>();
    handle->list = std::shared_ptr<outbound::CallingList>(outbound::CallingList::open(connection, obc::to_list_options(o)));
    handle->custom_fields = handle->list->custom_fields();
    for (const auto& [type, priority] : handle->list->options().record_type_priority)
      handle->priorities.push_back({type, priority});
    obc::track(handle.get(), obc::Kind::list);
    *out = handle.release();
  });
}

int ob_list_options_get(ob_list_options* out, ob_list* list) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(out->version, OB_LIST_OPTIONS_VERSION, "ob_list_options");
    auto& l = obc::list_of(list);
    const auto& lo = l.list->options();  // fixed once open: no need to go through the engine
    ob_list_options o = OB_LIST_OPTIONS_INIT;
    o.version = out->version;
    o.table = lo.table.c_str();
    o.filter = lo.filter.empty() ? nullptr : lo.filter.c_str();
    o.order_by = lo.order_by.empty() ? nullptr : lo.order_by.c_str();
    o.engine_id = lo.engine_id.c_str();
    o.lease_s = lo.lease_s;
    o.zone_column = lo.zone_column.empty() ? nullptr : lo.zone_column.c_str();
    o.create_if_missing = lo.create_if_missing ? 1 : 0;
    o.create_indexes = lo.create_indexes ? 1 : 0;
    o.record_type_priority_count = l.priorities.size();
    o.record_type_priorities = l.priorities.empty() ? nullptr : l.priorities.data();
    o.phone_region = lo.phone_region.empty() ? nullptr : lo.phone_region.c_str();
    o.region_column = lo.region_column.empty() ? nullptr : lo.region_column.c_str();
    o.list_dbid = lo.list_dbid;
    obc::copy_version_part(out, &o, obc::list_options_size(out->version));  // an older struct is shorter
  });
}

void ob_list_free(ob_list* list) {
  obc::guard([&] {
    if (!list || !obc::is_tracked(list, obc::Kind::list)) return;
    obc::untrack(list);
    // Let go on the engine's loop when attached: a campaign may be using the list right now.
    auto doomed = std::unique_ptr<ob_list>(list);
    doomed->home.run([&] { doomed->list.reset(); });
  });
}

int ob_list_create_table(const char* connection, const char* table, const char* const* custom_columns,
                         size_t custom_count) {
  return obc::guard([&] {
    obc::need(connection, "connection");
    obc::need(table, "table");
    if (custom_count && !custom_columns) obc::fail(ErrorCode::invalid_argument, "custom_columns must not be NULL when custom_count > 0");
    std::vector<std::string> custom;
    for (std::size_t i = 0; i < custom_count; ++i) {
      obc::need(custom_columns[i], "custom_columns[" + std::to_string(i) + "]");
      custom.emplace_back(custom_columns[i]);
    }
    outbound::CallingList::create_table(connection, table, custom);
  });
}

int ob_list_insert(ob_list* list, const ob_record* records, size_t count) {
  return obc::guard([&] {
    auto& l = obc::list_of(list);
    if (count && !records) obc::fail(ErrorCode::invalid_argument, "records must not be NULL when count > 0");
    std::vector<outbound::Record> rs;
    rs.reserve(count);
    for (std::size_t i = 0; i < count; ++i) rs.push_back(obc::to_record(records[i]));
    l.home.run([&] { l.list->insert(rs); });
  });
}

int ob_list_get(ob_record** out, ob_list* list, int64_t record_id) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& l = obc::list_of(list);
    auto r = l.home.run([&] { return l.list->get(record_id); });
    if (!r) obc::fail(ErrorCode::not_found, "no record " + std::to_string(record_id) + " in " + l.list->options().table);
    std::vector<outbound::Record> one;
    one.push_back(std::move(*r));
    *out = obc::hand_out_records(std::move(one));
  });
}

int ob_list_page(ob_record** out, size_t* out_count, ob_list* list, int64_t after_record_id, size_t limit) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(out_count, "out_count");
    auto& l = obc::list_of(list);
    auto rs = l.home.run([&] { return l.list->page(after_record_id, limit); });
    std::size_t n = rs.size();
    *out = obc::hand_out_records(std::move(rs));
    *out_count = n;
  });
}

int ob_list_count_by_status(int64_t* out, size_t out_len, ob_list* list) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& l = obc::list_of(list);
    auto counts = l.home.run([&] { return l.list->count_by_status(); });
    for (std::size_t i = 0; i < out_len; ++i) out[i] = 0;
    for (const auto& [status, n] : counts) {
      auto i = static_cast<std::size_t>(status);
      if (i < out_len) out[i] = n;
    }
  });
}

int ob_list_custom_field_count(size_t* out, ob_list* list) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::list_of(list).custom_fields.size();
  });
}

int ob_list_custom_field(const char** out, ob_list* list, size_t index) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& l = obc::list_of(list);
    if (index >= l.custom_fields.size())
      obc::fail(ErrorCode::invalid_argument, "custom field index " + std::to_string(index) + " is out of range (the list has " +
                                                 std::to_string(l.custom_fields.size()) + " custom fields)");
    *out = l.custom_fields[index].c_str();
  });
}

int ob_csv_options_init(ob_csv_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_CSV_OPTIONS_VERSION, "ob_csv_options");
    const ob_csv_options defaults = OB_CSV_OPTIONS_INIT;
    // A version-1 struct ends at columns: write no further.
    std::memcpy(out, &defaults, version >= 2 ? sizeof defaults : offsetof(ob_csv_options, zone_count));
    out->version = version;
  });
}

int ob_list_import_csv(ob_import_report** out, ob_list* list, const char* path, const ob_csv_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(path, "path");
    auto& l = obc::list_of(list);
    auto o = obc::to_csv_options(opts);
    auto report = l.home.run([&] { return outbound::import_csv(*l.list, std::string(path), o); });
    *out = obc::hand_out_report(std::move(report));
  });
}

int ob_list_import_csv_text(ob_import_report** out, ob_list* list, const char* text, size_t size,
                            const ob_csv_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    if (size && !text) obc::fail(ErrorCode::invalid_argument, "text must not be NULL when size > 0");
    auto& l = obc::list_of(list);
    auto o = obc::to_csv_options(opts);
    std::istringstream in(size ? std::string(text, size) : std::string());
    auto report = l.home.run([&] { return outbound::import_csv(*l.list, in, o); });
    *out = obc::hand_out_report(std::move(report));
  });
}

void ob_import_report_free(ob_import_report* report) { obc::take_back(report); }

int ob_list_export_csv(size_t* out, ob_list* list, const char* path, const ob_csv_options* opts) {
  return obc::guard([&] {
    obc::need(path, "path");
    auto& l = obc::list_of(list);
    auto o = obc::to_csv_options(opts);
    auto n = l.home.run([&] { return outbound::export_csv(*l.list, std::string(path), o); });
    if (out) *out = n;
  });
}

int ob_list_export_csv_text(char** out, ob_list* list, const ob_csv_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& l = obc::list_of(list);
    auto o = obc::to_csv_options(opts);
    std::ostringstream text;
    l.home.run([&] { outbound::export_csv(*l.list, text, o); });
    *out = obc::dup_string(text.str());
  });
}

}  // extern "C"
