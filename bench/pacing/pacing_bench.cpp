// pacing_bench: how long one pacing decision takes (the campaign asks on
// every event and every tick, at most every 250 ms), for teams of several
// sizes, from learned statistics like a campaign's after an hour: the
// predictive and progressive pacers, and the abandon guard alone, as it runs
// (automatic) and with the exact computation it replaces above 200 calls.
// Each figure is the median of 3 runs of at least 0.3 s. Run by hand:
//   build/bench/pacing/pacing_bench
#include <algorithm>
#include <array>
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
  st.recent_dials = {5000, 1500, 3500, 0};  // the last 10 minutes' calls, all back
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
    for (int i = 0; i < 10; ++i) sink += fn();
    calls += 10;
    elapsed = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < 300000.0);
  if (sink == -1) std::puts("");  // keep the calls
  return elapsed / calls;
}

template <typename Fn>
double median_micros(Fn&& fn) {
  std::array<double, 3> runs{};
  for (double& r : runs) r = micros_per_call(fn);
  std::sort(runs.begin(), runs.end());
  return runs[1];
}

}  // namespace

int main() {
  std::printf("%8s %8s %14s %14s %14s %14s %14s %8s\n", "agents", "dialing", "predictive us", "decisions/s",
              "progressive us", "guard us", "exact guard us", "dials");
  for (int agents : {5, 15, 50, 200, 500, 1000, 5000, 20000}) {
    PacingSnapshot s = team(agents);
    PacingSnapshot p = s;
    p.mode = DialMode::progressive;
    auto predictive = make_pacer(DialMode::predictive);
    auto progressive = make_pacer(DialMode::progressive);
    const double decide = median_micros([&] { return predictive->dials_now(s); });
    const double prog = median_micros([&] { return progressive->dials_now(p); });
    const double guard = median_micros([&] { return abandon_guard(s).max_dials; });
    const double exact = median_micros([&] { return abandon_guard(s, GuardMethod::exact).max_dials; });
    std::printf("%8d %8d %14.1f %14.0f %14.1f %14.1f %14.1f %8d\n", agents, s.calls_dialing, decide, 1e6 / decide, prog,
                guard, exact, predictive->dials_now(s));
  }
}
