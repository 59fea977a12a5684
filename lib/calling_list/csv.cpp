// CSV import and export of calling lists (RFC 4180: quoted fields may hold
// delimiters, doubled quotes and line breaks; lines end in CRLF or LF).
//
// Import validates each row with the same decoder that reads table rows
// (row_codec), so a CSV row and a table row are judged by one set of rules.
#include "outbound/csv.hpp"

#include <algorithm>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <set>
#include <unordered_map>

#include "outbound/dnc.hpp"
#include "outbound/error.hpp"
#include "row_codec.hpp"
#include "schema.hpp"

namespace outbound {
namespace {

// One record of the file: its fields, the line it starts on, and what made it
// unreadable (empty when it was read fine).
struct CsvRecord {
  std::vector<std::string> fields;
  std::vector<bool> quoted;
  std::size_t line = 0;
  bool blank = false;
  std::string error;
};

// Reads RFC 4180 records one at a time, counting physical lines.
class CsvReader {
 public:
  CsvReader(std::istream& in, char delimiter) : buf_(in.rdbuf()), delim_(delimiter) { skip_bom(); }

  // The next record, or false at the end of the input.
  bool next(CsvRecord& rec) {
    rec = CsvRecord{};
    rec.line = line_;
    int c = peek();
    if (c == kEof) return false;
    if (c == '\r' || c == '\n') {
      rec.blank = true;
      end_line();
      return true;
    }
    for (;;) {
      std::string field;
      bool quoted = peek() == '"';
      bool ok = quoted ? read_quoted(field, rec) : read_plain(field, rec);
      rec.fields.push_back(std::move(field));
      rec.quoted.push_back(quoted);
      if (!ok) {
        skip_rest_of_line();
        return true;
      }
      if (peek() == delim_) {
        get();
        continue;
      }
      end_line();
      return true;
    }
  }

 private:
  static constexpr int kEof = std::char_traits<char>::eof();

  int peek() { return buf_ ? buf_->sgetc() : kEof; }
  int get() { return buf_ ? buf_->sbumpc() : kEof; }

  void skip_bom() {
    if (peek() != 0xEF) return;
    std::string bom;
    for (int i = 0; i < 3 && peek() != kEof; ++i) bom += static_cast<char>(get());
    if (bom != "\xEF\xBB\xBF")  // not a BOM after all: push the bytes back
      for (auto it = bom.rbegin(); it != bom.rend(); ++it) buf_->sputbackc(*it);
  }

  // Consumes one line ending (CRLF, LF or CR) if there is one.
  void end_line() {
    int c = peek();
    if (c == '\r') {
      get();
      if (peek() == '\n') get();
      ++line_;
    } else if (c == '\n') {
      get();
      ++line_;
    }
  }

  void skip_rest_of_line() {
    while (peek() != kEof && peek() != '\n' && peek() != '\r') get();
    end_line();
  }

  bool read_plain(std::string& field, CsvRecord& rec) {
    for (int c = peek(); c != kEof && c != delim_ && c != '\r' && c != '\n'; c = peek()) {
      if (c == '"') {
        rec.error = "a quote inside an unquoted field (quote the whole field and double the quote)";
        return false;
      }
      field += static_cast<char>(get());
    }
    return true;
  }

  bool read_quoted(std::string& field, CsvRecord& rec) {
    get();  // the opening quote
    for (;;) {
      int c = get();
      if (c == kEof) {
        rec.error = "a quoted field is not closed before the end of the file";
        return false;
      }
      if (c == '"') {
        if (peek() == '"') {
          field += static_cast<char>(get());
          continue;
        }
        int after = peek();
        if (after == kEof || after == delim_ || after == '\r' || after == '\n') return true;
        rec.error = "text after the closing quote of a field";
        return false;
      }
      if (c == '\n' || (c == '\r' && peek() != '\n')) ++line_;
      field += static_cast<char>(c);
    }
  }

  std::streambuf* buf_;
  char delim_;
  std::size_t line_ = 1;
};

std::string lower_trimmed(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Which list column each CSV column fills (an index into the TextRow).
std::vector<std::size_t> map_header(const CsvRecord& header, const std::vector<std::string>& custom) {
  if (!header.error.empty()) throw Error(ErrorCode::invalid_argument, "CSV header (line 1): " + header.error);
  std::vector<std::size_t> targets;
  std::vector<std::string> unknown, repeated;
  std::set<std::string> seen;
  for (const auto& raw : header.fields) {
    std::string name = lower_trimmed(raw);
    int m = detail::mandatory_index(name);
    auto c = std::find(custom.begin(), custom.end(), name);
    if (m < 0 && c == custom.end()) unknown.push_back("\"" + raw + "\"");
    if (!seen.insert(name).second) repeated.push_back(name);
    targets.push_back(m >= 0 ? static_cast<std::size_t>(m)
                             : mandatory_columns().size() + static_cast<std::size_t>(c - custom.begin()));
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  std::string problems;
  if (!unknown.empty()) problems += "unknown columns " + join(unknown) + " (not a column of the list); ";
  if (!repeated.empty()) problems += "columns named twice: " + join(repeated) + "; ";
  for (const char* required : {"record_id", "contact_info"})
    if (!seen.count(required)) problems += std::string("no ") + required + " column; ";
  if (!problems.empty()) {
    problems.resize(problems.size() - 2);
    throw Error(ErrorCode::invalid_argument, "CSV header (line 1): " + problems);
  }
  return targets;
}

// The row a record gets when the file says nothing: a new OCS record.
detail::TextRow default_row(std::size_t ncols, const CsvOptions& o) {
  detail::TextRow row(ncols);
  auto set = [&](const char* col, long long v) {
    row[static_cast<std::size_t>(detail::mandatory_index(col))] = std::to_string(v);
  };
  set("contact_info_type", 1);
  set("record_type", static_cast<int>(RecordType::general));
  set("record_status", static_cast<int>(RecordStatus::ready));
  set("call_result", static_cast<int>(CallResult::unknown));
  set("attempt", 0);
  set("daily_from", o.default_daily_from);
  set("daily_till", o.default_daily_till);
  set("tz_dbid", o.default_tz_dbid);
  set("campaign_id", o.default_campaign_id);
  set("chain_n", 1);
  for (const char* c : {"group_id", "app_id", "media_ref", "email_template_id", "switch_id"}) set(c, 0);
  for (const char* c : {"agent_id", "treatments", "email_subject"})
    row[static_cast<std::size_t>(detail::mandatory_index(c))] = std::string();
  return row;
}

// Imports rows in batches; rows whose batch fails are retried one by one so
// the database's own reason reaches the report.
class Importer {
 public:
  Importer(CallingList& list, const CsvOptions& o) : list_(list), opt_(o) {
    // tz_dbid keys in one spelling, as the campaign reads them ("01" is 1).
    for (const auto& key : o.zones.keys()) zones_.add(canonical_tz_dbid_key(key), o.zones.zone_name(key));
  }

  ImportReport run(std::istream& in) {
    CsvReader reader(in, opt_.delimiter);
    CsvRecord rec;
    if (!reader.next(rec) || rec.blank) throw Error(ErrorCode::invalid_argument, "CSV file has no header row on line 1");
    targets_ = map_header(rec, list_.custom_fields());
    ncols_ = mandatory_columns().size() + list_.custom_fields().size();
    defaults_ = default_row(ncols_, opt_);
    while (reader.next(rec)) {
      if (rec.blank) {
        ++report_.blank_lines;
        continue;
      }
      ++report_.data_rows;
      take(rec);
      if (batch_.size() >= std::max<std::size_t>(1, opt_.batch_size)) flush();
    }
    flush();
    std::stable_sort(report_.errors.begin(), report_.errors.end(),
                     [](const CsvRowError& a, const CsvRowError& b) { return a.line < b.line; });
    return report_;
  }

 private:
  struct Pending {
    std::size_t line;
    Record record;
  };

  void reject(std::size_t line, std::int64_t id, std::string reason) {
    report_.errors.push_back({line, id, std::move(reason)});
  }

  void take(const CsvRecord& rec) {
    if (!rec.error.empty()) return reject(rec.line, 0, rec.error);
    if (rec.fields.size() != targets_.size())
      return reject(rec.line, 0, "has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                                     std::to_string(targets_.size()));
    auto row = defaults_;
    for (std::size_t i = 0; i < rec.fields.size(); ++i) fill(row, targets_[i], rec.fields[i]);
    const auto id_col = static_cast<std::size_t>(detail::mandatory_index("record_id"));
    const auto chain_col = static_cast<std::size_t>(detail::mandatory_index("chain_id"));
    if (!row[id_col]) return reject(rec.line, 0, "record_id is empty");
    if (!row[chain_col]) row[chain_col] = row[id_col];  // each record its own chain
    auto decoded = detail::decode_row(row, list_.custom_fields());
    std::int64_t id = detail::row_record_id(row);
    if (!decoded.error.empty()) return reject(rec.line, id, decoded.error);
    if (auto why = phone_problem(decoded.record); !why.empty()) return reject(rec.line, id, why);
    auto [it, fresh] = first_line_.emplace(id, rec.line);
    if (!fresh)
      return reject(rec.line, id, "duplicate record_id " + std::to_string(id) + " (first on line " +
                                      std::to_string(it->second) + ")");
    batch_.push_back({rec.line, std::move(decoded.record)});
  }

  // What the campaign's gate would say of the number, in the region the
  // record will use; empty when it will dial. E-mail and chat addresses are not numbers.
  std::string phone_problem(const Record& r) const {
    if (r.contact_info_type == ContactInfoType::email || r.contact_info_type == ContactInfoType::instant_messaging) return {};
    const auto& o = list_.options();
    std::string zone_country;
    if (!o.zone_column.empty()) {
      if (auto it = r.custom.find(o.zone_column); it != r.custom.end()) zone_country = country_of_zone(it->second);
    } else {
      zone_country = zones_.country(std::to_string(r.tz_dbid));
    }
    std::string why;
    if (normalizer_.key(r.contact_info, record_phone_region(r, o.region_column, zone_country, o.phone_region, "US"), &why)) return {};
    return "contact_info: " + why;
  }

  // An empty cell keeps the default (NULL for times and custom fields).
  void fill(detail::TextRow& row, std::size_t col, const std::string& cell) {
    bool text = col >= mandatory_columns().size() || detail::is_text_column(mandatory_columns()[col]);
    std::string value = text ? cell : trimmed(cell);
    if (value.empty()) return;
    row[col] = std::move(value);
  }

  void flush() {
    if (batch_.empty()) return;
    std::vector<std::int64_t> ids;
    for (const auto& p : batch_) ids.push_back(p.record.record_id);
    auto existing = list_.existing_ids(ids);
    std::set<std::int64_t> taken(existing.begin(), existing.end());
    std::vector<Pending> good;
    for (auto& p : batch_) {
      if (taken.count(p.record.record_id))
        reject(p.line, p.record.record_id, "record_id " + std::to_string(p.record.record_id) + " is already in the list");
      else
        good.push_back(std::move(p));
    }
    batch_.clear();
    insert(good);
  }

  void insert(std::vector<Pending>& good) {
    if (good.empty()) return;
    std::vector<Record> records;
    for (const auto& p : good) records.push_back(p.record);
    try {
      list_.insert(records);
      report_.imported += records.size();
      return;
    } catch (const Error&) {
      // One row spoils the batch (e.g. a custom value its column's type refuses): find which.
    }
    for (const auto& p : good) {
      try {
        list_.insert({p.record});
        ++report_.imported;
      } catch (const Error& e) {
        reject(p.line, p.record.record_id, e.what());
      }
    }
  }

  CallingList& list_;
  const CsvOptions& opt_;
  PhoneNormalizer normalizer_;
  ZoneMap zones_;
  std::vector<std::size_t> targets_;
  std::size_t ncols_ = 0;
  detail::TextRow defaults_;
  std::unordered_map<std::int64_t, std::size_t> first_line_;
  std::vector<Pending> batch_;
  ImportReport report_;
};

void write_field(std::ostream& out, const std::string& v, char delim) {
  bool quote = v.find_first_of(std::string("\"\r\n") + delim) != std::string::npos;
  if (!quote) {
    out << v;
    return;
  }
  out << '"';
  for (char c : v) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

// Positions (in encode_row order) of the columns to export.
std::vector<std::size_t> export_positions(const std::vector<std::string>& names, const std::vector<std::string>& custom) {
  std::vector<std::size_t> pos;
  for (const auto& n : names) {
    int m = detail::mandatory_index(n);
    auto c = std::find(custom.begin(), custom.end(), n);
    if (m < 0 && c == custom.end()) throw Error(ErrorCode::invalid_argument, "cannot export column \"" + n + "\": not a column of the list");
    pos.push_back(m >= 0 ? static_cast<std::size_t>(m) : mandatory_columns().size() + static_cast<std::size_t>(c - custom.begin()));
  }
  return pos;
}

}  // namespace

ImportReport import_csv(CallingList& list, std::istream& in, const CsvOptions& options) {
  if (options.delimiter == '"' || options.delimiter == '\r' || options.delimiter == '\n')
    throw Error(ErrorCode::invalid_argument, "CSV delimiter cannot be a quote or a line break");
  return Importer(list, options).run(in);
}

ImportReport import_csv(CallingList& list, const std::string& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::not_found, "cannot open CSV file \"" + path + "\"");
  return import_csv(list, in, options);
}

std::size_t export_csv(CallingList& list, std::ostream& out, const CsvOptions& options) {
  const auto& custom = list.custom_fields();
  std::vector<std::string> names = options.columns;
  if (names.empty()) {
    names = mandatory_columns();
    names.insert(names.end(), custom.begin(), custom.end());
  }
  auto positions = export_positions(names, custom);
  const char* eol = options.crlf ? "\r\n" : "\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out << options.delimiter;
    write_field(out, names[i], options.delimiter);
  }
  out << eol;
  std::size_t count = 0;
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  for (;;) {
    auto page = list.page(after, 1000);
    if (page.empty()) break;
    for (const auto& r : page) {
      auto row = detail::encode_row(r, custom);
      for (std::size_t i = 0; i < positions.size(); ++i) {
        if (i) out << options.delimiter;
        write_field(out, row[positions[i]].value_or(std::string()), options.delimiter);
      }
      out << eol;
    }
    count += page.size();
    after = page.back().record_id;
  }
  if (!out) throw Error(ErrorCode::generic, "writing the CSV export failed");
  return count;
}

std::size_t export_csv(CallingList& list, const std::string& path, const CsvOptions& options) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::invalid_argument, "cannot create CSV file \"" + path + "\"");
  return export_csv(list, out, options);
}

}  // namespace outbound
