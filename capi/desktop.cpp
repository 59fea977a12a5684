// outbound C API — agent desktop requests on a campaign group (docs/reference.md).
#include "shim.hpp"

using outbound::ErrorCode;

namespace obc {
namespace {

struct OwnedDesktop : Owned {
  std::vector<outbound::DesktopRecord> source;
  std::vector<ob_desktop_record> records;
  std::vector<std::vector<const char*>> names, values;
};

// Desktop records as an owned C array (empty: nullptr).
ob_desktop_record* hand_out_desktop(std::vector<outbound::DesktopRecord> records) {
  if (records.empty()) return nullptr;
  auto owner = std::make_unique<OwnedDesktop>();
  owner->source = std::move(records);
  const std::size_t n = owner->source.size();
  owner->records.resize(n);
  owner->names.resize(n);
  owner->values.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& s = owner->source[i];
    auto& r = owner->records[i];
    r.version = OB_DESKTOP_RECORD_VERSION;
    r.handle = s.handle;
    r.campaign = s.campaign.c_str();
    r.list = s.list.c_str();
    r.agent_id = s.agent_id.c_str();
    fill_record_view(r.record, s.record, owner->names[i], owner->values[i]);
  }
  ob_desktop_record* key = owner->records.data();
  return hand_out(key, std::move(owner));
}

ob_desktop_record* hand_out_one(std::optional<outbound::DesktopRecord> record) {
  if (!record) return nullptr;
  std::vector<outbound::DesktopRecord> one;
  one.push_back(std::move(*record));
  return hand_out_desktop(std::move(one));
}

// Runs a desktop request `fn(campaign, agent)` on the campaign's engine loop.
template <typename Fn>
auto request(ob_campaign* campaign, const char* agent_id, Fn&& fn) {
  need(agent_id, "agent_id");
  std::string agent(agent_id);
  return on_live(campaign, [&](ob_campaign& h) { return fn(*h.campaign, agent); });
}

outbound::CallbackKind to_callback_kind(int kind) {
  check_code(OB_ENUM_CALLBACK_KIND, kind, "callback kind");
  return static_cast<outbound::CallbackKind>(kind);
}

}  // namespace
}  // namespace obc

extern "C" {

void ob_desktop_record_free(ob_desktop_record* record) { obc::take_back(record); }

void ob_desktop_records_free(ob_desktop_record* records, size_t /*count*/) { obc::take_back(records); }

int ob_desktop_preview_record(ob_desktop_record** out, ob_campaign* campaign, const char* agent_id) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto r = obc::request(campaign, agent_id, [](outbound::Campaign& c, const std::string& a) {
      return c.preview_record_request(a);
    });
    *out = obc::hand_out_one(std::move(r));
  });
}

int ob_desktop_chained_record(ob_desktop_record** out, ob_campaign* campaign, const char* agent_id, int64_t handle) {
  return obc::guard([&] {
    obc::need(out, "out");
    auto r = obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) {
      return c.chained_record_request(a, handle);
    });
    *out = obc::hand_out_one(std::move(r));
  });
}

int ob_desktop_add_record(int64_t* out, ob_campaign* campaign, const char* agent_id, const ob_record* record) {
  return obc::guard([&] {
    obc::need(record, "record");
    auto r = obc::to_record(*record);
    auto id = obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) {
      return c.add_record(a, std::move(r));
    });
    if (out) *out = id;
  });
}

int ob_desktop_update_call_result(ob_campaign* campaign, const char* agent_id, int64_t handle, int result) {
  return obc::guard([&] {
    obc::check_code(OB_ENUM_CALL_RESULT, result, "result");
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) {
      c.update_call_completion_stats(a, handle, static_cast<outbound::CallResult>(result));
    });
  });
}

int ob_desktop_record_processed(ob_campaign* campaign, const char* agent_id, int64_t handle, int result) {
  return obc::guard([&] {
    std::optional<outbound::CallResult> r;
    if (result != -1) {
      obc::check_code(OB_ENUM_CALL_RESULT, result, "result");
      r = static_cast<outbound::CallResult>(result);
    }
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) { c.record_processed(a, handle, r); });
  });
}

int ob_desktop_record_reject(ob_campaign* campaign, const char* agent_id, int64_t handle) {
  return obc::guard([&] {
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) { c.record_reject(a, handle); });
  });
}

int ob_desktop_record_cancel(ob_campaign* campaign, const char* agent_id, int64_t handle) {
  return obc::guard([&] {
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) { c.record_cancel(a, handle); });
  });
}

int ob_desktop_record_reschedule_ms(ob_campaign* campaign, const char* agent_id, int64_t handle, int64_t at_ms,
                                    int kind) {
  return ob_desktop_record_reschedule(campaign, agent_id, handle, obc::floor_seconds(at_ms), kind);
}

int ob_desktop_scheduled_record_reschedule_ms(ob_campaign* campaign, const char* agent_id, int64_t record_id,
                                              int64_t at_ms, int kind) {
  return ob_desktop_scheduled_record_reschedule(campaign, agent_id, record_id, obc::floor_seconds(at_ms), kind);
}

int ob_desktop_record_reschedule(ob_campaign* campaign, const char* agent_id, int64_t handle, int64_t at_s, int kind) {
  return obc::guard([&] {
    auto k = obc::to_callback_kind(kind);
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) {
      c.record_reschedule(a, handle, at_s, k);
    });
  });
}

int ob_desktop_scheduled_record_reschedule(ob_campaign* campaign, const char* agent_id, int64_t record_id,
                                           int64_t at_s, int kind) {
  return obc::guard([&] {
    auto k = obc::to_callback_kind(kind);
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) {
      c.scheduled_record_reschedule(a, record_id, at_s, k);
    });
  });
}

int ob_desktop_do_not_call(ob_campaign* campaign, const char* agent_id, int64_t handle, int scope, const char* message) {
  return obc::guard([&] {
    obc::check_code(OB_ENUM_DNC_SCOPE, scope, "scope");
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) {
      c.do_not_call(a, handle, static_cast<outbound::DncScope>(scope), obc::str(message));
    });
  });
}

int ob_desktop_do_not_call_number(ob_campaign* campaign, const char* phone, const char* message) {
  return obc::guard([&] {
    obc::need(phone, "phone");
    obc::on_live(campaign, [&](ob_campaign& h) { h.campaign->do_not_call_number(phone, obc::str(message)); });
  });
}

int ob_desktop_ready_time(ob_campaign* campaign, const char* agent_id, int64_t in_ms) {
  return obc::guard([&] {
    if (in_ms < 0) obc::fail(ErrorCode::invalid_argument, "in_ms must not be negative (got " + std::to_string(in_ms) + ")");
    obc::request(campaign, agent_id, [&](outbound::Campaign& c, const std::string& a) {
      c.ready_time(a, outbound::Duration(in_ms));
    });
  });
}

int ob_desktop_logout(ob_campaign* campaign, const char* agent_id) {
  return obc::guard([&] {
    obc::request(campaign, agent_id, [](outbound::Campaign& c, const std::string& a) { c.logout(a); });
  });
}

int ob_desktop_records(ob_desktop_record** out, size_t* out_count, ob_campaign* campaign, const char* agent_id) {
  return obc::guard([&] {
    obc::need(out, "out");
    obc::need(out_count, "out_count");
    auto rs = obc::request(campaign, agent_id, [](outbound::Campaign& c, const std::string& a) {
      return c.desktop_records(a);
    });
    std::size_t n = rs.size();
    *out = obc::hand_out_desktop(std::move(rs));
    *out_count = n;
  });
}

}  // extern "C"
