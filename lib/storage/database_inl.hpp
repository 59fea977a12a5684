// Private: template bodies of database.hpp.
#pragma once

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

}  // namespace outbound::detail
