// pacing_bench: how long one pacing decision takes (the campaign asks on
// every event and every tick), for teams of several sizes, from learned
// statistics like a campaign's after an hour. Run by hand:
//   build/bench/pacing/pacing_bench
#include <chrono>
#include <cstdio>
#include <vector>

#include "outbound/pacing.hpp"

using namespace outbound;

namespace {

PacingStats learned() {
  PacingStats st;
  st.live_answers = 1500;
  st.connected = 1450;
  st.live_answer_rate = 0.3;
  st.live_answer_samples = 500;
  st.answer_delay = DurationDistribution::lognormal(8, 4, 500);
  std::vector<double> other;
  for (int i = 0; i < 100; ++i) other.insert(other.end(), {3, 2, 10.5, 25, 25, 25, 25, 25});
  st.other_delay = DurationDistribution::from_samples(other);
  st.talk = DurationDistribution::lognormal(180, 120, 500);
  st.wrap = DurationDistribution::exponential(15, 500);
  st.recent_abandon_rate = 0.025;
  st.recent_live_weight = 1000;
  return st;
}

PacingSnapshot team(int agents) {
  PacingSnapshot s;
  s.mode = DialMode::predictive;
  s.goal = OptimizationGoal::overdial_rate;
  s.target = 0.03;
  s.agents_ready = agents / 20 + 1;
  s.agents_wrap = agents / 15;
  s.agents_busy = agents - s.agents_ready - s.agents_wrap;
  for (int i = 0; i < s.agents_busy; ++i) s.busy_elapsed_s.push_back(7.0 * i);
  for (int i = 0; i < s.agents_wrap; ++i) s.wrap_elapsed_s.push_back(1.0 + i);
  s.calls_dialing = agents / 4;
  for (int i = 0; i < s.calls_dialing; ++i) s.dialing_elapsed_s.push_back(i % 25);
  s.calls_connected = s.agents_busy;
  s.stats = learned();
  s.abandon.live_in_window = 10000;
  s.abandon.abandoned_in_window = 250;
  return s;
}

template <typename Fn>
double micros_per_call(Fn&& fn) {
  int calls = 0, sink = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 100; ++i) sink += fn();
    calls += 100;
    elapsed = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < 300000.0);
  if (sink == -1) std::puts("");  // keep the calls
  return elapsed / calls;
}

}  // namespace

int main() {
  std::printf("%8s %14s %14s %14s\n", "agents", "decision us", "guard us", "dials");
  for (int agents : {5, 15, 50, 200, 500}) {
    PacingSnapshot s = team(agents);
    auto pacer = make_pacer(DialMode::predictive);
    double decide = micros_per_call([&] { return pacer->dials_now(s); });
    double guard = micros_per_call([&] { return abandon_guard(s).max_dials; });
    std::printf("%8d %14.1f %14.1f %14d\n", agents, decide, guard, pacer->dials_now(s));
  }
}
