// CSV import reads phone numbers as the campaign's gate will: a number that
// would fail at dial time fails its row at import, with its line, read in the
// region the record will use (region column, zone's country, list region).
#include <doctest/doctest.h>

#include <sstream>

#include "../support/test_support.hpp"
#include "outbound/csv.hpp"
#include "outbound/error.hpp"

using namespace outbound;

namespace {

std::unique_ptr<CallingList> make_list(const obtest::TempDir& dir, const std::vector<std::string>& custom,
                                       std::function<void(ListOptions&)> tune = {}) {
  CallingList::create_table(dir.sqlite(), "calling_list", custom);
  ListOptions o;
  if (tune) tune(o);
  return CallingList::open(dir.sqlite(), o);
}

const CsvRowError* error_on(const ImportReport& r, std::size_t line) {
  for (const auto& e : r.errors)
    if (e.line == line) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("CSV import refuses numbers that will fail at dial time, by line, in the region each record will use") {
  obtest::TempDir dir;
  auto list = make_list(dir, {"region VARCHAR(8)"}, [](ListOptions& o) { o.region_column = "region"; });
  CsvOptions opt;
  opt.zones.add("02", "Europe/London");  // tz_dbid 2, written as the campaign's map may write it
  opt.zones.add(1, "America/New_York");
  std::istringstream in(
      "record_id,contact_info,tz_dbid,region,contact_info_type\n"
      "1,020 7946 0018,1,,\n"         // 2: a London number under US: too long at dial time
      "2,020 7946 0018,2,,\n"         // 3: tz_dbid 2 is Europe/London: GB
      "3,020 7946 0018,1,GB,\n"       // 4: its region column says GB
      "4,911,1,,\n"                   // 5: an emergency number
      "5,+1 (212) 555-0100; DROP,1,,\n"
      "6," + std::string(30000, '5') + ",1,,\n"  // 7: 30,000 digits
      "7,(212) 555-0100,1,,\n"        // 8: fine
      "8,someone@example.com,1,,10\n" // 9: an e-mail address is not a phone number
      "9,020 7946 0018,3,,\n");       // 10: an unmapped zone: the list's region (US)
  auto report = import_csv(*list, in, opt);
  CHECK(report.data_rows == 9);
  CHECK(report.imported == 4);
  REQUIRE(report.errors.size() == 5);
  REQUIRE(error_on(report, 2));
  CHECK(error_on(report, 2)->record_id == 1);
  CHECK(error_on(report, 2)->reason == "contact_info: phone number \"020 7946 0018\": too long");
  CHECK(error_on(report, 5)->reason.find("emergency") != std::string::npos);
  CHECK(error_on(report, 6)->reason.find("not a phone number") != std::string::npos);
  CHECK(error_on(report, 7)->reason.find("(30000 characters): longer than the 64") != std::string::npos);
  CHECK(error_on(report, 7)->reason.size() < 200);
  CHECK(error_on(report, 10)->reason.find("too long") != std::string::npos);
  CHECK(list->get(2).has_value());
  CHECK(list->get(3).has_value());
  CHECK(list->get(7).has_value());
  CHECK(list->get(8).has_value());
  CHECK_FALSE(list->get(1).has_value());
}

TEST_CASE("CSV import reads national numbers in the list's phone_region, or a zone column's country") {
  obtest::TempDir dir;
  auto gb = make_list(dir, {}, [](ListOptions& o) { o.phone_region = "GB"; });
  std::istringstream in("record_id,contact_info\n1,020 7946 0018\n2,999\n");
  auto report = import_csv(*gb, in);
  CHECK(report.imported == 1);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].line == 3);
  CHECK(report.errors[0].reason.find("emergency service in GB") != std::string::npos);

  obtest::TempDir dir2;
  auto zoned = make_list(dir2, {"tz_name VARCHAR(64)"}, [](ListOptions& o) { o.zone_column = "tz_name"; });
  std::istringstream in2("record_id,contact_info,tz_name\n1,020 7946 0018,Europe/London\n2,020 7946 0019,America/Chicago\n");
  auto r2 = import_csv(*zoned, in2);
  CHECK(r2.imported == 1);
  REQUIRE(r2.errors.size() == 1);
  CHECK(r2.errors[0].record_id == 2);
}
