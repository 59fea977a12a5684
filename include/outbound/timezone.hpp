// outbound — calling windows in the called party's local time.
//
// A record's window is daily_from..daily_till, seconds of its local day (wall
// clock, so 08:00 is 28800 on DST change days too) in its time zone: tz_dbid
// mapped to an IANA zone by configuration, or a zone column naming the zone.
// A campaign-wide window (e.g. 08:00–21:00) narrows every record's window.
// Zones come from the OS tz database through Howard Hinnant's date/tz.
// A record whose zone is missing or not mapped is zoned by its phone number
// (libphonenumber's prefix map): where the number may be in several zones, a
// call must fall inside the window in every one of them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/calling_list.hpp"
#include "outbound/clock.hpp"
#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// A daily window of local wall-clock seconds [from_s, till_s); from_s == till_s
/// means the whole day, from_s > till_s wraps past midnight.
struct DailyWindow {
  int from_s = 0;      ///< opens at this second after local midnight
  int till_s = 86400;  ///< closes at this second after local midnight
};

/// True when local second `s` (0..86399) lies inside `w`.
OB_API bool window_contains(const DailyWindow& w, int s) noexcept;

/// The IANA zones a phone number may be in, from libphonenumber's published prefix map (built in;
/// Apache-2.0): `e164_digits` is the E.164 number without "+". Empty when no prefix is known.
OB_API std::vector<std::string> zones_of_number(std::uint64_t e164_digits);
/// The ISO 3166 country of an IANA zone, from the tz database's zone.tab ("Europe/London" -> "GB"), or empty.
OB_API std::string country_of_zone(const std::string& iana);
/// A tz_dbid key in its one spelling ("01" and "+1" are "1"); Error(invalid_argument) when not an integer.
OB_API std::string canonical_tz_dbid_key(const std::string& key);

/// Maps zone keys (tz_dbid as decimal text, or a zone column's value) to IANA zones.
class OB_API ZoneMap {
 public:
  ZoneMap();
  ~ZoneMap();
  ZoneMap(const ZoneMap&);
  ZoneMap& operator=(const ZoneMap&);
  ZoneMap(ZoneMap&&) noexcept;
  ZoneMap& operator=(ZoneMap&&) noexcept;

  /// Maps `key` to the IANA zone `iana`; throws Error(invalid_argument) for an unknown zone.
  void add(const std::string& key, const std::string& iana);
  /// Maps tz_dbid `id` to the IANA zone `iana`.
  void add(int id, const std::string& iana) { add(std::to_string(id), iana); }
  /// True when `key` is mapped.
  bool contains(const std::string& key) const;
  /// The mapped keys.
  std::vector<std::string> keys() const;
  /// The IANA name a key maps to, or empty.
  std::string zone_name(const std::string& key) const;
  /// Seconds since local midnight (wall clock) in the key's zone at `t`, or nullopt for unknown keys.
  std::optional<int> local_second(const std::string& key, Time t) const;
  /// The first instant at or after `t` whose local second in the key's zone is
  /// inside `w` (searches two days ahead); nullopt for an unknown key or an empty window.
  std::optional<Time> next_open(const std::string& key, const DailyWindow& w, Time t) const;
  /// The ISO 3166 country of the key's zone, or empty.
  std::string country(const std::string& key) const;
  /// True when `iana` names a zone of the tz database.
  static bool is_known_zone(const std::string& iana);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The verdict on a record's window at one instant (unknown_zone: no mapped zone, and no zone from its number).
enum class WindowVerdict { open, closed, unknown_zone };

/// A campaign's calling-window policy: record windows, zones, campaign window.
class OB_API CallingWindows {
 public:
  /// A policy on `zones`; `zone_column` empty means records are zoned by tz_dbid, and then every key
  /// must be an integer, read in one spelling ("01" is "1"): Error(invalid_argument) for "1abc", or for
  /// two spellings of one tz_dbid mapped to different zones.
  CallingWindows(ZoneMap zones, std::optional<DailyWindow> campaign_window, std::string zone_column = {});
  /// No windows at all: every record is always open (lists without time zones).
  CallingWindows();

  /// True when windows are enforced.
  bool enabled() const { return enabled_; }
  /// The zone key of a record.
  std::string zone_key(const Record& r) const;
  /// Open, closed, or unknown zone for `r` at `t` (a record without a mapped zone: unknown zone).
  WindowVerdict check(const Record& r, Time t) const;
  /// check() where a record without a mapped zone is checked in every zone of its number
  /// (`e164_digits`: the E.164 number without "+", 0 when unknown).
  WindowVerdict check(const Record& r, Time t, std::uint64_t e164_digits) const;
  /// When `r`'s window (narrowed by the campaign window) next opens at or after `t`.
  std::optional<Time> next_open(const Record& r, Time t) const;
  /// next_open() in every zone of the record (its mapped zone, else its number's zones); nullopt when
  /// it has none, or when no instant in the next three days is open in all of them.
  std::optional<Time> next_open(const Record& r, Time t, std::uint64_t e164_digits) const;
  /// True when the record's zone key is mapped.
  bool has_mapped_zone(const Record& r) const;
  /// The IANA zones `r` is checked in: its mapped zone, else its number's zones (when enabled).
  std::vector<std::string> zones_of(const Record& r, std::uint64_t e164_digits) const;
  /// The ISO 3166 country of `r`'s mapped zone (where its national-format number is read), or empty.
  std::string country_of(const Record& r) const;
  /// Whether records with no mapped zone are zoned by their number (default true); when false they are
  /// unknown_zone (record errors).
  void set_zones_from_numbers(bool on) { zones_from_numbers_ = on; }
  /// True when records with no mapped zone are zoned by their number.
  bool zones_from_numbers() const { return enabled_ && zones_from_numbers_; }
  /// For retrieval: every mapped zone whose campaign window is open at `t`, with its local second.
  std::vector<ZoneNow> zones_open_now(Time t) const;
  /// The zone map.
  const ZoneMap& zones() const { return zones_; }

 private:
  std::vector<DailyWindow> effective_windows(const Record& r) const;
  bool enabled_ = false;
  bool zones_from_numbers_ = true;
  ZoneMap zones_;
  std::optional<DailyWindow> campaign_window_;
  std::string zone_column_;
};

}  // namespace outbound
