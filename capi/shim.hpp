// outbound C API — what the shim files share (private; never installed).
//
// Every exported function body runs inside guard(): exceptions become status
// codes plus a per-thread message, and none crosses the boundary. Handles are
// C++ objects behind the opaque C types; a registry of live handles lets every
// call reject a NULL, freed or wrong-type handle without touching its memory.
// Calls on an engine and on what is attached to it go through
// EngineCore::run(), which serialises them with the engine's loop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "outbound.h"
#include "outbound/call_log.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/campaign.hpp"
#include "outbound/dnc.hpp"
#include "outbound/driver/sim.hpp"
#include "outbound/engine.hpp"
#include "outbound/error.hpp"
#include "outbound/model.hpp"
#include "outbound/treatment.hpp"

namespace obc {

// --- errors -------------------------------------------------------------------

/// Records `message` as this thread's last error and returns `code`.
int set_error(int code, const std::string& message) noexcept;
/// Counts set_error() calls on this thread (a custom driver's message is told
/// from an older one by the count changing across its callback).
std::uint64_t error_serial() noexcept;
/// Throws outbound::Error(code, message).
[[noreturn]] void fail(outbound::ErrorCode code, const std::string& message);
/// The outbound::ErrorCode of a C status (unknown negative values: driver).
outbound::ErrorCode error_code_of(int status) noexcept;

/// Runs `fn`, turning every exception into a status code and a message.
template <typename Fn>
int guard(Fn&& fn) noexcept {
  try {
    fn();
    return OB_OK;
  } catch (const outbound::Error& e) {
    return set_error(static_cast<int>(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return set_error(OB_ERROR, "out of memory");
  } catch (const std::exception& e) {
    return set_error(OB_ERROR, e.what());
  } catch (...) {
    return set_error(OB_ERROR, "unknown error");
  }
}

/// Throws invalid_argument unless `p` is set.
inline void need(const void* p, const char* what) {
  if (!p) fail(outbound::ErrorCode::invalid_argument, std::string(what) + " must not be NULL");
}
/// Throws invalid_argument unless `p` is set; `what` names the array element ("zones[2].key").
inline void need(const void* p, const std::string& what) {
  if (!p) fail(outbound::ErrorCode::invalid_argument, what + " must not be NULL");
}
/// A C string as std::string; NULL is "".
inline std::string str(const char* s) { return s ? std::string(s) : std::string(); }
/// Throws invalid_argument unless a struct's version is one this library knows.
void check_version(unsigned int version, unsigned int current, const char* what);

// Versioned structs from older callers. Structs grow only at their end, and
// check_version() accepts every version from 1 up. A caller built against an
// older outbound.h has the older, shorter struct (on its stack, or malloc'ed
// at that size): copying sizeof(T) bytes from or to it would run past the
// end of its object. So a struct the caller passes in is read, and an _init
// function writes, only the part its version has; the library's copy starts
// from the defaults, so the newer fields keep them. Each struct that has more
// than one version has a function giving the size of each version (offsetof
// the first field the next version added), e.g. campaign_options_size().

/// Copies the first `size` bytes of `from` to `to` (`size`: the part of T that
/// the older of the two objects has; at most sizeof(T)).
template <typename T>
void copy_version_part(T* to, const T* from, std::size_t size) noexcept {
  static_assert(std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>, "versioned structs are plain C");
  std::memcpy(static_cast<void*>(to), static_cast<const void*>(from), size < sizeof(T) ? size : sizeof(T));
}

/// Depth of user callbacks on this thread that run inside engine code (events,
/// log lines, driver methods): freeing an engine or campaign there is refused.
extern thread_local int t_callback_depth;
/// Calls a user callback with t_callback_depth raised; swallows exceptions.
template <typename Fn>
void call_user(Fn&& fn) noexcept {
  ++t_callback_depth;
  try {
    fn();
  } catch (...) {
  }
  --t_callback_depth;
}

// --- the registry of live handles ---------------------------------------------

/// Handle kinds, also the magic number each handle starts with.
enum class Kind : std::uint32_t {
  engine = 0x0b100001,
  campaign = 0x0b100002,
  list = 0x0b100003,
  dnc = 0x0b100004,
  driver = 0x0b100005,
  sink = 0x0b100006,
  network = 0x0b100007,
  call_log = 0x0b100008,
};

/// Registers a live handle.
void track(const void* handle, Kind kind);
/// Forgets a handle (freed).
void untrack(const void* handle) noexcept;
/// True when `handle` is live and of `kind`.
bool is_tracked(const void* handle, Kind kind) noexcept;
/// The registry's lock, for lookups that must pin a handle while locking it.
std::unique_lock<std::mutex> registry_lock();
/// is_tracked() for a caller holding registry_lock().
bool is_tracked_locked(const void* handle, Kind kind) noexcept;
/// Throws bad_handle naming `what`.
[[noreturn]] void bad_handle(const char* what);

/// The handle `h` when it is live and of T's kind; else throws bad_handle.
template <typename T>
T& get(T* h, const char* what) {
  if (!h || !is_tracked(h, T::kKind)) bad_handle(what);
  return *h;
}

// --- engines and what runs on their loop ---------------------------------------

/// What an ob_campaign_finish waiting for calls to end is woken by: the campaign's last call
/// ending, its handle being freed, or the engine's thread stopping. Shared by the waiter and
/// those who wake it, so either may go first.
struct FinishWait {
  std::atomic<bool> gone{false};  // the campaign handle was freed
  /// Wakes the waiter (it then looks again at the campaign).
  void wake();
  /// Sleeps until woken or until `deadline` on `clock` (a real clock); false at the deadline.
  bool sleep_until(const outbound::Clock& clock, outbound::Time deadline);
  /// Adds `wait` to `waits` unless it is there, dropping the waits gone meanwhile.
  static void add_to(std::vector<std::weak_ptr<FinishWait>>& waits, const std::shared_ptr<FinishWait>& wait);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

/// An engine and the lock that serialises calls on it.
struct EngineCore : std::enable_shared_from_this<EngineCore> {
  std::shared_ptr<outbound::Clock> clock;
  std::unique_ptr<outbound::Engine> engine;
  std::recursive_mutex mu;        // held by direct calls and loop runs on host threads
  bool thread_running = false;    // the engine's own thread runs the loop (under mu)
  std::map<std::string, ob_campaign*> campaigns;  // handles by name (loop-serialised)
  ob_log_cb log_cb = nullptr;
  void* log_user_data = nullptr;
  std::atomic<bool> closing{false};        // ob_engine_free has begun
  std::atomic<int> blocked_callers{0};     // threads waiting in lock() for `mu`
  std::atomic<bool> finish_runs_loop{false};  // an ob_campaign_finish runs the loop under `mu`
  std::vector<std::weak_ptr<FinishWait>> thread_waits;  // finishes waiting for the engine's thread (under mu)

  /// Locks `mu` for a call from outside the loop. While an ob_campaign_finish runs the loop on
  /// another thread, it lets such calls in between its turns (it would otherwise hold `mu` until
  /// its calls end): a blocked caller is counted and the loop woken.
  std::unique_lock<std::recursive_mutex> lock();

  /// Runs `fn` serialised with the loop: at once on the loop thread; posted to
  /// the engine's own thread (waiting for it) when it runs one; else on this
  /// thread under `mu`.
  template <typename Fn>
  auto run(Fn&& fn) -> std::invoke_result_t<Fn&> {
    using R = std::invoke_result_t<Fn&>;
    auto& loop = engine->loop();
    if (loop.in_loop_thread()) return fn();
    auto lock_ = lock();
    if (!thread_running) return fn();
    std::promise<R> done;
    auto result = done.get_future();
    loop.post([&fn, &done] {
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
          done.set_value();
        } else {
          done.set_value(fn());
        }
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
    lock_.unlock();
    return result.get();
  }

  /// Stops and joins the engine's thread, then runs what was posted meanwhile; wakes the
  /// finishes that waited for the thread.
  void stop_thread();
};

/// run() on a core kept alive for the duration of the call.
template <typename Fn>
auto run_on(std::shared_ptr<EngineCore> core, Fn&& fn) -> std::invoke_result_t<Fn&> {
  return core->run(fn);
}

/// An object a campaign may use on an engine's loop (a list, a DNC list, a call log): once
/// attached, calls on it run through that engine; before, under its own lock.
struct Attachable {
  std::mutex mu;
  std::weak_ptr<EngineCore> engine;

  /// Binds the object to `core`; busy when it is bound to another live engine.
  void attach(const std::shared_ptr<EngineCore>& core, const char* what);

  template <typename Fn>
  auto run(Fn&& fn) -> std::invoke_result_t<Fn&> {
    std::shared_ptr<EngineCore> core;
    {
      std::lock_guard lock(mu);
      core = engine.lock();
      if (!core) return fn();
    }
    return core->run(fn);
  }
};

/// A simulated network and the engine it runs on.
struct NetworkCore {
  std::shared_ptr<EngineCore> engine;
  std::unique_ptr<outbound::sim::Network> network;
};

// --- library-owned results handed to the caller ---------------------------------

/// Something the caller frees through a typed _free function.
struct Owned {
  virtual ~Owned() = default;
};
/// Registers `owner` as the allocation behind `key` and returns `key`.
template <typename T>
T* hand_out(T* key, std::unique_ptr<Owned> owner);
/// Frees the allocation behind `key` (unknown keys are ignored).
void take_back(const void* key) noexcept;
/// Registers an allocation (non-template part of hand_out).
void register_owned(const void* key, std::unique_ptr<Owned> owner);

template <typename T>
T* hand_out(T* key, std::unique_ptr<Owned> owner) {
  register_owned(key, std::move(owner));
  return key;
}

/// A malloc'ed copy of `s` (freed with ob_free).
char* dup_string(const std::string& s);

// --- conversions between C structs and C++ values --------------------------------

/// A borrowed C view of a C++ record (pointers into `source`, which must outlive it).
struct RecordView {
  std::vector<const char*> names, values;
  ob_record view{};
  explicit RecordView(const outbound::Record& source);
  RecordView(const RecordView&) = delete;
  RecordView& operator=(const RecordView&) = delete;
};
/// Fills `out` with a view of `source`, keeping custom field pointers in `names`/`values`.
void fill_record_view(ob_record& out, const outbound::Record& source, std::vector<const char*>& names,
                      std::vector<const char*>& values);
/// The C++ record a C record describes; throws invalid_argument for bad codes.
outbound::Record to_record(const ob_record& r);
/// Records as an owned C array (empty: nullptr).
ob_record* hand_out_records(std::vector<outbound::Record> records);
/// The last epoch second of a treatment instant (9999-12-31T23:59:59Z: the last a calendar date,
/// and a Python datetime, can hold; its milliseconds fit an int64 many times over).
inline constexpr std::int64_t kMaxInstantS = 253402300799;
/// The C++ rules of `count` C treatments; throws invalid_argument for bad codes and for instants
/// past kMaxInstantS. The array's elements are as large as the first rule's version says (an older
/// caller's are shorter).
std::vector<outbound::Treatment> to_treatments(const ob_treatment* rules, std::size_t count);
/// The size of version `version` of ob_treatment (check_version'ed).
std::size_t treatment_size(unsigned int version);
/// A C view of a C++ rule at ob_treatment version `version` (its strings point into `t`, which
/// must outlive it). The instant is in date_time_ms from version 2 on (date_time: OB_NO_TIME).
ob_treatment from_treatment(const outbound::Treatment& t, unsigned int version) noexcept;
/// C views of `rules` at ob_treatment version `version`: an array whose elements are
/// treatment_size(version) bytes, as a caller of that version steps through it.
std::vector<unsigned char> from_treatments(const std::vector<outbound::Treatment>& rules, unsigned int version);
/// Whole seconds of `ms` milliseconds, rounded down (toward the past for instants before 1970).
inline std::int64_t floor_seconds(std::int64_t ms) noexcept { return ms / 1000 - (ms % 1000 < 0 ? 1 : 0); }
/// ms since the epoch of an instant.
std::int64_t to_ms(outbound::Time t) noexcept;
/// The instant of ms since the epoch.
outbound::Time from_ms(std::int64_t ms) noexcept;
/// A C distribution as a simulation distribution (checks the kind).
outbound::sim::Distribution to_distribution(const ob_distribution& d);
/// A simulation distribution as a C distribution.
ob_distribution from_distribution(const outbound::sim::Distribution& d) noexcept;
/// The simulated agent model of C options (NULL: defaults).
outbound::sim::AgentModel to_agent_model(const ob_sim_agent_options* opts);
/// Throws invalid_argument unless `v` is a value of code table `which`.
void check_code(int which, int v, const char* what);
/// The C++ kind of a C campaign event kind, and back.
outbound::CampaignEvent::Kind to_event_kind(int kind);
int from_event_kind(outbound::CampaignEvent::Kind kind) noexcept;

}  // namespace obc

// --- the handles ------------------------------------------------------------------

struct ob_engine {
  static constexpr obc::Kind kKind = obc::Kind::engine;
  obc::Kind magic = kKind;
  std::shared_ptr<obc::EngineCore> core;
};

namespace obc {
/// The calling-window settings a campaign was made with (the C++ campaign keeps them private).
struct WindowSettings {
  outbound::ZoneMap zones;
  int from_s = -1, till_s = -1;
  std::string zone_column;
};
}  // namespace obc

struct ob_campaign {
  static constexpr obc::Kind kKind = obc::Kind::campaign;
  obc::Kind magic = kKind;
  obc::EngineCore* core = nullptr;         // owns this handle (EngineCore::campaigns)
  outbound::Campaign* campaign = nullptr;  // owned by the engine
  std::string name;
  ob_campaign_event_cb event_cb = nullptr;
  void* event_user_data = nullptr;
  obc::WindowSettings windows;
  std::vector<std::weak_ptr<obc::FinishWait>> finish_waits;  // finishes waiting for its calls (loop-serialised)

  ob_campaign() = default;
  ob_campaign(const ob_campaign&) = delete;
  ob_campaign& operator=(const ob_campaign&) = delete;
  /// Wakes the finishes still waiting on this campaign: it is gone.
  ~ob_campaign();
};

struct ob_list {
  static constexpr obc::Kind kKind = obc::Kind::list;
  obc::Kind magic = kKind;
  std::shared_ptr<outbound::CallingList> list;
  std::vector<std::string> custom_fields;
  std::vector<ob_record_type_priority> priorities;  // the list's record_type_priority, as C (fixed at open)
  obc::Attachable home;
};

struct ob_dnc {
  static constexpr obc::Kind kKind = obc::Kind::dnc;
  obc::Kind magic = kKind;
  std::shared_ptr<outbound::DncList> dnc;
  bool backed = false;
  obc::Attachable home;
};

struct ob_call_log {
  static constexpr obc::Kind kKind = obc::Kind::call_log;
  obc::Kind magic = kKind;
  std::shared_ptr<outbound::CallLog> log;
  obc::Attachable home;
};

namespace obc {
class CDriver;
/// A GVP session callback, shared by the handle and the driver's observer.
struct SessionHook {
  std::recursive_mutex mu;  // held while the callback runs (it may set a new one)
  ob_gvp_session_cb cb = nullptr;
  void* user_data = nullptr;
};
}  // namespace obc

struct ob_driver {
  static constexpr obc::Kind kKind = obc::Kind::driver;
  /// What the driver is, for the sim-only calls.
  enum class Type { custom, tserver, cpd, gvp, sip };
  obc::Kind magic = kKind;
  Type type = Type::custom;
  std::shared_ptr<outbound::Driver> driver;
  std::string name;
  obc::CDriver* custom = nullptr;                  // when type == custom (owned by `driver`)
  std::shared_ptr<obc::NetworkCore> network;       // sim drivers
  std::shared_ptr<obc::SessionHook> session_hook;  // sim GVP
};

struct ob_sim_network {
  static constexpr obc::Kind kKind = obc::Kind::network;
  obc::Kind magic = kKind;
  std::shared_ptr<obc::NetworkCore> core;
};

namespace obc {
/// Binds a custom driver to the clock of the engine whose campaign uses it.
void bind_custom_driver(ob_driver& driver, const std::shared_ptr<EngineCore>& core);

/// The engine of a live handle, kept alive for the caller (another thread may free the handle
/// meanwhile); throws bad_handle for a NULL, freed or wrong-type handle.
std::shared_ptr<EngineCore> pin(ob_engine* engine);
/// The engine a live campaign handle is on, kept alive for the caller; throws bad_handle.
std::shared_ptr<EngineCore> pin(ob_campaign* campaign);

/// Runs `fn(handle)` serialised with the loop of `core` (which `campaign` is on), checking there
/// first that the handle still lives: another thread may have freed it since it was pinned.
template <typename Fn>
auto on_live(const std::shared_ptr<EngineCore>& core, ob_campaign* campaign, Fn&& fn) {
  return core->run([&] {
    if (!is_tracked(campaign, Kind::campaign)) bad_handle("campaign");
    return fn(*campaign);
  });
}

/// on_live() on the engine `campaign` is on.
template <typename Fn>
auto on_live(ob_campaign* campaign, Fn&& fn) {
  return on_live(pin(campaign), campaign, std::forward<Fn>(fn));
}
}  // namespace obc
