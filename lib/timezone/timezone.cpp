#include "outbound/timezone.hpp"

#include <algorithm>
#include <date/tz.h>

#include "outbound/error.hpp"

namespace outbound {
namespace {

constexpr int kDay = 86400;

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

}  // namespace

bool window_contains(const DailyWindow& w, int s) noexcept {
  if (w.from_s == w.till_s) return true;
  if (w.from_s < w.till_s) return w.from_s <= s && s < w.till_s;
  return s >= w.from_s || s < w.till_s;
}

struct ZoneMap::Impl {
  std::map<std::string, const date::time_zone*> zones;
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

bool ZoneMap::is_known_zone(const std::string& iana) {
  try {
    return date::locate_zone(iana) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

void ZoneMap::add(const std::string& key, const std::string& iana) {
  const date::time_zone* z = nullptr;
  try {
    z = date::locate_zone(iana);
  } catch (const std::exception&) {
    throw Error(ErrorCode::invalid_argument, "unknown time zone \"" + iana + "\" for zone key \"" + key +
                                                 "\" (not in the tz database)");
  }
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

std::optional<int> ZoneMap::local_second(const std::string& key, Time t) const {
  auto it = impl_->zones.find(key);
  if (it == impl_->zones.end()) return std::nullopt;
  auto local = it->second->to_local(std::chrono::floor<std::chrono::seconds>(t));
  auto since_midnight = local - date::floor<date::days>(local);
  return static_cast<int>(since_midnight.count());
}

std::optional<Time> ZoneMap::next_open(const std::string& key, const DailyWindow& w, Time t) const {
  auto it = impl_->zones.find(key);
  if (it == impl_->zones.end()) return std::nullopt;
  const date::time_zone* zone = it->second;
  auto s = local_second(key, t);
  if (window_contains(w, *s)) return t;
  auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(t));
  auto midnight = date::floor<date::days>(local);
  std::optional<Time> best;
  for (int d = 0; d <= 2 && !best; ++d)
    for (auto [a, b] : intervals(w)) {
      auto candidate_local = midnight + date::days{d} + std::chrono::seconds{a};
      // A start inside a DST gap maps to the gap's end; in an overlap, the first one.
      auto sys = zone->to_sys(candidate_local, date::choose::earliest);
      Time candidate = std::chrono::time_point_cast<Duration>(sys);
      if (candidate > t && (!best || candidate < *best)) best = candidate;
      (void)b;
    }
  return best;
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
}

}  // namespace

CallingWindows::CallingWindows(ZoneMap zones, std::optional<DailyWindow> campaign_window, std::string zone_column)
    : enabled_(true), zones_(std::move(zones)), campaign_window_(campaign_window), zone_column_(std::move(zone_column)) {
  if (campaign_window_) check_campaign_window(*campaign_window_);
}

std::string CallingWindows::zone_key(const Record& r) const {
  if (zone_column_.empty()) return std::to_string(r.tz_dbid);
  auto it = r.custom.find(zone_column_);
  return it == r.custom.end() ? std::string() : it->second;
}

std::vector<DailyWindow> CallingWindows::effective_windows(const Record& r) const {
  DailyWindow own{r.daily_from, r.daily_till};
  if (!campaign_window_) return {own};
  return intersect(own, *campaign_window_);
}

WindowVerdict CallingWindows::check(const Record& r, Time t) const {
  if (!enabled_) return WindowVerdict::open;
  auto s = zones_.local_second(zone_key(r), t);
  if (!s) return WindowVerdict::unknown_zone;
  for (const auto& w : effective_windows(r))
    if (window_contains(w, *s)) return WindowVerdict::open;
  return WindowVerdict::closed;
}

std::optional<Time> CallingWindows::next_open(const Record& r, Time t) const {
  if (!enabled_) return t;
  std::optional<Time> best;
  for (const auto& w : effective_windows(r)) {
    auto n = zones_.next_open(zone_key(r), w, t);
    if (n && (!best || *n < *best)) best = n;
  }
  return best;
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
