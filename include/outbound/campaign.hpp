// outbound — a campaign group: calling lists, agents, a driver, pacing,
// treatments, DNC and calling windows, driven on the engine's loop.
//
// A record's way: retrieved from a list into the buffer (whole chains), past
// the compliance gate (DNC, calling window), dialed when the pacer says so,
// its call events tracked, its result run through the treatments, and the
// updates written back. Nothing is lost on stop: buffered records return to
// ready and calls in flight finish and are updated.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbound/agents.hpp"
#include "outbound/call.hpp"
#include "outbound/call_log.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/clock.hpp"
#include "outbound/dnc.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/export.hpp"
#include "outbound/pacing.hpp"
#include "outbound/timezone.hpp"
#include "outbound/treatment.hpp"

namespace outbound {

class Driver;  // the dialer driver (include/outbound/driver/driver.hpp)

/// Campaign group states (OCS numbering).
enum class CampaignState : int {
  not_loaded = 0,          ///< nothing held
  waiting_unload = 1,      ///< unload asked; calls in flight are finishing
  unload_in_progress = 2,  ///< writing back and releasing records
  inactive = 3,            ///< loaded, not dialing
  active = 4,              ///< started, nothing to dial right now (no agents or records)
  running = 5,             ///< dialing
};
/// Name of a campaign state ("running").
OB_API std::string_view to_string(CampaignState s) noexcept;

/// The regulatory abandon cap: at most `rate` of live answers abandoned over `window`.
struct AbandonCap {
  double rate = 0.03;                          ///< e.g. 0.03 (US, UK)
  Duration window = std::chrono::hours(720);   ///< e.g. 30 days (US) or 24 h (UK)
  double amd_false_positive = 0.0;             ///< UK: estimated share of machine detections that were people
};

/// A contact limit: at most `max_calls` dials of one number within any `window` (e.g. 3 in 24 h),
/// counted over every campaign and list sharing the call log.
struct ContactLimit {
  int max_calls = 3;                          ///< dials allowed in the window (>= 1)
  Duration window = std::chrono::hours(24);   ///< the rolling window (> 0)
};

/// What the pre-dial check is asked about: the record the gate let through, about to be dialed.
struct PreDialRequest {
  std::string campaign;  ///< campaign group name
  std::string list;      ///< calling list (table) of the record
  std::string phone;     ///< the number to dial (E.164 when it reads as one)
  Record record;         ///< the record's fields, custom fields included
};

/// The host's pre-dial check (OCS pre-dial validation): nullopt lets the dial go; a result vetoes
/// it, and the record is closed with that result through the treatments, undialed.
using PreDialCheck = std::function<std::optional<CallResult>(const PreDialRequest&)>;

/// What load does with records whose zone key (tz_dbid, or the zone column's value) the zone map
/// lacks. Records with no zone key at all are zoned by their number (CallingWindows).
enum class UnknownZones : int {
  refuse = 0,        ///< load fails, naming each missing key and how many records carry it (default)
  from_numbers = 1,  ///< such records are zoned by their phone number's zones
  errors = 2,        ///< such records become final dial errors at load
};
/// Name of an UnknownZones choice ("from_numbers").
OB_API std::string_view to_string(UnknownZones u) noexcept;

/// The most records one retrieval may ask for (CampaignConfig::chunk_size): a chunk is held in memory.
inline constexpr std::size_t kMaxChunkSize = 100000;

/// How a campaign group dials. Every duration lies in [0, kMaxDurationOption] (tick and
/// flush_interval at least 1 ms); the constructor refuses others with Error(invalid_argument).
struct CampaignConfig {
  std::string name = "campaign";         ///< campaign group name
  int campaign_id = 1;                   ///< the campaign_id written on records it adds
  DialMode mode = DialMode::progressive; ///< dialing mode
  OptimizationGoal goal = OptimizationGoal::overdial_rate;  ///< predictive goal
  double target = 0.03;                  ///< the goal's target
  std::string pacer = "outbound";        ///< pacer name: ours, or a baseline (see make_pacer), which dials behind the abandon guard
  double ratio = 1.0;                    ///< lines per ready agent (progressive)
  int ports = 0;                         ///< GVP ports / channel limit (0: the driver's)
  std::size_t chunk_size = 100;          ///< records per retrieval
  std::size_t low_water = 0;             ///< refill when fewer are buffered (0: chunk_size / 2)
  Duration tick{1000};                   ///< pacing and housekeeping period
  Duration pace_interval{250};           ///< at most one pacing decision per this (events in between wait)
  Duration flush_interval{1000};         ///< how often results are written back
  Duration empty_list_backoff{30000};    ///< wait before asking an empty list again
  Duration abandon_after{2000};          ///< a live answer with no agent by then is abandoned
  /// Engine routing (drivers with connects_on_request): an agent whose connect the driver neither
  /// completes nor fails by then is put not ready and the call abandoned (0: wait for the driver).
  Duration agent_answer_timeout{3000};
  AbandonCap abandon_cap;                ///< the regulatory cap the pacer must hold
  AmdMode amd = AmdMode::detect_drop;    ///< answering machine handling
  CampaignAudio audio;                   ///< AMD settings, abandon and machine messages, opt-out digit: sent with every dial
  Duration ring_timeout{25000};          ///< ring this long before no answer (>= 15 s)
  std::string caller_id;                 ///< number presented to the called party (US TSR, Ofcom); "": the network's default
  std::string customer_id_field;         ///< custom field holding the DNC customer id
  std::string voice_application;         ///< GVP application name
  TreatmentSet treatments;               ///< what to do after each result
  bool wait_for_desktop = false;         ///< a connected call's record waits for the desktop's record processed
  Duration desktop_timeout{std::chrono::minutes(10)};  ///< then it is finished with the network's result
  Duration callback_wait{std::chrono::minutes(5)};     ///< how long a due personal callback waits for its agent
  Duration abandoned_redial_lockout{0};  ///< no redial of an abandoned number sooner (UK: 72 h; 0: off)
  bool auto_complete = false;            ///< stop and unload once no record is left to dial
  int max_attempts = 0;                  ///< never dial a record more often than this (0: no cap)
  // --- contact limits (issue 17) ---
  /// Per-number dial limits over rolling windows, from the call log (needs set_call_log): a number
  /// at its limit is deferred until its oldest dial leaves the window. Empty: none.
  std::vector<ContactLimit> contact_limits;
  // --- load checks and no-call days (issue 17 items 2 and 6)
  UnknownZones unknown_zones = UnknownZones::refuse;  ///< records whose zone key the zone map lacks
  /// Days not to call, each a local date "YYYY-MM-DD" or a weekday "sun".."sat", in every zone, or in
  /// one tz database zone when "Zone/Name:" comes first ("America/New_York:2026-07-04"). A record is
  /// dialed only on a local day that is a no-call day in none of its zones; otherwise it is deferred
  /// to the next such day's first instant (never closed). Needs calling-window zones. Empty: none.
  std::vector<std::string> no_call_days;
};

/// Whom a rescheduled record is for.
enum class CallbackKind : int {
  personal = 0,  ///< the agent who asked (record_type personal callback)
  campaign = 1,  ///< any agent of the campaign (record_type campaign callback)
};

/// How far a desktop's do-not-call request reaches.
enum class DncScope : int {
  record = 0,  ///< this record's phone number
  chain = 1,   ///< every number of the record's chain, and its customer id
};

/// A record handed to an agent's desktop, named by its handle in requests.
struct DesktopRecord {
  std::int64_t handle = 0;  ///< the record handle (unique in the process)
  std::string campaign;     ///< campaign group name
  std::string list;         ///< calling list (table) name
  std::string agent_id;     ///< the agent who holds it
  Record record;            ///< the record's fields, custom fields included
};

/// Counters and averages of a campaign group.
struct CampaignStats {
  long dials = 0;               ///< calls placed
  long live_answers = 0;        ///< answered by a person
  long connected = 0;           ///< live answers joined to an agent
  long abandoned = 0;           ///< live answers with no agent in time
  long machines = 0;            ///< answering machines
  long busy = 0;                ///< busy results
  long no_answer = 0;           ///< rang out
  long sit = 0;                 ///< SIT results
  long other_results = 0;       ///< any other result
  long dnc_blocked = 0;         ///< records not dialed because of DNC
  long window_deferred = 0;     ///< chains returned because their window was closed
  long lockout_deferred = 0;    ///< chains rescheduled: their number's last call was abandoned within the lockout
  long chains_held = 0;         ///< chains put back until a record of theirs scheduled later (callback, reschedule) is due
  long record_errors = 0;       ///< records marked as errors (bad phone, unknown zone, malformed)
  long driver_errors = 0;       ///< dials the driver refused
  long records_finalized = 0;   ///< records made final
  long records_rescheduled = 0; ///< records given a later dial time
  double abandon_rate = 0.0;    ///< abandoned / live answers over the run
  double window_abandon_rate = 0.0;  ///< abandoned / live answers over the cap window
  long window_live_answers = 0;      ///< live answers inside the cap window
  double agent_occupancy = 0.0; ///< busy factor over the run
  double agent_wait_mean_s = 0.0;      ///< mean agent wait between calls
  double distribution_time_mean_s = 0.0;  ///< mean answer-to-agent time of connected calls
  int agents_logged_in = 0;     ///< agents logged in now
  int calls_in_flight = 0;      ///< calls the driver holds now
  std::size_t records_buffered = 0;  ///< records held in the buffer now
  long answered_live = 0;       ///< answers the driver classified live
  long answered_machine = 0;    ///< answers classified as answering machines
  long answered_fax = 0;        ///< answers classified as fax
  long answered_silence = 0;    ///< answers classified as silence (dead air)
  long answered_unknown = 0;    ///< answers the driver could not classify (treated as live)
  long messages_left = 0;       ///< machine messages left (the driver said so on release)
  // --- contact limits and the pre-dial check (issue 17) ---
  long contact_deferred = 0;    ///< chains rescheduled: their number reached a contact limit
  long predial_vetoed = 0;      ///< records the host's pre-dial check vetoed (closed undialed)
};

/// What a campaign tells its subscribers.
struct CampaignEvent {
  /// Kinds of campaign events.
  enum class Kind {
    loaded, started, stopped, unloaded, mode_changed, state_changed,
    record_error, driver_error, database_error, call_finished, info,
    preview_record, preview_record_empty, chained_record, record_delivered, scheduled_call, completed, error,
    dialing, written, idle
  };
  Kind kind = Kind::info;       ///< what happened
  std::string campaign;         ///< campaign group name
  std::int64_t record_id = 0;   ///< the record concerned, if any
  CallResult result = CallResult::unknown;  ///< for call_finished
  std::string message;          ///< human-readable detail
  std::string agent_id;         ///< for desktop events: the agent it is for
  std::int64_t handle = 0;      ///< for desktop events: the record handle
  std::optional<Record> record; ///< for desktop events: the record's fields
};

/// Name of a campaign event kind ("preview_record").
OB_API std::string_view to_string(CampaignEvent::Kind k) noexcept;

/// Calls the driver holds now, by where they are in their life.
struct CallCounts {
  int dialing = 0;    ///< placed; the far end neither rings nor answered yet
  int ringing = 0;    ///< the far end rings
  int waiting = 0;    ///< answered by a person, waiting for an agent
  int connected = 0;  ///< joined to an agent (or an IVR application)
  int other = 0;      ///< answered by a machine, fax or silence, or abandoned, not yet released
};

/// A third-party cancel (OCS): the records with this phone number, or of this customer.
struct CancelRequest {
  std::string phone;        ///< any format; compared in E.164 ("" when by customer id)
  std::string customer_id;  ///< the value of the campaign's customer_id_field
};

/// What a cancel request did.
struct CancelOutcome {
  std::vector<std::int64_t> cancelled;    ///< records now cancelled (ready in a list, or buffered)
  std::vector<std::int64_t> in_progress;  ///< records in a call, on a desktop or waiting for their agent: left as they are
};

/// A list dialed by a campaign group, with its share of the dials.
struct ListShare {
  std::shared_ptr<CallingList> list;  ///< the list
  double share = 1.0;                 ///< relative share of retrievals
};

/// One campaign group on an engine loop. All calls on the loop thread.
class OB_API Campaign {
 public:
  /// A campaign on `loop` dialing through `driver`; `dnc` may be null (no DNC list).
  Campaign(EventLoop& loop, CampaignConfig config, std::shared_ptr<Driver> driver, std::shared_ptr<DncList> dnc,
           CallingWindows windows = {});
  ~Campaign();
  Campaign(const Campaign&) = delete;
  Campaign& operator=(const Campaign&) = delete;

  /// Adds a list to dial (before load, or while loaded).
  void add_list(std::shared_ptr<CallingList> list, double share = 1.0);
  /// Logs every call to `log` (compliance records); at load the log also gives the abandon window
  /// and the numbers abandoned within abandoned_redial_lockout, across restarts and campaigns. Before load.
  void set_call_log(std::shared_ptr<CallLog> log);
  /// Asks `check` before each dial the engine places (after the gate passed); an empty function
  /// removes it. A check that throws vetoes: the record is closed as dial_error, undialed.
  void set_pre_dial_check(PreDialCheck check);
  /// Loads: recovers records a crashed run left retrieved, marks unknown zones, starts the driver.
  void load();
  /// Starts dialing.
  void start();
  /// Stops dialing: buffered records return to ready; calls in flight finish and are updated.
  /// Called from an event handler, stop/unload/force_unload take effect once the handler returns.
  void stop();
  /// Unloads once calls in flight have finished (waiting_unload until then).
  void unload();
  /// Unloads now: calls in flight are cancelled and their records return to ready (the attempt stays counted).
  void force_unload();
  /// Switches mode (and goal); preview <-> autonomous modes need a stop first.
  void set_mode(DialMode mode, OptimizationGoal goal = OptimizationGoal::none, double target = 0.0);
  /// Replaces the treatments; calls under way keep the rules they started with.
  void set_treatments(TreatmentSet treatments);
  /// Simulation only (the pacing comparison): a baseline pacer dials as published, without
  /// the abandon guard. Error(invalid_state) unless the engine's clock is manual: a campaign on
  /// a real clock always dials within the guard. Takes effect at the next load or set_mode.
  void run_baseline_unguarded();
  /// Sets an agent's state (hosts whose driver does not report agents).
  void set_agent_state(const std::string& agent_id, AgentState state);

  // --- desktop requests (OCS desktop protocol): each is validated; an invalid one throws
  // Error (not_found, invalid_argument, invalid_state, compliance_blocked) and changes nothing.

  /// Preview modes: the next dialable record for `agent_id`, or nullopt (and a preview_record_empty event).
  std::optional<DesktopRecord> preview_record_request(const std::string& agent_id);
  /// The next record of the chain of `handle`'s record, held by the same agent; nullopt at the chain's end.
  std::optional<DesktopRecord> chained_record_request(const std::string& agent_id, std::int64_t handle);
  /// Adds a record to the campaign's first list (record_id must be new); returns its record_id.
  std::int64_t add_record(const std::string& agent_id, Record record);
  /// Interim: sets the call result the record will carry, without finishing it.
  void update_call_completion_stats(const std::string& agent_id, std::int64_t handle, CallResult result);
  /// Final: the record is done with `result` (the network's result when nullopt); treatments apply.
  void record_processed(const std::string& agent_id, std::int64_t handle, std::optional<CallResult> result = {});
  /// Preview: the agent will not dial this record; it returns to ready.
  void record_reject(const std::string& agent_id, std::int64_t handle);
  /// The record is cancelled (record_status cancelled); it is not dialed again.
  void record_cancel(const std::string& agent_id, std::int64_t handle);
  /// The record is called back at `at` (a personal or campaign callback); `at` must be ahead and inside its window.
  void record_reschedule(const std::string& agent_id, std::int64_t handle, EpochSeconds at, CallbackKind kind);
  /// Moves an already scheduled record of this campaign (by record_id) to `at`.
  void scheduled_record_reschedule(const std::string& agent_id, std::int64_t record_id, EpochSeconds at, CallbackKind kind);
  /// Puts the record's number (or its whole chain and customer id) on the DNC list; effective at once, persisted
  /// (a table locked over 100 ms: queued and written later, a database_error event says so; stop writes it).
  void do_not_call(const std::string& agent_id, std::int64_t handle, DncScope scope, const std::string& message = {});
  /// Puts a bare phone number on the DNC list; effective at once, persisted (queued as do_not_call() says).
  void do_not_call_number(const std::string& phone, const std::string& message = {});
  /// The agent expects to be ready in `in` (a hint for predictive pacing).
  void ready_time(const std::string& agent_id, Duration in);
  /// The agent logs out: records it holds return to ready.
  void logout(const std::string& agent_id);
  /// Records an agent holds on its desktop.
  std::vector<DesktopRecord> desktop_records(const std::string& agent_id) const;
  /// Third-party cancel: every record of the campaign's lists (passing their
  /// filters) with this phone number or customer id that is ready or buffered
  /// becomes cancelled; records in a call or on a desktop are reported, not
  /// touched. Error(invalid_argument) for a number that is no phone number,
  /// or a customer id when the campaign has no customer_id_field.
  CancelOutcome cancel_records(const CancelRequest& request);

  /// The current state.
  CampaignState state() const;
  /// The configuration, with the mode, goal, target and treatments in force now.
  const CampaignConfig& config() const;
  /// Counters so far.
  CampaignStats stats() const;
  /// The agents.
  const AgentPool& agents() const;
  /// Calls the driver holds now.
  std::size_t calls_in_flight() const;
  /// Calls the driver holds now, by phase (dialing, ringing, waiting for an agent…).
  CallCounts call_counts() const;
  /// Writes pending results back now.
  void flush();
  /// Subscribes to campaign events (called on the loop thread).
  void on_event(std::function<void(const CampaignEvent&)> handler);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared: driver events posted to the loop hold it weakly
};

}  // namespace outbound
