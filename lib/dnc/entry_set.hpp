// Private: the entries of one DNC key space (phone numbers or customer ids).
// Entries that apply everywhere sit in the compact KeySet, so the common check
// reads one cache line; the rarer entries scoped to a campaign or a list sit
// in a side map that is only consulted when it is not empty. Expiring entries
// are also remembered in a queue by expiry, and dropped by expire().
#pragma once

#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "key_set.hpp"
#include "outbound/dnc.hpp"

namespace outbound::detail {

/// Keys blocked everywhere or for some campaigns or lists, each until an optional expiry.
class EntrySet {
 public:
  /// Blocks `key` within `scope` (its tenant is not looked at) until `expires` (nullopt: for good).
  void add(std::uint64_t key, const DncEntryScope& scope, std::optional<EpochSeconds> expires);
  /// Removes every entry of `key`; false when there was none.
  bool erase(std::uint64_t key);
  /// True when an entry of `key` applies to `context` (nullptr: any scoped entry applies).
  bool matches(std::uint64_t key, const DncContext* context) const noexcept;
  /// Drops the entries expired at `now`; returns how many keys stopped being blocked somewhere.
  std::size_t expire(EpochSeconds now);
  /// Distinct keys blocked anywhere.
  std::size_t size() const noexcept;
  /// Makes room for `n` keys blocked everywhere.
  void reserve(std::size_t n) { global_.reserve(n); }
  /// Bytes of the fast set (the side tables are small or counted apart).
  std::size_t memory_bytes() const noexcept { return global_.memory_bytes(); }

 private:
  struct Scoped {
    int campaign_dbid = 0;
    int list_dbid = 0;
    std::optional<EpochSeconds> expires;
  };
  using Due = std::pair<EpochSeconds, std::uint64_t>;

  KeySet global_;                                               // blocked everywhere
  std::unordered_map<std::uint64_t, EpochSeconds> expiring_;    // keys of global_ whose every entry expires: the latest
  std::unordered_map<std::uint64_t, std::vector<Scoped>> scoped_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue_;  // expiries, earliest first (may be stale)
};

}  // namespace outbound::detail
