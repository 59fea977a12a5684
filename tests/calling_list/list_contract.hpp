// The calling-list contract: every test here runs on SQLite and on PostgreSQL
// (included once by each test program, whose make_list_db() picks the backend).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <set>

#include "list_fixture.hpp"
#include "outbound/error.hpp"


TEST_CASE("insert then retrieve marks records retrieved in one step and hands out each once") {
  LIST_DB(db);
  auto list = db.open();
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
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease WHERE engine_id = 'engine-1'") == 250);
}

TEST_CASE("records scheduled in the future wait; due ones come first") {
  LIST_DB(db);
  auto list = db.open();
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

TEST_CASE("record-type priorities order due records; time orders within a priority") {
  LIST_DB(db);
  ListOptions o;
  o.record_type_priority = {{static_cast<int>(RecordType::personal_callback), 0},
                            {static_cast<int>(RecordType::campaign_callback), 1}};
  auto list = db.open(o);
  auto records = obtest::make_records(6);
  auto sched = [&](int i, RecordType t, EpochSeconds at) {
    records[static_cast<std::size_t>(i)].record_type = t;
    records[static_cast<std::size_t>(i)].dial_sched_time = at;
  };
  sched(0, RecordType::campaign_rescheduled, 100);  // unconfigured: after the configured classes
  sched(1, RecordType::campaign_callback, 300);
  sched(2, RecordType::personal_callback, 500);
  sched(3, RecordType::campaign_callback, 200);
  sched(4, RecordType::personal_callback, 400);
  // records[5] is fresh: after every due record
  list->insert(records);
  auto got = list->retrieve(due_at(1000, 10)).records;
  std::vector<std::int64_t> order;
  for (auto& r : got) order.push_back(r.record_id);
  CHECK(order == std::vector<std::int64_t>{5, 3, 4, 2, 1, 6});
  CHECK_THROWS_AS(db.open([] { ListOptions x; x.record_type_priority = {{42, 0}}; return x; }()), Error);
}

TEST_CASE("update writes back results, group and treatments, and drops the lease of finished records") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(3));
  auto got = list->retrieve(due_at(1000, 10)).records;
  REQUIRE(got.size() == 3);
  got[0].record_status = RecordStatus::updated;
  got[0].call_result = CallResult::answer;
  got[0].attempt = 1;
  got[0].call_time = 1010;
  got[0].group_id = 17;
  got[1].record_status = RecordStatus::ready;
  got[1].record_type = RecordType::campaign_rescheduled;
  got[1].call_result = CallResult::busy;
  got[1].attempt = 1;
  got[1].dial_sched_time = 1600;
  got[1].treatments = "1@1@1@0";
  got[1].agent_id = "agent-7";
  got[2].attempt = 1;  // still retrieved: an interim write keeps the lease
  CHECK(list->update_owned(got).empty());
  auto r1 = list->get(got[0].record_id).value();
  auto r2 = list->get(got[1].record_id).value();
  CHECK(r1.record_status == RecordStatus::updated);
  CHECK(r1.call_result == CallResult::answer);
  CHECK(r1.call_time == 1010);
  CHECK(r1.group_id == 17);
  CHECK(r2.record_status == RecordStatus::ready);
  CHECK(r2.record_type == RecordType::campaign_rescheduled);
  CHECK(r2.dial_sched_time == 1600);
  CHECK(r2.treatments == "1@1@1@0");
  CHECK(r2.agent_id == "agent-7");
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease") == 1);
  CHECK(list->get(got[2].record_id)->record_status == RecordStatus::retrieved);
  CHECK(list->retrieve(due_at(1500, 10)).records.empty());
  CHECK(list->retrieve(due_at(1600, 10)).records.size() == 1);
}

TEST_CASE("when a batch names a record twice, the last write wins") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(1));
  auto r = list->retrieve(due_at(1000, 1)).records.at(0);
  auto first = r, second = r;
  first.call_result = CallResult::busy;
  second.call_result = CallResult::answer;
  second.record_status = RecordStatus::updated;
  list->update({first, second});
  CHECK(list->get(1)->call_result == CallResult::answer);
  CHECK(list->get(1)->record_status == RecordStatus::updated);
}

TEST_CASE("mark_dialing writes attempt and call time only") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(2));
  auto got = list->retrieve(due_at(1000, 2)).records;
  got[0].attempt = 3;
  got[0].call_time = 1005;
  got[0].call_result = CallResult::busy;  // not written by mark_dialing
  CHECK(list->mark_dialing_owned({got[0]}).empty());
  auto back = list->get(got[0].record_id).value();
  CHECK(back.attempt == 3);
  CHECK(back.call_time == 1005);
  CHECK(back.call_result == CallResult::unknown);
  CHECK(back.record_status == RecordStatus::retrieved);
}

TEST_CASE("a crash leaves nothing stuck: recovery on load returns retrieved records to ready") {
  LIST_DB(db);
  {
    auto list = db.open();
    list->insert(obtest::make_records(40));
    auto got = list->retrieve(due_at(1000, 30));
    REQUIRE(got.records.size() == 30);
    got.records[0].attempt = 1;
    got.records[0].call_time = 1001;
    list->mark_dialing({got.records[0]});
    // the process "dies" here: no update, no release; its connection closes
  }
  auto list = db.open({}, false);
  CHECK(list->count_by_status()[RecordStatus::retrieved] == 30);
  CHECK(list->recover(1100) == 30);
  auto counts = list->count_by_status();
  CHECK(counts[RecordStatus::retrieved] == 0);
  CHECK(counts[RecordStatus::ready] == 40);
  CHECK(list->get(1).value().attempt == 1);  // the dial before the crash still counts
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease") == 0);
  CHECK(list->retrieve(due_at(1100, 100)).records.size() == 40);
}

TEST_CASE("a live engine's lease is kept from others; once expired its records come back") {
  LIST_DB(db);
  // engine-a (on another machine, say) holds ten records and stops renewing.
  auto a = db.open_engine("engine-a", 60);
  a->insert(obtest::make_records(10));
  REQUIRE(a->retrieve(due_at(1000, 10)).records.size() == 10);
  auto b = db.open_engine("engine-b");
  CHECK(b->recover(1030) == 0);  // engine-a's lease runs to 1060
  CHECK(b->retrieve(due_at(1030, 10)).records.empty());
  CHECK(b->recover(1060) == 10);  // expired
  auto got = b->retrieve(due_at(1060, 10)).records;
  CHECK(got.size() == 10);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease WHERE engine_id = 'engine-b'") == 10);
}

TEST_CASE("recovery never takes a live holder's lease, whatever engine_id it shares") {
  LIST_DB(db);
  auto a = db.open();  // both with the default engine_id, as two campaigns (or processes) would be
  a->insert(obtest::make_records(8));
  REQUIRE(a->retrieve(due_at(1000, 5)).records.size() == 5);
  auto b = db.open({}, false);
  CHECK(b->recover(1001) == 0);
  CHECK(b->recover_expired(1001) == 0);
  CHECK(b->retrieve(due_at(1001, 10)).records.size() == 3);  // only the records a does not hold
  a->renew_leases(1500);
  CHECK(b->recover_expired(1700) == 0);  // renewed to 2100
  a.reset();  // a's handle closes without releasing (its process crashed, say)
  CHECK(b->recover(1701) == 5);  // gone: back at once, not after the lease
  CHECK(db.scalar("SELECT COUNT(*) FROM {t} WHERE record_status = 1") == 5);
}

TEST_CASE("a lease table of an earlier version gains its holder column; its leases come back once expired") {
  LIST_DB(db);
  db.exec("CREATE TABLE {t}_lease (record_id BIGINT PRIMARY KEY, engine_id VARCHAR(64) NOT NULL, expires_at BIGINT NOT NULL)");
  auto list = db.open();
  list->insert(obtest::make_records(3));
  db.exec("UPDATE {t} SET record_status = 2 WHERE record_id = 1");
  db.exec("INSERT INTO {t}_lease (record_id, engine_id, expires_at) VALUES (1, 'engine-1', 1600)");
  CHECK(list->recover(1000) == 0);  // an earlier version's engine may still hold it
  CHECK(list->recover_expired(1600) == 1);
  CHECK(list->retrieve(due_at(1600, 10)).records.size() == 3);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease WHERE holder IS NOT NULL") == 3);
}

TEST_CASE("a running engine's check for crashed peers takes back expired leases, never its own") {
  LIST_DB(db);
  auto a = db.open_engine("engine-a", 60);
  a->insert(obtest::make_records(6));
  REQUIRE(a->retrieve(due_at(1000, 3)).records.size() == 3);  // engine-a dies holding these
  auto b = db.open_engine("engine-b", 60);
  b->recover(1000);  // at load: nothing of b's, nothing expired yet
  REQUIRE(b->retrieve(due_at(1000, 3)).records.size() == 3);  // b holds the other three
  CHECK(b->recover_expired(1030) == 0);
  CHECK(b->recover_expired(1070) == 3);  // a's expired; b's own (also past 1060) are kept
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease WHERE engine_id = 'engine-b'") == 3);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t} WHERE record_status = 2") == 3);
}

TEST_CASE("an engine whose lease was taken over cannot overwrite the new owner's records") {
  LIST_DB(db);
  auto a = db.open_engine("engine-a", 60);
  a->insert(obtest::make_records(4));
  auto held = a->retrieve(due_at(1000, 4)).records;
  REQUIRE(held.size() == 4);
  auto b = db.open_engine("engine-b", 60);
  REQUIRE(b->recover(1100) == 4);
  auto taken = b->retrieve(due_at(1100, 2)).records;  // records 1 and 2 are engine-b's now; 3 and 4 ready
  REQUIRE(taken.size() == 2);

  for (auto& r : held) {
    r.attempt = 9;
    r.call_time = 1101;
  }
  auto lost_dial = a->mark_dialing_owned(held);
  std::sort(lost_dial.begin(), lost_dial.end());
  CHECK(lost_dial == std::vector<std::int64_t>{1, 2, 3, 4});
  for (auto& r : held) {
    r.record_status = RecordStatus::updated;
    r.call_result = CallResult::answer;
  }
  auto lost = a->update_owned(held);
  std::sort(lost.begin(), lost.end());
  CHECK(lost == std::vector<std::int64_t>{1, 2, 3, 4});
  a->update(held);  // the void form drops them the same way
  a->release({1, 2, 3, 4});  // and release leaves another engine's records alone
  for (std::int64_t id : {1, 2}) {
    auto r = b->get(id).value();
    CHECK(r.record_status == RecordStatus::retrieved);
    CHECK(r.attempt == 0);
    CHECK(r.call_result == CallResult::unknown);
  }
  CHECK(b->get(3)->record_status == RecordStatus::ready);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease WHERE engine_id = 'engine-b'") == 2);
  taken[0].record_status = RecordStatus::updated;
  CHECK(b->update_owned(taken).empty());
  CHECK(b->get(taken[0].record_id)->record_status == RecordStatus::updated);
}

TEST_CASE("an expired lease nobody took over still lets its engine write") {
  LIST_DB(db);
  auto a = db.open_engine("engine-a", 60);
  a->insert(obtest::make_records(2));
  auto held = a->retrieve(due_at(1000, 2)).records;
  held[0].record_status = RecordStatus::updated;
  CHECK(a->update_owned(held).empty());  // long after 1060, but no one recovered them
  a->renew_leases(5000);
  CHECK(db.scalar("SELECT expires_at FROM {t}_lease WHERE record_id = 2") == 5060);
}

TEST_CASE("chains are retrieved whole and in chain_n order") {
  LIST_DB(db);
  auto list = db.open();
  std::vector<Record> rs = {obtest::make_record(1, 7, 3), obtest::make_record(2, 7, 1), obtest::make_record(3, 8, 1),
                            obtest::make_record(4, 7, 2)};
  list->insert(rs);
  auto got = list->retrieve(due_at(1000, 1)).records;
  REQUIRE(got.size() == 3);
  CHECK(got[0].chain_n == 1);
  CHECK(got[1].chain_n == 2);
  CHECK(got[2].chain_n == 3);
  for (auto& r : got) CHECK(r.chain_id == 7);
  auto chain = list->chain(7);
  REQUIRE(chain.size() == 3);
  CHECK(chain[0].record_id == 2);
}

TEST_CASE("a table made by plain SQL in the OCS shape is read and written as it is, custom fields included") {
  LIST_DB(db);
  listtest::create_ocs_table_by_hand(db);
  db.exec("INSERT INTO {t} VALUES (11, '2125550142', 1, 2, 1, 28, 0, NULL, NULL, 28800, 75600, 1, 5, NULL, 11, 1, 0, 0, "
          "NULL, 0, NULL, 0, 0, 'Ann Smith', 1200)");
  db.exec("INSERT INTO {t} VALUES (12, '2125550143', 4, 6, 1, 7, 2, 900, 800, 0, 86400, 1, 5, NULL, 12, 1, 0, 0, "
          "'3@1@1@1', 0, NULL, 0, 0, NULL, NULL)");
  auto list = db.open({}, false);
  CHECK(list->custom_fields() == std::vector<std::string>{"customer_name", "balance"});
  auto got = list->retrieve(due_at(1000, 5)).records;
  REQUIRE(got.size() == 2);
  CHECK(got[0].record_id == 12);  // due callback first
  CHECK(got[0].record_type == RecordType::campaign_callback);
  CHECK(got[0].treatments == "3@1@1@1");
  CHECK(got[1].contact_info == "2125550142");
  CHECK(got[1].daily_till == 75600);
  CHECK(got[1].custom.at("customer_name") == "Ann Smith");
  CHECK(got[1].custom.at("balance") == "1200");
  CHECK(got[0].custom.count("customer_name") == 0);  // NULL custom fields are absent
  got[1].record_status = RecordStatus::updated;
  got[1].call_result = CallResult::answer;
  got[1].attempt = 1;
  got[1].call_time = 1001;
  list->update(got);
  CHECK(db.scalar("SELECT record_status FROM {t} WHERE record_id = 11") == 3);
  CHECK(db.scalar("SELECT call_result FROM {t} WHERE record_id = 11") == 33);
  CHECK(db.scalar("SELECT call_time FROM {t} WHERE record_id = 11") == 1001);
  CHECK(db.scalar("SELECT balance FROM {t} WHERE record_id = 11") == 1200);
  Record added = obtest::make_record(13);
  added.custom["customer_name"] = "Bo";
  added.custom["balance"] = "7";
  list->insert({added});
  CHECK(db.scalar("SELECT balance FROM {t} WHERE record_id = 13") == 7);
}

TEST_CASE("a table missing columns is refused with one message listing them") {
  LIST_DB(db);
  db.exec("CREATE TABLE {t} (record_id integer, contact_info integer, record_status integer)");
  try {
    db.open({}, false);
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
  LIST_DB(db);
  CHECK_THROWS_AS(db.open({}, false), Error);
  CHECK_NOTHROW(db.open({}, true));
}

TEST_CASE("malformed rows become per-record errors; good rows still come") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(4));
  db.exec("UPDATE {t} SET contact_info = '' WHERE record_id = 1");
  db.exec("UPDATE {t} SET record_type = 99 WHERE record_id = 2");
  db.exec("UPDATE {t} SET daily_from = 90000 WHERE record_id = 3");
  auto got = list->retrieve(due_at(1000, 10));
  REQUIRE(got.records.size() == 1);
  CHECK(got.records[0].record_id == 4);
  REQUIRE(got.errors.size() == 3);
  CHECK(got.errors[0].reason.find("contact_info") != std::string::npos);
  CHECK(got.errors[1].reason.find("record_type has no such code: 99") != std::string::npos);
  CHECK(got.errors[2].reason.find("daily_from is outside 0..86400") != std::string::npos);
  auto bad = list->get(1).value();
  CHECK(bad.record_status == RecordStatus::updated);
  CHECK(bad.call_result == CallResult::dial_error);
  CHECK(list->retrieve(due_at(1000, 10)).errors.empty());  // marked once, not again
}

TEST_CASE("unsafe table names, filters, orders and zone columns are rejected") {
  LIST_DB(db);
  for (const char* t : {"x; DROP TABLE y", "calling list", "1abc", "t\"x", "", "a-b"}) {
    ListOptions o;
    o.table = t;
    o.create_if_missing = true;
    CHECK_THROWS_AS(CallingList::open(db.conn(), o), Error);
  }
  ListOptions o;
  for (const char* f : {"1=1; DROP TABLE calling_list", "record_id = 1 -- x", "record_id = 1 /* x */", "(SELECT 1) = 1",
                        "load_extension('x')", "pg_sleep(1) IS NULL", "nosuchcolumn = 1", "record_id = 'unterminated",
                        "record_id = 1 || 2", "contact_info = 'a\\' OR 1=1"}) {
    o.filter = f;
    CHECK_THROWS_AS(db.open(o), Error);
  }
  o.filter = "campaign_id = 1 AND (record_type IN (2, 3) OR contact_info LIKE '+1%') AND agent_id IS NULL";
  CHECK_NOTHROW(db.open(o));
  o.order_by = "chain_id DESC, record_id";
  CHECK_NOTHROW(db.open(o));
  for (const char* ord : {"chain_id; DROP", "chain_id, (SELECT 1)", "random()", "chain_id ASC DESC"}) {
    o.order_by = ord;
    CHECK_THROWS_AS(db.open(o), Error);
  }
  ListOptions z;
  z.zone_column = "tz_name; DROP TABLE x";
  CHECK_THROWS_AS(db.open(z), Error);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}") == 0);  // the table is still there
}

TEST_CASE("the filter selects which records are dialed") {
  LIST_DB(db);
  auto records = obtest::make_records(10);
  for (auto& r : records) r.campaign_id = r.record_id % 2 ? 1 : 2;
  ListOptions o;
  o.filter = "campaign_id = 2";
  auto list = db.open(o);
  list->insert(records);
  auto got = list->retrieve(due_at(1000, 100)).records;
  CHECK(got.size() == 5);
  for (auto& r : got) CHECK(r.campaign_id == 2);
}

TEST_CASE("a custom order_by orders fresh records") {
  LIST_DB(db);
  auto records = obtest::make_records(5);
  ListOptions o;
  o.order_by = "record_id DESC";
  auto list = db.open(o);
  list->insert(records);
  auto got = list->retrieve(due_at(1000, 2)).records;
  REQUIRE(got.size() == 2);
  CHECK(got[0].record_id == 5);
  CHECK(got[1].record_id == 4);
}

TEST_CASE("release returns this engine's records to ready without a dial") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(5));
  auto got = list->retrieve(due_at(1000, 5)).records;
  list->release({got[0].record_id, got[1].record_id});
  CHECK(list->count_by_status()[RecordStatus::ready] == 2);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}_lease") == 3);
  CHECK(list->retrieve(due_at(1000, 5)).records.size() == 2);
}

TEST_CASE("values that look like SQL are stored and read back as data") {
  LIST_DB(db);
  CallingList::create_table(db.conn(), db.table(), {"note VARCHAR(255)"});
  auto list = db.open({}, false);
  const std::string evil = "'); DROP TABLE " + db.table() + "; --";
  const std::string evil2 = "x\" , \\\" {NULL} ' OR '1'='1";
  auto records = obtest::make_records(3);
  records[0].contact_info = evil;
  records[0].agent_id = evil2;
  records[0].custom["note"] = evil;
  records[1].treatments = evil2;
  records[1].email_subject = "NULL";
  list->insert(records);
  auto got = list->retrieve(due_at(1000, 10)).records;
  REQUIRE(got.size() == 3);
  CHECK(got[0].contact_info == evil);
  CHECK(got[0].agent_id == evil2);
  CHECK(got[0].custom.at("note") == evil);
  CHECK(got[1].treatments == evil2);
  CHECK(got[1].email_subject == "NULL");
  got[2].agent_id = evil;
  got[2].treatments = evil2;
  got[2].record_status = RecordStatus::updated;
  list->update(got);
  auto back = list->get(3).value();
  CHECK(back.agent_id == evil);
  CHECK(back.treatments == evil2);
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}") == 3);  // no table was dropped
}

TEST_CASE("zone names in a zone column: windows per zone, unknown zones marked") {
  LIST_DB(db);
  CallingList::create_table(db.conn(), db.table(), {"tz_name VARCHAR(64)"});
  ListOptions o;
  o.zone_column = "tz_name";
  auto list = db.open(o, false);
  auto records = obtest::make_records(5);
  const char* zones[] = {"America/New_York", "Europe/London", "Australia/Sydney", "Mars/Olympus", nullptr};
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (zones[i]) records[i].custom["tz_name"] = zones[i];
    records[i].daily_from = 8 * 3600;
    records[i].daily_till = 21 * 3600;
  }
  list->insert(records);
  auto keys = list->zone_keys();
  CHECK(std::count(keys.begin(), keys.end(), "Europe/London") == 1);

  auto errors = list->mark_unknown_zones({"America/New_York", "Europe/London", "Australia/Sydney"});
  REQUIRE(errors.size() == 2);
  std::set<std::int64_t> bad;
  for (auto& e : errors) bad.insert(e.record_id);
  CHECK(bad == std::set<std::int64_t>{4, 5});
  CHECK(list->get(4)->call_result == CallResult::dial_error);

  RetrieveRequest rq = due_at(1000, 10);
  rq.check_windows = true;
  rq.zones = {{"America/New_York", 9 * 3600}, {"Europe/London", 22 * 3600}, {"Australia/Sydney", 3 * 3600}};
  auto got = list->retrieve(rq).records;
  REQUIRE(got.size() == 1);  // only New York is inside 08:00-21:00 now
  CHECK(got[0].custom.at("tz_name") == "America/New_York");
  rq.zones = {{"Europe/London", 10 * 3600}};
  got = list->retrieve(rq).records;
  REQUIRE(got.size() == 1);
  CHECK(got[0].record_id == 2);
  rq.zones = {{"Europe/London'; DROP TABLE x; --", 10 * 3600}};
  CHECK_THROWS_AS(list->retrieve(rq), Error);
  CHECK_THROWS_AS(list->mark_unknown_zones({"x' OR '1'='1"}), Error);
}

TEST_CASE("tz_dbid windows, including ones that wrap past midnight") {
  LIST_DB(db);
  auto list = db.open();
  auto records = obtest::make_records(3);
  records[0].tz_dbid = 1;
  records[0].daily_from = 9 * 3600;
  records[0].daily_till = 17 * 3600;
  records[1].tz_dbid = 1;
  records[1].daily_from = 22 * 3600;  // 22:00 to 02:00
  records[1].daily_till = 2 * 3600;
  records[2].tz_dbid = 2;  // its zone is closed now
  list->insert(records);
  CHECK(list->mark_unknown_zones({"1", "2"}).empty());
  RetrieveRequest rq = due_at(1000, 10);
  rq.check_windows = true;
  rq.zones = {{"1", 23 * 3600}};
  auto got = list->retrieve(rq).records;
  REQUIRE(got.size() == 1);
  CHECK(got[0].record_id == 2);
  rq.zones = {{"1", 10 * 3600}, {"2", 10 * 3600}};
  CHECK(list->retrieve(rq).records.size() == 2);
}

TEST_CASE("pages and id lookups walk the list by record_id") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(25, 100));
  std::vector<std::int64_t> seen;
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  for (auto page = list->page(after, 10); !page.empty(); page = list->page(after, 10)) {
    for (auto& r : page) seen.push_back(r.record_id);
    after = page.back().record_id;
  }
  REQUIRE(seen.size() == 25);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(list->existing_ids({99, 100, 124, 125, 100}) == std::vector<std::int64_t>{100, 124});
  CHECK(list->existing_ids({}).empty());
}

TEST_CASE("fresh and scheduled records come in numeric order, not text order") {
  LIST_DB(db);
  auto list = db.open();
  std::vector<Record> rs = {obtest::make_record(1, 100), obtest::make_record(2, 9), obtest::make_record(3, 10),
                            obtest::make_record(4, 40), obtest::make_record(5, 50)};
  rs[3].dial_sched_time = 100;
  rs[4].dial_sched_time = 95;
  list->insert(rs);
  std::vector<std::int64_t> order;
  for (auto& r : list->retrieve(due_at(1000, 10)).records) order.push_back(r.record_id);
  CHECK(order == std::vector<std::int64_t>{5, 4, 2, 3, 1});
}

TEST_CASE("fresh records resume after the last chunk; ones that become ready behind it are not starved") {
  LIST_DB(db);
  auto a = db.open_engine("engine-a");
  a->insert(obtest::make_records(6, 5));  // chains 5..10
  auto ids = [](const RetrieveResult& r) {
    std::vector<std::int64_t> v;
    for (auto& x : r.records) v.push_back(x.record_id);
    return v;
  };
  CHECK(ids(a->retrieve(due_at(1000, 3))) == std::vector<std::int64_t>{5, 6, 7});
  a->release({6});  // released records are next again
  CHECK(ids(a->retrieve(due_at(1000, 1))) == std::vector<std::int64_t>{6});
  auto b = db.open_engine("engine-b");
  b->insert({obtest::make_record(1)});  // behind engine-a's position: it comes after the tail, in the same chunk
  CHECK(ids(a->retrieve(due_at(1000, 10))) == std::vector<std::int64_t>{8, 9, 10, 1});
  CHECK(a->retrieve(due_at(1000, 10)).records.empty());
}

TEST_CASE("due records resume after the last chunk too; one due earlier than that comes in the same chunk") {
  LIST_DB(db);
  auto a = db.open_engine("engine-a");
  auto records = obtest::make_records(4);
  for (std::size_t i = 0; i < records.size(); ++i) records[i].dial_sched_time = 100 * static_cast<EpochSeconds>(i + 1);
  a->insert(records);
  std::vector<std::int64_t> first, second;
  for (auto& r : a->retrieve(due_at(1000, 2)).records) first.push_back(r.record_id);
  CHECK(first == std::vector<std::int64_t>{1, 2});
  auto late = obtest::make_record(5);
  late.dial_sched_time = 50;
  db.open_engine("engine-b")->insert({late});
  for (auto& r : a->retrieve(due_at(1000, 10)).records) second.push_back(r.record_id);
  CHECK(second == std::vector<std::int64_t>{3, 4, 5});
}

TEST_CASE("a filter the database would refuse is refused at open, with the reason") {
  LIST_DB(db);
  db.open()->insert(obtest::make_records(3));
  std::string nested = std::string(100, '(') + "record_id = 1" + std::string(100, ')');
  std::string deep = std::string(5000, '(') + "record_id = 1" + std::string(5000, ')');
  std::string ands = "record_id > 0";
  for (int i = 0; i < 3000; ++i) ands += " AND attempt < 9";
  const std::pair<std::string, std::string> cases[] = {
      {"record_id = 1.2.3", "malformed number"},
      {"record_id IN ()", "empty parentheses"},
      {"record_id IN ( )", "empty parentheses"},
      {nested, "nested deeper than 64"},
      {deep, "longer than 4096"},
      {ands, "longer than 4096"},
      {"record_id = 1 2", "refused by the database"},
      {"contact_info LIKE", "refused by the database"},
  };
  for (const auto& [filter, reason] : cases) {
    CAPTURE(filter.substr(0, 60));
    ListOptions o;
    o.filter = filter;
    try {
      db.open(o, false);
      FAIL("opened with a filter every retrieval would fail on");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      CHECK_MESSAGE(std::string(e.what()).find(reason) != std::string::npos, "message was: " << e.what());
    }
  }
  ListOptions good;
  good.filter = "chain_n = 1 AND (record_id > 1 OR attempt > 0.5)";
  CHECK(db.open(good, false)->retrieve(due_at(1000, 10)).records.size() == 2);
}

TEST_CASE("custom columns named with a space, a quote or SQL are read and written as names") {
  LIST_DB(db);
  listtest::create_ocs_table_by_hand(db);
  db.exec("ALTER TABLE {t} ADD COLUMN \"first name\" VARCHAR(64)");
  db.exec("ALTER TABLE {t} ADD COLUMN \"(select 1)\" VARCHAR(64)");
  db.exec("ALTER TABLE {t} ADD COLUMN \"say \"\"hi\"\"\" VARCHAR(64)");
  auto list = db.open({}, false);
  auto records = obtest::make_records(2);
  for (auto& r : records) {
    r.custom["first name"] = "Ada";
    r.custom["(select 1)"] = "not one";
    r.custom["say \"hi\""] = "hi";
  }
  list->insert(records);
  auto got = list->retrieve(due_at(1000, 10)).records;
  REQUIRE(got.size() == 2);
  CHECK(got[0].custom.at("first name") == "Ada");
  CHECK(got[0].custom.at("(select 1)") == "not one");
  CHECK(got[1].custom.at("say \"hi\"") == "hi");
}

TEST_CASE("a custom column whose name no quoting carries safely is refused at open, named") {
  LIST_DB(db);
  listtest::create_ocs_table_by_hand(db);
  db.exec("ALTER TABLE {t} ADD COLUMN \"tab\there\" VARCHAR(64)");
  try {
    db.open({}, false);
    FAIL("opened");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    CHECK(std::string(e.what()).find("\"tab?here\"") != std::string::npos);
  }
}
