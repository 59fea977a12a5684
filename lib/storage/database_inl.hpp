// Private: template bodies of database.hpp.
#pragma once

#include <algorithm>
#include <string>
#include <type_traits>

#include "outbound/error.hpp"

namespace outbound::detail {

template <typename Fn>
auto guarded(const std::string& what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const outbound::Error&) {
    throw;
  } catch (...) {
    rethrow_as_database_error(what);
  }
}

template <typename Fn>
auto in_transaction(Database& db, const std::string& what, Fn&& fn) -> decltype(fn()) {
  return guarded(what, [&]() -> decltype(fn()) {
    // A PostgreSQL server that went away (restart, failover): the session is
    // marked broken by the failed call; the next transaction reconnects.
    if (db.dialect == Dialect::postgresql && !db.sql->is_connected()) db.sql->reconnect();
    if (db.dialect == Dialect::sqlite)
      *db.sql << "BEGIN IMMEDIATE";
    else
      db.sql->begin();
    try {
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        if (db.dialect == Dialect::sqlite) *db.sql << "COMMIT"; else db.sql->commit();
      } else {
        auto result = fn();
        if (db.dialect == Dialect::sqlite) *db.sql << "COMMIT"; else db.sql->commit();
        return result;
      }
    } catch (...) {
      try {
        if (db.dialect == Dialect::sqlite) *db.sql << "ROLLBACK"; else db.sql->rollback();
      } catch (...) {
        // The connection may be gone; the original error is the one to report.
      }
      throw;
    }
  });
}

template <typename Fn>
auto with_lock_wait(Database& db, const std::string& what, std::chrono::milliseconds max_wait, bool write, Fn&& fn)
    -> decltype(fn()) {
  const long long wait_ms = std::max<long long>(0, max_wait.count());
  if (db.dialect == Dialect::postgresql)
    return in_transaction(db, what, [&]() -> decltype(fn()) {
      *db.sql << "SET LOCAL lock_timeout = " + std::to_string(std::max<long long>(1, wait_ms));  // 0 would mean no limit
      return fn();
    });
  auto run = [&]() -> decltype(fn()) { return write ? in_transaction(db, what, fn) : guarded(what, fn); };
  int busy_ms = 0;
  guarded(what, [&] { *db.sql << "PRAGMA busy_timeout", soci::into(busy_ms); });
  if (busy_ms <= wait_ms) return run();  // the connection waits no longer anyway
  auto set_busy = [&](long long ms) { *db.sql << "PRAGMA busy_timeout = " + std::to_string(ms); };
  guarded(what, [&] { set_busy(wait_ms); });
  try {
    if constexpr (std::is_void_v<decltype(fn())>) {
      run();
      guarded(what, [&] { set_busy(busy_ms); });
    } else {
      auto result = run();
      guarded(what, [&] { set_busy(busy_ms); });
      return result;
    }
  } catch (...) {
    try {
      set_busy(busy_ms);
    } catch (...) {
      // The connection is gone: the first error is the one to report.
    }
    throw;
  }
}

}  // namespace outbound::detail
