// amd_bench: our AMD against the app_amd baseline on the labelled corpus that
// make_corpus.py writes. Prints the results table (markdown) for one split.
//
//   amd_bench CORPUS_DIR [--split test|dev|all] [--settings JSON] [--errors]
//   amd_bench CORPUS_DIR --split dev --sweep SETTINGS_LIST.json   (tuning: one line per settings object)
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app_amd_baseline.hpp"
#include "outbound/error.hpp"
#include "outbound/media.hpp"

using namespace outbound;
using nlohmann::json;

namespace {

struct Outcome {
  std::string id, label, expect;
  std::string ours, baseline;
  int ours_ms = 0, baseline_ms = 0;
  std::string reason, baseline_cause;
  std::optional<std::string> sit_heard, sit_label;
  int greeting_end_ms = -1;
  bool has_beep = false, beep_found = false, false_beep = false;
  bool opens_like_a_person = false;  // a machine greeting that opens with "Hello?" and a pause
  int hello_pause_ms = -1;           // that pause's length
  std::optional<int> message_ms;
  int beep_end_ms = -1;
  double cpu_s = 0, audio_s = 0;  // time in our detector, and the audio it analysed
};

struct Rate {
  int hit = 0, of = 0;
  void add(bool h) { hit += h; ++of; }
  std::string str() const {
    if (of == 0) return "n/a";
    char b[64];
    std::snprintf(b, sizeof b, "%.1f %% (%d/%d)", 100.0 * hit / of, hit, of);
    return b;
  }
};

std::string median_str(std::vector<int> v, double q = 0.5) {
  if (v.empty()) return "n/a";
  std::sort(v.begin(), v.end());
  return std::to_string(v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)]) + " ms";
}

std::string baseline_class(bench::AppAmdResult::Status s) {
  switch (s) {
    case bench::AppAmdResult::human: return "live";
    case bench::AppAmdResult::machine: return "machine";
    case bench::AppAmdResult::notsure: return "unknown";
  }
  return "unknown";
}

Outcome run_clip(const json& c, const std::vector<std::int16_t>& pcm, const media::AmdSettings& settings,
                 bool with_baseline) {
  Outcome o;
  o.id = c["id"];
  o.label = c["label"];
  o.expect = c["expect"];
  if (c.contains("greeting_end_ms") && c["greeting_end_ms"].is_number()) o.greeting_end_ms = c["greeting_end_ms"];
  if (c.contains("sit") && c["sit"].is_string()) o.sit_label = c["sit"].get<std::string>();
  o.opens_like_a_person = c.value("pause_after_hello", false);
  if (c.contains("hello_pause_ms") && c["hello_pause_ms"].is_number()) o.hello_pause_ms = c["hello_pause_ms"];

  std::clock_t t0 = std::clock();  // CPU time of this process: the bench is single-threaded
  media::AmdDetector amd(settings);
  for (std::size_t at = 0; at < pcm.size(); at += media::kFrameSamples)
    amd.feed(media::Frame(pcm.data() + at, std::min<std::size_t>(media::kFrameSamples, pcm.size() - at)));
  o.cpu_s = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
  o.audio_s = static_cast<double>(pcm.size()) / media::kSampleRate;
  media::AmdDecision d = amd.decision() ? *amd.decision() : amd.finish();
  o.ours = media::to_string(d.cls);
  o.ours_ms = d.decision_ms;
  o.reason = d.reason;
  if (d.sit) o.sit_heard = std::string(media::to_string(*d.sit));
  o.message_ms = amd.message_start_ms();

  // A beep counts as found when one is reported within 150 ms of the real one's ends.
  const json& beep = c["beep"];
  o.has_beep = beep.is_object();
  for (const media::Beep& b : amd.beeps()) {
    if (o.has_beep && std::abs(b.start_ms - beep["start_ms"].get<int>()) <= 150 &&
        std::abs(b.end_ms - beep["end_ms"].get<int>()) <= 150)
      o.beep_found = true;
    else if (o.label == "live" || o.label == "machine")
      o.false_beep = true;
  }
  if (o.has_beep) o.beep_end_ms = beep["end_ms"];

  if (!with_baseline) return o;
  bench::AppAmdResult r = bench::AppAmdBaseline::classify(pcm);
  o.baseline = baseline_class(r.status);
  o.baseline_ms = r.decision_ms;
  o.baseline_cause = r.cause;
  return o;
}

void print_table(const std::vector<Outcome>& all, const std::string& split) {
  Rate live_as_machine[2], live_other[2], machines[2], fax[2], sit[2], sit_code, silence[2];
  std::vector<int> live_latency[2], machine_ms[2];
  Rate beep_found, false_beeps, message_after_beep, machines_plain[2], machines_person_like[2];
  // The bound: a detector that says live at most kLiveWaitMs after a greeting
  // has said live before a machine's "Hello?" pause longer than that ends; up
  // to then the audio is a person's "Hello?" followed by silence.
  constexpr int kLiveWaitMs = 700;
  Rate machines_bound;
  double cpu = 0, audio = 0;
  for (const Outcome& o : all) {
    cpu += o.cpu_s;
    audio += o.audio_s;
    const std::string* got[2] = {&o.ours, &o.baseline};
    const int at[2] = {o.ours_ms, o.baseline_ms};
    for (int k = 0; k < 2; ++k) {
      if (o.label == "live") {
        live_as_machine[k].add(*got[k] == "machine");
        live_other[k].add(*got[k] != "machine" && *got[k] != "live");
        if (*got[k] == "live" && o.greeting_end_ms >= 0) live_latency[k].push_back(at[k] - o.greeting_end_ms);
      } else if (o.label == "machine") {
        machines[k].add(*got[k] == "machine");
        (o.opens_like_a_person ? machines_person_like : machines_plain)[k].add(*got[k] == "machine");
        if (*got[k] == "machine") machine_ms[k].push_back(at[k]);
      } else if (o.label == "fax") {
        fax[k].add(*got[k] == "fax");
      } else if (o.label == "silence") {
        silence[k].add(*got[k] == "silence");
      }
    }
    if (o.label == "sit") {
      sit[0].add(o.sit_heard.has_value());
      sit[1].add(false);  // app_amd has no tone detection: it can only say HUMAN, MACHINE or NOTSURE
      sit_code.add(o.sit_heard && o.sit_label && *o.sit_heard == *o.sit_label);
    }
    if (o.label == "machine") {
      machines_bound.add(!o.opens_like_a_person || (o.hello_pause_ms >= 0 && o.hello_pause_ms <= kLiveWaitMs));
      if (o.has_beep) beep_found.add(o.beep_found);
      if (o.has_beep && o.ours == "machine")
        message_after_beep.add(o.message_ms && *o.message_ms >= o.beep_end_ms && *o.message_ms <= o.beep_end_ms + 1000);
    }
    if (o.label == "live" || o.label == "machine") false_beeps.add(o.false_beep);
  }
  std::printf("Split: %s (%zu clips)\n\n", split.c_str(), all.size());
  std::printf("| measure | target | ours | app_amd baseline |\n| --- | --- | --- | --- |\n");
  std::printf("| live answers classified as machines | <= 2 %% | %s | %s |\n", live_as_machine[0].str().c_str(),
              live_as_machine[1].str().c_str());
  std::printf("| live answers classified as neither live nor machine | | %s | %s |\n", live_other[0].str().c_str(),
              live_other[1].str().c_str());
  std::printf("| machines detected | >= 90 %% | %s | %s |\n", machines[0].str().c_str(), machines[1].str().c_str());
  std::printf("| - greetings that open like a person (\"Hello?\", 0.6-1.2 s of silence, then the machine) | | %s | %s |\n",
              machines_person_like[0].str().c_str(), machines_person_like[1].str().c_str());
  std::printf("| - all other greetings | | %s | %s |\n", machines_plain[0].str().c_str(), machines_plain[1].str().c_str());
  std::printf("| - the most any detector can catch while it says live within %d ms of a greeting's end (no \"Hello?\" pause longer) | | %s | n/a |\n",
              kLiveWaitMs, machines_bound.str().c_str());
  std::printf("| median decision time for live, after the greeting ends | <= 700 ms | %s | %s |\n",
              median_str(live_latency[0]).c_str(), median_str(live_latency[1]).c_str());
  std::printf("| 90th percentile of the same | | %s | %s |\n", median_str(live_latency[0], 0.9).c_str(),
              median_str(live_latency[1], 0.9).c_str());
  std::printf("| median decision time for machines, from the answer | | %s | %s |\n", median_str(machine_ms[0]).c_str(),
              median_str(machine_ms[1]).c_str());
  std::printf("| fax recognised | >= 98 %% | %s | %s |\n", fax[0].str().c_str(), fax[1].str().c_str());
  std::printf("| SIT recognised | >= 98 %% | %s | %s |\n", sit[0].str().c_str(), sit[1].str().c_str());
  std::printf("| SIT recognised with the right code | | %s | n/a |\n", sit_code.str().c_str());
  std::printf("| silence recognised | | %s | %s |\n", silence[0].str().c_str(), silence[1].str().c_str());
  std::printf("| beeps found (machines with a beep) | | %s | n/a |\n", beep_found.str().c_str());
  std::printf("| message cue within 1 s after the beep (machines detected, with a beep) | | %s | n/a |\n",
              message_after_beep.str().c_str());
  std::printf("| clips with a false beep (live and machine) | | %s | n/a |\n", false_beeps.str().c_str());
  std::printf("\nOur detector (tones, voice, beeps, message cue) ran %.0f s of audio in %.2f s of CPU: %.0f times real time, "
              "about %.1f µs per 20 ms frame.\n", audio, cpu, cpu > 0 ? audio / cpu : 0.0,
              audio > 0 ? 1e6 * cpu / (audio * 50) : 0.0);
}

// One line of the headline figures per settings object, for tuning on dev.
void sweep(const std::vector<std::pair<json, std::vector<std::int16_t>>>& clips, const json& candidates) {
  std::printf("live->machine  machines  live median  live p90  fax  sit  settings\n");
  for (const json& cand : candidates) {
    media::AmdSettings settings = media::amd_settings_from_json(cand.dump());
    int live = 0, live_machine = 0, mach = 0, mach_hit = 0, fax = 0, fax_hit = 0, sit = 0, sit_hit = 0;
    std::vector<int> lat;
    for (const auto& [c, pcm] : clips) {
      Outcome o = run_clip(c, pcm, settings, false);
      if (o.label == "live") {
        ++live;
        live_machine += o.ours == "machine";
        if (o.ours == "live") lat.push_back(o.ours_ms - o.greeting_end_ms);
      } else if (o.label == "machine") {
        ++mach;
        mach_hit += o.ours == "machine";
      } else if (o.label == "fax") {
        ++fax;
        fax_hit += o.ours == "fax";
      } else if (o.label == "sit") {
        ++sit;
        sit_hit += o.sit_heard.has_value();
      }
    }
    auto pct = [](int a, int b) { return b ? 100.0 * a / b : 0.0; };
    std::printf("%8.1f %%  %7.1f %%  %11s  %8s  %3.0f  %3.0f  %s\n", pct(live_machine, live), pct(mach_hit, mach),
                median_str(lat).c_str(), median_str(lat, 0.9).c_str(), pct(fax_hit, fax), pct(sit_hit, sit),
                cand.dump().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, split = "test", settings_json;
  bool errors = false;
  std::string sweep_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--split" && i + 1 < argc) split = argv[++i];
    else if (a == "--settings" && i + 1 < argc) settings_json = argv[++i];
    else if (a == "--errors") errors = true;
    else if (a == "--sweep" && i + 1 < argc) sweep_file = argv[++i];
    else if (dir.empty()) dir = a;
    else {
      std::cerr << "usage: amd_bench CORPUS_DIR [--split test|dev|all] [--settings JSON] [--errors] [--sweep SETTINGS_LIST.json]\n";
      return 2;
    }
  }
  if (dir.empty()) {
    std::cerr << "usage: amd_bench CORPUS_DIR [--split test|dev|all] [--settings JSON] [--errors] [--sweep SETTINGS_LIST.json]\n";
    return 2;
  }
  try {
    media::AmdSettings settings = settings_json.empty() ? media::AmdSettings{} : media::amd_settings_from_json(settings_json);
    std::ifstream f(dir + "/manifest.json");
    if (!f) throw Error(ErrorCode::not_found, dir + "/manifest.json: cannot read (run make_corpus.py first)");
    json manifest = json::parse(f);
    std::vector<std::pair<json, std::vector<std::int16_t>>> clips;
    for (const json& c : manifest["clips"])
      if (split == "all" || c["split"] == split)
        clips.emplace_back(c, media::to_8khz(media::read_wav(dir + "/" + c["file"].get<std::string>())));
    if (!sweep_file.empty()) {
      std::ifstream sf(sweep_file);
      if (!sf) throw Error(ErrorCode::not_found, sweep_file + ": cannot read");
      sweep(clips, json::parse(sf));
      return 0;
    }
    std::vector<Outcome> all;
    for (const auto& [c, pcm] : clips) all.push_back(run_clip(c, pcm, settings, true));
    print_table(all, split);
    if (errors) {
      std::printf("\n| clip | label | ours | why | ms | baseline | why | ms | beep end | message |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
      for (const Outcome& o : all)
        if (o.ours != o.expect || (o.label == "sit" && o.sit_heard != o.sit_label) || (o.has_beep && !o.beep_found) ||
            o.false_beep || (o.has_beep && !(o.message_ms && *o.message_ms >= o.beep_end_ms && *o.message_ms <= o.beep_end_ms + 1000)))
          std::printf("| %s | %s | %s | %s | %d | %s | %s | %d | %d | %d |\n", o.id.c_str(), o.label.c_str(),
                      o.ours.c_str(), o.reason.c_str(), o.ours_ms, o.baseline.c_str(),
                      std::string(o.baseline_cause).c_str(), o.baseline_ms, o.beep_end_ms, o.message_ms.value_or(-1));
    }
  } catch (const std::exception& e) {
    std::cerr << "amd_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
