// Hand-made snapshots for pacing tests, with statistics as a campaign that
// has been running a while on the simulator's default network would have.
#pragma once

#include <vector>

#include "outbound/pacing.hpp"

namespace fixtures {

/// Statistics learned on a network with `live` share of live answers, answer
/// delays around 8 s, talk around 180 s and wrap-up around 15 s.
inline outbound::PacingStats learned(double live = 0.30) {
  using outbound::DurationDistribution;
  outbound::PacingStats st;
  st.now_s = 1.0e9;
  st.dials = st.resolved = 5000;
  st.live_answers = static_cast<long>(5000 * live);
  st.connected = st.live_answers;
  st.live_answer_rate = live;
  st.live_answer_samples = 500;
  st.answer_delay = DurationDistribution::lognormal(8, 4, 500);
  // Not live: busy (3 s), SIT (2 s), machines (about 10 s), no answer (25 s).
  std::vector<double> other;
  for (int i = 0; i < 100; ++i) {
    other.push_back(3);
    other.push_back(2);
    other.push_back(10.5 + (i % 7) - 3);
    for (int k = 0; k < 5; ++k) other.push_back(25);
  }
  st.other_delay = DurationDistribution::from_samples(other);
  st.talk = DurationDistribution::lognormal(180, 120, 500);
  st.wrap = DurationDistribution::exponential(15, 500);
  st.mean_talk_s = st.talk.mean();
  st.mean_wrap_s = st.wrap.mean();
  st.mean_handle_s = st.mean_talk_s + st.mean_wrap_s;
  st.recent_abandon_rate = 0.025;  // a little under the usual 3 % target
  st.recent_live_weight = 1000;
  st.recent_occupancy = 0.9;
  st.recent_dials = {5000, st.live_answers, 5000 - st.live_answers, 0};  // every call of the last 10 minutes back
  return st;
}

/// A predictive snapshot: `ready` agents free, `busy` talking for `talked_s`
/// each, `wrap` in wrap-up for `wrapped_s`, `dialing` calls `age_s` old.
inline outbound::PacingSnapshot team(int ready, int busy, int wrap, int dialing, double talked_s = 120,
                                     double wrapped_s = 5, double age_s = 4) {
  outbound::PacingSnapshot s;
  s.mode = outbound::DialMode::predictive;
  s.goal = outbound::OptimizationGoal::overdial_rate;
  s.target = 0.03;
  s.agents_ready = ready;
  s.agents_busy = busy;
  s.agents_wrap = wrap;
  s.agents_logged_in = ready + busy + wrap;
  s.busy_elapsed_s.assign(static_cast<std::size_t>(busy), talked_s);
  s.wrap_elapsed_s.assign(static_cast<std::size_t>(wrap), wrapped_s);
  s.calls_dialing = dialing;
  s.dialing_elapsed_s.assign(static_cast<std::size_t>(dialing), age_s);
  s.calls_connected = busy;
  s.records_available = 1000;
  s.stats = learned();
  s.abandon.cap_rate = 0.03;
  s.abandon.live_in_window = 20000;  // plenty of room under the cap
  s.abandon.abandoned_in_window = 300;
  return s;
}

}  // namespace fixtures
