// The DNC list: phone and customer-id entries, optionally backed by a table in
// the gsw_donotcall_list shape (dnc_table.cpp). Rows whose phone cannot be
// read are reported, never dropped in silence, and fail closed: the row's
// digits still block, so "00442079460000" on a US list blocks +44 20 7946 0000.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "dnc_table.hpp"
#include "entry_set.hpp"
#include "outbound/dnc.hpp"
#include "outbound/error.hpp"

namespace outbound {
namespace {

std::optional<long long> parse_integer_text(const std::string& s) {
  try {
    std::size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string shortened(const std::string& s) {
  return s.size() <= kMaxPhoneLength ? s : s.substr(0, 24) + "... (" + std::to_string(s.size()) + " characters)";
}

}  // namespace

// An entry blocked in memory whose table write failed: written by a later sync() or flush_pending().
struct PendingEntry {
  DncEntry entry;                     // normalised: E.164 phone, tenant set
  std::optional<std::uint64_t> key;   // its phone's key
  Duration wait;                      // how long its retries may wait for a lock
};

struct DncList::Impl {
  explicit Impl(std::string region) : normalizer(std::move(region)) {}
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  PhoneNormalizer normalizer;
  detail::EntrySet phones;
  detail::EntrySet customers;
  std::unique_ptr<detail::DncTable> table;
  DncOptions options;
  std::vector<DncLoadError> load_errors;
  std::uint64_t generation = 0;
  long long seq = 0;  // the last change-log row applied
  std::optional<Time> last_read, last_reload;
  std::vector<PendingEntry> pending;  // in the order they were added
  std::string pending_error;          // why the last write of a queued entry failed
  std::optional<Time> last_retry;
  bool queued_since_sync = false;  // the next sync() starts the retry clock instead of retrying at once

  // Normalised and checked: E.164 phone, the list's tenant when none; throws Error(invalid_argument).
  DncEntry prepared(const DncEntry& entry, std::optional<std::uint64_t>& key) const;
  // Blocked in memory (an entry of another tenant is only written).
  void block(const DncEntry& e, std::optional<std::uint64_t> key) {
    if (other_tenant(e.scope.tenant_dbid)) return;
    if (key) phones.add(*key, e.scope, e.expires_at);
    if (!e.customer_id.empty()) customers.add(customer_key(e.customer_id), e.scope, e.expires_at);
  }
  // After a reload or others' changes: what is queued here stays blocked (it fails closed).
  void block_pending() {
    for (const auto& p : pending) block(p.entry, p.key);
  }
  // After a removal written to the table: `take` strips the removed part from a queued entry
  // (returning true when it did); an entry left with nothing is dropped. Returns entries touched.
  template <typename Take>
  std::size_t drop_pending(Take take) {
    std::size_t n = 0;
    for (auto it = pending.begin(); it != pending.end();) {
      if (take(*it)) ++n;
      if (it->entry.phone.empty() && it->entry.customer_id.empty())
        it = pending.erase(it);
      else
        ++it;
    }
    if (pending.empty()) pending_error.clear();
    return n;
  }
  // Writes queued entries in order until one fails (nullopt wait: each its own); returns how many were written.
  std::size_t write_pending(std::optional<Duration> max_wait, bool full_wait);

  bool other_tenant(int tenant) const { return options.tenant_dbid != 0 && tenant != 0 && tenant != options.tenant_dbid; }

  // The key a stored phone text blocks: its E.164 digits, or (unreadable) its raw digits.
  std::optional<std::uint64_t> stored_key(const std::string& text) const {
    if (auto k = normalizer.key(text)) return k;
    return digits_only_key(text);
  }

  void apply(const detail::DncChange& c) {
    using Op = detail::DncChange::Op;
    switch (c.op) {
      case Op::add:
        if (other_tenant(c.tenant_dbid)) return;
        if (c.phone_key) phones.add(*c.phone_key, c.scope, c.expires_at);
        if (!c.customer.empty()) customers.add(customer_key(c.customer), c.scope, c.expires_at);
        return;
      case Op::remove_phone:
        if (c.phone_key) phones.erase(*c.phone_key);
        return;
      case Op::remove_customer:
        customers.erase(customer_key(c.customer));
        return;
    }
  }
};

// One load: the entries of a table, and what could not be read.
struct DncLoad {
  detail::EntrySet phones, customers;
  std::vector<DncLoadError> errors;
  std::vector<std::string> error_text;  // each error's phone as stored, to find its row key after the pass
  std::size_t loaded = 0;
};

namespace {

// Reads a scope or expiry column; an unreadable value is reported and ignored,
// which widens the entry (every campaign, no expiry): the list fails closed.
std::optional<long long> column_value(const std::optional<std::string>& v, const char* name, std::string& problems) {
  if (!v || v->empty()) return std::nullopt;
  auto x = parse_integer_text(*v);
  if (!x) problems += std::string(problems.empty() ? "" : "; ") + name + " \"" + shortened(*v) + "\" is not an integer";
  return x;
}

int scope_int(std::optional<long long> v) { return v && *v >= INT32_MIN && *v <= INT32_MAX ? static_cast<int>(*v) : 0; }

}  // namespace

namespace {

// The row keys of the reported rows, found by their text after the pass (a
// key read for every row would slow every load for the sake of a few rows).
void name_error_rows(detail::DncTable& table, DncLoad& load) {
  if (load.errors.empty()) return;
  std::vector<std::string> texts(load.error_text);
  std::sort(texts.begin(), texts.end());
  texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
  auto keys = table.row_keys_of(texts);
  std::map<std::string, std::size_t> used;
  for (std::size_t i = 0; i < load.errors.size(); ++i) {
    const auto& all = keys[load.error_text[i]];
    std::size_t& next = used[load.error_text[i]];
    load.errors[i].row = next < all.size() ? all[next++] : std::string("?");
  }
}

}  // namespace

DncEntry DncList::Impl::prepared(const DncEntry& entry, std::optional<std::uint64_t>& key) const {
  if (entry.phone.empty() && entry.customer_id.empty())
    throw Error(ErrorCode::invalid_argument, "a do-not-call entry needs a phone number or a customer id");
  if (entry.expires_at && table && !table->has_expiry())
    throw Error(ErrorCode::invalid_argument, "DNC table " + table->name() + " has no expires_at column for an entry's expiry (ALTER TABLE " +
                                                 table->name() + " ADD COLUMN expires_at BIGINT)");
  DncEntry e = entry;
  if (e.scope.tenant_dbid == 0) e.scope.tenant_dbid = options.tenant_dbid;
  if (!e.phone.empty()) {
    e.phone = normalizer.to_e164(e.phone);
    key = normalizer.key(e.phone);
  }
  return e;
}

std::size_t DncList::Impl::write_pending(std::optional<Duration> max_wait, bool full_wait) {
  std::size_t written = 0;
  try {
    for (; written < pending.size(); ++written) {
      const auto& p = pending[written];
      table->add(p.entry, p.entry.scope.tenant_dbid, full_wait ? std::nullopt : std::optional<Duration>(max_wait.value_or(p.wait)));
    }
  } catch (const std::exception& e) {
    pending_error = e.what();
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(written));
  if (pending.empty()) pending_error.clear();
  return written;
}

// A list destroyed with queued entries: one last write with the full wait. A
// destructor cannot throw and a library has no other channel left here, so
// what still cannot be written is said on stderr rather than lost in silence.
DncList::Impl::~Impl() {
  if (!table || pending.empty()) return;
  try {
    write_pending(std::nullopt, true);
  } catch (...) {
    pending_error = "unknown error";
  }
  if (pending.empty()) return;
  std::fprintf(stderr, "outbound: %zu do-not-call entries blocked in memory could not be written to %s and are lost to it: %s\n",
               pending.size(), table->name().c_str(), pending_error.c_str());
}

DncList::DncList(std::string default_region) : impl_(std::make_unique<Impl>(std::move(default_region))) {}
DncList::~DncList() = default;
DncList::DncList(DncList&&) noexcept = default;
DncList& DncList::operator=(DncList&&) noexcept = default;

std::unique_ptr<DncList> DncList::open(const std::string& connection, const DncOptions& options) {
  if (options.sync_interval < Duration::zero() || options.reload_interval < Duration::zero())
    throw Error(ErrorCode::invalid_argument, "DNC sync_interval and reload_interval must not be negative (got " +
                                                 std::to_string(options.sync_interval.count()) + " ms and " +
                                                 std::to_string(options.reload_interval.count()) + " ms)");
  auto list = std::make_unique<DncList>(options.default_region);
  list->impl_->options = options;
  list->impl_->table = std::make_unique<detail::DncTable>(connection, options);
  list->reload();
  return list;
}

std::size_t DncList::reload() {
  auto& im = *impl_;
  if (!im.table) return 0;
  // Changes committed from here on are applied again by sync(): adds and removals are idempotent.
  const long long seq = im.table->last_seq();
  DncLoad load;
  load.phones.reserve(im.table->row_count());
  im.table->scan([&](detail::DncRow& r) {
    std::string problems;
    auto tenant = column_value(r.tenant, "tenant_dbid", problems);
    if (im.other_tenant(scope_int(tenant))) return;
    DncEntryScope scope{scope_int(tenant), scope_int(column_value(r.campaign, "campaign_dbid", problems)),
                        scope_int(column_value(r.list, "list_dbid", problems))};
    auto expires = column_value(r.expires, "expires_at", problems);
    if (r.phone && !r.phone->empty()) {
      std::string why;
      if (auto key = im.normalizer.key(*r.phone, &why)) {
        load.phones.add(*key, scope, expires);
        ++load.loaded;
      } else {
        auto digits = digits_only_key(*r.phone);
        if (digits) load.phones.add(*digits, scope, expires);
        load.errors.push_back({{}, shortened(*r.phone), why + (digits ? "; blocked by its digits " + std::to_string(*digits) : "; no digits to block"), digits});
        load.error_text.push_back(*r.phone);
      }
    }
    if (r.customer && !r.customer->empty()) {
      load.customers.add(customer_key(*r.customer), scope, expires);
      ++load.loaded;
    }
    if (!problems.empty()) {
      load.errors.push_back({{}, shortened(r.phone.value_or("")), problems + ": the entry applies as if the value were not set", std::nullopt});
      load.error_text.push_back(r.phone.value_or(""));
    }
  });
  name_error_rows(*im.table, load);
  im.phones = std::move(load.phones);
  im.customers = std::move(load.customers);
  im.block_pending();  // not in the table yet: a reload must not make them dialable
  im.load_errors = std::move(load.errors);
  im.seq = seq;
  ++im.generation;
  return load.loaded;
}

std::size_t DncList::sync(Time now) { return sync_within(now, std::nullopt); }
std::size_t DncList::sync(Time now, Duration max_wait) { return sync_within(now, max_wait); }

std::size_t DncList::sync_within(Time now, std::optional<Duration> max_wait) {
  auto& im = *impl_;
  const EpochSeconds s = to_epoch_seconds(now);
  std::size_t changed = im.phones.expire(s) + im.customers.expire(s);
  if (!im.table) return changed;
  // Queued writes first, bounded as when they were queued, so a loop calling
  // sync() is held no longer than by the add; a failure keeps them queued.
  // The first sync after a queuing only starts the clock: the lock that just
  // failed the add is likely still held, and one turn should not wait twice.
  const Duration retry_every = std::max<Duration>(im.options.sync_interval, std::chrono::seconds(1));
  if (im.queued_since_sync) {
    im.queued_since_sync = false;
    im.last_retry = now;
  } else if (!im.pending.empty() && (!im.last_retry || now < *im.last_retry || now - *im.last_retry >= retry_every)) {
    im.last_retry = now;
    im.write_pending(std::nullopt, false);
  }
  if (!im.last_reload) im.last_reload = now;
  if (im.options.reload_interval > Duration::zero() && now - *im.last_reload >= im.options.reload_interval) {
    im.last_reload = now;
    changed += reload();
  }
  if (im.last_read && now >= *im.last_read && now - *im.last_read < im.options.sync_interval) return changed;
  im.last_read = now;
  if (!im.table->others_may_have_written()) return changed;
  for (const auto& c : im.table->changes_after(im.seq, max_wait)) {
    im.apply(c);
    im.seq = c.seq;
    ++changed;
  }
  im.block_pending();  // another engine's removal does not undo an addition not yet written here
  return changed + im.phones.expire(s) + im.customers.expire(s);
}

void DncList::add(const DncEntry& entry) {
  auto& im = *impl_;
  std::optional<std::uint64_t> key;
  const DncEntry e = im.prepared(entry, key);
  // Blocked in memory before the write: a failed write must not leave the number dialable.
  im.block(e, key);
  if (im.table) im.table->add(e, e.scope.tenant_dbid);
}

bool DncList::add(const DncEntry& entry, Duration max_wait) {
  auto& im = *impl_;
  std::optional<std::uint64_t> key;
  const DncEntry e = im.prepared(entry, key);
  im.block(e, key);
  if (!im.table) return true;
  try {
    im.table->add(e, e.scope.tenant_dbid, max_wait);
    return true;
  } catch (const std::exception& ex) {
    // A lock held longer or the database down: kept, and written by sync() or flush_pending().
    im.pending.push_back({e, key, max_wait});
    im.pending_error = ex.what();
    im.queued_since_sync = true;
    return false;
  }
}

std::size_t DncList::pending_count() const noexcept { return impl_->pending.size(); }
const std::string& DncList::pending_error() const noexcept { return impl_->pending_error; }

std::size_t DncList::flush_pending(std::optional<Duration> max_wait) {
  auto& im = *impl_;
  if (im.pending.empty()) return 0;
  const std::size_t written = im.write_pending(max_wait, !max_wait);
  if (!im.pending.empty())
    throw Error(ErrorCode::database, std::to_string(im.pending.size()) + " do-not-call entries still queued for " + im.table->name() +
                                         " (blocked in this engine, not yet in the table): " + im.pending_error);
  return written;
}

void DncList::add_phone(const std::string& raw, const std::string& message) { add({raw, {}, message, {}, std::nullopt}); }

void DncList::add_customer(const std::string& customer_id, const std::string& message) {
  if (customer_id.empty()) throw Error(ErrorCode::invalid_argument, "a do-not-call customer id must not be empty");
  add({{}, customer_id, message, {}, std::nullopt});
}

std::size_t DncList::remove_phone(const std::string& raw) {
  auto& im = *impl_;
  std::string why;
  auto key = im.normalizer.key(raw, &why);
  if (!key) key = digits_only_key(raw);  // an unreadable entry is removed by the digits that block it
  if (!key) throw Error(ErrorCode::invalid_argument, why);
  // The table first: a removal that could not be written leaves the number blocked.
  std::size_t removed = 0;
  if (im.table) removed = im.table->remove_phone(*key, [&](const std::string& text) { return im.stored_key(text) == key; });
  removed += im.drop_pending([&](PendingEntry& p) {
    if (p.key != key) return false;
    p.key.reset();
    p.entry.phone.clear();
    return true;
  });
  bool had = im.phones.erase(*key);
  return im.table ? removed : (had ? 1 : 0);
}

std::size_t DncList::remove_customer(const std::string& customer_id) {
  auto& im = *impl_;
  if (customer_id.empty()) throw Error(ErrorCode::invalid_argument, "a do-not-call customer id must not be empty");
  std::size_t removed = im.table ? im.table->remove_customer(customer_id) : 0;
  removed += im.drop_pending([&](PendingEntry& p) {
    if (p.entry.customer_id != customer_id) return false;
    p.entry.customer_id.clear();
    return true;
  });
  bool had = im.customers.erase(customer_key(customer_id));
  return im.table ? removed : (had ? 1 : 0);
}

DncMatch DncList::check(std::optional<std::uint64_t> phone_key, const std::string& customer_id) const noexcept {
  if (phone_key && impl_->phones.matches(*phone_key, nullptr)) return DncMatch::phone;
  if (!customer_id.empty() && impl_->customers.matches(customer_key(customer_id), nullptr)) return DncMatch::customer_id;
  return DncMatch::none;
}

DncMatch DncList::check(std::optional<std::uint64_t> phone_key, const std::string& customer_id,
                        const DncContext& context) const noexcept {
  if (phone_key && impl_->phones.matches(*phone_key, &context)) return DncMatch::phone;
  if (!customer_id.empty() && impl_->customers.matches(customer_key(customer_id), &context)) return DncMatch::customer_id;
  return DncMatch::none;
}

bool DncList::contains_phone(const std::string& raw) const {
  auto key = impl_->normalizer.key(raw);
  return key && impl_->phones.matches(*key, nullptr);
}

bool DncList::contains_customer(const std::string& customer_id) const noexcept {
  return !customer_id.empty() && impl_->customers.matches(customer_key(customer_id), nullptr);
}

const PhoneNormalizer& DncList::normalizer() const { return impl_->normalizer; }
std::size_t DncList::phone_count() const noexcept { return impl_->phones.size(); }
std::size_t DncList::customer_count() const noexcept { return impl_->customers.size(); }
std::size_t DncList::memory_bytes() const noexcept { return impl_->phones.memory_bytes() + impl_->customers.memory_bytes(); }
const std::vector<DncLoadError>& DncList::load_errors() const noexcept { return impl_->load_errors; }
std::uint64_t DncList::load_generation() const noexcept { return impl_->generation; }

}  // namespace outbound
