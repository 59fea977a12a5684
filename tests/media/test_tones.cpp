// Call-progress tones: every SIT code, fax CNG and CED, DTMF in band and as
// RFC 4733 telephone events.
#include <doctest/doctest.h>

#include "audio_fixtures.hpp"

using namespace outbound;
using namespace outbound::media;
using namespace obtest::audio;

namespace {

std::vector<ToneEvent> heard(CallProgressDetector& d, const Samples& x) {
  std::vector<ToneEvent> all;
  for (std::size_t at = 0; at < x.size(); at += kFrameSamples) {
    auto e = d.feed(Frame(x.data() + at, std::min<std::size_t>(kFrameSamples, x.size() - at)));
    all.insert(all.end(), e.begin(), e.end());
  }
  return all;
}

}  // namespace

TEST_CASE("each Bellcore SIT is recognised with its code and OCS result") {
  struct Case { bool h1, l1, h2, l2; SitCode code; CallResult result; };
  const Case cases[] = {
      {false, false, false, false, SitCode::intercept, CallResult::sit_oper_intercept},
      {true, true, true, true, SitCode::no_circuit, CallResult::sit_no_circuit},
      {false, true, false, true, SitCode::no_circuit_interlata, CallResult::sit_no_circuit},
      {true, true, false, false, SitCode::vacant_code, CallResult::sit_vacant},
      {false, false, true, true, SitCode::reorder, CallResult::sit_reorder},
      {true, false, false, true, SitCode::reorder_interlata, CallResult::sit_reorder},
      {false, true, true, false, SitCode::ineffective_other, CallResult::sit_invalid_num},
      {true, false, true, false, SitCode::unknown, CallResult::sit_unknown},
  };
  for (const Case& c : cases) {
    CAPTURE(to_string(c.code));
    CallProgressDetector d;
    Samples x = silence(300);
    x += sit_tone(c.h1, c.l1, c.h2, c.l2);
    x += silence(500);
    add_noise(x, 0.003, 11);  // line noise, about 35 dB below the tones
    auto events = heard(d, x);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == ToneKind::sit);
    CHECK(events[0].sit == c.code);
    CHECK(sit_call_result(events[0].sit) == c.result);
    // Reported during the third segment, once it has lasted 300 ms.
    int third_starts = 300 + (c.l1 ? 380 : 276) + (c.l2 ? 380 : 276);
    CHECK(events[0].at_ms >= third_starts + 280);
    CHECK(events[0].at_ms <= third_starts + 380);
  }
}

TEST_CASE("three tones that are not a SIT pattern are not a SIT") {
  CallProgressDetector d;
  Samples x = tone(913.8, 700);  // far too long for a first segment
  x += tone(1370.6, 276);
  x += tone(1776.7, 380);
  x += silence(300);
  Samples y = tone(500, 276);  // the wrong frequencies
  y += tone(700, 276);
  y += tone(900, 380);
  x += y;
  CHECK(heard(d, x).empty());
}

TEST_CASE("fax tones: CNG from a calling fax, CED from an answering one") {
  CallProgressDetector cng;
  Samples x = silence(200);
  for (int i = 0; i < 2; ++i) {
    x += tone(1100, 500, 0.1);
    x += silence(3000);
  }
  auto e = heard(cng, x);
  REQUIRE(!e.empty());
  CHECK(e[0].kind == ToneKind::fax_cng);
  CHECK(e[0].at_ms < 1000);  // within the first burst
  CallProgressDetector ced;
  Samples y = silence(200);
  y += tone(2100, 3000, 0.1);
  e = heard(ced, y);
  REQUIRE(!e.empty());
  CHECK(e[0].kind == ToneKind::fax_ced);
  CHECK(e[0].at_ms < 1500);
  // A voice-band tone elsewhere (a 1 kHz beep) is neither.
  CallProgressDetector beep;
  Samples z = tone(1000, 800, 0.2);
  z += silence(3000);
  CHECK(heard(beep, z).empty());
}

TEST_CASE("DTMF digits in band, each once") {
  const char* digits = "159#*0D";
  static const double row[] = {697, 770, 852, 941}, col[] = {1209, 1336, 1477, 1633};
  static const char keys[4][5] = {"123A", "456B", "789C", "*0#D"};
  Samples x = silence(100);
  for (const char* p = digits; *p; ++p)
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        if (keys[r][c] == *p) {
          x += dual_tone(row[r], col[c], 60);
          x += silence(60);
        }
  CallProgressDetector d;
  std::string got;
  for (const ToneEvent& e : heard(d, x)) {
    CHECK(e.kind == ToneKind::dtmf);
    got += e.digit;
  }
  CHECK(got == digits);
  CallProgressDetector off(ToneOptions{true, true, false});
  CHECK(heard(off, x).empty());
}

TEST_CASE("RFC 4733 telephone events: once per event, repeats and end packets ignored") {
  CallProgressDetector d;
  CHECK(d.skip(1000).empty());
  CHECK(d.elapsed_ms() == 1000);
  // Digit 5: three packets with the same timestamp, the last three with the E bit.
  auto first = d.telephone_event({5, false, 160, 8000});
  REQUIRE(first);
  CHECK(first->kind == ToneKind::dtmf);
  CHECK(first->digit == '5');
  CHECK(first->at_ms == 1000);
  CHECK_FALSE(d.telephone_event({5, false, 320, 8000}));
  CHECK_FALSE(d.telephone_event({5, true, 480, 8000}));
  CHECK_FALSE(d.telephone_event({5, true, 480, 8000}));
  // The same digit pressed again is a new event (new timestamp), even if only its end packet arrives.
  auto again = d.telephone_event({5, true, 480, 9600});
  REQUIRE(again);
  CHECK(again->digit == '5');
  auto hash = d.telephone_event({11, false, 160, 11200});
  REQUIRE(hash);
  CHECK(hash->digit == '#');
  auto cng = d.telephone_event({36, false, 160, 12800});
  REQUIRE(cng);
  CHECK(cng->kind == ToneKind::fax_cng);
  auto ans = d.telephone_event({32, false, 160, 14400});
  REQUIRE(ans);
  CHECK(ans->kind == ToneKind::fax_ced);
  CHECK_FALSE(d.telephone_event({70, false, 160, 16000}));  // not one we map
  CallProgressDetector no_dtmf(ToneOptions{true, true, false});
  CHECK_FALSE(no_dtmf.telephone_event({1, false, 160, 0}));
}
