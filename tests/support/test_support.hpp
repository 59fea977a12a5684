// Helpers shared by the tests: temporary databases, record factories, and a
// scripted driver that records what the engine asked of it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "outbound/calling_list.hpp"
#include "outbound/driver/driver.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/model.hpp"

namespace obtest {

/// A fresh folder under /tmp, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "obtest-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// The folder.
  const std::filesystem::path& path() const { return path_; }
  /// "sqlite3://<dir>/<name>".
  std::string sqlite(const std::string& name = "list.db") const { return "sqlite3://" + (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// The PostgreSQL connection of the suite's throwaway server, or empty.
inline std::string pg_connection() {
  const char* c = std::getenv("OB_PG_CONN");
  return c ? std::string(c) : std::string();
}

/// True when OB_TEST_SUBSET=1: CI's sanitizer run, about ten times slower, skips the
/// repeats of a long property (marked `* doctest::skip(obtest::subset_only())`) or runs
/// fewer of them (fewer seeds, days or sizes), when other cases run the same code; the
/// plain suite runs them all. docs/contributing.md lists what the subset leaves out.
inline bool subset_only() {
  const char* s = std::getenv("OB_TEST_SUBSET");
  return s && std::string(s) == "1";
}

/// A general, ready record with a valid NANP phone derived from its id.
inline outbound::Record make_record(std::int64_t id, int chain_id = 0, int chain_n = 1) {
  outbound::Record r;
  r.record_id = id;
  r.contact_info = "+1212" + std::to_string(2000000 + id % 8000000);
  r.chain_id = chain_id ? chain_id : static_cast<int>(id);
  r.chain_n = chain_n;
  r.campaign_id = 1;
  return r;
}

/// `n` records with ids first..first+n-1, each its own chain.
inline std::vector<outbound::Record> make_records(std::int64_t n, std::int64_t first = 1) {
  std::vector<outbound::Record> out;
  for (std::int64_t i = 0; i < n; ++i) out.push_back(make_record(first + i));
  return out;
}

/// A call event with the fields tests care about.
inline outbound::CallEvent call_event(outbound::CallEventKind kind, outbound::CallId id, outbound::Time at,
                                      outbound::AnswerClass answer = outbound::AnswerClass::unknown,
                                      std::string agent = {}, outbound::CallResult result = outbound::CallResult::unknown) {
  outbound::CallEvent e;
  e.kind = kind;
  e.call_id = id;
  e.at = at;
  e.answer = answer;
  e.agent_id = std::move(agent);
  e.result = result;
  return e;
}

/// A driver whose calls end as a script says, after fixed delays on the loop;
/// it remembers every request. With `route_to_agent` unset, live answers are
/// connected to a fake agent at once.
class ScriptedDriver : public outbound::Driver {
 public:
  using Script = std::function<outbound::CallResult(const outbound::DialRequest&)>;
  ScriptedDriver(outbound::EventLoop& loop, Script script, outbound::Duration call_length = std::chrono::seconds(10))
      : loop_(loop), script_(std::move(script)), length_(call_length) {}

  outbound::DriverCapabilities capabilities() const override {
    outbound::DriverCapabilities c;
    c.kind = outbound::DriverKind::custom;
    c.max_concurrent_calls = max_calls;
    return c;
  }
  void start(outbound::EventSink& sink) override { sink_ = &sink; }
  void dial(const outbound::DialRequest& rq) override {
    if (!sink_) throw std::runtime_error("not started");
    if (fail_dials) throw std::runtime_error("scripted dial failure");
    requests.push_back(rq);
    dial_times.push_back(loop_.now());
    auto result = script_(rq);
    auto id = rq.call_id;
    sink_->on_call_event(call_event(outbound::CallEventKind::dialing, id, loop_.now()));
    loop_.schedule_after(length_, [this, id, result] {
      if (!sink_) return;
      if (result == outbound::CallResult::answer) {
        sink_->on_call_event(call_event(outbound::CallEventKind::answered, id, loop_.now(), outbound::AnswerClass::live));
        sink_->on_call_event(call_event(outbound::CallEventKind::connected, id, loop_.now(), outbound::AnswerClass::unknown, "agent"));
      } else if (result == outbound::CallResult::abandoned) {  // a person answered and no agent came
        sink_->on_call_event(call_event(outbound::CallEventKind::answered, id, loop_.now(), outbound::AnswerClass::live));
        sink_->on_call_event(call_event(outbound::CallEventKind::abandoned, id, loop_.now()));
      }
      sink_->on_call_event(call_event(outbound::CallEventKind::released, id, loop_.now(), outbound::AnswerClass::unknown, {}, result));
    });
  }
  void cancel(outbound::CallId) override {}
  void release_abandoned(outbound::CallId) override {}
  void stop() override { sink_ = nullptr; }
  std::string name() const override { return "scripted"; }

  std::vector<outbound::DialRequest> requests;  ///< every dial asked for
  std::vector<outbound::Time> dial_times;       ///< when each was asked
  bool fail_dials = false;                      ///< make dial() throw
  int max_calls = 0;                            ///< reported capacity

 private:
  outbound::EventLoop& loop_;
  Script script_;
  outbound::Duration length_;
  outbound::EventSink* sink_ = nullptr;
};

}  // namespace obtest
