#include <doctest/doctest.h>

#include <thread>

#include "outbound/event_loop.hpp"

using namespace outbound;
using namespace std::chrono_literals;

TEST_CASE("timers run in time order and a manual clock jumps to each") {
  auto clock = std::make_shared<ManualClock>(Time{} + 1000s);
  EventLoop loop(clock);
  std::vector<std::pair<int, Time>> ran;
  loop.schedule_after(30s, [&] { ran.push_back({3, loop.now()}); });
  loop.schedule_after(10s, [&] { ran.push_back({1, loop.now()}); });
  loop.schedule_after(20s, [&] { ran.push_back({2, loop.now()}); });
  loop.run_until(Time{} + 2000s);
  REQUIRE(ran.size() == 3);
  CHECK(ran[0] == std::pair{1, Time{} + 1010s});
  CHECK(ran[1] == std::pair{2, Time{} + 1020s});
  CHECK(ran[2] == std::pair{3, Time{} + 1030s});
  CHECK(clock->now() == Time{} + 2000s);  // then the clock stands at the deadline
}

TEST_CASE("timers at the same instant run in the order they were scheduled") {
  auto clock = std::make_shared<ManualClock>();
  EventLoop loop(clock);
  std::string order;
  for (char c : std::string("abcde")) loop.schedule_after(5s, [&, c] { order += c; });
  loop.run_until(Time{} + 10s);
  CHECK(order == "abcde");
}

TEST_CASE("a cancelled timer never runs and cancel reports whether it was pending") {
  auto clock = std::make_shared<ManualClock>();
  EventLoop loop(clock);
  bool ran = false;
  TimerId id = loop.schedule_after(1s, [&] { ran = true; });
  CHECK(loop.cancel(id));
  CHECK_FALSE(loop.cancel(id));
  loop.run_until(Time{} + 5s);
  CHECK_FALSE(ran);
  CHECK(loop.pending_timers() == 0);
}

TEST_CASE("work posted from another thread runs on the loop thread") {
  auto clock = std::make_shared<SystemClock>();
  EventLoop loop(clock);
  std::thread::id ran_on;
  bool in_loop = false;
  std::thread t([&] { loop.post([&] { ran_on = std::this_thread::get_id(); in_loop = loop.in_loop_thread(); loop.stop(); }); });
  loop.run_until(clock->now() + 5s);
  t.join();
  CHECK(ran_on == std::this_thread::get_id());
  CHECK(in_loop);
}

TEST_CASE("run_until with a predicate stops as soon as it holds") {
  auto clock = std::make_shared<ManualClock>();
  EventLoop loop(clock);
  int n = 0;
  for (int i = 1; i <= 10; ++i) loop.schedule_after(std::chrono::seconds(i), [&] { ++n; });
  loop.run_until(Time{} + 100s, [&] { return n == 4; });
  CHECK(n == 4);
  CHECK(clock->now() == Time{} + 4s);
}

TEST_CASE("a manual clock never runs backwards") {
  ManualClock c(Time{} + 50s);
  c.advance_to(Time{} + 10s);
  CHECK(c.now() == Time{} + 50s);
  c.advance(5s);
  CHECK(c.now() == Time{} + 55s);
}

TEST_CASE("poll runs only what is due") {
  auto clock = std::make_shared<ManualClock>();
  EventLoop loop(clock);
  int a = 0, b = 0;
  loop.schedule_after(0s, [&] { ++a; });
  loop.schedule_after(1s, [&] { ++b; });
  CHECK(loop.poll() == 1);
  CHECK(a == 1);
  CHECK(b == 0);
  clock->advance(1s);
  loop.poll();
  CHECK(b == 1);
}
