// The calling-list contract on SQLite (a fresh file per test), plus what only
// SQLite can show (a text value in an integer column).
#include <doctest/doctest.h>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "list_fixture.hpp"

namespace listtest {
namespace {

class SqliteDb final : public ListDb {
 public:
  std::string conn() const override { return dir().sqlite(); }
  std::string table() const override { return "calling_list"; }
  bool pg() const override { return false; }
  void exec(const std::string& sql) override { session() << expand(sql); }
  long long scalar(const std::string& sql) override {
    long long v = 0;
    session() << expand(sql), soci::into(v);
    return v;
  }

 private:
  soci::session& session() {
    if (!sql_) sql_ = std::make_unique<soci::session>(soci::sqlite3, "db=" + (dir().path() / "list.db").string() + " timeout=30");
    return *sql_;
  }
  std::unique_ptr<soci::session> sql_;
};

}  // namespace

std::unique_ptr<ListDb> make_list_db() { return std::make_unique<SqliteDb>(); }

}  // namespace listtest

#include "csv_contract.hpp"
#include "list_contract.hpp"

TEST_CASE("sqlite: a text value in an integer column is a per-record error") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(2));
  db.exec("UPDATE {t} SET daily_from = 'soon' WHERE record_id = 1");
  auto got = list->retrieve(due_at(1000, 10));
  REQUIRE(got.records.size() == 1);
  REQUIRE(got.errors.size() == 1);
  CHECK(got.errors[0].reason.find("daily_from is not an integer: \"soon\"") != std::string::npos);
}

TEST_CASE("an unknown connection string is a clear error") {
  CHECK_THROWS_WITH_AS(CallingList::open("mysql://x"), doctest::Contains("expected sqlite3://PATH"), Error);
  CHECK_THROWS_AS(CallingList::open("sqlite3:///nonexistent-dir/x/y.db"), Error);
  CHECK_THROWS_WITH_AS(CallingList::open("sqlite3:///tmp/x.db?bogus=1"), doctest::Contains("unknown sqlite3 option \"bogus\""), Error);
  CHECK_THROWS_WITH_AS(CallingList::open("sqlite3:///tmp/x.db?timeout=soon"), doctest::Contains("whole number"), Error);
  CHECK_THROWS_WITH_AS(CallingList::open("sqlite3:///tmp/x.db?timeout=1&max_pages="), doctest::Contains("whole number"), Error);
}

TEST_CASE("sqlite: text in dial_sched_time (never due) is found at load and marked as a record error") {
  LIST_DB(db);
  auto list = db.open();
  list->insert(obtest::make_records(3));
  db.exec("UPDATE {t} SET dial_sched_time = 'tomorrow' WHERE record_id = 2");
  db.exec("UPDATE {t} SET dial_sched_time = 500 WHERE record_id = 3");
  auto errors = list->mark_malformed();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].record_id == 2);
  CHECK(errors[0].reason.find("dial_sched_time \"tomorrow\" is not a time in epoch seconds") != std::string::npos);
  auto bad = list->get(2).value();
  CHECK(bad.record_status == RecordStatus::updated);
  CHECK(bad.call_result == CallResult::dial_error);
  CHECK(list->mark_malformed().empty());  // marked once; the good scheduled record is untouched
  auto got = list->retrieve(due_at(1000, 10));
  CHECK(got.records.size() == 2);
  CHECK(got.errors.empty());
}
