// No-call days (issue 17 item 6) on their own: entries read and refused,
// local dates in each zone (not UTC dates), zone-only days, and the next
// allowed instant across the US spring-forward, checked against date/tz.
#include <doctest/doctest.h>

#include <date/tz.h>

#include "../../lib/timezone/no_call_days.hpp"
#include "../support/test_support.hpp"
#include "outbound/error.hpp"
#include "outbound/sim.hpp"

using namespace outbound;
using detail::NoCallDays;
using namespace std::chrono_literals;

namespace {

Time utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{h} + std::chrono::minutes{min};
}

std::string refusal(const std::vector<std::string>& entries) {
  try {
    NoCallDays days(entries);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("no-call days: entries that are no date, weekday or zone are refused by name") {
  CHECK(refusal({"2026-02-30"}).find("no-call day \"2026-02-30\" is no date") != std::string::npos);
  CHECK(refusal({"Sunday"}).find("\"Sunday\"") != std::string::npos);
  CHECK(refusal({"Mars/Base:2026-01-01"}).find("\"Mars/Base\" is no time zone") != std::string::npos);
  CHECK(refusal({"sun", "mon", "tue", "wed", "thu", "fri", "sat"}).find("all seven weekdays") != std::string::npos);
  CHECK(refusal({"sun", "mon", "tue", "wed", "thu", "fri", "Europe/London:sat"}).find("in Europe/London") != std::string::npos);
  CHECK(refusal({"2026-12-25", "sun", "America/New_York:2026-07-04"}) == "accepted");
}

TEST_CASE("no-call days: a date is the zone's local date, not the UTC one") {
  NoCallDays days({"2026-12-25"});
  CHECK_FALSE(days.is_no_call("America/New_York", utc(2026, 12, 25, 4)));  // 23:00 on the 24th in New York
  CHECK(days.is_no_call("America/New_York", utc(2026, 12, 25, 6)));
  CHECK(days.is_no_call("Australia/Sydney", utc(2026, 12, 24, 14)));  // 01:00 on the 25th in Sydney
  CHECK_FALSE(days.is_no_call("Australia/Sydney", utc(2026, 12, 25, 14)));
}

TEST_CASE("no-call days: a zone's own day holds in that zone only; weekdays too") {
  NoCallDays days({"America/New_York:2026-07-04", "Europe/London:sun"});
  CHECK(days.is_no_call("America/New_York", utc(2026, 7, 4, 16)));
  CHECK_FALSE(days.is_no_call("Europe/London", utc(2026, 7, 4, 16)));
  CHECK(days.is_no_call("Europe/London", utc(2026, 7, 5, 12)));  // a Sunday
  CHECK_FALSE(days.is_no_call("America/New_York", utc(2026, 7, 5, 12)));
  CHECK(NoCallDays().empty());
  CHECK(NoCallDays().next_allowed({"America/New_York"}, utc(2026, 7, 4, 16)) == utc(2026, 7, 4, 16));
}

TEST_CASE("no-call days: the next allowed instant is a local midnight, across the US spring-forward") {
  NoCallDays days({"2026-03-07", "sun"});  // Saturday 7 March and Sundays; DST starts Sunday 8 March in New York
  // Midnight of Monday 9 March is 04:00 UTC (EDT), not 05:00 as 48 hours after Saturday's midnight (EST) would give.
  CHECK(days.next_allowed({"America/New_York"}, utc(2026, 3, 7, 15)) == utc(2026, 3, 9, 4));
  CHECK(days.next_allowed({"America/New_York"}, utc(2026, 3, 9, 15)) == utc(2026, 3, 9, 15));  // allowed now
  // Two zones: each barred day moves the instant on until neither is barred.
  NoCallDays two({"Europe/London:2026-03-09", "America/New_York:2026-03-10"});
  CHECK(two.next_allowed({"America/New_York", "Europe/London"}, utc(2026, 3, 9, 12)) == utc(2026, 3, 10, 0));
  CHECK(two.next_allowed({"America/New_York", "Europe/London"}, utc(2026, 3, 10, 5)) == utc(2026, 3, 11, 4));
}

TEST_CASE("no-call days property: the next allowed instant is allowed in every zone, and the second before it is not") {
  const std::vector<std::string> zones = {"America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata",
                                          "America/St_Johns", "Pacific/Chatham"};
  NoCallDays days({"sat", "2026-03-08", "2026-04-05", "America/New_York:2026-03-09", "Europe/London:2026-03-29",
                   "Australia/Sydney:mon", "Pacific/Chatham:2026-04-06"});
  sim::Rng rng(17);
  const Time from = utc(2026, 3, 1, 0);
  for (int i = 0; i < 2000; ++i) {
    const Time t = from + std::chrono::minutes(rng.next() % (45 * 24 * 60));
    std::vector<std::string> mine;
    for (const auto& z : zones)
      if (rng.next() % 3 == 0) mine.push_back(z);
    if (mine.empty()) mine.push_back(zones[rng.next() % zones.size()]);
    auto next = days.next_allowed(mine, t);
    REQUIRE(next);
    CHECK(*next >= t);
    for (const auto& z : mine) CHECK_FALSE(days.is_no_call(z, *next));
    if (*next > t) {
      bool barred_before = false;
      for (const auto& z : mine) barred_before = barred_before || days.is_no_call(z, *next - 1s);
      CHECK(barred_before);
    }
  }
}
