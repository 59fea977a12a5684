#include "outbound/timezone.hpp"

#include <algorithm>
#include <cstdlib>
#include <date/tz.h>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "outbound/error.hpp"

namespace outbound {
namespace {

constexpr int kDay = 86400;
constexpr int kShortestWindowS = 15 * 60;  // a campaign window open less than this is a unit mistake
using Zone = const date::time_zone*;

// A window as up to two plain intervals [a, b) within one day.
std::vector<std::pair<int, int>> intervals(const DailyWindow& w) {
  if (w.from_s == w.till_s) return {{0, kDay}};
  if (w.from_s < w.till_s) return {{w.from_s, w.till_s}};
  return {{0, w.till_s}, {w.from_s, kDay}};
}

std::vector<DailyWindow> intersect(const DailyWindow& a, const DailyWindow& b) {
  std::vector<DailyWindow> out;
  for (auto [a0, a1] : intervals(a))
    for (auto [b0, b1] : intervals(b)) {
      int lo = std::max(a0, b0), hi = std::min(a1, b1);
      if (lo < hi) out.push_back({lo, hi});
    }
  return out;
}

int zone_second(Zone zone, Time t) {
  auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(t));
  return static_cast<int>((local - date::floor<date::days>(local)).count());
}

bool open_in(Zone zone, const std::vector<DailyWindow>& windows, Time t) {
  int s = zone_second(zone, t);
  return std::any_of(windows.begin(), windows.end(), [s](const DailyWindow& w) { return window_contains(w, s); });
}

// The first instant at or after `t` whose local second in `zone` is inside `w` (two days ahead at most).
std::optional<Time> zone_next_open(Zone zone, const DailyWindow& w, Time t) {
  if (window_contains(w, zone_second(zone, t))) return t;
  auto midnight = date::floor<date::days>(zone->to_local(std::chrono::floor<std::chrono::seconds>(t)));
  std::optional<Time> best;
  for (int d = 0; d <= 2 && !best; ++d)
    for (auto [a, b] : intervals(w)) {
      (void)b;
      // A start inside a DST gap maps to the gap's end; in an overlap, the first one.
      auto sys = zone->to_sys(midnight + date::days{d} + std::chrono::seconds{a}, date::choose::earliest);
      Time candidate = std::chrono::time_point_cast<Duration>(sys);
      if (candidate > t && (!best || candidate < *best)) best = candidate;
    }
  return best;
}

std::optional<Time> zone_next_open(Zone zone, const std::vector<DailyWindow>& windows, Time t) {
  std::optional<Time> best;
  for (const auto& w : windows)
    if (auto n = zone_next_open(zone, w, t); n && (!best || *n < *best)) best = n;
  return best;
}

// The first instant at or after `t` open in every zone: each closed zone in
// turn moves the candidate to its own next opening, until all agree.
std::optional<Time> all_next_open(const std::vector<Zone>& zones, const std::vector<DailyWindow>& windows, Time t) {
  if (zones.empty() || windows.empty()) return std::nullopt;
  const Time limit = t + std::chrono::hours(72);
  Time at = t;
  while (at <= limit) {
    auto closed = std::find_if(zones.begin(), zones.end(), [&](Zone z) { return !open_in(z, windows, at); });
    if (closed == zones.end()) return at;
    auto next = zone_next_open(*closed, windows, at);
    if (!next || *next <= at) return std::nullopt;
    at = *next;
  }
  return std::nullopt;
}

Zone find_zone(const std::string& iana) {
  try {
    return date::locate_zone(iana);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// The built-in prefix map (tools/gen_number_zones.py).
struct NumberPrefix {
  int digits;
  std::uint64_t prefix;
  std::uint16_t set;
};
#include "number_zones_data.inc"

// zone.tab: "CC<TAB>coordinates<TAB>Zone/Name…", one line a zone.
std::unordered_map<std::string, std::string> read_zone_countries() {
  std::unordered_map<std::string, std::string> out;
  const char* dir = std::getenv("TZDIR");
  std::ifstream in(std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/zone.tab");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string cc, coords, zone;
    if (std::getline(fields, cc, '\t') && std::getline(fields, coords, '\t') && std::getline(fields, zone, '\t'))
      out.emplace(zone, cc);
  }
  return out;
}

}  // namespace

std::vector<std::string> zones_of_number(std::uint64_t e164_digits) {
  int n = 0;
  for (std::uint64_t v = e164_digits; v; v /= 10) ++n;
  const auto* begin = std::begin(kPrefixes);
  const auto* end = std::end(kPrefixes);
  for (int len = std::min(n, 8); len >= 1; --len) {
    std::uint64_t prefix = e164_digits;
    for (int k = 0; k < n - len; ++k) prefix /= 10;
    auto it = std::lower_bound(begin, end, NumberPrefix{len, prefix, 0}, [](const NumberPrefix& a, const NumberPrefix& b) {
      return a.digits != b.digits ? a.digits < b.digits : a.prefix < b.prefix;
    });
    if (it == end || it->digits != len || it->prefix != prefix) continue;
    std::vector<std::string> out;
    for (std::uint16_t i = 0; i < kZoneSets[it->set]; ++i) out.emplace_back(kZoneNames[kZoneSets[it->set + 1 + i]]);
    return out;
  }
  return {};
}

std::string country_of_zone(const std::string& iana) {
  static const auto countries = read_zone_countries();
  if (auto it = countries.find(iana); it != countries.end()) return it->second;
  // A link ("US/Eastern") names its target zone.
  if (Zone z = find_zone(iana); z && z->name() != iana)
    if (auto it = countries.find(std::string(z->name())); it != countries.end()) return it->second;
  return {};
}

std::string canonical_tz_dbid_key(const std::string& key) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(key, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != key.size() || key.find_first_of(" \t") != std::string::npos)
    throw Error(ErrorCode::invalid_argument, "zone key \"" + key + "\" is not a tz_dbid (an integer)");
  return std::to_string(v);
}

bool window_contains(const DailyWindow& w, int s) noexcept {
  if (w.from_s == w.till_s) return true;
  if (w.from_s < w.till_s) return w.from_s <= s && s < w.till_s;
  return s >= w.from_s || s < w.till_s;
}

struct ZoneMap::Impl {
  std::map<std::string, Zone> zones;
};

ZoneMap::ZoneMap() : impl_(std::make_unique<Impl>()) {}
ZoneMap::~ZoneMap() = default;
ZoneMap::ZoneMap(const ZoneMap& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
ZoneMap& ZoneMap::operator=(const ZoneMap& o) {
  impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
ZoneMap::ZoneMap(ZoneMap&&) noexcept = default;
ZoneMap& ZoneMap::operator=(ZoneMap&&) noexcept = default;

bool ZoneMap::is_known_zone(const std::string& iana) { return find_zone(iana) != nullptr; }

void ZoneMap::add(const std::string& key, const std::string& iana) {
  Zone z = find_zone(iana);
  if (!z)
    throw Error(ErrorCode::invalid_argument, "unknown time zone \"" + iana + "\" for zone key \"" + key +
                                                 "\" (not in the tz database)");
  impl_->zones[key] = z;
}

bool ZoneMap::contains(const std::string& key) const { return impl_->zones.count(key) != 0; }

std::vector<std::string> ZoneMap::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, z] : impl_->zones) out.push_back(k);
  return out;
}

std::string ZoneMap::zone_name(const std::string& key) const {
  auto it = impl_->zones.find(key);
  return it == impl_->zones.end() ? std::string() : std::string(it->second->name());
}

std::string ZoneMap::country(const std::string& key) const {
  auto it = impl_->zones.find(key);
  return it == impl_->zones.end() ? std::string() : country_of_zone(std::string(it->second->name()));
}

std::optional<int> ZoneMap::local_second(const std::string& key, Time t) const {
  auto it = impl_->zones.find(key);
  if (it == impl_->zones.end()) return std::nullopt;
  return zone_second(it->second, t);
}

std::optional<Time> ZoneMap::next_open(const std::string& key, const DailyWindow& w, Time t) const {
  auto it = impl_->zones.find(key);
  if (it == impl_->zones.end()) return std::nullopt;
  return zone_next_open(it->second, w, t);
}

CallingWindows::CallingWindows() = default;

namespace {

std::string clock_time(int s) {
  auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  return two(s / 3600) + ":" + two(s % 3600 / 60);
}

// A record's window with from == till means "no window of its own", but a
// campaign window that opens and closes at the same time is a mistake that
// would open the campaign all day (a record was dialed at 01:00): refused.
void check_campaign_window(const DailyWindow& w) {
  if (w.from_s < 0 || w.from_s > 86400 || w.till_s < 0 || w.till_s > 86400)
    throw Error(ErrorCode::invalid_argument, "the campaign calling window must lie in [0, 86400] seconds after local midnight (got " +
                                                 std::to_string(w.from_s) + "-" + std::to_string(w.till_s) + ")");
  if (w.from_s == w.till_s)
    throw Error(ErrorCode::invalid_argument, "the campaign calling window opens and closes at the same time (" +
                                                 clock_time(w.from_s) + "-" + clock_time(w.till_s) +
                                                 "): give the hours it is open, e.g. 08:00-21:00 (00:00-24:00 for the whole day)");
  // (8, 21) is 8 s to 21 s after midnight: no call all day, and nothing would say why.
  const int open_s = w.till_s > w.from_s ? w.till_s - w.from_s : w.till_s - w.from_s + kDay;
  if (w.from_s <= 24 && w.till_s <= 24)
    throw Error(ErrorCode::invalid_argument, "the campaign calling window " + std::to_string(w.from_s) + "-" + std::to_string(w.till_s) +
                                                 " looks like hours: give seconds after local midnight (" +
                                                 std::to_string(w.from_s * 3600) + "-" + std::to_string(w.till_s * 3600) + ")");
  if (open_s < kShortestWindowS)
    throw Error(ErrorCode::invalid_argument, "the campaign calling window " + clock_time(w.from_s) + "-" + clock_time(w.till_s) +
                                                 " (" + std::to_string(w.from_s) + "-" + std::to_string(w.till_s) + " s) is open only " +
                                                 std::to_string(open_s) + " s: give seconds after local midnight, e.g. 28800-75600 for 08:00-21:00");
}

}  // namespace

CallingWindows::CallingWindows(ZoneMap zones, std::optional<DailyWindow> campaign_window, std::string zone_column)
    : enabled_(true), campaign_window_(campaign_window), zone_column_(std::move(zone_column)) {
  if (campaign_window_) check_campaign_window(*campaign_window_);
  if (!zone_column_.empty()) {
    zones_ = std::move(zones);
    return;
  }
  // tz_dbid keys in one spelling: SQL compares tz_dbid as a number, so "01"
  // selects the records of tz_dbid 1, whose key the gate then looks up as "1".
  for (const auto& key : zones.keys()) {
    std::string canonical = canonical_tz_dbid_key(key);
    std::string name = zones.zone_name(key);
    if (zones_.contains(canonical) && zones_.zone_name(canonical) != name)
      throw Error(ErrorCode::invalid_argument, "zone keys \"" + key + "\" and another spelling of tz_dbid " + canonical +
                                                   " map to different zones (" + name + ", " + zones_.zone_name(canonical) + ")");
    zones_.add(canonical, name);
  }
}

std::string CallingWindows::zone_key(const Record& r) const {
  if (zone_column_.empty()) return std::to_string(r.tz_dbid);
  auto it = r.custom.find(zone_column_);
  return it == r.custom.end() ? std::string() : it->second;
}

bool CallingWindows::has_mapped_zone(const Record& r) const { return zones_.contains(zone_key(r)); }

std::string CallingWindows::country_of(const Record& r) const { return enabled_ ? zones_.country(zone_key(r)) : std::string(); }

std::vector<std::string> CallingWindows::zones_of(const Record& r, std::uint64_t e164_digits) const {
  if (!enabled_) return {};
  if (auto name = zones_.zone_name(zone_key(r)); !name.empty()) return {name};
  if (!zones_from_numbers_ || e164_digits == 0) return {};
  return zones_of_number(e164_digits);
}

std::vector<DailyWindow> CallingWindows::effective_windows(const Record& r) const {
  DailyWindow own{r.daily_from, r.daily_till};
  if (!campaign_window_) return {own};
  return intersect(own, *campaign_window_);
}

WindowVerdict CallingWindows::check(const Record& r, Time t) const { return check(r, t, 0); }

WindowVerdict CallingWindows::check(const Record& r, Time t, std::uint64_t e164_digits) const {
  if (!enabled_) return WindowVerdict::open;
  auto names = zones_of(r, e164_digits);
  if (names.empty()) return WindowVerdict::unknown_zone;
  const auto windows = effective_windows(r);
  for (const auto& name : names) {
    Zone z = find_zone(name);
    if (!z) return WindowVerdict::unknown_zone;
    if (!open_in(z, windows, t)) return WindowVerdict::closed;
  }
  return WindowVerdict::open;
}

std::optional<Time> CallingWindows::next_open(const Record& r, Time t) const { return next_open(r, t, 0); }

std::optional<Time> CallingWindows::next_open(const Record& r, Time t, std::uint64_t e164_digits) const {
  if (!enabled_) return t;
  std::vector<Zone> zones;
  for (const auto& name : zones_of(r, e164_digits)) {
    Zone z = find_zone(name);
    if (!z) return std::nullopt;
    zones.push_back(z);
  }
  return all_next_open(zones, effective_windows(r), t);
}

std::vector<ZoneNow> CallingWindows::zones_open_now(Time t) const {
  std::vector<ZoneNow> out;
  for (const auto& key : zones_.keys()) {
    int s = *zones_.local_second(key, t);
    if (!campaign_window_ || window_contains(*campaign_window_, s)) out.push_back({key, s});
  }
  return out;
}

}  // namespace outbound
