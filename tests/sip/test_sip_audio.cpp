// The SIP driver listening to real calls: baresip callees on 127.0.0.1 play
// clips made here with espeak-ng and sox (a person's "Hello?", a machine's
// greeting and beep, a fax's CNG, silence, a SIT), and the driver's answer
// class and result must match each clip's label. Then what callees hear: a
// machine's message after its beep, the abandon message, and the opt-out
// digit pressed during it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmath>

#include "../support/test_support.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/engine.hpp"
#include "sip_fixture.hpp"

using namespace siptest;

namespace {

namespace fs = rig::fs;

void write_wav(const fs::path& path, const std::vector<std::int16_t>& s) {
  media::write_wav(path.string(), media::Pcm{8000, s});
}

/// `seconds` of a sum of sines at `hz` (each at `amplitude`), 0 Hz meaning silence.
std::vector<std::int16_t> tone(double seconds, std::vector<double> hz, double amplitude = 0.25) {
  std::vector<std::int16_t> out(static_cast<std::size_t>(seconds * 8000));
  for (std::size_t i = 0; i < out.size(); ++i) {
    double v = 0;
    for (double f : hz) v += f > 0 ? amplitude * std::sin(2 * M_PI * f * static_cast<double>(i) / 8000.0) : 0.0;
    out[i] = static_cast<std::int16_t>(32767 * v);
  }
  return out;
}

void append(std::vector<std::int16_t>& to, const std::vector<std::int16_t>& more) { to.insert(to.end(), more.begin(), more.end()); }

/// The clips the callees play, and the messages the driver plays.
struct Clips {
  rig::TempDir dir;
  fs::path live = dir.path() / "live.wav";
  fs::path machine = dir.path() / "machine.wav";
  fs::path fax = dir.path() / "fax.wav";
  fs::path silence = dir.path() / "silence.wav";
  fs::path sit = dir.path() / "sit.wav";
  fs::path opt_out = dir.path() / "opt_out.wav";
  fs::path opt_out_late = dir.path() / "opt_out_late.wav";  ///< the digit at 5.6 s, for a campaign's 2 s abandon wait
  fs::path abandon_message = dir.path() / "abandon_message.wav";
  fs::path machine_message = dir.path() / "machine_message.wav";
  double beep_end_s = 0;  ///< where the machine's beep ends in its clip

  Clips() {
    rig::say(live, "Hello?", 0.4, 20);
    const fs::path greeting = dir.path() / "greeting.wav";
    rig::say(greeting,
             "Hi, you have reached Sam and Alex. We cannot take your call right now. Please leave a message after "
             "the tone and we will call you back.",
             0.3, 0.4, "en-gb");
    auto m = rig::samples(greeting);
    append(m, tone(0.5, {1000}));
    beep_end_s = static_cast<double>(m.size()) / 8000.0;
    append(m, tone(15, {0}));
    write_wav(machine, m);
    std::vector<std::int16_t> cng;  // a calling fax: 0.5 s of 1100 Hz every 3.5 s
    for (int i = 0; i < 5; ++i) append(cng, tone(0.5, {1100})), append(cng, tone(3.0, {0}));
    write_wav(fax, cng);
    write_wav(silence, tone(12, {0}));
    std::vector<std::int16_t> vacant;  // SIT vacant code: 985.2 Hz long, 1370.6 Hz short, 1776.7 Hz, then words
    append(vacant, tone(0.38, {985.2}));
    append(vacant, tone(0.276, {1370.6}));
    append(vacant, tone(0.38, {1776.7}));
    append(vacant, tone(12, {0}));
    write_wav(sit, vacant);
    // A person who says hello, waits, and presses 9 (852 + 1477 Hz) while the abandon message plays.
    for (auto [path, at] : {std::pair{opt_out, 3.6}, std::pair{opt_out_late, 5.6}}) {
      auto o = rig::samples(live);
      o.resize(static_cast<std::size_t>(at * 8000));
      append(o, tone(0.3, {852, 1477}, 0.2));
      append(o, tone(12, {0}));
      write_wav(path, o);
    }
    rig::say(abandon_message, "Sorry we missed you. This is Acme Bank. We will call again. Press nine to opt out.", 0, 0);
    rig::say(machine_message, "This is Acme Bank with a message about your appointment. Please call us back.", 0, 0);
  }
};

/// Sends RTP to the driver's media port as a far end would, with jitter and loss on demand:
/// every `swap_every`th pair of packets goes out in the wrong order, every `lose_every`th is never sent.
class RtpSender {
 public:
  explicit RtpSender(int port) : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    to_.sin_family = AF_INET;
    to_.sin_port = htons(static_cast<std::uint16_t>(port));
    to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~RtpSender() { close(fd_); }
  RtpSender(const RtpSender&) = delete;
  RtpSender& operator=(const RtpSender&) = delete;

  /// Sends `pcm` as µ-law 20 ms frames in real time.
  void audio(const std::vector<std::int16_t>& pcm, int swap_every = 0, int lose_every = 0) {
    std::vector<std::vector<std::uint8_t>> packets;
    for (std::size_t at = 0; at + media::kFrameSamples <= pcm.size(); at += media::kFrameSamples) {
      const auto ulaw = media::g711_encode(media::G711Law::ulaw, std::span(pcm).subspan(at, media::kFrameSamples));
      packets.push_back(packet(0, false, ulaw));
      ts_ += media::kFrameSamples;
    }
    for (std::size_t i = 0; i < packets.size(); ++i) {
      ++sent_;
      if (swap_every && i + 1 < packets.size() && sent_ % swap_every == 0) std::swap(packets[i], packets[i + 1]);
      if (!(lose_every && sent_ % lose_every == 0)) send(packets[i]);
      std::this_thread::sleep_for(20ms);
    }
  }
  /// Sends one RFC 4733 digit event (payload type 101) as a phone does: three updates, then three end packets.
  void digit(std::uint8_t event) {
    for (int i = 1; i <= 6; ++i) {
      const auto duration = static_cast<std::uint16_t>(160 * std::min(i, 4));
      send(packet(101, i == 1, {event, static_cast<std::uint8_t>((i > 3 ? 0x80 : 0) | 10),
                                static_cast<std::uint8_t>(duration >> 8), static_cast<std::uint8_t>(duration)}));
      std::this_thread::sleep_for(20ms);
    }
    ts_ += 640;
  }

 private:
  std::vector<std::uint8_t> packet(int pt, bool marker, const std::vector<std::uint8_t>& payload) {
    std::vector<std::uint8_t> p{0x80, static_cast<std::uint8_t>((marker ? 0x80 : 0) | pt), static_cast<std::uint8_t>(seq_ >> 8),
                                static_cast<std::uint8_t>(seq_)};
    for (int i = 0; i < 4; ++i) p.push_back(static_cast<std::uint8_t>(ts_ >> (24 - 8 * i)));
    for (int i = 0; i < 4; ++i) p.push_back(static_cast<std::uint8_t>(0x1234abcd >> (24 - 8 * i)));
    p.insert(p.end(), payload.begin(), payload.end());
    ++seq_;
    return p;
  }
  void send(const std::vector<std::uint8_t>& p) {
    [[maybe_unused]] auto n = sendto(fd_, p.data(), p.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_);
  }

  int fd_;
  sockaddr_in to_{};
  std::uint16_t seq_ = 40000;
  std::uint32_t ts_ = 123456;
  int sent_ = 0;
};

/// A phone number sip_farend treats as "answer CCC after PPPPPP ms".
std::string farend_number(int status, long param = 0) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "+19%03d%06ld", status, param);
  return buf;
}

/// The best match of `message` in what a callee heard: (offset in s, correlation).
std::pair<double, double> heard_match(const fs::path& recording, const fs::path& message) {
  const auto [at, r] = rig::best_match(rig::samples(recording), rig::samples(message));
  return {static_cast<double>(at) / 8000.0, r};
}

}  // namespace

TEST_CASE("AMD on real calls: each callee's clip gets its class and result") {
  Clips clips;
  rig::Baresip phone({{"+12125552001", "auto", clips.live.string()},
                      {"+12125552002", "auto", clips.machine.string()},
                      {"+12125552003", "auto", clips.fax.string()},
                      {"+12125552004", "auto", clips.silence.string()},
                      {"+12125552006", "auto", clips.sit.string()}},
                     clips.silence);
  SipConfig cfg = config_for(phone.customer_template());
  SipDriver d(cfg);
  EventLog log;
  d.start(log);
  for (CallId id : {1, 2, 3, 4, 6}) d.dial(request(id, "+1212555200" + std::to_string(id), AmdMode::detect_drop));

  REQUIRE(log.wait(1, CallEventKind::answered));
  CHECK(log.of(1).back().answer == AnswerClass::live);
  d.cancel(1);
  CHECK(log.result(1) == CallResult::cleared);
  for (CallId id : {2, 3, 4, 6}) REQUIRE(log.wait(id, CallEventKind::released, 15s));
  CHECK(log.trace(2) == "dialing ringing answered released");
  CHECK(log.of(2)[2].answer == AnswerClass::machine);
  CHECK(log.result(2) == CallResult::answering_machine);
  CHECK(log.of(3)[2].answer == AnswerClass::fax);
  CHECK(log.result(3) == CallResult::fax);
  CHECK(log.of(4)[2].answer == AnswerClass::silence);
  CHECK(log.result(4) == CallResult::silence);
  // A network announcement that answers: the SIT gives the result.
  CHECK(log.result(6) == CallResult::sit_vacant);
  const auto stats = d.stats();
  const auto& answers = stats.answers.at("sip");
  CHECK(answers.at(AnswerClass::live) == 1);
  CHECK(answers.at(AnswerClass::machine) == 2);  // the SIT after the answer is a machine that decided the result
  CHECK(answers.at(AnswerClass::fax) == 1);
  CHECK(answers.at(AnswerClass::silence) == 1);
  d.stop();
}

TEST_CASE("detect_connect: a machine gets the campaign's message after its beep, then the call ends") {
  Clips clips;
  rig::Baresip phone({{"+12125552101", "auto", clips.machine.string()}}, clips.silence);
  SipConfig cfg = config_for(phone.customer_template());
  cfg.campaign_audio["sip"].machine_message = clips.machine_message.string();
  SipDriver d(cfg);
  EventLog log;
  d.start(log);
  d.dial(request(1, "+12125552101", AmdMode::detect_connect));
  REQUIRE(log.wait(1, CallEventKind::released, 30s));
  const auto released = std::chrono::steady_clock::now();
  CHECK(log.trace(1) == "dialing ringing answered released");
  CHECK(log.of(1)[2].answer == AnswerClass::machine);
  CHECK(log.result(1) == CallResult::answering_machine);
  CHECK(log.detail(1, CallEventKind::released).find("message left") != std::string::npos);
  CHECK(log.of(1).back().message_left);  // the campaign counts it and the call log notes it
  CHECK(d.stats().machine_messages == 1);
  REQUIRE(rig::wait_for([&] { return phone.count("CALL_CLOSED") == 1; }));
  d.stop();
  phone.stop();  // the recording is complete once baresip let go of it
  // baresip records only the audio it is sent: the message, whole.
  REQUIRE(phone.heard().size() == 1);
  const auto [at, r] = heard_match(phone.heard()[0], clips.machine_message);
  CHECK_MESSAGE(r > 0.7, "correlation " << r);
  // It began after the beep: the callee's clip started when it answered, and the message
  // took its length (and the driver's 300 ms of play-out) before the call ended.
  std::chrono::steady_clock::time_point answered{};
  for (const auto& e : phone.events())
    if (e.type == "CALL_ESTABLISHED") answered = e.at;
  REQUIRE(answered != std::chrono::steady_clock::time_point{});
  const double message_s = static_cast<double>(rig::samples(clips.machine_message).size()) / 8000.0;
  const double began_s = std::chrono::duration<double>(released - answered).count() - message_s - 0.3;
  INFO("the message began " << began_s << " s after the answer; the beep ends at " << clips.beep_end_s
                             << " s; the driver says: " << log.detail(1, CallEventKind::released));
  CHECK(began_s > clips.beep_end_s - 0.1);
  // and no later than the detector's fallback for a beep it missed (2 s of quiet), with slack for a loaded machine.
  CHECK(began_s < clips.beep_end_s + 3.5);
}

TEST_CASE("release_abandoned plays the abandon message, then hangs up; the opt-out digit during it ends in do_not_call") {
  Clips clips;
  rig::Baresip phone({{"+12125552201", "auto", clips.live.string()}, {"+12125552202", "auto", clips.opt_out.string()}},
                     clips.silence);
  SipConfig cfg = config_for(phone.customer_template());
  cfg.audio.abandon_message = clips.abandon_message.string();
  cfg.audio.opt_out_digit = '9';
  SipDriver d(cfg);
  EventLog log;
  d.start(log);
  d.dial(request(1, "+12125552201", AmdMode::detect_drop));
  d.dial(request(2, "+12125552202", AmdMode::detect_drop));
  for (CallId id : {1, 2}) {
    REQUIRE(log.wait(id, CallEventKind::answered));
    CHECK(log.of(id).back().answer == AnswerClass::live);
    d.release_abandoned(id);
  }
  const double message_s = static_cast<double>(rig::samples(clips.abandon_message).size()) / 8000.0;
  for (CallId id : {1, 2}) REQUIRE(log.wait(id, CallEventKind::released, std::chrono::milliseconds(static_cast<int>(message_s * 1000) + 3000)));
  CHECK(log.trace(1) == "dialing ringing answered abandoned released");
  CHECK(log.result(1) == CallResult::abandoned);
  CHECK(log.detail(1, CallEventKind::released).find("abandon message was played") != std::string::npos);
  CHECK(log.trace(2) == "dialing ringing answered abandoned released");
  CHECK(log.result(2) == CallResult::do_not_call);
  CHECK(log.detail(2, CallEventKind::released).find("opt-out digit 9") != std::string::npos);
  const auto stats = d.stats();
  CHECK(stats.abandon_messages == 1);
  CHECK(stats.opt_outs == 1);
  REQUIRE(rig::wait_for([&] { return phone.count("CALL_CLOSED") == 2; }));
  d.stop();
  phone.stop();
  // What the first callee heard holds the message whole.
  bool found = false;
  for (const auto& rec : phone.heard()) {
    const auto [at, r] = heard_match(rec, clips.abandon_message);
    INFO(rec << ": message at " << at << " s, correlation " << r);
    found = found || r > 0.7;
  }
  CHECK(found);
}

TEST_CASE("RTP with jitter and loss: a SIT in early media ends the call with its SIT result; RFC 4733 opt-out") {
  Clips clips;
  rig::FarEnd far;  // rings with 183, or answers, and sends no audio of its own: the test does
  SipConfig cfg = config_for(far.customer_template());
  cfg.rtp_port_max = cfg.rtp_port_min + 1;  // one port: the calls below take it in turn
  cfg.audio.abandon_message = clips.abandon_message.string();
  cfg.audio.opt_out_digit = '9';
  SipDriver d(cfg);
  EventLog log;
  d.start(log);

  d.dial(request(1, farend_number(183), AmdMode::detect_drop));
  REQUIRE(log.wait(1, CallEventKind::ringing));
  {
    RtpSender far_rtp(cfg.rtp_port_min);
    auto sit = rig::samples(clips.sit);
    sit.resize(2 * 8000);
    far_rtp.audio(sit, 4, 25);  // reordered pairs, 4 % lost
  }
  REQUIRE(log.wait(1, CallEventKind::released, 5s));
  CHECK(log.trace(1) == "dialing ringing released");
  CHECK(log.result(1) == CallResult::sit_vacant);
  CHECK(log.detail(1, CallEventKind::released).find("early media") != std::string::npos);

  d.dial(request(2, farend_number(200), AmdMode::detect_drop));  // answers, stays on the line
  RtpSender far_rtp(cfg.rtp_port_min);
  REQUIRE(rig::wait_for([&] { return d.stats().final_responses.count(200) > 0; }));
  auto hello = rig::samples(clips.live);
  hello.resize(3 * 8000);
  far_rtp.audio(hello, 5, 30);
  REQUIRE(log.wait(2, CallEventKind::answered));
  CHECK(log.of(2).back().answer == AnswerClass::live);
  d.release_abandoned(2);
  std::this_thread::sleep_for(500ms);  // the message is playing
  CHECK_FALSE(log.has(2, CallEventKind::released));
  far_rtp.digit(9);
  REQUIRE(log.wait(2, CallEventKind::released, 2s));
  CHECK(log.trace(2) == "dialing ringing answered abandoned released");
  CHECK(log.result(2) == CallResult::do_not_call);
  const auto stats = d.stats();
  CHECK(stats.rtp_lost > 0);   // the lost packets were counted, and the audio still understood
  CHECK(stats.opt_outs == 1);
  d.stop();
}

TEST_CASE("a campaign over SIP: the callee who presses the opt-out digit is put on the DNC list and never dialed again") {
  Clips clips;
  // a1's phone rings and is never picked up: the engine routes each live answer to a1, and the
  // campaign's abandon_after (2 s, before the driver gives up on a1 at 2.5 s) abandons it, as the
  // opt-out clip's timing expects.
  rig::Baresip phone({{"+12125552301", "auto", clips.opt_out_late.string()}, {"+12125552302", "auto", clips.live.string()},
                      {"a1", "manual"}},
                     clips.silence);
  SipConfig sip = config_for(phone.customer_template());
  sip.agents["a1"] = phone.uri("a1");
  sip.agent_answer_timeout = std::chrono::milliseconds(2500);
  SipCampaignAudio audio;
  audio.abandon_message = clips.abandon_message.string();
  audio.opt_out_digit = '9';
  sip.campaign_audio["optout"] = audio;
  auto driver = std::make_shared<SipDriver>(sip);

  obtest::TempDir dir;
  ListOptions lo;
  lo.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), lo));
  auto records = obtest::make_records(3);
  records[0].contact_info = "+12125552301";
  records[1].contact_info = "+12125552302";
  records[2].contact_info = "+12125552301";  // the same person again, later in the list
  list->insert(records);
  auto dnc = std::make_shared<DncList>("US");

  Engine engine(std::make_shared<SystemClock>());
  CampaignConfig cfg;
  cfg.name = "optout";
  cfg.amd = AmdMode::detect_drop;
  cfg.abandon_cap.rate = 1.0;  // no agent ever comes here: the cap would stop the dialing this test is about
  Campaign& campaign = engine.add_campaign(cfg, driver, dnc);
  campaign.add_list(list);
  campaign.load();
  campaign.set_agent_state("a1", AgentState::ready);  // one line at a time; a1 never picks up: every live answer is abandoned
  campaign.start();
  const auto until = engine.loop().now() + std::chrono::seconds(40);
  engine.loop().run_until(until, [&] { return campaign.stats().dnc_blocked >= 1 && campaign.calls_in_flight() == 0; });
  campaign.stop();
  engine.loop().run_until(engine.loop().now() + std::chrono::seconds(10), [&] { return campaign.calls_in_flight() == 0; });
  campaign.unload();

  CHECK(dnc->contains_phone("+12125552301"));
  CHECK_FALSE(dnc->contains_phone("+12125552302"));
  CHECK(list->get(1)->call_result == CallResult::do_not_call);
  CHECK(list->get(2)->call_result == CallResult::abandoned);
  CHECK(list->get(3)->call_result == CallResult::do_not_call);  // blocked at the gate
  CHECK(driver->stats().invites == 2);                          // record 3 was never dialed
  CHECK(driver->stats().opt_outs == 1);
  CHECK(phone.count("CALL_ESTABLISHED", "+12125552301") == 1);  // answered once, never called again
}

TEST_CASE("a campaign's own abandon message and opt-out digit are used over SIP, not the driver's defaults") {
  Clips clips;
  rig::Baresip phone({{"+12125552401", "auto", clips.opt_out_late.string()}, {"+12125552402", "auto", clips.live.string()}},
                     clips.silence);
  SipConfig sip = config_for(phone.customer_template());
  sip.audio.opt_out_digit = '5';  // the driver's default: not what the callee presses, and no message
  auto driver = std::make_shared<SipDriver>(sip);

  obtest::TempDir dir;
  ListOptions lo;
  lo.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open(dir.sqlite(), lo));
  auto records = obtest::make_records(2);
  records[0].contact_info = "+12125552401";
  records[1].contact_info = "+12125552402";
  list->insert(records);
  auto dnc = std::make_shared<DncList>("US");

  Engine engine(std::make_shared<SystemClock>());
  CampaignConfig cfg;
  cfg.name = "own audio";
  cfg.amd = AmdMode::detect_drop;
  cfg.abandon_cap.rate = 1.0;  // no agent ever comes: every live answer is abandoned
  cfg.audio.abandon_message = clips.abandon_message.string();
  cfg.audio.opt_out_digit = '9';
  Campaign& campaign = engine.add_campaign(cfg, driver, dnc);
  campaign.add_list(list);
  campaign.load();
  campaign.set_agent_state("a1", AgentState::ready);
  campaign.start();
  const auto until = engine.loop().now() + std::chrono::seconds(40);
  engine.loop().run_until(until, [&] { return campaign.stats().dials >= 2 && campaign.calls_in_flight() == 0; });
  campaign.stop();
  engine.loop().run_until(engine.loop().now() + std::chrono::seconds(10), [&] { return campaign.calls_in_flight() == 0; });
  campaign.unload();

  CHECK(dnc->contains_phone("+12125552401"));
  CHECK(list->get(1)->call_result == CallResult::do_not_call);
  CHECK(list->get(2)->call_result == CallResult::abandoned);
  CHECK(driver->stats().opt_outs == 1);
  CHECK(driver->stats().abandon_messages == 1);
  REQUIRE(rig::wait_for([&] { return phone.count("CALL_CLOSED") == 2; }));
  phone.stop();
  bool found = false;  // the live callee heard the campaign's message
  for (const auto& rec : phone.heard()) {
    const auto [at, r] = heard_match(rec, clips.abandon_message);
    INFO(rec << ": message at " << at << " s, correlation " << r);
    found = found || r > 0.7;
  }
  CHECK(found);
}
