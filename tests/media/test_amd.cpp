// Answering-machine detection on generated audio: a person's "Hello?", a
// machine's greeting and beep, fax, silence, a SIT; and the settings.
#include <doctest/doctest.h>

#include "audio_fixtures.hpp"

using namespace outbound;
using namespace outbound::media;
using namespace obtest::audio;

namespace {

// Speech is made once per test run: espeak-ng takes a few tens of ms a phrase.
struct Voices {
  obtest::TempDir dir;
  Samples hello = speak(dir.path(), "Hello?");
  Samples greeting = speak(dir.path(),
                           "Hi, you've reached the voicemail of John Smith. I can't come to the phone right now. "
                           "Please leave a message after the tone.");
  Samples announcement = speak(dir.path(), "We're sorry, the number you have dialed is not in service.");
};
const Voices& voices() {
  static Voices v;
  return v;
}

Samples live_clip(int lead_ms) {
  Samples x = silence(lead_ms);
  x += voices().hello;
  x += silence(4000);
  return x;
}

int ms_of(const Samples& x) { return static_cast<int>(x.size() * 1000 / kSampleRate); }

}  // namespace

TEST_CASE("a person's short greeting then silence is live, soon after the greeting ends") {
  AmdDetector amd;
  AmdDecision d = run_amd(amd, live_clip(500));
  CHECK(d.cls == AmdClass::live);
  int greeting_end = 500 + ms_of(voices().hello);
  CHECK(d.decision_ms >= greeting_end + AmdSettings{}.after_greeting_silence_ms - 100);
  CHECK(d.decision_ms <= greeting_end + AmdSettings{}.after_greeting_silence_ms + 100);
  CHECK(std::abs(d.greeting_start_ms - 500) <= 60);
  CHECK(d.greeting_end_ms > d.greeting_start_ms);
  REQUIRE(amd.decision());
  CHECK(amd.decision()->decision_ms == d.decision_ms);
}

TEST_CASE("rumble below the voice band neither starts nor prolongs a greeting") {
  // Strong low-frequency noise (brown) swings the level from frame to frame; without the
  // high-pass, it reads as voice that never stops and the person becomes a machine.
  Samples x = live_clip(500);
  add_noise(x, 0.05, 3, true);
  AmdDetector amd;
  AmdDecision d = run_amd(amd, x);
  CHECK(d.cls == AmdClass::live);
  CHECK(d.decision_ms < 500 + ms_of(voices().hello) + 900);
}

TEST_CASE("a machine's long greeting is a machine; its beep is found and the message cue follows it") {
  Samples x = silence(300);
  x += voices().greeting;
  int beep_start = ms_of(x) + 500;
  x += silence(500);
  x += tone(1000, 400, 0.25);
  int beep_end = ms_of(x);
  x += silence(3000);
  AmdDetector amd;
  AmdDecision d = run_amd(amd, x);
  CHECK(d.cls == AmdClass::machine);
  CHECK(d.decision_ms < 300 + AmdSettings{}.max_greeting_ms + 500);
  CHECK_FALSE(amd.message_start_ms());  // not before the beep
  feed_all(amd, Samples(x.begin() + static_cast<std::ptrdiff_t>(amd.elapsed_ms() * kSampleRate / 1000), x.end()));
  REQUIRE(amd.beeps().size() == 1);
  CHECK(std::abs(amd.beeps()[0].start_ms - beep_start) <= 40);
  CHECK(std::abs(amd.beeps()[0].end_ms - beep_end) <= 40);
  CHECK(std::abs(amd.beeps()[0].frequency_hz - 1000) <= 30);
  REQUIRE(amd.message_start_ms());
  CHECK(*amd.message_start_ms() >= beep_end + AmdSettings{}.after_beep_silence_ms - 40);
  CHECK(*amd.message_start_ms() <= beep_end + AmdSettings{}.after_beep_silence_ms + 200);
}

TEST_CASE("a short greeting followed by a beep is a machine, not a person waiting") {
  // "Hi, it's John" and the beep: the tone fills the pause a person would leave.
  Samples x = silence(300);
  x += speak(voices().dir.path(), "Hi, it's John.");
  int end = ms_of(x);
  x += silence(250);
  x += tone(850, 600, 0.25);
  x += silence(3000);
  AmdDetector amd;
  AmdDecision d = run_amd(amd, x);
  CHECK(d.cls == AmdClass::machine);
  CHECK(d.decision_ms >= end + 250 + 600);
  CHECK(d.decision_ms <= end + 250 + 600 + 200);
}

TEST_CASE("without a beep the message cue waits for a long silence after the greeting") {
  Samples x = voices().greeting;
  int end = ms_of(x);
  x += silence(4000);
  AmdDetector amd;
  feed_all(amd, x);
  REQUIRE(amd.decision());
  CHECK(amd.decision()->cls == AmdClass::machine);
  REQUIRE(amd.message_start_ms());
  CHECK(*amd.message_start_ms() >= end + AmdSettings{}.no_beep_silence_ms - 60);
  CHECK(*amd.message_start_ms() <= end + AmdSettings{}.no_beep_silence_ms + 100);
}

TEST_CASE("a fax's CNG is fax, in band or as a telephone event") {
  Samples x = silence(200);
  x += tone(1100, 500, 0.1);
  x += silence(3000);
  AmdDetector amd;
  AmdDecision d = run_amd(amd, x);
  CHECK(d.cls == AmdClass::fax);
  CHECK(d.decision_ms < 1000);
  AmdDetector rtp;
  rtp.feed(Frame(silence(20)));
  auto e = rtp.telephone_event({36, false, 160, 1234});
  REQUIRE(e);
  CHECK(e->cls == AmdClass::fax);
  CHECK(rtp.decision()->cls == AmdClass::fax);
}

TEST_CASE("silence, and clicks in silence, are silence at initial_silence_ms") {
  AmdDetector quiet;
  AmdDecision d = run_amd(quiet, silence(6000));
  CHECK(d.cls == AmdClass::silence);
  CHECK(d.decision_ms == AmdSettings{}.initial_silence_ms);
  Samples clicks = silence(600);
  for (int i = 0; i < 4; ++i) {
    clicks += tone(300 + 500 * i, 30, 0.1);  // 30 ms pops: shorter than any word
    clicks += silence(700);
  }
  AmdDetector pops;
  CHECK(run_amd(pops, clicks).cls == AmdClass::silence);
}

TEST_CASE("a SIT before an announcement is a machine carrying the SIT") {
  Samples x = silence(200);
  x += sit_tone(true, true, false, false);  // vacant code
  x += silence(150);
  x += voices().announcement;
  AmdDetector amd;
  AmdDecision d = run_amd(amd, x);
  CHECK(d.cls == AmdClass::machine);
  REQUIRE(d.sit);
  CHECK(*d.sit == SitCode::vacant_code);
  CHECK(d.decision_ms < 200 + 380 + 276 + 380 + 100);
  // The first two steps of a SIT lead straight into the next tone: a sequence, not beeps.
  feed_all(amd, Samples(x.begin() + static_cast<std::ptrdiff_t>(amd.elapsed_ms() * kSampleRate / 1000), x.end()));
  for (const Beep& b : amd.beeps()) CHECK(b.frequency_hz > 1700);
}

TEST_CASE("audio that ends: a short greeting is live, no voice is silence, a decision is kept") {
  Samples x = silence(300);
  x += voices().hello;
  AmdDetector cut;
  AmdDecision d = run_amd(cut, x);
  CHECK(d.cls == AmdClass::live);
  CHECK(d.decision_ms == cut.elapsed_ms());
  CHECK(cut.finish().decision_ms == d.decision_ms);  // finish() again changes nothing
  AmdDetector empty;
  CHECK(empty.finish().cls == AmdClass::silence);
  // Undecided at max_decision_ms with no voice: unknown (initial_silence_ms set beyond it).
  AmdSettings s;
  s.initial_silence_ms = 3000;
  s.max_decision_ms = 1000;
  AmdDetector limited(s);
  AmdDecision u = run_amd(limited, silence(2000));
  CHECK(u.cls == AmdClass::unknown);
  CHECK(u.decision_ms == 1000);
}

TEST_CASE("AMD settings: defaults valid, each range checked by name, JSON in and out") {
  CHECK_NOTHROW(AmdSettings{}.validate());
  AmdSettings s;
  s.after_greeting_silence_ms = 20;
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("after_greeting_silence_ms"), Error);
  CHECK_THROWS_AS(AmdDetector{s}, Error);
  s = AmdSettings{};
  s.beep_max_ms = s.beep_min_ms - 1;
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("beep_max_ms"), Error);
  s = AmdSettings{};
  s.voice_threshold_db = 0.0;
  CHECK_THROWS_WITH_AS(s.validate(), doctest::Contains("voice_threshold_db"), Error);

  AmdSettings j = amd_settings_from_json(R"({"max_greeting_ms": 2500, "voice_threshold_db": 7, "detect_tones": false})");
  CHECK(j.max_greeting_ms == 2500);
  CHECK(j.voice_threshold_db == 7.0);
  CHECK_FALSE(j.detect_tones);
  CHECK(j.initial_silence_ms == AmdSettings{}.initial_silence_ms);
  AmdSettings back = amd_settings_from_json(to_json(j));
  CHECK(back.max_greeting_ms == 2500);
  CHECK_FALSE(back.detect_tones);
  CHECK_THROWS_WITH_AS(amd_settings_from_json(R"({"max_greting_ms": 1})"), doctest::Contains("max_greting_ms"), Error);
  CHECK_THROWS_WITH_AS(amd_settings_from_json(R"({"max_words": "5"})"), doctest::Contains("integer"), Error);
  CHECK_THROWS_WITH_AS(amd_settings_from_json(R"({"max_words": 1.5})"), doctest::Contains("integer"), Error);
  CHECK_THROWS_WITH_AS(amd_settings_from_json(R"({"min_word_ms": 5})"), doctest::Contains("min_word_ms"), Error);
  CHECK_THROWS_WITH_AS(amd_settings_from_json("[1, 2]"), doctest::Contains("object"), Error);
  CHECK_THROWS_WITH_AS(amd_settings_from_json("{"), doctest::Contains("not valid JSON"), Error);
}

TEST_CASE("a whole 16 kHz recording classifies as its 8 kHz self") {
  Samples x8 = live_clip(400);
  Pcm wide{16000, {}};
  for (std::int16_t s : x8) {  // 8 -> 16 kHz by repeating samples: same content below 4 kHz
    wide.samples.push_back(s);
    wide.samples.push_back(s);
  }
  AmdDecision narrow = classify(Pcm{8000, x8});
  AmdDecision from_wide = classify(wide);
  CHECK(narrow.cls == AmdClass::live);
  CHECK(from_wide.cls == AmdClass::live);
  CHECK(std::abs(from_wide.decision_ms - narrow.decision_ms) <= 40);
}
