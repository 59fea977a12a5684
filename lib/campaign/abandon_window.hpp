// Private: live answers, abandons and machine detections over the regulatory
// window (e.g. 30 days), so the pacer sees how much of the abandon budget is
// left and what leaves the window soon.
#pragma once

#include <deque>

#include "outbound/clock.hpp"

namespace outbound::detail {

/// A sliding window of answers: live (abandoned or not) and machine detections.
class AbandonWindow {
 public:
  explicit AbandonWindow(Duration window) : window_(window) {}
  /// Records a live answer at `t` (abandoned or connected).
  void add(Time t, bool abandoned) { push({t, Kind(abandoned ? Kind::abandoned : Kind::live)}); }
  /// Records a machine detection at `t` (the UK rule estimates false positives among them).
  void add_machine(Time t) { push({t, Kind::machine}); }
  /// Forgets entries older than the window.
  void prune(Time now) {
    while (!events_.empty() && add_saturating(events_.front().at, window_) <= now) {
      count(events_.front(), -1);
      events_.pop_front();
    }
  }
  long live() const { return live_; }
  long abandoned() const { return abandoned_; }
  long machines() const { return machines_; }
  double rate() const { return live_ ? static_cast<double>(abandoned_) / static_cast<double>(live_) : 0.0; }
  /// Live answers and abandons that leave the window by `now + horizon`.
  std::pair<long, long> expiring(Time now, Duration horizon) const {
    long live = 0, abandoned = 0;
    for (const auto& e : events_) {
      if (add_saturating(e.at, window_) > add_saturating(now, horizon)) break;
      if (e.kind != Kind::machine) ++live;
      if (e.kind == Kind::abandoned) ++abandoned;
    }
    return {live, abandoned};
  }

 private:
  enum class Kind { live, abandoned, machine };
  struct Entry {
    Time at;
    Kind kind;
  };
  void push(Entry e) {
    events_.push_back(e);
    count(e, +1);
  }
  void count(const Entry& e, int d) {
    if (e.kind == Kind::machine) {
      machines_ += d;
      return;
    }
    live_ += d;
    if (e.kind == Kind::abandoned) abandoned_ += d;
  }
  Duration window_;
  std::deque<Entry> events_;
  long live_ = 0;
  long abandoned_ = 0;
  long machines_ = 0;
};

}  // namespace outbound::detail
