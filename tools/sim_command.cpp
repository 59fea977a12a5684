// `outbound sim SCENARIO.json [--plot FILE.svg] [--journal FILE] [--quiet]`:
// one JSON report on stdout, progress on stderr.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "outbound/error.hpp"
#include "sim_run.hpp"

namespace outbound::cli {
namespace {

constexpr const char* kSimUsage =
    "usage: outbound sim SCENARIO.json [--plot FILE.svg] [--journal FILE] [--quiet]\n"
    "Runs the campaign SCENARIO.json describes on the simulated network, under a simulated clock,\n"
    "and prints one JSON report on stdout (progress on stderr). Every scenario key is optional:\n"
    "{} is an 8-hour predictive day with 50 agents (docs/simulation.md lists the keys).\n"
    "\n"
    "  --plot FILE.svg   also draw dials per minute, the abandon rate against its cap, and occupancy\n"
    "  --journal FILE    append every dial, result and write-back to FILE as it happens\n"
    "  --quiet           no progress lines\n"
    "  --help            this text\n"
    "Exit code 0, or 1 when records were left retrieved.\n";

}  // namespace

int run_sim(const std::vector<std::string>& args) {
  std::string scenario_path, plot_path;
  RunOptions run;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kSimUsage;
      return 0;
    } else if (args[i] == "--plot") {
      if (i + 1 >= args.size()) throw Error(ErrorCode::invalid_argument, "--plot needs a file name");
      plot_path = args[++i];
    } else if (args[i] == "--quiet") {
      run.progress = false;
    } else if (args[i] == "--journal") {
      if (i + 1 >= args.size()) throw Error(ErrorCode::invalid_argument, "--journal needs a file name");
      run.journal = args[++i];
    } else if (scenario_path.empty()) {
      scenario_path = args[i];
    } else {
      throw Error(ErrorCode::invalid_argument, "unexpected argument " + args[i]);
    }
  }
  if (scenario_path.empty())
    throw Error(ErrorCode::invalid_argument, "no scenario given (usage: outbound sim SCENARIO.json; outbound sim --help)");
  std::ifstream f(scenario_path);
  if (!f) throw Error(ErrorCode::not_found, "cannot read scenario " + scenario_path);
  std::stringstream text;
  text << f.rdbuf();
  Scenario s = parse_scenario(text.str());
  SimResult r = run_scenario(s, run);
  std::cout << report_json(s, r) << "\n";
  if (!plot_path.empty())
    write_plot_svg(plot_path, s, r, std::string(to_string(s.mode)) + " (" + s.pacer + "), " + std::to_string(s.agents) +
                                        " agents, seed " + std::to_string(s.seed));
  return r.records_retrieved_left == 0 ? 0 : 1;
}

}  // namespace outbound::cli
