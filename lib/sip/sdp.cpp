// SDP through sofia-sip's parser: nothing of a far end's description is read
// or rewritten by hand, so a hostile body meets a parser built for it.
#include "sdp.hpp"

#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

namespace outbound::sip {

namespace {

/// One parse of a description; frees everything it made.
class Parsed {
 public:
  explicit Parsed(std::string_view text)
      : home_(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)))),
        parser_(sdp_parse(home_, text.data(), static_cast<issize_t>(text.size()), 0)) {}
  ~Parsed() {
    if (parser_) sdp_parser_free(parser_);
    su_home_unref(home_);
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  sdp_session_t* session() const { return parser_ ? sdp_session(parser_) : nullptr; }
  su_home_t* home() const { return home_; }

  /// The first audio media line, or null.
  sdp_media_t* audio() const {
    sdp_session_t* s = session();
    for (sdp_media_t* m = s ? s->sdp_media : nullptr; m; m = m->m_next)
      if (m->m_type == sdp_media_audio) return m;
    return nullptr;
  }

 private:
  su_home_t* home_;
  sdp_parser_t* parser_;
};

}  // namespace

std::string make_offer(const std::string& address, int port, std::uint64_t session_id, std::uint64_t version) {
  const std::string ip = address.find(':') != std::string::npos ? "IP6 " : "IP4 ";
  return "v=0\r\n"
         "o=outbound " + std::to_string(session_id) + " " + std::to_string(version) + " IN " + ip + address + "\r\n"
         "s=outbound\r\n"
         "c=IN " + ip + address + "\r\n"
         "t=0 0\r\n"
         "m=audio " + std::to_string(port) + " RTP/AVP 0 8 " + std::to_string(kTelephoneEventPt) + "\r\n"
         "a=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:8 PCMA/8000\r\n"
         "a=rtpmap:" + std::to_string(kTelephoneEventPt) + " telephone-event/8000\r\n"
         "a=fmtp:" + std::to_string(kTelephoneEventPt) + " 0-16\r\n"
         "a=ptime:20\r\n"
         "a=sendrecv\r\n";
}

std::optional<std::string> with_origin(std::string_view sdp, std::uint64_t session_id, std::uint64_t version) {
  Parsed p(sdp);
  sdp_session_t* s = p.session();
  if (!s || !s->sdp_origin || !p.audio()) return std::nullopt;
  static char username[] = "outbound";
  s->sdp_origin->o_username = username;
  s->sdp_origin->o_id = session_id;
  s->sdp_origin->o_version = version;
  sdp_printer_t* printer = sdp_print(p.home(), s, nullptr, 0, 0);
  std::optional<std::string> out;
  if (printer && !sdp_printing_error(printer) && sdp_message(printer))
    out = std::string(sdp_message(printer), sdp_message_size(printer));
  if (printer) sdp_printer_free(printer);
  return out;
}

std::optional<AudioStream> audio_stream(std::string_view sdp) {
  Parsed p(sdp);
  sdp_media_t* m = p.audio();
  if (!m) return std::nullopt;
  AudioStream a;
  const sdp_connection_t* c = m->m_connections ? m->m_connections : p.session()->sdp_connection;
  if (c && c->c_address) a.address = c->c_address;
  a.port = m->m_rejected ? 0 : static_cast<int>(m->m_port);
  for (const sdp_rtpmap_t* r = m->m_rtpmaps; r; r = r->rm_next) {
    a.payload_types.push_back(static_cast<int>(r->rm_pt));
    if (r->rm_encoding && std::string_view(r->rm_encoding) == "telephone-event" && a.telephone_event < 0)
      a.telephone_event = static_cast<int>(r->rm_pt);
  }
  return a;
}

}  // namespace outbound::sip
