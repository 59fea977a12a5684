// `outbound serve CONFIG.json [--check] [--listen HOST:PORT] [--report FILE]`: runs the dialer of
// a config file with its HTTP API, status page and metrics until SIGINT or
// SIGTERM, then stops dialing, lets calls finish and unloads.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <random>

#include "../cli.hpp"
#include "api.hpp"
#include "config.hpp"
#include "dialer.hpp"
#include "http_server.hpp"
#include "outbound/error.hpp"

namespace outbound::cli {
namespace {

// 128 bits from the system's random source, as hex.
std::string random_token() {
  std::random_device rd;
  std::string out;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    unsigned v = rd();
    for (int k = 0; k < 4; ++k) {
      out += hex[(v >> (k * 8 + 4)) & 15];
      out += hex[(v >> (k * 8)) & 15];
    }
  }
  return out;
}

// Signals are blocked in every thread and taken by sigwait in main.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
  std::string config_path, report_path, listen;
  bool check = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--check") check = true;
    else if (args[i] == "--report" && i + 1 < args.size()) report_path = args[++i];
    else if (args[i] == "--listen" && i + 1 < args.size()) listen = args[++i];
    else if (config_path.empty() && args[i].rfind("--", 0) != 0) config_path = args[i];
    else throw Error(ErrorCode::invalid_argument, "usage: outbound serve CONFIG.json [--check] [--listen HOST:PORT] [--report FILE]");
  }
  if (config_path.empty())
    throw Error(ErrorCode::invalid_argument, "usage: outbound serve CONFIG.json [--check] [--listen HOST:PORT] [--report FILE]");
  serve::ServeConfig config = serve::load_config(config_path);
  if (!listen.empty()) serve::override_listen(config, listen);
  if (check) {
    std::cout << "config " << config_path << " is valid: " << config.campaigns.size() << " campaign(s)\n";
    return 0;
  }
  if (!config.http.token_configured) config.http.token = random_token();

  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: they inherit the mask

  serve::Dialer dialer(config);
  dialer.set_report_path(report_path);
  serve::Api api(dialer, config.http.token);
  serve::HttpServer server(dialer, api, config.http);
  dialer.start();
  server.start();
  std::cout << "outbound serve: listening on http://" << (config.http.address.find(':') != std::string::npos ? "[" + config.http.address + "]" : config.http.address)
            << ":" << server.port() << "/ (engine " << config.engine_id << ", " << config.campaigns.size() << " campaign(s), "
            << (config.clock.simulated ? "simulated clock x" + fmt_fixed(config.clock.speed, 0) : std::string("wall clock")) << ")"
            << std::endl;
  if (!config.http.token_configured)
    std::cout << "outbound serve: no token configured (http.token, http.token_env, OUTBOUND_TOKEN); this run's token: "
              << config.http.token << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "outbound serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping dialing, letting calls finish\n";
  server.stop();
  dialer.shutdown(std::chrono::seconds(10));
  std::cerr << "outbound serve: stopped\n";
  return 0;
}

}  // namespace outbound::cli
