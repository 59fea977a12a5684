// outbound — pacing: how many calls to place now.
//
// A Pacer is a pure function of a PacingSnapshot (agents and how long each has
// been in its state, calls in flight, learned statistics, the abandon budget):
// no I/O and no clock reads, so every mode is tested on hand-made snapshots.
#pragma once

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

/// What the engine has learned from calls so far (running estimates).
struct PacingStats {
  long dials = 0;                    ///< calls placed
  long live_answers = 0;             ///< answered by a person
  long abandoned = 0;                ///< live answers that found no agent in time
  double live_answer_rate = 0.0;     ///< smoothed live answers per dial
  double mean_answer_delay_s = 0.0;  ///< dial to live answer
  double mean_talk_s = 0.0;          ///< connected talk time
  double mean_wrap_s = 0.0;          ///< wrap-up time
  double mean_handle_s = 0.0;        ///< talk + wrap
};

/// The abandon budget over the regulatory window.
struct AbandonBudget {
  double cap_rate = 0.03;        ///< at most this share of live answers abandoned
  long live_in_window = 0;       ///< live answers in the window so far
  long abandoned_in_window = 0;  ///< abandoned in the window so far
};

/// Everything a pacer may look at.
struct PacingSnapshot {
  DialMode mode = DialMode::progressive;        ///< current mode
  OptimizationGoal goal = OptimizationGoal::none;  ///< predictive goal
  double target = 0.0;                          ///< the goal's target value
  double ratio = 1.0;                           ///< lines per agent (progressive) / max for predictive
  int ports = 0;                                ///< GVP ports / channel limit (0: none)
  int agents_logged_in = 0;                     ///< logged in, any state
  int agents_ready = 0;                         ///< waiting for a call
  int agents_reserved = 0;                      ///< held by the engine
  int agents_busy = 0;                          ///< talking
  int agents_wrap = 0;                          ///< in wrap-up
  std::vector<double> busy_elapsed_s;           ///< each talking agent's time in state
  std::vector<double> wrap_elapsed_s;           ///< each wrapping agent's time in state
  int calls_dialing = 0;                        ///< placed, not yet answered or released
  std::vector<double> dialing_elapsed_s;        ///< age of each call being dialed
  int calls_waiting = 0;                        ///< answered live, waiting for an agent
  int calls_connected = 0;                      ///< talking to an agent (or an IVR)
  long records_available = 0;                   ///< records buffered and ready to dial
  PacingStats stats;                            ///< learned statistics
  AbandonBudget abandon;                        ///< the regulatory budget
};

/// Decides how many calls to place now.
class OB_API Pacer {
 public:
  virtual ~Pacer();
  /// Calls to place now (>= 0). Pure: the same snapshot gives the same answer.
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

/// The pacer for `mode`: `name` "outbound" is ours; other names select the
/// comparison baselines ("fixed_ratio", "vicidial_adapt", "webitel").
/// Throws Error(invalid_argument) for an unknown name, Error(unsupported) for
/// a mode the named pacer cannot drive.
OB_API std::unique_ptr<Pacer> make_pacer(DialMode mode, const std::string& name = "outbound");

/// Learns the statistics pacers use, online, from the campaign's call and
/// agent events. Times come in as arguments: it never reads a clock.
class OB_API PacingTracker {
 public:
  PacingTracker();
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
  /// A call ended with `result`, `since_dial` after it was placed.
  void on_release(Time t, CallResult result, Duration since_dial);
  /// An agent left state `from` for `to` after `in_from` in it.
  void on_agent_state(Time t, AgentState from, AgentState to, Duration in_from);
  /// The statistics as of `now`.
  PacingStats stats(Time now) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outbound
