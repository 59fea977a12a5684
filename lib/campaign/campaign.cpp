// The campaign group's public face: argument checks, then the Impl.
#include "campaign_impl.hpp"

#include <cstdio>

namespace outbound {

std::string_view to_string(CampaignState s) noexcept {
  switch (s) {
    case CampaignState::not_loaded: return "not_loaded";
    case CampaignState::waiting_unload: return "waiting_unload";
    case CampaignState::unload_in_progress: return "unload_in_progress";
    case CampaignState::inactive: return "inactive";
    case CampaignState::active: return "active";
    case CampaignState::running: return "running";
  }
  return "invalid";
}

std::string_view to_string(CampaignEvent::Kind k) noexcept {
  using K = CampaignEvent::Kind;
  switch (k) {
    case K::loaded: return "loaded";
    case K::started: return "started";
    case K::stopped: return "stopped";
    case K::unloaded: return "unloaded";
    case K::mode_changed: return "mode_changed";
    case K::state_changed: return "state_changed";
    case K::record_error: return "record_error";
    case K::driver_error: return "driver_error";
    case K::database_error: return "database_error";
    case K::call_finished: return "call_finished";
    case K::info: return "info";
    case K::preview_record: return "preview_record";
    case K::preview_record_empty: return "preview_record_empty";
    case K::chained_record: return "chained_record";
    case K::record_delivered: return "record_delivered";
    case K::scheduled_call: return "scheduled_call";
    case K::completed: return "completed";
    case K::error: return "error";
    case K::dialing: return "dialing";
    case K::written: return "written";
    case K::idle: return "idle";
  }
  return "invalid";
}

std::string_view to_string(UnknownZones u) noexcept {
  switch (u) {
    case UnknownZones::refuse: return "refuse";
    case UnknownZones::from_numbers: return "from_numbers";
    case UnknownZones::errors: return "errors";
  }
  return "invalid";
}

namespace {

// A number as a reader wrote it: 0.5, 1e+09 (std::to_string would print 0.500000).
std::string shown(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

// A duration option in [least, kMaxDurationOption]: past the maximum, adding it
// to a time could overflow (the loop's arithmetic saturates, but a setting that
// large is a mistake to be told about, not a silent "never").
void check_duration(const char* name, Duration d, Duration least = Duration::zero()) {
  if (d >= least && d <= kMaxDurationOption) return;
  throw Error(ErrorCode::invalid_argument, std::string(name) + " must lie in [" + std::to_string(least.count()) + " ms, " +
                                               std::to_string(kMaxDurationOption.count()) + " ms (36,500 days)], not " +
                                               std::to_string(d.count()) + " ms");
}

void check_durations(const CampaignConfig& c) {
  check_duration("tick", c.tick, Duration(1));
  check_duration("flush_interval", c.flush_interval, Duration(1));
  check_duration("pace_interval", c.pace_interval);
  check_duration("empty_list_backoff", c.empty_list_backoff);
  check_duration("abandon_after", c.abandon_after);
  check_duration("abandon_cap.window", c.abandon_cap.window);
  check_duration("ring_timeout", c.ring_timeout);
  check_duration("desktop_timeout", c.desktop_timeout);
  check_duration("callback_wait", c.callback_wait);
  check_duration("agent_answer_timeout", c.agent_answer_timeout);
  check_duration("abandoned_redial_lockout", c.abandoned_redial_lockout);
  for (std::size_t i = 0; i < c.contact_limits.size(); ++i) {
    const auto& limit = c.contact_limits[i];
    const std::string name = "contact_limits[" + std::to_string(i) + "]";
    if (limit.max_calls < 1)
      throw Error(ErrorCode::invalid_argument, name + ".max_calls must be at least 1 (calls allowed in its window), not " +
                                                   std::to_string(limit.max_calls));
    check_duration((name + ".window").c_str(), limit.window, Duration(1));
  }
}

}  // namespace

Campaign::Campaign(EventLoop& loop, CampaignConfig config, std::shared_ptr<Driver> driver, std::shared_ptr<DncList> dnc,
                   CallingWindows windows) {
  if (!driver) throw Error(ErrorCode::invalid_argument, "a campaign needs a driver");
  if (!(config.ratio > 0.0)) throw Error(ErrorCode::invalid_argument, "ratio must be positive, not " + shown(config.ratio));
  if (config.chunk_size == 0 || config.chunk_size > kMaxChunkSize)
    throw Error(ErrorCode::invalid_argument, "chunk_size must lie in [1, " + std::to_string(kMaxChunkSize) + "], not " +
                                                 std::to_string(config.chunk_size));
  check_durations(config);
  if (!(config.abandon_cap.rate >= 0.0 && config.abandon_cap.rate <= 1.0))
    throw Error(ErrorCode::invalid_argument, "abandon cap rate must lie in [0, 1], not " + shown(config.abandon_cap.rate));
  validate(config.audio, "audio");
  if (to_string(config.unknown_zones) == "invalid")
    throw Error(ErrorCode::invalid_argument, "unknown_zones = " + std::to_string(static_cast<int>(config.unknown_zones)) +
                                                 " is no choice: refuse (0), from_numbers (1) or errors (2)");
  // The campaign's choice decides what its windows do with a record whose zone is not mapped.
  if (config.unknown_zones == UnknownZones::from_numbers) windows.set_zones_from_numbers(true);
  if (config.unknown_zones == UnknownZones::errors) windows.set_zones_from_numbers(false);
  // A no-call day is a local date: without zones no record has one.
  if (!config.no_call_days.empty() && !windows.enabled())
    throw Error(ErrorCode::invalid_argument, "no_call_days (\"" + config.no_call_days.front() +
                                                 "\" …) are the records' local dates: give the campaign calling-window zones too");
  impl_ = std::make_shared<Impl>(loop, std::move(config), std::move(driver), std::move(dnc), std::move(windows));
}

Campaign::~Campaign() {
  if (impl_->state != CampaignState::not_loaded) {
    try {
      impl_->force_unload();
    } catch (...) {
      // Destructors must not throw; records not written are recovered on the next load.
    }
  }
}

void Campaign::add_list(std::shared_ptr<CallingList> list, double share) {
  if (!list) throw Error(ErrorCode::invalid_argument, "add_list needs a list");
  if (!(share > 0.0)) throw Error(ErrorCode::invalid_argument, "a list's share must be positive, not " + shown(share));
  ListEntry e;
  e.list = std::move(list);
  e.share = share;
  impl_->lists.push_back(std::move(e));
}

void Campaign::set_call_log(std::shared_ptr<CallLog> log) {
  if (impl_->state != CampaignState::not_loaded)
    throw Error(ErrorCode::invalid_state, "campaign " + impl_->cfg.name + " is loaded: set its call log before load");
  impl_->call_log = std::move(log);
}

void Campaign::set_pre_dial_check(PreDialCheck check) { impl_->pre_dial_check = std::move(check); }

void Campaign::load() { impl_->control(&Impl::load, false); }
void Campaign::start() { impl_->control(&Impl::start, false); }
void Campaign::stop() { impl_->control(&Impl::stop); }
void Campaign::unload() { impl_->control(&Impl::unload); }
void Campaign::force_unload() { impl_->control(&Impl::force_unload); }

void Campaign::set_mode(DialMode mode, OptimizationGoal goal, double target) {
  auto& im = *impl_;
  bool was_autonomous = is_autonomous(im.cfg.mode), will_be = is_autonomous(mode);
  if (was_autonomous != will_be && (im.state == CampaignState::running || im.state == CampaignState::active))
    throw Error(ErrorCode::invalid_state, "campaign " + im.cfg.name + " is dialing: stop it before switching between " +
                                              "preview and autonomous modes");
  auto pacer = will_be ? im.new_pacer(mode) : nullptr;
  im.cfg.mode = mode;
  im.cfg.goal = goal;
  im.cfg.target = target;
  im.pacer = std::move(pacer);
  im.emit(CampaignEvent::Kind::mode_changed, std::string(to_string(mode)));
  im.request_pace();
}

void Campaign::run_baseline_unguarded() {
  if (!impl_->loop.clock().is_manual())
    throw Error(ErrorCode::invalid_state, "campaign " + impl_->cfg.name + ": a baseline pacer runs without the abandon guard "
                                          "only in a simulation (a manual clock); a real campaign always dials within it");
  impl_->unguarded_baseline = true;
}

void Campaign::set_treatments(TreatmentSet treatments) {
  impl_->cfg.treatments = treatments;  // config() tells the rules in force
  impl_->rules = std::make_shared<TreatmentSet>(std::move(treatments));
}

void Campaign::set_agent_state(const std::string& agent_id, AgentState state) {
  if (agent_id.empty()) throw Error(ErrorCode::invalid_argument, "agent id must not be empty");
  impl_->handle_agent_event({agent_id, state, impl_->loop.now()});
}

CampaignState Campaign::state() const { return impl_->state; }
const CampaignConfig& Campaign::config() const { return impl_->cfg; }
CampaignStats Campaign::stats() const { return impl_->stats(); }
const AgentPool& Campaign::agents() const { return impl_->agents; }
std::size_t Campaign::calls_in_flight() const { return impl_->calls.size(); }
void Campaign::flush() { impl_->flush_now(); }
void Campaign::on_event(std::function<void(const CampaignEvent&)> handler) { impl_->handlers.push_back(std::move(handler)); }

}  // namespace outbound
