// Property: no record is ever dialed outside its calling window (its own
// daily_from/daily_till in its zone, narrowed by the campaign window), over
// thousands of random records and zones, across DST transition days in New
// York, London and Sydney. Each dial's local time is recomputed here with
// date/tz, independently of the engine's window code.
#include <doctest/doctest.h>

#include <date/tz.h>

#include <map>

#include "../support/busy_retry_run.hpp"
#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/sim.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const std::map<int, std::string> kZones = {{1, "America/New_York"}, {2, "Europe/London"},    {3, "Australia/Sydney"},
                                           {4, "America/Los_Angeles"}, {5, "Asia/Kolkata"}, {6, "America/St_Johns"}};

int local_second(const std::string& zone, Time t) {
  auto z = date::locate_zone(zone);
  auto local = z->to_local(std::chrono::floor<std::chrono::seconds>(t));
  return static_cast<int>((local - date::floor<date::days>(local)).count());
}

bool inside(int from, int till, int s) {
  if (from == till) return true;
  if (from < till) return from <= s && s < till;
  return s >= from || s < till;
}

std::vector<Record> random_records(int n, std::uint64_t seed) {
  sim::Rng rng(seed);
  std::vector<Record> out;
  for (int i = 1; i <= n; ++i) {
    Record r = obtest::make_record(i);
    r.tz_dbid = 1 + static_cast<int>(rng.next() % kZones.size());
    // Windows of every shape: ordinary, wrapping past midnight, empty-looking, whole day.
    int a = static_cast<int>(rng.next() % 96) * 900, b = static_cast<int>(rng.next() % 96) * 900;
    r.daily_from = a;
    r.daily_till = rng.uniform() < 0.1 ? a : b;
    out.push_back(r);
  }
  return out;
}

/// Runs a campaign over `hours` from `start` and checks every dial.
void check_no_dial_outside_window(Time start, int hours, std::uint64_t seed) {
  obtest::TempDir dir;
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  auto records = random_records(3000, seed);
  list->insert(records);
  ZoneMap zones;
  for (const auto& [id, name] : kZones) zones.add(id, name);
  const DailyWindow campaign_window{8 * 3600, 21 * 3600};

  // Calls fail fast and are retried every 20 minutes, so records are dialed
  // again and again through the day, including around the clock change.
  const obtest::Dials dials = obtest::run_busy_retries(list, CallingWindows(zones, campaign_window), start, hours);

  std::map<std::int64_t, const Record*> by_id;
  for (const auto& r : records) by_id[r.record_id] = &r;
  long outside = 0;
  for (std::size_t i = 0; i < dials.requests.size(); ++i) {
    const Record& r = *by_id.at(dials.requests[i].record_id);
    int s = local_second(kZones.at(r.tz_dbid), dials.times[i]);
    bool ok = inside(r.daily_from, r.daily_till, s) && inside(campaign_window.from_s, campaign_window.till_s, s);
    if (!ok) {
      ++outside;
      MESSAGE("record " << r.record_id << " dialed at local second " << s << " in " << kZones.at(r.tz_dbid) << ", window "
                        << r.daily_from << ".." << r.daily_till);
    }
  }
  CHECK(dials.requests.size() > 1000);  // the property was exercised
  CHECK(outside == 0);
  CHECK(list->count_by_status()[RecordStatus::retrieved] == 0);
}

Time utc(int y, unsigned m, unsigned d, int h) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{h};
}

}  // namespace

TEST_CASE("no dial outside a window across the US spring-forward (2026-03-08, New York)") {
  check_no_dial_outside_window(utc(2026, 3, 7, 18), 30, 11);
}

TEST_CASE("no dial outside a window across the UK spring-forward (2026-03-29, London)" * doctest::skip(obtest::subset_only())) {
  check_no_dial_outside_window(utc(2026, 3, 28, 12), 30, 12);
}

TEST_CASE("no dial outside a window across the Sydney fall-back (2026-04-05)") {
  check_no_dial_outside_window(utc(2026, 4, 4, 6), 30, 13);
}

TEST_CASE("no dial outside a window across the US fall-back (2026-11-01)" * doctest::skip(obtest::subset_only())) {
  check_no_dial_outside_window(utc(2026, 10, 31, 18), 30, 14);
}
