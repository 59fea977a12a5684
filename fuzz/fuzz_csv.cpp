// Fuzz target: CSV import (outbound::import_csv) into an in-memory SQLite list.
// Properties: no crash; an unusable header is an outbound::Error and nothing
// else escapes; data_rows == imported + errors; error lines increase; and what
// was imported survives a round trip: exported, imported into a fresh list
// without errors, and exported again to the same text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "outbound/calling_list.hpp"
#include "outbound/csv.hpp"
#include "outbound/error.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_csv: %s %s\n", what, detail.c_str());
  std::abort();
}

std::unique_ptr<outbound::CallingList> memory_list() {
  outbound::ListOptions o;
  o.create_if_missing = true;
  return outbound::CallingList::open("sqlite3://:memory:", o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char kDelimiters[] = {',', ';', '\t', '|'};
  outbound::CsvOptions options;
  options.delimiter = kDelimiters[data[0] % 4];
  options.batch_size = 1 + (data[0] >> 2) % 5;
  options.crlf = (data[0] & 0x80) != 0;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto list = memory_list();
  outbound::ImportReport report;
  try {
    std::istringstream in(text);
    report = outbound::import_csv(*list, in, options);
  } catch (const outbound::Error&) {
    return 0;  // an unusable header: the whole file is refused
  }
  if (report.data_rows != report.imported + report.errors.size()) fail("data_rows != imported + errors");
  std::size_t last = 1;
  for (const auto& e : report.errors) {
    if (e.line <= last || e.reason.empty()) fail("error lines out of order or without reason", e.reason);
    last = e.line;
  }
  const auto records = list->all();
  if (records.size() != report.imported) fail("imported count differs from the rows in the table");

  std::ostringstream first;
  outbound::export_csv(*list, first, options);
  auto copy = memory_list();
  std::istringstream again(first.str());
  auto second_report = outbound::import_csv(*copy, again, options);
  if (!second_report.errors.empty())
    fail("an exported file does not import cleanly:", second_report.errors.front().reason + "\n" + first.str());
  if (second_report.imported != records.size()) fail("round trip lost records");
  std::ostringstream second;
  outbound::export_csv(*copy, second, options);
  if (second.str() != first.str()) fail("round trip changed the text:", first.str() + "\n---\n" + second.str());
  return 0;
}
