// CSV import and export, on SQLite and on PostgreSQL (included once by each
// test program, whose make_list_db() picks the backend).
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "list_fixture.hpp"
#include "outbound/csv.hpp"
#include "outbound/error.hpp"

namespace listtest {

/// The list of this test with custom fields, opened on a table created by us.
inline std::unique_ptr<outbound::CallingList> list_with(ListDb& db, const std::vector<std::string>& custom) {
  outbound::CallingList::create_table(db.conn(), db.table(), custom);
  return db.open({}, false);
}

/// Writes `text` to a file in the test's folder and returns its path.
inline std::string write_file(const ListDb& db, const std::string& name, const std::string& text) {
  auto path = (db.dir().path() / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

/// The error reported for `line`, or nullptr.
inline const outbound::CsvRowError* error_on(const outbound::ImportReport& r, std::size_t line) {
  for (const auto& e : r.errors)
    if (e.line == line) return &e;
  return nullptr;
}

}  // namespace listtest

TEST_CASE("CSV import: columns by name in any order, OCS defaults for the rest") {
  LIST_DB(db);
  auto list = listtest::list_with(db, {"customer_name VARCHAR(64)"});
  std::istringstream in(
      "contact_info,record_id,customer_name,daily_from,record_type,dial_sched_time\n"
      "2125550001,1,Ann,28800,,\n"
      "\"212 555 0002\",2,\"Smith, Bob\",,6,1700000000\n");
  auto report = import_csv(*list, in);
  CHECK(report.data_rows == 2);
  CHECK(report.imported == 2);
  CHECK(report.errors.empty());
  auto a = list->get(1).value();
  CHECK(a.contact_info == "2125550001");
  CHECK(a.daily_from == 28800);
  CHECK(a.daily_till == 86400);
  CHECK(a.record_type == RecordType::general);
  CHECK(a.record_status == RecordStatus::ready);
  CHECK(a.call_result == CallResult::unknown);
  CHECK(a.contact_info_type == ContactInfoType::home);
  CHECK(a.attempt == 0);
  CHECK(!a.dial_sched_time);
  CHECK(a.chain_id == 1);
  CHECK(a.chain_n == 1);
  CHECK(a.custom.at("customer_name") == "Ann");
  auto b = list->get(2).value();
  CHECK(b.contact_info == "212 555 0002");
  CHECK(b.custom.at("customer_name") == "Smith, Bob");
  CHECK(b.record_type == RecordType::campaign_callback);
  CHECK(b.dial_sched_time == 1700000000);
  CHECK(b.daily_from == 0);
}

TEST_CASE("CSV import: configurable defaults for the calling window, zone and campaign") {
  LIST_DB(db);
  auto list = db.open();
  CsvOptions o;
  o.default_daily_from = 8 * 3600;
  o.default_daily_till = 21 * 3600;
  o.default_tz_dbid = 5;
  o.default_campaign_id = 9;
  o.delimiter = ';';
  std::istringstream in("\xEF\xBB\xBFrecord_id;contact_info;daily_till\r\n1;2125550001;\r\n2;2125550002;72000\r\n");
  auto report = import_csv(*list, in, o);
  REQUIRE(report.imported == 2);
  auto a = list->get(1).value();
  CHECK(a.daily_from == 8 * 3600);
  CHECK(a.daily_till == 21 * 3600);
  CHECK(a.tz_dbid == 5);
  CHECK(a.campaign_id == 9);
  CHECK(list->get(2)->daily_till == 72000);
}

TEST_CASE("CSV import of a malformed table: each bad row reported with its line and reason, good rows imported") {
  LIST_DB(db);
  auto list = listtest::list_with(db, {"note VARCHAR(255)"});
  list->insert({obtest::make_record(100)});
  const std::string csv =
      "record_id,contact_info,record_type,call_result,attempt,daily_from,daily_till,chain_id,note\n"  // 1
      "1,2125550001,2,28,0,0,86400,1,ok\n"                                                             // 2 good
      "2,,2,28,0,0,86400,2,missing phone\n"                                                            // 3
      "3,2125550003,two,28,0,0,86400,3,x\n"                                                            // 4
      "4,2125550004,9,28,0,0,86400,4,x\n"                                                              // 5
      "5,2125550005,2,99,0,0,86400,5,x\n"                                                              // 6
      "1,2125550006,2,28,0,0,86400,6,x\n"                                                              // 7
      "7,2125550007,2,28,-1,0,86400,7,x\n"                                                             // 8
      "8,2125550008,2,28,0,0,90000,8,x\n"                                                              // 9
      ",2125550009,2,28,0,0,86400,9,x\n"                                                               // 10
      "10,2125550010,2,28,0,0,86400\n"                                                                 // 11
      "11,\"2125550011\",2,28,0,0,86400,11,\"multi\n"                                                  // 12 good
      "line, \"\"quoted\"\" note\"\n"                                                                  // 13
      "12,2125550012,2,28,0,0,86400,12,bad\"quote\n"                                                   // 14
      "13,2125550013,2,28,0,0,86400,99999999999,x\n"                                                   // 15
      "\n"                                                                                             // 16 blank
      "14,2125550014,2,28, 3 ,0,86400,,x\n"                                                            // 17 good
      "abc,2125550015,2,28,0,0,86400,15,x\n"                                                           // 18
      "16,\"2125550016\" x,2,28,0,0,86400,16,x\n"                                                      // 19
      "100,2125550100,2,28,0,0,86400,100,x\n"                                                          // 20
      "17,2125550017,2,28,0,0,86400,17,last\n";                                                        // 21 good
  auto path = listtest::write_file(db, "bad.csv", csv);
  CsvOptions o;
  o.batch_size = 4;
  auto report = import_csv(*list, path, o);

  CHECK(report.data_rows == 18);  // lines 2-21 less the blank one and a field's second line
  CHECK(report.blank_lines == 1);
  CHECK(report.imported == 4);
  CHECK(report.data_rows == report.imported + report.errors.size());
  const std::vector<std::pair<std::size_t, std::string>> expected = {
      {3, "contact_info is empty"},
      {4, "record_type is not an integer: \"two\""},
      {5, "record_type has no such code: 9"},
      {6, "call_result has no such code: 99"},
      {7, "duplicate record_id 1 (first on line 2)"},
      {8, "attempt is negative"},
      {9, "daily_till is outside 0..86400: 90000"},
      {10, "record_id is empty"},
      {11, "has 7 fields, the header has 9"},
      {14, "a quote inside an unquoted field"},
      {15, "chain_id is not an integer"},
      {18, "record_id is not an integer: \"abc\""},
      {19, "text after the closing quote"},
      {20, "record_id 100 is already in the list"},
  };
  REQUIRE(report.errors.size() == expected.size());
  for (const auto& [line, reason] : expected) {
    CAPTURE(line);
    auto* e = listtest::error_on(report, line);
    REQUIRE(e != nullptr);
    CHECK(e->reason.find(reason) != std::string::npos);
  }
  CHECK(listtest::error_on(report, 5)->record_id == 4);
  CHECK(listtest::error_on(report, 20)->record_id == 100);
  CHECK(std::is_sorted(report.errors.begin(), report.errors.end(),
                       [](const CsvRowError& a, const CsvRowError& b) { return a.line < b.line; }));

  CHECK(list->get(11)->custom.at("note") == "multi\nline, \"quoted\" note");
  CHECK(list->get(14)->attempt == 3);
  CHECK(list->get(14)->chain_id == 14);
  CHECK(list->get(17)->custom.at("note") == "last");
  CHECK(!list->get(2));
  CHECK(list->get(100)->custom.count("note") == 0);  // the existing record is untouched
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}") == 5);
}

TEST_CASE("CSV import: a row the database refuses spoils only itself, not its batch") {
  LIST_DB(db);
  db.exec("CREATE TABLE {t} (record_id integer not null unique, contact_info varchar(128), contact_info_type integer, "
          "record_type integer, record_status integer, call_result integer, attempt integer, dial_sched_time integer, "
          "call_time integer, daily_from integer, daily_till integer, tz_dbid integer, campaign_id integer, "
          "agent_id varchar(32), chain_id integer, chain_n integer, group_id integer, app_id integer, "
          "treatments varchar(255), media_ref integer, email_subject varchar(255), email_template_id integer, "
          "switch_id integer, balance integer CHECK (balance >= 0))");
  auto list = db.open({}, false);
  std::istringstream in("record_id,contact_info,balance\n1,2125550001,5\n2,2125550002,-5\n3,2125550003,7\n");
  CsvOptions o;
  o.batch_size = 10;
  auto report = import_csv(*list, in, o);
  CHECK(report.imported == 2);
  REQUIRE(report.errors.size() == 1);
  CHECK(report.errors[0].line == 3);
  CHECK(report.errors[0].record_id == 2);
  CHECK(!report.errors[0].reason.empty());
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}") == 2);
}

TEST_CASE("CSV header problems fail the whole file and import nothing") {
  LIST_DB(db);
  auto list = listtest::list_with(db, {"note VARCHAR(64)"});
  auto fails_with = [&](const std::string& text, const std::string& what) {
    std::istringstream in(text);
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(import_csv(*list, in), doctest::Contains(what.c_str()), Error);
  };
  fails_with("record_id,contact_info,colour\n1,2125550001,red\n", "unknown columns \"colour\"");
  fails_with("contact_info,note\n2125550001,x\n", "no record_id column");
  fails_with("record_id,note\n1,x\n", "no contact_info column");
  fails_with("record_id,contact_info,RECORD_ID\n1,2125550001,1\n", "columns named twice: record_id");
  fails_with("record_id,contact_info; DROP TABLE x\n1,2\n", "unknown columns");
  fails_with("", "no header row");
  fails_with("\nrecord_id,contact_info\n", "no header row");
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}") == 0);
  CHECK_THROWS_AS(import_csv(*list, (db.dir().path() / "nope.csv").string()), Error);
}

TEST_CASE("CSV export then import gives back every field, quotes, delimiters and line breaks included") {
  LIST_DB(db);
  auto list = listtest::list_with(db, {"note VARCHAR(255)", "score INTEGER"});
  auto records = listtest::chained_records(30, 3);
  records[0].custom["note"] = "comma, \"quote\"\r\nand a new line";
  records[0].custom["score"] = "42";
  records[1].agent_id = "agent;7";
  records[1].treatments = "1@2@3@4";
  records[2].dial_sched_time = 1700000000;
  records[2].call_time = 1699999000;
  records[2].record_type = RecordType::personal_callback;
  records[3].contact_info = "'); DROP TABLE " + db.table() + "; --";
  records[3].contact_info_type = ContactInfoType::email;  // import reads phone numbers as the gate will: this is no number
  records[3].email_subject = "Re: \"x\"";
  records[4].call_result = CallResult::answering_machine;
  records[4].record_status = RecordStatus::updated;
  records[4].attempt = 4;
  list->insert(records);
  auto before = list->all();

  auto path = (db.dir().path() / "out.csv").string();
  CHECK(export_csv(*list, path) == 30);
  db.exec("DELETE FROM {t}");
  auto report = import_csv(*list, path);
  CHECK(report.errors.empty());
  CHECK(report.imported == 30);
  auto after = list->all();
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    CAPTURE(i);
    const auto &x = before[i], &y = after[i];
    CHECK(x.record_id == y.record_id);
    CHECK(x.contact_info == y.contact_info);
    CHECK(x.record_type == y.record_type);
    CHECK(x.record_status == y.record_status);
    CHECK(x.call_result == y.call_result);
    CHECK(x.attempt == y.attempt);
    CHECK(x.dial_sched_time == y.dial_sched_time);
    CHECK(x.call_time == y.call_time);
    CHECK(x.chain_id == y.chain_id);
    CHECK(x.chain_n == y.chain_n);
    CHECK(x.agent_id == y.agent_id);
    CHECK(x.treatments == y.treatments);
    CHECK(x.email_subject == y.email_subject);
    CHECK(x.custom == y.custom);
  }

  std::ostringstream some;
  CsvOptions o;
  o.columns = {"record_id", "note"};
  o.crlf = false;
  export_csv(*list, some, o);
  CHECK(some.str().rfind("record_id,note\n1,\"comma, \"\"quote\"\"\r\nand a new line\"\n2,\n", 0) == 0);
  o.columns = {"record_id", "nope"};
  CHECK_THROWS_AS(export_csv(*list, some, o), Error);
}

TEST_CASE("CSV values that look like SQL are imported as data") {
  LIST_DB(db);
  auto list = listtest::list_with(db, {"note VARCHAR(255)"});
  // Row 1's address is an e-mail (type 10): import reads phone numbers as the gate will, and this is no number.
  std::istringstream in("record_id,contact_info,agent_id,note,contact_info_type\n"
                        "1,\"'); DROP TABLE " + db.table() + "; --\",\"x' OR '1'='1\",\"\"\"; DELETE FROM " + db.table() + "; --\",10\n"
                        "2,2125550002,,\"{NULL,\\\"\"}\",\n");
  auto report = import_csv(*list, in);
  REQUIRE(report.errors.empty());
  CHECK(report.imported == 2);
  CHECK(list->get(1)->contact_info == "'); DROP TABLE " + db.table() + "; --");
  CHECK(list->get(1)->agent_id == "x' OR '1'='1");
  CHECK(list->get(1)->custom.at("note") == "\"; DELETE FROM " + db.table() + "; --");
  CHECK(list->get(2)->custom.at("note") == "{NULL,\\\"}");
  CHECK(db.scalar("SELECT COUNT(*) FROM {t}") == 2);
}
