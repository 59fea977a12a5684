// Entry point of the `outbound` tool: dispatches to a subcommand and turns
// errors into a message and a non-zero exit.
#include <iostream>

#include "cli.hpp"
#include "outbound/error.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: outbound demo [--list FILE] [--out DIR] [--records N] [--agents N] [--hours H] [--seed S] [--mode M] [--fresh]\n"
                 "       outbound sim SCENARIO.json [--plot FILE.svg] [--journal FILE] [--quiet]\n"
                 "       outbound sim --config CONFIG.json --campaign NAME [--in-place] [--hours H] [--seed S] [--start-utc T]\n"
                 "       outbound serve CONFIG.json [--check] [--listen HOST:PORT] [--report FILE]\n"
                 "       outbound amd FILE.wav [--settings JSON] [--details]\n"
                 "  demo:  a predictive day on a SQLite list with simulated agents, with progress, summary and plot\n"
                 "  sim:   a scenario on the simulated network; one JSON report on stdout\n"
                 "  serve: a dialer described by one config file, with an HTTP API, a status page and metrics\n"
                 "  amd:   call progress and answering-machine detection on a recording\n"
                 "outbound demo --help and outbound sim --help explain the options.\n";
    return args.empty() ? 2 : 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "demo") return outbound::cli::run_demo(args);
    if (cmd == "sim") return outbound::cli::run_sim(args);
    if (cmd == "serve") return outbound::cli::run_serve(args);
    if (cmd == "amd") return outbound::cli::run_amd(args);
    std::cerr << "outbound: unknown command \"" << cmd << "\" (outbound --help lists them)\n";
    return 2;
  } catch (const outbound::Error& e) {
    std::cerr << "outbound " << cmd << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "outbound " << cmd << ": " << e.what() << "\n";
    return 1;
  }
}
