// outbound — pacing: how many calls to place now.
//
// A Pacer is a pure function of a PacingSnapshot (agents and how long each has
// been in its state, calls in flight, learned statistics, the abandon budget):
// no I/O and no clock reads, so every mode is tested on hand-made snapshots.
// The PacingTracker learns the statistics online from the campaign's events;
// abandon_guard() is the regulatory limit every autonomous pacer obeys.
// docs/pacing.md describes the model, the modes and the baselines.
#pragma once

#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outbound/agents.hpp"
#include "outbound/clock.hpp"
#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound {

/// Dialing modes, with the OCS SDK's numeric order.
enum class DialMode : int {
  none = 0,
  predictive = 1,
  progressive = 2,
  preview = 3,
  progressive_seize = 4,
  predictive_seize = 5,
  power = 6,
  power_seize = 7,
  push_preview = 8,
  progressive_gvp = 9,
  predictive_gvp = 10,
  power_gvp = 11,
};

/// Predictive optimisation goals, with the OCS SDK's numeric order.
enum class OptimizationGoal : int {
  none = 0,
  busy_factor = 1,        ///< share of agent time talking + wrap-up
  overdial_rate = 2,      ///< abandoned / live answers
  wait_time = 3,          ///< agents' mean idle wait between calls, seconds
  distribution_time = 4,  ///< mean time an answered call waits for an agent, seconds
  max_gain = 5,
};

/// Name of a dial mode ("progressive").
OB_API std::string_view to_string(DialMode m) noexcept;
/// Dial mode named `name`, or nullopt.
OB_API std::optional<DialMode> dial_mode_from_string(std::string_view name) noexcept;
/// Name of a goal ("overdial_rate").
OB_API std::string_view to_string(OptimizationGoal g) noexcept;
/// True for modes that place calls without an agent asking (all but preview / push preview).
OB_API bool is_autonomous(DialMode m) noexcept;
/// True for the GVP modes (no agents; capacity is ports).
OB_API bool is_gvp(DialMode m) noexcept;
/// True for the seizing modes (the agent is engaged before the customer is dialed).
OB_API bool is_seizing(DialMode m) noexcept;

/// A learned distribution of a duration: the survival P(T > x) tabulated on a
/// grid, with an exponential tail past the last well-observed point, so
/// conditional probabilities ("this agent has talked 300 s: will it be free
/// within 10 s?") stay defined everywhere. Cheap to copy (shared table).
class OB_API DurationDistribution {
 public:
  /// An empty distribution: nothing learned yet.
  DurationDistribution() = default;
  /// From a tabulated survival: survival[i] = P(T > i * step_s), non-increasing,
  /// survival[0] <= 1; `samples` is the effective number of observations behind it.
  static DurationDistribution from_survival(std::vector<double> survival, double step_s, double samples);
  /// The empirical distribution of `seconds` (equal weights), on a 1 s grid.
  static DurationDistribution from_samples(const std::vector<double>& seconds);
  /// A lognormal with this mean and standard deviation (Boost.Math), on a 1 s grid.
  static DurationDistribution lognormal(double mean_s, double sd_s, double samples = 1e6);
  /// An exponential with this mean (Boost.Math), on a 1 s grid.
  static DurationDistribution exponential(double mean_s, double samples = 1e6);
  /// A duration that is always `seconds`.
  static DurationDistribution constant(double seconds, double samples = 1e6);

  /// True when nothing has been learned.
  bool empty() const noexcept { return !table_; }
  /// Effective number of observations behind the estimate (0 when empty).
  double samples() const noexcept;
  /// P(T > x); 1 for an empty distribution.
  double survival(double x) const noexcept;
  /// P(T <= x).
  double cdf(double x) const noexcept { return 1.0 - survival(x); }
  /// P(T > elapsed + more | T > elapsed), defined even far in the tail.
  double conditional_survival(double elapsed, double more) const noexcept;
  /// The mean (0 when empty).
  double mean() const noexcept;
  /// The smallest x with P(T <= x) >= q (0 when empty).
  double quantile(double q) const noexcept;

 private:
  struct Table;
  explicit DurationDistribution(std::shared_ptr<const Table> t) : table_(std::move(t)) {}
  std::shared_ptr<const Table> table_;
};

/// Counts over a recent period (the last minute or hour).
struct RecentCounts {
  long dials = 0;         ///< calls placed
  long resolved = 0;      ///< calls whose dialing phase ended (their outcome is known)
  long live_answers = 0;  ///< answered by a person
  long abandoned = 0;     ///< live answers that found no agent in time
};

/// The calls placed over a recent period and what became of them so far.
/// Unlike a share of the calls resolved, its live-answer share cannot be
/// biased by which outcomes come back first: every call still dialing is in it.
struct DialOutcomes {
  long dials = 0;    ///< calls placed
  long live = 0;     ///< of them, answered live
  long other = 0;    ///< of them, ended otherwise (busy, no answer, SIT, machine...)
  long cleared = 0;  ///< of them, cleared by the engine or the switch before any outcome
};

/// What the engine has learned from calls so far (running estimates).
/// "Recent" estimates weigh new observations more (exponential forgetting),
/// so they follow a network or a team that changes during the day.
struct PacingStats {
  double now_s = 0.0;                ///< the time of these statistics, seconds since the epoch
  long dials = 0;                    ///< calls placed
  long live_answers = 0;             ///< answered by a person
  long abandoned = 0;                ///< live answers that found no agent in time
  long connected = 0;                ///< live answers joined to an agent
  long resolved = 0;                 ///< calls whose dialing phase ended (answered or released unanswered)
  double live_answer_rate = 0.0;     ///< recent share of resolved calls answered live
  double live_answer_samples = 0.0;  ///< effective number of resolved calls behind live_answer_rate
  double mean_answer_delay_s = 0.0;  ///< dial to live answer (recent)
  double mean_talk_s = 0.0;          ///< connected talk time (recent)
  double mean_wrap_s = 0.0;          ///< wrap-up time (recent)
  double mean_handle_s = 0.0;        ///< talk + wrap
  DurationDistribution answer_delay; ///< dial to live answer, live-answered calls
  DurationDistribution other_delay;  ///< dial to the end of dialing, calls not answered live (busy, no answer, SIT, machine)
  DurationDistribution talk;         ///< an agent's busy (talk) period
  DurationDistribution wrap;         ///< an agent's wrap-up period
  DurationDistribution session;      ///< a connected call's duration (GVP: the IVR session), when the campaign reports it
  double recent_abandon_rate = 0.0;  ///< recent abandoned / live answers
  double recent_live_weight = 0.0;   ///< live answers behind recent_abandon_rate (weights, the newest counting 1)
  double recent_occupancy = 0.0;     ///< recent (busy + wrap) / (busy + wrap + ready + reserved) agent time
  double recent_wait_s = 0.0;        ///< recent agent idle time per connected call
  double recent_distribution_s = 0.0;///< recent mean wait of a live answer for an agent
  RecentCounts last_minute;          ///< the last 60 s
  RecentCounts last_hour;            ///< the last 3600 s
  DialOutcomes recent_dials;         ///< the calls placed in the last 600 s, by what became of them so far
};

/// The abandon budget over the regulatory window (US: 30 days; UK: 24 hours).
struct AbandonBudget {
  double cap_rate = 0.03;        ///< at most this share of live answers abandoned
  long live_in_window = 0;       ///< live answers in the window so far
  long abandoned_in_window = 0;  ///< abandoned in the window so far
  long machines_in_window = 0;   ///< answering-machine detections in the window (UK estimate)
  double amd_false_positive = 0.0;  ///< estimated share of machine detections that were live people (UK; 0 in the US)
  long live_expiring = 0;        ///< live answers that leave the window within the next minute
  long abandoned_expiring = 0;   ///< abandons that leave the window within the next minute
};

/// Everything a pacer may look at.
struct PacingSnapshot {
  DialMode mode = DialMode::progressive;        ///< current mode
  OptimizationGoal goal = OptimizationGoal::none;  ///< predictive goal
  double target = 0.0;                          ///< the goal's target value
  double ratio = 1.0;                           ///< lines per ready agent / free port (progressive, power, fixed ratio)
  int ports = 0;                                ///< GVP ports / channel limit (0: none)
  int agents_logged_in = 0;                     ///< logged in, any state
  int agents_ready = 0;                         ///< waiting for a call
  int agents_reserved = 0;                      ///< held by the engine (engaged in seizing modes)
  int agents_busy = 0;                          ///< talking
  int agents_wrap = 0;                          ///< in wrap-up
  std::vector<double> busy_elapsed_s;           ///< each talking agent's time in state
  std::vector<double> wrap_elapsed_s;           ///< each wrapping agent's time in state
  int calls_dialing = 0;                        ///< placed, not yet answered or released
  std::vector<double> dialing_elapsed_s;        ///< age of each call being dialed
  int calls_waiting = 0;                        ///< answered live, waiting for an agent
  int calls_connected = 0;                      ///< talking to an agent (or an IVR)
  std::vector<double> connected_elapsed_s;      ///< each connected call's time since connection (GVP sessions)
  long records_available = 0;                   ///< records buffered and ready to dial
  double abandon_after_s = 2.0;                 ///< a live answer with no agent by then is abandoned
  PacingStats stats;                            ///< learned statistics
  AbandonBudget abandon;                        ///< the regulatory budget
};

/// Decides how many calls to place now.
class OB_API Pacer {
 public:
  virtual ~Pacer();
  /// Calls to place now (>= 0). Ours are pure: the same snapshot gives the
  /// same answer. Baselines that re-compute a level on a timer keep that level,
  /// a deterministic function of the snapshots they were given.
  virtual int dials_now(const PacingSnapshot& s) = 0;
  /// A short name for reports ("progressive").
  virtual std::string_view name() const = 0;
};

/// Progressive: keep ratio x ready agents' worth of calls in flight.
class OB_API ProgressivePacer final : public Pacer {
 public:
  /// Calls for ready agents, minus those already dialing or waiting.
  int dials_now(const PacingSnapshot& s) override;
  /// "progressive".
  std::string_view name() const override { return "progressive"; }
};

/// What the abandon-rate guard allows now (see abandon_guard()).
struct AbandonAllowance {
  int max_dials = INT_MAX;     ///< most new dials whose worst case keeps the window within the cap
  int protected_dials = 0;     ///< dials that each have a free agent (or port) waiting: no abandon risk
  double slack = 0.0;          ///< cap x live - abandoned over the window (AMD estimate and expiries included)
  double target_scale = 1.0;   ///< 0..1: share of its abandon allowance a pacer may still use
};

/// The abandon-rate guard, used by every autonomous pacer. Worst case: every
/// call beyond the free agents (ports) is answered live and abandoned, every
/// other call is a machine detection counted with the false-positive estimate;
/// new dials are allowed only while that worst case keeps abandoned <= cap x
/// live over the window. Calls for free agents are always allowed (they can
/// only lower the rate). target_scale falls from 1 to 0 as the window's rate
/// climbs through the last tenth below the cap, so pacers ease off before the
/// hard limit binds. Pure; linear in the calls in flight beyond small groups.
OB_API AbandonAllowance abandon_guard(const PacingSnapshot& s);

/// How abandon_guard() computes the chance that the live answers to come cost
/// more than the slack (see docs/pacing.md).
enum class GuardMethod : int {
  automatic = 0,  ///< exact up to 200 calls waiting, dialing and for free agents, the bound beyond
  exact = 1,      ///< the Poisson-binomial distribution, one call at a time: O(calls^2)
  bound = 2,      ///< an upper bound of that chance in O(calls): never allows more dials than exact
};

/// abandon_guard() with a chosen computation (the default is automatic).
OB_API AbandonAllowance abandon_guard(const PacingSnapshot& s, GuardMethod method);

/// Agents (or ports) free now to take an answered call in `s.mode`: ready
/// agents; engaged (reserved) agents in seizing modes; free ports in GVP modes.
OB_API int free_capacity(const PacingSnapshot& s) noexcept;

/// The predictive model's outlook for dialing `n` more calls now, over the
/// next seconds (see docs/pacing.md): what the pacer weighs to decide.
struct PacingOutlook {
  double live = 0.0;            ///< expected live answers from calls waiting, in flight and new
  double abandons = 0.0;        ///< expected abandons among them
  double idle_agents = 0.0;     ///< expected agents (ports) idle when new calls answer
  double distribution_s = 0.0;  ///< expected mean wait of the connected ones
  bool exact = false;           ///< true when computed with exact small-group probabilities
};

/// The outlook of `n` new dials on snapshot `s`; nullopt while too little has
/// been learned to predict (pacers then dial progressively). Pure.
OB_API std::optional<PacingOutlook> pacing_outlook(const PacingSnapshot& s, int n);

/// The pacer for `mode`: `name` "outbound" is ours; other names select the
/// comparison baselines ("fixed_ratio", "vicidial_adapt",
/// "vicidial_adapt_average", "webitel"), re-implemented from their published
/// descriptions. Preview modes get a pacer that never dials.
/// Throws Error(invalid_argument) for an unknown name, Error(unsupported) for
/// a mode the named pacer cannot drive.
OB_API std::unique_ptr<Pacer> make_pacer(DialMode mode, const std::string& name = "outbound");

/// True when `name` names a comparison baseline (make_pacer), not ours.
OB_API bool is_baseline_pacer(const std::string& name) noexcept;

/// `inner` within the abandon guard: its answer, never more than
/// abandon_guard(s).max_dials. Ours apply the guard themselves; a campaign
/// puts a baseline behind it unless told otherwise in a simulation.
OB_API std::unique_ptr<Pacer> guarded(std::unique_ptr<Pacer> inner);

/// How fast the tracker forgets (half-lives in observations).
struct PacingTrackerOptions {
  double outcome_half_life = 200;   ///< resolved calls, for the live-answer rate
  double delay_half_life = 300;     ///< observations, for answer and other delays
  double handle_half_life = 400;    ///< observations, for talk, wrap and session times
  double abandon_half_life = 1000;  ///< live answers, for the recent abandon rate and distribution time
  double agent_time_half_life_s = 900;  ///< seconds, for recent occupancy and wait
};

/// Learns the statistics pacers use, online, from the campaign's call and
/// agent events. Times come in as arguments: it never reads a clock.
class OB_API PacingTracker {
 public:
  /// A tracker with the default forgetting.
  PacingTracker();
  /// A tracker with chosen forgetting.
  explicit PacingTracker(const PacingTrackerOptions& options);
  ~PacingTracker();
  PacingTracker(const PacingTracker&) = delete;
  PacingTracker& operator=(const PacingTracker&) = delete;

  /// A call was placed.
  void on_dial(Time t);
  /// A call was answered (live or machine) `since_dial` after it was placed.
  void on_answer(Time t, bool live, Duration since_dial);
  /// A live answer reached an agent after waiting `wait`.
  void on_connect(Time t, Duration wait);
  /// A live answer was abandoned (no agent in time).
  void on_abandon(Time t);
  /// A call ended with `result`, `since_dial` after it was placed. `answered`
  /// says whether it was answered earlier (on_answer); when not given it is
  /// inferred from the result. `connected_for` is how long it was connected
  /// (to an agent or an IVR), when known: it teaches the session distribution.
  void on_release(Time t, CallResult result, Duration since_dial, std::optional<bool> answered = std::nullopt,
                  std::optional<Duration> connected_for = std::nullopt);
  /// An agent left state `from` for `to` after `in_from` in it.
  void on_agent_state(Time t, AgentState from, AgentState to, Duration in_from);
  /// The statistics as of `now`.
  PacingStats stats(Time now) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outbound
