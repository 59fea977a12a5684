// outbound — Do-Not-Call: phone numbers (normalised to E.164 with
// libphonenumber) and customer ids that must never be dialed.
//
// Numbers are held as 64-bit keys (the E.164 digits) in a compact
// open-addressing set: about 10 bytes a number at full load and one or two
// cache lines a lookup, so tens of millions fit and every dial is checked.
// A list may be backed by a table in the gsw_donotcall_list shape: loaded at
// open, and every addition or removal is persisted at once and written to a
// change log (`<table>_changes`) that other engines sharing the table read
// within `sync_interval`. Entries may expire (`expires_at`) and may be scoped
// to a tenant, a campaign or a list (the OCS columns).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/clock.hpp"
#include "outbound/export.hpp"

namespace outbound {

/// Longest phone number text accepted, in characters: longer input is refused before any parse.
inline constexpr std::size_t kMaxPhoneLength = 64;

/// `raw` in quotes for a message, shortened (with its length) when longer than kMaxPhoneLength.
OB_API std::string quoted_phone(const std::string& raw);
/// The digits of `raw` as a key, leading zeros dropped ("00 44 20…" gives 4420…); nullopt when none or too many.
OB_API std::optional<std::uint64_t> digits_only_key(const std::string& raw);
/// True when libphonenumber knows `region` (an ISO 3166 code such as "GB").
OB_API bool is_phone_region(const std::string& region);

/// The region a record's national-format number is read in: its `region_column` value (upper-cased),
/// else `zone_country` (the country of its time zone), else `list_region`, else `fallback`.
OB_API std::string record_phone_region(const Record& r, const std::string& region_column, const std::string& zone_country,
                                       const std::string& list_region, const std::string& fallback);

/// Normalises phone numbers to E.164 with libphonenumber, refusing what must never be dialed.
class OB_API PhoneNormalizer {
 public:
  /// A normaliser for numbers written in `default_region`'s national format (ISO 3166 code).
  explicit PhoneNormalizer(std::string default_region = "US");
  /// "+12125551234" for "(212) 555-1234"; throws Error(invalid_argument) saying why it is not a
  /// number to dial: longer than kMaxPhoneLength, a service code (* or #), an emergency number,
  /// a short code, or not a possible number.
  std::string to_e164(const std::string& raw) const;
  /// to_e164() reading national numbers in `region` instead of the default.
  std::string to_e164(const std::string& raw, const std::string& region) const;
  /// The E.164 digits as an integer key, or nullopt (with the reason in `why` if given).
  std::optional<std::uint64_t> key(const std::string& raw, std::string* why = nullptr) const;
  /// key() reading national numbers in `region`.
  std::optional<std::uint64_t> key(const std::string& raw, const std::string& region, std::string* why) const;
  /// The default region.
  const std::string& default_region() const { return region_; }

 private:
  std::string region_;
};

/// What a DNC check matched.
enum class DncMatch { none, phone, customer_id };

/// Where an entry applies: the OCS columns tenant_dbid, campaign_dbid, list_dbid (0: not set, any).
struct DncEntryScope {
  int tenant_dbid = 0;    ///< only this tenant's DNC lists (see DncOptions::tenant_dbid)
  int campaign_dbid = 0;  ///< only campaigns with this campaign_id
  int list_dbid = 0;      ///< only calling lists with this list_dbid
};

/// Whom a DNC check is for: an entry scoped to another campaign or list does not match.
/// A 0 here means "not known": every entry scoped on that column matches (fails closed).
struct DncContext {
  int campaign_dbid = 0;  ///< the dialing campaign's campaign_id
  int list_dbid = 0;      ///< the record's calling list's list_dbid
};

/// One do-not-call entry to add: a phone number or a customer id (or both, one row).
struct DncEntry {
  std::string phone;                      ///< a phone number in any format, or empty
  std::string customer_id;                ///< a customer id, or empty
  std::string message;                    ///< why (dnc_message)
  DncEntryScope scope;                    ///< where it applies (default: everywhere)
  std::optional<EpochSeconds> expires_at; ///< when it stops applying (UTC epoch seconds); nullopt: never
};

/// A row of the DNC table whose phone could not be read as a phone number.
struct DncLoadError {
  std::string row;     ///< the row's key in the table: SQLite rowid, PostgreSQL ctid
  std::string phone;   ///< the phone text as stored (shortened when longer than kMaxPhoneLength)
  std::string reason;  ///< why it is not a phone number
  std::optional<std::uint64_t> blocked_key;  ///< the digits key that still blocks it (nullopt: nothing)
};

/// Options of a DNC list backed by a table.
struct DncOptions {
  std::string table = "gsw_donotcall_list";  ///< the DNC table (created when missing)
  std::string default_region = "US";          ///< region for numbers without a country code
  bool create_if_missing = true;              ///< create the table when it does not exist
  int tenant_dbid = 0;                        ///< rows of other tenants are ignored (0: every row applies)
  Duration sync_interval{500};                ///< read other engines' changes at most this long after they commit
  Duration reload_interval{0};                ///< also re-read the whole table this often (rows other tools write); 0: never
};

/// Do-not-call numbers and customer ids; optionally backed by a database table.
class OB_API DncList {
 public:
  /// An in-memory list.
  explicit DncList(std::string default_region = "US");
  /// Writes queued entries (pending_count()) first, waiting as long as the connection does; an entry
  /// that still cannot be written is reported on stderr (a destructor cannot throw) and is lost to the
  /// table, so call flush_pending() before and handle its error.
  ~DncList();
  DncList(DncList&&) noexcept;
  DncList& operator=(DncList&&) noexcept;

  /// A list backed by `options.table` on `connection`, loaded now.
  static std::unique_ptr<DncList> open(const std::string& connection, const DncOptions& options = {});

  /// Adds a phone number (persisted when backed); throws Error(invalid_argument) if it is no phone number.
  /// Blocked in memory first: if the write then fails (Error(database)), the number stays blocked until reload.
  void add_phone(const std::string& raw, const std::string& message = {});
  /// Adds a customer id (persisted when backed); throws Error(invalid_argument) if empty; blocked in memory first.
  void add_customer(const std::string& customer_id, const std::string& message = {});
  /// Adds an entry with a scope and an expiry; throws Error(invalid_argument) for a bad phone, an
  /// entry with neither phone nor customer id, or an expiry on a table without an expires_at column.
  /// Waits for the table as long as its connection does; throws Error(database) if it cannot be written.
  void add(const DncEntry& entry);
  /// add() for a caller that must not wait (an event loop): blocked in memory at once, then the table write
  /// waits at most `max_wait` for a lock. Returns false when it could not be written (a lock held longer, the
  /// database down): the entry is then queued, not lost (pending_count(), pending_error()), and written by a
  /// later sync() or flush_pending(). Bad input throws Error(invalid_argument) as add() does, queuing nothing.
  bool add(const DncEntry& entry, Duration max_wait);
  /// Entries blocked in memory whose table write is still queued (see add(entry, max_wait)).
  std::size_t pending_count() const noexcept;
  /// Why the last write of a queued entry failed (empty when none is queued).
  const std::string& pending_error() const noexcept;
  /// Writes the queued entries in order, each waiting at most `max_wait` for a lock (nullopt: as long as
  /// the connection does). Returns entries written; throws Error(database) naming how many are still
  /// queued when one cannot be written (it and those after it stay queued).
  std::size_t flush_pending(std::optional<Duration> max_wait = std::nullopt);
  /// Removes every entry of this number (any format, any scope), a queued one too (it is never written
  /// after); returns table rows deleted plus queued entries dropped (in memory: 1 or 0).
  std::size_t remove_phone(const std::string& raw);
  /// Removes every entry of this customer id, a queued one too; returns table rows deleted plus queued
  /// entries dropped (in memory: 1 or 0).
  std::size_t remove_customer(const std::string& customer_id);
  /// Phone first, then customer id (an empty customer id never matches); every scoped entry applies.
  DncMatch check(std::optional<std::uint64_t> phone_key, const std::string& customer_id) const noexcept;
  /// check() for one campaign and list: entries scoped elsewhere do not match.
  DncMatch check(std::optional<std::uint64_t> phone_key, const std::string& customer_id,
                 const DncContext& context) const noexcept;
  /// True when `raw` normalises to a listed number.
  bool contains_phone(const std::string& raw) const;
  /// True when the customer id is listed.
  bool contains_customer(const std::string& customer_id) const noexcept;
  /// Re-reads the backing table (additions by other engines and tools); queued entries stay blocked.
  /// Returns entries loaded.
  std::size_t reload();
  /// Brings the list up to date at `now`: drops entries expired by then and, when backed and
  /// sync_interval has passed since the last read, applies other engines' changes (and reloads
  /// when reload_interval has passed). Queued entries are retried first, at most once a
  /// max(sync_interval, 1 s) (the first sync after a queuing only starts that clock), each waiting no
  /// longer than the add that queued it; a failed retry keeps them queued and does not throw. Returns entries changed. Throws Error(database) when the
  /// change log cannot be read: the list may be stale, so the caller must not dial on it.
  std::size_t sync(Time now);
  /// As sync, but the change log's read waits at most `max_wait` for a lock another connection holds,
  /// then throws Error(database): for a caller that must not stall, such as the engine's loop thread.
  std::size_t sync(Time now, Duration max_wait);

  /// The list's normaliser.
  const PhoneNormalizer& normalizer() const;
  /// Number of listed phone numbers.
  std::size_t phone_count() const noexcept;
  /// Number of listed customer ids.
  std::size_t customer_count() const noexcept;
  /// Bytes held by the in-memory sets.
  std::size_t memory_bytes() const noexcept;
  /// Rows of the backing table whose phone could not be read at the last load, in table order.
  const std::vector<DncLoadError>& load_errors() const noexcept;
  /// Counts loads of the backing table (open and every reload), so a user can tell new load_errors().
  std::uint64_t load_generation() const noexcept;

 private:
  std::size_t sync_within(Time now, std::optional<Duration> max_wait);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The 64-bit key of a customer id (a hash; never 0).
OB_API std::uint64_t customer_key(const std::string& customer_id) noexcept;

}  // namespace outbound
