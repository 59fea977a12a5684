// SIP driver error messages read as a new user reads them (issue 18, item 10):
// each refused setting or request names its value. No far end is needed: the
// checks run before anything is sent.
#include <doctest/doctest.h>

#include <string>

#include "outbound/driver/sip.hpp"
#include "outbound/error.hpp"

using namespace outbound;
using namespace std::chrono_literals;

namespace {

// The message of the invalid_argument Error `fn` throws.
template <typename Fn>
std::string refusal(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    return e.what();
  }
  FAIL("no error");
  return {};
}

}  // namespace

TEST_CASE("SIP config: a refused number names its value") {
  SipConfig c;
  c.max_concurrent_calls = -1;
  CHECK(refusal([&] { validate(c); }) == "SIP config max_concurrent_calls: must not be negative (0: no limit; got -1)");
  c = SipConfig{};
  c.calls_per_second = 2.5e6;
  CHECK(refusal([&] { validate(c); }) == "SIP config calls_per_second: must lie in 0..100000, not 2.5e+06");
  c = SipConfig{};
  c.rtp_port_min = 80;
  CHECK(refusal([&] { validate(c); }) ==
        "SIP config rtp_port_min/rtp_port_max: need 1024 <= min < max <= 65534, not 80/" + std::to_string(c.rtp_port_max));
  c = SipConfig{};
  c.backoff_initial = 5s;
  c.backoff_max = 1s;
  CHECK(refusal([&] { validate(c); }) ==
        "SIP config backoff_max: must not be under backoff_initial (1000 ms < 5000 ms)");
}

TEST_CASE("SIP dial: a ring timeout under 15 s is told with its value") {
  SipDriver d(SipConfig{});
  DialRequest rq;
  rq.call_id = 3;
  rq.phone = "+12125550100";
  rq.ring_timeout = 10s;
  CHECK(refusal([&] { d.dial(rq); }) ==
        "call 3 asks to ring 10000 ms; a call must ring at least 15 s (the regulatory minimum; 0: the default)");
}
