// The SIP driver's configuration helpers: checks, the E.164 rule, the
// customer URI template and host:port splitting (private to lib/sip).
#pragma once

#include <string>
#include <string_view>

#include "outbound/driver/sip.hpp"

namespace outbound::sip {

/// A host and port, as "host:port" names them.
struct HostPort {
  std::string host;
  int port = 0;
};

/// True for "+" then 2 to 15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view number) noexcept;

/// Splits "host:port" ("[v6]:port" too); throws Error(invalid_argument) naming `field`.
HostPort parse_host_port(const std::string& text, const char* field);

/// Throws Error(invalid_argument) naming `field` unless `uri` is a sip: or sips: URI with a host.
void check_sip_uri(const std::string& uri, const std::string& field);

/// The customer's Request-URI: the template with {number} replaced by `number`.
std::string customer_uri(const std::string& templ, const std::string& number);

/// Throws Error(invalid_argument) naming `field` when a campaign's AMD settings or opt-out digit are bad
/// (the message files are read when the driver is made).
void check_audio(const SipCampaignAudio& audio, const std::string& field);

/// The host part of a SIP URI ("" when it has none).
std::string uri_host(const std::string& uri);

}  // namespace outbound::sip
