// What the campaign reads from and writes to its calling lists: database
// errors reported without flooding, results flushed (and kept for retry
// while the database is away), records released to ready, and the record
// buffer refilled list by list in share-weighted turns.
#include "campaign_impl.hpp"

namespace outbound {

// While the database is away every retry fails the same way: the same
// message is reported once per db_error_every, with how often it recurred.
void Campaign::Impl::report_db_error(std::string message) {
  static constexpr Duration db_error_every = std::chrono::seconds(10);
  const Time now = loop.now();
  if (message == last_db_error && now - last_db_error_at < db_error_every) {
    ++db_errors_suppressed;
    return;
  }
  last_db_error = message;
  if (db_errors_suppressed) message += " (and " + std::to_string(db_errors_suppressed) + " times more since the last report)";
  last_db_error_at = now;
  db_errors_suppressed = 0;
  emit(CampaignEvent::Kind::database_error, std::move(message));
}

namespace {

using detail::run_db;

// One list's writes of a flush, with what the worker found.
template <typename Item>
struct ListWrites {
  CallingList* list = nullptr;
  std::vector<Item> items;
  std::vector<std::int64_t> lost;  // update_owned: records another engine holds
  std::string error;               // empty: written
};

template <typename Item>
std::vector<ListWrites<Item>> take_writes(std::map<CallingList*, std::vector<Item>>& pending) {
  std::vector<ListWrites<Item>> out;
  for (auto& [list, items] : pending) out.push_back({list, std::move(items), {}, {}});
  pending.clear();
  return out;
}

// What failed goes back in front of anything queued since, so each record's writes keep their order.
template <typename Item>
void requeue(std::map<CallingList*, std::vector<Item>>& pending, ListWrites<Item>& w) {
  auto& q = pending[w.list];
  q.insert(q.begin(), std::make_move_iterator(w.items.begin()), std::make_move_iterator(w.items.end()));
}

}  // namespace

// Results, then the call log, then releases. The list writes go to the list
// worker (one flush at a time); the call log is written here, on the loop.
void Campaign::Impl::flush() {
  if (flush_in_flight) {
    flush_again = true;
    return;
  }
  struct Outcome {
    std::vector<ListWrites<Record>> updates;
    std::vector<ListWrites<std::int64_t>> releases;
    bool ok = true;
  };
  auto out = std::make_shared<Outcome>();
  out->updates = take_writes(pending_updates);
  flush_in_flight = true;
  storage.submit(
      [out] {
        for (auto& w : out->updates) run_db("write results", w.error, [&] { w.lost = w.list->update_owned(w.items); });
      },
      [this, out] {
        for (auto& w : out->updates) {
          if (!w.error.empty()) {
            report_db_error(w.error);
            requeue(pending_updates, w);
            out->ok = false;
            continue;
          }
          std::set<std::int64_t> not_ours(w.lost.begin(), w.lost.end());
          for (const auto& r : w.items) {
            if (not_ours.count(r.record_id)) {
              // Another engine took the record after our lease expired: its row is theirs now.
              emit(CampaignEvent::Kind::error, "lease lost: the result of record " + std::to_string(r.record_id) +
                                                   " was not written (another engine holds it)", r.record_id, r.call_result);
              continue;
            }
            // Durable now: journals and audits may rely on it.
            emit(CampaignEvent::Kind::written,
                 "record " + std::to_string(r.record_id) + " written: " + std::string(to_string(r.record_status)) + ", " +
                     std::string(to_string(r.call_result)),
                 r.record_id, r.call_result);
          }
        }
      });
  // No call goes out whose record of proof cannot be kept (write_failed stops the pacing).
  if (!flush_call_log()) out->ok = false;
  out->releases = take_writes(pending_releases);
  storage.submit(
      [out] {
        for (auto& w : out->releases) run_db("release records", w.error, [&] { w.list->release(w.items); });
      },
      [this, out] {
        for (auto& w : out->releases)
          if (!w.error.empty()) {
            report_db_error(w.error);
            requeue(pending_releases, w);
            out->ok = false;
          }
        write_failed = !out->ok;
        flush_in_flight = false;
        if (flush_again) {
          flush_again = false;
          flush();
        } else if (storage.threaded() && !write_failed) {
          request_pace();  // a pace held by write_failed may go on
        }
      });
}

void Campaign::Impl::flush_now() {
  DispatchScope waiting(storage_waits);
  flush();
  settle_storage();
}

// Every job with the worker done and its completion run; what those queued
// (a batch not dialed after all returns its records) is written too.
void Campaign::Impl::settle_storage() {
  DispatchScope waiting(storage_waits);
  if (!storage.threaded()) return;
  for (int round = 0;; ++round) {
    storage.wait_idle();
    if (!has_pending_writes() || (round > 0 && write_failed) || round > 3) return;
    flush();
  }
}

// The tracker's queued rows; on failure they stay queued for the next flush.
// On the loop's own turns (timers, an abandon, a dialing turn) a locked log is
// waited for at most kLoopLockWait, so the abandon timer and connects are not
// held up; stop, unload, load and Campaign::flush wait as long as the log's
// connection does (they promise every write done when they return).
bool Campaign::Impl::flush_call_log() {
  if (!call_log) return true;
  std::string error;
  if (calls.flush_log(*call_log, storage_waits > 0 ? std::nullopt : std::optional<Duration>(campaign_detail::kLoopLockWait), &error)) return true;
  report_db_error("write call log: " + error);
  return false;
}

// Returns every still-retrieved record of the chain to ready (not dialed now).
void Campaign::Impl::release_chain(ChainWork& chain) {
  for (auto& r : chain.records)
    if (r.record_status == RecordStatus::retrieved) {
      r.record_status = RecordStatus::ready;
      pending_releases[chain.list].push_back(r.record_id);
    }
}

void Campaign::Impl::release_buffer() {
  while (!buffer.empty()) {
    auto chain = buffer.pop_front();
    release_chain(*chain);
  }
}

void Campaign::Impl::record_error(std::int64_t record_id, const std::string& reason) {
  ++st.record_errors;
  emit(CampaignEvent::Kind::record_error, reason, record_id);
}

ListEntry* Campaign::Impl::next_list(Time now) {
  ListEntry* best = nullptr;
  double total = 0;
  for (auto& e : lists)
    if (e.empty_until <= now && !e.retrieving) {
      e.credit += e.share;
      total += e.share;
      if (!best || e.credit > best->credit) best = &e;
    }
  if (best) best->credit -= total;
  return best;
}

// Lists are asked in share-weighted turns until the asked-for records would
// reach the low-water mark; each list has at most one retrieval under way.
void Campaign::Impl::refill() {
  const Time now = loop.now();
  for (std::size_t tries = 0; buffer.records() + records_requested < low_water() && tries < lists.size(); ++tries) {
    ListEntry* e = next_list(now);
    if (!e) return;
    refill_from(static_cast<std::size_t>(e - lists.data()), now);
  }
}

// A retry or callback that became due does not wait behind the buffered
// chains (with a chunk of 500 and 10 agents that took up to 17 minutes): when
// a due time this campaign wrote has come, each list is asked for the records
// that fell due since it was last asked (an index range: due records whose
// window is closed are not read again each time), and every
// empty_list_backoff for every due record (those others scheduled, and those
// whose window has opened since). They go to the front of the buffer,
// earliest due first.
void Campaign::Impl::refill_due() {
  const Time now = loop.now();
  const EpochSeconds now_secs = to_epoch_seconds(now);
  const bool known_due = !due_times.empty() && *due_times.begin() <= now_secs;
  if (known_due) due_times.erase(due_times.begin(), due_times.upper_bound(now_secs));
  for (std::size_t i = 0; i < lists.size(); ++i) {
    ListEntry& e = lists[i];
    if (e.retrieving) continue;  // under way: it takes due records first anyway
    const bool full = now - e.due_polled >= cfg.empty_list_backoff;
    if (!full && !known_due) continue;
    if (full) e.due_polled = now;
    refill_from(i, now, full || !e.due_seen ? Due::all_due : Due::newly_due);
  }
}

void Campaign::Impl::note_due(EpochSeconds at) {
  if (at <= now_s()) return;  // due already: the next retrieval takes it
  const bool first = due_times.count(at) == 0;
  due_times.insert(at);
  if (!first) return;  // a turn is already set for then
  loop.schedule_at(from_epoch_seconds(at), [w = weak_from_this()] {
    if (auto im = w.lock()) im->request_pace();
  });
}

void Campaign::Impl::refill_from(std::size_t list_index, Time now, Due due) {
  ListEntry& e = lists[list_index];
  RetrieveRequest rq;
  rq.now = to_epoch_seconds(now);
  rq.due_only = due != Due::any;
  if (due == Due::newly_due) rq.due_after = e.due_seen;
  rq.max_records = cfg.chunk_size;
  rq.check_windows = windows.enabled();
  if (rq.check_windows) rq.zones = windows.zones_open_now(now);
  if (windows.zones_from_numbers()) {
    rq.include_unmapped_zones = true;
    rq.mapped_zone_keys = windows.zones().keys();
  }
  struct Outcome {
    RetrieveResult got;
    std::string error;
  };
  auto out = std::make_shared<Outcome>();
  e.retrieving = true;
  records_requested += cfg.chunk_size;
  storage.submit([out, list = e.list, rq] { run_db("retrieve records", out->error, [&] { out->got = list->retrieve(rq); }); },
                 [this, out, list_index, now, due] { on_retrieved(list_index, std::move(out->got), out->error, now, due); });
}

void Campaign::Impl::on_retrieved(std::size_t list_index, RetrieveResult got, const std::string& error, Time now, Due due) {
  ListEntry& e = lists[list_index];
  e.retrieving = false;
  records_requested -= cfg.chunk_size;
  if (!error.empty()) {
    report_db_error(error);
    // The database is away: ask again soon (it reconnects), not after the empty-list wait.
    e.empty_until = add_saturating(now, std::min<Duration>(cfg.empty_list_backoff, std::chrono::seconds(2)));
    return;
  }
  for (const auto& err : got.errors) record_error(err.record_id, err.reason);
  const bool found = !got.records.empty();
  if (!found && due == Due::any) e.empty_until = add_saturating(now, cfg.empty_list_backoff);
  // Every record due by `now` was offered, unless the chunk cut the answer:
  // then the next poll reads from where this one started again.
  if (due != Due::any && got.records.size() < cfg.chunk_size) e.due_seen = to_epoch_seconds(now);
  add_chains(std::move(got.records), e.list.get());
  if (!storage.threaded()) return;
  if (!state_accepts_dials()) return release_buffer();  // stopped while they were on their way: back to ready
  if (found) request_pace();
}

void Campaign::Impl::add_chains(std::vector<Record> records, CallingList* list) {
  const EpochSeconds now = now_s();
  std::size_t i = 0;
  while (i < records.size()) {
    auto chain = std::make_unique<ChainWork>();
    chain->list = list;
    int id = records[i].chain_id;
    while (i < records.size() && records[i].chain_id == id) chain->records.push_back(std::move(records[i++]));
    chain->next = first_record_to_dial(*chain);
    for (const Record& r : chain->records)
      if (r.dial_sched_time && *r.dial_sched_time <= now) chain->due_at = std::min(chain->due_at.value_or(now), *r.dial_sched_time);
    // A due record (however it was retrieved) does not wait behind the
    // buffered fresh chains: that wait made a 5-minute retry up to 17 minutes late.
    if (chain->due_at)
      buffer.insert_due(std::move(chain));
    else
      buffer.push_back(std::move(chain));
  }
}

// The treatments history says which record of a resumed chain is next.
std::size_t Campaign::Impl::first_record_to_dial(const ChainWork& chain) {
  for (const auto& r : chain.records)
    if (history_restored_for(r.record_type))
      if (auto h = parse_treatment_history(r.treatments); h && h->next_chain_n > 0)
        if (auto idx = chain.index_of_chain_n(h->next_chain_n)) return *idx;
  return 0;
}

}  // namespace outbound
