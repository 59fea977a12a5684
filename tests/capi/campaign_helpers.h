/* Helpers of the C API campaign tests: a manual-clock engine, a SQLite list,
 * and the stop / let calls finish / unload ending. */
#ifndef OB_TEST_CAMPAIGN_HELPERS_H
#define OB_TEST_CAMPAIGN_HELPERS_H

#include "check.h"

static inline ob_engine* manual_engine(void) {
  ob_engine_options o = OB_ENGINE_OPTIONS_INIT;
  ob_engine* e = NULL;
  o.clock = OB_CLOCK_MANUAL;
  o.start_ms = TEST_START_MS;
  CHECK_OK(ob_engine_new(&e, &o));
  return e;
}

static inline ob_list* new_list(const char* dir, const char* file, size_t records) {
  char conn[256];
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_list* list = NULL;
  lo.create_if_missing = 1;
  CHECK_OK(ob_list_open(&list, sqlite_conn(conn, sizeof conn, dir, file), &lo));
  if (records) CHECK_OK(insert_records(list, 1, records));
  return list;
}

static inline int no_calls(void* user_data) {
  size_t n = 1;
  ob_campaign_calls_in_flight(&n, (ob_campaign*)user_data);
  return n == 0;
}

/* Stops, lets calls finish, unloads. */
static inline void finish(ob_engine* e, ob_campaign* c) {
  int64_t now = 0;
  CHECK_OK(ob_campaign_stop(c));
  CHECK_OK(ob_engine_now(&now, e));
  CHECK_OK(ob_engine_run_until(e, now + 3600000, no_calls, c));
  CHECK_OK(ob_campaign_unload(c));
}

#endif
