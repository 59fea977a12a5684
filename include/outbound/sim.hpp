// outbound — a seeded discrete-event model of callees, agents and the network.
// Everything runs on the engine's EventLoop, so under a ManualClock a whole day
// is deterministic for a given seed. The simulated drivers of the three kinds
// (T-Server, CPD boards, GVP) that dial on it are in outbound/driver/sim.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "outbound/clock.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/export.hpp"
#include "outbound/model.hpp"

namespace outbound::sim {

/// A distribution of durations in seconds.
struct Distribution {
  /// Shape of the distribution.
  enum class Kind { constant, exponential, lognormal, uniform };
  Kind kind = Kind::constant;  ///< shape
  double mean = 0.0;           ///< mean (uniform: midpoint)
  double sd = 0.0;             ///< standard deviation (lognormal), half-width (uniform)
};

/// Builds a Distribution from its name ("lognormal") and parameters; throws Error(invalid_argument).
OB_API Distribution make_distribution(const std::string& kind, double mean, double sd = 0.0);

/// A small, fast, portable generator (xoshiro256**): same seed, same draws, on any platform.
class OB_API Rng {
 public:
  /// A generator seeded with `seed`.
  explicit Rng(std::uint64_t seed);
  /// The next 64 random bits.
  std::uint64_t next() noexcept;
  /// Uniform in [0, 1).
  double uniform() noexcept;
  /// Standard normal (Box-Muller).
  double normal() noexcept;
  /// A draw from `d`, never negative.
  double sample(const Distribution& d) noexcept;

 private:
  std::uint64_t s_[4];
};

/// Relative weights of the SIT kinds among SIT calls (OCS results 11–16).
struct SitMix {
  double invalid_number = 0.40;      ///< 11 sit_invalid_num
  double vacant = 0.25;              ///< 12 sit_vacant
  double operator_intercept = 0.10;  ///< 13 sit_oper_intercept
  double unknown = 0.05;             ///< 14 sit_unknown
  double no_circuit = 0.10;          ///< 15 sit_no_circuit
  double reorder = 0.10;             ///< 16 sit_reorder
};

/// How callees answer. The seven shares sum to 1.
struct NetworkModel {
  double live_answer = 0.30;   ///< share of calls a person answers
  double busy = 0.10;          ///< share that get a busy signal
  double no_answer = 0.45;     ///< share that ring out
  double machine = 0.10;       ///< share an answering machine takes
  double sit = 0.05;           ///< share that get special information tones
  double fax = 0.0;            ///< share a fax machine answers
  double silence = 0.0;        ///< share answered by silence (dead air)
  SitMix sit_kinds;            ///< which SIT a SIT call gets
  Distribution ring{Distribution::Kind::lognormal, 8.0, 4.0};  ///< time until answer, s
  double no_answer_timeout_s = 25.0;  ///< default ring timeout when the request has none
  double patience_s = 2.0;            ///< how long an answered callee waits for an agent before hanging up
  double busy_signal_s = 3.0;         ///< time until a busy result
  double sit_s = 2.0;                 ///< time until a SIT result
  double amd_s = 2.5;                 ///< time to classify a machine, fax or silence after the answer
  double amd_false_positive = 0.0;    ///< share of live answers the detector takes for machines
  double machine_talk_s = 20.0;       ///< agent (or IVR) time on a machine, fax or silence connected undetected
};

/// Throws Error(invalid_argument) unless shares are in [0,1] and sum to 1 (±1e-6),
/// SIT weights are non-negative with a positive sum, and times are positive.
OB_API void validate(const NetworkModel& m);

/// How simulated agents work.
struct AgentModel {
  Distribution talk{Distribution::Kind::lognormal, 180.0, 120.0};  ///< talk time, s
  Distribution wrap{Distribution::Kind::exponential, 15.0, 0.0};   ///< wrap-up time, s
};

/// What the network will do with one call, drawn when it is dialed.
struct CallFate {
  /// The outcome category.
  enum class Kind { live, busy, no_answer, machine, sit, fax, silence };
  Kind kind = Kind::no_answer;  ///< outcome
  double ring_s = 0.0;          ///< seconds until answer (live/machine/fax/silence)
  double patience_s = 2.0;      ///< live: seconds the callee waits for an agent
  bool amd_false_positive = false;  ///< live answer the detector takes for a machine
  CallResult sit_result = CallResult::sit_invalid_num;  ///< sit: which SIT (results 11–16)
};

/// The shared simulated world: draws call fates from the model with one seeded
/// generator. Every simulated driver of a run dials on the same Network, which
/// (with its loop) must outlive the drivers or see them stopped first.
class OB_API Network {
 public:
  /// A network on `loop` (its clock is the simulation clock).
  Network(EventLoop& loop, NetworkModel model, std::uint64_t seed);
  /// Replaces the model from now on (scenario changes).
  void set_model(const NetworkModel& model);
  /// The current model.
  const NetworkModel& model() const { return model_; }
  /// Draws the fate of the next call.
  CallFate draw();
  /// The loop the simulation runs on.
  EventLoop& loop() { return loop_; }
  /// The generator (agents draw their talk and wrap times from it).
  Rng& rng() { return rng_; }

 private:
  EventLoop& loop_;
  NetworkModel model_;
  Rng rng_;
};

}  // namespace outbound::sim
