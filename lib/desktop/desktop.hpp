// Private: the agents' desktops (OCS desktop protocol) with their own state —
// record handles, the chains agents hold, their timeouts — and the desktop's
// rules: which decisions are valid, what a preview hands out, which record of
// a chain comes next, when a forgotten record times out.
//
// It reaches the campaign only through DesktopHost, a short interface the
// campaign implements; it never sees the campaign's fields. Everything runs on
// the engine's loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "../campaign/chain_work.hpp"
#include "outbound/campaign.hpp"
#include "outbound/event_loop.hpp"
#include "outbound/treatment.hpp"

namespace outbound::desktop {

using detail::ChainWork;

/// What an agent decided about one record.
struct Decision {
  enum class Kind { processed, reschedule, cancel, reject, dnc } kind = Kind::processed;
  std::optional<CallResult> result;                ///< processed: the agent's result
  EpochSeconds at = 0;                             ///< reschedule: when
  CallbackKind callback = CallbackKind::campaign;  ///< reschedule: for whom
  DncScope scope = DncScope::record;               ///< dnc: how far
  std::string message;                             ///< dnc: why
};

/// The gate's answer for a record an agent would dial next in its chain.
enum class GateVerdict { dial, skip, chain_done };

/// The next chain the campaign lets an agent preview, or why there is none.
struct PreviewPick {
  std::unique_ptr<ChainWork> chain;           ///< its record to preview is chain->next; null: none
  std::shared_ptr<const TreatmentSet> rules;  ///< the rules it will be treated by
  std::string none_because;                   ///< without a chain: the reason told to the agent
};

/// How a chain leaves the desktop once every handle of it is closed.
struct ChainOutcome {
  std::optional<EpochSeconds> reschedule_at;   ///< a callback asked for the chain: wait until then
  std::optional<TreatmentDecision> treatment;  ///< else the last processed record's decision
  std::int64_t treated_record = 0;             ///< the record that decision was for
};

/// What the desktop asks of its campaign. Twelve functions; each says why it exists.
class DesktopHost {
 public:
  virtual ~DesktopHost() = default;
  /// A handle's record lives with its call while the call lasts: the call's chain.
  virtual ChainWork& call_chain(CallId call) = 0;
  /// Previews are handed out only while the campaign dials.
  virtual bool dialing() const = 0;
  /// A preview takes the next chain from the campaign's buffer past its gate (no lockout: the agent dials).
  virtual PreviewPick pick_for_preview(bool sync_dnc_first) = 0;
  /// A chained record passes the same gate before an agent may dial it.
  virtual GateVerdict gate_chained(ChainWork& chain, std::size_t index) = 0;
  /// A processed record goes through the campaign's treatments (with their limits).
  virtual TreatmentDecision treat(const ChainWork& chain, std::size_t index, CallResult result,
                                  const TreatmentSet& rules) = 0;
  /// A record's new state is queued for write-back; `counted`: it also counts as rescheduled or finalized.
  virtual void write_record(CallingList* list, const Record& r, bool counted) = 0;
  /// A rejected preview returns to ready in its list, undialed.
  virtual void release_record(CallingList* list, std::int64_t record_id) = 0;
  /// Do-not-call: the campaign's DNC list takes the number (and for a chain, the customer id).
  virtual void list_do_not_call(const CallingList& list, const Record& r, DncScope scope,
                                const std::string& message) = 0;
  /// Every handle of a chain is closed: the chain moves on (scheduled, treated or released).
  virtual void move_chain_on(std::unique_ptr<ChainWork> chain, const ChainOutcome& outcome) = 0;
  /// Desktop events reach the campaign's subscribers as they are.
  virtual void desktop_event(const CampaignEvent& e) = 0;
  /// An error the operator must see (a forgotten record), through the campaign's usual event path.
  virtual void report_error(const std::string& message) = 0;
  /// The agent's desktop holds nothing any more: an inferred wrap-up can end.
  virtual void desk_cleared(const std::string& agent) = 0;
};

/// The desktops of one campaign: handles, the chains they hold, and the desktop requests.
class Desktop {
 public:
  /// What the desktop reads from its campaign (all outlive it; the config may change between requests).
  struct Setup {
    EventLoop& loop;                ///< clock and the desktop timeout's timer
    const CampaignConfig& cfg;      ///< name, mode, wait_for_desktop, desktop_timeout
    const CallingWindows& windows;  ///< a reschedule must fall inside the record's window
    const DncList* dnc;             ///< do-not-call decisions need one (null: none)
  };

  /// A desktop that asks `host` for what is the campaign's.
  Desktop(DesktopHost& host, Setup setup);
  Desktop(const Desktop&) = delete;
  Desktop& operator=(const Desktop&) = delete;

  // --- records that arrive with a call ------------------------------------------
  /// A connected call's record reaches `agent`: its new handle (announce it with announce_delivery).
  std::int64_t open_call_handle(CallId call, const std::string& agent, std::size_t index);
  /// Tells subscribers that the call's record of `handle` is on its agent's desktop.
  void announce_delivery(std::int64_t handle);
  /// The call of `handle` is released with `result`: true when the desktop takes its chain (a
  /// decision to apply, or one to wait for); false when the call finishes the usual way.
  bool call_released(std::int64_t handle, std::unique_ptr<ChainWork>& chain, std::size_t index, CallResult result,
                     std::shared_ptr<const TreatmentSet> rules);

  // --- desktop requests -----------------------------------------------------------
  /// A record for `agent` to preview (asked, or `pushed` in push-preview mode); none when none is dialable.
  std::optional<DesktopRecord> preview(const std::string& agent, bool pushed);
  /// The next dialable record of the chain `handle` belongs to; none when the chain has no more.
  std::optional<DesktopRecord> chained(const std::string& agent, std::int64_t handle);
  /// The agent's decision on `handle`: checked first (nothing changes when refused), applied now or at the call's end.
  void decide(const std::string& agent, std::int64_t handle, Decision d);
  /// The agent's call result for `handle`, kept without closing it.
  void set_call_result(const std::string& agent, std::int64_t handle, CallResult result);
  /// A reschedule of `r` to `at` (held or waiting in its list) lies ahead and inside its window; throws otherwise.
  void check_reschedule(const Record& r, EpochSeconds at) const;
  /// The agent leaves: previews return to ready, other held records are processed.
  void logout(const std::string& agent);
  /// The records `agent` holds now.
  std::vector<DesktopRecord> records_of(const std::string& agent) const;
  /// Agents holding at least one handle (a pushed preview skips them).
  std::set<std::string> holders() const;
  /// A desktop event for `agent` (handle 0: none; record may be null), to subscribers as it is.
  void emit(CampaignEvent::Kind kind, const std::string& agent, std::int64_t handle, const Record* record,
            std::string message = {});

  // --- what the campaign asks -----------------------------------------------------
  /// True when no chain is on a desktop (auto-completion waits otherwise).
  bool empty() const { return desk_.empty(); }
  /// Calls `f(const ChainWork&)` on every chain held on a desktop.
  template <typename F>
  void for_each_chain(F&& f) const {
    for (const auto& [key, e] : desk_) f(*e.chain);
  }
  /// Unloading: every chain leaves the desktops (a called record with the network's result).
  void release_all();
  /// Unloaded: the handles of calls that are gone are forgotten.
  void forget_call_handles() { handles_.clear(); }

 private:
  /// A chain held by an agent's desktop: previewed, or after its call until processed.
  struct Entry {
    std::string agent;
    std::unique_ptr<ChainWork> chain;
    std::map<std::int64_t, std::size_t> open;   // handles not yet closed -> record index
    std::optional<CallResult> network_result;   // the call's result, when there was a call
    std::shared_ptr<const TreatmentSet> rules;  // rules at the time it was handed out
    bool preview = false;                       // the desktop dials it (attempts counted on processed)
    ChainOutcome outcome;                       // where the chain goes once every handle closes
    TimerId timeout = 0;                        // finishes a forgotten record
  };
  /// Where a handle's record is: in a call, or on a desktop.
  struct HandleRef {
    std::string agent;
    CallId call = 0;                   // while its call lasts
    std::int64_t entry = 0;            // Entry key once on a desktop
    std::size_t index = 0;             // the record in the chain
    std::optional<Decision> decision;  // made during the call: applied when it is released
  };

  std::int64_t new_handle();  // unique in the process: each campaign numbers in its own range
  // The open handle `agent` holds; a clear error for an unknown, finished or another's handle.
  HandleRef& handle_of(const std::string& agent, std::int64_t handle);
  ChainWork& chain_of(const HandleRef& ref) const;  // the call's chain, or the entry's
  DesktopRecord desktop_record(std::int64_t handle, const ChainWork& chain, std::size_t index,
                               const std::string& agent) const;
  void validate(const HandleRef& ref, const Record& r, const Decision& d) const;  // throws; changes nothing
  void apply(Entry& e, std::size_t index, const Decision& d);                     // one record changes; the chain waits
  void finalize_dnc(ChainWork& chain, Record& r);
  void close_handle(std::int64_t handle);  // the last one of an entry moves its chain on
  void route_entry(std::int64_t key);
  void on_timeout(std::int64_t key);  // the desktop timeout of a chain after its call
  EpochSeconds now_s() const { return to_epoch_seconds(loop_.now()); }

  DesktopHost& host_;
  EventLoop& loop_;
  const CampaignConfig& cfg_;
  const CallingWindows& windows_;
  const DncList* dnc_;
  std::map<std::int64_t, Entry> desk_;                   // entries by key (their first handle)
  std::unordered_map<std::int64_t, HandleRef> handles_;  // every open handle
  std::int64_t handle_base_ = 0;                         // this campaign's handle range
  std::int64_t next_handle_ = 1;
};

}  // namespace outbound::desktop
