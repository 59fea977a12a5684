// A host that dials a SQLite calling list through its own driver (the sample
// ThreadedDriver in threaded_driver.hpp). It runs on the real clock with the
// driver's pretend PBX 100 times faster than real time, so a list of 30 records
// is done in a few seconds. Exit status 0 when every record got a final result.
//
//   custom_driver_sample [list.db]
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/engine.hpp"
#include "threaded_driver.hpp"

using namespace std::chrono_literals;

namespace {

// 30 records with different phone numbers: the last digits pick each call's fate.
std::vector<outbound::Record> sample_records() {
  std::vector<outbound::Record> out;
  for (int i = 1; i <= 30; ++i) {
    outbound::Record r;
    r.record_id = i;
    r.contact_info = "+1212555" + std::to_string(1000 + (i * 379) % 9000);
    r.chain_id = i;
    r.chain_n = 1;
    r.campaign_id = 1;
    out.push_back(r);
  }
  return out;
}

std::shared_ptr<outbound::CallingList> fresh_list(const std::filesystem::path& file) {
  std::filesystem::remove(file);
  outbound::ListOptions options;
  options.create_if_missing = true;
  std::shared_ptr<outbound::CallingList> list = outbound::CallingList::open("sqlite3://" + file.string(), options);
  list->insert(sample_records());
  return list;
}

bool nothing_left(outbound::CallingList& list) {
  auto counts = list.count_by_status();
  return counts[outbound::RecordStatus::ready] == 0 && counts[outbound::RecordStatus::retrieved] == 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::filesystem::path file =
        argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::temp_directory_path() / "outbound-custom-driver.db";
    auto list = fresh_list(file);

    // One clock for the engine and the driver, so event times line up.
    auto clock = std::make_shared<outbound::SystemClock>();
    outbound::Engine engine(clock);

    sample::ThreadedDriverOptions options;
    options.lines = 6;
    options.desks = 3;       // the driver reports desk1..desk3 as agents: the engine paces for them
    options.speedup = 100;   // a 4 s ring takes 40 ms
    options.clock = clock;
    auto driver = std::make_shared<sample::ThreadedDriver>(options);

    outbound::CampaignConfig config;
    config.name = "custom-driver-sample";
    config.mode = outbound::DialMode::progressive;
    config.ratio = 1.5;  // lines per ready desk
    config.tick = 100ms;
    config.flush_interval = 200ms;
    config.ring_timeout = 15s;
    auto& campaign = engine.add_campaign(config, driver);
    campaign.add_list(list);
    campaign.on_event([](const outbound::CampaignEvent& e) {
      if (e.kind == outbound::CampaignEvent::Kind::driver_error || e.kind == outbound::CampaignEvent::Kind::database_error)
        std::cerr << "campaign: " << e.message << "\n";
    });

    campaign.load();
    campaign.start();
    const auto give_up = clock->now() + 60s;
    while (!nothing_left(*list) && clock->now() < give_up) engine.run_until(clock->now() + 200ms);
    campaign.stop();
    engine.loop().run_until(clock->now() + 10s, [&] { return campaign.calls_in_flight() == 0; });
    campaign.unload();  // stops the driver: its thread is joined here

    std::map<std::string, int> results;
    for (const auto& r : list->all()) ++results[std::string(outbound::to_string(r.call_result))];
    const auto s = campaign.stats();
    const auto left = list->count_by_status()[outbound::RecordStatus::retrieved];
    std::cout << "summary: custom C++ driver (own thread, " << options.desks << " desks), progressive, "
              << list->all().size() << " records on the real clock\n"
              << "  engine dials      " << s.dials << "\n"
              << "  engine connected  " << s.connected << "\n"
              << "  abandoned         " << s.abandoned << "\n"
              << "  results          ";
    for (const auto& [name, n] : results) std::cout << " " << name << "=" << n;
    std::cout << "\n  left retrieved    " << left << "\n";
    const bool done = nothing_left(*list);
    if (!done) std::cout << "records are left undialed\n";
    return done ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "custom_driver_sample: " << e.what() << "\n";
    return 1;
  }
}
