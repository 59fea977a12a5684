// outbound C API — the call log (one row per call placed) and its entries.
//
// A CallLog is not thread-safe: campaigns use it on their engine's loop, so
// once one has it (ob_campaign_set_call_log attaches it), calls on the handle
// run through that engine; before, under the handle's own lock.
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {
namespace {

ob_call_log& log_of(ob_call_log* l) { return get(l, "call log"); }

struct OwnedEntries : Owned {
  std::vector<outbound::CallLogEntry> source;
  std::vector<ob_call_log_entry> entries;
};

std::int64_t ms_or_none(const std::optional<outbound::Time>& t) noexcept { return t ? to_ms(*t) : OB_NO_TIME; }

// Entries as an owned C array (empty: nullptr).
ob_call_log_entry* hand_out_entries(std::vector<outbound::CallLogEntry> calls) {
  if (calls.empty()) return nullptr;
  auto owner = std::make_unique<OwnedEntries>();
  owner->source = std::move(calls);
  owner->entries.resize(owner->source.size());
  for (std::size_t i = 0; i < owner->source.size(); ++i) {
    const auto& s = owner->source[i];
    auto& e = owner->entries[i];
    e.version = OB_CALL_LOG_ENTRY_VERSION;
    e.campaign = s.campaign.c_str();
    e.list = s.list.c_str();
    e.record_id = s.record_id;
    e.chain_id = s.chain_id;
    e.chain_n = s.chain_n;
    e.phone = s.phone.c_str();
    e.agent_id = s.agent_id.c_str();
    e.dialed_at_ms = to_ms(s.dialed_at);
    e.answered_at_ms = ms_or_none(s.answered_at);
    e.answer = static_cast<int>(s.answer);
    e.connected_at_ms = ms_or_none(s.connected_at);
    e.abandoned = s.abandoned ? 1 : 0;
    e.released_at_ms = to_ms(s.released_at);
    e.result = static_cast<int>(s.result);
    e.message_left = s.message_left ? 1 : 0;
  }
  ob_call_log_entry* key = owner->entries.data();
  return hand_out(key, std::move(owner));
}

}  // namespace
}  // namespace obc

extern "C" {

int ob_call_log_options_init(ob_call_log_options* out, unsigned int version) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::check_version(version, OB_CALL_LOG_OPTIONS_VERSION, "ob_call_log_options");
    *out = ob_call_log_options OB_CALL_LOG_OPTIONS_INIT;
    out->version = version;
  });
}

int ob_call_log_new(ob_call_log** out, const ob_call_log_options* opts) {
  return obc::guard([&] {
    obc::need(out, "out");
    ob_call_log_options o = OB_CALL_LOG_OPTIONS_INIT;
    if (opts) {
      obc::check_version(opts->version, OB_CALL_LOG_OPTIONS_VERSION, "ob_call_log_options");
      o = *opts;
    }
    obc::need(o.connection, "ob_call_log_options.connection");
    outbound::CallLogOptions c;
    if (o.table) c.table = o.table;
    c.create_if_missing = o.create_if_missing != 0;
    auto handle = std::make_unique<ob_call_log>();
    handle->log = std::shared_ptr<outbound::CallLog>(outbound::CallLog::open(o.connection, c));
    obc::track(handle.get(), obc::Kind::call_log);
    *out = handle.release();
  });
}

void ob_call_log_free(ob_call_log* log) {
  obc::guard([&] {
    if (!log || !obc::is_tracked(log, obc::Kind::call_log)) return;
    obc::untrack(log);
    auto doomed = std::unique_ptr<ob_call_log>(log);
    doomed->home.run([&] { doomed->log.reset(); });
  });
}

int ob_call_log_count(long long* out, ob_call_log* log) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto& l = obc::log_of(log);
    *out = l.home.run([&] { return l.log->count(); });
  });
}

int ob_call_log_last_abandoned(int64_t* out_epoch_ms, int* found, ob_call_log* log, const char* phone) {
  return obc::guard([&] {
    obc::need(out_epoch_ms, "out_epoch_ms");
    obc::need(found, "found");
    obc::need(phone, "phone");
    auto& l = obc::log_of(log);
    auto at = l.home.run([&] { return l.log->last_abandoned(phone); });
    *out_epoch_ms = obc::ms_or_none(at);
    *found = at ? 1 : 0;
  });
}

int ob_call_log_answered_since(ob_call_log_entry** out, size_t* out_count, ob_call_log* log, const char* campaign,
                               int64_t since_ms) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(out_count, "out_count");
    obc::need(campaign, "campaign");
    auto& l = obc::log_of(log);
    auto calls = l.home.run([&] { return l.log->answered_since(campaign, obc::from_ms(since_ms)); });
    const std::size_t n = calls.size();
    *out = obc::hand_out_entries(std::move(calls));
    *out_count = n;
  });
}

void ob_call_log_entries_free(ob_call_log_entry* entries, size_t /*count*/) { obc::take_back(entries); }

int ob_campaign_set_call_log(ob_campaign* campaign, ob_call_log* log) {
  return obc::guard([&] {
    auto core = obc::pin(campaign);
    auto& l = obc::log_of(log);
    obc::on_live(core, campaign, [&](ob_campaign& h) {
      l.home.attach(core, "the call log");  // used on this engine's loop from now on
      h.campaign->set_call_log(l.log);
    });
  });
}

}  // extern "C"
