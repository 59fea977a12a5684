// Lease holders: tokens that name a list handle and the process it lives in,
// and the check whether such a holder can still be alive. Linux's /proc gives
// a process's start time, so a pid reused by another program is not taken for
// the engine that died; without /proc, kill(pid, 0) is the fallback (a reused
// pid then only delays recovery until the lease expires, never speeds it up).
#include "lease_holder.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

namespace outbound::detail {
namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

// FNV-1a: stable across builds and runs, unlike std::hash.
std::string fnv_hex(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

// Field 22 of /proc/<pid>/stat (after the parenthesised name, which may hold spaces); "" when unreadable.
std::string start_time_of(long pid) {
  std::string stat = read_first_line("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return field;
  return {};
}

// This process as tokens name it: its scope (a hash of machine, boot and pid
// namespace: pids are only comparable within one), pid and start time.
struct Process {
  std::string scope, pid, start;
};

Process describe_this_process() {
  Process out;
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0) name[0] = '\0';
  char ns[128] = {0};
  ssize_t n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  out.scope = fnv_hex(std::string(name) + "|" + read_first_line("/proc/sys/kernel/random/boot_id") + "|" +
                      std::string(ns, n > 0 ? n : 0));
  out.pid = std::to_string(::getpid());
  out.start = start_time_of(::getpid());
  return out;
}

// Described again after a fork: a child is another holder, not its parent.
Process this_process() {
  static std::mutex mutex;
  static Process cached;
  static pid_t cached_pid = 0;
  std::lock_guard lock(mutex);
  if (cached_pid != ::getpid()) {
    cached = describe_this_process();
    cached_pid = ::getpid();
  }
  return cached;
}

std::mutex live_mutex;
std::set<std::string>& live_handles() {
  static std::set<std::string> live;  // handle parts of this process's open holders
  return live;
}

// Unique within this process: with the process's scope, pid and start time
// it names one handle anywhere.
std::string new_handle_id() {
  static std::atomic<std::uint64_t> counter{0};
  return std::to_string(++counter);
}

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(token);
  while (std::getline(in, part, '/')) parts.push_back(part);
  return parts;
}

// A process of this machine's boot and namespace: gone when it has no entry
// in /proc, or the entry started at another time (its pid was reused).
bool local_process_alive(const std::string& pid_text, const std::string& start) {
  long pid = 0;
  try {
    pid = std::stol(pid_text);
  } catch (...) {
    return true;
  }
  if (pid <= 0) return true;
  if (!this_process().start.empty()) {
    std::string now = start_time_of(pid);
    return !now.empty() && now == start;
  }
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;  // no /proc: EPERM means it exists
}

}  // namespace

LeaseHolder::LeaseHolder() {
  const Process p = this_process();
  std::string handle = new_handle_id();
  token_ = p.scope + "/" + p.pid + "/" + p.start + "/" + handle;
  std::lock_guard lock(live_mutex);
  live_handles().insert(handle);
}

LeaseHolder::~LeaseHolder() {
  std::lock_guard lock(live_mutex);
  live_handles().erase(split(token_).back());
}

bool holder_may_be_alive(const std::string& token) {
  auto parts = split(token);
  if (parts.size() != 4) return true;  // not ours to judge: it lives until its lease expires
  const Process p = this_process();
  if (parts[0] != p.scope) return true;  // another machine, boot or namespace
  if (parts[1] == p.pid && parts[2] == p.start) {
    std::lock_guard lock(live_mutex);
    return live_handles().count(parts[3]) != 0;
  }
  return local_process_alive(parts[1], parts[2]);
}

}  // namespace outbound::detail
