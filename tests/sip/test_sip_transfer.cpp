// A treatment's transfer carried out over real SIP: a campaign with
// detect_connect dials a baresip callee that is an answering machine (a spoken
// greeting, a beep), its answering_machine rule says transfer to a second
// baresip instance's account (sip:vm@…), and the driver joins the two by
// third-party call control. The destination must hear the machine's audio and
// the record must end answering_machine; a destination that rejects (486)
// ends the call at once, counted as a transfer failure, nothing left behind.
#include <doctest/doctest.h>

#include "../support/test_support.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "sip_fixture.hpp"

using namespace outbound;
using namespace siptest;

namespace {

namespace fs = rig::fs;

/// A machine: a spoken greeting, a 1 kHz beep, 2 s of quiet; then its line hangs up.
struct MachineClip {
  rig::TempDir dir;
  fs::path wav = dir.path() / "machine.wav";
  fs::path quiet = dir.path() / "quiet.wav";  ///< 30 s of silence: the destination's own voice
  MachineClip() {
    const fs::path greeting = dir.path() / "greeting.wav", beep = dir.path() / "beep.wav";
    rig::say(greeting,
             "Hi, you have reached Sam and Alex. We cannot take your call right now. Please leave a message after "
             "the tone and we will call you back.",
             0.3, 0.0, "en-gb");
    rig::write_tone(beep, 0.5, 1000);
    const fs::path after = dir.path() / "after.wav";
    rig::write_tone(after, 2.0, 0);
    rig::join(wav, {greeting, beep, after});
    rig::write_tone(quiet, 30.0, 0);
  }
};

Treatment transfer_rule(const std::string& destination) {
  Treatment t;
  t.id = 7;
  t.name = "machines to voicemail";
  t.call_result = CallResult::answering_machine;
  t.action = RecordAction::no_treatment;
  t.call_action = CallAction::transfer;
  t.destination = destination;
  return t;
}

/// One record dialed by a progressive campaign (one agent ready, never used: the answer is a machine).
struct OneMachineCall {
  obtest::TempDir dir;
  std::shared_ptr<CallingList> list;
  std::shared_ptr<SipDriver> driver;
  CampaignStats stats;
  long in_flight = -1;

  OneMachineCall(SipConfig sip, const std::string& phone, const std::string& destination) {
    driver = std::make_shared<SipDriver>(std::move(sip));
    ListOptions lo;
    lo.create_if_missing = true;
    list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), lo));
    auto records = obtest::make_records(1);
    records[0].contact_info = phone;
    list->insert(records);
    Engine engine(std::make_shared<SystemClock>());
    CampaignConfig cfg;
    cfg.name = "sip";
    cfg.amd = AmdMode::detect_connect;
    cfg.treatments = TreatmentSet({transfer_rule(destination)});
    Campaign& campaign = engine.add_campaign(cfg, driver);
    campaign.add_list(list);
    campaign.load();
    campaign.set_agent_state("a1", AgentState::ready);
    campaign.start();
    engine.loop().run_until(engine.loop().now() + 25s,
                            [&] { return campaign.stats().dials >= 1 && campaign.calls_in_flight() == 0; });
    in_flight = static_cast<long>(campaign.calls_in_flight());
    campaign.stop();
    engine.loop().run_until(engine.loop().now() + 5s, [&] { return campaign.calls_in_flight() == 0; });
    campaign.unload();
    stats = campaign.stats();
  }
};

}  // namespace

TEST_CASE("transfer: a machine's call goes to a SIP destination, which hears it; the record ends answering_machine") {
  MachineClip clip;
  rig::Baresip callee({{"+12125557001", "auto", clip.wav.string()}}, clip.quiet);
  rig::Baresip vm({{"vm", "auto"}, {"a1", "manual"}}, clip.quiet);
  SipConfig sip = config_for(callee.customer_template());
  sip.agents["a1"] = vm.uri("a1");
  sip.agent_answer_timeout = 3s;

  OneMachineCall run(sip, "+12125557001", vm.uri("vm"));

  CHECK(run.in_flight == 0);
  CHECK(run.stats.dials == 1);
  CHECK(run.stats.machines == 1);
  CHECK(run.list->get(1)->call_result == CallResult::answering_machine);
  CHECK(run.list->count_by_status()[RecordStatus::retrieved] == 0);
  const auto st = run.driver->stats();
  CHECK(st.transfers == 1);
  CHECK(st.transfer_failures == 0);
  CHECK(st.connects == 0);  // no agent involved
  CHECK(vm.count("CALL_ESTABLISHED", "vm") == 1);
  CHECK(vm.count("CALL_INCOMING", "a1") == 0);
  REQUIRE(rig::wait_for([&] { return vm.count("CALL_CLOSED", "vm") == 1; }));
  vm.stop();  // the recording is complete once baresip let go of it
  // What the destination heard: the machine's greeting or beep (its own voice is silence, and the
  // driver plays nothing once the call is joined).
  REQUIRE(vm.heard().size() == 1);
  const rig::Audio heard = rig::analyse(vm.heard()[0]);
  MESSAGE("the destination heard ", heard.seconds, " s at rms ", heard.rms);
  CHECK(heard.seconds > 1.0);
  CHECK(heard.rms > 0.01);
}

TEST_CASE("transfer: a destination that rejects (486) ends the call at once, counted as a failure; nothing is left behind") {
  MachineClip clip;
  rig::Baresip callee({{"+12125557101", "auto", clip.wav.string()}}, clip.quiet);
  rig::Baresip vm({{"vm", "auto", "", true}, {"a1", "manual"}}, clip.quiet);
  SipConfig sip = config_for(callee.customer_template());
  sip.agents["a1"] = vm.uri("a1");
  sip.agent_answer_timeout = 3s;

  OneMachineCall run(sip, "+12125557101", vm.uri("vm"));

  CHECK(run.in_flight == 0);
  CHECK(run.stats.dials == 1);
  // The machine answered; the engine keeps the result of the answer that chose the transfer.
  CHECK(run.list->get(1)->call_result == CallResult::answering_machine);
  CHECK(run.list->count_by_status()[RecordStatus::retrieved] == 0);
  const auto st = run.driver->stats();
  CHECK(st.transfers == 0);
  CHECK(st.transfer_failures == 1);
  CHECK(st.machine_messages == 0);  // the machine got no message
  CHECK(vm.count("CALL_INCOMING", "vm") == 1);
  CHECK(vm.count("CALL_ESTABLISHED", "vm") == 0);
  // The callee's line was hung up by the driver, well before its clip ended.
  REQUIRE(rig::wait_for([&] { return callee.count("CALL_CLOSED") == 1; }));
}

TEST_CASE("transfer: a destination that is not a SIP URI is refused, naming it; an unknown call is refused") {
  SipDriver d(config_for("sip:{number}@127.0.0.1:9"));
  try {
    d.transfer(1, "+12125550000");
    FAIL("a phone number was taken as a SIP destination");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    CHECK(std::string(e.what()).find("+12125550000") != std::string::npos);
    CHECK(std::string(e.what()).find("sip:") != std::string::npos);
  }
  EventLog log;
  d.start(log);
  CHECK_THROWS_AS(d.transfer(42, "sip:vm@127.0.0.1:9"), Error);
  d.stop();
}
