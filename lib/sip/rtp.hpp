// A call's media port: one UDP socket on an even port that takes the
// customer's G.711 RTP (RFC 3550) and sends paced frames back. The audio
// work (call progress analysis, AMD, prompts) plugs in through the packet
// callback and play() (private to lib/sip).
#pragma once

#include <sofia-sip/su_wait.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reactor.hpp"

namespace outbound::sip {

/// One RTP packet as received.
struct RtpPacket {
  int payload_type = 0;                  ///< 0 PCMU, 8 PCMA, …
  bool marker = false;                   ///< the marker bit
  std::uint16_t sequence = 0;            ///< sequence number
  std::uint32_t timestamp = 0;           ///< media timestamp
  std::uint32_t ssrc = 0;                ///< source
  std::span<const std::uint8_t> payload; ///< the media, past header, CSRCs, extension and padding
};

/// Parses a datagram as RTP version 2; nullopt when it is not one (short, another version, a header,
/// extension or padding running past the end).
std::optional<RtpPacket> parse_rtp(std::span<const std::uint8_t> datagram) noexcept;

/// Counters the media ports of one driver share.
struct RtpCounters {
  std::atomic<long> packets{0};   ///< G.711 RTP packets taken
  std::atomic<long> rejected{0};  ///< datagrams that were not
};

/// An even UDP port of one call, read and written on the reactor's thread.
class RtpPort {
 public:
  /// Binds the first free even port of [min, max] at `address`, starting at `cursor` (moved past
  /// it); null when none is free.
  static std::unique_ptr<RtpPort> open(Reactor& reactor, const std::string& address, int min, int max, int& cursor,
                                       RtpCounters& counters);
  ~RtpPort();
  RtpPort(const RtpPort&) = delete;
  RtpPort& operator=(const RtpPort&) = delete;

  /// The bound port.
  int port() const noexcept { return port_; }
  /// Calls `fn` with every G.711 packet (payload types 0 and 8) and telephone-event packet that arrives.
  void on_packet(std::function<void(const RtpPacket&)> fn) { on_packet_ = std::move(fn); }
  /// The payload type telephone events (RFC 4733) come in (the offer's, until the answer names its own).
  void set_event_payload_type(int pt) noexcept { event_pt_ = pt; }
  /// True for a telephone-event packet.
  bool is_event(const RtpPacket& p) const noexcept { return p.payload_type == event_pt_; }
  /// Where play() sends: the customer's RTP address from its answer.
  void set_peer(const std::string& address, int port, int payload_type);
  /// Queues G.711 bytes to send in 160-byte (20 ms) frames, one every 20 ms.
  void play(std::span<const std::uint8_t> g711);
  /// Bytes still queued to send.
  std::size_t queued() const noexcept { return out_.size(); }

 private:
  RtpPort(Reactor& reactor, int fd, int port, RtpCounters& counters);
  static int on_readable(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg);
  void read_all();
  void send_next();

  Reactor& reactor_;
  int fd_;
  int port_;
  int registration_ = -1;
  RtpCounters& counters_;
  std::function<void(const RtpPacket&)> on_packet_;
  std::vector<std::uint8_t> peer_;  // a sockaddr_storage's bytes, empty until set
  int peer_pt_ = 0;
  int event_pt_ = 101;
  std::deque<std::uint8_t> out_;
  Timer pacer_;
  std::uint16_t seq_ = 0;
  std::uint32_t ts_ = 0;
  std::uint32_t ssrc_ = 0;
  bool first_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed (see read_all)
};

}  // namespace outbound::sip
