#include <doctest/doctest.h>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "../support/test_support.hpp"
#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

using namespace outbound;

namespace {

std::unique_ptr<CallingList> new_list(const obtest::TempDir& dir, ListOptions o = {}) {
  o.create_if_missing = true;
  return CallingList::open(dir.sqlite(), o);
}

RetrieveRequest due_at(EpochSeconds now, std::size_t n) {
  RetrieveRequest rq;
  rq.now = now;
  rq.max_records = n;
  return rq;
}

}  // namespace

TEST_CASE("insert then retrieve marks records retrieved in one step and hands out each once") {
  obtest::TempDir dir;
  auto list = new_list(dir);
  list->insert(obtest::make_records(250));
  auto a = list->retrieve(due_at(1000, 100));
  auto b = list->retrieve(due_at(1000, 100));
  auto c = list->retrieve(due_at(1000, 100));
  CHECK(a.records.size() == 100);
  CHECK(b.records.size() == 100);
  CHECK(c.records.size() == 50);
  std::set<std::int64_t> ids;
  for (auto* chunk : {&a, &b, &c})
    for (auto& r : chunk->records) {
      CHECK(r.record_status == RecordStatus::retrieved);
      ids.insert(r.record_id);
    }
  CHECK(ids.size() == 250);
  CHECK(list->retrieve(due_at(1000, 100)).records.empty());
  CHECK(list->count_by_status()[RecordStatus::retrieved] == 250);
}

TEST_CASE("records scheduled in the future wait; due ones come first") {
  obtest::TempDir dir;
  auto list = new_list(dir);
  auto records = obtest::make_records(3);
  records[0].dial_sched_time = 5000;  // later
  records[2].dial_sched_time = 900;   // due
  list->insert(records);
  auto got = list->retrieve(due_at(1000, 10));
  REQUIRE(got.records.size() == 2);
  CHECK(got.records[0].record_id == 3);  // scheduled and due before fresh ones
  CHECK(got.records[1].record_id == 2);
  auto later = list->retrieve(due_at(5000, 10));
  REQUIRE(later.records.size() == 1);
  CHECK(later.records[0].record_id == 1);
}

TEST_CASE("update writes back results and releases the lease") {
  obtest::TempDir dir;
  auto list = new_list(dir);
  list->insert(obtest::make_records(2));
  auto got = list->retrieve(due_at(1000, 10)).records;
  REQUIRE(got.size() == 2);
  got[0].record_status = RecordStatus::updated;
  got[0].call_result = CallResult::answer;
  got[0].attempt = 1;
  got[0].call_time = 1010;
  got[1].record_status = RecordStatus::ready;
  got[1].call_result = CallResult::busy;
  got[1].attempt = 1;
  got[1].dial_sched_time = 1600;
  got[1].treatments = "1@1@1@0";
  list->update(got);
  auto r1 = list->get(got[0].record_id).value();
  auto r2 = list->get(got[1].record_id).value();
  CHECK(r1.record_status == RecordStatus::updated);
  CHECK(r1.call_result == CallResult::answer);
  CHECK(r1.call_time == 1010);
  CHECK(r2.record_status == RecordStatus::ready);
  CHECK(r2.dial_sched_time == 1600);
  CHECK(r2.treatments == "1@1@1@0");
  CHECK(list->retrieve(due_at(1500, 10)).records.empty());
  CHECK(list->retrieve(due_at(1600, 10)).records.size() == 1);
}

TEST_CASE("a crash leaves nothing stuck: recovery on load returns retrieved records to ready") {
  obtest::TempDir dir;
  {
    auto list = new_list(dir);
    list->insert(obtest::make_records(40));
    auto got = list->retrieve(due_at(1000, 30));
    REQUIRE(got.records.size() == 30);
    got.records[0].attempt = 1;
    got.records[0].call_time = 1001;
    list->mark_dialing({got.records[0]});
    // the process "dies" here: no update, no release
  }
  auto list = CallingList::open(dir.sqlite());
  CHECK(list->count_by_status()[RecordStatus::retrieved] == 30);
  CHECK(list->recover(1100) == 30);
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::retrieved] == 0);
  CHECK(counts[RecordStatus::ready] == 40);
  CHECK(list->get(1).value().attempt == 1);  // the dial before the crash still counts
  CHECK(list->retrieve(due_at(1100, 100)).records.size() == 40);
}

TEST_CASE("another engine's live lease is not recovered; an expired one is") {
  obtest::TempDir dir;
  ListOptions a_opt;
  a_opt.engine_id = "engine-a";
  a_opt.lease_s = 60;
  auto a = new_list(dir, a_opt);
  a->insert(obtest::make_records(10));
  REQUIRE(a->retrieve(due_at(1000, 10)).records.size() == 10);
  ListOptions b_opt;
  b_opt.engine_id = "engine-b";
  auto b = CallingList::open(dir.sqlite(), b_opt);
  CHECK(b->recover(1030) == 0);   // engine-a's lease runs to 1060
  CHECK(b->recover(1060) == 10);  // expired
}

TEST_CASE("chains are retrieved whole and in chain_n order") {
  obtest::TempDir dir;
  auto list = new_list(dir);
  std::vector<Record> rs = {obtest::make_record(1, 7, 3), obtest::make_record(2, 7, 1), obtest::make_record(3, 8, 1),
                            obtest::make_record(4, 7, 2)};
  list->insert(rs);
  auto got = list->retrieve(due_at(1000, 1)).records;
  REQUIRE(got.size() == 3);
  CHECK(got[0].chain_n == 1);
  CHECK(got[1].chain_n == 2);
  CHECK(got[2].chain_n == 3);
  for (auto& r : got) CHECK(r.chain_id == 7);
}

TEST_CASE("a table made by plain SQL in the OCS shape is read as it is, custom fields included") {
  obtest::TempDir dir;
  {
    soci::session sql(soci::sqlite3, "db=" + (dir.path() / "list.db").string());
    sql << "CREATE TABLE ocs_list (record_id integer not null unique, contact_info varchar(128), contact_info_type integer, "
           "record_type integer, record_status integer, call_result integer, attempt integer, dial_sched_time integer, "
           "call_time integer, daily_from integer, daily_till integer, tz_dbid integer, campaign_id integer, agent_id varchar(32), "
           "chain_id integer, chain_n integer, group_id integer, app_id integer, treatments varchar(255), media_ref integer, "
           "email_subject varchar(255), email_template_id integer, switch_id integer, customer_name varchar(64), balance integer)";
    sql << "INSERT INTO ocs_list VALUES (11, '2125550142', 1, 2, 1, 28, 0, NULL, NULL, 28800, 75600, 1, 5, NULL, 11, 1, 0, 0, NULL, 0, NULL, 0, 0, 'Ann Smith', 1200)";
  }
  ListOptions o;
  o.table = "ocs_list";
  auto list = CallingList::open(dir.sqlite(), o);
  CHECK(list->custom_fields() == std::vector<std::string>{"customer_name", "balance"});
  auto got = list->retrieve(due_at(1000, 5)).records;
  REQUIRE(got.size() == 1);
  CHECK(got[0].contact_info == "2125550142");
  CHECK(got[0].daily_till == 75600);
  CHECK(got[0].custom.at("customer_name") == "Ann Smith");
  CHECK(got[0].custom.at("balance") == "1200");
}

TEST_CASE("a table missing columns is refused with one message listing them") {
  obtest::TempDir dir;
  {
    soci::session sql(soci::sqlite3, "db=" + (dir.path() / "list.db").string());
    sql << "CREATE TABLE bad (record_id integer, contact_info integer, record_status integer)";
  }
  ListOptions o;
  o.table = "bad";
  try {
    CallingList::open(dir.sqlite(), o);
    FAIL("expected an error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(e.code() == ErrorCode::invalid_argument);
    CHECK(msg.find("missing columns: contact_info_type") != std::string::npos);
    CHECK(msg.find("chain_n") != std::string::npos);
    CHECK(msg.find("mistyped columns: contact_info (integer, expected text)") != std::string::npos);
  }
}

TEST_CASE("a missing table is not found unless creation is asked for") {
  obtest::TempDir dir;
  ListOptions o;
  o.table = "nope";
  CHECK_THROWS_AS(CallingList::open(dir.sqlite(), o), Error);
  o.create_if_missing = true;
  CHECK_NOTHROW(CallingList::open(dir.sqlite(), o));
}

TEST_CASE("malformed rows become per-record errors; good rows still come") {
  obtest::TempDir dir;
  auto list = new_list(dir);
  list->insert(obtest::make_records(3));
  {
    soci::session sql(soci::sqlite3, "db=" + (dir.path() / "list.db").string());
    sql << "UPDATE calling_list SET contact_info = '' WHERE record_id = 1";
    sql << "UPDATE calling_list SET daily_from = 'soon' WHERE record_id = 2";
  }
  auto got = list->retrieve(due_at(1000, 10));
  REQUIRE(got.records.size() == 1);
  CHECK(got.records[0].record_id == 3);
  REQUIRE(got.errors.size() == 2);
  CHECK(got.errors[0].reason.find("contact_info") != std::string::npos);
  CHECK(got.errors[1].reason.find("daily_from is not an integer") != std::string::npos);
  auto bad = list->get(1).value();
  CHECK(bad.record_status == RecordStatus::updated);
  CHECK(bad.call_result == CallResult::dial_error);
  CHECK(list->retrieve(due_at(1000, 10)).errors.empty());  // marked once, not again
}

TEST_CASE("unsafe table names, filters and orders are rejected") {
  obtest::TempDir dir;
  ListOptions o;
  o.create_if_missing = true;
  o.table = "x; DROP TABLE y";
  CHECK_THROWS_AS(CallingList::open(dir.sqlite(), o), Error);
  o.table = "calling_list";
  for (const char* f : {"1=1; DROP TABLE calling_list", "record_id = 1 -- x", "(SELECT 1) = 1", "load_extension('x')",
                        "nosuchcolumn = 1", "record_id = 'unterminated"}) {
    o.filter = f;
    CHECK_THROWS_AS(CallingList::open(dir.sqlite(), o), Error);
  }
  o.filter = "campaign_id = 1 AND (record_type IN (2, 3) OR contact_info LIKE '+1%') AND agent_id IS NULL";
  CHECK_NOTHROW(CallingList::open(dir.sqlite(), o));
  o.order_by = "chain_id DESC, record_id";
  CHECK_NOTHROW(CallingList::open(dir.sqlite(), o));
  o.order_by = "chain_id; DROP";
  CHECK_THROWS_AS(CallingList::open(dir.sqlite(), o), Error);
}

TEST_CASE("the filter selects which records are dialed") {
  obtest::TempDir dir;
  auto records = obtest::make_records(10);
  for (auto& r : records) r.campaign_id = r.record_id % 2 ? 1 : 2;
  ListOptions o;
  o.filter = "campaign_id = 2";
  auto list = new_list(dir, o);
  list->insert(records);
  auto got = list->retrieve(due_at(1000, 100)).records;
  CHECK(got.size() == 5);
  for (auto& r : got) CHECK(r.campaign_id == 2);
}

TEST_CASE("release returns records to ready without a dial") {
  obtest::TempDir dir;
  auto list = new_list(dir);
  list->insert(obtest::make_records(5));
  auto got = list->retrieve(due_at(1000, 5)).records;
  list->release({got[0].record_id, got[1].record_id});
  CHECK(list->count_by_status()[RecordStatus::ready] == 2);
  CHECK(list->retrieve(due_at(1000, 5)).records.size() == 2);
}

TEST_CASE("an unknown connection string is a clear error") {
  CHECK_THROWS_WITH_AS(CallingList::open("mysql://x"), doctest::Contains("expected sqlite3://PATH"), Error);
  CHECK_THROWS_AS(CallingList::open("sqlite3:///nonexistent-dir/x/y.db"), Error);
}
