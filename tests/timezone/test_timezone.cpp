#include <doctest/doctest.h>

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
