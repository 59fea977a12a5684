// Third-party requests (OCS): cancel the records of a phone number or a
// customer. Ready rows are cancelled in the lists; chains this engine holds
// in its buffer are cancelled in memory and written back like any result;
// records in a call or on a desktop are left to finish and reported.
#include "campaign_impl.hpp"

namespace outbound {
namespace {

struct Matcher {
  const PhoneNormalizer& normalizer;
  std::optional<std::uint64_t> phone_key;  // set when matching by phone
  std::string field, customer;              // set when matching by customer id

  bool operator()(const Record& r) const {
    if (phone_key) return normalizer.key(r.contact_info) == phone_key;
    auto it = r.custom.find(field);
    return it != r.custom.end() && it->second == customer;
  }
};

// The last digits of an E.164 number: present, in order, in every way of writing it.
std::string tail_digits(const std::string& e164) {
  std::string digits;
  for (char c : e164)
    if (c >= '0' && c <= '9') digits += c;
  return digits.size() > 7 ? digits.substr(digits.size() - 7) : digits;
}

}  // namespace

CancelOutcome Campaign::cancel_records(const CancelRequest& request) {
  auto& im = *impl_;
  if (request.phone.empty() == request.customer_id.empty())
    throw Error(ErrorCode::invalid_argument, "a cancel request names either a phone number or a customer id");
  const PhoneNormalizer& normalizer = im.dnc ? im.dnc->normalizer() : im.fallback_normalizer;
  Matcher match{normalizer, std::nullopt, {}, {}};
  RecordMatch rows;
  if (!request.phone.empty()) {
    const std::string e164 = normalizer.to_e164(request.phone);  // throws invalid_argument with the reason
    match.phone_key = normalizer.key(e164);
    rows.phone_digits = tail_digits(e164);
  } else {
    if (im.cfg.customer_id_field.empty())
      throw Error(ErrorCode::invalid_argument, "campaign " + im.cfg.name + " has no customer_id_field");
    match.field = rows.customer_field = im.cfg.customer_id_field;
    match.customer = rows.customer_id = request.customer_id;
  }

  CancelOutcome out;
  // Chains in the buffer: this engine holds them (retrieved), so no other request can.
  im.buffer.for_each([&](ChainWork& chain) {
    for (auto& r : chain.records)
      if (r.record_status == RecordStatus::retrieved && match(r)) {
        r.record_status = RecordStatus::cancelled;
        ++im.st.records_finalized;
        im.queue_update(chain.list, r);
        out.cancelled.push_back(r.record_id);
      }
  });
  auto busy = [&](const ChainWork& chain) {
    for (const auto& r : chain.records)
      if (r.record_status == RecordStatus::retrieved && match(r)) out.in_progress.push_back(r.record_id);
  };
  for (const auto& [id, c] : im.calls) busy(*c.chain);
  im.desktop.for_each_chain(busy);
  for (const auto& w : im.waiting_callbacks) busy(*w.chain);

  // Ready rows: found coarsely in SQL, compared exactly here, cancelled if still ready.
  for (auto& entry : im.lists) {
    std::vector<std::int64_t> ids;
    for (const auto& r : im.storage.run_now([&] { return entry.list->find_ready(rows); }))
      if (match(r)) ids.push_back(r.record_id);
    auto done = im.storage.run_now([&] { return entry.list->cancel_ready(ids); });
    out.cancelled.insert(out.cancelled.end(), done.begin(), done.end());
  }
  im.flush_now();  // the buffered ones too, now
  return out;
}

}  // namespace outbound
