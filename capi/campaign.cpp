// outbound C API — campaign groups: creation from options, control, agents,
// statistics and the event callback.
#include <thread>
#include <unordered_map>

#include "outbound/timezone.hpp"
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {

std::shared_ptr<EngineCore> pin(ob_campaign* campaign) {
  auto lock = registry_lock();
  if (!campaign || !is_tracked_locked(campaign, Kind::campaign)) bad_handle("campaign");
  // A tracked handle is live (it is untracked before it is freed), and so is its engine, which
  // frees its campaigns' handles before it can go.
  return campaign->core->shared_from_this();
}

void Attachable::attach(const std::shared_ptr<EngineCore>& core, const char* what) {
  std::lock_guard lock(mu);
  auto current = engine.lock();
  if (current && current != core) fail(ErrorCode::busy, std::string(what) + " is already used by another engine");
  engine = core;
}

namespace {

// The longest ob_campaign_finish waits: 36,500 days, the library's "forever". A timeout that
// reached the end of engine time would take a manual clock there (or tick it for ever).
constexpr std::int64_t kMaxFinishTimeoutMs = 36500LL * 24 * 3600 * 1000;

/// The size of version `version` of ob_campaign_options (check_version'ed): each version ends
/// where the first field of the next one begins.
std::size_t campaign_options_size(unsigned int version) {
  if (version == 1) return offsetof(ob_campaign_options, caller_id);
  if (version == 2) return offsetof(ob_campaign_options, pace_interval_ms);
  if (version == 3) return offsetof(ob_campaign_options, agent_answer_timeout_ms);
  if (version == 4) return offsetof(ob_campaign_options, contact_limit_count);
  if (version == 5) return offsetof(ob_campaign_options, unknown_zones);
  return sizeof(ob_campaign_options);
}
// Versions 1 and 2 are shipped ABIs: a field inserted before the end would move the later ones.
static_assert(sizeof(void*) != 8 || offsetof(ob_campaign_options, caller_id) == 248,
              "ob_campaign_options version 1 was 248 bytes on LP64; new fields go at the end");
static_assert(sizeof(void*) != 8 || offsetof(ob_campaign_options, pace_interval_ms) == 256,
              "ob_campaign_options version 2 was 256 bytes on LP64; new fields go at the end");
static_assert(sizeof(void*) != 8 || offsetof(ob_campaign_options, agent_answer_timeout_ms) == 280,
              "ob_campaign_options version 3 was 280 bytes on LP64; new fields go at the end");
static_assert(sizeof(void*) != 8 || offsetof(ob_campaign_options, contact_limit_count) == 360,
              "ob_campaign_options version 4 was 360 bytes on LP64; new fields go at the end");
static_assert(sizeof(void*) != 8 || offsetof(ob_campaign_options, unknown_zones) == 376,
              "ob_campaign_options version 5 was 376 bytes on LP64; new fields go at the end");
static_assert(OB_MAX_DURATION_MS == outbound::kMaxDurationOption.count(), "the C and C++ duration bounds agree");

// The numbers, codes and durations of `c` (not its strings and arrays), as C.
void set_scalars(ob_campaign_options& o, const outbound::CampaignConfig& c) {
  using outbound::Duration;
  o.campaign_id = c.campaign_id;
  o.mode = static_cast<int>(c.mode);
  o.goal = static_cast<int>(c.goal);
  o.target = c.target;
  o.ratio = c.ratio;
  o.ports = c.ports;
  o.chunk_size = c.chunk_size;
  o.low_water = c.low_water;
  o.tick_ms = c.tick.count();
  o.flush_interval_ms = c.flush_interval.count();
  o.empty_list_backoff_ms = c.empty_list_backoff.count();
  o.abandon_after_ms = c.abandon_after.count();
  o.abandon_cap_rate = c.abandon_cap.rate;
  o.abandon_cap_window_ms = std::chrono::duration_cast<Duration>(c.abandon_cap.window).count();
  o.amd = static_cast<int>(c.amd);
  o.ring_timeout_ms = c.ring_timeout.count();
  o.wait_for_desktop = c.wait_for_desktop ? 1 : 0;
  o.desktop_timeout_ms = std::chrono::duration_cast<Duration>(c.desktop_timeout).count();
  o.callback_wait_ms = std::chrono::duration_cast<Duration>(c.callback_wait).count();
  o.abandoned_redial_lockout_ms = std::chrono::duration_cast<Duration>(c.abandoned_redial_lockout).count();
  o.auto_complete = c.auto_complete ? 1 : 0;
  o.pace_interval_ms = c.pace_interval.count();
  o.max_attempts = c.max_attempts;
  o.abandon_cap_amd_false_positive = c.abandon_cap.amd_false_positive;
  o.agent_answer_timeout_ms = c.agent_answer_timeout.count();
  o.unknown_zones = static_cast<int>(c.unknown_zones);
  const auto& a = c.audio;
  o.amd_initial_silence_ms = a.amd_initial_silence.count();
  o.amd_max_greeting_ms = a.amd_max_greeting.count();
  o.amd_after_greeting_silence_ms = a.amd_after_greeting_silence.count();
  o.amd_max_words = a.amd_max_words;
  o.amd_max_decision_ms = a.amd_max_decision.count();
  o.amd_max_message_wait_ms = a.amd_max_message_wait.count();
  o.opt_out_digit = static_cast<unsigned char>(a.opt_out_digit);
}

// The defaults, as OB_CAMPAIGN_OPTIONS_INIT has them: no strings, no arrays, no windows.
ob_campaign_options default_options() {
  ob_campaign_options o{};
  o.version = OB_CAMPAIGN_OPTIONS_VERSION;
  set_scalars(o, outbound::CampaignConfig());
  o.window_from_s = -1;
  o.window_till_s = -1;
  return o;
}

// A duration option in milliseconds: [0, OB_MAX_DURATION_MS] (36,500 days; beyond it time arithmetic overflows).
outbound::Duration non_negative_ms(std::int64_t ms, const char* what) {
  if (ms < 0) fail(ErrorCode::invalid_argument, std::string(what) + " must not be negative (got " + std::to_string(ms) + ")");
  if (ms > outbound::kMaxDurationOption.count())
    fail(ErrorCode::invalid_argument, std::string(what) + " must be at most " +
                                          std::to_string(outbound::kMaxDurationOption.count()) + " ms (36,500 days), not " +
                                          std::to_string(ms));
  return outbound::Duration(ms);
}

// The call audio of version-4 options; a digit that is no single character is refused here
// (the Campaign checks the rest, naming each field).
outbound::CampaignAudio to_audio(const ob_campaign_options& o) {
  outbound::CampaignAudio a;
  auto ms = [](std::int64_t v, const char* what) {
    if (v < 0) fail(ErrorCode::invalid_argument, std::string("audio.") + what + " must not be negative (0: the driver's own)");
    return outbound::Duration(std::min<std::int64_t>(v, outbound::kMaxDurationOption.count()));
  };
  a.amd_initial_silence = ms(o.amd_initial_silence_ms, "amd_initial_silence_ms");
  a.amd_max_greeting = ms(o.amd_max_greeting_ms, "amd_max_greeting_ms");
  a.amd_after_greeting_silence = ms(o.amd_after_greeting_silence_ms, "amd_after_greeting_silence_ms");
  a.amd_max_words = o.amd_max_words;
  a.amd_max_decision = ms(o.amd_max_decision_ms, "amd_max_decision_ms");
  a.amd_max_message_wait = ms(o.amd_max_message_wait_ms, "amd_max_message_wait_ms");
  a.abandon_message = str(o.abandon_message);
  a.machine_message = str(o.machine_message);
  if (o.opt_out_digit < 0 || o.opt_out_digit > 127)
    fail(ErrorCode::invalid_argument, "audio.opt_out_digit must be one of 0-9, * and # (or 0: the driver's own)");
  a.opt_out_digit = static_cast<char>(o.opt_out_digit);
  return a;
}

std::vector<std::string> to_no_call_days(const ob_campaign_options& o) {
  std::vector<std::string> out;
  if (o.no_call_day_count == 0) return out;
  if (!o.no_call_days) fail(ErrorCode::invalid_argument, "no_call_days must not be NULL when no_call_day_count > 0");
  for (std::size_t i = 0; i < o.no_call_day_count; ++i) {
    need(o.no_call_days[i], "no_call_days[" + std::to_string(i) + "]");
    out.emplace_back(o.no_call_days[i]);
  }
  return out;
}

std::vector<outbound::ContactLimit> to_contact_limits(const ob_campaign_options& o) {
  std::vector<outbound::ContactLimit> out;
  if (o.contact_limit_count == 0) return out;
  if (!o.contact_limits) fail(ErrorCode::invalid_argument, "contact_limits must not be NULL when contact_limit_count > 0");
  for (std::size_t i = 0; i < o.contact_limit_count; ++i) {
    const std::string name = "contact_limits[" + std::to_string(i) + "].window_ms";
    out.push_back({o.contact_limits[i].max_calls, non_negative_ms(o.contact_limits[i].window_ms, name.c_str())});
  }
  return out;
}

outbound::CampaignConfig to_config(const ob_campaign_options& o) {
  check_code(OB_ENUM_DIAL_MODE, o.mode, "mode");
  check_code(OB_ENUM_GOAL, o.goal, "goal");
  check_code(OB_ENUM_AMD_MODE, o.amd, "amd");
  outbound::CampaignConfig c;
  if (o.name) c.name = o.name;
  c.campaign_id = o.campaign_id;
  c.mode = static_cast<outbound::DialMode>(o.mode);
  c.goal = static_cast<outbound::OptimizationGoal>(o.goal);
  c.target = o.target;
  if (o.pacer) c.pacer = o.pacer;
  c.ratio = o.ratio;
  c.ports = o.ports;
  c.chunk_size = o.chunk_size;
  c.low_water = o.low_water;
  c.tick = non_negative_ms(o.tick_ms, "tick_ms");
  c.flush_interval = non_negative_ms(o.flush_interval_ms, "flush_interval_ms");
  c.empty_list_backoff = non_negative_ms(o.empty_list_backoff_ms, "empty_list_backoff_ms");
  c.abandon_after = non_negative_ms(o.abandon_after_ms, "abandon_after_ms");
  c.abandon_cap.rate = o.abandon_cap_rate;
  c.abandon_cap.window = non_negative_ms(o.abandon_cap_window_ms, "abandon_cap_window_ms");
  c.amd = static_cast<outbound::AmdMode>(o.amd);
  c.ring_timeout = non_negative_ms(o.ring_timeout_ms, "ring_timeout_ms");
  c.customer_id_field = str(o.customer_id_field);
  c.voice_application = str(o.voice_application);
  c.treatments = outbound::TreatmentSet(to_treatments(o.treatments, o.treatment_count));
  c.wait_for_desktop = o.wait_for_desktop != 0;
  c.desktop_timeout = non_negative_ms(o.desktop_timeout_ms, "desktop_timeout_ms");
  c.callback_wait = non_negative_ms(o.callback_wait_ms, "callback_wait_ms");
  c.abandoned_redial_lockout = non_negative_ms(o.abandoned_redial_lockout_ms, "abandoned_redial_lockout_ms");
  c.auto_complete = o.auto_complete != 0;
  c.caller_id = str(o.caller_id);  // normalised (or refused) by Campaign::load
  c.pace_interval = non_negative_ms(o.pace_interval_ms, "pace_interval_ms");
  if (o.max_attempts < 0)
    fail(ErrorCode::invalid_argument,
         "max_attempts must not be negative (0: no cap; got " + std::to_string(o.max_attempts) + ")");
  c.max_attempts = o.max_attempts;
  if (!(o.abandon_cap_amd_false_positive >= 0.0 && o.abandon_cap_amd_false_positive <= 1.0))
    fail(ErrorCode::invalid_argument,
         "abandon_cap_amd_false_positive must lie in [0, 1], not " + std::to_string(o.abandon_cap_amd_false_positive));
  c.abandon_cap.amd_false_positive = o.abandon_cap_amd_false_positive;
  c.agent_answer_timeout = non_negative_ms(o.agent_answer_timeout_ms, "agent_answer_timeout_ms");
  c.audio = to_audio(o);  // checked (ranges, WAV files) by the Campaign
  if (o.version >= 5) c.contact_limits = to_contact_limits(o);  // checked by the Campaign
  if (o.unknown_zones < OB_UNKNOWN_ZONES_REFUSE || o.unknown_zones > OB_UNKNOWN_ZONES_ERRORS)
    fail(ErrorCode::invalid_argument, "unknown_zones = " + std::to_string(o.unknown_zones) +
                                          " is no ob_unknown_zones: OB_UNKNOWN_ZONES_REFUSE (0), _FROM_NUMBERS (1) or _ERRORS (2)");
  c.unknown_zones = static_cast<outbound::UnknownZones>(o.unknown_zones);
  c.no_call_days = to_no_call_days(o);  // read (and checked) by the Campaign
  return c;
}

WindowSettings to_window_settings(const ob_campaign_options& o) {
  WindowSettings w;
  const bool has_window = o.window_from_s >= 0 || o.window_till_s >= 0;
  if (o.zone_count == 0) {
    if (has_window) fail(ErrorCode::invalid_argument, "a campaign calling window needs zones (zone_count > 0)");
    return w;
  }
  if (!o.zones) fail(ErrorCode::invalid_argument, "zones must not be NULL when zone_count > 0");
  for (std::size_t i = 0; i < o.zone_count; ++i) {
    need(o.zones[i].key, "zones[" + std::to_string(i) + "].key");
    need(o.zones[i].iana, "zones[" + std::to_string(i) + "].iana");
    w.zones.add(std::string(o.zones[i].key), std::string(o.zones[i].iana));
  }
  if (has_window) {
    if (o.window_from_s < 0 || o.window_till_s < 0 || o.window_from_s > 86400 || o.window_till_s > 86400)
      fail(ErrorCode::invalid_argument, "window_from_s and window_till_s must both lie in [0, 86400] (or both be -1), not " +
                                            std::to_string(o.window_from_s) + " and " + std::to_string(o.window_till_s));
    w.from_s = o.window_from_s;
    w.till_s = o.window_till_s;
  }
  w.zone_column = str(o.zone_column);
  return w;
}

outbound::CallingWindows to_windows(const WindowSettings& w) {
  if (w.zones.keys().empty()) return outbound::CallingWindows();
  std::optional<outbound::DailyWindow> window;
  if (w.from_s >= 0) window = outbound::DailyWindow{w.from_s, w.till_s};
  return outbound::CallingWindows(w.zones, window, w.zone_column);
}

// A string option as C: NULL for "", as the defaults have it.
const char* c_str_or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

// The ob_treatment version that was current with each version of ob_campaign_options: a caller
// steps through the treatments it gets back at the size of its own ob_treatment.
unsigned int treatment_version_of(unsigned int options_version) { return options_version >= 3 ? 2u : 1u; }

// What one ob_campaign_options_get handed out: the strings and arrays the caller's struct points
// into, the caller's until ob_campaign_options_free.
struct OptionsView {
  outbound::CampaignConfig config;
  WindowSettings windows;
  std::vector<unsigned char> treatments;  // at the caller's ob_treatment version
  std::vector<std::pair<std::string, std::string>> zone_names;
  std::vector<ob_zone> zones;
  std::vector<ob_contact_limit> limits;
  std::vector<const char*> no_call_days;  // into config.no_call_days
  std::vector<const void*> keys;  // the pointers handed out, each of which finds this view
};

// Views handed out, by each pointer they handed out: ob_campaign_options_free finds its view
// through any pointer of the struct the caller has not changed.
std::mutex& views_mutex() {
  static std::mutex m;
  return m;
}
std::unordered_map<const void*, std::shared_ptr<OptionsView>>& views() {
  static std::unordered_map<const void*, std::shared_ptr<OptionsView>> v;
  return v;
}

// The string and array pointers of `o` that its version has.
std::vector<const void*> pointers_of(const ob_campaign_options& o, unsigned int version) {
  std::vector<const void*> p{o.name, o.pacer, o.customer_id_field, o.voice_application, o.treatments, o.zones, o.zone_column};
  if (version >= 2) p.push_back(o.caller_id);
  if (version >= 4) {
    p.push_back(o.abandon_message);
    p.push_back(o.machine_message);
  }
  if (version >= 5) p.push_back(o.contact_limits);
  if (version >= 6) p.push_back(o.no_call_days);
  return p;
}

void hand_out_view(std::shared_ptr<OptionsView> view, const ob_campaign_options& o) {
  for (const void* p : pointers_of(o, o.version))
    if (p) view->keys.push_back(p);
  std::lock_guard lock(views_mutex());
  for (const void* key : view->keys) views()[key] = view;
}

// The options in `view`, as C at version `version`: pointers into `view`.
ob_campaign_options options_of(OptionsView& view, unsigned int version) {
  const auto& c = view.config;
  const auto& windows = view.windows;
  ob_campaign_options o = default_options();
  o.version = version;
  set_scalars(o, c);
  o.name = c.name.c_str();
  o.pacer = c.pacer.c_str();
  o.customer_id_field = c_str_or_null(c.customer_id_field);
  o.voice_application = c_str_or_null(c.voice_application);
  o.caller_id = c_str_or_null(c.caller_id);
  o.abandon_message = c_str_or_null(c.audio.abandon_message);
  o.machine_message = c_str_or_null(c.audio.machine_message);
  view.treatments = from_treatments(c.treatments.rules(), treatment_version_of(version));
  o.treatment_count = c.treatments.rules().size();
  o.treatments = view.treatments.empty() ? nullptr : reinterpret_cast<const ob_treatment*>(view.treatments.data());
  for (const auto& key : windows.zones.keys()) view.zone_names.emplace_back(key, windows.zones.zone_name(key));
  for (const auto& [key, iana] : view.zone_names) view.zones.push_back({key.c_str(), iana.c_str()});
  o.zone_count = view.zones.size();
  o.zones = view.zones.empty() ? nullptr : view.zones.data();
  o.window_from_s = windows.from_s;
  o.window_till_s = windows.till_s;
  o.zone_column = c_str_or_null(windows.zone_column);
  for (const auto& l : c.contact_limits)
    view.limits.push_back({l.max_calls, std::chrono::duration_cast<outbound::Duration>(l.window).count()});
  o.contact_limit_count = view.limits.size();
  o.contact_limits = view.limits.empty() ? nullptr : view.limits.data();
  for (const auto& day : c.no_call_days) view.no_call_days.push_back(day.c_str());
  o.no_call_day_count = view.no_call_days.size();
  o.no_call_days = view.no_call_days.empty() ? nullptr : view.no_call_days.data();
  return o;
}

// Runs `fn(campaign)` serialised with the campaign's engine loop.
template <typename Fn>
auto on_campaign(ob_campaign* c, Fn&& fn) {
  return on_live(c, [&](ob_campaign& h) { return fn(*h.campaign); });
}

// Wakes the finishes waiting on `h` once its last call has ended (loop thread).
void wake_if_drained(ob_campaign& h) {
  if (h.finish_waits.empty() || h.campaign->calls_in_flight() != 0) return;
  for (auto& w : h.finish_waits)
    if (auto wait = w.lock()) wait->wake();
  h.finish_waits.clear();
}

// Runs the loop on this thread, which holds the engine's lock, until the campaign has no call,
// `deadline`, or a call from another thread wants in. Returns true when it should run again
// (once that call is done): it then waits, without the lock, until the callers are in.
bool run_loop_for_calls(EngineCore& core, ob_campaign& h, const FinishWait& wait, outbound::Time deadline,
                        std::unique_lock<std::recursive_mutex>& lock) {
  auto& loop = core.engine->loop();
  auto done = [&] {  // `gone` first: the handle may be freed by a timer callback
    return wait.gone || core.closing || core.blocked_callers > 0 || h.campaign->calls_in_flight() == 0;
  };
  core.finish_runs_loop = true;
  if (!done()) loop.run_until(deadline, done);
  core.finish_runs_loop = false;
  if (wait.gone || core.closing || core.blocked_callers == 0 || loop.now() >= deadline) return false;
  lock.unlock();
  while (core.blocked_callers > 0) std::this_thread::yield();  // until they hold the lock
  return true;
}

// Waits, at most until `deadline` on the engine's clock, for the campaign to have no call in
// flight: by running the loop on this thread, or by sleeping until the engine's own thread ends
// the last call (or stops, or the handle goes). Throws bad_handle once the campaign or its engine
// is freed by another thread.
void wait_for_calls(const std::shared_ptr<EngineCore>& core, ob_campaign* c, outbound::Time deadline) {
  auto wait = std::make_shared<FinishWait>();
  for (;;) {
    const bool drained = on_live(core, c, [&](ob_campaign& h) {
      if (h.campaign->calls_in_flight() == 0) return true;
      FinishWait::add_to(h.finish_waits, wait);  // woken by the last call, or by the handle going
      return false;
    });
    if (drained) return;
    std::unique_lock lock(core->mu);  // not lock(): a finish does not make another yield to it
    if (core->closing) bad_handle("campaign");
    if (!core->thread_running) {
      if (wait->gone) bad_handle("campaign");
      if (!run_loop_for_calls(*core, *c, *wait, deadline, lock)) return;
      continue;
    }
    FinishWait::add_to(core->thread_waits, wait);  // stop_thread() wakes us: the loop is then ours to run
    lock.unlock();
    if (!wait->sleep_until(*core->clock, deadline)) return;
  }
}

// The host's answer as the engine takes it: 0 lets go, a result code vetoes, anything else
// (a code that is no result) fails closed. A C callback cannot throw; call_user is the guard.
std::optional<outbound::CallResult> ask_pre_dial(ob_pre_dial_cb cb, void* user_data, const outbound::PreDialRequest& rq) {
  RecordView record(rq.record);
  ob_pre_dial c{};
  c.version = OB_PRE_DIAL_VERSION;
  c.campaign = rq.campaign.c_str();
  c.list = rq.list.c_str();
  c.phone = rq.phone.c_str();
  c.record = &record.view;
  int answer = 0;
  call_user([&] { answer = cb(user_data, &c); });
  if (answer == 0) return std::nullopt;
  if (!outbound::is_valid_call_result(answer))
    throw outbound::Error(outbound::ErrorCode::invalid_argument,
                          "the pre-dial callback returned " + std::to_string(answer) +
                              ", which is no call result code (0 lets the dial go; a result code vetoes it)");
  return static_cast<outbound::CallResult>(answer);
}

void deliver_event(ob_campaign& h, const outbound::CampaignEvent& e) {
  wake_if_drained(h);
  if (!h.event_cb) return;
  std::optional<RecordView> record;
  if (e.record) record.emplace(*e.record);
  ob_campaign_event c{};
  c.version = OB_CAMPAIGN_EVENT_VERSION;
  c.kind = from_event_kind(e.kind);
  c.campaign = e.campaign.c_str();
  c.record_id = e.record_id;
  c.result = static_cast<int>(e.result);
  c.message = e.message.c_str();
  c.agent_id = e.agent_id.c_str();
  c.handle = e.handle;
  c.record = record ? &record->view : nullptr;
  call_user([&] { h.event_cb(h.event_user_data, &c); });
}

}  // namespace
}  // namespace obc

ob_campaign::~ob_campaign() {
  for (auto& w : finish_waits) {
    if (auto wait = w.lock()) {
      wait->gone = true;
      wait->wake();
    }
  }
}

extern "C" {

int ob_campaign_options_init(ob_campaign_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_CAMPAIGN_OPTIONS_VERSION, "ob_campaign_options");
    auto o = obc::default_options();
    o.version = version;
    obc::copy_version_part(out, &o, obc::campaign_options_size(version));  // an older struct is shorter
  });
}

int ob_campaign_new(ob_campaign** out, ob_engine* engine, const ob_campaign_options* opts, ob_driver* driver,
                    ob_dnc* dnc) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto core = obc::pin(engine);
    auto& d = obc::get(driver, "driver");
    ob_dnc* n = dnc ? &obc::get(dnc, "dnc") : nullptr;
    ob_campaign_options o = obc::default_options();
    if (opts) {
      obc::check_version(opts->version, OB_CAMPAIGN_OPTIONS_VERSION, "ob_campaign_options");
      obc::copy_version_part(&o, opts, obc::campaign_options_size(opts->version));  // newer fields: defaults
    }
    if (d.network && d.network->engine != core)
      obc::fail(ErrorCode::invalid_argument, "driver \"" + d.name + "\" simulates a network of another engine");
    auto config = obc::to_config(o);
    auto window_settings = obc::to_window_settings(o);
    auto windows = obc::to_windows(window_settings);
    *out = core->run([&] {
      if (n) n->home.attach(core, "the DNC list");
      obc::bind_custom_driver(d, core);
      auto handle = std::make_unique<ob_campaign>();
      handle->core = core.get();
      handle->name = config.name;
      handle->windows = std::move(window_settings);
      handle->campaign = &core->engine->add_campaign(config, d.driver, n ? n->dnc : nullptr, windows);
      ob_campaign* h = handle.get();
      handle->campaign->on_event([h](const outbound::CampaignEvent& e) { obc::deliver_event(*h, e); });
      core->campaigns[h->name] = h;
      obc::track(h, obc::Kind::campaign);
      return handle.release();
    });
  });
}

void ob_campaign_free(ob_campaign* campaign) {
  obc::guard([&] {
    if (!campaign || !obc::is_tracked(campaign, obc::Kind::campaign)) return;
    if (obc::t_callback_depth > 0)
      obc::fail(ErrorCode::invalid_state, "ob_campaign_free cannot be called from an event, log or driver callback");
    std::shared_ptr<obc::EngineCore> core;
    try {
      core = obc::pin(campaign);
    } catch (const outbound::Error&) {
      return;  // freed meanwhile by another thread
    }
    core->run([&] {
      if (!obc::is_tracked(campaign, obc::Kind::campaign)) return;  // freed meanwhile, or with its engine
      obc::untrack(campaign);
      auto doomed = std::unique_ptr<ob_campaign>(campaign);
      doomed->core->campaigns.erase(doomed->name);
      doomed->core->engine->remove_campaign(doomed->name);
    });
  });
}

int ob_campaign_options_get(ob_campaign_options* out, ob_campaign* campaign) {
  return obc::guard([&] {
    obc::need(out, "out");
    const unsigned int version = out->version;
    obc::check_version(version, OB_CAMPAIGN_OPTIONS_VERSION, "ob_campaign_options");
    auto view = std::make_shared<obc::OptionsView>();
    // The copy of the settings is made on the loop; the rest of the view is ours alone.
    obc::on_live(campaign, [&](ob_campaign& h) {
      view->config = h.campaign->config();
      view->windows = h.windows;
    });
    auto o = obc::options_of(*view, version);
    obc::hand_out_view(view, o);
    obc::copy_version_part(out, &o, obc::campaign_options_size(version));  // an older struct is shorter
  });
}

void ob_campaign_options_free(ob_campaign_options* options) {
  if (!options) return;
  std::shared_ptr<obc::OptionsView> view;
  {
    std::lock_guard lock(obc::views_mutex());
    auto& views = obc::views();
    for (const void* p : obc::pointers_of(*options, options->version)) {
      auto it = p ? views.find(p) : views.end();
      if (it == views.end()) continue;
      view = it->second;
      for (const void* key : view->keys) views.erase(key);
      break;
    }
  }
  if (!view) return;  // not from ob_campaign_options_get, or freed already
  // What pointed into the view points nowhere now; the caller's own pointers stay.
  auto forget = [&](auto& field) {
    for (const void* key : view->keys)
      if (static_cast<const void*>(field) == key) field = nullptr;
  };
  forget(options->name);
  forget(options->pacer);
  forget(options->customer_id_field);
  forget(options->voice_application);
  forget(options->zone_column);
  forget(options->treatments);
  if (!options->treatments) options->treatment_count = 0;
  forget(options->zones);
  if (!options->zones) options->zone_count = 0;
  if (options->version >= 2) forget(options->caller_id);
  if (options->version >= 4) {
    forget(options->abandon_message);
    forget(options->machine_message);
  }
  if (options->version >= 5) {
    forget(options->contact_limits);
    if (!options->contact_limits) options->contact_limit_count = 0;
  }
  if (options->version >= 6) {
    forget(options->no_call_days);
    if (!options->no_call_days) options->no_call_day_count = 0;
  }
}

int ob_campaign_name(const char** out, ob_campaign* campaign) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto lock = obc::registry_lock();  // the name lives as long as the handle
    if (!campaign || !obc::is_tracked_locked(campaign, obc::Kind::campaign)) obc::bad_handle("campaign");
    *out = campaign->name.c_str();
  });
}

int ob_campaign_add_list(ob_campaign* campaign, ob_list* list, double share) {
  return obc::guard([&] {
    auto core = obc::pin(campaign);
    auto& l = obc::get(list, "list");
    obc::on_live(core, campaign, [&](ob_campaign& h) {
      l.home.attach(core, "the list");  // used on this engine's loop from now on
      h.campaign->add_list(l.list, share);
    });
  });
}

int ob_campaign_load(ob_campaign* campaign) {
  return obc::guard([&] { obc::on_campaign(campaign, [](outbound::Campaign& c) { c.load(); }); });
}

int ob_campaign_start(ob_campaign* campaign) {
  return obc::guard([&] { obc::on_campaign(campaign, [](outbound::Campaign& c) { c.start(); }); });
}

int ob_campaign_stop(ob_campaign* campaign) {
  return obc::guard([&] { obc::on_campaign(campaign, [](outbound::Campaign& c) { c.stop(); }); });
}

int ob_campaign_unload(ob_campaign* campaign) {
  return obc::guard([&] { obc::on_campaign(campaign, [](outbound::Campaign& c) { c.unload(); }); });
}

int ob_campaign_force_unload(ob_campaign* campaign) {
  return obc::guard([&] { obc::on_campaign(campaign, [](outbound::Campaign& c) { c.force_unload(); }); });
}

int ob_campaign_finish(size_t* out, ob_campaign* campaign, int64_t timeout_ms) {
  return obc::guard([&] {
    auto core = obc::pin(campaign);  // kept alive while we wait, whoever frees what meanwhile
    if (timeout_ms < 0 || timeout_ms > obc::kMaxFinishTimeoutMs)
      obc::fail(ErrorCode::invalid_argument, "timeout_ms must lie in [0, " + std::to_string(obc::kMaxFinishTimeoutMs) +
                                                 "] (36,500 days), not " + std::to_string(timeout_ms));
    if (obc::t_callback_depth > 0 || core->engine->loop().in_loop_thread())
      obc::fail(ErrorCode::invalid_state, "ob_campaign_finish cannot be called from a callback: it runs the engine's loop");
    std::size_t cut = 0;
    const bool loaded = obc::on_live(core, campaign, [](ob_campaign& h) {
      if (h.campaign->state() == outbound::CampaignState::not_loaded) return false;
      h.campaign->stop();
      return true;
    });
    if (loaded) {
      const auto now = core->clock->now();
      const auto room = outbound::Time::max() - now;
      const auto wait = outbound::Duration(timeout_ms);
      obc::wait_for_calls(core, campaign, wait >= room ? outbound::Time::max() : now + wait);
      if (core->closing) obc::bad_handle("campaign");
      cut = obc::on_live(core, campaign, [](ob_campaign& h) {
        std::size_t left = h.campaign->calls_in_flight();
        if (left) h.campaign->force_unload();  // the timeout passed: cancel what is left
        else h.campaign->unload();
        return left;
      });
    }
    if (out) *out = cut;
  });
}

int ob_campaign_set_mode(ob_campaign* campaign, int mode, int goal, double target) {
  return obc::guard([&] {
    obc::check_code(OB_ENUM_DIAL_MODE, mode, "mode");
    obc::check_code(OB_ENUM_GOAL, goal, "goal");
    obc::on_campaign(campaign, [&](outbound::Campaign& c) {
      c.set_mode(static_cast<outbound::DialMode>(mode), static_cast<outbound::OptimizationGoal>(goal), target);
    });
  });
}

int ob_campaign_set_treatments(ob_campaign* campaign, const ob_treatment* rules, size_t count) {
  return obc::guard([&] {
    auto core = obc::pin(campaign);
    outbound::TreatmentSet set(obc::to_treatments(rules, count));
    obc::on_live(core, campaign, [&](ob_campaign& h) { h.campaign->set_treatments(std::move(set)); });
  });
}

int ob_campaign_set_agent_state(ob_campaign* campaign, const char* agent_id, int state) {
  return obc::guard([&] {
    obc::need(agent_id, "agent_id");
    obc::check_code(OB_ENUM_AGENT_STATE, state, "agent state");
    obc::on_campaign(campaign, [&](outbound::Campaign& c) {
      c.set_agent_state(agent_id, static_cast<outbound::AgentState>(state));
    });
  });
}

int ob_campaign_agent_state(int* out, ob_campaign* campaign, const char* agent_id) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(agent_id, "agent_id");
    *out = obc::on_campaign(campaign, [&](outbound::Campaign& c) {
      const auto* a = c.agents().find(agent_id);
      if (!a) obc::fail(ErrorCode::not_found, std::string("no agent \"") + agent_id + "\" in campaign " + c.config().name);
      return static_cast<int>(a->state);
    });
  });
}

int ob_campaign_state_get(int* out, ob_campaign* campaign) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::on_campaign(campaign, [](outbound::Campaign& c) { return static_cast<int>(c.state()); });
  });
}

int ob_campaign_mode(int* out, ob_campaign* campaign) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::on_campaign(campaign, [](outbound::Campaign& c) { return static_cast<int>(c.config().mode); });
  });
}

int ob_campaign_stats_get(ob_campaign_stats* out, ob_campaign* campaign) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(out->version, OB_CAMPAIGN_STATS_VERSION, "ob_campaign_stats");
    auto s = obc::on_campaign(campaign, [](outbound::Campaign& c) { return c.stats(); });
    out->dials = s.dials;
    out->live_answers = s.live_answers;
    out->connected = s.connected;
    out->abandoned = s.abandoned;
    out->machines = s.machines;
    out->busy = s.busy;
    out->no_answer = s.no_answer;
    out->sit = s.sit;
    out->other_results = s.other_results;
    out->dnc_blocked = s.dnc_blocked;
    out->window_deferred = s.window_deferred;
    out->record_errors = s.record_errors;
    out->driver_errors = s.driver_errors;
    out->records_finalized = s.records_finalized;
    out->records_rescheduled = s.records_rescheduled;
    out->abandon_rate = s.abandon_rate;
    out->window_abandon_rate = s.window_abandon_rate;
    out->window_live_answers = s.window_live_answers;
    out->agent_occupancy = s.agent_occupancy;
    out->agent_wait_mean_s = s.agent_wait_mean_s;
    out->distribution_time_mean_s = s.distribution_time_mean_s;
    out->agents_logged_in = s.agents_logged_in;
    out->calls_in_flight = s.calls_in_flight;
    out->records_buffered = s.records_buffered;
    if (out->version >= 2) out->lockout_deferred = s.lockout_deferred;  // a version-1 struct ends before it
    if (out->version >= 3) {  // a version-2 struct ends before the answers by class
      out->answered_live = s.answered_live;
      out->answered_machine = s.answered_machine;
      out->answered_fax = s.answered_fax;
      out->answered_silence = s.answered_silence;
      out->answered_unknown = s.answered_unknown;
      out->messages_left = s.messages_left;
    }
    if (out->version >= 4) {  // a version-3 struct ends before the contact limits' counters
      out->contact_deferred = s.contact_deferred;
      out->predial_vetoed = s.predial_vetoed;
    }
    if (out->version >= 5) out->chains_held = s.chains_held;  // a version-4 struct ends before it
  });
}

int ob_campaign_calls_in_flight(size_t* out, ob_campaign* campaign) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::on_campaign(campaign, [](outbound::Campaign& c) { return c.calls_in_flight(); });
  });
}

int ob_campaign_flush(ob_campaign* campaign) {
  return obc::guard([&] { obc::on_campaign(campaign, [](outbound::Campaign& c) { c.flush(); }); });
}

int ob_campaign_set_event_callback(ob_campaign* campaign, ob_campaign_event_cb cb, void* user_data) {
  return obc::guard([&] {
    obc::on_live(campaign, [&](ob_campaign& h) {
      h.event_cb = cb;
      h.event_user_data = user_data;
    });
  });
}

int ob_campaign_set_pre_dial_callback(ob_campaign* campaign, ob_pre_dial_cb cb, void* user_data) {
  return obc::guard([&] {
    obc::on_live(campaign, [&](ob_campaign& h) {
      if (!cb) return h.campaign->set_pre_dial_check({});
      h.campaign->set_pre_dial_check([cb, user_data](const outbound::PreDialRequest& rq) { return obc::ask_pre_dial(cb, user_data, rq); });
    });
  });
}

}  // extern "C"
