#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "outbound/error.hpp"
#include "outbound/timezone.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {
Time utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{h} + std::chrono::minutes{min};
}
}  // namespace

TEST_CASE("local seconds follow DST in New York") {
  ZoneMap z;
  z.add(1, "America/New_York");
  CHECK(z.local_second("1", utc(2026, 1, 15, 13)) == 8 * 3600);  // EST: UTC-5
  CHECK(z.local_second("1", utc(2026, 7, 15, 12)) == 8 * 3600);  // EDT: UTC-4
}

TEST_CASE("unknown zones are refused with the name") {
  ZoneMap z;
  CHECK_THROWS_WITH_AS(z.add(9, "Mars/Olympus"), doctest::Contains("Mars/Olympus"), Error);
  CHECK_FALSE(ZoneMap::is_known_zone("Mars/Olympus"));
  CHECK(ZoneMap::is_known_zone("Europe/London"));
}

TEST_CASE("a record's window is its zone's wall clock, narrowed by the campaign window") {
  ZoneMap z;
  z.add(1, "America/New_York");
  CallingWindows w(z, DailyWindow{8 * 3600, 21 * 3600});
  Record r;
  r.tz_dbid = 1;
  r.daily_from = 9 * 3600;
  r.daily_till = 23 * 3600;
  CHECK(w.check(r, utc(2026, 7, 15, 12, 30)) == WindowVerdict::closed);  // 08:30 EDT: before the record's 09:00
  CHECK(w.check(r, utc(2026, 7, 15, 13, 0)) == WindowVerdict::open);     // 09:00
  CHECK(w.check(r, utc(2026, 7, 16, 0, 59)) == WindowVerdict::open);     // 20:59
  CHECK(w.check(r, utc(2026, 7, 16, 1, 0)) == WindowVerdict::closed);    // 21:00: campaign window closes
  r.tz_dbid = 5;
  CHECK(w.check(r, utc(2026, 7, 15, 13)) == WindowVerdict::unknown_zone);
}

TEST_CASE("windows that wrap past midnight") {
  DailyWindow w{22 * 3600, 2 * 3600};
  CHECK(window_contains(w, 23 * 3600));
  CHECK(window_contains(w, 3600));
  CHECK_FALSE(window_contains(w, 12 * 3600));
  CHECK(window_contains(DailyWindow{5, 5}, 12345));  // equal ends: the whole day
}

TEST_CASE("next_open finds tomorrow's opening across the spring-forward gap") {
  ZoneMap z;
  z.add(1, "America/New_York");
  // 2026-03-08 is the US spring-forward day: 02:00 EST jumps to 03:00 EDT.
  auto t = utc(2026, 3, 8, 3);  // 22:00 EST on March 7
  auto n = z.next_open("1", DailyWindow{8 * 3600, 21 * 3600}, t);
  REQUIRE(n.has_value());
  CHECK(*n == utc(2026, 3, 8, 12));  // 08:00 EDT = 12:00 UTC
  // A window opening inside the gap opens when the gap ends.
  auto g = z.next_open("1", DailyWindow{2 * 3600 + 1800, 5 * 3600}, utc(2026, 3, 8, 5));
  REQUIRE(g.has_value());
  CHECK(*g == utc(2026, 3, 8, 7));  // 03:00 EDT
}

TEST_CASE("zones open now lists only zones inside the campaign window") {
  ZoneMap z;
  z.add(1, "America/New_York");
  z.add(4, "America/Los_Angeles");
  CallingWindows w(z, DailyWindow{8 * 3600, 21 * 3600});
  auto open = w.zones_open_now(utc(2026, 7, 15, 13));  // 09:00 New York, 06:00 Los Angeles
  REQUIRE(open.size() == 1);
  CHECK(open[0].key == "1");
  CHECK(open[0].local_second == 9 * 3600);
}

TEST_CASE("tz_dbid zone keys have one spelling: \"01\" is tz_dbid 1, \"1abc\" is refused") {
  ZoneMap z;
  z.add("01", "America/New_York");
  z.add("+4", "America/Los_Angeles");
  CallingWindows w(z, DailyWindow{8 * 3600, 21 * 3600});
  CHECK(w.zones().contains("1"));
  CHECK(w.zones().contains("4"));
  CHECK_FALSE(w.zones().contains("01"));
  Record r;
  r.tz_dbid = 1;
  CHECK(w.check(r, utc(2026, 7, 15, 13)) == WindowVerdict::open);  // SQL selects tz_dbid 1 for "01": so must the gate
  ZoneMap bad;
  bad.add("1abc", "America/New_York");
  CHECK_THROWS_WITH_AS(CallingWindows(bad, std::nullopt), doctest::Contains("\"1abc\" is not a tz_dbid"), Error);
  ZoneMap twice;
  twice.add("1", "America/New_York");
  twice.add("01", "Europe/London");
  CHECK_THROWS_WITH_AS(CallingWindows(twice, std::nullopt), doctest::Contains("map to different zones"), Error);
  ZoneMap same;
  same.add("1", "America/New_York");
  same.add("001", "America/New_York");
  CHECK(CallingWindows(same, std::nullopt).zones().keys().size() == 1);
  // A zone column holds zone names: its keys stay as written.
  ZoneMap names;
  names.add("Europe/London", "Europe/London");
  CHECK(CallingWindows(names, std::nullopt, "tz_name").zones().contains("Europe/London"));
}

TEST_CASE("zones of a number come from libphonenumber's prefix map") {
  CHECK(zones_of_number(12125550100ULL) == std::vector<std::string>{"America/New_York"});
  CHECK(zones_of_number(13105550100ULL) == std::vector<std::string>{"America/Los_Angeles"});
  auto uk = zones_of_number(442079460018ULL);
  CHECK(std::find(uk.begin(), uk.end(), "Europe/London") != uk.end());
  auto au = zones_of_number(61255550100ULL);  // +61 2: New South Wales and the ACT
  CHECK(std::find(au.begin(), au.end(), "Australia/Sydney") != au.end());
  CHECK(zones_of_number(19999999999ULL).size() > 10);  // an unknown NANP area code: every +1 zone
  CHECK(zones_of_number(0).empty());
}

TEST_CASE("every zone of the prefix map is in the tz database, and countries come from zone.tab") {
  std::set<std::string> all;
  for (std::uint64_t cc = 1; cc <= 999; ++cc)
    for (auto& z : zones_of_number(cc * 1000000000ULL + 123456789ULL)) all.insert(z);
  CHECK(all.size() > 200);
  for (const auto& z : all) CHECK_MESSAGE(ZoneMap::is_known_zone(z), z);
  CHECK(country_of_zone("Europe/London") == "GB");
  CHECK(country_of_zone("America/New_York") == "US");
  CHECK(country_of_zone("Australia/Sydney") == "AU");
  CHECK(country_of_zone("Etc/UTC").empty());
}

TEST_CASE("a record without a mapped zone is checked in every zone of its number") {
  ZoneMap z;
  z.add(1, "America/New_York");
  CallingWindows w(z, DailyWindow{8 * 3600, 21 * 3600});
  Record r;
  r.tz_dbid = 99;  // not mapped
  r.daily_from = 0;
  r.daily_till = 86400;
  const std::uint64_t sydney = 61255550100ULL, idaho = 12085550100ULL;  // +1 208: Boise and Los Angeles zones
  CHECK(w.check(r, utc(2026, 7, 15, 13)) == WindowVerdict::unknown_zone);  // no number given
  // 2026-07-15 01:00 UTC is 11:00 in Sydney.
  CHECK(w.check(r, utc(2026, 7, 15, 1), sydney) == WindowVerdict::open);
  CHECK(w.check(r, utc(2026, 7, 15, 13), sydney) == WindowVerdict::closed);
  // 15:30 UTC: 09:30 in Boise (MDT), 08:30 in Los Angeles: open in both. 14:30 UTC: 07:30 in LA: closed.
  CHECK(w.check(r, utc(2026, 7, 15, 15, 30), idaho) == WindowVerdict::open);
  CHECK(w.check(r, utc(2026, 7, 15, 14, 30), idaho) == WindowVerdict::closed);
  auto n = w.next_open(r, utc(2026, 7, 15, 14, 30), idaho);
  REQUIRE(n.has_value());
  CHECK(*n == utc(2026, 7, 15, 15));  // 08:00 in Los Angeles, the later of the two openings
  w.set_zones_from_numbers(false);
  CHECK(w.check(r, utc(2026, 7, 15, 15, 30), idaho) == WindowVerdict::unknown_zone);
}
