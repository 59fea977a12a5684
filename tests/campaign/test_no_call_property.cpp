// No-call days through the real path: a SQLite list and call log, the engine
// loop under a manual clock across three and a half weeks (both 2026 DST
// changes), records in US and EU zones, some zoned by numbers that may be in
// several zones. The call log must show no dial on a no-call local date or
// weekday of any of the record's zones, and a dial on every allowed day.
#include <doctest/doctest.h>

#include <date/tz.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "../support/test_support.hpp"
#include "outbound/call_log.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/timezone.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

// Two stretches of days, each around one DST change: 2026-03-08 in the US, 2026-03-29 in the EU.
struct Stretch {
  Time start, end;          // simulated
  int first_day, last_day;  // the full March days checked
};
const Stretch kStretches[] = {{from_epoch_seconds(1772798400), from_epoch_seconds(1773230400), 7, 10},   // Mar 6 12:00Z .. Mar 11 12:00Z
                              {from_epoch_seconds(1774526400), from_epoch_seconds(1774958400), 27, 30}};  // Mar 26 12:00Z .. Mar 31 12:00Z

// A local date as "YYYY-MM-DD" and its weekday (0 Sunday) in `zone` at `ms`.
std::pair<std::string, unsigned> local_day(const std::string& zone, long long ms) {
  const auto local = date::locate_zone(zone)->to_local(date::sys_seconds(std::chrono::seconds(ms / 1000)));
  const auto day = date::floor<date::days>(local);
  return {date::format("%F", day), date::weekday(day).c_encoding()};
}

// "2026-03-DD".
std::string march(int d) { return std::string("2026-03-") + (d < 10 ? "0" : "") + std::to_string(d); }

// Numbers that libphonenumber places in more than one zone (US area codes across a zone line).
std::vector<std::pair<std::string, std::vector<std::string>>> multi_zone_numbers() {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const char* area : {"850", "270", "208", "605", "915", "812", "541", "308", "620", "806"}) {
    const std::string phone = std::string("+1") + area + "5550100";
    auto zones = zones_of_number(std::stoull(phone.substr(1)));
    if (zones.size() > 1) out.push_back({phone, zones});
  }
  return out;
}

}  // namespace

TEST_CASE("no-call days property: no dial on a no-call local date or weekday of any zone, a dial on every allowed day") {
  std::mt19937 rng(2026);
  const std::vector<std::string> zones = {"America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
                                          "Europe/Berlin"};
  // The campaign's calendar: both DST change days, a random weekday and random dates, one zone's own holiday.
  const std::vector<std::string> weekday_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  const unsigned weekday_off = rng() % 7;
  std::set<std::string> dates_off = {"2026-03-08", "2026-03-29"};
  for (int i = 0; i < 2; ++i) dates_off.insert(march(9 + static_cast<int>(rng() % 2)));
  for (int i = 0; i < 2; ++i) dates_off.insert(march(27 + static_cast<int>(rng() % 4)));
  const std::string berlin_day = march(27 + static_cast<int>(rng() % 4));
  std::vector<std::string> entries(dates_off.begin(), dates_off.end());
  entries.push_back(weekday_names[weekday_off]);
  entries.push_back("Europe/Berlin:" + berlin_day);
  INFO("no-call days: " << [&] {
    std::string s;
    for (const auto& e : entries) s += e + " ";
    return s;
  }());

  // 30 records: most mapped to a random zone by tz_dbid, the rest zoned by numbers in several zones.
  const auto multi = multi_zone_numbers();
  REQUIRE(!multi.empty());
  std::vector<Record> records;
  std::map<std::string, std::vector<std::string>> zones_by_phone;
  for (int i = 1; i <= 30; ++i) {
    Record r = obtest::make_record(i);
    if (i % 5 == 0) {
      const auto& [phone, its_zones] = multi[static_cast<std::size_t>(i / 5) % multi.size()];
      r.contact_info = phone.substr(0, 8) + std::to_string(1000 + i);
      r.tz_dbid = 99;  // not in the map: zoned by its number
      zones_by_phone[r.contact_info] = zones_of_number(std::stoull(r.contact_info.substr(1)));
    } else {
      const int z = static_cast<int>(rng() % zones.size());
      r.tz_dbid = z + 1;
      zones_by_phone[r.contact_info] = {zones[static_cast<std::size_t>(z)]};
    }
    records.push_back(r);
  }
  // Busy every time, retried 20 h later: each record comes due once a day, early in its window.
  Treatment again;
  again.id = 1;
  again.call_result = CallResult::busy;
  again.action = RecordAction::retry_in;
  again.cycle_attempts = 100;
  again.interval = 20h;
  CampaignConfig cfg;
  cfg.name = "calendar";
  cfg.tick = 10min;  // days in few turns: call events still pace at once
  cfg.flush_interval = 1h;
  cfg.treatments = TreatmentSet({again});
  cfg.unknown_zones = UnknownZones::from_numbers;
  cfg.no_call_days = entries;
  ZoneMap map;
  for (std::size_t z = 0; z < zones.size(); ++z) map.add(static_cast<int>(z + 1), zones[z]);

  for (const Stretch& stretch : kStretches) {
    obtest::TempDir dir;
    ListOptions lo;
    lo.create_if_missing = true;
    auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), lo));
    list->insert(records);
    auto clock = std::make_shared<ManualClock>(stretch.start);
    Engine engine(clock);
    auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::busy; }, 20s);
    Campaign& c = engine.add_campaign(cfg, driver, nullptr, CallingWindows(map, DailyWindow{8 * 3600, 21 * 3600}));
    c.add_list(list);
    c.set_call_log(CallLog::open(dir.sqlite("log.db")));
    c.load();
    for (int i = 0; i < 3; ++i) c.set_agent_state("a" + std::to_string(i), AgentState::ready);
    c.start();
    engine.run_until(stretch.end);
    c.unload();

    soci::session s(soci::sqlite3, (dir.path() / "log.db").string());
    soci::rowset<soci::row> rows = (s.prepare << "SELECT phone, dialed_at_ms FROM ob_call_log ORDER BY dialed_at_ms");
    std::map<std::string, std::set<std::string>> dialed_days;  // phone -> local dates (first zone) dialed
    long dials = 0;
    for (const auto& row : rows) {
      const std::string phone = row.get<std::string>(0);
      const long long at = row.get<long long>(1);
      REQUIRE(zones_by_phone.count(phone));
      ++dials;
      for (const auto& zone : zones_by_phone[phone]) {
        const auto [day, weekday] = local_day(zone, at);
        INFO(phone << " dialed at " << at << " ms: " << day << " in " << zone);
        CHECK(weekday != weekday_off);
        CHECK(dates_off.count(day) == 0);
        CHECK_FALSE((zone == "Europe/Berlin" && day == berlin_day));
      }
      dialed_days[phone].insert(local_day(zones_by_phone[phone].front(), at).first);
    }
    CHECK(dials > 50);

    // Every full day allowed in all of a record's zones saw its dial: deferred, never dropped.
    for (const auto& [phone, its_zones] : zones_by_phone) {
      for (int d = stretch.first_day; d <= stretch.last_day; ++d) {
        const std::string day = march(d);
        const unsigned weekday = date::weekday(date::sys_days(date::year{2026} / 3 / d)).c_encoding();
        const bool allowed = weekday != weekday_off && !dates_off.count(day) &&
                             !(day == berlin_day && std::count(its_zones.begin(), its_zones.end(), "Europe/Berlin"));
        INFO(phone << " on " << day);
        CHECK(dialed_days[phone].count(day) == (allowed ? 1u : 0u));
      }
    }
  }
}

TEST_CASE("no-call days: an agent is handed no preview on one; the record waits for the next allowed local midnight") {
  obtest::TempDir dir;
  ListOptions lo;
  lo.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), lo));
  Record r = obtest::make_record(1);
  r.tz_dbid = 1;
  list->insert({r});
  CampaignConfig cfg;
  cfg.name = "preview";
  cfg.mode = DialMode::preview;
  cfg.no_call_days = {"mon"};
  ZoneMap map;
  map.add(1, "America/New_York");
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));  // Monday 2026-03-09, 09:00 in New York
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::busy; }, 20s);
  Campaign& c = engine.add_campaign(cfg, driver, nullptr, CallingWindows(map, DailyWindow{8 * 3600, 21 * 3600}));
  c.add_list(list);
  c.load();
  c.set_agent_state("a1", AgentState::ready);
  c.start();
  CHECK_FALSE(c.preview_record_request("a1").has_value());
  c.flush();
  engine.run_until(clock->now() + 1min);
  auto back = list->get(1);
  REQUIRE(back);
  CHECK(back->record_status == RecordStatus::ready);  // deferred, not closed
  CHECK(back->dial_sched_time == 1773115200);         // Tuesday 00:00 in New York (04:00Z)
  c.unload();
}
