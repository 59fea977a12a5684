#include "gate.hpp"

namespace outbound::gate {
namespace {

Verdict of_kind(Verdict::Kind kind) {
  Verdict v;
  v.kind = kind;
  return v;
}

Verdict block(std::optional<CallResult> result, std::string reason = {}, Verdict::Scope scope = Verdict::Scope::record) {
  Verdict v;
  v.kind = Verdict::Kind::block;
  v.scope = scope;
  v.result = result;
  v.reason = std::move(reason);
  return v;
}

Verdict record_error(const Facts& f, const std::string& why) {
  return block(CallResult::dial_error, "record " + std::to_string(f.record_id) + ": " + why);
}

Verdict window_rule(const Facts& f) {
  switch (f.window) {
    case WindowVerdict::open:
      return {};
    case WindowVerdict::closed:
      if (f.window_reopens) return of_kind(Verdict::Kind::defer_window);
      return record_error(f, "no time in the next 3 days is inside its window in every zone of its number");
    case WindowVerdict::unknown_zone:
      return record_error(f, "zone \"" + f.zone + "\" is not configured" +
                                 (f.zones_from_numbers ? " and no zone is known for its number" : ""));
  }
  return {};
}

}  // namespace

Verdict decide(const Facts& f) {
  // A callback or reschedule is a promise of a time: records of a chain are
  // dialed in chain_n order, so no record of the chain goes before its
  // scheduled record is due (OCS holds such a chain). Nothing else is
  // decided now: the number, list and window are judged when it is due.
  if (f.chain_due_at) {
    Verdict v = of_kind(Verdict::Kind::defer_until);
    v.scope = Verdict::Scope::chain;
    v.until = *f.chain_due_at;
    return v;
  }
  // A hard cap beside the treatments: a record whose result was lost in a
  // crash is redialed, but never beyond it. It keeps its own result.
  if (f.attempts_exhausted) return block(std::nullopt);
  // A number that does not read, an emergency number or a short code is a
  // record error, never a dial.
  if (f.number_problem) return record_error(f, *f.number_problem);
  if (f.dnc == DncMatch::phone) return block(CallResult::do_not_call);
  // A customer on the list: none of the chain's numbers is called.
  if (f.dnc == DncMatch::customer_id) return block(CallResult::do_not_call, {}, Verdict::Scope::chain);
  if (f.window == WindowVerdict::unknown_zone) return window_rule(f);
  // A holiday or a weekday off in any of its zones: a deferral to the next day
  // allowed in all of them (its window is checked again then), never a block.
  if (f.no_call_until) {
    Verdict v = of_kind(Verdict::Kind::defer_day);
    v.until = *f.no_call_until;
    return v;
  }
  if (Verdict w = window_rule(f); w.kind != Verdict::Kind::dial) return w;
  if (f.locked_out_until) {
    Verdict v = of_kind(Verdict::Kind::defer_until);
    v.until = *f.locked_out_until;
    return v;
  }
  // A contact limit only ever defers: the number may be called again once its oldest dial leaves the window.
  if (f.contact_limited_until) {
    Verdict v = of_kind(Verdict::Kind::defer_limit);
    v.until = *f.contact_limited_until;
    return v;
  }
  return {};
}

}  // namespace outbound::gate
