// Private: who holds a lease. Every open list handle is a holder of its own,
// named by a token that says where it lives (machine, boot and pid namespace,
// process and its start time) and which handle it is. Recovery takes back a
// lease only when it has expired or its holder is known to be gone: a handle
// closed in this process, or a process on this machine that has exited. A
// live holder's leases are never touched, whatever engine_id it shares.
#pragma once

#include <string>

namespace outbound::detail {

/// The lease holder of one list handle: registered as live while it exists.
class LeaseHolder {
 public:
  LeaseHolder();
  ~LeaseHolder();
  LeaseHolder(const LeaseHolder&) = delete;
  LeaseHolder& operator=(const LeaseHolder&) = delete;

  /// "scope/pid/start/handle" (scope: a hash of machine, boot and pid namespace; handle: a
  /// counter in the process), about 35 characters.
  const std::string& token() const { return token_; }

 private:
  std::string token_;
};

/// False when `token` names a holder known to be gone (a handle closed in this
/// process, or an exited process on this machine); true otherwise, including
/// for holders on other machines and tokens this version cannot read.
bool holder_may_be_alive(const std::string& token);

}  // namespace outbound::detail
