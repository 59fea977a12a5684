// E.164 normalisation with libphonenumber: the field's maintained database of
// numbering plans, so a list written as "(212) 555-1234" and a DNC entry
// written as "+1 212 555 1234" compare equal. Emergency numbers and short
// codes are refused here, at the one place every number passes through, so no
// configuration (with or without a DNC list) can ever dial them.
#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/shortnumberinfo.h>

#include <cctype>
#include <set>

#include "outbound/dnc.hpp"
#include "outbound/error.hpp"

namespace outbound {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using i18n::phonenumbers::ShortNumberInfo;

const PhoneNumberUtil& phone_util() {
  static PhoneNumberUtil* util = [] {
    auto* u = PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());  // owned by the util; errors come back as codes
    return u;
  }();
  return *util;
}

const ShortNumberInfo& short_numbers() {
  static const ShortNumberInfo info;
  return info;
}

const std::set<std::string>& supported_regions() {
  static const std::set<std::string> regions = [] {
    std::set<std::string> r;
    phone_util().GetSupportedRegions(&r);
    return r;
  }();
  return regions;
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
// libphonenumber would produce: skip the parser (bulk DNC loads). Ten digits
// are never a short code, and "+" never reaches an emergency service.
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

[[noreturn]] void refuse(const std::string& raw, const std::string& why) {
  throw Error(ErrorCode::invalid_argument, "phone number " + quoted_phone(raw) + ": " + why);
}

}  // namespace

std::string quoted_phone(const std::string& raw) {
  constexpr std::size_t kShown = 24;
  if (raw.size() <= kMaxPhoneLength) return "\"" + raw + "\"";
  return "\"" + raw.substr(0, kShown) + "...\" (" + std::to_string(raw.size()) + " characters)";
}

std::optional<std::uint64_t> digits_only_key(const std::string& raw) {
  if (raw.size() > kMaxPhoneLength) return std::nullopt;
  std::uint64_t v = 0;
  int digits = 0;
  for (char c : raw) {
    if (c < '0' || c > '9') continue;
    if (digits == 0 && c == '0') continue;  // "00 44 …": the international prefix, like "+"
    if (++digits > 18) return std::nullopt;  // no E.164 number is that long; an overflow would alias
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v == 0 ? std::nullopt : std::optional<std::uint64_t>(v);
}

bool is_phone_region(const std::string& region) { return supported_regions().count(region) != 0; }

std::string record_phone_region(const Record& r, const std::string& region_column, const std::string& zone_country,
                                const std::string& list_region, const std::string& fallback) {
  if (!region_column.empty())
    if (auto it = r.custom.find(region_column); it != r.custom.end() && !it->second.empty()) {
      std::string region = it->second;
      for (auto& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return region;
    }
  if (!zone_country.empty() && is_phone_region(zone_country)) return zone_country;
  return list_region.empty() ? fallback : list_region;
}

PhoneNormalizer::PhoneNormalizer(std::string default_region) : region_(std::move(default_region)) {
  if (!is_phone_region(region_))
    throw Error(ErrorCode::invalid_argument, "unknown phone region \"" + region_ + "\" (expected an ISO 3166 code such as US or GB)");
}

std::string PhoneNormalizer::to_e164(const std::string& raw) const { return to_e164(raw, region_); }

std::string PhoneNormalizer::to_e164(const std::string& raw, const std::string& region) const {
  // Checked before any parse: libphonenumber's matching is quadratic in the
  // length (40,000 digits took 12.8 s), and no phone number is this long.
  if (raw.size() > kMaxPhoneLength)
    refuse(raw, "longer than the " + std::to_string(kMaxPhoneLength) + " characters a phone number may have");
  if (is_canonical_nanp(raw)) return raw;
  if (!is_phone_region(region))
    throw Error(ErrorCode::invalid_argument, "unknown phone region \"" + region + "\" for phone number " + quoted_phone(raw));
  if (raw.find_first_of("*#") != std::string::npos)
    refuse(raw, "a service code (* or #) is no number to dial");
  const auto& util = phone_util();
  if (short_numbers().ConnectsToEmergencyNumber(raw, region))
    refuse(raw, "may reach an emergency service in " + region + ": never dialed");
  PhoneNumber number;
  auto err = util.Parse(raw, region, &number);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR) refuse(raw, parse_error_text(err));
  if (short_numbers().IsValidShortNumber(number)) refuse(raw, "a short code (service, helpline or premium number): never dialed");
  auto possible = util.IsPossibleNumberWithReason(number);
  if (possible != PhoneNumberUtil::IS_POSSIBLE) refuse(raw, possible_error_text(possible));
  std::string out;
  util.Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

std::optional<std::uint64_t> PhoneNormalizer::key(const std::string& raw, std::string* why) const {
  return key(raw, region_, why);
}

std::optional<std::uint64_t> PhoneNormalizer::key(const std::string& raw, const std::string& region, std::string* why) const {
  try {
    return digits_key(to_e164(raw, region));
  } catch (const Error& e) {
    if (why) *why = e.what();
    return std::nullopt;
  }
}

}  // namespace outbound
