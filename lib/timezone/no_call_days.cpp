// No-call days in each zone's local dates, through date/tz (the OS tz database).
#include "no_call_days.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>

#include "outbound/error.hpp"

namespace outbound::detail {
namespace {

constexpr std::array<const char*, 7> kWeekdays{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const date::time_zone* zone_named(const std::string& iana, const std::string& entry) {
  try {
    return date::locate_zone(iana);
  } catch (const std::exception&) {
    throw Error(ErrorCode::invalid_argument, "no-call day \"" + entry + "\": \"" + iana +
                                                 "\" is no time zone of the tz database (e.g. America/New_York)");
  }
}

// "2026-12-25" as days since 1970-01-01, or nullopt when it is no real date.
std::optional<long> parse_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  date::year_month_day ymd{date::year{std::stoi(s.substr(0, 4))}, date::month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
                           date::day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<long>(date::sys_days(ymd).time_since_epoch().count());
}

// `t`'s local date in `zone`: days since 1970-01-01 and the weekday (0 Sunday).
std::pair<long, unsigned> local_day(const date::time_zone* zone, Time t) {
  auto local = date::floor<date::days>(zone->to_local(std::chrono::floor<std::chrono::seconds>(t)));
  return {static_cast<long>(local.time_since_epoch().count()), date::weekday(local).c_encoding()};
}

}  // namespace

NoCallDays::NoCallDays(const std::vector<std::string>& entries) {
  for (const auto& entry : entries) {
    std::string zone, day = entry;
    if (auto colon = entry.rfind(':'); colon != std::string::npos) {
      zone = entry.substr(0, colon);
      day = entry.substr(colon + 1);
      zone_named(zone, entry);
    }
    if (auto d = parse_date(day)) {
      dates_.insert({zone, *d});
      continue;
    }
    auto wd = std::find(kWeekdays.begin(), kWeekdays.end(), day);
    if (wd == kWeekdays.end())
      throw Error(ErrorCode::invalid_argument, "no-call day \"" + entry +
                                                   "\" is no date (YYYY-MM-DD, a local date) or weekday (sun, mon, … sat), "
                                                   "optionally after a zone and a colon (America/New_York:2026-07-04)");
    weekdays_[zone] |= 1u << (wd - kWeekdays.begin());
  }
  const unsigned everywhere = weekdays_.count("") ? weekdays_.at("") : 0u;
  for (const auto& [zone, bits] : weekdays_)
    if ((bits | everywhere) == 0x7f)
      throw Error(ErrorCode::invalid_argument, "no-call days name all seven weekdays" +
                                                   (zone.empty() ? std::string() : " in " + zone) + ": no day is left to call on");
}

bool NoCallDays::is_no_call(const std::string& zone, Time t) const {
  if (empty()) return false;
  auto [day, weekday] = local_day(zone_named(zone, zone), t);
  for (const std::string& z : {std::string(), zone}) {
    if (dates_.count({z, day})) return true;
    auto it = weekdays_.find(z);
    if (it != weekdays_.end() && (it->second >> weekday & 1u)) return true;
  }
  return false;
}

// Each zone on a no-call day moves the candidate to its next local midnight, until none is.
std::optional<Time> NoCallDays::next_allowed(const std::vector<std::string>& zones, Time t) const {
  if (empty()) return t;
  const Time limit = t + std::chrono::hours(24 * 400);
  Time at = t;
  while (at <= limit) {
    auto barred = std::find_if(zones.begin(), zones.end(), [&](const std::string& z) { return is_no_call(z, at); });
    if (barred == zones.end()) return at;
    const auto* zone = zone_named(*barred, *barred);
    auto local = date::floor<date::days>(zone->to_local(std::chrono::floor<std::chrono::seconds>(at)));
    // A midnight inside a DST gap starts the day at the gap's end.
    at = std::chrono::time_point_cast<Duration>(zone->to_sys(local + date::days{1}, date::choose::earliest));
  }
  return std::nullopt;
}

}  // namespace outbound::detail
