// Session descriptions the driver offers and relays, through sofia-sip's SDP
// parser and printer (private to lib/sip).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outbound::sip {

/// The first audio stream of a session description.
struct AudioStream {
  std::string address;             ///< connection address (media level, else session level)
  int port = 0;                    ///< RTP port (0: rejected)
  std::vector<int> payload_types;  ///< formats in the order offered
  int telephone_event = -1;        ///< payload type of RFC 4733 telephone events (-1: none)
};

/// The payload type the driver offers for RFC 4733 telephone events (DTMF).
inline constexpr int kTelephoneEventPt = 101;

/// The driver's own offer: G.711 µ-law and A-law, and telephone events, at `address`:`port`, 20 ms frames, sendrecv.
std::string make_offer(const std::string& address, int port, std::uint64_t session_id, std::uint64_t version);

/// `sdp` as the driver passes it on to another party: the media as they are, under the driver's own
/// origin for that party (RFC 3264 wants one origin a session, its version raised on each change).
/// nullopt when `sdp` does not parse or has no audio stream.
std::optional<std::string> with_origin(std::string_view sdp, std::uint64_t session_id, std::uint64_t version);

/// The first audio stream of `sdp`; nullopt when it does not parse or has none.
std::optional<AudioStream> audio_stream(std::string_view sdp);

}  // namespace outbound::sip
