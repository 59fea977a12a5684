// Error messages read as a new user reads them (issue 18, item 10): each names
// the value at fault and says what is wrong in plain words, with no internal
// spelling (enum names such as waiting_unload, "0.000000" from std::to_string).
#include <doctest/doctest.h>

#include <string>

#include "../../tools/scenario.hpp"
#include "../support/test_support.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "outbound/sim.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

// The message of the Error `fn` throws ("" when it throws none), its code checked.
template <typename Fn>
std::string message_of(ErrorCode code, Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.code() == code);
    return e.what();
  }
  FAIL("no error");
  return {};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("start or load while a campaign unloads: says so in words, not as a state's enum name") {
  obtest::TempDir dir;
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  list->insert(obtest::make_records(5));
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::answer; },
                                                         10min);
  CampaignConfig cfg;
  cfg.name = "h";
  auto& c = engine.add_campaign(cfg, driver);
  c.add_list(list);
  c.load();
  c.set_agent_state("a1", AgentState::ready);
  c.start();
  engine.run_until(clock->now() + 30s);
  REQUIRE(c.calls_in_flight() > 0);
  c.unload();  // waits for the call in flight
  REQUIRE(c.state() == CampaignState::waiting_unload);
  std::string start = message_of(ErrorCode::invalid_state, [&] { c.start(); });
  CHECK_MESSAGE(start == "campaign h cannot start while it unloads (calls in flight are finishing); load it again once "
                         "it is unloaded",
                start);
  CHECK_FALSE(has(start, "waiting_unload"));
  std::string load = message_of(ErrorCode::invalid_state, [&] { c.load(); });
  CHECK_MESSAGE(load == "campaign h is still unloading: load it again once it is unloaded", load);  // not "already loaded"
  engine.run_until(clock->now() + 20min);
  CHECK(c.state() == CampaignState::not_loaded);
}

TEST_CASE("campaign settings: the value at fault is in the message, written as the user wrote it") {
  obtest::TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  EventLoop loop(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(loop, [](const DialRequest&) { return CallResult::answer; });
  CampaignConfig ratio;
  ratio.ratio = 0;
  CHECK(message_of(ErrorCode::invalid_argument, [&] { Campaign(loop, ratio, driver, nullptr); }) ==
        "ratio must be positive, not 0");
  CampaignConfig cap;
  cap.abandon_cap.rate = 3;  // 3 % meant, a share given
  CHECK(message_of(ErrorCode::invalid_argument, [&] { Campaign(loop, cap, driver, nullptr); }) ==
        "abandon cap rate must lie in [0, 1], not 3");
  CampaignConfig ring;
  ring.ring_timeout = 10s;
  Campaign c(loop, ring, driver, nullptr);
  ListOptions o;
  o.create_if_missing = true;
  c.add_list(std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o)));
  CHECK(message_of(ErrorCode::invalid_argument, [&] { c.load(); }) ==
        "ring_timeout must be at least 15 s (FCC/Ofcom minimum ring time), not 10000 ms");
}

TEST_CASE("desktop: a new record's window and a ready time name their values") {
  obtest::TempDir dir;
  ListOptions o;
  o.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), o));
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));
  Engine engine(clock);
  auto driver = std::make_shared<obtest::ScriptedDriver>(engine.loop(), [](const DialRequest&) { return CallResult::answer; });
  CampaignConfig cfg;
  cfg.mode = DialMode::preview;
  auto& c = engine.add_campaign(cfg, driver);
  c.add_list(list);
  c.load();
  c.set_agent_state("a1", AgentState::ready);
  Record r = obtest::make_record(7);
  r.daily_till = 90000;
  CHECK(message_of(ErrorCode::invalid_argument, [&] { c.add_record("a1", r); }) ==
        "daily_from and daily_till must lie in 0..86400 (seconds after midnight), not " + std::to_string(r.daily_from) +
            " and 90000");
  CHECK(message_of(ErrorCode::invalid_argument, [&] { c.add_record("a1", Record{}); }) ==
        "a new record needs a positive record_id, not 0");
  CHECK(message_of(ErrorCode::invalid_argument, [&] { c.ready_time("a1", -5s); }) ==
        "ready time must not be negative (got -5000 ms)");
  CHECK(list->all().empty());  // nothing added by the refused requests
}

TEST_CASE("the simulated network: each refused share or time is named with its value") {
  sim::NetworkModel share;
  share.busy = -0.1;
  CHECK(message_of(ErrorCode::invalid_argument, [&] { sim::validate(share); }) ==
        "network share busy must lie in [0, 1], not -0.1");
  sim::NetworkModel sum;
  sum.busy = 0.5;
  CHECK(message_of(ErrorCode::invalid_argument, [&] { sim::validate(sum); }) ==
        "network shares (live_answer + busy + no_answer + machine + sit + fax + silence) must sum to 1, not 1.4");
  sim::NetworkModel time;
  time.busy_signal_s = 0;
  CHECK(message_of(ErrorCode::invalid_argument, [&] { sim::validate(time); }) ==
        "network time busy_signal_s must be positive, not 0");
  sim::NetworkModel patience;
  patience.patience_s = -1;
  CHECK(message_of(ErrorCode::invalid_argument, [&] { sim::validate(patience); }) ==
        "network time patience_s must be 0 s or more, not -1");
  patience.patience_s = 0;
  CHECK_NOTHROW(sim::validate(patience));  // 0 is allowed where the message says so
}

TEST_CASE("scenario numbers out of range: the range and the value, without six decimals") {
  auto scenario_error = [](const char* json) {
    return message_of(ErrorCode::invalid_argument, [&] { cli::parse_scenario(json); });
  };
  std::string share = scenario_error(R"({"network": {"busy": 2}})");
  CHECK_MESSAGE(has(share, "\"network.busy\": must lie in [0, 1], not 2"), share);
  CHECK_FALSE(has(share, "0.000000"));
  std::string whole = scenario_error(R"({"agents": -1})");
  CHECK_MESSAGE(has(whole, "\"agents\": must lie in [0, 100000], not -1"), whole);
  std::string goal = scenario_error(R"({"goal": {"overdial_rate": 3}})");
  CHECK_MESSAGE(has(goal, "\"goal.overdial_rate\": must lie in [0, 1], not 3"), goal);  // was "target out of range"
  std::string wait = scenario_error(R"({"goal": {"wait_time_s": -2}})");
  CHECK_MESSAGE(has(wait, "\"goal.wait_time_s\": must be 0 s or more, not -2"), wait);
}
