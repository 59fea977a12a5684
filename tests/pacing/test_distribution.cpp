// Learned duration distributions: survival tables with an exponential tail.
#include <doctest/doctest.h>

#include <cmath>

#include "outbound/error.hpp"
#include "outbound/pacing.hpp"

using namespace outbound;

TEST_CASE("an empty distribution knows nothing: survival 1, mean 0") {
  DurationDistribution d;
  CHECK(d.empty());
  CHECK(d.survival(10) == 1.0);
  CHECK(d.mean() == 0.0);
  CHECK(d.samples() == 0.0);
}

TEST_CASE("the empirical distribution of samples") {
  auto d = DurationDistribution::from_samples({2, 4, 6, 8});
  CHECK(d.samples() == 4);
  CHECK(d.survival(0) == doctest::Approx(1.0));
  CHECK(d.survival(5) == doctest::Approx(0.5));    // 6 and 8 last longer
  CHECK(d.survival(9.5) < 0.05);
  CHECK(d.mean() == doctest::Approx(5.5).epsilon(0.15));
  CHECK(d.quantile(0.5) == doctest::Approx(5.0).epsilon(0.25));
}

TEST_CASE("a lognormal from Boost.Math has the mean it was given") {
  auto d = DurationDistribution::lognormal(180, 120);
  CHECK(d.mean() == doctest::Approx(180).epsilon(0.03));
  for (double x = 0; x < 2000; x += 37) CHECK(d.survival(x) >= d.survival(x + 10));
}

TEST_CASE("an exponential is memoryless, also in the fitted tail") {
  auto d = DurationDistribution::exponential(15);
  for (double e : {0.0, 10.0, 40.0, 100.0, 400.0})
    CHECK(d.conditional_survival(e, 10) == doctest::Approx(std::exp(-10.0 / 15.0)).epsilon(0.08));
}

TEST_CASE("conditional survival stays a probability far past every sample") {
  auto d = DurationDistribution::from_samples({100, 120, 130, 200, 250});
  for (double e : {0.0, 240.0, 1000.0, 1e5}) {
    double c = d.conditional_survival(e, 20);
    CHECK(c >= 0.0);
    CHECK(c <= 1.0);
    CHECK_FALSE(std::isnan(c));
  }
  CHECK(d.conditional_survival(150, 0) == 1.0);
}

TEST_CASE("a constant duration ends at its value") {
  auto d = DurationDistribution::constant(3);
  CHECK(d.survival(2) == doctest::Approx(1.0));
  CHECK(d.survival(4.5) < 1e-6);
}

TEST_CASE("a bad survival table is refused") {
  CHECK_THROWS_AS(DurationDistribution::from_survival({}, 1.0, 1), Error);
  CHECK_THROWS_AS(DurationDistribution::from_survival({1, 0.5}, 0.0, 1), Error);
  auto d = DurationDistribution::from_survival({1, 1.5, 0.2, 0.4, 0.0}, 1.0, 3);  // clamped to non-increasing
  CHECK(d.survival(1) == doctest::Approx(1.0));
  CHECK(d.survival(3) <= d.survival(2));
}
