// The running dialer (dialer.hpp): built from the config, driven on its own
// thread, watched minute by minute.
//
// A simulated clock is a ManualClock stepped toward start + speed x wall
// time: the loop runs every timer at its own instant whatever the step, so
// with one seed a campaign's figures do not depend on wall-time jitter or on
// how many requests the API serves (requests only read, or act at the
// instant they are handled).
#include "dialer.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <sys/resource.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "outbound/error.hpp"
#include "outbound/driver/sim.hpp"
#ifdef OB_WITH_SIP
#include "outbound/driver/sip.hpp"
#endif
#include "outbound/sim.hpp"
#include "sample_list.hpp"
#include "time_text.hpp"

namespace outbound::serve {
namespace {

constexpr std::size_t kErrorsKept = 20;
constexpr std::size_t kMinutesKept = 60;
constexpr auto kProgressEvery = std::chrono::seconds(2);
constexpr auto kStepWait = std::chrono::milliseconds(5);

// Runs `fn`; an Error is rethrown with the config path it concerns in front.
template <typename Fn>
auto at_path(const std::string& path, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what());
  }
}

ListOptions list_options(const ListConfig& l, const std::string& engine_id) {
  ListOptions lo;
  lo.table = l.table;
  lo.filter = l.filter;
  lo.order_by = l.order_by;
  lo.engine_id = engine_id;
  lo.zone_column = l.zone_column;
  lo.record_type_priority = l.record_type_priority;
  return lo;
}

bool is_error_event(CampaignEvent::Kind k) {
  using K = CampaignEvent::Kind;
  return k == K::record_error || k == K::driver_error || k == K::database_error || k == K::error;
}

std::string event_json(const CampaignEvent& e, Time at) {
  nlohmann::ordered_json j;
  j["at"] = iso_utc(at);
  j["campaign"] = e.campaign;
  j["kind"] = std::string(to_string(e.kind));
  if (e.record_id) j["record_id"] = e.record_id;
  if (e.kind == CampaignEvent::Kind::call_finished) j["result"] = std::string(to_string(e.result));
  if (!e.message.empty()) j["message"] = e.message;
  if (!e.agent_id.empty()) j["agent_id"] = e.agent_id;
  if (e.handle) j["handle"] = e.handle;
  return j.dump();
}

}  // namespace

// --- events ------------------------------------------------------------------

int EventHub::subscribe(Sink sink) {
  std::lock_guard lock(mutex_);
  int id = next_++;
  sinks_.emplace(id, std::move(sink));
  count_.store(static_cast<int>(sinks_.size()));
  return id;
}

void EventHub::unsubscribe(int id) {
  std::lock_guard lock(mutex_);
  sinks_.erase(id);
  count_.store(static_cast<int>(sinks_.size()));
}

void EventHub::publish(const std::string& campaign, const std::string& kind, const std::string& message) {
  std::lock_guard lock(mutex_);
  for (auto& [id, sink] : sinks_) sink(campaign, kind, message);
}

// --- building ----------------------------------------------------------------

Dialer::Dialer(ServeConfig config) : config_(std::move(config)) {
  site_.add("site", config_.site_timezone);
  if (config_.clock.simulated) {
    Time start = config_.clock.start ? from_epoch_seconds(*config_.clock.start)
                                     : from_epoch_seconds(to_epoch_seconds(SystemClock().now()));
    auto manual = std::make_shared<ManualClock>(start);
    manual_ = manual.get();
    clock_ = manual;
  } else {
    clock_ = std::make_shared<SystemClock>();
  }
  engine_ = std::make_unique<Engine>(clock_);
  for (const auto& [name, l] : config_.lists)
    if (l.sample_records > 0)
      at_path("lists." + name, [&, &l = l] {
        std::vector<int> zones;
        for (const auto& [id, zone] : l.tz_map) zones.push_back(id);
        return create_sample_list(l.connection, l.table, l.sample_records, 1, zones, l.customer_id_field);
      });
  for (const auto& [name, d] : config_.dnc)
    dnc_[name] = at_path("dnc." + name, [&, &d = d] {
      DncOptions o;
      o.table = d.table;
      o.default_region = d.region;
      return std::shared_ptr<DncList>(DncList::open(d.connection, o));
    });
  for (const auto& [name, s] : config_.campaigns) build_campaign(name, s);
}

Dialer::~Dialer() { shutdown(std::chrono::seconds(10)); }

void Dialer::build_campaign(const std::string& name, const CampaignSettings& s) {
  CampaignRuntime rt;
  rt.name = name;
  rt.settings = &s;
  rt.driver_name = s.driver;
  std::vector<std::string> zone_keys;
  for (const auto& ref : s.lists) {
    const ListConfig& l = config_.lists.at(ref.list);
    auto list = at_path("lists." + ref.list, [&] {
      return std::shared_ptr<CallingList>(CallingList::open(l.connection, list_options(l, config_.engine_id)));
    });
    if (!l.zone_column.empty())
      for (auto& k : list->zone_keys()) zone_keys.push_back(k);
    rt.lists.push_back(list);
    rt.list_names.push_back(ref.list);
  }
  const std::string path = "campaigns." + name;
  at_path(path, [&] {
    rt.dnc_name = s.dnc;
    if (!s.dnc.empty()) rt.dnc = dnc_.at(s.dnc);
    auto driver = make_driver(name, s);
    rt.agents_from_api = !is_autonomous(s.config.mode) || !driver->capabilities().reports_agent_states;
    Campaign& c = engine_->add_campaign(s.config, driver, rt.dnc, windows_of(config_, s, zone_keys));
    for (std::size_t i = 0; i < rt.lists.size(); ++i) c.add_list(rt.lists[i], s.lists[i].share);
    if (!s.call_log_table.empty()) {
      CallLogOptions o;
      o.table = s.call_log_table;
      rt.call_log = CallLog::open(s.call_log_connection, o);
      c.set_call_log(rt.call_log);
    }
    rt.campaign = &c;
    return 0;
  });
  auto& stored = campaigns_[name] = std::move(rt);
  watch_events(stored);
}

// A SIP driver: real calls to the trunk, answered ones bridged to the agents'
// phones (agents log in through the API, as on a softphone desktop).
std::shared_ptr<Driver> Dialer::make_sip_driver(const std::string& name, const SipDriverConfig& d) {
#ifdef OB_WITH_SIP
  SipConfig c;
  c.listen = d.listen;
  c.customer_uri = d.customer_uri;
  c.outbound_proxy = d.outbound_proxy;
  c.credentials.username = d.username;
  c.credentials.password = d.password;
  c.agents = d.agents;
  c.max_concurrent_calls = d.max_calls;
  c.calls_per_second = d.calls_per_s;
  c.agent_answer_timeout = Duration(d.agent_answer_timeout_ms);
  return at_path("drivers." + name, [&] { return std::make_shared<SipDriver>(c, clock_); });
#else
  (void)d;
  throw Error(ErrorCode::unsupported, "driver \"" + name +
                                          "\" is a SIP driver, and this outbound was built without SIP (meson -Dsip=enabled); "
                                          "rehearse the campaign with `outbound sim --config` meanwhile");
#endif
}

// The simulated network of the campaign's mode, as `outbound sim` builds it:
// agent modes dial through a T-Server, seizing modes through a CPD server in
// ASM mode, GVP modes through the IVR platform.
std::shared_ptr<Driver> Dialer::make_driver(const std::string& campaign, const CampaignSettings& s) {
  const DriverConfig& d = config_.drivers.at(s.driver);
  if (d.kind == DriverConfig::Kind::sip) return make_sip_driver(s.driver, d.sip);
  auto& net = *networks_.emplace_back(std::make_unique<sim::Network>(engine_->loop(), d.sim.network, d.sim.seed));
  const DialMode mode = s.config.mode;
  if (is_gvp(mode)) {
    sim::GvpOptions g;
    g.ports = d.sim.ports;
    return std::make_shared<sim::SimGvp>(net, g);
  }
  if (mode == DialMode::progressive_seize || mode == DialMode::predictive_seize || mode == DialMode::power_seize) {
    sim::CpdOptions c;
    c.mode = sim::CpdMode::asm_mode;
    c.channels = std::max(2, 2 * d.sim.agents);
    return std::make_shared<sim::SimCpd>(net, d.sim.agent_model, d.sim.agents, c);
  }
  (void)campaign;
  return std::make_shared<sim::SimTServer>(net, d.sim.agent_model, d.sim.agents);
}

void Dialer::watch_events(CampaignRuntime& rt) {
  rt.campaign->on_event([this, &rt](const CampaignEvent& e) {
    const Time now = clock_->now();
    if (e.kind == CampaignEvent::Kind::call_finished) ++rt.results[e.result];
    if (is_error_event(e.kind)) {
      rt.errors.push_back({now, std::string(to_string(e.kind)), e.message});
      if (rt.errors.size() > kErrorsKept) rt.errors.pop_front();
    }
    if (events_.active()) events_.publish(e.campaign, std::string(to_string(e.kind)), event_json(e, now));
  });
}

CampaignRuntime& Dialer::campaign(const std::string& name) {
  auto it = campaigns_.find(name);
  if (it == campaigns_.end()) throw Error(ErrorCode::not_found, "no campaign named \"" + name + "\"");
  return it->second;
}

std::shared_ptr<DncList> Dialer::dnc(const std::string& name) {
  auto it = dnc_.find(name);
  if (it == dnc_.end()) throw Error(ErrorCode::not_found, "no DNC table named \"" + name + "\"");
  return it->second;
}

// --- watching ------------------------------------------------------------------

void Dialer::schedule_minute() {
  engine_->loop().schedule_after(std::chrono::minutes(1), [this] {
    const Time now = clock_->now();
    for (auto& [name, rt] : campaigns_) sample_minute(rt, now);
    schedule_minute();
  });
}

void Dialer::sample_minute(CampaignRuntime& rt, Time now) {
  const CampaignStats s = rt.campaign->stats();
  const AgentTotals t = rt.campaign->agents().totals(now);
  MinutePoint m;
  m.at = now;
  m.dials = s.dials - rt.last_sample.dials;
  m.live = s.live_answers - rt.last_sample.live_answers;
  m.abandoned = s.abandoned - rt.last_sample.abandoned;
  m.window_rate = s.window_abandon_rate;
  const double work = t.busy_s + t.wrap_s, avail = work + t.ready_s + t.reserved_s;
  const double dw = work - rt.last_work_s, da = avail - rt.last_avail_s;
  m.occupancy = da > 0 ? dw / da : 0.0;
  m.agents = s.agents_logged_in;
  m.in_flight = s.calls_in_flight;
  rt.last_sample = s;
  rt.last_work_s = work;
  rt.last_avail_s = avail;
  rt.minutes.push_back(m);
  if (rt.minutes.size() > kMinutesKept) rt.minutes.pop_front();
}

// Today starts at the site's midnight; the call log, when there is one,
// gives the calls answered since then by earlier runs.
void Dialer::seed_today(CampaignRuntime& rt) {
  const Time now = clock_->now();
  const int into_day = site_.local_second("site", now).value_or(0);
  const Time guess = now - std::chrono::seconds(into_day) - std::chrono::hours(2);
  rt.day_start = site_.next_open("site", DailyWindow{0, 1}, guess).value_or(now - std::chrono::seconds(into_day));
  const CampaignStats s = rt.campaign->stats();
  rt.today_live_base = s.live_answers;
  rt.today_abandoned_base = s.abandoned;
  if (!rt.call_log) return;
  try {
    for (const auto& c : rt.call_log->answered_since(rt.name, rt.day_start)) {
      if (c.answer == AnswerClass::live || c.answer == AnswerClass::unknown) --rt.today_live_base;
      if (c.abandoned) --rt.today_abandoned_base;
    }
  } catch (const Error& e) {
    std::cerr << "serve: " << rt.name << ": today's figures start now (" << e.what() << ")\n";
  }
}

void Dialer::schedule_midnight() {
  const Time now = clock_->now();
  auto next = site_.next_open("site", DailyWindow{0, 1}, now + std::chrono::seconds(2));
  if (!next) return;
  engine_->loop().schedule_at(*next, [this] {
    for (auto& [name, rt] : campaigns_) {
      const CampaignStats s = rt.campaign->stats();
      rt.day_start = clock_->now();
      rt.today_live_base = s.live_answers;
      rt.today_abandoned_base = s.abandoned;
    }
    schedule_midnight();
  });
}

std::vector<std::pair<std::string, ListProgress>> Dialer::progress(const std::string& campaign, Time* as_of) const {
  std::lock_guard lock(progress_mutex_);
  if (as_of) *as_of = progress_at_;
  auto it = progress_.find(campaign);
  return it == progress_.end() ? std::vector<std::pair<std::string, ListProgress>>{} : it->second;
}

// List progress is counted on this thread with connections of its own, so a
// large list's counting never holds up the engine or the HTTP server.
void Dialer::progress_thread() {
  // Counting a large list is background work: below the engine and HTTP threads.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  struct Watched {
    std::string campaign, list;
    std::unique_ptr<CallingList> handle;
    std::unique_ptr<CallingWindows> windows;
  };
  std::vector<Watched> watched;
  for (const auto& [name, s] : config_.campaigns)
    for (const auto& ref : s.lists) watched.push_back({name, ref.list, nullptr, nullptr});
  std::set<std::string> reported;
  while (running_.load()) {
    std::map<std::string, std::vector<std::pair<std::string, ListProgress>>> fresh;
    const Time now = clock_->now();
    for (auto& w : watched) {
      try {
        if (!w.handle) {
          const ListConfig& l = config_.lists.at(w.list);
          w.handle = CallingList::open(l.connection, list_options(l, config_.engine_id));
          std::vector<std::string> keys;
          if (!l.zone_column.empty()) keys = w.handle->zone_keys();
          w.windows = std::make_unique<CallingWindows>(windows_of(config_, config_.campaigns.at(w.campaign), keys));
        }
        fresh[w.campaign].emplace_back(w.list, list_progress(*w.handle, *w.windows, now));
        reported.erase(w.list);
      } catch (const std::exception& e) {
        w.handle.reset();  // reconnect next time
        if (reported.insert(w.list).second) std::cerr << "serve: progress of list " << w.list << ": " << e.what() << "\n";
      }
    }
    std::unique_lock lock(progress_mutex_);
    for (auto& [campaign, lists] : fresh) progress_[campaign] = std::move(lists);
    progress_at_ = now;
    progress_cv_.wait_for(lock, kProgressEvery, [&] { return !running_.load(); });
  }
}

// --- running -------------------------------------------------------------------

void Dialer::post(std::function<void()> fn) {
  engine_->loop().post(std::move(fn));
  {
    std::lock_guard lock(wake_mutex_);
    woken_ = true;
  }
  wake_cv_.notify_one();
}

void Dialer::start() {
  // Posted before the thread starts: under a simulated clock they run at the
  // start instant whatever the thread's timing.
  post([this] {
    try {
      schedule_minute();
      schedule_midnight();
      for (auto& [name, rt] : campaigns_) {
        seed_today(rt);
        if (rt.settings->autostart) autostart(rt);
      }
    } catch (const std::exception& e) {
      std::cerr << "serve: starting: " << e.what() << "\n";
    }
    started_.set_value();  // whatever happened: start() must not wait forever
  });
  running_.store(true);
  engine_thread_ = std::thread([this] { run_engine(); });
  progress_thread_ = std::thread([this] { progress_thread(); });
  started_.get_future().wait();
}

void Dialer::autostart(CampaignRuntime& rt) {
  try {
    rt.campaign->load();
    rt.campaign->start();
  } catch (const std::exception& e) {
    rt.errors.push_back({clock_->now(), "error", std::string("autostart failed: ") + e.what()});
    std::cerr << "serve: campaign " << rt.name << ": autostart failed: " << e.what() << "\n";
  }
}

void Dialer::run_engine() {
  const auto wall0 = std::chrono::steady_clock::now();
  const Time sim0 = clock_->now();
  std::optional<Time> end;
  if (manual_ && config_.clock.run_h) end = sim0 + from_seconds(*config_.clock.run_h * 3600.0);
  while (running_.load()) {
    try {
      if (!manual_) {
        engine_->loop().run_until(Time::max());  // returns on stop()
        continue;
      }
      const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
      Time target = sim0 + from_seconds(wall_s * config_.clock.speed);
      if (end && target > *end) target = *end;
      engine_->run_until(std::max(target, clock_->now()));
      if (end && !run_finished_.load() && clock_->now() >= *end) finish_run();
    } catch (const std::exception& e) {
      std::cerr << "serve: engine: " << e.what() << "\n";
    }
    std::unique_lock lock(wake_mutex_);
    wake_cv_.wait_for(lock, kStepWait, [&] { return woken_ || !running_.load(); });
    woken_ = false;
  }
}

// clock.run_h has passed: dialing stops, calls in flight finish, the
// campaigns unload and the report is written; the clock then stands still.
void Dialer::finish_run() {
  for (auto& [name, rt] : campaigns_)
    if (rt.campaign->state() != CampaignState::not_loaded) rt.campaign->stop();
  auto idle = [this] {
    for (auto& [name, rt] : campaigns_)
      if (rt.campaign->calls_in_flight()) return false;
    return true;
  };
  engine_->loop().run_until(clock_->now() + std::chrono::hours(2), idle);
  for (auto& [name, rt] : campaigns_)
    if (rt.campaign->state() != CampaignState::not_loaded) rt.campaign->unload();
  engine_->loop().poll();
  if (!report_path_.empty()) {
    std::ofstream out(report_path_ + ".tmp");
    out << report_json() << "\n";
    out.close();
    std::filesystem::rename(report_path_ + ".tmp", report_path_);
  }
  run_finished_.store(true);
  progress_cv_.notify_all();  // the final list counts, now
  std::cerr << "serve: the run of " << *config_.clock.run_h << " simulated hours is over" << (report_path_.empty() ? "" : "; report in " + report_path_) << "\n";
}

std::string Dialer::report_json() {
  nlohmann::ordered_json j;
  j["engine_id"] = config_.engine_id;
  j["clock_utc"] = iso_utc(clock_->now());
  auto campaigns = nlohmann::ordered_json::array();
  for (auto& [name, rt] : campaigns_) {
    const CampaignStats s = rt.campaign->stats();
    nlohmann::ordered_json c;
    c["name"] = name;
    c["state"] = std::string(to_string(rt.campaign->state()));
    c["dials"] = s.dials;
    c["live_answers"] = s.live_answers;
    c["connected"] = s.connected;
    c["abandoned"] = s.abandoned;
    c["abandon_rate"] = s.abandon_rate;
    c["window_abandon_rate"] = s.window_abandon_rate;
    c["machine"] = s.machines;
    c["busy"] = s.busy;
    c["no_answer"] = s.no_answer;
    c["sit"] = s.sit;
    c["dnc_blocked"] = s.dnc_blocked;
    c["record_errors"] = s.record_errors;
    c["agent_occupancy"] = s.agent_occupancy;
    nlohmann::ordered_json results = nlohmann::ordered_json::object();
    for (const auto& [r, n] : rt.results) results[std::string(to_string(r))] = n;
    c["results"] = results;
    std::map<std::string, long long> by_status;
    for (auto& list : rt.lists)
      for (const auto& [st, n] : list->count_by_status()) by_status[std::string(to_string(st))] += n;
    c["records_by_status"] = by_status;
    campaigns.push_back(c);
  }
  j["campaigns"] = campaigns;
  return j.dump(2);
}

void Dialer::drain(std::chrono::milliseconds grace) {
  auto& loop = engine_->loop();
  loop.run_until(clock_->now());  // consumes a stop() the engine thread did not see
  for (auto& [name, rt] : campaigns_) {
    auto st = rt.campaign->state();
    if (st == CampaignState::running || st == CampaignState::active) rt.campaign->stop();
  }
  auto idle = [this] {
    for (auto& [name, rt] : campaigns_)
      if (rt.campaign->calls_in_flight()) return false;
    return true;
  };
  // Simulated time drains at once; wall time waits at most `grace`.
  loop.run_until(clock_->now() + (manual_ ? Duration(std::chrono::hours(2)) : Duration(grace)), idle);
  for (auto& [name, rt] : campaigns_) {
    if (rt.campaign->state() == CampaignState::not_loaded) continue;
    if (rt.campaign->calls_in_flight())
      rt.campaign->force_unload();  // their records return to ready; the attempts stay counted
    else
      rt.campaign->unload();
  }
  loop.poll();
}

void Dialer::shutdown(std::chrono::milliseconds grace) {
  if (!running_.exchange(false)) return;
  if (!manual_) engine_->loop().stop();  // a wall-clock loop waits inside run_until
  wake_cv_.notify_all();
  progress_cv_.notify_all();
  if (engine_thread_.joinable()) engine_thread_.join();
  if (progress_thread_.joinable()) progress_thread_.join();
  try {
    drain(grace);  // on this thread: the engine's is gone
  } catch (const std::exception& e) {
    std::cerr << "serve: shutting down: " << e.what() << "\n";
  }
}

}  // namespace outbound::serve
