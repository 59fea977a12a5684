// A small, self-contained call-center world for pacing tests: agents with
// talk and wrap-up times, calls with a live-answer share and answer delays,
// a patience after which an unserved live answer is abandoned, and a sliding
// abandon window. It feeds a real PacingTracker and builds real snapshots,
// so pacers are tested on what they would see in a campaign. Seeded, with
// its own generator and samplers: the same run on every platform.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <vector>

#include "outbound/pacing.hpp"

namespace toy {

using outbound::AgentState;
using outbound::CallResult;

/// A portable pseudo-random generator (splitmix64) with the samplers the world needs.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : x_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (x_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  double lognormal(double mean, double sd) {
    const double s2 = std::log(1.0 + sd * sd / (mean * mean));
    const double u1 = 1.0 - uniform(), u2 = uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return std::exp(std::log(mean) - s2 / 2.0 + std::sqrt(s2) * z);
  }

 private:
  std::uint64_t x_;
};

/// What the world is like.
struct Config {
  std::uint64_t seed = 1;
  int agents = 20;
  double live = 0.30, machine = 0.10, busy = 0.10, sit = 0.05;  ///< the rest is no answer
  double ring_mean_s = 8, ring_sd_s = 4, no_answer_s = 25;
  double talk_mean_s = 180, talk_sd_s = 120, wrap_mean_s = 15;
  double patience_s = 2;
  double amd_s = 2.5;
  double amd_false_positive = 0.0;  ///< share of live answers the detector takes for machines (UK: counted as silent calls)
  double cap = 0.03;
  double window_s = 1e9;
  outbound::DialMode mode = outbound::DialMode::predictive;
  outbound::OptimizationGoal goal = outbound::OptimizationGoal::overdial_rate;
  double target = 0.03;
  double ratio = 1.0;
};

/// The world: advance it, look at it, dial into it.
class World {
 public:
  explicit World(const Config& c) : c_(c), rng_(c.seed), agents_(static_cast<std::size_t>(c.agents)) {
    for (auto& a : agents_) a.since = 0.0;
  }

  double now() const { return now_; }
  const Config& config() const { return c_; }

  /// Places `n` calls now.
  void dial(int n) {
    for (int i = 0; i < n; ++i) place();
  }

  /// Runs every event up to now + seconds.
  void advance(double seconds) {
    const double until = now_ + seconds;
    while (!events_.empty() && events_.top().at <= until) {
      Event e = events_.top();
      events_.pop();
      now_ = e.at;
      handle(e);
      prune_window();
      check_window();
    }
    now_ = until;
    prune_window();
  }

  /// What a campaign would hand its pacer now.
  outbound::PacingSnapshot snapshot() const {
    outbound::PacingSnapshot s;
    s.mode = c_.mode;
    s.goal = c_.goal;
    s.target = c_.target;
    s.ratio = c_.ratio;
    s.agents_logged_in = c_.agents;
    s.abandon_after_s = c_.patience_s;
    for (const auto& a : agents_) {
      if (a.state == AgentState::ready) ++s.agents_ready;
      if (a.state == AgentState::busy) ++s.agents_busy, s.busy_elapsed_s.push_back(now_ - a.since);
      if (a.state == AgentState::wrap_up) ++s.agents_wrap, s.wrap_elapsed_s.push_back(now_ - a.since);
    }
    for (const auto& call : calls_) {
      if (call.phase == Phase::dialing) ++s.calls_dialing, s.dialing_elapsed_s.push_back(now_ - call.dialed);
      if (call.phase == Phase::waiting) ++s.calls_waiting;
      if (call.phase == Phase::connected) ++s.calls_connected;
    }
    s.records_available = 1000;
    s.stats = tracker_.stats(at(now_));
    s.abandon.cap_rate = c_.cap;
    s.abandon.live_in_window = static_cast<long>(window_.size());
    s.abandon.abandoned_in_window = window_abandoned_;
    s.abandon.machines_in_window = static_cast<long>(machines_.size());
    s.abandon.amd_false_positive = silent_share();
    for (const auto& w : window_)
      if (w.first + c_.window_s <= now_ + 60.0) ++s.abandon.live_expiring, s.abandon.abandoned_expiring += w.second;
    return s;
  }

  long dials = 0, live_answers = 0, connected = 0, abandoned = 0;
  /// Worst (abandoned - cap x live) over the window seen after any event, AMD estimate included.
  double worst_excess = -1e9;
  /// Events after which the window was over the cap.
  long violations = 0;

  /// Busy + wrap share of agent time so far.
  double occupancy() const {
    double work = work_s_, idle = idle_s_;
    for (const auto& a : agents_) (a.state == AgentState::ready ? idle : work) += now_ - a.since;
    return work + idle > 0 ? work / (work + idle) : 0.0;
  }

 private:
  enum class Phase { dialing, waiting, connected, done };
  enum class Kind { live_answer, machine, no_live, abandon_deadline, talk_end, wrap_end };
  struct Call {
    double dialed = 0;
    double answered = 0;
    Phase phase = Phase::dialing;
    int agent = -1;
  };
  struct Agent {
    AgentState state = AgentState::ready;
    double since = 0;
  };
  struct Event {
    double at;
    long seq;
    Kind kind;
    std::size_t id;  // call or agent
    CallResult result = CallResult::unknown;
    bool operator<(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  static outbound::Time at(double seconds) {
    return outbound::Time{} + outbound::from_seconds(1.0e9 + seconds);  // far from the epoch, like real time
  }
  void schedule(double t, Kind k, std::size_t id, CallResult r = CallResult::unknown) { events_.push({t, seq_++, k, id, r}); }

  void place() {
    ++dials;
    const std::size_t id = calls_.size();
    calls_.push_back({now_, 0, Phase::dialing, -1});
    tracker_.on_dial(at(now_));
    const double u = rng_.uniform();
    const double ring = std::max(0.5, rng_.lognormal(c_.ring_mean_s, c_.ring_sd_s));
    const bool answers = ring < c_.no_answer_s;
    if (u < c_.live) {
      if (answers) schedule(now_ + ring, Kind::live_answer, id);
      else schedule(now_ + c_.no_answer_s, Kind::no_live, id, CallResult::no_answer);
    } else if (u < c_.live + c_.machine) {
      if (answers) schedule(now_ + ring + c_.amd_s, Kind::machine, id);
      else schedule(now_ + c_.no_answer_s, Kind::no_live, id, CallResult::no_answer);
    } else if (u < c_.live + c_.machine + c_.busy) {
      schedule(now_ + 3.0, Kind::no_live, id, CallResult::busy);
    } else if (u < c_.live + c_.machine + c_.busy + c_.sit) {
      schedule(now_ + 2.0, Kind::no_live, id, CallResult::sit_invalid_num);
    } else {
      schedule(now_ + c_.no_answer_s, Kind::no_live, id, CallResult::no_answer);
    }
  }

  void set_agent(std::size_t i, AgentState s) {
    Agent& a = agents_[i];
    const double in = now_ - a.since;
    (a.state == AgentState::ready ? idle_s_ : work_s_) += in;
    tracker_.on_agent_state(at(now_), a.state, s, outbound::from_seconds(in));
    a.state = s;
    a.since = now_;
  }

  void connect(std::size_t call, std::size_t agent) {
    Call& c = calls_[call];
    c.phase = Phase::connected;
    c.agent = static_cast<int>(agent);
    ++connected;
    tracker_.on_connect(at(now_), outbound::from_seconds(now_ - c.answered));
    window_.push_back({now_, 0});
    set_agent(agent, AgentState::busy);
    schedule(now_ + std::max(1.0, rng_.lognormal(c_.talk_mean_s, c_.talk_sd_s)), Kind::talk_end, agent);
    talking_[agent] = call;
  }

  void handle(const Event& e) {
    switch (e.kind) {
      case Kind::live_answer: {
        Call& c = calls_[e.id];
        if (rng_.uniform() < c_.amd_false_positive) {  // the detector drops a person as a machine
          schedule(now_ + c_.amd_s, Kind::machine, e.id);
          return;
        }
        ++live_answers;
        c.answered = now_;
        tracker_.on_answer(at(now_), true, outbound::from_seconds(now_ - c.dialed));
        if (auto free = ready_agent()) {
          connect(e.id, *free);
        } else {
          c.phase = Phase::waiting;
          queue_.push_back(e.id);
          schedule(now_ + c_.patience_s, Kind::abandon_deadline, e.id);
        }
        break;
      }
      case Kind::machine: {
        Call& c = calls_[e.id];
        tracker_.on_answer(at(now_), false, outbound::from_seconds(now_ - c.dialed));
        tracker_.on_release(at(now_), CallResult::answering_machine, outbound::from_seconds(now_ - c.dialed), true);
        machines_.push_back(now_);
        c.phase = Phase::done;
        break;
      }
      case Kind::no_live: {
        Call& c = calls_[e.id];
        tracker_.on_release(at(now_), e.result, outbound::from_seconds(now_ - c.dialed), false);
        c.phase = Phase::done;
        break;
      }
      case Kind::abandon_deadline: {
        Call& c = calls_[e.id];
        if (c.phase != Phase::waiting) break;
        c.phase = Phase::done;
        queue_.erase(std::remove(queue_.begin(), queue_.end(), e.id), queue_.end());
        ++abandoned;
        tracker_.on_abandon(at(now_));
        tracker_.on_release(at(now_), CallResult::abandoned, outbound::from_seconds(now_ - c.dialed), true);
        window_.push_back({now_, 1});
        ++window_abandoned_;
        break;
      }
      case Kind::talk_end: {
        const std::size_t call = talking_[e.id];
        calls_[call].phase = Phase::done;
        tracker_.on_release(at(now_), CallResult::answer, outbound::from_seconds(now_ - calls_[call].dialed), true);
        set_agent(e.id, AgentState::wrap_up);
        schedule(now_ + rng_.exponential(c_.wrap_mean_s), Kind::wrap_end, e.id);
        break;
      }
      case Kind::wrap_end: {
        set_agent(e.id, AgentState::ready);
        while (!queue_.empty() && agents_[e.id].state == AgentState::ready) {
          const std::size_t call = queue_.front();
          queue_.pop_front();
          connect(call, e.id);
        }
        break;
      }
    }
  }

  std::optional<std::size_t> ready_agent() const {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < agents_.size(); ++i)
      if (agents_[i].state == AgentState::ready && (!best || agents_[i].since < agents_[*best].since)) best = i;
    return best;
  }

  void prune_window() {
    while (!window_.empty() && window_.front().first + c_.window_s <= now_) {
      window_abandoned_ -= window_.front().second;
      window_.pop_front();
    }
    while (!machines_.empty() && machines_.front() + c_.window_s <= now_) machines_.pop_front();
  }

  // The estimate the UK rule asks for: the share of machine detections that were people.
  double silent_share() const {
    const double wrong = c_.live * c_.amd_false_positive;
    return wrong > 0 ? wrong / (wrong + c_.machine) : 0.0;
  }

  void check_window() {
    const double silent = silent_share() * static_cast<double>(machines_.size());
    const double live = static_cast<double>(window_.size()) + silent;
    const double excess = static_cast<double>(window_abandoned_) + silent - c_.cap * live;
    // A sliding window or the UK estimate is judged once the window holds 100
    // live answers: before that a single machine detection, or good answers
    // leaving faster than new ones come, tip a handful of calls over the cap.
    if ((silent > 0 || c_.window_s < 1e8) && window_.size() < 100) return;
    worst_excess = std::max(worst_excess, excess);
    if (excess > 1e-9) ++violations;
  }

  Config c_;
  Rng rng_;
  double now_ = 0;
  long seq_ = 0;
  std::vector<Agent> agents_;
  std::vector<Call> calls_;
  std::priority_queue<Event> events_;
  std::deque<std::size_t> queue_;
  std::map<std::size_t, std::size_t> talking_;
  std::deque<std::pair<double, long>> window_;  // live answers resolved: (time, abandoned?)
  long window_abandoned_ = 0;
  std::deque<double> machines_;
  double work_s_ = 0, idle_s_ = 0;
  outbound::PacingTracker tracker_;
};

/// Runs `world` for `seconds`, asking `decide` every second how many to dial.
inline void run(World& world, double seconds, const std::function<int(const outbound::PacingSnapshot&)>& decide) {
  for (double t = 0; t < seconds; t += 1.0) {
    world.dial(std::max(0, decide(world.snapshot())));
    world.advance(1.0);
  }
}

}  // namespace toy
