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

void Campaign::Impl::flush() {
  bool ok = true;
  for (auto it = pending_updates.begin(); it != pending_updates.end();) {
    std::vector<std::int64_t> lost;
    if (guarded_db("write results", [&] { lost = it->first->update_owned(it->second); })) {
      std::set<std::int64_t> not_ours(lost.begin(), lost.end());
      for (const auto& r : it->second) {
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
      it = pending_updates.erase(it);
    } else {
      ok = false, ++it;
    }
  }
  // No call goes out whose record of proof cannot be kept (write_failed stops the pacing).
  if (!flush_call_log()) ok = false;
  for (auto it = pending_releases.begin(); it != pending_releases.end();) {
    if (guarded_db("release records", [&] { it->first->release(it->second); }))
      it = pending_releases.erase(it);
    else
      ok = false, ++it;
  }
  write_failed = !ok;
}

bool Campaign::Impl::flush_call_log() {
  if (!call_log || pending_log.empty()) return true;
  if (!guarded_db("write call log", [&] { call_log->append(pending_log); })) return false;
  pending_log.clear();
  return true;
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
    if (e.empty_until <= now) {
      e.credit += e.share;
      total += e.share;
      if (!best || e.credit > best->credit) best = &e;
    }
  if (best) best->credit -= total;
  return best;
}

void Campaign::Impl::refill() {
  Time now = loop.now();
  for (std::size_t tries = 0; buffer.records() < low_water() && tries < lists.size(); ++tries) {
    ListEntry* e = next_list(now);
    if (!e) return;
    RetrieveRequest rq;
    rq.now = to_epoch_seconds(now);
    rq.max_records = cfg.chunk_size;
    rq.check_windows = windows.enabled();
    if (rq.check_windows) rq.zones = windows.zones_open_now(now);
    if (windows.zones_from_numbers()) {
      rq.include_unmapped_zones = true;
      rq.mapped_zone_keys = windows.zones().keys();
    }
    RetrieveResult got;
    if (!guarded_db("retrieve records", [&] { got = e->list->retrieve(rq); })) {
      // The database is away: ask again soon (it reconnects), not after the empty-list wait.
      e->empty_until = add_saturating(now, std::min<Duration>(cfg.empty_list_backoff, std::chrono::seconds(2)));
      continue;
    }
    for (const auto& err : got.errors) record_error(err.record_id, err.reason);
    if (got.records.empty()) e->empty_until = add_saturating(now, cfg.empty_list_backoff);
    add_chains(std::move(got.records), e->list.get());
  }
}

void Campaign::Impl::add_chains(std::vector<Record> records, CallingList* list) {
  std::size_t i = 0;
  while (i < records.size()) {
    auto chain = std::make_unique<ChainWork>();
    chain->list = list;
    int id = records[i].chain_id;
    while (i < records.size() && records[i].chain_id == id) chain->records.push_back(std::move(records[i++]));
    chain->next = first_record_to_dial(*chain);
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
