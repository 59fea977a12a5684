#include "entry_set.hpp"

#include <algorithm>

namespace outbound::detail {
namespace {

bool global(const DncEntryScope& s) { return s.campaign_dbid == 0 && s.list_dbid == 0; }

// A scope column that is set must equal the context's; an unknown (0) context matches.
bool column_applies(int entry, int context) { return entry == 0 || context == 0 || entry == context; }

}  // namespace

void EntrySet::add(std::uint64_t key, const DncEntryScope& scope, std::optional<EpochSeconds> expires) {
  if (!global(scope)) {
    scoped_[key].push_back({scope.campaign_dbid, scope.list_dbid, expires});
    if (expires) queue_.push({*expires, key});
    return;
  }
  if (!expires) {  // the common case (a bulk load): one probe of the set
    global_.insert(key);
    if (!expiring_.empty()) expiring_.erase(key);  // now blocked for good
    return;
  }
  const bool had = global_.contains(key);
  auto it = expiring_.find(key);
  if (had && it == expiring_.end()) return;  // a permanent entry outlives this one
  global_.insert(key);
  if (it == expiring_.end())
    expiring_.emplace(key, *expires);
  else
    it->second = std::max(it->second, *expires);
  queue_.push({*expires, key});
}

bool EntrySet::erase(std::uint64_t key) {
  bool any = global_.erase(key);
  expiring_.erase(key);
  any |= scoped_.erase(key) != 0;
  return any;
}

bool EntrySet::matches(std::uint64_t key, const DncContext* context) const noexcept {
  if (global_.contains(key)) return true;
  if (scoped_.empty()) return false;
  auto it = scoped_.find(key);
  if (it == scoped_.end()) return false;
  if (!context) return true;
  return std::any_of(it->second.begin(), it->second.end(), [&](const Scoped& s) {
    return column_applies(s.campaign_dbid, context->campaign_dbid) && column_applies(s.list_dbid, context->list_dbid);
  });
}

std::size_t EntrySet::expire(EpochSeconds now) {
  std::size_t dropped = 0;
  while (!queue_.empty() && queue_.top().first <= now) {
    const std::uint64_t key = queue_.top().second;
    queue_.pop();
    // A stale event (the key was removed, made permanent or extended) finds nothing due here.
    if (auto it = expiring_.find(key); it != expiring_.end() && it->second <= now) {
      expiring_.erase(it);
      dropped += global_.erase(key) ? 1 : 0;
    }
    if (auto it = scoped_.find(key); it != scoped_.end()) {
      auto& v = it->second;
      auto before = v.size();
      v.erase(std::remove_if(v.begin(), v.end(), [&](const Scoped& s) { return s.expires && *s.expires <= now; }), v.end());
      if (v.size() != before) ++dropped;
      if (v.empty()) scoped_.erase(it);
    }
  }
  return dropped;
}

std::size_t EntrySet::size() const noexcept {
  std::size_t n = global_.size();
  for (const auto& [key, entries] : scoped_)
    if (!global_.contains(key)) ++n;
  return n;
}

}  // namespace outbound::detail
