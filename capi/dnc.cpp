// outbound C API — Do-Not-Call lists and phone normalisation.
#include <cstddef>
#include <cstring>

#include "shim.hpp"

using outbound::ErrorCode;

namespace {

ob_dnc& dnc_of(ob_dnc* d) { return obc::get(d, "dnc"); }

constexpr std::int64_t kMaxIntervalMs = 86'400'000;

}  // namespace

extern "C" {

int ob_dnc_options_init(ob_dnc_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_DNC_OPTIONS_VERSION, "ob_dnc_options");
    const ob_dnc_options defaults = OB_DNC_OPTIONS_INIT;
    // A version-1 struct ends at create_if_missing: write no further.
    std::memcpy(out, &defaults, version >= 2 ? sizeof defaults : offsetof(ob_dnc_options, tenant_dbid));
    out->version = version;
  });
}

int ob_dnc_new(ob_dnc** out, const ob_dnc_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    ob_dnc_options o = OB_DNC_OPTIONS_INIT;
    if (opts) {
      obc::check_version(opts->version, OB_DNC_OPTIONS_VERSION, "ob_dnc_options");
      // A version-1 struct ends at create_if_missing: read only that far.
      std::memcpy(&o, opts, opts->version >= 2 ? sizeof o : offsetof(ob_dnc_options, tenant_dbid));
      o.version = OB_DNC_OPTIONS_VERSION;
    }
    outbound::DncOptions d;
    if (o.table) d.table = o.table;
    if (o.default_region) d.default_region = o.default_region;
    d.create_if_missing = o.create_if_missing != 0;
    d.tenant_dbid = o.tenant_dbid;
    if (o.sync_interval_ms < 0 || o.reload_interval_ms < 0 || o.sync_interval_ms > kMaxIntervalMs || o.reload_interval_ms > kMaxIntervalMs)
      obc::fail(ErrorCode::invalid_argument, "sync_interval_ms and reload_interval_ms must lie in 0..86400000 (one day), not " +
                                                 std::to_string(o.sync_interval_ms) + " and " +
                                                 std::to_string(o.reload_interval_ms));
    d.sync_interval = std::chrono::milliseconds(o.sync_interval_ms);
    d.reload_interval = std::chrono::milliseconds(o.reload_interval_ms);
    auto handle = std::make_unique<ob_dnc>();
    if (o.connection) {
      handle->dnc = std::shared_ptr<outbound::DncList>(outbound::DncList::open(o.connection, d));
      handle->backed = true;
    } else {
      handle->dnc = std::make_shared<outbound::DncList>(d.default_region);
    }
    obc::track(handle.get(), obc::Kind::dnc);
    *out = handle.release();
  });
}

void ob_dnc_free(ob_dnc* dnc) {
  obc::guard([&] {
    if (!dnc || !obc::is_tracked(dnc, obc::Kind::dnc)) return;
    obc::untrack(dnc);
    auto doomed = std::unique_ptr<ob_dnc>(dnc);
    doomed->home.run([&] { doomed->dnc.reset(); });
  });
}

int ob_dnc_add_phone(ob_dnc* dnc, const char* phone, const char* message) {
  return obc::guard([&] {
    obc::need(phone, "phone");
    auto& d = dnc_of(dnc);
    d.home.run([&] { d.dnc->add_phone(phone, obc::str(message)); });
  });
}

int ob_dnc_add_customer(ob_dnc* dnc, const char* customer_id, const char* message) {
  return obc::guard([&] {
    obc::need(customer_id, "customer_id");
    auto& d = dnc_of(dnc);
    d.home.run([&] { d.dnc->add_customer(customer_id, obc::str(message)); });
  });
}

int ob_dnc_contains_phone(int* out, ob_dnc* dnc, const char* phone) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(phone, "phone");
    auto& d = dnc_of(dnc);
    std::string why;
    auto key = d.dnc->normalizer().key(phone, &why);
    if (!key) obc::fail(ErrorCode::invalid_argument, std::string("\"") + phone + "\" is not a phone number: " + why);
    *out = d.home.run([&] { return d.dnc->contains_phone(phone); }) ? 1 : 0;
  });
}

int ob_dnc_contains_customer(int* out, ob_dnc* dnc, const char* customer_id) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(customer_id, "customer_id");
    auto& d = dnc_of(dnc);
    *out = d.home.run([&] { return d.dnc->contains_customer(customer_id); }) ? 1 : 0;
  });
}

int ob_dnc_check(int* out, ob_dnc* dnc, const char* phone, const char* customer_id) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& d = dnc_of(dnc);
    std::optional<std::uint64_t> key;
    if (phone) key = d.dnc->normalizer().key(phone);
    auto match = d.home.run([&] { return d.dnc->check(key, obc::str(customer_id)); });
    switch (match) {
      case outbound::DncMatch::none: *out = OB_DNC_MATCH_NONE; break;
      case outbound::DncMatch::phone: *out = OB_DNC_MATCH_PHONE; break;
      case outbound::DncMatch::customer_id: *out = OB_DNC_MATCH_CUSTOMER; break;
    }
  });
}

int ob_dnc_phone_count(size_t* out, ob_dnc* dnc) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& d = dnc_of(dnc);
    *out = d.home.run([&] { return d.dnc->phone_count(); });
  });
}

int ob_dnc_customer_count(size_t* out, ob_dnc* dnc) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& d = dnc_of(dnc);
    *out = d.home.run([&] { return d.dnc->customer_count(); });
  });
}

int ob_dnc_reload(size_t* out, ob_dnc* dnc) {
  return obc::guard([&] {
    auto& d = dnc_of(dnc);
    if (!d.backed) obc::fail(ErrorCode::invalid_state, "an in-memory DNC list has no table to reload");
    auto n = d.home.run([&] { return d.dnc->reload(); });
    if (out) *out = n;
  });
}

int ob_phone_to_e164(char** out, const char* phone, const char* region) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(phone, "phone");
    outbound::PhoneNormalizer n(region ? region : "US");
    *out = obc::dup_string(n.to_e164(phone));
  });
}

int ob_dnc_entry_init(ob_dnc_entry* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_DNC_ENTRY_VERSION, "ob_dnc_entry");
    *out = ob_dnc_entry OB_DNC_ENTRY_INIT;
    out->version = version;
  });
}

int ob_dnc_add_entry(ob_dnc* dnc, const ob_dnc_entry* entry) {
  return obc::guard([&] {
    obc::need(entry, "entry");
    obc::check_version(entry->version, OB_DNC_ENTRY_VERSION, "ob_dnc_entry");
    if (entry->expires_at_ms < 0)
      obc::fail(ErrorCode::invalid_argument, "expires_at_ms must be UTC milliseconds, or 0 for never (got " +
                                                 std::to_string(entry->expires_at_ms) + ")");
    outbound::DncEntry e;
    e.phone = obc::str(entry->phone);
    e.customer_id = obc::str(entry->customer_id);
    e.message = obc::str(entry->message);
    e.scope = {entry->tenant_dbid, entry->campaign_dbid, entry->list_dbid};
    // The table keeps seconds: rounded up, an entry never stops blocking early.
    if (entry->expires_at_ms > 0) e.expires_at = entry->expires_at_ms / 1000 + (entry->expires_at_ms % 1000 ? 1 : 0);
    auto& d = dnc_of(dnc);
    d.home.run([&] { d.dnc->add(e); });
  });
}

int ob_dnc_remove_phone(size_t* out, ob_dnc* dnc, const char* phone) {
  return obc::guard([&] {
    obc::need(phone, "phone");
    auto& d = dnc_of(dnc);
    auto n = d.home.run([&] { return d.dnc->remove_phone(phone); });
    if (out) *out = n;
  });
}

int ob_dnc_remove_customer(size_t* out, ob_dnc* dnc, const char* customer_id) {
  return obc::guard([&] {
    obc::need(customer_id, "customer_id");
    auto& d = dnc_of(dnc);
    auto n = d.home.run([&] { return d.dnc->remove_customer(customer_id); });
    if (out) *out = n;
  });
}

int ob_dnc_check_scoped(int* out, ob_dnc* dnc, const char* phone, const char* customer_id, int campaign_dbid, int list_dbid) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& d = dnc_of(dnc);
    std::optional<std::uint64_t> key;
    if (phone) {
      std::string why;
      key = d.dnc->normalizer().key(phone, &why);
      if (!key) obc::fail(ErrorCode::invalid_argument, why);
    }
    auto match = d.home.run([&] { return d.dnc->check(key, obc::str(customer_id), {campaign_dbid, list_dbid}); });
    *out = match == outbound::DncMatch::phone ? OB_DNC_MATCH_PHONE
           : match == outbound::DncMatch::customer_id ? OB_DNC_MATCH_CUSTOMER
                                                      : OB_DNC_MATCH_NONE;
  });
}

int ob_dnc_sync(size_t* out, ob_dnc* dnc) {
  return obc::guard([&] {
    auto& d = dnc_of(dnc);
    auto n = d.home.run([&] { return d.dnc->sync(outbound::SystemClock().now()); });
    if (out) *out = n;
  });
}

int ob_dnc_load_error_count(size_t* out, ob_dnc* dnc) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& d = dnc_of(dnc);
    *out = d.home.run([&] { return d.dnc->load_errors().size(); });
  });
}

int ob_dnc_load_error(char** out_row, char** out_phone, char** out_reason, ob_dnc* dnc, size_t index) {
  return obc::guard([&] {
    auto& d = dnc_of(dnc);
    // Copied on the list's thread: a reload there replaces the errors.
    auto e = d.home.run([&] {
      const auto& all = d.dnc->load_errors();
      if (index >= all.size())
        obc::fail(ErrorCode::not_found, "no unreadable DNC row " + std::to_string(index) + " (there are " + std::to_string(all.size()) + ")");
      return all[index];
    });
    char* row = obc::dup_string(e.row);
    char* phone = obc::dup_string(e.phone);
    char* reason = obc::dup_string(e.reason);
    if (out_row) *out_row = row; else ob_free(row);
    if (out_phone) *out_phone = phone; else ob_free(phone);
    if (out_reason) *out_reason = reason; else ob_free(reason);
  });
}

}  // extern "C"
