// The dialer a config file describes, running: the engine and its campaigns
// on one thread (a wall clock, or a simulated clock stepped toward start +
// speed x wall time), what the status page and /metrics need from each
// campaign (results by code, last errors, a minute-by-minute last hour,
// today's abandons), list progress counted on a thread of its own, and the
// fan-out of campaign events to event streams. Everything that touches the
// engine runs on its thread: other threads post() work to it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config.hpp"
#include "outbound/engine.hpp"
#include "outbound/list_progress.hpp"

namespace outbound::serve {

/// Campaign events fanned out to event streams (thread-safe).
class EventHub {
 public:
  /// Receives each event (its campaign, kind and JSON) on the publishing thread; must return quickly.
  using Sink = std::function<void(const std::string& campaign, const std::string& kind, const std::string& message)>;
  /// Adds a sink; returns its id.
  int subscribe(Sink sink);
  /// Removes a sink.
  void unsubscribe(int id);
  /// True when anyone listens (events are not serialised otherwise).
  bool active() const { return count_.load() > 0; }
  /// Sends an event to every sink.
  void publish(const std::string& campaign, const std::string& kind, const std::string& message);

 private:
  mutable std::mutex mutex_;
  std::map<int, Sink> sinks_;
  int next_ = 1;
  std::atomic<int> count_{0};
};

/// One simulated (or wall) minute of a campaign, for the last-hour chart.
struct MinutePoint {
  Time at{};                 ///< end of the minute
  long dials = 0, live = 0, abandoned = 0;  ///< in the minute
  double window_rate = 0;    ///< abandon rate over the cap window at its end
  double occupancy = 0;      ///< busy factor during the minute
  int agents = 0;            ///< agents logged in
  int in_flight = 0;         ///< calls in flight at its end
};

/// An error a campaign reported.
struct ErrorNote {
  Time at{};
  std::string kind, message;
};

/// A campaign as the dialer runs it. Engine thread only.
struct CampaignRuntime {
  std::string name;
  const CampaignSettings* settings = nullptr;
  Campaign* campaign = nullptr;
  std::vector<std::shared_ptr<CallingList>> lists;  ///< the campaign's own list handles
  std::vector<std::string> list_names;              ///< their names in the config
  std::shared_ptr<DncList> dnc;                     ///< null without a DNC table
  std::string dnc_name;
  std::shared_ptr<CallLog> call_log;
  bool agents_from_api = false;                     ///< the driver reports no agents of its own (or preview modes)
  std::string driver_name;
  std::map<CallResult, long> results;               ///< calls finished, by result
  std::deque<ErrorNote> errors;                     ///< the last errors, newest last
  std::deque<MinutePoint> minutes;                  ///< the last hour
  CampaignStats last_sample{};
  double last_work_s = 0, last_avail_s = 0;
  Time day_start{};                                 ///< the site's midnight that began today
  long today_live_base = 0, today_abandoned_base = 0;  ///< totals at day_start (negative: calls before the start, from the log)
};

/// The dialer of a config file.
class Dialer {
 public:
  /// Opens every database, list and DNC table, creates sample lists, builds
  /// the engine and its campaigns (not yet loaded). Errors name the config path.
  explicit Dialer(ServeConfig config);
  ~Dialer();
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;

  /// Starts the engine thread, then loads and starts the autostart campaigns;
  /// returns once they are (a server started after it answers at full speed).
  void start();
  /// Stops dialing, lets calls in flight finish (at most `grace` of wall
  /// time on a wall clock), unloads, and joins the engine thread.
  void shutdown(std::chrono::milliseconds grace);

  /// Runs `fn` on the engine thread soon; any thread.
  void post(std::function<void()> fn);

  /// The config. Any thread.
  const ServeConfig& config() const { return config_; }
  /// The engine. Engine thread only.
  Engine& engine() { return *engine_; }
  /// Campaign runtimes by name. Engine thread only (the map itself never changes).
  std::map<std::string, CampaignRuntime>& campaigns() { return campaigns_; }
  /// The runtime of `name`; throws Error(not_found). Engine thread only.
  CampaignRuntime& campaign(const std::string& name);
  /// A DNC list by config name; throws Error(not_found). Engine thread only.
  std::shared_ptr<DncList> dnc(const std::string& name);
  /// Campaign events for event streams. Any thread.
  EventHub& events() { return events_; }
  /// The last progress counted for each list of `campaign` (name, progress, when). Any thread.
  std::vector<std::pair<std::string, ListProgress>> progress(const std::string& campaign, Time* as_of = nullptr) const;
  /// The clock's time. Any thread.
  Time now() const { return clock_->now(); }
  /// True once clock.run_h has passed and the report is written.
  bool run_finished() const { return run_finished_.load(); }
  /// The JSON report of every campaign (the same for the same seed). Engine thread only.
  std::string report_json();
  /// Where the report goes when the run ends ("": nowhere).
  void set_report_path(std::string path) { report_path_ = std::move(path); }

 private:
  void build_campaign(const std::string& name, const CampaignSettings& s);
  std::shared_ptr<Driver> make_driver(const std::string& campaign, const CampaignSettings& s);
  std::shared_ptr<Driver> make_sip_driver(const std::string& name, const SipDriverConfig& d);
  void watch_events(CampaignRuntime& rt);
  void schedule_minute();
  void sample_minute(CampaignRuntime& rt, Time now);
  void schedule_midnight();
  void seed_today(CampaignRuntime& rt);
  void autostart(CampaignRuntime& rt);
  void run_engine();
  void finish_run();
  void progress_thread();
  void drain(std::chrono::milliseconds grace);

  ServeConfig config_;
  std::shared_ptr<Clock> clock_;
  ManualClock* manual_ = nullptr;
  std::vector<std::unique_ptr<sim::Network>> networks_;  // outlive the engine's drivers
  std::unique_ptr<Engine> engine_;
  std::map<std::string, std::shared_ptr<DncList>> dnc_;
  std::map<std::string, CampaignRuntime> campaigns_;
  ZoneMap site_;
  EventHub events_;
  std::string report_path_;
  std::atomic<bool> run_finished_{false};

  std::thread engine_thread_;
  std::atomic<bool> running_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  bool woken_ = false;

  std::promise<void> started_;

  std::thread progress_thread_;
  mutable std::mutex progress_mutex_;
  std::condition_variable progress_cv_;
  std::map<std::string, std::vector<std::pair<std::string, ListProgress>>> progress_;
  Time progress_at_{};
};

}  // namespace outbound::serve
