// outbound C API — engines: clock, loop, thread, log callback, timers.
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {

void FinishWait::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool FinishWait::sleep_until(const outbound::Clock& clock, outbound::Time deadline) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (woken_) {
      woken_ = false;
      return true;
    }
    const auto now = clock.now();
    if (now >= deadline) return false;
    // In slices: the deadline is on the engine's clock, the wait on the steady clock.
    cv_.wait_for(lock, std::min<outbound::Duration>(deadline - now, std::chrono::seconds(10)));
  }
}

void FinishWait::add_to(std::vector<std::weak_ptr<FinishWait>>& waits, const std::shared_ptr<FinishWait>& wait) {
  std::erase_if(waits, [](const std::weak_ptr<FinishWait>& w) { return w.expired(); });
  for (const auto& w : waits)
    if (w.lock() == wait) return;
  waits.push_back(wait);
}

std::unique_lock<std::recursive_mutex> EngineCore::lock() {
  std::unique_lock lock(mu, std::try_to_lock);
  if (lock.owns_lock()) return lock;
  ++blocked_callers;
  if (finish_runs_loop) engine->loop().post([] {});  // the finish sees us at its next turn
  lock.lock();
  --blocked_callers;
  return lock;
}

void EngineCore::stop_thread() {
  auto lock_ = lock();
  if (!thread_running) return;
  engine->stop_thread();
  thread_running = false;
  // Work posted by callers waiting in run() after the thread's last turn runs
  // here; a run_until to "now" also consumes the stop request the thread left.
  engine->loop().run_until(engine->loop().now());
  // Finishes waiting for the thread must now run the loop themselves.
  for (auto& w : thread_waits)
    if (auto wait = w.lock()) wait->wake();
  thread_waits.clear();
}

std::shared_ptr<EngineCore> pin(ob_engine* engine) {
  auto lock = registry_lock();
  if (!engine || !is_tracked_locked(engine, Kind::engine)) bad_handle("engine");
  return engine->core;  // the handle is live while it is tracked: it is untracked before it is freed
}

namespace {

void refuse_inside_loop(EngineCore& core, const char* what) {
  if (core.engine->loop().in_loop_thread())
    fail(ErrorCode::invalid_state, std::string(what) + " cannot be called from the engine's loop (a callback)");
}

// Runs the loop on the calling thread under the engine's lock; `what` names the C function.
template <typename Fn>
void run_loop_here(EngineCore& core, const char* what, Fn&& fn) {
  refuse_inside_loop(core, what);
  std::lock_guard lock(core.mu);
  if (core.thread_running)
    fail(ErrorCode::invalid_state, std::string(what) + " cannot run the loop: the engine runs it on its own thread " +
                                       "(ob_engine_start_thread); call ob_engine_stop_thread first");
  fn();
}

}  // namespace
}  // namespace obc

extern "C" {

int ob_engine_options_init(ob_engine_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_ENGINE_OPTIONS_VERSION, "ob_engine_options");
    *out = ob_engine_options OB_ENGINE_OPTIONS_INIT;
    out->version = version;
  });
}

int ob_engine_new(ob_engine** out, const ob_engine_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    ob_engine_options o = OB_ENGINE_OPTIONS_INIT;
    if (opts) {
      obc::check_version(opts->version, OB_ENGINE_OPTIONS_VERSION, "ob_engine_options");
      o = *opts;
    }
    obc::check_code(OB_ENUM_CLOCK_KIND, o.clock, "clock");
    auto core = std::make_shared<obc::EngineCore>();
    if (o.clock == OB_CLOCK_MANUAL)
      core->clock = std::make_shared<outbound::ManualClock>(obc::from_ms(o.start_ms));
    else
      core->clock = std::make_shared<outbound::SystemClock>();
    core->engine = std::make_unique<outbound::Engine>(core->clock);
    auto handle = std::make_unique<ob_engine>();
    handle->core = std::move(core);
    obc::track(handle.get(), obc::Kind::engine);
    *out = handle.release();
  });
}

void ob_engine_free(ob_engine* engine) {
  obc::guard([&] {
    if (!engine || !obc::is_tracked(engine, obc::Kind::engine)) return;
    auto core = engine->core;
    if (obc::t_callback_depth > 0 || core->engine->loop().in_loop_thread())
      obc::fail(ErrorCode::invalid_state, "ob_engine_free cannot be called from the engine's own callbacks");
    obc::untrack(engine);
    core->closing = true;  // a finish waiting on one of its campaigns gives up (OB_EHANDLE)
    core->stop_thread();
    {
      auto lock = core->lock();
      core->engine->set_log_handler(nullptr);
      core->log_cb = nullptr;
      auto campaigns = std::move(core->campaigns);
      for (auto& [name, handle] : campaigns) {
        obc::untrack(handle);
        try {
          core->engine->remove_campaign(name);
        } catch (...) {
          // The campaign is gone either way; records not written are recovered on the next load.
        }
        delete handle;
      }
    }
    delete engine;  // the engine itself goes with the last simulated network or driver on it
  });
}

int ob_engine_now(int64_t* out, ob_engine* engine) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::to_ms(obc::pin(engine)->clock->now());
  });
}

int ob_engine_is_manual(int* out, ob_engine* engine) {
  return obc::guard([&] {
    obc::need(out, "out");
    *out = obc::pin(engine)->clock->is_manual() ? 1 : 0;
  });
}

int ob_engine_advance_clock(ob_engine* engine, int64_t to_ms) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    if (!core.clock->is_manual()) obc::fail(ErrorCode::invalid_state, "only a manual clock can be advanced");
    core.run([&] { core.clock->advance_to(obc::from_ms(to_ms)); });
  });
}

int ob_engine_poll(size_t* out, ob_engine* engine) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    std::size_t ran = 0;
    obc::run_loop_here(core, "ob_engine_poll", [&] { ran = core.engine->poll(); });
    if (out) *out = ran;
  });
}

int ob_engine_run_until(ob_engine* engine, int64_t deadline_ms, ob_done_cb done, void* user_data) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    obc::run_loop_here(core, "ob_engine_run_until", [&] {
      if (!done) {
        core.engine->run_until(obc::from_ms(deadline_ms));
        return;
      }
      core.engine->loop().run_until(obc::from_ms(deadline_ms), [&] {
        int stop = 0;
        obc::call_user([&] { stop = done(user_data); });
        return stop != 0;
      });
    });
  });
}

int ob_engine_run_for(ob_engine* engine, int64_t duration_ms) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    if (duration_ms < 0)
      obc::fail(ErrorCode::invalid_argument, "duration_ms must not be negative (got " + std::to_string(duration_ms) + ")");
    obc::run_loop_here(core, "ob_engine_run_for", [&] { core.engine->run_until(outbound::add_saturating(core.clock->now(), outbound::Duration(duration_ms))); });
  });
}

int ob_engine_stop(ob_engine* engine) {
  return obc::guard([&] { obc::pin(engine)->engine->loop().stop(); });
}

int ob_engine_start_thread(ob_engine* engine) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    obc::refuse_inside_loop(core, "ob_engine_start_thread");
    if (core.clock->is_manual())
      obc::fail(ErrorCode::invalid_state, "the engine thread needs a real clock; drive a manual clock with ob_engine_run_until");
    std::lock_guard lock(core.mu);
    if (core.thread_running) obc::fail(ErrorCode::invalid_state, "the engine thread is already running");
    core.engine->start_thread();
    core.thread_running = true;
  });
}

int ob_engine_stop_thread(ob_engine* engine) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    obc::refuse_inside_loop(core, "ob_engine_stop_thread");
    core.stop_thread();
  });
}

int ob_engine_set_log_callback(ob_engine* engine, ob_log_cb cb, void* user_data) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    core.run([&] {
      core.log_cb = cb;
      core.log_user_data = user_data;
      if (!cb) {
        core.engine->set_log_handler(nullptr);
        return;
      }
      core.engine->set_log_handler([&core](outbound::LogLevel level, const std::string& message) {
        if (core.log_cb) obc::call_user([&] { core.log_cb(core.log_user_data, static_cast<int>(level), message.c_str()); });
      });
    });
  });
}

int ob_engine_post(ob_engine* engine, ob_task_cb cb, void* user_data) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    if (!cb) obc::fail(ErrorCode::invalid_argument, "cb must not be NULL");
    core.engine->loop().post([cb, user_data] {
      try {
        cb(user_data);
      } catch (...) {
      }
    });
  });
}

int ob_engine_schedule(uint64_t* out, ob_engine* engine, int64_t delay_ms, ob_task_cb cb, void* user_data) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    if (!cb) obc::fail(ErrorCode::invalid_argument, "cb must not be NULL");
    if (delay_ms < 0) obc::fail(ErrorCode::invalid_argument, "delay_ms must not be negative (got " + std::to_string(delay_ms) + ")");
    auto id = core.run([&] {
      return core.engine->loop().schedule_after(outbound::Duration(delay_ms), [cb, user_data] {
        try {
          cb(user_data);
        } catch (...) {
        }
      });
    });
    if (out) *out = id;
  });
}

int ob_engine_cancel_timer(int* out, ob_engine* engine, uint64_t timer_id) {
  return obc::guard([&] {
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    bool was = core.run([&] { return core.engine->loop().cancel(timer_id); });
    if (out) *out = was ? 1 : 0;
  });
}

int ob_engine_campaign(ob_campaign** out, ob_engine* engine, const char* name) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(name, "name");
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    *out = core.run([&] {
      auto it = core.campaigns.find(name);
      if (it == core.campaigns.end()) obc::fail(ErrorCode::not_found, std::string("no campaign named \"") + name + "\"");
      return it->second;
    });
  });
}

int ob_engine_campaign_count(size_t* out, ob_engine* engine) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto pinned = obc::pin(engine);
    auto& core = *pinned;
    *out = core.run([&] { return core.campaigns.size(); });
  });
}

}  // extern "C"
