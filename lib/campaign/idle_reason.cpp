// Why a started campaign dials nothing. A campaign that has placed no call
// for kIdleAfter sends an `idle` event naming the first thing that holds it
// (results that cannot be written, a driver refusing, lists with nothing
// dialable, agents, ports, the abandon guard), once per change of reason and
// again every kIdleRepeat while it lasts. The reason is worked out at most
// every kIdleCheckEvery; its lists' part (a scan of every list) less often,
// up to kListCheckMax, while it stays the same: a campaign can wait out a
// closed window for hours.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>

#include "campaign_impl.hpp"
#include "outbound/list_progress.hpp"

namespace outbound {
namespace {

constexpr Duration kIdleAfter = std::chrono::seconds(30);
constexpr Duration kIdleRepeat = std::chrono::minutes(5);
constexpr Duration kIdleCheckEvery = std::chrono::seconds(10);
constexpr Duration kListCheckMax = std::chrono::seconds(80);

std::string utc_text(Time t) {
  std::time_t s = static_cast<std::time_t>(to_epoch_seconds(t));
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", fraction * 100.0);
  return buf;
}

// The key of a "key: text" reason.
std::string key_of(const std::string& reason) { return reason.substr(0, reason.find(':')); }

// The first instant one of `list`'s due, window-deferred groups opens.
std::optional<Time> next_window_open(CallingList& list, const CallingWindows& windows, Time now) {
  std::optional<Time> first;
  const std::string& zone_column = list.options().zone_column;
  for (const auto& g : list.ready_groups(to_epoch_seconds(now))) {
    if (g.scheduled_later) continue;
    Record r;  // a record standing for the group, as list_progress reads it
    if (zone_column.empty())
      r.tz_dbid = static_cast<int>(std::strtol(g.zone_key.c_str(), nullptr, 10));
    else
      r.custom[zone_column] = g.zone_key;
    r.daily_from = g.daily_from;
    r.daily_till = g.daily_till;
    if (windows.check(r, now) != WindowVerdict::closed) continue;
    if (auto t = windows.next_open(r, now); t && (!first || *t < *first)) first = t;
  }
  return first;
}

}  // namespace

void Campaign::Impl::check_idle() {
  if ((state != CampaignState::running && state != CampaignState::active) || !is_autonomous(cfg.mode)) return;
  const Time now = loop.now();
  const long placed = st.dials - st.driver_errors;
  if (idle.started != started_at || placed != idle.placed_seen) {
    // A new start, or dialing went on: a later idle spell is reported afresh.
    const bool new_start = idle.started != started_at;
    idle.started = started_at;
    idle.placed_seen = placed;
    idle.since = new_start ? started_at : now;
    idle.reason.clear();
    idle.list_reason.reset();
    if (!new_start) return;
  }
  if (now - idle.since < kIdleAfter || (!idle.reason.empty() && now - idle.checked_at < kIdleCheckEvery)) return;
  idle.checked_at = now;
  auto known = idle_reason();
  if (!known) {
    idle.checked_at = Time{};  // asked again at the next tick
    return;
  }
  const std::string reason = std::move(*known);
  const bool changed = key_of(reason) != key_of(idle.reason);
  if (!changed && now - idle.reported_at < kIdleRepeat) return;
  idle.reason = reason;
  idle.reported_at = now;
  const long quiet_s = static_cast<long>(to_seconds(now - idle.since));
  emit(CampaignEvent::Kind::idle, reason + " (nothing dialed for " + std::to_string(quiet_s) + " s)");
}

void Campaign::Impl::note_refusal(const std::string& error) {
  if (idle.last_refusal_at < idle.since) idle.refusals = 0;  // the first of this idle spell
  ++idle.refusals;
  idle.last_refusal_at = loop.now();
  idle.last_refusal = error;
}

// The first of the reasons that holds dialing, most fundamental first.
std::optional<std::string> Campaign::Impl::idle_reason() {
  if (write_failed) return "results_not_written: results cannot be written to the list; dialing is held until they can";
  if (long refused = idle.last_refusal_at >= idle.since ? idle.refusals : 0; refused > 0)
    return "driver_refusing: the driver refused " + std::to_string(refused) + " dial" + (refused == 1 ? "" : "s") +
           (idle.last_refusal.empty() ? std::string() : ", the last with: " + idle.last_refusal);
  if (buffer.empty()) {
    auto r = recent_list_reason();
    if (!r) return std::nullopt;  // the lists' count has not come back yet
    if (!r->empty()) return *r;
  }
  const PacingSnapshot s = snapshot();
  if (!is_gvp(cfg.mode)) {
    if (s.agents_logged_in == 0) return "no_agents: no agent is logged in";
    if (s.agents_ready == 0)
      return "no_ready_agents: no agent is ready (" + std::to_string(s.agents_logged_in) + " logged in: " +
             std::to_string(s.agents_busy) + " busy, " + std::to_string(s.agents_wrap) + " in wrap-up, " +
             std::to_string(s.agents_reserved) + " reserved, " +
             std::to_string(s.agents_logged_in - s.agents_busy - s.agents_wrap - s.agents_reserved) + " not ready)";
  }
  if (s.ports > 0 && static_cast<int>(calls.size()) >= s.ports)
    return "ports_exhausted: every port is taken (" + std::to_string(calls.size()) + " calls in flight, limit " +
           std::to_string(s.ports) + ")";
  if (s.abandon.cap_rate > 0 && s.abandon.live_in_window > 0) {
    const double rate = static_cast<double>(s.abandon.abandoned_in_window) / static_cast<double>(s.abandon.live_in_window);
    if (rate >= s.abandon.cap_rate)
      return "abandon_guard: the abandon guard holds dialing (" + percent(rate) + " of live answers abandoned in the window, cap " +
             percent(s.abandon.cap_rate) + ")";
  }
  return "pacer: the " + std::string(to_string(cfg.mode)) + " pacer asks for no dial now (" + std::to_string(calls.size()) +
         " calls in flight, " + std::to_string(s.agents_ready) + " agents ready, " + std::to_string(buffer.records()) +
         " records buffered)";
}

// The lists' part of the idle reason, as last worked out. A new count is due
// after a wait that doubles (from kIdleCheckEvery to kListCheckMax) while its
// key stays the same. The count runs as a list-worker job: the lists are the
// worker's while jobs run, and a locked database must not hold the loop thread
// (under a manual clock the job and its completion run at once, here).
// nullopt: no count has come back yet.
std::optional<std::string> Campaign::Impl::recent_list_reason() {
  const Time now = loop.now();
  const bool due = !idle.list_reason || now - idle.list_checked_at >= idle.list_check_every;
  if (due && !idle.list_counting) count_lists();
  if (idle.list_counting && now - idle.list_count_started >= kIdleCheckEvery)
    return "database_slow: the lists' records have not been counted in " +
           std::to_string(static_cast<long>(to_seconds(now - idle.list_count_started))) +
           " s: the list database is slow or locked";
  return idle.list_reason;
}

namespace {

// What the idle reason needs to know of the lists, counted on the list worker.
struct ListCounts {
  std::int64_t total = 0, ready = 0, dialable = 0, deferred = 0, later = 0;
  std::optional<Time> opens;  // the first window-deferred group's opening
  std::string error;          // the database error, if the count failed
};

void count_into(ListCounts& c, const std::vector<std::shared_ptr<CallingList>>& lists, const CallingWindows& windows, Time now) {
  for (const auto& list : lists) {
    ListProgress p = list_progress(*list, windows, now);
    for (const auto& [status, n] : p.by_status) c.total += n;
    c.ready += p.ready;
    c.dialable += p.dialable_now;
    c.deferred += p.window_deferred;
    c.later += p.scheduled_later;
    if (p.window_deferred > 0)
      if (auto t = next_window_open(*list, windows, now); t && (!c.opens || *t < *c.opens)) c.opens = t;
  }
}

// Nothing buffered: are the lists empty, used up, waiting for a window, or
// scheduled later? "" when records are dialable (another engine may hold them).
std::string list_reason_of(const ListCounts& c) {
  if (!c.error.empty()) return "database: the lists' records cannot be counted (see the database_error event)";
  if (c.total == 0) return "list_empty: the calling lists hold no record";
  if (c.ready == 0)
    return "list_exhausted: no record is ready to dial (" + std::to_string(c.total) + " records, every one final, cancelled or in use)";
  if (c.dialable > 0) return {};
  if (c.deferred > 0)
    return "outside_window: every ready record (" + std::to_string(c.deferred) + ") is outside its calling window; " +
           (c.opens ? "the next window opens at " + utc_text(*c.opens) : std::string("no window opens in the next 3 days")) +
           (c.later > 0 ? "; " + std::to_string(c.later) + " more are scheduled later" : std::string());
  return "scheduled_later: every ready record (" + std::to_string(c.later) + ") is scheduled for later";
}

}  // namespace

void Campaign::Impl::count_lists() {
  const Time now = loop.now();
  idle.list_counting = true;
  idle.list_count_started = now;
  if (lists.empty()) return set_list_reason("list_empty: the campaign has no calling list");
  auto counts = std::make_shared<ListCounts>();
  std::vector<std::shared_ptr<CallingList>> targets;
  for (auto& e : lists) targets.push_back(e.list);
  // `windows` is fixed once the campaign is built, and outlives the worker (a member declared before it).
  storage.submit([counts, targets, &windows = windows, now] {
    detail::run_db("count the lists' records", counts->error, [&] { count_into(*counts, targets, windows, now); });
  },
                 [this, counts] {
                   if (!counts->error.empty()) report_db_error(counts->error);
                   set_list_reason(list_reason_of(*counts));
                 });
}

void Campaign::Impl::set_list_reason(const std::string& r) {
  const bool same = idle.list_reason && key_of(*idle.list_reason) == key_of(r);
  idle.list_check_every = same ? std::min<Duration>(idle.list_check_every * 2, kListCheckMax) : kIdleCheckEvery;
  idle.list_checked_at = idle.list_count_started;
  idle.list_reason = r;
  idle.list_counting = false;
  // A count that came back later than asked (a worker thread): the next tick reports what it found.
  if (!same && storage.threaded()) idle.checked_at = Time{};
}

}  // namespace outbound
