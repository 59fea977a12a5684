// A started campaign that dials nothing says why: `idle` events through the
// real path (a SQLite list, the engine loop under a manual clock, the
// scripted driver), once per change of reason and every 5 minutes while it lasts.
#include <doctest/doctest.h>

#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

const Time kStart = from_epoch_seconds(1773061200);  // 2026-03-09T13:00:00Z, 09:00 in New York

std::shared_ptr<CallingList> open_list(const obtest::TempDir& dir, std::vector<Record> records) {
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  if (!records.empty()) list->insert(records);
  return list;
}

/// A loaded campaign on a scripted driver; every idle event it sends, with the time it came.
struct IdleRig {
  std::shared_ptr<ManualClock> clock;
  Engine engine;
  std::shared_ptr<obtest::ScriptedDriver> driver;
  Campaign* campaign = nullptr;
  std::vector<std::pair<Time, std::string>> idle;
  long dialing_events = 0;

  explicit IdleRig(std::shared_ptr<CallingList> list, Time start = kStart, CallingWindows windows = {})
      : clock(std::make_shared<ManualClock>(start)), engine(clock) {
    driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::busy; });
    CampaignConfig cfg;
    cfg.name = "idle";
    campaign = &engine.add_campaign(cfg, driver, nullptr, std::move(windows));
    campaign->on_event([this](const CampaignEvent& e) {
      if (e.kind == CampaignEvent::Kind::idle) idle.emplace_back(clock->now(), e.message);
      if (e.kind == CampaignEvent::Kind::dialing) ++dialing_events;
    });
    campaign->add_list(std::move(list));
    campaign->load();
  }
  void run_for(Duration d) { engine.run_until(clock->now() + d); }
  /// The keys of the idle events so far.
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& [t, m] : idle) out.push_back(m.substr(0, m.find(':')));
    return out;
  }
};

}  // namespace

TEST_CASE("no ready agent: one idle event after 30 s, repeated every 5 minutes, none once dialing goes on") {
  obtest::TempDir dir;
  IdleRig rig(open_list(dir, obtest::make_records(50)));
  rig.campaign->set_agent_state("a0", AgentState::not_ready);
  rig.campaign->set_agent_state("a1", AgentState::not_ready);
  rig.campaign->start();
  rig.run_for(25s);
  CHECK(rig.idle.empty());  // not yet "a while"
  rig.run_for(10s);
  REQUIRE(rig.idle.size() == 1);
  CHECK(rig.idle[0].second == "no_ready_agents: no agent is ready (2 logged in: 0 busy, 0 in wrap-up, 0 reserved, 2 not ready)"
                              " (nothing dialed for 30 s)");
  rig.run_for(11min);  // 11 minutes more: two repeats, not one a tick
  CHECK(rig.keys() == std::vector<std::string>{"no_ready_agents", "no_ready_agents", "no_ready_agents"});
  CHECK(rig.idle[1].first - rig.idle[0].first == 5min);
  CHECK(rig.idle[2].first - rig.idle[1].first == 5min);
  CHECK(rig.dialing_events == 0);

  // The agents log out: the reason changes, and is told within the 10 s check.
  rig.campaign->logout("a0");
  rig.campaign->logout("a1");
  rig.run_for(11s);
  REQUIRE(rig.idle.size() == 4);
  CHECK(rig.idle[3].second.rfind("no_agents: no agent is logged in", 0) == 0);

  // An agent becomes ready: calls go out, and a campaign that dials says nothing.
  rig.campaign->set_agent_state("a0", AgentState::ready);
  rig.run_for(5min);  // 50 calls of 10 s: still dialing
  CHECK(rig.dialing_events > 0);
  CHECK(rig.idle.size() == 4);
}

TEST_CASE("an empty list, then a used-up list, are named as such") {
  obtest::TempDir dir;
  IdleRig empty(open_list(dir, {}));
  empty.campaign->set_agent_state("a0", AgentState::ready);
  empty.campaign->start();
  empty.run_for(1min);
  REQUIRE(empty.idle.size() == 1);
  CHECK(empty.idle[0].second.rfind("list_empty: the calling lists hold no record", 0) == 0);

  obtest::TempDir dir2;
  IdleRig used(open_list(dir2, obtest::make_records(3)));  // busy results, no treatment: final at once
  used.campaign->set_agent_state("a0", AgentState::ready);
  used.campaign->start();
  used.run_for(3min);
  CHECK(used.dialing_events == 3);
  REQUIRE(used.idle.size() == 1);
  CHECK(used.idle[0].second.rfind("list_exhausted: no record is ready to dial (3 records, every one final", 0) == 0);
}

TEST_CASE("every record outside its calling window: the event says when the next window opens") {
  obtest::TempDir dir;
  auto records = obtest::make_records(20);
  for (auto& r : records) r.tz_dbid = 7;
  ZoneMap zones;
  zones.add(7, "America/New_York");
  // 12:00 UTC is 08:00 in New York; the campaign window opens at 09:00 local, 13:00 UTC.
  IdleRig rig(open_list(dir, records), kStart - 1h, CallingWindows(zones, DailyWindow{9 * 3600, 21 * 3600}));
  rig.campaign->set_agent_state("a0", AgentState::ready);
  rig.campaign->start();
  rig.run_for(1min);
  REQUIRE(rig.idle.size() == 1);
  CHECK(rig.idle[0].second.rfind("outside_window: every ready record (20) is outside its calling window; "
                                 "the next window opens at 2026-03-09 13:00:00 UTC", 0) == 0);
  rig.run_for(59min);  // to 13:00 UTC: a reminder every 5 minutes, no more
  REQUIRE(rig.idle.size() == 12);
  for (std::size_t i = 1; i < rig.idle.size(); ++i) {
    CHECK(rig.idle[i].first - rig.idle[i - 1].first == 5min);
    CHECK(rig.idle[i].second.rfind("outside_window:", 0) == 0);
  }
  rig.run_for(1h);  // the window opened: every record is dialed, then the list is used up
  CHECK(rig.dialing_events == 20);
  REQUIRE(rig.idle.size() > 12);  // a new idle spell 30 s after the last dial, then its reminders
  CHECK(rig.idle[12].second.find("(nothing dialed for 30 s)") != std::string::npos);
  for (std::size_t i = 12; i < rig.idle.size(); ++i) CHECK(rig.idle[i].second.rfind("list_exhausted:", 0) == 0);
}

TEST_CASE("a driver refusing every dial is named, with its own words") {
  obtest::TempDir dir;
  IdleRig rig(open_list(dir, obtest::make_records(5)));
  rig.driver->fail_dials = true;
  rig.campaign->set_agent_state("a0", AgentState::ready);
  rig.campaign->start();
  rig.run_for(1min);
  REQUIRE(!rig.idle.empty());
  CHECK(rig.idle[0].second.rfind("driver_refusing: the driver refused 5 dials, the last with: scripted dial failure", 0) == 0);
}
