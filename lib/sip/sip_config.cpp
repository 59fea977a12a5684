// Configuration checks of the SIP driver: every field is checked once, at
// construction, so that a malformed URI or number fails the host's setup
// rather than a call.
#include "sip_config.hpp"

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include <cstdio>
#include <memory>

#include "outbound/error.hpp"

namespace outbound::sip {

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw Error(ErrorCode::invalid_argument, "SIP config " + field + ": " + why);
}

// A number as a reader wrote it: 2.5, 1e+06 (std::to_string would print 2.500000).
std::string shown(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

/// A sofia-sip allocation home for one parse, freed when it goes.
struct Home {
  su_home_t* home = static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)));
  ~Home() { su_home_unref(home); }
  Home() = default;
  Home(const Home&) = delete;
  Home& operator=(const Home&) = delete;
};

void check_duration(Duration d, Duration min, const char* field) {
  if (d < min)
    bad(field, "must be at least " + std::to_string(min.count()) + " ms (got " + std::to_string(d.count()) + ")");
}

}  // namespace

bool is_e164(std::string_view n) noexcept {
  if (n.size() < 3 || n.size() > 16 || n[0] != '+' || n[1] < '1' || n[1] > '9') return false;
  for (char c : n.substr(1))
    if (c < '0' || c > '9') return false;
  return true;
}

HostPort parse_host_port(const std::string& text, const char* field) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    bad(field, "\"" + text + "\" is not host:port");
  HostPort hp;
  hp.host = text.substr(0, colon);
  if (hp.host.front() == '[' && hp.host.back() == ']') hp.host = hp.host.substr(1, hp.host.size() - 2);
  if (hp.host.empty() || hp.host.find_first_of(" \t;<>\"") != std::string::npos)
    bad(field, "\"" + text + "\" has no usable host");
  int port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) bad(field, "\"" + text + "\" has no port number");
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) bad(field, "port of \"" + text + "\" is out of 1..65535");
  hp.port = port;
  return hp;
}

void check_sip_uri(const std::string& uri, const std::string& field) {
  if (uri.empty()) bad(field, "is empty");
  if (uri.find_first_of(" \t\r\n<>\"") != std::string::npos) bad(field, "\"" + uri + "\" is not a SIP URI");
  Home h;
  url_t* u = url_make(h.home, uri.c_str());
  if (!u || (u->url_type != url_sip && u->url_type != url_sips))
    bad(field, "\"" + uri + "\" is not a sip: or sips: URI");
  if (!u->url_host || !*u->url_host) bad(field, "\"" + uri + "\" names no host");
}

std::string customer_uri(const std::string& templ, const std::string& number) {
  std::string out = templ;
  for (auto at = out.find("{number}"); at != std::string::npos; at = out.find("{number}", at + number.size()))
    out.replace(at, 8, number);
  return out;
}

std::string uri_host(const std::string& uri) {
  Home h;
  url_t* u = url_make(h.home, uri.c_str());
  return u && u->url_host ? std::string(u->url_host) : std::string();
}

void check_audio(const SipCampaignAudio& a, const std::string& field) {
  try {
    a.amd.validate();
  } catch (const Error& e) {
    bad(field + ".amd", e.what());
  }
  const std::string digits = "0123456789*#";
  if (a.opt_out_digit != 0 && digits.find(a.opt_out_digit) == std::string::npos)
    bad(field + ".opt_out_digit", "must be one of 0-9, * and # (or 0 for none)");
}

}  // namespace outbound::sip

namespace outbound {

void validate(const SipConfig& c) {
  using sip::bad;
  sip::parse_host_port(c.listen, "listen");
  if (c.customer_uri.find("{number}") == std::string::npos)
    bad("customer_uri", "\"" + c.customer_uri + "\" has no {number} to put the dialed number in");
  sip::check_sip_uri(sip::customer_uri(c.customer_uri, "+12125550100"), "customer_uri");
  if (!c.outbound_proxy.empty()) sip::check_sip_uri(c.outbound_proxy, "outbound_proxy");
  if (!c.caller_id.empty() && !sip::is_e164(c.caller_id))
    bad("caller_id", "\"" + c.caller_id + "\" is not an E.164 number (+ and up to 15 digits)");
  if (c.credentials.username.empty() && !c.credentials.password.empty())
    bad("credentials", "a password without a username");
  for (const auto& [agent, uri] : c.agents) {
    if (agent.empty()) bad("agents", "an agent id is empty");
    sip::check_sip_uri(uri, "agents." + agent);
  }
  if (c.max_concurrent_calls < 0)
    bad("max_concurrent_calls", "must not be negative (0: no limit; got " + std::to_string(c.max_concurrent_calls) + ")");
  if (!(c.calls_per_second >= 0) || c.calls_per_second > 100000)
    bad("calls_per_second", "must lie in 0..100000, not " + sip::shown(c.calls_per_second));
  sip::check_duration(c.agent_answer_timeout, Duration{1}, "agent_answer_timeout");
  sip::check_duration(c.default_ring_timeout, std::chrono::seconds(15), "default_ring_timeout");
  sip::check_duration(c.max_call_duration, std::chrono::seconds(1), "max_call_duration");
  sip::check_duration(c.leg_check_interval, Duration{0}, "leg_check_interval");
  sip::check_duration(c.transaction_timeout, Duration{100}, "transaction_timeout");
  sip::check_duration(c.backoff_initial, Duration{1}, "backoff_initial");
  if (c.backoff_max < c.backoff_initial)
    bad("backoff_max", "must not be under backoff_initial (" + std::to_string(c.backoff_max.count()) + " ms < " +
                           std::to_string(c.backoff_initial.count()) + " ms)");
  if (c.rtp_address.find_first_of(" \t;<>\"[]") != std::string::npos)
    bad("rtp_address", "\"" + c.rtp_address + "\" is not an address");
  if (c.rtp_port_min < 1024 || c.rtp_port_max > 65534 || c.rtp_port_min > c.rtp_port_max - 1)
    bad("rtp_port_min/rtp_port_max", "need 1024 <= min < max <= 65534, not " + std::to_string(c.rtp_port_min) + "/" +
                                         std::to_string(c.rtp_port_max));
  sip::check_audio(c.audio, "audio");
  for (const auto& [campaign, audio] : c.campaign_audio) sip::check_audio(audio, "campaign_audio." + campaign);
}

}  // namespace outbound
