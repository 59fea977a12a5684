#include "outbound/engine.hpp"

#include "outbound/error.hpp"

namespace outbound {
namespace {

LogLevel level_of(CampaignEvent::Kind k) {
  switch (k) {
    case CampaignEvent::Kind::record_error:
    case CampaignEvent::Kind::driver_error:
      return LogLevel::warning;
    case CampaignEvent::Kind::database_error:
      return LogLevel::error;
    case CampaignEvent::Kind::call_finished:
    case CampaignEvent::Kind::dialing:
    case CampaignEvent::Kind::written:
      return LogLevel::debug;
    default:
      return LogLevel::info;
  }
}

}  // namespace

Engine::Engine(std::shared_ptr<Clock> clock)
    : clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()), loop_(std::make_unique<EventLoop>(clock_)) {}

Engine::~Engine() {
  stop_thread();
  campaigns_.clear();  // each campaign unloads itself
}

Campaign& Engine::add_campaign(CampaignConfig config, std::shared_ptr<Driver> driver, std::shared_ptr<DncList> dnc,
                               CallingWindows windows) {
  if (config.name.empty()) throw Error(ErrorCode::invalid_argument, "a campaign needs a name");
  if (campaigns_.count(config.name)) throw Error(ErrorCode::invalid_argument, "campaign \"" + config.name + "\" already exists");
  std::string name = config.name;
  auto c = std::make_unique<Campaign>(*loop_, std::move(config), std::move(driver), std::move(dnc), std::move(windows));
  c->on_event([this](const CampaignEvent& e) {
    if (log_) log(level_of(e.kind), e.campaign + ": " + e.message);
  });
  return *campaigns_.emplace(name, std::move(c)).first->second;
}

Campaign& Engine::campaign(const std::string& name) {
  auto it = campaigns_.find(name);
  if (it == campaigns_.end()) throw Error(ErrorCode::not_found, "no campaign named \"" + name + "\"");
  return *it->second;
}

void Engine::remove_campaign(const std::string& name) {
  auto it = campaigns_.find(name);
  if (it == campaigns_.end()) throw Error(ErrorCode::not_found, "no campaign named \"" + name + "\"");
  it->second->force_unload();
  campaigns_.erase(it);
}

std::vector<std::string> Engine::campaign_names() const {
  std::vector<std::string> out;
  for (const auto& [n, c] : campaigns_) out.push_back(n);
  return out;
}

void Engine::set_log_handler(LogHandler handler) { log_ = std::move(handler); }

void Engine::log(LogLevel level, const std::string& message) {
  if (log_) log_(level, message);
}

void Engine::start_thread() {
  // A manual clock would jump to the end of time with nothing to wait for.
  if (clock_->is_manual()) throw Error(ErrorCode::invalid_state, "the engine thread needs a real clock, not a manual one");
  if (thread_running_.exchange(true)) throw Error(ErrorCode::invalid_state, "the engine thread is already running");
  thread_ = std::thread([this] {
    while (thread_running_.load()) loop_->run_until(Time::max());
  });
}

void Engine::stop_thread() {
  if (!thread_running_.exchange(false)) return;
  loop_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace outbound
