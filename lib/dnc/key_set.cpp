// A flat hash set of non-zero 64-bit keys in cache-line buckets of eight.
// A key lives in its home bucket, or (when that is full) in the next ones;
// buckets fill from the front, so a free slot ends every search: a lookup,
// hit or miss, reads about one cache line at 85 % load. The home bucket is
// picked by multiply-shift over any bucket count, so a reserved set runs at
// ~85 % load: ~9.4 bytes a key.
#include <algorithm>
#include <cstdint>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "key_set.hpp"
#include "outbound/dnc.hpp"
#include "outbound/error.hpp"

namespace outbound::detail {
namespace {

constexpr double kMaxLoad = 0.85;
constexpr std::size_t kSlots = 8;

std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Large tables (tens of millions of numbers) spend most of a lookup walking
// page tables; asking for transparent huge pages before the memory is first
// touched removes most of that. Only a hint: ignored where unsupported.
void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = 2u << 20;
  auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace

std::size_t KeySet::bucket_of(std::uint64_t key) const noexcept {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(mix(key)) * buckets_.size()) >> 64);
}

bool KeySet::contains(std::uint64_t key) const noexcept {
  if (buckets_.empty() || key == 0) return false;
  const std::size_t n = buckets_.size();
  for (std::size_t b = bucket_of(key);; b = (b + 1 == n ? 0 : b + 1)) {
    const auto& keys = buckets_[b].keys;
    bool full = true;
    for (std::size_t j = 0; j < kSlots; ++j) {
      if (keys[j] == key) return true;
      full &= keys[j] != 0;
    }
    if (!full) return false;
  }
}

bool KeySet::insert(std::uint64_t key) {
  if (key == 0) throw Error(ErrorCode::invalid_argument, "key 0 cannot be stored");
  if (static_cast<double>(size_ + 1) > kMaxLoad * static_cast<double>(buckets_.size() * kSlots))
    rehash(std::max<std::size_t>(64, static_cast<std::size_t>(static_cast<double>(size_ + 1) * 1.3 / kMaxLoad)));
  const std::size_t n = buckets_.size();
  for (std::size_t b = bucket_of(key);; b = (b + 1 == n ? 0 : b + 1)) {
    auto& keys = buckets_[b].keys;
    for (std::size_t j = 0; j < kSlots; ++j) {
      if (keys[j] == key) return false;
      if (keys[j] == 0) {
        keys[j] = key;
        ++size_;
        return true;
      }
    }
  }
}

// Removal keeps the invariant lookups rely on: a key stored past its home
// bucket found every bucket on the way full. Emptying a slot in a full bucket
// may break that for keys further on, so the first such key is moved back into
// the hole, which moves the hole to its bucket, until a bucket that was not
// full ends the run (no key passed it). Buckets stay filled from the front.
bool KeySet::erase(std::uint64_t key) noexcept {
  if (buckets_.empty() || key == 0) return false;
  const std::size_t n = buckets_.size();
  auto next = [n](std::size_t b) { return b + 1 == n ? 0 : b + 1; };
  std::size_t b = bucket_of(key), slot = kSlots;
  for (;; b = next(b)) {
    const auto& keys = buckets_[b].keys;
    bool full = true;
    for (std::size_t j = 0; j < kSlots && slot == kSlots; ++j) {
      if (keys[j] == key) slot = j;
      full &= keys[j] != 0;
    }
    if (slot < kSlots) break;
    if (!full) return false;
  }
  auto take_out = [this](std::size_t bucket, std::size_t j) {
    auto& keys = buckets_[bucket].keys;
    std::size_t last = kSlots - 1;
    while (keys[last] == 0) --last;
    keys[j] = keys[last];
    keys[last] = 0;
  };
  bool was_full = buckets_[b].keys[kSlots - 1] != 0;
  take_out(b, slot);
  --size_;
  std::size_t hole = b;
  for (std::size_t c = next(hole); was_full; c = next(c)) {
    auto& keys = buckets_[c].keys;
    const bool c_full = keys[kSlots - 1] != 0;
    // A key whose home is not in (hole, c] walked through the hole to get here.
    const std::size_t span = (c + n - hole) % n;
    std::size_t mover = kSlots;
    for (std::size_t j = 0; j < kSlots && keys[j] != 0 && mover == kSlots; ++j)
      if ((c + n - bucket_of(keys[j])) % n >= span) mover = j;
    if (mover < kSlots) {
      buckets_[hole].keys[kSlots - 1] = keys[mover];
      take_out(c, mover);
      hole = c;
    }
    was_full = c_full;
  }
  return true;
}

void KeySet::reserve(std::size_t n) {
  auto needed = static_cast<std::size_t>(static_cast<double>(n) / kMaxLoad) + 1;
  if (needed > buckets_.size() * kSlots) rehash(needed);
}

void KeySet::rehash(std::size_t capacity) {
  std::vector<Bucket> old;
  old.swap(buckets_);
  const std::size_t count = (capacity + kSlots - 1) / kSlots;
  buckets_.reserve(count);  // allocated, not yet touched
  advise_huge_pages(buckets_.data(), count * sizeof(Bucket));
  buckets_.resize(count, Bucket{});
  size_ = 0;
  for (const auto& b : old)
    for (auto k : b.keys)
      if (k) insert(k);
}

void KeySet::clear() noexcept {
  std::fill(buckets_.begin(), buckets_.end(), Bucket{});
  size_ = 0;
}

}  // namespace outbound::detail

namespace outbound {

std::uint64_t customer_key(const std::string& customer_id) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (unsigned char c : customer_id) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h = detail::mix(h);
  return h == 0 ? 1 : h;
}

}  // namespace outbound
