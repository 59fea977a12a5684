// Private: the calls a campaign has in flight, by call id, with their two
// deadlines (the abandon timer a live answer starts, and engine routing's
// connect deadline) on the engine's loop, and the call-log rows waiting for
// the next flush. The campaign holds one tracker and asks it; the tracker
// calls back through DeadlineListener only, so it knows nothing of the
// campaign (no campaign_impl.hpp here). Loop thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "outbound/call.hpp"
#include "outbound/call_log.hpp"
#include "outbound/clock.hpp"
#include "outbound/event_loop.hpp"

namespace outbound::calls {

/// What the tracker keeps on each call; the campaign's call type derives from it.
struct TrackedCall {
  CallId id = 0;               ///< the call's id, its key in the tracker
  bool logged = false;         ///< its log row is queued (an abandoned call: at the abandon)
  TimerId abandon_timer = 0;   ///< the abandon deadline while armed
  TimerId connect_timer = 0;   ///< engine routing's connect deadline while armed
};

/// Who hears that a deadline passed (the campaign).
class DeadlineListener {
 public:
  /// The abandon deadline of a tracked call passed (called once, never after the call left).
  virtual void abandon_deadline_passed(CallId id) = 0;
  /// The connect deadline set for `agent` on a tracked call passed.
  virtual void connect_deadline_passed(CallId id, const std::string& agent) = 0;

 protected:
  ~DeadlineListener() = default;
};

/// Call-log rows waiting for their write; a failed write keeps them all, in order.
class CallLogQueue {
 public:
  /// Queues one row.
  void push(CallLogEntry row) { rows_.push_back(std::move(row)); }
  /// Writes the queued rows in one transaction, waiting at most `max_wait` for a lock (none:
  /// the log connection's own timeout); false (the rows kept, `*error` set) when it fails.
  bool flush(CallLog& log, std::optional<Duration> max_wait, std::string* error);
  /// Rows waiting.
  std::size_t size() const { return rows_.size(); }
  /// True when no row waits.
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<CallLogEntry> rows_;
};

/// The calls in flight of one campaign, their deadlines and their log rows.
template <typename Call>
class CallTracker {
  static_assert(std::is_base_of_v<TrackedCall, Call>, "a tracked call derives from calls::TrackedCall");
  using Map = std::unordered_map<CallId, Call>;

 public:
  /// A tracker whose deadlines run on `loop` and are reported to `listener`.
  CallTracker(EventLoop& loop, DeadlineListener& listener) : loop_(loop), listener_(listener) {}
  // No cancel at destruction: the loop may be gone first; the timers left find the token dead.
  ~CallTracker() = default;
  CallTracker(const CallTracker&) = delete;
  CallTracker& operator=(const CallTracker&) = delete;

  /// Tracks `call` under its id; the tracked call.
  Call& add(Call call) {
    const CallId id = call.id;
    return calls_.insert_or_assign(id, std::move(call)).first->second;
  }
  /// The tracked call `id`, or null.
  Call* find(CallId id) {
    auto it = calls_.find(id);
    return it == calls_.end() ? nullptr : &it->second;
  }
  /// The tracked call `id` (std::out_of_range when there is none).
  Call& at(CallId id) { return calls_.at(id); }
  /// Stops tracking `id`; the call, its deadlines cancelled (its `logged` travels with it); an empty call when untracked.
  Call remove(CallId id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return Call{};
    Call out = std::move(it->second);
    calls_.erase(it);
    disarm(out);
    return out;
  }
  /// Stops tracking every call, cancelling their deadlines.
  void clear() {
    for (auto& [id, c] : calls_) disarm(c);
    calls_.clear();
  }
  /// Calls tracked.
  std::size_t size() const { return calls_.size(); }
  /// True when no call is tracked.
  bool empty() const { return calls_.empty(); }
  /// Iteration over (id, call) pairs, in no particular order.
  typename Map::iterator begin() { return calls_.begin(); }
  /// End of the iteration.
  typename Map::iterator end() { return calls_.end(); }
  /// Const iteration over (id, call) pairs.
  typename Map::const_iterator begin() const { return calls_.begin(); }
  /// End of the const iteration.
  typename Map::const_iterator end() const { return calls_.end(); }

  /// Arms the abandon deadline of `c` after `after`; it fires once, unless disarmed or the call left first.
  void arm_abandon(Call& c, Duration after) {
    loop_.cancel(c.abandon_timer);
    c.abandon_timer = schedule(c.id, after, &TrackedCall::abandon_timer,
                               [](DeadlineListener& l, CallId id) { l.abandon_deadline_passed(id); });
  }
  /// Cancels the abandon deadline of `c` (connected, abandoned, released).
  void disarm_abandon(Call& c) {
    loop_.cancel(c.abandon_timer);
    c.abandon_timer = 0;
  }
  /// Arms engine routing's connect deadline of `c` for `agent` after `after`.
  void arm_connect(Call& c, const std::string& agent, Duration after) {
    loop_.cancel(c.connect_timer);
    c.connect_timer = schedule(c.id, after, &TrackedCall::connect_timer,
                               [agent](DeadlineListener& l, CallId id) { l.connect_deadline_passed(id, agent); });
  }
  /// Cancels the connect deadline of `c`.
  void disarm_connect(Call& c) {
    loop_.cancel(c.connect_timer);
    c.connect_timer = 0;
  }

  /// Queues the call's log row, built by `row()`, unless one is queued already; true when it queued.
  template <typename RowFn>
  bool log_once(TrackedCall& c, RowFn&& row) {
    if (c.logged) return false;
    c.logged = true;
    log_.push(row());
    return true;
  }
  /// Writes the queued log rows to `log` (see CallLogQueue::flush); false (rows kept, `*error` set) when it fails.
  bool flush_log(CallLog& log, std::optional<Duration> max_wait, std::string* error) { return log_.flush(log, max_wait, error); }
  /// Log rows waiting for a flush.
  std::size_t log_rows_pending() const { return log_.size(); }

 private:
  void disarm(Call& c) {
    disarm_abandon(c);
    disarm_connect(c);
  }

  // The timer holds the tracker's liveness token, not the tracker: a timer
  // outliving it does nothing. The fired slot is cleared only while it is
  // still the call's armed one, and the listener hears only of tracked calls.
  template <typename Notify>
  TimerId schedule(CallId id, Duration after, TimerId TrackedCall::*slot, Notify notify) {
    auto fired = std::make_shared<TimerId>(0);
    *fired = loop_.schedule_after(after, [this, w = std::weak_ptr<char>(alive_), id, slot, fired, notify] {
      if (!w.lock()) return;
      Call* c = find(id);
      if (!c) return;
      if (c->*slot == *fired) c->*slot = 0;
      notify(listener_, id);
    });
    return *fired;
  }

  EventLoop& loop_;
  DeadlineListener& listener_;
  Map calls_;
  CallLogQueue log_;
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);
};

}  // namespace outbound::calls
