// The compliance gate as a pure function: each rule, and which rule wins
// when several apply (the order is part of the compliance contract).
#include <doctest/doctest.h>

#include "../../lib/gate/gate.hpp"

using namespace outbound;
using gate::Facts;
using gate::Verdict;

namespace {

Facts dialable() {
  Facts f;
  f.record_id = 42;
  return f;
}

}  // namespace

TEST_CASE("gate: a record every rule lets through is dialed") {
  Verdict v = gate::decide(dialable());
  CHECK(v.kind == Verdict::Kind::dial);
  CHECK_FALSE(v.result);
}

TEST_CASE("gate: exhausted attempts close the record with its own result, before anything else") {
  Facts f = dialable();
  f.attempts_exhausted = true;
  f.number_problem = "not a number";
  f.dnc = DncMatch::customer_id;
  f.window = WindowVerdict::unknown_zone;
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::block);
  CHECK(v.scope == Verdict::Scope::record);
  CHECK_FALSE(v.result);
}

TEST_CASE("gate: an unreadable number is a record error naming the record and why") {
  Facts f = dialable();
  f.number_problem = "emergency number";
  f.dnc = DncMatch::phone;
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::block);
  CHECK(v.result == CallResult::dial_error);
  CHECK(v.reason == "record 42: emergency number");
}

TEST_CASE("gate: do-not-call by phone closes the record, by customer id the whole chain") {
  Facts f = dialable();
  f.dnc = DncMatch::phone;
  f.window = WindowVerdict::closed;  // the list wins over the window
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::block);
  CHECK(v.scope == Verdict::Scope::record);
  CHECK(v.result == CallResult::do_not_call);

  f.dnc = DncMatch::customer_id;
  v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::block);
  CHECK(v.scope == Verdict::Scope::chain);
  CHECK(v.result == CallResult::do_not_call);
}

TEST_CASE("gate: a closed window defers while it opens again, else it is a record error") {
  Facts f = dialable();
  f.window = WindowVerdict::closed;
  f.locked_out_until = 1'800'000'000;  // the window decides first
  CHECK(gate::decide(f).kind == Verdict::Kind::defer_window);

  f.window_reopens = false;
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::block);
  CHECK(v.result == CallResult::dial_error);
  CHECK(v.reason == "record 42: no time in the next 3 days is inside its window in every zone of its number");
}

TEST_CASE("gate: an unknown zone is a record error that names the zone") {
  Facts f = dialable();
  f.window = WindowVerdict::unknown_zone;
  f.zone = "XYZ";
  Verdict v = gate::decide(f);
  CHECK(v.result == CallResult::dial_error);
  CHECK(v.reason == "record 42: zone \"XYZ\" is not configured");
  f.zones_from_numbers = true;
  CHECK(gate::decide(f).reason == "record 42: zone \"XYZ\" is not configured and no zone is known for its number");
}

TEST_CASE("gate: a locked-out number is deferred to the lockout's end") {
  Facts f = dialable();
  f.locked_out_until = 1'800'000'000;
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::defer_until);
  CHECK(v.until == 1'800'000'000);
  CHECK_FALSE(v.result);
}

TEST_CASE("gate: a chain with a record scheduled later is held, whole, until that time, before every other rule") {
  Facts f = dialable();
  f.chain_due_at = 1'800'003'600;
  f.dnc = DncMatch::phone;            // judged when it is due, not now
  f.locked_out_until = 1'800'000'000;
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::defer_until);
  CHECK(v.scope == Verdict::Scope::chain);
  CHECK(v.until == 1'800'003'600);
  CHECK_FALSE(v.result);
  f.chain_due_at.reset();  // due now: the other rules decide
  CHECK(gate::decide(f).kind == Verdict::Kind::block);
}

TEST_CASE("gate: a number at its contact limit is deferred, never blocked, after the lockout") {
  Facts f = dialable();
  f.contact_limited_until = 1'800'000'100;
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::defer_limit);
  CHECK(v.until == 1'800'000'100);
  CHECK_FALSE(v.result);
  f.locked_out_until = 1'800'000'000;  // the lockout decides first; the limit is asked again then
  CHECK(gate::decide(f).kind == Verdict::Kind::defer_until);
  f.locked_out_until.reset();
  f.window = WindowVerdict::closed;  // the window decides before either
  CHECK(gate::decide(f).kind == Verdict::Kind::defer_window);
}

TEST_CASE("gate: a no-call day defers to the next allowed day, before the window; an unknown zone still errs first") {
  Facts f = dialable();
  f.no_call_until = 1'800'000'000;
  f.window = WindowVerdict::closed;      // the calendar decides first: the window is checked again that day
  f.locked_out_until = 1'900'000'000;
  Verdict v = gate::decide(f);
  CHECK(v.kind == Verdict::Kind::defer_day);
  CHECK(v.until == 1'800'000'000);
  CHECK_FALSE(v.result);

  f.dnc = DncMatch::phone;  // do-not-call outranks the calendar
  CHECK(gate::decide(f).kind == Verdict::Kind::block);
  f.dnc = DncMatch::none;
  f.window = WindowVerdict::unknown_zone;  // no zone, no local date: the record error stands
  CHECK(gate::decide(f).result == CallResult::dial_error);
}

TEST_CASE("gate: every combination of facts gets exactly the verdict of the first rule that applies") {
  const DncMatch dncs[] = {DncMatch::none, DncMatch::phone, DncMatch::customer_id};
  const WindowVerdict windows[] = {WindowVerdict::open, WindowVerdict::closed, WindowVerdict::unknown_zone};
  int cases = 0;
  for (bool held : {false, true})
  for (bool exhausted : {false, true})
    for (bool bad_number : {false, true})
      for (DncMatch d : dncs)
        for (WindowVerdict w : windows)
          for (bool reopens : {false, true})
            for (bool locked : {false, true})
              for (bool limited : {false, true})
              for (bool no_call : {false, true}) {
              Facts f = dialable();
              if (held) f.chain_due_at = 9;
              f.attempts_exhausted = exhausted;
              if (bad_number) f.number_problem = "bad";
              f.dnc = d;
              f.window = w;
              f.window_reopens = reopens;
              if (locked) f.locked_out_until = 7;
              if (limited) f.contact_limited_until = 9;
              if (no_call) f.no_call_until = 11;
              Verdict v = gate::decide(f);
              ++cases;
              Verdict::Kind want = held ? Verdict::Kind::defer_until
                                   : exhausted || bad_number || d != DncMatch::none ? Verdict::Kind::block
                                   : w == WindowVerdict::unknown_zone             ? Verdict::Kind::block
                                   : no_call                                      ? Verdict::Kind::defer_day
                                   : w == WindowVerdict::open                     ? (locked ? Verdict::Kind::defer_until : limited ? Verdict::Kind::defer_limit : Verdict::Kind::dial)
                                   : w == WindowVerdict::closed && reopens        ? Verdict::Kind::defer_window
                                                                                  : Verdict::Kind::block;
              CHECK(v.kind == want);
              // Only a dial has no reason to hold the record back; only a block writes a result.
              if (v.kind != Verdict::Kind::block) CHECK_FALSE(v.result);
              // A held chain waits for its scheduled record, whatever else is true of it.
              if (held) CHECK(v.scope == Verdict::Scope::chain);
              if (held) CHECK(v.until == 9);
              }
  CHECK(cases == 1152);
}
