// The driver interface itself: what a driver gets by implementing only the
// required operations (start, dial, cancel, stop), and the user headers'
// independence from the driver tier (checked by check_tiers.sh).
#include <doctest/doctest.h>

#include <vector>

#include "outbound/driver/driver.hpp"
#include "outbound/error.hpp"

using namespace outbound;

namespace {

/// Only what a driver must implement.
class Minimal final : public Driver {
 public:
  void start(EventSink&) override {}
  void dial(const DialRequest&) override {}
  void cancel(CallId id) override { cancelled.push_back(id); }
  void stop() override {}
  std::vector<CallId> cancelled;
};

}  // namespace

TEST_CASE("optional operations have defaults: capabilities, name, release_abandoned, connect") {
  Minimal d;
  const DriverCapabilities caps = d.capabilities();
  CHECK(caps.kind == DriverKind::custom);
  CHECK(caps.max_concurrent_calls == 0);
  CHECK_FALSE(caps.connects_on_request);
  CHECK_FALSE(caps.routes_to_agents);
  CHECK(d.name() == "custom");
  d.release_abandoned(9);  // no message to play: the call is ended
  CHECK(d.cancelled == std::vector<CallId>{9});
  try {
    d.connect(4, "a1");
    FAIL("connect did not throw");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::unsupported);
    CHECK(std::string(e.what()).find("cannot connect call 4 to agent a1") != std::string::npos);
  }
  CHECK(d.cancelled.size() == 1);  // connect touched nothing
}

TEST_CASE("every call event kind has a name") {
  for (int k = 0; k < kCallEventKindCount; ++k) CHECK(to_string(static_cast<CallEventKind>(k)) != "invalid");
  CHECK(to_string(CallEventKind::connect_failed) == "connect_failed");
  CHECK(to_string(static_cast<CallEventKind>(kCallEventKindCount)) == "invalid");
}
