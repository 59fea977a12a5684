// A flat hash set of non-zero 64-bit keys. Linear probing over one array keeps
// a lookup within one or two cache lines; the slot is picked by multiply-shift
// over any capacity (not just powers of two), so a reserved set runs at ~85 %
// load: ~9.4 bytes a key.
#include <algorithm>

#include "outbound/dnc.hpp"
#include "outbound/error.hpp"

namespace outbound {
namespace {

constexpr double kMaxLoad = 0.85;

std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

std::size_t KeySet::slot_of(std::uint64_t key) const noexcept {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(mix(key)) * slots_.size()) >> 64);
}

bool KeySet::contains(std::uint64_t key) const noexcept {
  if (slots_.empty() || key == 0) return false;
  const std::size_t n = slots_.size();
  for (std::size_t i = slot_of(key);; i = (i + 1 == n ? 0 : i + 1)) {
    std::uint64_t s = slots_[i];
    if (s == key) return true;
    if (s == 0) return false;
  }
}

bool KeySet::insert(std::uint64_t key) {
  if (key == 0) throw Error(ErrorCode::invalid_argument, "key 0 cannot be stored");
  if (static_cast<double>(size_ + 1) > kMaxLoad * static_cast<double>(slots_.size()))
    rehash(std::max<std::size_t>(64, static_cast<std::size_t>(static_cast<double>(size_ + 1) * 1.3 / kMaxLoad)));
  const std::size_t n = slots_.size();
  for (std::size_t i = slot_of(key);; i = (i + 1 == n ? 0 : i + 1)) {
    if (slots_[i] == key) return false;
    if (slots_[i] == 0) {
      slots_[i] = key;
      ++size_;
      return true;
    }
  }
}

void KeySet::reserve(std::size_t n) {
  auto needed = static_cast<std::size_t>(static_cast<double>(n) / kMaxLoad) + 1;
  if (needed > slots_.size()) rehash(needed);
}

void KeySet::rehash(std::size_t capacity) {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(capacity, 0);
  size_ = 0;
  for (auto k : old)
    if (k) insert(k);
}

void KeySet::clear() noexcept {
  std::fill(slots_.begin(), slots_.end(), 0);
  size_ = 0;
}

std::uint64_t customer_key(const std::string& customer_id) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (unsigned char c : customer_id) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h = mix(h);
  return h == 0 ? 1 : h;
}

}  // namespace outbound
