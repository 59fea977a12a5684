// outbound C API — Do-Not-Call lists and phone normalisation.
#include "shim.hpp"

using outbound::ErrorCode;

namespace {

ob_dnc& dnc_of(ob_dnc* d) { return obc::get(d, "dnc"); }

}  // namespace

extern "C" {

int ob_dnc_options_init(ob_dnc_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_DNC_OPTIONS_VERSION, "ob_dnc_options");
    *out = ob_dnc_options OB_DNC_OPTIONS_INIT;
    out->version = version;
  });
}

int ob_dnc_new(ob_dnc** out, const ob_dnc_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    ob_dnc_options o = OB_DNC_OPTIONS_INIT;
    if (opts) {
      obc::check_version(opts->version, OB_DNC_OPTIONS_VERSION, "ob_dnc_options");
      o = *opts;
    }
    outbound::DncOptions d;
    if (o.table) d.table = o.table;
    if (o.default_region) d.default_region = o.default_region;
    d.create_if_missing = o.create_if_missing != 0;
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

}  // extern "C"
