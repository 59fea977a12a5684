// The DNC list's set of phone keys: internal to lib/dnc (its tests and bench
// use it too), not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "outbound/export.hpp"

namespace outbound::detail {

/// A set of 64-bit keys (never 0): open addressing over cache-line buckets of
/// eight keys, so a lookup, hit or miss, reads about one cache line.
class OB_API KeySet {
 public:
  /// Inserts `key`; returns false when it was there.
  bool insert(std::uint64_t key);
  /// Removes `key`; returns false when it was not there.
  bool erase(std::uint64_t key) noexcept;
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

}  // namespace outbound::detail
