// Fuzz target: the SIP driver's message entry point, its sockets. A live
// SipDriver dials a call to this program's own UDP socket (the "trunk"); the
// input is one or more SIP messages (separated by a line "%%%") in which
// $VIA $FROM $TO $CALLID $CSEQ $RTP $SIP $FAR are replaced by what the
// driver's INVITE said (so responses and in-dialog requests reach the call's
// own transaction and dialog), sent to the driver's SIP port; the first part
// also goes as it is to the SIP port and to the call's RTP port.
// Properties: no crash; the driver still answers an OPTIONS after each
// input; every call's events keep the lifecycle (dialing first, at most one
// released, last) whatever the far end said.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "outbound/driver/sip.hpp"
#include "outbound/error.hpp"

namespace {

using namespace outbound;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_sip: %s\n", what.c_str());
  std::abort();
}

/// Checks each call's events as they come: dialing first, nothing after released.
class Checker final : public EventSink {
 public:
  void on_call_event(const CallEvent& e) override {
    std::lock_guard lock(mu_);
    auto& seen = calls_[e.call_id];
    if (seen.empty() && e.kind != CallEventKind::dialing) fail("first event is not dialing");
    if (!seen.empty() && seen.back() == CallEventKind::released) fail("an event after released");
    if (e.kind == CallEventKind::released && e.result == CallResult::unknown) fail("released without a result");
    seen.push_back(e.kind);
  }
  void on_agent_event(const AgentEvent&) override {}
  bool released(CallId id) {
    std::lock_guard lock(mu_);
    auto it = calls_.find(id);
    return it != calls_.end() && !it->second.empty() && it->second.back() == CallEventKind::released;
  }
  /// Drops call `id`'s record; OB_FUZZ_TRACE=1 prints its events first.
  void forget(CallId id) {
    static const bool trace = std::getenv("OB_FUZZ_TRACE") != nullptr;
    std::lock_guard lock(mu_);
    if (trace) {
      std::fprintf(stderr, "call %llu:", static_cast<unsigned long long>(id));
      for (auto k : calls_[id]) std::fprintf(stderr, " %s", std::string(to_string(k)).c_str());
      std::fprintf(stderr, "\n");
    }
    calls_.erase(id);
  }

 private:
  std::mutex mu_;
  std::map<CallId, std::vector<CallEventKind>> calls_;
};

int udp_socket(int& port) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    fail("no UDP socket");
  port = ntohs(sa.sin_port);
  return fd;
}

/// A free port for the driver (bound once to learn it, then let go).
int free_port() {
  int port = 0;
  close(udp_socket(port));
  return port;
}

/// The value of header `name` in a SIP message ("" when absent).
std::string header(const std::string& msg, const std::string& name) {
  const std::string key = "\r\n" + name + ":";
  const auto at = msg.find(key);
  if (at == std::string::npos) return {};
  auto start = at + key.size();
  while (start < msg.size() && msg[start] == ' ') ++start;
  return msg.substr(start, msg.find("\r\n", start) - start);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

/// The driver and the far end it calls.
struct World {
  World() {
    far = udp_socket(far_port);
    SipConfig cfg;
    sip_port = free_port();
    cfg.listen = "127.0.0.1:" + std::to_string(sip_port);
    cfg.customer_uri = "sip:{number}@127.0.0.1:" + std::to_string(far_port);
    cfg.caller_id = "+12125550199";
    cfg.transaction_timeout = std::chrono::milliseconds(500);
    cfg.backoff_initial = std::chrono::milliseconds(1);
    cfg.backoff_max = std::chrono::milliseconds(1);
    cfg.leg_check_interval = std::chrono::milliseconds(0);
    const int rtp = free_port() & ~1;
    cfg.rtp_port_min = rtp < 20000 ? 20000 : rtp;
    cfg.rtp_port_max = cfg.rtp_port_min + 2000;
    driver = std::make_unique<SipDriver>(cfg);
    driver->start(checker);
  }
  ~World() {
    // An INVITE the far end never answered cannot be cancelled (no provisional came); sofia-sip
    // keeps its transaction until the timeout and leaks it if the stack shuts down first.
    for (int i = 0; i < 300 && driver->stats().open_dialogs > 0; ++i) {
      for (std::string m = receive(10); !m.empty(); m = receive(10)) answer(m);
    }
    driver->stop();
    close(far);
  }

  void send(int port, const std::string& bytes) const {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    sendto(far, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }

  /// The next datagram to the far end within `ms`, or "".
  std::string receive(int ms) const {
    pollfd p{far, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return {};
    char buf[65536];
    const ssize_t n = recv(far, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

  /// Answers a request from the driver (BYE, CANCEL, OPTIONS…) with 200, so no transaction lingers.
  void answer(const std::string& rq) const {
    if (rq.rfind("SIP/2.0", 0) == 0 || rq.rfind("ACK", 0) == 0) return;
    const std::string ok = "SIP/2.0 200 OK\r\nVia: " + header(rq, "Via") + "\r\nFrom: " + header(rq, "From") +
                           "\r\nTo: " + header(rq, "To") + "\r\nCall-ID: " + header(rq, "Call-ID") +
                           "\r\nCSeq: " + header(rq, "CSeq") + "\r\nContent-Length: 0\r\n\r\n";
    send(sip_port, ok);
  }

  /// Sends an OPTIONS and waits for its answer, answering what else comes; false when none comes.
  bool ping() {
    const std::string branch = "z9hG4bKping" + std::to_string(++pings);
    const std::string callid = "ping" + std::to_string(pings) + "@fuzz";
    send(sip_port, "OPTIONS sip:outbound@127.0.0.1:" + std::to_string(sip_port) + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" +
                       std::to_string(far_port) + ";branch=" + branch +
                       "\r\nMax-Forwards: 70\r\nFrom: <sip:fuzz@127.0.0.1>;tag=p\r\nTo: <sip:outbound@127.0.0.1>\r\n"
                       "Call-ID: " + callid + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < end) {
      const std::string m = receive(100);
      if (m.find(callid) != std::string::npos && m.rfind("SIP/2.0", 0) == 0) return true;
      if (!m.empty()) answer(m);
    }
    return false;
  }

  Checker checker;
  std::unique_ptr<SipDriver> driver;
  int far = -1, far_port = 0, sip_port = 0;
  CallId next_call = 1;
  long pings = 0;
};

World& world() {
  static World w;
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const CallId id = w.next_call++;
  DialRequest rq;
  rq.call_id = id;
  rq.phone = "+12125550100";
  rq.ring_timeout = std::chrono::seconds(15);
  rq.amd = AmdMode::none;
  w.driver->dial(rq);

  std::string invite;
  for (int i = 0; i < 20 && invite.rfind("INVITE", 0) != 0; ++i) invite = w.receive(100);
  if (invite.rfind("INVITE", 0) != 0) fail("the driver sent no INVITE");
  const auto m = invite.find("m=audio ");
  const std::string rtp = m == std::string::npos ? "0" : invite.substr(m + 8, invite.find(' ', m + 8) - m - 8);
  const std::string cseq = header(invite, "CSeq");

  std::vector<std::string> parts;
  for (std::size_t at = 0;;) {
    const auto sep = input.find("%%%\r\n", at);
    parts.push_back(input.substr(at, sep == std::string::npos ? std::string::npos : sep - at));
    if (sep == std::string::npos) break;
    at = sep + 5;
  }
  w.send(w.sip_port, parts.front());                 // as it is
  if (rtp != "0") w.send(std::atoi(rtp.c_str()), parts.front());
  for (std::string part : parts) {
    replace_all(part, "$VIA", header(invite, "Via"));
    replace_all(part, "$FROM", header(invite, "From"));
    replace_all(part, "$TO", header(invite, "To"));
    replace_all(part, "$CALLID", header(invite, "Call-ID"));
    replace_all(part, "$CSEQ", cseq.substr(0, cseq.find(' ')));
    replace_all(part, "$RTP", rtp);
    replace_all(part, "$SIP", std::to_string(w.sip_port));
    replace_all(part, "$FAR", std::to_string(w.far_port));
    w.send(w.sip_port, part);
  }
  if (!w.ping()) fail("the driver stopped answering after an input");
  w.driver->release_abandoned(id);  // an answered call waiting for an agent
  w.driver->cancel(id);             // one still ringing
  if (!w.checker.released(id)) fail("call " + std::to_string(id) + " was not released");
  for (std::string msg = w.receive(20); !msg.empty(); msg = w.receive(20)) w.answer(msg);
  if (!w.ping()) fail("the driver stopped answering after the call ended");
  w.checker.forget(id);
  return 0;
}
