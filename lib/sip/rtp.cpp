#include "rtp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>

namespace outbound::sip {

namespace {

constexpr std::size_t kFrameBytes = 160;  // 20 ms of 8 kHz G.711
constexpr Duration kFrame{20};

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

/// A resolved numeric address (no name lookups on the SIP thread).
bool numeric_address(const std::string& host, int port, sockaddr_storage& out, socklen_t& len) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) return false;
  std::memcpy(&out, res->ai_addr, res->ai_addrlen);
  len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

}  // namespace

std::optional<RtpPacket> parse_rtp(std::span<const std::uint8_t> d) noexcept {
  if (d.size() < 12 || (d[0] >> 6) != 2) return std::nullopt;
  const bool padding = d[0] & 0x20;
  const bool extension = d[0] & 0x10;
  std::size_t header = 12 + 4u * (d[0] & 0x0f);
  if (d.size() < header) return std::nullopt;
  if (extension) {
    if (d.size() < header + 4) return std::nullopt;
    header += 4 + 4u * be16(&d[header + 2]);
    if (d.size() < header) return std::nullopt;
  }
  std::size_t end = d.size();
  if (padding) {
    const std::size_t pad = d[d.size() - 1];
    if (pad == 0 || pad > end - header) return std::nullopt;
    end -= pad;
  }
  RtpPacket p;
  p.marker = d[1] & 0x80;
  p.payload_type = d[1] & 0x7f;
  p.sequence = be16(&d[2]);
  p.timestamp = be32(&d[4]);
  p.ssrc = be32(&d[8]);
  p.payload = d.subspan(header, end - header);
  return p;
}

std::unique_ptr<RtpPort> RtpPort::open(Reactor& reactor, const std::string& address, int min, int max, int& cursor,
                                       RtpCounters& counters) {
  min += min % 2;
  const int slots = (max - min) / 2 + 1;
  if (slots <= 0) return nullptr;
  for (int tries = 0; tries < slots; ++tries) {
    if (cursor < min || cursor > max) cursor = min;
    const int port = cursor;
    cursor += 2;
    sockaddr_storage sa{};
    socklen_t len = 0;
    if (!numeric_address(address, port, sa, len)) return nullptr;
    const int fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return nullptr;  // out of descriptors: no other port will do better
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0)
      return std::unique_ptr<RtpPort>(new RtpPort(reactor, fd, port, counters));
    close(fd);
  }
  return nullptr;
}

RtpPort::RtpPort(Reactor& reactor, int fd, int port, RtpCounters& counters)
    : reactor_(reactor), fd_(fd), port_(port), counters_(counters) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  ssrc_ = static_cast<std::uint32_t>(rng());
  seq_ = static_cast<std::uint16_t>(rng());
  ts_ = static_cast<std::uint32_t>(rng());
  su_wait_t wait[1];
  if (su_wait_create(wait, fd_, SU_WAIT_IN) == 0)
    registration_ = su_root_register(reactor_.root(), wait, on_readable, reinterpret_cast<su_wakeup_arg_t*>(this), 0);
}

RtpPort::~RtpPort() {
  *alive_ = false;
  if (registration_ >= 0) su_root_deregister(reactor_.root(), registration_);
  close(fd_);
}

int RtpPort::on_readable(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  reinterpret_cast<RtpPort*>(arg)->read_all();
  return 0;
}

void RtpPort::read_all() {
  std::uint8_t buf[2048];
  for (int i = 0; i < 64; ++i) {  // a bounded batch: a flood cannot hold the thread
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return;
    auto p = parse_rtp({buf, static_cast<std::size_t>(n)});
    if (!p || (p->payload_type != 0 && p->payload_type != 8 && p->payload_type != event_pt_) || p->payload.empty()) {
      ++counters_.rejected;
      continue;
    }
    ++counters_.packets;
    if (!on_packet_) continue;
    // The callback may end the call, and this port with it: it runs from a copy, and nothing
    // of the port is touched once it says so.
    const auto alive = alive_;
    const auto fn = on_packet_;
    fn(*p);
    if (!*alive) return;
  }
}

void RtpPort::set_peer(const std::string& address, int port, int payload_type) {
  sockaddr_storage sa{};
  socklen_t len = 0;
  peer_.clear();
  peer_pt_ = payload_type;
  if (port <= 0 || !numeric_address(address, port, sa, len)) return;
  peer_.assign(reinterpret_cast<std::uint8_t*>(&sa), reinterpret_cast<std::uint8_t*>(&sa) + len);
}

void RtpPort::play(std::span<const std::uint8_t> g711) {
  out_.insert(out_.end(), g711.begin(), g711.end());
  if (!pacer_.armed()) send_next();
}

void RtpPort::send_next() {
  if (out_.empty() || peer_.empty()) return;
  std::uint8_t pkt[12 + kFrameBytes];
  const std::size_t n = std::min(kFrameBytes, out_.size());
  pkt[0] = 0x80;
  pkt[1] = static_cast<std::uint8_t>((first_ ? 0x80 : 0) | peer_pt_);
  pkt[2] = static_cast<std::uint8_t>(seq_ >> 8);
  pkt[3] = static_cast<std::uint8_t>(seq_);
  for (int i = 0; i < 4; ++i) pkt[4 + i] = static_cast<std::uint8_t>(ts_ >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) pkt[8 + i] = static_cast<std::uint8_t>(ssrc_ >> (24 - 8 * i));
  std::copy_n(out_.begin(), n, pkt + 12);
  out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(n));
  sendto(fd_, pkt, 12 + n, 0, reinterpret_cast<const sockaddr*>(peer_.data()), static_cast<socklen_t>(peer_.size()));
  first_ = false;
  ++seq_;
  ts_ += kFrameBytes;
  if (!out_.empty()) pacer_.set(reactor_.root(), kFrame, [this] { send_next(); });
}

}  // namespace outbound::sip
