#include <doctest/doctest.h>

#include <set>

#include "outbound/error.hpp"
#include "outbound/model.hpp"

using namespace outbound;

TEST_CASE("call result codes match the OCS numbering") {
  CHECK(static_cast<int>(CallResult::ok) == 0);
  CHECK(static_cast<int>(CallResult::busy) == 6);
  CHECK(static_cast<int>(CallResult::no_answer) == 7);
  CHECK(static_cast<int>(CallResult::answering_machine) == 9);
  CHECK(static_cast<int>(CallResult::abandoned) == 21);
  CHECK(static_cast<int>(CallResult::unknown) == 28);
  CHECK(static_cast<int>(CallResult::answer) == 33);
  CHECK(static_cast<int>(CallResult::do_not_call) == 51);
  CHECK(static_cast<int>(CallResult::wrong_number) == 53);
  CHECK(kCallResultCount == 54);
}

TEST_CASE("every call result code 0..53 has a distinct name and round-trips") {
  std::set<std::string_view> names;
  for (int v = 0; v < kCallResultCount; ++v) {
    CHECK(is_valid_call_result(v));
    auto name = to_string(static_cast<CallResult>(v));
    CHECK(name != "invalid");
    names.insert(name);
    CHECK(call_result_from_string(name) == static_cast<CallResult>(v));
  }
  CHECK(names.size() == kCallResultCount);
  CHECK_FALSE(is_valid_call_result(54));
  CHECK_FALSE(is_valid_call_result(-1));
  CHECK_FALSE(call_result_from_string("nonsense").has_value());
}

TEST_CASE("record type, status and contact info codes match the OCS numbering") {
  CHECK(static_cast<int>(RecordType::general) == 2);
  CHECK(static_cast<int>(RecordType::personal_callback) == 5);
  CHECK(static_cast<int>(RecordType::no_call) == 7);
  CHECK(static_cast<int>(RecordStatus::ready) == 1);
  CHECK(static_cast<int>(RecordStatus::retrieved) == 2);
  CHECK(static_cast<int>(RecordStatus::missed_callback) == 8);
  CHECK(static_cast<int>(ContactInfoType::mobile) == 4);
  CHECK(static_cast<int>(ContactInfoType::instant_messaging) == 11);
  CHECK(is_valid_record_type(7));
  CHECK_FALSE(is_valid_record_type(8));
  CHECK(is_valid_record_status(8));
  CHECK_FALSE(is_valid_record_status(9));
  CHECK(is_valid_contact_info_type(11));
  CHECK_FALSE(is_valid_contact_info_type(12));
  CHECK(to_string(RecordStatus::chain_updated) == "chain_updated");
}

TEST_CASE("a new record starts general and ready with result unknown") {
  Record r;
  CHECK(r.record_type == RecordType::general);
  CHECK(r.record_status == RecordStatus::ready);
  CHECK(r.call_result == CallResult::unknown);
  CHECK(r.attempt == 0);
}

TEST_CASE("errors carry their code") {
  Error e(ErrorCode::not_found, "no such record");
  CHECK(e.code() == ErrorCode::not_found);
  CHECK(std::string(e.what()) == "no such record");
  CHECK(to_string(ErrorCode::compliance_blocked) == "blocked by compliance");
}
