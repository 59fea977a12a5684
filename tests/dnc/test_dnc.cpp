#include <doctest/doctest.h>

#include <random>

#include "../support/test_support.hpp"
#include "outbound/dnc.hpp"
#include "outbound/error.hpp"

#include <set>
#include <soci/soci.h>
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
  KeySet set;
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
  KeySet set;
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

TEST_CASE("unparsable numbers in the DNC table are reported at load, not dropped silently") {
  obtest::TempDir dir;
  {
    auto dnc = DncList::open(dir.sqlite("dnc.db"));
    dnc->add_phone("(415) 555-0100");
  }
  {
    auto db = DncList::open(dir.sqlite("dnc.db"));  // insert a bad row by hand
  }
  soci::session sql(soci::sqlite3, "db=" + (dir.path() / "dnc.db").string());
  sql << "INSERT INTO gsw_donotcall_list (phone) VALUES ('call me maybe')";
  auto dnc = DncList::open(dir.sqlite("dnc.db"));
  CHECK(dnc->phone_count() == 1);
  REQUIRE(dnc->load_errors().size() == 1);
  CHECK(dnc->load_errors()[0].find("call me maybe") != std::string::npos);
}
