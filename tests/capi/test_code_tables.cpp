// The C constants of the campaign event kinds and status codes against the
// C++ enumerators, and the public headers' hygiene: no X-macro helper stays
// defined in a user's file.
#include <doctest/doctest.h>

#include <iterator>
#include <string>
#include <string_view>
#include <utility>

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

using Kind = outbound::CampaignEvent::Kind;
using outbound::ErrorCode;

// Each C++ campaign event kind beside the C constant written for it in outbound.h: two lists kept
// by hand, checked against each other (the library's name tables are made from the C++ enum, so
// comparing them with it proves nothing; tests/capi/code_tables.py compares them with outbound.h
// and the Python enums by name).
constexpr std::pair<Kind, int> kEventKinds[] = {
    {Kind::loaded, OB_EVENT_LOADED},
    {Kind::started, OB_EVENT_STARTED},
    {Kind::stopped, OB_EVENT_STOPPED},
    {Kind::unloaded, OB_EVENT_UNLOADED},
    {Kind::mode_changed, OB_EVENT_MODE_CHANGED},
    {Kind::state_changed, OB_EVENT_STATE_CHANGED},
    {Kind::record_error, OB_EVENT_RECORD_ERROR},
    {Kind::driver_error, OB_EVENT_DRIVER_ERROR},
    {Kind::database_error, OB_EVENT_DATABASE_ERROR},
    {Kind::call_finished, OB_EVENT_CALL_FINISHED},
    {Kind::info, OB_EVENT_INFO},
    {Kind::preview_record, OB_EVENT_PREVIEW_RECORD},
    {Kind::preview_record_empty, OB_EVENT_PREVIEW_RECORD_EMPTY},
    {Kind::chained_record, OB_EVENT_CHAINED_RECORD},
    {Kind::record_delivered, OB_EVENT_RECORD_DELIVERED},
    {Kind::scheduled_call, OB_EVENT_SCHEDULED_CALL},
    {Kind::completed, OB_EVENT_COMPLETED},
    {Kind::error, OB_EVENT_ERROR},
    {Kind::dialing, OB_EVENT_DIALING},
    {Kind::written, OB_EVENT_WRITTEN},
    {Kind::idle, OB_EVENT_IDLE},
};

// Each C++ error code beside its C status.
constexpr std::pair<ErrorCode, int> kStatuses[] = {
    {ErrorCode::generic, OB_ERROR},
    {ErrorCode::invalid_argument, OB_EINVALID},
    {ErrorCode::not_found, OB_ENOTFOUND},
    {ErrorCode::invalid_state, OB_ESTATE},
    {ErrorCode::busy, OB_EBUSY},
    {ErrorCode::compliance_blocked, OB_ECOMPLIANCE},
    {ErrorCode::database, OB_EDATABASE},
    {ErrorCode::driver, OB_EDRIVER},
    {ErrorCode::unsupported, OB_EUNSUPPORTED},
    {ErrorCode::bad_handle, OB_EHANDLE},
};

// How many values a C++ enum with a to_string() has (it names the one past the last "invalid").
template <typename E>
int count_of() {
  int n = 0;
  while (outbound::to_string(static_cast<E>(n)) != "invalid") ++n;
  return n;
}

}  // namespace

TEST_CASE("every C++ campaign event kind has its own C constant, of the same value") {
  CHECK(count_of<Kind>() == static_cast<int>(std::size(kEventKinds)));  // a new kind needs a C constant
  for (const auto& [kind, c] : kEventKinds) {
    CAPTURE(outbound::to_string(kind));
    CHECK(static_cast<int>(kind) == c);
    CHECK(std::string_view(ob_enum_name(OB_ENUM_EVENT_KIND, c)) == outbound::to_string(kind));
  }
  CHECK(OB_EVENT_DIALING != OB_EVENT_INFO);  // 0.2 sent dials and writes as INFO
  CHECK(OB_EVENT_WRITTEN != OB_EVENT_INFO);
}

TEST_CASE("the C status codes are the C++ error codes") {
  for (const auto& [code, c] : kStatuses) {
    CAPTURE(outbound::to_string(code));
    CHECK(static_cast<int>(code) == c);
  }
  CHECK(ob_enum_name(OB_ENUM_STATUS, OB_EHANDLE - 1) == nullptr);
}
