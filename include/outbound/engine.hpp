// outbound — the engine: one clock, one loop, the campaign groups on it, and
// the ways a host drives the loop (poll, run, or a thread the engine owns).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "outbound/campaign.hpp"
#include "outbound/clock.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/export.hpp"

namespace outbound {

/// Severity of a log line.
enum class LogLevel : int { debug = 0, info = 1, warning = 2, error = 3 };

/// Receives log lines (on the loop thread).
using LogHandler = std::function<void(LogLevel level, const std::string& message)>;

/// The engine: campaign groups on one event loop and clock.
class OB_API Engine {
 public:
  /// An engine on `clock` (a SystemClock when null).
  explicit Engine(std::shared_ptr<Clock> clock = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// The loop everything runs on.
  EventLoop& loop() { return *loop_; }
  /// The clock.
  Clock& clock() { return *clock_; }
  /// The clock, shared.
  std::shared_ptr<Clock> clock_ptr() const { return clock_; }

  /// Adds a campaign group; the name must be unique. The engine owns it.
  Campaign& add_campaign(CampaignConfig config, std::shared_ptr<Driver> driver, std::shared_ptr<DncList> dnc = nullptr,
                         CallingWindows windows = {});
  /// The campaign named `name`; throws Error(not_found).
  Campaign& campaign(const std::string& name);
  /// Unloads (forcefully) and removes a campaign.
  void remove_campaign(const std::string& name);
  /// Names of the campaign groups.
  std::vector<std::string> campaign_names() const;

  /// Sends every campaign's events, as log lines, to `handler`.
  void set_log_handler(LogHandler handler);

  /// Runs what is due now; never blocks (hosts with their own loop).
  std::size_t poll() { return loop_->poll(); }
  /// Runs until `deadline` (a manual clock jumps ahead).
  void run_until(Time deadline) { loop_->run_until(deadline); }
  /// Runs the loop on a thread the engine owns, until stop_thread().
  void start_thread();
  /// Stops and joins the engine's thread.
  void stop_thread();

 private:
  void log(LogLevel level, const std::string& message);
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<EventLoop> loop_;
  std::map<std::string, std::unique_ptr<Campaign>> campaigns_;
  LogHandler log_;
  std::thread thread_;
  std::atomic<bool> thread_running_{false};
};

}  // namespace outbound
