// Running a scenario: a campaign on a simulated network under a manual clock,
// sampled every simulated minute for the report and the plot.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outbound/campaign.hpp"
#include "list_copy.hpp"
#include "scenario.hpp"

namespace outbound::cli {

/// One simulated minute.
struct MinuteSample {
  double t_h = 0;               ///< hours since the start (end of the minute)
  long dials = 0;               ///< calls placed in the minute
  long live = 0;                ///< live answers in the minute
  long abandoned = 0;           ///< abandoned in the minute
  double window_rate = 0;       ///< abandon rate over the cap window at the minute's end
  double occupancy = 0;         ///< busy factor during the minute
  int agents = 0;               ///< agents logged in
};

/// One simulated hour.
struct HourSample {
  long dials = 0, live = 0, abandoned = 0;  ///< counts in the hour
  double occupancy = 0;                     ///< busy factor during the hour
};

/// What a run produced.
struct SimResult {
  long dials = 0, live_answers = 0, abandoned = 0, connected = 0, machine = 0, busy = 0, no_answer = 0, sit = 0;
  double abandon_rate = 0, max_window_abandon_rate = 0, agent_occupancy = 0, agent_wait_mean_s = 0,
         distribution_time_mean_s = 0;
  long records_final = 0, records_retrieved_left = 0, records_total = 0, dnc_blocked = 0, record_errors = 0;
  long long call_log_rows = 0;  ///< rows in the call log table at the end (all runs on it); 0 without one
  /// Answers by class as the driver classified them ("live", "machine", "fax", "silence", "unknown")
  /// and machine messages left ("messages_left").
  std::map<std::string, long> answers;
  double sim_s = 0, wall_s = 0;
  std::vector<MinuteSample> minutes;  ///< the run minute by minute
  std::vector<HourSample> hours;      ///< and hour by hour
  std::map<std::string, long> records_by_status;  ///< the list at the end, by record_status name
  std::optional<TableCopy> list_copy;  ///< where the run's copy of the list is (not in place)
  // Over SIP only:
  std::map<int, long> sip_final_responses;  ///< customer INVITEs' final responses by status code
  std::optional<double> connect_ms_median, connect_ms_p99;  ///< live answer -> agent bridged

  /// The highest abandon rate of any hour (one hour only: the cap holds over its window).
  double max_hour_abandon_rate() const {
    double m = 0;
    for (const auto& h : hours)
      if (h.live) m = std::max(m, static_cast<double>(h.abandoned) / static_cast<double>(h.live));
    return m;
  }
};

/// Options of a run that are not part of the scenario.
struct RunOptions {
  bool progress = true;     ///< progress lines on stderr
  std::string journal;      ///< append every dial and result to this file (crash tests)
  /// Called after every simulated minute (live displays).
  std::function<void(const MinuteSample&, const CampaignStats&)> on_minute;
};

/// Runs `s`.
SimResult run_scenario(const Scenario& s, const RunOptions& options);

/// The report as one JSON object (keys of the `./run sim` contract, plus hourly figures).
std::string report_json(const Scenario& s, const SimResult& r);

/// Mean occupancy of minute `i` and the `span - 1` minutes before it (what the plot draws).
inline double occupancy_mean(const SimResult& r, std::size_t i, std::size_t span = 5) {
  const std::size_t from = i + 1 >= span ? i + 1 - span : 0;
  double sum = 0;
  for (std::size_t k = from; k <= i; ++k) sum += r.minutes[k].occupancy;
  return sum / static_cast<double>(i - from + 1);
}

/// A moment to mark on a plot, with a short label ("Chicago opens").
struct PlotMarker {
  double t_h = 0;     ///< hours since the start
  std::string label;  ///< written beside the mark
};

/// Writes an SVG of dials per minute, abandon rate against its cap, and occupancy,
/// with `markers` as vertical lines across the panels.
void write_plot_svg(const std::string& path, const Scenario& s, const SimResult& r, const std::string& title,
                    const std::vector<PlotMarker>& markers = {});

}  // namespace outbound::cli
