// E.164 normalisation with libphonenumber: the field's maintained database of
// numbering plans, so a list written as "(212) 555-1234" and a DNC entry
// written as "+1 212 555 1234" compare equal.
#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>

#include "outbound/dnc.hpp"
#include "outbound/error.hpp"

namespace outbound {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& phone_util() {
  static PhoneNumberUtil* util = [] {
    auto* u = PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());  // owned by the util; errors come back as codes
    return u;
  }();
  return *util;
}

const char* parse_error_text(PhoneNumberUtil::ErrorType e) {
  switch (e) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return "invalid country code";
    case PhoneNumberUtil::NOT_A_NUMBER: return "not a phone number";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return "too short after the international prefix";
    case PhoneNumberUtil::TOO_SHORT_NSN: return "too short";
    case PhoneNumberUtil::TOO_LONG_NSN: return "too long";
    default: return "cannot be parsed";
  }
}

const char* possible_error_text(PhoneNumberUtil::ValidationResult v) {
  switch (v) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return "invalid country code";
    case PhoneNumberUtil::TOO_SHORT: return "too short";
    case PhoneNumberUtil::TOO_LONG: return "too long";
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: return "a local number without an area code";
    default: return "not a possible number";
  }
}

// Canonical NANP E.164 ("+1" and ten digits, area code 2-9) is already what
// libphonenumber would produce: skip the parser (bulk DNC loads).
bool is_canonical_nanp(const std::string& s) {
  if (s.size() != 12 || s[0] != '+' || s[1] != '1' || s[2] < '2' || s[2] > '9') return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::uint64_t digits_key(const std::string& e164) {
  std::uint64_t v = 0;
  for (std::size_t i = 1; i < e164.size(); ++i) v = v * 10 + static_cast<std::uint64_t>(e164[i] - '0');
  return v;
}

}  // namespace

PhoneNormalizer::PhoneNormalizer(std::string default_region) : region_(std::move(default_region)) {
  std::set<std::string> regions;
  phone_util().GetSupportedRegions(&regions);
  if (!regions.count(region_))
    throw Error(ErrorCode::invalid_argument, "unknown phone region \"" + region_ + "\" (expected an ISO 3166 code such as US or GB)");
}

std::string PhoneNormalizer::to_e164(const std::string& raw) const {
  if (is_canonical_nanp(raw)) return raw;
  const auto& util = phone_util();
  PhoneNumber number;
  auto err = util.Parse(raw, region_, &number);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR)
    throw Error(ErrorCode::invalid_argument, "phone number \"" + raw + "\": " + parse_error_text(err));
  auto possible = util.IsPossibleNumberWithReason(number);
  if (possible != PhoneNumberUtil::IS_POSSIBLE)
    throw Error(ErrorCode::invalid_argument, "phone number \"" + raw + "\": " + possible_error_text(possible));
  std::string out;
  util.Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

std::optional<std::uint64_t> PhoneNormalizer::key(const std::string& raw, std::string* why) const {
  try {
    return digits_key(to_e164(raw));
  } catch (const Error& e) {
    if (why) *why = e.what();
    return std::nullopt;
  }
}

}  // namespace outbound
