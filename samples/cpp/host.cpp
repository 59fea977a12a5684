// A host in C++: the same campaign as samples/c/host.c through the C++ API —
// a progressive campaign on a SQLite list with a simulated T-Server (20
// agents), a DNC list and a busy-retry treatment, four simulated hours under
// a manual clock. Prints progress each hour and a summary.
//
//   host_cpp [LIST.db]     (default: a fresh file in a temporary folder)
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"

using namespace outbound;
namespace fs = std::filesystem;

namespace {

std::vector<Record> make_records(int n) {
  std::vector<Record> out;
  for (int i = 1; i <= n; ++i) {
    Record r;
    char phone[16];
    std::snprintf(phone, sizeof phone, "+1646%07d", 5550000 + i - 1);
    r.record_id = i;
    r.contact_info = phone;
    r.chain_id = i;
    r.chain_n = 1;
    r.campaign_id = 1;
    out.push_back(std::move(r));
  }
  return out;
}

TreatmentSet busy_retry() {
  Treatment t;
  t.id = 1;
  t.call_result = CallResult::busy;
  t.action = RecordAction::retry_in;
  t.cycle_attempts = 2;
  t.interval = std::chrono::minutes(10);
  return TreatmentSet({t});
}

int run(const fs::path& path) {
  std::cout << "outbound (C++ API), list " << path.string() << "\n";
  auto clock = std::make_shared<ManualClock>(from_epoch_seconds(1773061200));  // 2026-03-09 13:00 UTC
  Engine engine(clock);
  const Time start = clock->now();

  ListOptions lo;
  lo.create_if_missing = true;
  auto list = std::shared_ptr<CallingList>(CallingList::open("sqlite3://" + path.string(), lo));
  list->insert(make_records(2000));
  auto dnc = std::make_shared<DncList>("US");
  dnc->add_phone("(646) 555-0010", "asked not to be called");
  dnc->add_phone("+16465550020");
  dnc->add_phone("646-555-0030");

  sim::NetworkModel model;
  sim::Network network(engine.loop(), model, 42);
  auto tserver = std::make_shared<sim::SimTServer>(network, sim::AgentModel{}, 20, "agent");

  CampaignConfig cfg;
  cfg.name = "cpp-host";
  cfg.mode = DialMode::progressive;
  cfg.treatments = busy_retry();
  Campaign& campaign = engine.add_campaign(cfg, tserver, dnc);
  // The engine owns the campaign, which holds the simulated switch; the switch
  // runs on `network`, a local that goes first: remove the campaign before it.
  struct Remove {
    Engine& engine;
    ~Remove() {
      try {
        engine.remove_campaign("cpp-host");
      } catch (...) {
      }
    }
  } remove_before_network{engine};
  long finished = 0;
  campaign.on_event([&](const CampaignEvent& e) { finished += e.kind == CampaignEvent::Kind::call_finished; });
  campaign.add_list(list);
  campaign.load();
  campaign.start();

  for (int hour = 1; hour <= 4; ++hour) {
    engine.run_until(start + std::chrono::hours(hour));
    auto s = campaign.stats();
    std::printf("[%d h] dials %ld  live %ld  connected %ld  abandoned %ld  occupancy %.2f\n", hour, s.dials,
                s.live_answers, s.connected, s.abandoned, s.agent_occupancy);
  }
  campaign.stop();  // calls in flight finish and are written back
  engine.loop().run_until(clock->now() + std::chrono::hours(1), [&] { return campaign.calls_in_flight() == 0; });
  campaign.unload();

  auto s = campaign.stats();
  auto counts = list->count_by_status();
  std::printf("summary: cpp host, progressive, 20 simulated agents, 4 simulated hours\n");
  std::printf("  dials             %ld\n", s.dials);
  std::printf("  live answers      %ld\n", s.live_answers);
  std::printf("  connected         %ld\n", s.connected);
  std::printf("  abandon rate      %.2f%%\n", 100.0 * s.abandon_rate);
  std::printf("  busy / no answer  %ld / %ld\n", s.busy, s.no_answer);
  std::printf("  dnc blocked       %ld\n", s.dnc_blocked);
  std::printf("  calls finished    %ld (events)\n", finished);
  std::printf("  records by status:");
  for (const auto& [status, n] : counts) std::printf(" %s %lld", std::string(to_string(status)).c_str(), static_cast<long long>(n));
  const long long left = counts.count(RecordStatus::retrieved) ? counts[RecordStatus::retrieved] : 0;
  std::printf("\n  left retrieved    %lld\n", left);
  return left == 0 && s.dials > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1) return run(argv[1]);
    std::string tmpl = (fs::temp_directory_path() / "outbound-host-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) return 1;
    int rc = run(fs::path(tmpl) / "list.db");
    fs::remove_all(tmpl);
    return rc;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << " (" << to_string(e.code()) << ")\n";
    return 1;
  }
}
