// outbound — the calling-list record and the OCS codes it carries.
//
// Every numeric code of a calling list (docs/reference.md) is defined here
// and only here, so existing OCS calling-list tables read as they are. The
// X-macro tables keep each code's value and name on one line, easy to check
// against the docs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "outbound/export.hpp"

namespace outbound {

/// Record types (calling-list column record_type).
#define OB_RECORD_TYPES(X)          \
  X(none, 0)                        \
  X(unknown, 1)                     \
  X(general, 2)                     \
  X(campaign_rescheduled, 3)        \
  X(personal_rescheduled, 4)        \
  X(personal_callback, 5)           \
  X(campaign_callback, 6)           \
  X(no_call, 7)

/// Record statuses (calling-list column record_status).
#define OB_RECORD_STATUSES(X) \
  X(none, 0)                  \
  X(ready, 1)                 \
  X(retrieved, 2)             \
  X(updated, 3)               \
  X(stale, 4)                 \
  X(cancelled, 5)             \
  X(agent_error, 6)           \
  X(chain_updated, 7)         \
  X(missed_callback, 8)

/// Contact info types (calling-list column contact_info_type).
#define OB_CONTACT_INFO_TYPES(X) \
  X(none, 0)                     \
  X(home, 1)                     \
  X(direct_business, 2)          \
  X(business_with_ext, 3)        \
  X(mobile, 4)                   \
  X(vacation, 5)                 \
  X(pager, 6)                    \
  X(modem, 7)                    \
  X(voice_mail, 8)               \
  X(pin_pager, 9)                \
  X(email, 10)                   \
  X(instant_messaging, 11)

/// Call results (calling-list column call_result).
#define OB_CALL_RESULTS(X)         \
  X(ok, 0)                         \
  X(transferred, 1)                \
  X(conferenced, 2)                \
  X(general_error, 3)              \
  X(system_error, 4)               \
  X(remote_release, 5)             \
  X(busy, 6)                       \
  X(no_answer, 7)                  \
  X(sit_detected, 8)               \
  X(answering_machine, 9)          \
  X(all_trunks_busy, 10)           \
  X(sit_invalid_num, 11)           \
  X(sit_vacant, 12)                \
  X(sit_oper_intercept, 13)        \
  X(sit_unknown, 14)               \
  X(sit_no_circuit, 15)            \
  X(sit_reorder, 16)               \
  X(fax, 17)                       \
  X(queue_full, 18)                \
  X(cleared, 19)                   \
  X(overflowed, 20)                \
  X(abandoned, 21)                 \
  X(redirected, 22)                \
  X(forwarded, 23)                 \
  X(consult, 24)                   \
  X(picked_up, 25)                 \
  X(dropped, 26)                   \
  X(dropped_no_answer, 27)         \
  X(unknown, 28)                   \
  X(covered, 29)                   \
  X(converse_on, 30)               \
  X(bridged, 31)                   \
  X(silence, 32)                   \
  X(answer, 33)                    \
  X(nu_tone, 34)                   \
  X(no_dial_tone, 35)              \
  X(no_progress, 36)               \
  X(no_ringback, 37)               \
  X(no_established, 38)            \
  X(pager_detected, 39)            \
  X(wrong_party, 40)               \
  X(dial_error, 41)                \
  X(call_drop_error, 42)           \
  X(switch_error, 43)              \
  X(no_free_port, 44)              \
  X(transfer_error, 45)            \
  X(stale, 46)                     \
  X(agent_callback_error, 47)      \
  X(group_callback_error, 48)      \
  X(deafened, 49)                  \
  X(held, 50)                      \
  X(do_not_call, 51)               \
  X(cancel_record, 52)             \
  X(wrong_number, 53)

// The library names the codes from the tables above (lib/model/model.cpp); the
// C API's name tables come from those names, and the capi_code_tables test
// checks the C and Python enums against them. The macros are undefined again
// below, so they do not leak into users' files.
#define OB_ENUM_ITEM(name, value) name = value,

/// What kind of record this is: general, rescheduled, callback, no-call.
enum class RecordType : int { OB_RECORD_TYPES(OB_ENUM_ITEM) };
/// Where a record is in its life: ready, retrieved, updated (final), …
enum class RecordStatus : int { OB_RECORD_STATUSES(OB_ENUM_ITEM) };
/// What the contact_info column holds: a home phone, a mobile, an e-mail, …
enum class ContactInfoType : int { OB_CONTACT_INFO_TYPES(OB_ENUM_ITEM) };
/// The outcome of a call attempt, as stored in call_result.
enum class CallResult : int { OB_CALL_RESULTS(OB_ENUM_ITEM) };
#undef OB_ENUM_ITEM

/// Number of distinct call result codes (0..53).
inline constexpr int kCallResultCount = 54;

/// Name of a record type code ("general"), or "invalid".
OB_API std::string_view to_string(RecordType v) noexcept;
/// Name of a record status code ("ready"), or "invalid".
OB_API std::string_view to_string(RecordStatus v) noexcept;
/// Name of a contact info type code ("mobile"), or "invalid".
OB_API std::string_view to_string(ContactInfoType v) noexcept;
/// Name of a call result code ("no_answer"), or "invalid".
OB_API std::string_view to_string(CallResult v) noexcept;

/// True when the integer is a defined record type code.
OB_API bool is_valid_record_type(int v) noexcept;
/// True when the integer is a defined record status code.
OB_API bool is_valid_record_status(int v) noexcept;
/// True when the integer is a defined contact info type code.
OB_API bool is_valid_contact_info_type(int v) noexcept;
/// True when the integer is a defined call result code.
OB_API bool is_valid_call_result(int v) noexcept;

/// Call result named `name` ("busy"), or nullopt when there is none.
OB_API std::optional<CallResult> call_result_from_string(std::string_view name) noexcept;

/// Seconds since the UNIX epoch, UTC: how calling lists store instants.
using EpochSeconds = std::int64_t;

/// One row of a calling list: the mandatory OCS columns plus custom fields.
struct Record {
  std::int64_t record_id = 0;                           ///< unique key
  std::string contact_info;                             ///< phone number or address
  ContactInfoType contact_info_type = ContactInfoType::home;  ///< kind of contact_info
  RecordType record_type = RecordType::general;         ///< general, callback, …
  RecordStatus record_status = RecordStatus::ready;     ///< ready, retrieved, …
  CallResult call_result = CallResult::unknown;         ///< last outcome
  int attempt = 0;                                      ///< attempts made so far
  std::optional<EpochSeconds> dial_sched_time;          ///< when to dial next
  std::optional<EpochSeconds> call_time;                ///< when last dialed
  int daily_from = 0;                                   ///< window start, s after local midnight
  int daily_till = 86400;                               ///< window end, s after local midnight
  int tz_dbid = 0;                                      ///< configured time zone id
  int campaign_id = 0;                                  ///< owning campaign
  std::string agent_id;                                 ///< agent for personal callbacks
  int chain_id = 0;                                     ///< customer's chain
  int chain_n = 0;                                      ///< order within the chain
  int group_id = 0;                                     ///< agent group (routing)
  int app_id = 0;                                       ///< application (routing)
  int media_ref = 0;                                    ///< media reference (non-voice)
  int email_template_id = 0;                            ///< e-mail template (non-voice)
  int switch_id = 0;                                    ///< switch (routing)
  std::string treatments;                               ///< chain treatment history
  std::string email_subject;                            ///< e-mail subject (non-voice)
  std::map<std::string, std::string> custom;            ///< custom fields by column name
};

}  // namespace outbound

// Only the library's model.cpp, which defines OUTBOUND_MODEL_CODE_TABLES before
// any include, keeps the tables to name the codes from them.
#ifndef OUTBOUND_MODEL_CODE_TABLES
#undef OB_RECORD_TYPES
#undef OB_RECORD_STATUSES
#undef OB_CONTACT_INFO_TYPES
#undef OB_CALL_RESULTS
#endif
