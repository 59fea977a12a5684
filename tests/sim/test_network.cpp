// The simulated network model: the shares of many draws match the model
// (within binomial tolerance), distributions have their means, runs repeat for
// a seed, and validate() rejects bad models.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <memory>

#include "outbound/error.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/sim.hpp"

using namespace outbound;
using sim::CallFate;

namespace {

constexpr int kDraws = 200000;

// |observed share - p| within 5 standard errors of a binomial proportion: a
// correct model fails this about once in 1.7 million runs, a wrong share by
// a point or more fails it every time at this many draws.
bool near_share(long hits, long n, double p) {
  const double observed = static_cast<double>(hits) / static_cast<double>(n);
  const double se = std::sqrt(std::max(p * (1 - p), 1e-12) / static_cast<double>(n));
  return std::fabs(observed - p) <= 5 * se + 1e-12;
}

sim::NetworkModel all_kinds() {
  sim::NetworkModel m;
  m.live_answer = 0.25;
  m.busy = 0.10;
  m.no_answer = 0.35;
  m.machine = 0.12;
  m.sit = 0.08;
  m.fax = 0.06;
  m.silence = 0.04;
  m.amd_false_positive = 0.05;
  return m;
}

struct World {
  EventLoop loop{std::make_shared<ManualClock>()};
  sim::Network net;
  World(const sim::NetworkModel& m, std::uint64_t seed) : net(loop, m, seed) {}
};

}  // namespace

TEST_CASE("the shares of many draws match the model, SIT kinds included") {
  const auto m = all_kinds();
  World w(m, 2024);
  std::map<CallFate::Kind, long> kinds;
  std::map<CallResult, long> sits;
  long false_positives = 0;
  double ring_sum = 0;
  for (int i = 0; i < kDraws; ++i) {
    auto f = w.net.draw();
    ++kinds[f.kind];
    if (f.kind == CallFate::Kind::sit) ++sits[f.sit_result];
    if (f.amd_false_positive) {
      CHECK(f.kind == CallFate::Kind::live);
      ++false_positives;
    }
    ring_sum += f.ring_s;
  }
  CHECK(near_share(kinds[CallFate::Kind::live], kDraws, m.live_answer));
  CHECK(near_share(kinds[CallFate::Kind::busy], kDraws, m.busy));
  CHECK(near_share(kinds[CallFate::Kind::no_answer], kDraws, m.no_answer));
  CHECK(near_share(kinds[CallFate::Kind::machine], kDraws, m.machine));
  CHECK(near_share(kinds[CallFate::Kind::sit], kDraws, m.sit));
  CHECK(near_share(kinds[CallFate::Kind::fax], kDraws, m.fax));
  CHECK(near_share(kinds[CallFate::Kind::silence], kDraws, m.silence));
  CHECK(near_share(false_positives, kinds[CallFate::Kind::live], m.amd_false_positive));

  const long n_sit = kinds[CallFate::Kind::sit];
  const auto& k = m.sit_kinds;
  const double total = k.invalid_number + k.vacant + k.operator_intercept + k.unknown + k.no_circuit + k.reorder;
  CHECK(near_share(sits[CallResult::sit_invalid_num], n_sit, k.invalid_number / total));
  CHECK(near_share(sits[CallResult::sit_vacant], n_sit, k.vacant / total));
  CHECK(near_share(sits[CallResult::sit_oper_intercept], n_sit, k.operator_intercept / total));
  CHECK(near_share(sits[CallResult::sit_unknown], n_sit, k.unknown / total));
  CHECK(near_share(sits[CallResult::sit_no_circuit], n_sit, k.no_circuit / total));
  CHECK(near_share(sits[CallResult::sit_reorder], n_sit, k.reorder / total));
  long sit_total = 0;
  for (const auto& [r, n] : sits) sit_total += n;
  CHECK(sit_total == n_sit);  // every SIT is one of 11–16

  // The ring time's mean is the model's (lognormal 8 s, sd 4 s).
  CHECK(std::fabs(ring_sum / kDraws - m.ring.mean) <= 6 * m.ring.sd / std::sqrt(double(kDraws)));
}

TEST_CASE("a share of 0 is never drawn and a share of 1 always is") {
  sim::NetworkModel m;
  m.live_answer = m.busy = m.no_answer = m.machine = m.fax = m.silence = 0.0;
  m.sit = 1.0;
  m.sit_kinds = {0, 0, 0, 0, 1.0, 0};
  World w(m, 5);
  for (int i = 0; i < 10000; ++i) {
    auto f = w.net.draw();
    REQUIRE(f.kind == CallFate::Kind::sit);
    REQUIRE(f.sit_result == CallResult::sit_no_circuit);
  }
}

TEST_CASE("distributions have the mean (and spread) they are given and are never negative") {
  struct Case {
    sim::Distribution d;
    double sd;  // the distribution's true standard deviation
  };
  const Case cases[] = {
      {sim::make_distribution("constant", 7.0), 0.0},
      {sim::make_distribution("exponential", 15.0), 15.0},
      {sim::make_distribution("lognormal", 180.0, 120.0), 120.0},
      {sim::make_distribution("uniform", 10.0, 4.0), 4.0 / std::sqrt(3.0)},
  };
  sim::Rng rng(99);
  for (const auto& c : cases) {
    double sum = 0, sum2 = 0;
    for (int i = 0; i < kDraws; ++i) {
      double x = rng.sample(c.d);
      REQUIRE(x >= 0.0);
      sum += x;
      sum2 += x * x;
    }
    const double mean = sum / kDraws;
    const double sd = std::sqrt(std::max(0.0, sum2 / kDraws - mean * mean));
    INFO("distribution kind ", static_cast<int>(c.d.kind));
    CHECK(std::fabs(mean - c.d.mean) <= 6 * c.sd / std::sqrt(double(kDraws)) + 1e-9);
    CHECK(std::fabs(sd - c.sd) <= 0.05 * c.sd + 1e-9);
  }
}

TEST_CASE("the same seed gives the same draws; another seed does not") {
  const auto m = all_kinds();
  World a(m, 77), b(m, 77), c(m, 78);
  int differ = 0;
  for (int i = 0; i < 5000; ++i) {
    auto fa = a.net.draw(), fb = b.net.draw(), fc = c.net.draw();
    REQUIRE(fa.kind == fb.kind);
    REQUIRE(fa.ring_s == fb.ring_s);
    REQUIRE(fa.sit_result == fb.sit_result);
    REQUIRE(fa.amd_false_positive == fb.amd_false_positive);
    differ += fa.kind != fc.kind || fa.ring_s != fc.ring_s;
  }
  CHECK(differ > 4000);
  sim::Rng r1(1), r2(1);
  for (int i = 0; i < 1000; ++i) REQUIRE(r1.next() == r2.next());
}

TEST_CASE("a model with no fax or silence draws exactly as before those shares existed") {
  // The fax and silence shares sit after the others, so models that leave them
  // at 0 (every model written before) give the same fates for a seed.
  sim::NetworkModel m;  // defaults: fax = silence = 0
  World w(m, 7);
  sim::Rng ref(7);
  for (int i = 0; i < 2000; ++i) {
    auto f = w.net.draw();
    double u = ref.uniform();
    CallFate::Kind want = u < 0.30   ? CallFate::Kind::live
                          : u < 0.40 ? CallFate::Kind::busy
                          : u < 0.85 ? CallFate::Kind::no_answer
                          : u < 0.95 ? CallFate::Kind::machine
                                     : CallFate::Kind::sit;
    REQUIRE(f.kind == want);
    REQUIRE(f.ring_s == ref.sample(m.ring));
    if (f.kind == CallFate::Kind::live) ref.uniform();  // the false-positive draw
  }
}

TEST_CASE("validate rejects bad models, and so do Network and set_model") {
  auto rejects = [](auto change) {
    sim::NetworkModel m;
    change(m);
    bool threw = false;
    try {
      sim::validate(m);
    } catch (const Error& e) {
      threw = e.code() == ErrorCode::invalid_argument && std::string(e.what()).size() > 10;
    }
    return threw;
  };
  CHECK_NOTHROW(sim::validate(sim::NetworkModel{}));
  CHECK_NOTHROW(sim::validate(all_kinds()));
  CHECK(rejects([](auto& m) { m.live_answer = 0.5; }));                    // sums to 1.2
  CHECK(rejects([](auto& m) { m.no_answer = 0.35; }));                     // sums to 0.9
  CHECK(rejects([](auto& m) { m.busy = -0.1, m.no_answer = 0.65; }));      // negative
  CHECK(rejects([](auto& m) { m.live_answer = 1.3, m.no_answer = -0.55; }));
  CHECK(rejects([](auto& m) { m.fax = 0.05; }));                           // the new shares count too
  CHECK(rejects([](auto& m) { m.silence = std::nan(""); }));
  CHECK(rejects([](auto& m) { m.sit_kinds = {0, 0, 0, 0, 0, 0}; }));
  CHECK(rejects([](auto& m) { m.sit_kinds.vacant = -1; }));
  CHECK(rejects([](auto& m) { m.no_answer_timeout_s = 0; }));
  CHECK(rejects([](auto& m) { m.busy_signal_s = -1; }));
  CHECK(rejects([](auto& m) { m.sit_s = 0; }));
  CHECK(rejects([](auto& m) { m.patience_s = -1; }));
  CHECK(rejects([](auto& m) { m.amd_false_positive = 1.5; }));
  CHECK(rejects([](auto& m) { m.machine_talk_s = -1; }));

  EventLoop loop(std::make_shared<ManualClock>());
  sim::NetworkModel bad;
  bad.busy = 0.5;
  CHECK_THROWS_AS(sim::Network(loop, bad, 1), Error);
  sim::Network net(loop, sim::NetworkModel{}, 1);
  CHECK_THROWS_AS(net.set_model(bad), Error);
  CHECK(net.model().busy == doctest::Approx(0.10));  // the old model stays

  CHECK_THROWS_AS(sim::make_distribution("gaussian", 1.0), Error);
  CHECK_THROWS_AS(sim::make_distribution("exponential", -1.0), Error);
  CHECK_THROWS_AS(sim::make_distribution("lognormal", 0.0, 1.0), Error);
  CHECK_THROWS_AS(sim::make_distribution("uniform", 1.0, 2.0), Error);
}
