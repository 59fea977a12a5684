// sip_bench: the SIP driver under load on 127.0.0.1. It starts sip_farend
// (its own process: the trunk and the agents' phones), places calls at a
// steady rate, connects every live answer to a free agent's phone (as the
// engine will), and measures what the driver's process does: call setups a
// second, calls up at once, CPU and memory a call, and the connect latency
// (live answer -> agent bridged).
//
// usage: sip_bench [--calls N] [--rate CPS] [--hold-ms MS] [--agents N] [--cpu K] [--farend PATH]
//   defaults: 3000 calls at 120/s, each talking 6000 ms (about 720 up at once), 900 agents.
//   --cpu K pins the driver to CPU K and the far end to the other CPUs (one core for the driver).
// It prints one JSON line of results.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <spawn.h>
#include <string>
#include <thread>
#include <vector>

#include "outbound/driver/sip.hpp"
#include "outbound/error.hpp"

extern char** environ;

namespace {

using namespace outbound;
using Steady = std::chrono::steady_clock;

struct Options {
  int calls = 3000;
  double rate = 120;
  long hold_ms = 6000;
  int agents = 900;
  int cpu = -1;
  std::string farend;
};

/// What happened to each call, stamped by the steady clock.
class Recorder final : public EventSink {
 public:
  struct Call {
    Steady::time_point dialed, answered, connected, released;
    CallResult result = CallResult::unknown;
    std::string agent;
  };

  void on_call_event(const CallEvent& e) override {
    const auto now = Steady::now();
    std::function<void()> then;
    {
      std::lock_guard lock(mu_);
      Call& c = calls_[e.call_id];
      switch (e.kind) {
        case CallEventKind::dialing: c.dialed = now; ++up_; peak_ = std::max(peak_, up_); break;
        case CallEventKind::answered: c.answered = now; answered_.push_back(e.call_id); break;
        case CallEventKind::connected: c.connected = now; break;
        case CallEventKind::connect_failed: answered_.push_back(e.call_id); break;  // try another agent
        case CallEventKind::released:
          c.released = now;
          c.result = e.result;
          --up_;
          ++released_;
          gone_.push_back(e.call_id);
          break;
        default: break;
      }
    }
    cv_.notify_all();
  }
  void on_agent_event(const AgentEvent&) override {}

  /// Calls answered since the last call, for the router.
  std::vector<CallId> take_answered() {
    std::lock_guard lock(mu_);
    std::vector<CallId> out;
    out.swap(answered_);
    return out;
  }
  /// Calls released since the last call, for the router to free their agents.
  std::vector<CallId> take_released() {
    std::lock_guard lock(mu_);
    std::vector<CallId> out;
    out.swap(gone_);
    return out;
  }
  int up() const { std::lock_guard lock(mu_); return up_; }
  int peak() const { std::lock_guard lock(mu_); return peak_; }
  int released() const { std::lock_guard lock(mu_); return released_; }
  std::map<CallId, Call> calls() const { std::lock_guard lock(mu_); return calls_; }
  void wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, d);
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<CallId, Call> calls_;
  std::vector<CallId> answered_, gone_;
  int up_ = 0, peak_ = 0, released_ = 0;
};

double seconds(const rusage& u) {
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// CPU of the driver: the process's, less this (the bench's own) thread's.
double driver_cpu_seconds() {
  rusage all{}, mine{};
  getrusage(RUSAGE_SELF, &all);
  getrusage(RUSAGE_THREAD, &mine);
  return seconds(all) - seconds(mine);
}

long rss_kb() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * (v.size() - 1) + 0.5)];
}

bool bindable(int port, int type) {
  const int fd = socket(AF_INET, type, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

/// Four free ports in a row (the far end's two, the driver's two).
int free_ports() {
  for (int base = 41000 + getpid() % 1000 * 8; base < 65000; base += 8) {
    bool ok = true;
    for (int p = base; p < base + 4 && ok; ++p) ok = bindable(p, SOCK_DGRAM) && bindable(p, SOCK_STREAM);
    if (ok) return base;
  }
  std::fprintf(stderr, "sip_bench: no free ports\n");
  std::exit(1);
}

pid_t start_farend(const Options& o, int port, int cpu_avoid) {
  std::vector<std::string> args{o.farend, "--listen", "127.0.0.1:" + std::to_string(port), "--hold-ms",
                                std::to_string(o.hold_ms)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/tmp/sip_bench_farend.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "sip_bench: cannot start %s\n", o.farend.c_str());
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&fa);
  if (cpu_avoid >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < CPU_SETSIZE && i < static_cast<int>(std::thread::hardware_concurrency()); ++i)
      if (i != cpu_avoid) CPU_SET(i, &set);
    if (CPU_COUNT(&set) > 0) sched_setaffinity(pid, sizeof set, &set);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.farend = std::string(argv[0]).substr(0, std::string(argv[0]).rfind('/') + 1) + "sip_farend";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const char* v = argv[i + 1];
    if (a == "--calls") o.calls = std::atoi(v);
    else if (a == "--rate") o.rate = std::atof(v);
    else if (a == "--hold-ms") o.hold_ms = std::atol(v);
    else if (a == "--agents") o.agents = std::atoi(v);
    else if (a == "--cpu") o.cpu = std::atoi(v);
    else if (a == "--farend") o.farend = v;
    else {
      std::fprintf(stderr, "usage: sip_bench [--calls N] [--rate CPS] [--hold-ms MS] [--agents N] [--cpu K] [--farend PATH]\n");
      return 2;
    }
  }
  // Hundreds of calls need hundreds of descriptors (an RTP port each until it is bridged).
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);
  if (o.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(o.cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }

  const int base = free_ports();
  const pid_t far = start_farend(o, base, o.cpu);
  SipConfig cfg;
  cfg.listen = "127.0.0.1:" + std::to_string(base + 2);
  cfg.customer_uri = "sip:{number}@127.0.0.1:" + std::to_string(base);
  cfg.caller_id = "+12125550199";
  cfg.rtp_port_min = 20000;
  cfg.rtp_port_max = 39998;
  cfg.leg_check_interval = std::chrono::seconds(0);
  for (int i = 1; i <= o.agents; ++i) cfg.agents["a" + std::to_string(i)] = "sip:a" + std::to_string(i) + "@127.0.0.1:" + std::to_string(base);
  SipDriver driver(cfg);
  Recorder rec;
  const long rss0 = rss_kb();
  driver.start(rec);

  std::vector<std::string> free_agents;
  for (int i = o.agents; i >= 1; --i) free_agents.push_back("a" + std::to_string(i));
  std::map<CallId, std::string> agent_of;
  auto route = [&] {
    for (CallId id : rec.take_answered()) {
      if (free_agents.empty()) continue;  // no agent: the call waits (and is counted)
      const std::string a = free_agents.back();
      free_agents.pop_back();
      try {
        driver.connect(id, a);
        agent_of[id] = a;
      } catch (const Error&) {
        free_agents.push_back(a);
      }
    }
  };
  auto free_released = [&] {
    for (CallId id : rec.take_released()) {
      auto it = agent_of.find(id);
      if (it == agent_of.end()) continue;
      free_agents.push_back(it->second);
      agent_of.erase(it);
    }
  };

  const double cpu0 = driver_cpu_seconds();
  const auto t0 = Steady::now();
  long rss_peak = rss0;
  int placed = 0;
  auto last_free = t0;
  while (rec.released() < o.calls) {
    const auto now = Steady::now();
    const int due = std::min(o.calls, static_cast<int>(std::chrono::duration<double>(now - t0).count() * o.rate) + 1);
    for (; placed < due; ++placed) {
      DialRequest rq;
      rq.call_id = static_cast<CallId>(placed + 1);
      rq.phone = "+1212" + std::to_string(2000000 + placed);
      rq.amd = AmdMode::none;
      rq.ring_timeout = std::chrono::seconds(25);
      driver.dial(rq);
    }
    free_released();
    route();
    if (now - last_free > std::chrono::milliseconds(200)) {
      rss_peak = std::max(rss_peak, rss_kb());
      last_free = now;
    }
    if (now - t0 > std::chrono::seconds(static_cast<long>(o.calls / o.rate + o.hold_ms / 1000 + 60))) break;
    rec.wait(std::chrono::milliseconds(2));
  }
  const double wall = std::chrono::duration<double>(Steady::now() - t0).count();
  const double cpu = driver_cpu_seconds() - cpu0;
  const auto stats = driver.stats();
  driver.stop();
  kill(far, SIGTERM);
  waitpid(far, nullptr, 0);

  std::vector<double> connect_ms, setup_ms;
  int answered = 0, connected = 0;
  Steady::time_point first_answer = Steady::time_point::max(), last_answer{};
  std::map<int, int> results;
  for (const auto& [id, c] : rec.calls()) {
    ++results[static_cast<int>(c.result)];
    if (c.answered == Steady::time_point{}) continue;
    ++answered;
    first_answer = std::min(first_answer, c.answered);
    last_answer = std::max(last_answer, c.answered);
    setup_ms.push_back(std::chrono::duration<double, std::milli>(c.answered - c.dialed).count());
    if (c.connected == Steady::time_point{}) continue;
    ++connected;
    connect_ms.push_back(std::chrono::duration<double, std::milli>(c.connected - c.answered).count());
  }
  const double answer_span = std::chrono::duration<double>(last_answer - first_answer).count();
  std::printf(
      "{\"calls\": %d, \"rate_asked\": %.1f, \"hold_ms\": %ld, \"answered\": %d, \"connected\": %d, "
      "\"setups_per_s\": %.1f, \"peak_concurrent\": %d, \"wall_s\": %.2f, \"cpu_s\": %.2f, \"cpu_share_of_one_core\": %.3f, "
      "\"cpu_ms_per_call\": %.3f, \"rss_kb_before\": %ld, \"rss_kb_peak\": %ld, \"rss_kb_per_concurrent_call\": %.1f, "
      "\"setup_ms_median\": %.2f, \"connect_ms_median\": %.2f, \"connect_ms_p99\": %.2f, \"connect_ms_max\": %.2f, "
      "\"invites\": %ld, \"backoffs\": %ld, \"timeouts\": %ld, \"results\": {",
      o.calls, o.rate, o.hold_ms, answered, connected, answer_span > 0 ? (answered - 1) / answer_span : 0.0, rec.peak(),
      wall, cpu, cpu / wall, 1000 * cpu / std::max(1, o.calls), rss0, rss_peak,
      rec.peak() ? double(rss_peak - rss0) / rec.peak() : 0.0, percentile(setup_ms, 0.5), percentile(connect_ms, 0.5),
      percentile(connect_ms, 0.99), percentile(connect_ms, 1.0), stats.invites, stats.backoffs, stats.timeouts);
  const char* sep = "";
  for (const auto& [r, n] : results) {
    std::printf("%s\"%s\": %d", sep, std::string(to_string(static_cast<CallResult>(r))).c_str(), n);
    sep = ", ";
  }
  std::printf("}}\n");
  return connected == o.calls ? 0 : 1;
}
