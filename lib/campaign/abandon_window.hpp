// Private: live answers and abandons over the regulatory window (e.g. 30 days),
// so the pacer sees how much of the abandon budget is left.
#pragma once

#include <deque>

#include "outbound/clock.hpp"

namespace outbound::detail {

/// A sliding window of live answers, each flagged abandoned or not.
class AbandonWindow {
 public:
  explicit AbandonWindow(Duration window) : window_(window) {}
  /// Records a live answer at `t` (abandoned or connected).
  void add(Time t, bool abandoned) {
    events_.push_back({t, abandoned});
    ++live_;
    if (abandoned) ++abandoned_;
  }
  /// Forgets answers older than the window.
  void prune(Time now) {
    while (!events_.empty() && events_.front().at + window_ <= now) {
      --live_;
      if (events_.front().abandoned) --abandoned_;
      events_.pop_front();
    }
  }
  long live() const { return live_; }
  long abandoned() const { return abandoned_; }
  double rate() const { return live_ ? static_cast<double>(abandoned_) / static_cast<double>(live_) : 0.0; }
  void set_window(Duration w) { window_ = w; }

 private:
  struct Entry {
    Time at;
    bool abandoned;
  };
  Duration window_;
  std::deque<Entry> events_;
  long live_ = 0;
  long abandoned_ = 0;
};

}  // namespace outbound::detail
