#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "../support/test_support.hpp"
#include "outbound/dnc.hpp"
#include "../../lib/dnc/key_set.hpp"
#include "outbound/error.hpp"

#include <map>
#include <set>
#include <soci/soci.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

using namespace outbound;

TEST_CASE("phone numbers in different formats normalise to one E.164 form") {
  PhoneNormalizer us("US");
  CHECK(us.to_e164("(212) 555-0142") == "+12125550142");
  CHECK(us.to_e164("212.555.0142") == "+12125550142");
  CHECK(us.to_e164("+1 212 555 0142") == "+12125550142");
  CHECK(us.to_e164("1-212-555-0142") == "+12125550142");
  CHECK(us.to_e164("011 44 20 7946 0018") == "+442079460018");  // the US international prefix
  PhoneNormalizer gb("GB");
  CHECK(gb.to_e164("020 7946 0018") == "+442079460018");
  CHECK(gb.to_e164("+44 20 7946 0018") == "+442079460018");
}

TEST_CASE("what is not a phone number gets a clear reason") {
  PhoneNormalizer us("US");
  std::string why;
  CHECK_FALSE(us.key("hello", &why).has_value());
  CHECK(why.find("not a phone number") != std::string::npos);
  CHECK_FALSE(us.key("12", &why).has_value());
  CHECK_FALSE(us.key("", &why).has_value());
  CHECK_THROWS_AS(us.to_e164("+999 123"), Error);
  CHECK_THROWS_AS(PhoneNormalizer("XX"), Error);
}

TEST_CASE("the NANP fast path agrees with libphonenumber") {
  PhoneNormalizer us("US");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string digits = std::to_string(2 + rng() % 8);
    for (int k = 0; k < 9; ++k) digits += std::to_string(rng() % 10);
    // The formatted form goes through libphonenumber; "+1" + digits takes the fast path.
    std::string formatted = "(" + digits.substr(0, 3) + ") " + digits.substr(3, 3) + "-" + digits.substr(6);
    std::string slow, fast;
    try { slow = us.to_e164(formatted); } catch (const Error&) { continue; }
    fast = us.to_e164("+1" + digits);
    CHECK(slow == fast);
  }
}

TEST_CASE("a listed number matches in any format; customer ids match after phones") {
  DncList dnc("US");
  dnc.add_phone("(212) 555-0142", "asked on a call");
  dnc.add_customer("CUST-9");
  auto key = dnc.normalizer().key("+1-212-555-0142");
  CHECK(dnc.check(key, "") == DncMatch::phone);
  CHECK(dnc.check(key, "CUST-9") == DncMatch::phone);  // phone wins
  CHECK(dnc.check(dnc.normalizer().key("2125550143"), "CUST-9") == DncMatch::customer_id);
  CHECK(dnc.check(dnc.normalizer().key("2125550143"), "CUST-8") == DncMatch::none);
  CHECK(dnc.contains_phone("212 555 0142"));
  CHECK_FALSE(dnc.contains_phone("212 555 0143"));
  CHECK_THROWS_AS(dnc.add_phone("not a number"), Error);
  CHECK_THROWS_AS(dnc.add_customer(""), Error);
}

TEST_CASE("the key set holds every inserted key and no other, through growth") {
  detail::KeySet set;
  std::mt19937_64 rng(42);
  std::vector<std::uint64_t> keys;
  for (int i = 0; i < 100000; ++i) keys.push_back((rng() | 1) & 0xffffffffffffULL);
  for (auto k : keys) set.insert(k);
  std::set<std::uint64_t> unique(keys.begin(), keys.end());
  CHECK(set.size() == unique.size());
  for (auto k : keys) CHECK(set.contains(k));
  int false_hits = 0;
  for (int i = 0; i < 100000; ++i) {
    std::uint64_t probe = (rng() & ~1ULL) & 0xffffffffffffULL;  // even: never inserted
    if (probe && set.contains(probe)) ++false_hits;
  }
  CHECK(false_hits == 0);
  CHECK_FALSE(set.insert(keys[0]));
}

TEST_CASE("a reserved key set stays within 10 bytes a key") {
  detail::KeySet set;
  set.reserve(1000000);
  for (std::uint64_t k = 1; k <= 1000000; ++k) set.insert(k * 7919);
  CHECK(static_cast<double>(set.memory_bytes()) / 1000000.0 <= 10.0);
}

TEST_CASE("a DB-backed list persists additions and loads them again") {
  obtest::TempDir dir;
  {
    auto dnc = DncList::open(dir.sqlite("dnc.db"));
    dnc->add_phone("(415) 555-0100", "desktop request");
    dnc->add_customer("C-1");
  }
  auto again = DncList::open(dir.sqlite("dnc.db"));
  CHECK(again->contains_phone("+14155550100"));
  CHECK(again->contains_customer("C-1"));
  CHECK(again->phone_count() == 1);
  CHECK(again->customer_count() == 1);
}

TEST_CASE("unparsable numbers in the DNC table are reported at load with their row, not dropped silently") {
  obtest::TempDir dir;
  { DncList::open(dir.sqlite("dnc.db"))->add_phone("(415) 555-0100"); }
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  sql << "INSERT INTO gsw_donotcall_list (phone) VALUES ('call me maybe')";
  auto dnc = DncList::open(dir.sqlite("dnc.db"));
  CHECK(dnc->phone_count() == 1);
  REQUIRE(dnc->load_errors().size() == 1);
  CHECK(dnc->load_errors()[0].phone == "call me maybe");
  CHECK(dnc->load_errors()[0].row == "2");  // the SQLite rowid
  CHECK(dnc->load_errors()[0].reason.find("not a phone number") != std::string::npos);
  CHECK_FALSE(dnc->load_errors()[0].blocked_key.has_value());  // no digits to block
}

TEST_CASE("phone text longer than 64 characters is refused before any parse, on every entry point") {
  PhoneNormalizer us("US");
  const std::string huge(30'000'000, '7');  // a 30 MB "number": parsing it would stall the engine for hours
  const std::string twenty_k(20'000, '5');
  for (const auto* raw : {&huge, &twenty_k}) {
    std::string why;
    CHECK_FALSE(us.key(*raw, &why).has_value());
    CHECK(why.find("longer than the 64 characters") != std::string::npos);
    CHECK(why.size() < 200);  // the message shows the start and the length, not the text
  }
  CHECK_FALSE(us.key(std::string(65, '2')).has_value());
  CHECK(us.key("+1 (212) 555-0142" + std::string(47, ' ')).has_value());         // 64 characters: read
  CHECK_FALSE(us.key("+1 (212) 555-0142" + std::string(48, ' ')).has_value());   // 65: refused
  DncList dnc("US");
  CHECK_THROWS_WITH_AS(dnc.add_phone(twenty_k), doctest::Contains("longer than the 64"), Error);
  CHECK_FALSE(dnc.contains_phone(huge));
  CHECK_THROWS_WITH_AS(dnc.remove_phone(huge), doctest::Contains("longer than the 64"), Error);
  CHECK_FALSE(digits_only_key(huge).has_value());
}

TEST_CASE("emergency numbers, short codes, service codes and junk are never numbers to dial") {
  PhoneNormalizer us("US"), gb("GB"), de("DE");
  auto refused = [](const PhoneNormalizer& n, const std::string& raw, const char* reason) {
    std::string why;
    CHECK_MESSAGE(!n.key(raw, &why).has_value(), raw);
    CHECK_MESSAGE(why.find(reason) != std::string::npos, raw << ": " << why);
  };
  refused(us, "911", "emergency");
  refused(us, "112", "emergency");
  refused(us, "9115550100", "emergency");  // dialed as written it reaches 911
  refused(us, "*67 911", "service code");
  refused(us, "#31#2125550100", "service code");
  refused(us, "+1 (212) 555-0100; DROP", "not a phone number");
  refused(us, "+1 (212) 555-0100 DROP", "too long");
  refused(us, "", "not a phone number");
  refused(us, "   ", "not a phone number");
  refused(us, "611", "short code");
  refused(gb, "999", "emergency");
  refused(gb, "112", "emergency");
  refused(gb, "+44 999", "short code");
  refused(de, "110", "emergency");
  refused(de, "116116", "short code");  // passes libphonenumber's length check: only the short-number data knows it
  // Real numbers still pass, in the region given per call.
  CHECK(us.to_e164("(212) 555-0142") == "+12125550142");
  CHECK(us.to_e164("020 7946 0018", "GB") == "+442079460018");
  CHECK(us.to_e164("+1 212 555 0100 ext 12") == "+12125550100");
  CHECK_THROWS_WITH_AS(us.to_e164("020 7946 0018", "XX"), doctest::Contains("unknown phone region"), Error);
}

TEST_CASE("property: the key set agrees with a model through random inserts and erases at high load") {
  std::mt19937_64 rng(19);
  for (int round = 0; round < 4; ++round) {
    detail::KeySet set;
    std::set<std::uint64_t> model;
    // Few distinct keys, many operations: long overflow runs and many holes.
    const std::uint64_t space = 2000 + 3000 * static_cast<std::uint64_t>(round);
    for (int op = 0; op < 60000; ++op) {
      std::uint64_t k = 1 + rng() % space;
      if (rng() % 3 == 0) {
        CHECK(set.erase(k) == (model.erase(k) == 1));
      } else {
        CHECK(set.insert(k) == model.insert(k).second);
      }
    }
    CHECK(set.size() == model.size());
    std::size_t wrong = 0;
    for (std::uint64_t k = 1; k <= space; ++k) wrong += set.contains(k) != (model.count(k) == 1);
    CHECK(wrong == 0);
  }
}

TEST_CASE("rows that cannot be read still block by their digits, and each is reported with its row and text") {
  obtest::TempDir dir;
  const std::string conn = dir.sqlite("dnc.db");
  { DncList::open(conn); }
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  for (const char* p : {"+1 212 555 0100", "(212) 555-0101", "2125550102", "+12125550103", "442079460000",
                        "00442079460000", "+1 212 555 0101 / 0102"})
    { std::string phone = p; sql << "INSERT INTO gsw_donotcall_list (phone) VALUES (:p)", soci::use(phone); }
  auto dnc = DncList::open(conn);  // region US
  CHECK(dnc->reload() == 4);
  REQUIRE(dnc->load_errors().size() == 3);
  std::map<std::string, DncLoadError> by_text;
  for (const auto& e : dnc->load_errors()) by_text[e.phone] = e;
  CHECK(by_text.at("442079460000").row == "5");
  CHECK(by_text.at("00442079460000").row == "6");
  CHECK(by_text.at("+1 212 555 0101 / 0102").row == "7");
  CHECK(by_text.at("442079460000").reason.find("blocked by its digits 442079460000") != std::string::npos);
  // The UK number on the calling list is blocked in any spelling (the list fails closed).
  PhoneNormalizer gb("GB");
  auto uk = gb.key("020 7946 0000");
  CHECK(dnc->check(uk, "") == DncMatch::phone);
  CHECK(dnc->contains_phone("+44 20 7946 0000"));
  CHECK(dnc->contains_phone("(212) 555-0101"));
}

TEST_CASE("a removed number is dialable again, every spelling of it is deleted, and other lists learn it") {
  obtest::TempDir dir;
  const std::string conn = dir.sqlite("dnc.db");
  auto a = DncList::open(conn);
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  for (const char* p : {"(212) 555-0100", "+1 212.555.0100", "212-555-0199"})
    { std::string phone = p; sql << "INSERT INTO gsw_donotcall_list (phone) VALUES (:p)", soci::use(phone); }
  a->reload();
  DncOptions o;
  o.sync_interval = std::chrono::milliseconds(0);
  auto b = DncList::open(conn, o);
  CHECK(b->contains_phone("2125550100"));
  CHECK(a->remove_phone("+12125550100") == 2);
  CHECK_FALSE(a->contains_phone("2125550100"));
  CHECK(a->contains_phone("2125550199"));
  int rows = 0;
  sql << "SELECT COUNT(*) FROM gsw_donotcall_list", soci::into(rows);
  CHECK(rows == 1);
  CHECK(b->contains_phone("2125550100"));  // not yet read
  CHECK(b->sync(Time{} + std::chrono::seconds(1)) >= 1);
  CHECK_FALSE(b->contains_phone("2125550100"));
  CHECK(b->contains_phone("2125550199"));
  CHECK(a->remove_phone("2125550100") == 0);
  a->add_customer("C-7");
  b->sync(Time{} + std::chrono::seconds(2));
  CHECK(b->contains_customer("C-7"));
  CHECK(a->remove_customer("C-7") == 1);
  b->sync(Time{} + std::chrono::seconds(3));
  CHECK_FALSE(b->contains_customer("C-7"));
  CHECK(DncList::open(conn)->phone_count() == 1);
}

TEST_CASE("entries expire: blocked until their expiry, then dialable; a permanent entry of the same number outlives them") {
  obtest::TempDir dir;
  const std::string conn = dir.sqlite("dnc.db");
  const EpochSeconds t0 = 1773061200;
  auto dnc = DncList::open(conn);
  DncEntry e;
  e.phone = "212 555 0100";
  e.expires_at = t0 + 3600;
  dnc->add(e);
  e.phone = "212 555 0101";
  dnc->add(e);
  dnc->add_phone("212 555 0101");  // also listed for good
  e.phone = {};
  e.customer_id = "C-1";
  e.expires_at = t0 + 60;
  dnc->add(e);
  dnc->sync(from_epoch_seconds(t0 + 59));
  CHECK(dnc->contains_phone("2125550100"));
  CHECK(dnc->contains_customer("C-1"));
  dnc->sync(from_epoch_seconds(t0 + 60));
  CHECK_FALSE(dnc->contains_customer("C-1"));
  CHECK(dnc->contains_phone("2125550100"));
  dnc->sync(from_epoch_seconds(t0 + 3600));
  CHECK_FALSE(dnc->contains_phone("2125550100"));
  CHECK(dnc->contains_phone("2125550101"));
  // Loaded again: the expiry comes from the table's expires_at column.
  auto again = DncList::open(conn);
  CHECK(again->contains_phone("2125550100"));  // expired entries block until the first sync (fail closed)
  again->sync(from_epoch_seconds(t0 + 3601));
  CHECK_FALSE(again->contains_phone("2125550100"));
  CHECK(again->contains_phone("2125550101"));
}

TEST_CASE("a table without an expires_at column loads, and refuses an expiry with a clear error") {
  obtest::TempDir dir;
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  sql << "CREATE TABLE gsw_donotcall_list (phone VARCHAR(64), customer_id VARCHAR(64), dnc_message VARCHAR(255), "
         "tenant_dbid INTEGER, campaign_dbid INTEGER, list_dbid INTEGER, is_internal INTEGER, time_stamp BIGINT)";
  sql << "INSERT INTO gsw_donotcall_list (phone) VALUES ('+12125550100')";
  auto dnc = DncList::open(dir.sqlite("dnc.db"));
  CHECK(dnc->contains_phone("2125550100"));
  DncEntry e;
  e.phone = "2125550101";
  e.expires_at = 2000000000;
  CHECK_THROWS_WITH_AS(dnc->add(e), doctest::Contains("ADD COLUMN expires_at"), Error);
  CHECK_FALSE(dnc->contains_phone("2125550101"));
  dnc->add_phone("2125550101");
  CHECK(DncList::open(dir.sqlite("dnc.db"))->contains_phone("2125550101"));
}

TEST_CASE("scoped entries: campaign_dbid and list_dbid limit an entry, tenant_dbid selects the rows loaded") {
  obtest::TempDir dir;
  const std::string conn = dir.sqlite("dnc.db");
  { DncList::open(conn); }
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  sql << "INSERT INTO gsw_donotcall_list (phone, campaign_dbid) VALUES ('+12125550001', 7)";
  sql << "INSERT INTO gsw_donotcall_list (phone, list_dbid) VALUES ('+12125550002', 3)";
  sql << "INSERT INTO gsw_donotcall_list (phone, campaign_dbid, list_dbid) VALUES ('+12125550003', 7, 3)";
  sql << "INSERT INTO gsw_donotcall_list (phone, tenant_dbid) VALUES ('+12125550004', 2)";
  sql << "INSERT INTO gsw_donotcall_list (customer_id, campaign_dbid) VALUES ('C-1', 7)";
  sql << "INSERT INTO gsw_donotcall_list (phone, campaign_dbid) VALUES ('+12125550005', 'seven')";
  DncOptions o;
  o.tenant_dbid = 1;
  auto dnc = DncList::open(conn, o);
  const auto& n = dnc->normalizer();
  auto k = [&](const char* p) { return n.key(p); };
  CHECK(dnc->check(k("2125550001"), "", {7, 3}) == DncMatch::phone);
  CHECK(dnc->check(k("2125550001"), "", {8, 3}) == DncMatch::none);
  CHECK(dnc->check(k("2125550002"), "", {8, 3}) == DncMatch::phone);
  CHECK(dnc->check(k("2125550002"), "", {8, 4}) == DncMatch::none);
  CHECK(dnc->check(k("2125550003"), "", {7, 4}) == DncMatch::none);
  CHECK(dnc->check(k("2125550003"), "", {7, 3}) == DncMatch::phone);
  CHECK(dnc->check(k("2125550002"), "", {8, 0}) == DncMatch::phone);  // an unknown list: fails closed
  CHECK(dnc->check(k("2125550004"), "", {7, 3}) == DncMatch::none);   // tenant 2's row
  CHECK(dnc->check(k("2125550009"), "C-1", {7, 3}) == DncMatch::customer_id);
  CHECK(dnc->check(k("2125550009"), "C-1", {9, 3}) == DncMatch::none);
  CHECK(dnc->check(k("2125550001"), "") == DncMatch::phone);  // no context: every scoped entry applies
  // An unreadable scope is reported and ignored: the entry applies everywhere.
  CHECK(dnc->check(k("2125550005"), "", {9, 9}) == DncMatch::phone);
  REQUIRE(dnc->load_errors().size() == 1);
  CHECK(dnc->load_errors()[0].reason.find("campaign_dbid \"seven\" is not an integer") != std::string::npos);
  // Added with a scope, persisted with it.
  DncEntry e;
  e.phone = "2125550006";
  e.scope.campaign_dbid = 7;
  dnc->add(e);
  auto again = DncList::open(conn, o);
  CHECK(again->check(k("2125550006"), "", {8, 1}) == DncMatch::none);
  CHECK(again->check(k("2125550006"), "", {7, 1}) == DncMatch::phone);
}

TEST_CASE("two lists on one table: an addition reaches the other within sync_interval, not before") {
  obtest::TempDir dir;
  const std::string conn = dir.sqlite("dnc.db");
  DncOptions o;
  o.sync_interval = std::chrono::milliseconds(500);
  auto a = DncList::open(conn, o);
  auto b = DncList::open(conn, o);
  Time t = from_epoch_seconds(1773061200);
  b->sync(t);
  a->add_phone("(646) 555-0100", "engine A's opt-out");
  b->sync(t + std::chrono::milliseconds(499));
  CHECK_FALSE(b->contains_phone("6465550100"));  // its last read is under 500 ms old
  b->sync(t + std::chrono::milliseconds(500));
  CHECK(b->contains_phone("6465550100"));
}

TEST_CASE("two processes on one SQLite file: an addition in one reaches the other's next sync") {
  obtest::TempDir dir;
  const std::string conn = dir.sqlite("dnc.db");
  DncOptions o;
  o.sync_interval = std::chrono::milliseconds(0);
  auto parent = DncList::open(conn, o);
  parent->sync(Time{});
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 1;
    try {
      DncList::open(conn)->add_phone("+1 (718) 555-0100", "listed by another process");
      status = 0;
    } catch (...) {
    }
    ::_exit(status);
  }
  int status = -1;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK_FALSE(parent->contains_phone("7185550100"));
  CHECK(parent->sync(Time{} + std::chrono::seconds(1)) == 1);
  CHECK(parent->contains_phone("7185550100"));
}

// --- bounded additions: a locked table holds the caller at most max_wait, and loses nothing ---

namespace {

DncEntry phone_entry(const std::string& phone) { return {phone, {}, "opted out", {}, std::nullopt}; }

}  // namespace

TEST_CASE("a locked table holds a bounded add at most its wait: blocked at once, queued, written by a later sync") {
  using namespace std::chrono_literals;
  obtest::TempDir dir;
  DncOptions o;
  o.sync_interval = 0ms;
  // The connection itself waits 3 s for a lock: only the bound can make the add return sooner.
  auto dnc = DncList::open(dir.sqlite("dnc.db") + "?timeout=3", o);
  soci::session other(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  other << "BEGIN IMMEDIATE";  // another engine writes: readers go on, writers wait
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(dnc->add(phone_entry("(212) 555-0190"), 100ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 600ms);
  CHECK(dnc->contains_phone("+12125550190"));  // blocked here at once
  CHECK(dnc->pending_count() == 1);
  CHECK(dnc->pending_error().find("persist a do-not-call entry") != std::string::npos);
  const Time t = from_epoch_seconds(1773061200);
  const auto t1 = std::chrono::steady_clock::now();
  dnc->sync(t);  // starts the retry clock: the lock that failed the add is likely still held
  dnc->sync(t + 1s);  // the retry is bounded as the add was, and keeps the entry queued
  CHECK(std::chrono::steady_clock::now() - t1 < 600ms);
  CHECK(dnc->pending_count() == 1);
  other << "ROLLBACK";
  dnc->reload();  // the table does not have it yet: still blocked
  CHECK(dnc->contains_phone("+12125550190"));
  CHECK_FALSE(DncList::open(dir.sqlite("dnc.db"), o)->contains_phone("+12125550190"));
  dnc->sync(t + 1999ms);  // retried at most once a second
  CHECK(dnc->pending_count() == 1);
  dnc->sync(t + 2s);
  CHECK(dnc->pending_count() == 0);
  CHECK(dnc->pending_error().empty());
  CHECK(DncList::open(dir.sqlite("dnc.db"), o)->contains_phone("+12125550190"));  // another engine sees it
  CHECK(dnc->add(phone_entry("(212) 555-0191"), 100ms));  // an unlocked table: written at once
  CHECK(DncList::open(dir.sqlite("dnc.db"), o)->contains_phone("+12125550191"));
}

TEST_CASE("a queued entry removed before it is written is never written; flush_pending and the destructor write the rest") {
  using namespace std::chrono_literals;
  obtest::TempDir dir;
  auto dnc = DncList::open(dir.sqlite("dnc.db") + "?timeout=3");
  {
    soci::session other(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
    other << "BEGIN IMMEDIATE";
    CHECK_FALSE(dnc->add(phone_entry("212-555-0192"), 50ms));
    CHECK_FALSE(dnc->add(phone_entry("212-555-0193"), 50ms));
    CHECK_FALSE(dnc->add({{}, "CUST-7", "asked", {}, std::nullopt}, 50ms));
    CHECK_FALSE(dnc->add({"212-555-0194", "CUST-8", "asked", {}, std::nullopt}, 50ms));
    CHECK(dnc->pending_count() == 4);
    CHECK_THROWS_AS(dnc->flush_pending(50ms), Error);  // still locked: nothing lost
    CHECK(dnc->pending_count() == 4);
    other << "ROLLBACK";
  }
  CHECK(dnc->remove_phone("(212) 555-0193") == 1);  // the queued entry, dropped
  CHECK(dnc->remove_customer("CUST-7") == 1);
  CHECK(dnc->remove_phone("+1 212 555 0194") == 1);  // its customer id stays queued
  CHECK(dnc->pending_count() == 2);
  CHECK_FALSE(dnc->contains_phone("2125550193"));
  CHECK(dnc->flush_pending() == 2);
  CHECK(dnc->pending_count() == 0);
  auto again = DncList::open(dir.sqlite("dnc.db"));
  CHECK(again->contains_phone("2125550192"));
  CHECK_FALSE(again->contains_phone("2125550193"));
  CHECK_FALSE(again->contains_customer("CUST-7"));
  CHECK_FALSE(again->contains_phone("2125550194"));
  CHECK(again->contains_customer("CUST-8"));
  // A list destroyed with a queued entry writes it first.
  {
    soci::session other(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
    other << "BEGIN IMMEDIATE";
    CHECK_FALSE(dnc->add(phone_entry("212-555-0195"), 50ms));
    other << "ROLLBACK";
  }
  dnc.reset();
  CHECK(DncList::open(dir.sqlite("dnc.db"))->contains_phone("2125550195"));
}

namespace {

// Two lists on one PostgreSQL DNC table (sync_interval 0) and another session
// to lock it with; the tables are dropped at the end.
struct PgDncPair {
  DncOptions o;
  std::string info;  // libpq takes the URI form as it is, the keyword form after "postgresql:"
  std::unique_ptr<DncList> dnc, peer;
  soci::session other;
  PgDncPair(const std::string& conn, const std::string& table)
      : o(options_for(table)), info(conn.rfind("postgresql://", 0) == 0 ? conn : conn.substr(conn.find(':') + 1)),
        dnc(DncList::open(conn, o)), peer(DncList::open(conn, o)), other(soci::postgresql, info) {}
  ~PgDncPair() {
    dnc.reset();
    peer.reset();
    other << "DROP TABLE " + o.table;
    other << "DROP TABLE " + o.table + "_changes";
  }
  static DncOptions options_for(const std::string& table) {
    DncOptions o;
    o.table = table + "_" + std::to_string(::getpid());
    o.sync_interval = std::chrono::milliseconds(0);
    return o;
  }
};

}  // namespace

TEST_CASE("pg: a bounded add waits at most its limit for the change log's lock, and a sync writes it once the lock is gone") {
  using namespace std::chrono_literals;
  const std::string conn = obtest::pg_connection();
  if (conn.empty()) {
    if (std::getenv("OB_ALLOW_NO_PG")) return;
    FAIL("OB_PG_CONN is not set: run the suite with tests/run_suite.sh (it starts PostgreSQL)");
  }
  PgDncPair pg(conn, "dnc_pending");
  auto& [o, info, dnc, peer, other] = pg;
  other.begin();
  other << "LOCK TABLE " + o.table + "_changes IN EXCLUSIVE MODE";  // another engine's write, for 1.5 s
  std::thread release([&] {
    std::this_thread::sleep_for(1500ms);
    other.rollback();
  });
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(dnc->add(phone_entry("(212) 555-0196"), 100ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 600ms);  // unbounded: until the lock goes
  CHECK(dnc->contains_phone("2125550196"));
  CHECK(dnc->pending_count() == 1);
  release.join();
  const Time t = from_epoch_seconds(1773061200);
  dnc->sync(t);  // starts the retry clock
  dnc->sync(t + 1s);
  CHECK(dnc->pending_count() == 0);
  peer->sync(t);
  CHECK(peer->contains_phone("2125550196"));  // through the change log
  CHECK(DncList::open(conn, o)->contains_phone("2125550196"));
}

TEST_CASE("pg: a bounded sync waits at most its limit for a locked change log, fails closed, and reads the change once the lock is gone") {
  using namespace std::chrono_literals;
  const std::string conn = obtest::pg_connection();
  if (conn.empty()) {
    if (std::getenv("OB_ALLOW_NO_PG")) return;
    FAIL("OB_PG_CONN is not set: run the suite with tests/run_suite.sh (it starts PostgreSQL)");
  }
  PgDncPair pg(conn, "dnc_sync");
  auto& [o, info, dnc, peer, other] = pg;
  peer->add(phone_entry("(212) 555-0197"));  // another engine lists a number
  other.begin();
  other << "LOCK TABLE " + o.table + "_changes IN ACCESS EXCLUSIVE MODE";  // a stalled database, for 1.5 s
  std::thread release([&] {
    std::this_thread::sleep_for(1500ms);
    other.rollback();
  });
  const Time t = from_epoch_seconds(1773061200);
  const auto t0 = std::chrono::steady_clock::now();
  bool failed = false;
  try {
    dnc->sync(t, 100ms);
  } catch (const Error& e) {
    failed = e.code() == ErrorCode::database;
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 600ms);  // unbounded: until the lock goes
  CHECK(failed);                                          // the caller learns the list may be stale
  CHECK_FALSE(dnc->contains_phone("2125550197"));
  release.join();
  dnc->sync(t + 1s, 100ms);
  CHECK(dnc->contains_phone("2125550197"));  // read once the lock is gone
}
