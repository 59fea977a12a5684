// outbound — Do-Not-Call: phone numbers (normalised to E.164 with
// libphonenumber) and customer ids that must never be dialed.
//
// Numbers are held as 64-bit keys (the E.164 digits) in a compact
// open-addressing set: about 10 bytes a number at full load and one or two
// cache lines a lookup, so tens of millions fit and every dial is checked.
// A list may be backed by a table in the gsw_donotcall_list shape: loaded at
// open, re-read on request, and every addition is persisted at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/export.hpp"

namespace outbound {

/// Normalises phone numbers to E.164 with libphonenumber.
class OB_API PhoneNormalizer {
 public:
  /// A normaliser for numbers written in `default_region`'s national format (ISO 3166 code).
  explicit PhoneNormalizer(std::string default_region = "US");
  /// "+12125551234" for "(212) 555-1234"; throws Error(invalid_argument) saying why it is not a phone number.
  std::string to_e164(const std::string& raw) const;
  /// The E.164 digits as an integer key, or nullopt (with the reason in `why` if given).
  std::optional<std::uint64_t> key(const std::string& raw, std::string* why = nullptr) const;
  /// The default region.
  const std::string& default_region() const { return region_; }

 private:
  std::string region_;
};

/// A set of 64-bit keys (never 0): open addressing over cache-line buckets of
/// eight keys, so a lookup, hit or miss, reads about one cache line.
class OB_API KeySet {
 public:
  /// Inserts `key`; returns false when it was there.
  bool insert(std::uint64_t key);
  /// True when `key` is in the set.
  bool contains(std::uint64_t key) const noexcept;
  /// Makes room for `n` keys without growing.
  void reserve(std::size_t n);
  /// Number of keys.
  std::size_t size() const noexcept { return size_; }
  /// Bytes of the table.
  std::size_t memory_bytes() const noexcept { return buckets_.size() * sizeof(Bucket); }
  /// Removes every key.
  void clear() noexcept;

 private:
  struct alignas(64) Bucket {
    std::uint64_t keys[8];  // filled from the front; 0 marks a free slot
  };
  std::size_t bucket_of(std::uint64_t key) const noexcept;
  void rehash(std::size_t capacity);
  std::vector<Bucket> buckets_;
  std::size_t size_ = 0;
};

/// What a DNC check matched.
enum class DncMatch { none, phone, customer_id };

/// Options of a DNC list backed by a table.
struct DncOptions {
  std::string table = "gsw_donotcall_list";  ///< the DNC table (created when missing)
  std::string default_region = "US";          ///< region for numbers without a country code
  bool create_if_missing = true;              ///< create the table when it does not exist
};

/// Do-not-call numbers and customer ids; optionally backed by a database table.
class OB_API DncList {
 public:
  /// An in-memory list.
  explicit DncList(std::string default_region = "US");
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
  /// Phone first, then customer id (an empty customer id never matches).
  DncMatch check(std::optional<std::uint64_t> phone_key, const std::string& customer_id) const noexcept;
  /// True when `raw` normalises to a listed number.
  bool contains_phone(const std::string& raw) const;
  /// True when the customer id is listed.
  bool contains_customer(const std::string& customer_id) const noexcept;
  /// Re-reads the backing table (additions by other engines); returns entries loaded.
  std::size_t reload();

  /// The list's normaliser.
  const PhoneNormalizer& normalizer() const;
  /// Number of listed phone numbers.
  std::size_t phone_count() const noexcept;
  /// Number of listed customer ids.
  std::size_t customer_count() const noexcept;
  /// Bytes held by the in-memory sets.
  std::size_t memory_bytes() const noexcept;
  /// Entries of the backing table that were skipped at load, with reasons.
  const std::vector<std::string>& load_errors() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The 64-bit key of a customer id (a hash; never 0).
OB_API std::uint64_t customer_key(const std::string& customer_id) noexcept;

}  // namespace outbound
