// The telephony test rig: real far ends on 127.0.0.1, started by the tests
// and stopped by pid. Baresip (a real SIP user agent, Debian's baresip 1.0)
// plays callees and agents' phones: accounts that answer at once, ring until
// cancelled, send 183, or reject (486) through ctrl_tcp; each phone has a
// voice (a WAV it sends), records what it hears (sndfile), and reports call
// events over ctrl_tcp. FarEnd runs bench/sip's sip_farend for what baresip
// cannot do (any final response, 503 storms, digest challenges, load).
//
// Facts of baresip 1.0 this relies on: `net_interface 127.0.0.1` (the name
// "lo" fails); sip_listen PORT also binds PORT+1 for TLS; unknown users get
// 404; the aufile source hangs the call up about a second after its file
// ends; aufile has no player in 1.0, so the sndfile filter records.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace rig {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A fresh folder under /tmp, removed with the object.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/obsip-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// True when `port` can be bound on 127.0.0.1 for UDP and TCP.
inline bool port_free(int port) {
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    const int fd = socket(AF_INET, type, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    close(fd);
    if (!ok) return false;
  }
  return true;
}

/// `count` consecutive free ports (UDP and TCP) in 20000..59999, drawn at random so that test
/// programs running at once rarely meet.
inline int free_ports(int count) {
  static std::mt19937 rng{std::random_device{}() ^ static_cast<unsigned>(getpid())};
  std::uniform_int_distribution<int> pick(2000, 5990);
  for (int tries = 0; tries < 500; ++tries) {
    const int base = pick(rng) * 10;
    bool ok = true;
    for (int p = base; p < base + count && ok; ++p) ok = port_free(p);
    if (ok) return base;
  }
  throw std::runtime_error("no free ports on 127.0.0.1");
}

/// Writes a WAV (8 kHz, mono, 16-bit) of `seconds` of a sine at `hz` (0: silence).
inline void write_tone(const fs::path& path, double seconds, double hz, double amplitude = 0.5) {
  const auto n = static_cast<std::uint32_t>(seconds * 8000);
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  out.write("RIFF", 4);
  u32(36 + n * 2);
  out.write("WAVEfmt ", 8);
  u32(16), u16(1), u16(1), u32(8000), u32(16000), u16(2), u16(16);
  out.write("data", 4);
  u32(n * 2);
  for (std::uint32_t i = 0; i < n; ++i)
    u16(static_cast<std::uint16_t>(static_cast<std::int16_t>(32767 * amplitude * std::sin(2 * M_PI * hz * i / 8000.0))));
}

/// Runs a shell command; throws with the command when it fails.
inline void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + command);
}

/// Speaks `text` (espeak-ng) into an 8 kHz mono 16-bit WAV, after `before` s and followed by `after` s of silence.
inline void say(const fs::path& path, const std::string& text, double before, double after, const std::string& voice = "en-us") {
  const fs::path raw = path.string() + ".raw.wav";
  run("espeak-ng -v " + voice + " -w '" + raw.string() + "' '" + text + "'");
  run("sox '" + raw.string() + "' -r 8000 -c 1 -b 16 '" + path.string() + "' pad " + std::to_string(before) + " " +
      std::to_string(after));
  fs::remove(raw);
}

/// Joins WAVs (8 kHz mono 16-bit) into one (sox).
inline void join(const fs::path& out, const std::vector<fs::path>& parts) {
  std::string cmd = "sox";
  for (const auto& p : parts) cmd += " '" + p.string() + "'";
  run(cmd + " '" + out.string() + "'");
}

/// Reads the samples of a 16-bit mono WAV (44-byte header, as sox and sndfile write it).
inline std::vector<std::int16_t> samples(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::int16_t> out;
  if (bytes.size() <= 44) return out;
  out.resize((bytes.size() - 44) / 2);
  std::memcpy(out.data(), bytes.data() + 44, out.size() * 2);
  return out;
}

/// Where `needle` best matches inside `hay` (normalised cross-correlation, in 10-sample steps; the
/// needle may run up to a fifth of its length past the end of `hay`, as a recording cut short does):
/// the offset in samples and the correlation (1 = the same wave).
inline std::pair<std::size_t, double> best_match(const std::vector<std::int16_t>& hay,
                                                 const std::vector<std::int16_t>& needle) {
  std::pair<std::size_t, double> best{0, 0.0};
  const std::size_t min_overlap = needle.size() - needle.size() / 5;
  if (needle.empty() || hay.size() < min_overlap) return best;
  for (std::size_t at = 0; at + min_overlap <= hay.size(); at += 10) {
    const std::size_t n = std::min(needle.size(), hay.size() - at);
    double dot = 0, hay_energy = 0, needle_energy = 0;
    for (std::size_t i = 0; i < n; i += 2) {
      dot += double(hay[at + i]) * needle[i];
      hay_energy += double(hay[at + i]) * hay[at + i];
      needle_energy += double(needle[i]) * needle[i];
    }
    const double r = hay_energy > 0 && needle_energy > 0 ? dot / std::sqrt(hay_energy * needle_energy) : 0;
    if (r > best.second) best = {at, r};
  }
  return best;
}

/// What a recording holds: its length, loudness and main frequency (by zero crossings).
struct Audio {
  double seconds = 0;
  double rms = 0;  ///< 0..1
  double hz = 0;
};

/// Reads a 16-bit mono WAV (the header is skipped as 44 bytes, as sndfile writes it).
inline Audio analyse(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Audio a;
  if (bytes.size() <= 44) return a;
  const std::size_t n = (bytes.size() - 44) / 2;
  const auto* s = reinterpret_cast<const std::int16_t*>(bytes.data() + 44);
  double sum = 0;
  int crossings = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sum += double(s[i]) * s[i];
    if (i && ((s[i - 1] < 0) != (s[i] < 0))) ++crossings;
  }
  a.seconds = n / 8000.0;
  a.rms = std::sqrt(sum / n) / 32768.0;
  a.hz = a.seconds > 0 ? crossings / 2.0 / a.seconds : 0;
  return a;
}

/// The main frequency of each 100 ms block of a recording that is not silent (rms > 0.05).
inline std::vector<double> tones(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<double> out;
  if (bytes.size() <= 44) return out;
  const std::size_t n = (bytes.size() - 44) / 2;
  const auto* s = reinterpret_cast<const std::int16_t*>(bytes.data() + 44);
  for (std::size_t at = 0; at + 800 <= n; at += 800) {
    double sum = 0;
    int crossings = 0;
    for (std::size_t i = at; i < at + 800; ++i) {
      sum += double(s[i]) * s[i];
      if (i > at && ((s[i - 1] < 0) != (s[i] < 0))) ++crossings;
    }
    if (std::sqrt(sum / 800) / 32768.0 > 0.05) out.push_back(crossings / 2.0 / 0.1);
  }
  return out;
}

/// How many blocks of `tones` are within 10 % of `hz`.
inline int blocks_near(const std::vector<double>& tones, double hz) {
  int n = 0;
  for (double t : tones) n += std::abs(t - hz) < hz * 0.1;
  return n;
}

/// Waits until `done` or `limit` passes; true when done.
inline bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

/// A child process with its output in a file; killed (SIGTERM, then SIGKILL) when it goes.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const fs::path& log) : log_(log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  ~Process() { stop(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  /// SIGTERM, up to 3 s, then SIGKILL; reaps the child.
  void stop() { end(SIGTERM); }
  /// SIGKILL at once: the process vanishes without a word (no BYE).
  void kill_hard() { end(SIGKILL); }
  /// What it printed so far.
  std::string output() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  void end(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    for (int i = 0; i < 300; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  pid_t pid_ = -1;
  fs::path log_;
};

/// One account (a phone number or an agent's line) of a baresip instance.
struct Account {
  Account(std::string u, std::string mode = "auto", std::string wav = "", bool rejects = false)
      : user(std::move(u)), answermode(std::move(mode)), voice(std::move(wav)), reject(rejects) {}
  std::string user;                ///< "+12125551000", "a1"
  std::string answermode = "auto"; ///< auto (180 then 200), manual (180, rings on), early (183, rings on)
  std::string voice;               ///< WAV it sends when answered ("" = the phone's); its end hangs up
  bool reject = false;             ///< rejects each incoming call with 486 (through ctrl_tcp)
};

/// A call event a phone reported over ctrl_tcp.
struct PhoneEvent {
  std::string type;     ///< CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED, …
  std::string account;  ///< the account's AOR
  std::string param;    ///< e.g. the reason a call closed
  std::chrono::steady_clock::time_point at{};  ///< when the rig read it
};

/// A baresip instance on 127.0.0.1 with its accounts, voice, recordings and control channel.
class Baresip {
 public:
  /// Starts baresip with `accounts`; each answered call sends `voice` (a WAV, 8 kHz mono) unless
  /// its account names its own. Waits until it is ready (throws when it is not within 10 s).
  Baresip(std::vector<Account> accounts, const fs::path& voice, int max_calls = 0) : accounts_(std::move(accounts)) {
    port_ = free_ports(4);  // SIP, TLS (PORT+1), ctrl_tcp (PORT+2)
    const fs::path dir = tmp_.path();
    fs::create_directories(dir / "heard");
    std::ofstream config(dir / "config");
    config << "sip_listen 127.0.0.1:" << port_ << "\n"
           << "net_interface 127.0.0.1\n"
           << "module_path /usr/lib/baresip/modules\n"
           << "module g711.so\nmodule aufile.so\nmodule sndfile.so\nmodule ctrl_tcp.so\n"
           << "module_app account.so\nmodule_app menu.so\n"
           << "audio_source aufile," << voice.string() << "\n"
           << "snd_path " << (dir / "heard").string() << "/\n"
           << "ctrl_tcp_listen 127.0.0.1:" << port_ + 2 << "\n"
           << "call_max_calls " << max_calls << "\n"
           << "audio_buffer 20-160\n";
    config.close();
    std::ofstream acc(dir / "accounts");
    for (const auto& a : accounts_) {
      acc << "<sip:" << a.user << "@127.0.0.1:" << port_ << ">;regint=0;answermode="
          << (a.reject ? "manual" : a.answermode);
      if (!a.voice.empty()) acc << ";audio_source=aufile," << a.voice;
      acc << "\n";
    }
    acc.close();
    process_ = std::make_unique<Process>(std::vector<std::string>{"baresip", "-f", dir.string()}, dir / "log");
    if (!wait_for([&] { return process_->output().find("baresip is ready.") != std::string::npos || !process_->running(); }) ||
        !process_->running())
      throw std::runtime_error("baresip did not start:\n" + process_->output());
    connect_control();
  }

  ~Baresip() { stop(); }
  Baresip(const Baresip&) = delete;
  Baresip& operator=(const Baresip&) = delete;

  /// sip:USER@127.0.0.1:PORT
  std::string uri(const std::string& user) const { return "sip:" + user + "@127.0.0.1:" + std::to_string(port_); }
  /// "sip:{number}@127.0.0.1:PORT", a customer URI template reaching this instance.
  std::string customer_template() const { return "sip:{number}@127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  std::string output() const { return process_ ? process_->output() : std::string(); }

  /// Stops it (SIGTERM; its calls end with BYE).
  void stop() {
    close_control();
    if (process_) process_->stop();
  }
  /// Kills it with SIGKILL: its calls vanish without a BYE.
  void kill_hard() {
    close_control();
    if (process_) process_->kill_hard();
  }

  /// Events so far.
  std::vector<PhoneEvent> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  /// Number of events of `type` (for `user`'s account when given).
  int count(const std::string& type, const std::string& user = "") const {
    int n = 0;
    for (const auto& e : events())
      if (e.type == type && (user.empty() || e.account.find(":" + user + "@") != std::string::npos)) ++n;
    return n;
  }
  /// The recordings of what the phone heard (one a call, decoded audio).
  std::vector<fs::path> heard() const {
    std::vector<fs::path> out;
    for (const auto& f : fs::directory_iterator(tmp_.path() / "heard"))
      if (f.path().string().ends_with("-dec.wav")) out.push_back(f.path());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  void connect_control() {
    for (int i = 0; i < 200 && ctrl_ < 0; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(static_cast<std::uint16_t>(port_ + 2));
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
        ctrl_ = fd;
        break;
      }
      close(fd);
      std::this_thread::sleep_for(10ms);
    }
    if (ctrl_ < 0) throw std::runtime_error("no ctrl_tcp on port " + std::to_string(port_ + 2));
    reader_ = std::thread([this] { read_events(); });
  }

  void close_control() {
    if (ctrl_ >= 0) shutdown(ctrl_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    if (ctrl_ >= 0) close(ctrl_);
    ctrl_ = -1;
  }

  void send_command(const std::string& command) {
    const std::string body = nlohmann::json{{"command", command}, {"params", ""}, {"token", "t"}}.dump();
    const std::string frame = std::to_string(body.size()) + ":" + body + ",";
    [[maybe_unused]] auto n = ::send(ctrl_, frame.data(), frame.size(), MSG_NOSIGNAL);
  }

  // Netstrings ("LEN:JSON,") of events and responses; rejecting accounts hang up incoming calls.
  void read_events() {
    std::string buf;
    char chunk[4096];
    for (;;) {
      const ssize_t n = recv(ctrl_, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      buf.append(chunk, static_cast<std::size_t>(n));
      for (;;) {
        const auto colon = buf.find(':');
        if (colon == std::string::npos) break;
        const std::size_t len = std::stoul(buf.substr(0, colon));
        if (buf.size() < colon + 1 + len + 1) break;
        const std::string msg = buf.substr(colon + 1, len);
        buf.erase(0, colon + 1 + len + 1);
        on_message(msg);
      }
    }
  }

  void on_message(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.contains("event") || !j.contains("type")) return;
    PhoneEvent e{j.value("type", ""), j.value("accountaor", ""), j.value("param", ""), std::chrono::steady_clock::now()};
    {
      std::lock_guard lock(mu_);
      events_.push_back(e);
    }
    if (e.type != "CALL_INCOMING") return;
    for (const auto& a : accounts_)
      if (a.reject && e.account.find(":" + a.user + "@") != std::string::npos) send_command("hangup");
  }

  TempDir tmp_;
  std::vector<Account> accounts_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
  int ctrl_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::vector<PhoneEvent> events_;
};

/// bench/sip's sip_farend: a SIP far end on sofia-sip answering by number (see its usage).
class FarEnd {
 public:
  /// Starts build/bench/sip/sip_farend with `args` on a free port; waits for it to listen.
  explicit FarEnd(const std::vector<std::string>& args = {}) {
    port_ = free_ports(2);
    std::vector<std::string> argv{program(), "--listen", "127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Process>(argv, tmp_.path() / "log");
    if (!wait_for([&] { return process_->output().find("listening") != std::string::npos || !process_->running(); }) ||
        !process_->running())
      throw std::runtime_error("sip_farend did not start:\n" + process_->output());
  }
  /// The far end's program in this build.
  static std::string program() {
    const char* build = std::getenv("OB_TEST_BUILD_DIR");
    return std::string(build ? build : "build") + "/bench/sip/sip_farend";
  }
  /// "sip:{number}@127.0.0.1:PORT"
  std::string customer_template() const { return "sip:{number}@127.0.0.1:" + std::to_string(port_); }
  std::string uri(const std::string& user) const { return "sip:" + user + "@127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::string output() const { return process_->output(); }
  void stop() { process_->stop(); }

 private:
  TempDir tmp_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

/// A UDP socket on 127.0.0.1 that takes datagrams and never answers: a trunk that is not there.
class BlackHole {
 public:
  BlackHole() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (;;) {
      port_ = free_ports(1);
      sa.sin_port = htons(static_cast<std::uint16_t>(port_));
      if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) break;
    }
  }
  ~BlackHole() { close(fd_); }
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;
  std::string customer_template() const { return "sip:{number}@127.0.0.1:" + std::to_string(port_); }
  /// Datagrams waiting (the INVITE and its retransmissions).
  int pending() const {
    int n = 0;
    char buf[4096];
    while (recv(fd_, buf, sizeof buf, MSG_DONTWAIT | MSG_PEEK) > 0 && n == 0) ++n;
    return n;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace rig
