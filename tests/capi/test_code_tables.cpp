// The C API's code tables against the C++ enums they come from, and the
// public headers' hygiene: no X-macro helper stays defined in a user's file.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "outbound.h"
#include "outbound/agents.hpp"
#include "outbound/call_log.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/clock.hpp"
#include "outbound/csv.hpp"
#include "outbound/dnc.hpp"
#include "outbound/driver/driver.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/model.hpp"
#include "outbound/pacing.hpp"
#include "outbound/sim.hpp"
#include "outbound/timezone.hpp"
#include "outbound/treatment.hpp"

#if defined(OB_ENUM_ITEM) || defined(OB_RECORD_TYPES) || defined(OB_RECORD_STATUSES) || \
    defined(OB_CONTACT_INFO_TYPES) || defined(OB_CALL_RESULTS)
#error "a public header leaves its X-macro code tables defined in users' files"
#endif

namespace {

// Every value of a C++ enum named by to_string(), in the C table `which`.
template <typename E>
int check_table(int which) {
  int n = 0;
  for (;; ++n) {
    std::string_view cxx = outbound::to_string(static_cast<E>(n));
    const char* c = ob_enum_name(which, n);
    if (cxx == "invalid") {
      CHECK_MESSAGE(c == nullptr, "table ", which, " names value ", n, " that C++ does not have");
      return n;
    }
    REQUIRE_MESSAGE(c != nullptr, "table ", which, " lacks value ", n, " (", std::string(cxx), ")");
    CHECK(std::string_view(c) == cxx);
  }
}

}  // namespace

TEST_CASE("every C++ campaign event kind has its own C constant, named alike") {
  const int kinds = check_table<outbound::CampaignEvent::Kind>(OB_ENUM_EVENT_KIND);
  CHECK(kinds == OB_EVENT_WRITTEN + 1);
  CHECK(static_cast<int>(outbound::CampaignEvent::Kind::dialing) == OB_EVENT_DIALING);
  CHECK(static_cast<int>(outbound::CampaignEvent::Kind::written) == OB_EVENT_WRITTEN);
  CHECK(OB_EVENT_DIALING != OB_EVENT_INFO);
}

TEST_CASE("the C tables of the C++ enums with a to_string hold exactly their values") {
  CHECK(check_table<outbound::CallResult>(OB_ENUM_CALL_RESULT) == OB_CALL_RESULT_COUNT);
  CHECK(check_table<outbound::RecordStatus>(OB_ENUM_RECORD_STATUS) == OB_RECORD_STATUS_COUNT);
  check_table<outbound::RecordType>(OB_ENUM_RECORD_TYPE);
  check_table<outbound::ContactInfoType>(OB_ENUM_CONTACT_INFO_TYPE);
  check_table<outbound::DialMode>(OB_ENUM_DIAL_MODE);
  check_table<outbound::OptimizationGoal>(OB_ENUM_GOAL);
  check_table<outbound::CampaignState>(OB_ENUM_CAMPAIGN_STATE);
  CHECK(check_table<outbound::AgentState>(OB_ENUM_AGENT_STATE) == outbound::kAgentStateCount);
  check_table<outbound::CallEventKind>(OB_ENUM_CALL_EVENT_KIND);
  check_table<outbound::RecordAction>(OB_ENUM_RECORD_ACTION);
  check_table<outbound::CallAction>(OB_ENUM_CALL_ACTION);
}

TEST_CASE("status codes are the C++ error codes") {
  for (int code = OB_ERROR; code >= OB_EHANDLE; --code) {
    REQUIRE(ob_enum_name(OB_ENUM_STATUS, code) != nullptr);
    CHECK(std::string_view(ob_strerror(code)) == outbound::to_string(static_cast<outbound::ErrorCode>(code)));
  }
  CHECK(ob_enum_name(OB_ENUM_STATUS, OB_EHANDLE - 1) == nullptr);
}
