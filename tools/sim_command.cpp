// `outbound sim SCENARIO.json [--plot FILE.svg] [--journal FILE] [--quiet]`,
// or a rehearsal of a config file's campaign:
// `outbound sim --config CONFIG.json --campaign NAME [--in-place] [--hours H] [--seed S] [--start-utc T]`.
// One JSON report on stdout, progress on stderr.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "json_reader.hpp"
#include "outbound/error.hpp"
#include "serve/rehearsal.hpp"
#include "sim_run.hpp"

namespace outbound::cli {
namespace {

constexpr const char* kSimUsage =
    "usage: outbound sim SCENARIO.json [--plot FILE.svg] [--journal FILE] [--quiet]\n"
    "       outbound sim --config CONFIG.json --campaign NAME [--in-place] [--hours H] [--seed S] [--start-utc T]\n"
    "Runs the campaign SCENARIO.json describes on the simulated network, under a simulated clock,\n"
    "and prints one JSON report on stdout (progress on stderr). Every scenario key is optional:\n"
    "{} is an 8-hour predictive day with 50 agents (docs/simulation.md lists the keys).\n"
    "\n"
    "  --plot FILE.svg   also draw dials per minute, the abandon rate against its cap, and occupancy\n"
    "  --journal FILE    append every dial, result and write-back to FILE as it happens\n"
    "  --quiet           no progress lines\n"
    "  --help            this text\n"
    "The --config form rehearses a campaign of an `outbound serve` config file on a copy of its list\n"
    "(--in-place: on the list itself; docs/serve.md).\n"
    "Exit code 0, or 1 when records were left retrieved.\n";

struct SimArgs {
  bool help = false;
  std::string scenario_path, plot_path, config_path, campaign;
  serve::RehearsalOptions rehearsal;
  RunOptions run;
};

SimArgs parse_sim_args(const std::vector<std::string>& args) {
  SimArgs a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(ErrorCode::invalid_argument, args[i] + " needs a value");
      return args[++i];
    };
    auto positive = [&](const std::string& flag, const std::string& v) {
      try {
        std::size_t used = 0;
        double d = std::stod(v, &used);
        if (used == v.size() && d > 0) return d;
      } catch (const std::logic_error&) {
      }
      throw Error(ErrorCode::invalid_argument, flag + " needs a positive number, not \"" + v + "\"");
    };
    if (args[i] == "--help" || args[i] == "-h") a.help = true;
    else if (args[i] == "--plot") a.plot_path = value();
    else if (args[i] == "--quiet") a.run.progress = false;
    else if (args[i] == "--journal") a.run.journal = value();
    else if (args[i] == "--config") a.config_path = value();
    else if (args[i] == "--campaign") a.campaign = value();
    else if (args[i] == "--in-place") a.rehearsal.in_place = true;
    else if (args[i] == "--hours") a.rehearsal.hours = positive("--hours", value());
    else if (args[i] == "--seed") a.rehearsal.seed = static_cast<std::uint64_t>(positive("--seed", value()));
    else if (args[i] == "--start-utc") {
      const std::string v = value();
      try {
        a.rehearsal.start = parse_utc_text(v, "--start-utc");
      } catch (const JsonPathError& e) {
        throw Error(ErrorCode::invalid_argument, e.path() + ": " + e.what());
      }
    } else if (a.scenario_path.empty() && args[i].rfind("--", 0) != 0) a.scenario_path = args[i];
    else throw Error(ErrorCode::invalid_argument, "unexpected argument " + args[i] + " (outbound sim --help lists the options)");
  }
  if (a.help) return a;
  const bool rehearsal = !a.config_path.empty() || !a.campaign.empty();
  if (rehearsal && (a.config_path.empty() || a.campaign.empty() || !a.scenario_path.empty()))
    throw Error(ErrorCode::invalid_argument, "a rehearsal is `outbound sim --config CONFIG.json --campaign NAME [--in-place]`");
  if (!rehearsal && (a.rehearsal.in_place || a.rehearsal.hours || a.rehearsal.seed || a.rehearsal.start))
    throw Error(ErrorCode::invalid_argument, "--in-place, --hours, --seed and --start-utc go with --config (scenarios set them as keys)");
  if (!rehearsal && a.scenario_path.empty())
    throw Error(ErrorCode::invalid_argument, "no scenario given (usage: outbound sim SCENARIO.json | outbound sim --config CONFIG.json --campaign NAME; outbound sim --help)");
  return a;
}

Scenario read_scenario(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error(ErrorCode::not_found, "cannot read scenario " + path);
  std::stringstream text;
  text << f.rdbuf();
  return parse_scenario(text.str());
}

}  // namespace

int run_sim(const std::vector<std::string>& args) {
  SimArgs a = parse_sim_args(args);
  if (a.help) {
    std::cout << kSimUsage;
    return 0;
  }
  Scenario s = a.config_path.empty() ? read_scenario(a.scenario_path)
                                     : serve::rehearsal_scenario(serve::load_config(a.config_path), a.campaign, a.rehearsal);
  SimResult r = run_scenario(s, a.run);
  std::cout << report_json(s, r) << "\n";
  if (!a.plot_path.empty())
    write_plot_svg(a.plot_path, s, r, std::string(to_string(s.mode)) + " (" + s.pacer + "), " + std::to_string(s.agents) +
                                          " agents, seed " + std::to_string(s.seed));
  return r.records_retrieved_left == 0 ? 0 : 1;
}

}  // namespace outbound::cli
