/* The DNC C API: unreadable rows reported by row and text (and still blocking), entries with a
 * scope and an expiry, removal, two handles on one table learning each other's changes, and the
 * 64-character cap on phone text. */
#include "check.h"

#include <sqlite3.h>
#include <time.h>

static void exec_sql(const char* dir, const char* sql) {
  char path[256];
  sqlite3* db = NULL;
  snprintf(path, sizeof path, "%s/dnc.db", dir);
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close(db);
}

static ob_dnc* open_dnc(const char* conn, int64_t sync_ms) {
  ob_dnc_options o = OB_DNC_OPTIONS_INIT;
  ob_dnc* dnc = NULL;
  o.connection = conn;
  o.sync_interval_ms = sync_ms;
  CHECK_OK(ob_dnc_new(&dnc, &o));
  return dnc;
}

static void test_load_errors(const char* dir, const char* conn) {
  ob_dnc* dnc = open_dnc(conn, 500);
  size_t n = 99;
  char *row = NULL, *phone = NULL, *reason = NULL;
  int match = -1;
  ob_dnc_free(dnc);
  exec_sql(dir, "INSERT INTO gsw_donotcall_list (phone) VALUES ('+12125550100'), ('00442079460000'), ('call me')");
  dnc = open_dnc(conn, 500);
  CHECK_OK(ob_dnc_load_error_count(&n, dnc));
  CHECK(n == 2);
  CHECK_OK(ob_dnc_load_error(&row, &phone, &reason, dnc, 0));
  CHECK_STR(row, "2");
  CHECK_STR(phone, "00442079460000");
  CHECK(reason && strstr(reason, "blocked by its digits 442079460000") != NULL);
  ob_free(row);
  ob_free(phone);
  ob_free(reason);
  CHECK_OK(ob_dnc_load_error(NULL, &phone, NULL, dnc, 1));
  CHECK_STR(phone, "call me");
  ob_free(phone);
  CHECK_RC(ob_dnc_load_error(&row, NULL, NULL, dnc, 2), OB_ENOTFOUND);
  CHECK_OK(ob_dnc_check(&match, dnc, "+44 20 7946 0000", NULL));
  CHECK(match == OB_DNC_MATCH_PHONE);
  ob_dnc_free(dnc);
}

static void test_entries(const char* conn) {
  ob_dnc* a = open_dnc(conn, 0);
  ob_dnc* b = open_dnc(conn, 0);
  ob_dnc_entry e = OB_DNC_ENTRY_INIT;
  int match = -1;
  size_t removed = 0;
  char longest[20001];
  e.phone = "(646) 555-0100";
  e.campaign_dbid = 7;
  CHECK_OK(ob_dnc_add_entry(a, &e));
  e.phone = "(646) 555-0101";
  e.campaign_dbid = 0;
  e.expires_at_ms = ((int64_t)time(NULL) - 1) * 1000; /* already past: gone at the next sync */
  CHECK_OK(ob_dnc_add_entry(a, &e));
  e.phone = NULL;
  e.expires_at_ms = 0;
  CHECK_RC(ob_dnc_add_entry(a, &e), OB_EINVALID); /* neither phone nor customer */
  CHECK_OK(ob_dnc_add_customer(a, "C-1", "asked"));
  CHECK_OK(ob_dnc_sync(NULL, b));
  CHECK_OK(ob_dnc_check_scoped(&match, b, "6465550100", NULL, 7, 0));
  CHECK(match == OB_DNC_MATCH_PHONE);
  CHECK_OK(ob_dnc_check_scoped(&match, b, "6465550100", NULL, 8, 0));
  CHECK(match == OB_DNC_MATCH_NONE);
  CHECK_OK(ob_dnc_check(&match, b, "6465550101", NULL));
  CHECK(match == OB_DNC_MATCH_NONE); /* expired */
  CHECK_OK(ob_dnc_check(&match, b, NULL, "C-1"));
  CHECK(match == OB_DNC_MATCH_CUSTOMER);
  CHECK_OK(ob_dnc_remove_phone(&removed, a, "+1 646 555 0100"));
  CHECK(removed == 1);
  CHECK_OK(ob_dnc_remove_customer(&removed, a, "C-1"));
  CHECK(removed == 1);
  CHECK_OK(ob_dnc_sync(NULL, b));
  CHECK_OK(ob_dnc_check_scoped(&match, b, "6465550100", "C-1", 7, 0));
  CHECK(match == OB_DNC_MATCH_NONE);
  memset(longest, '5', sizeof longest - 1);
  longest[sizeof longest - 1] = '\0';
  CHECK_RC(ob_dnc_add_phone(a, longest, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "longer than the 64 characters") != NULL);
  CHECK(strlen(ob_last_error()) < 200);
  CHECK_RC(ob_dnc_add_phone(a, "911", NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "emergency") != NULL);
  CHECK_RC(ob_dnc_remove_phone(NULL, a, NULL), OB_EINVALID);
  ob_dnc_free(a);
  ob_dnc_free(b);
}

static void test_old_options(void) {
  /* A version-1 ob_dnc_options (the struct as it was) is read only as far as it reaches. */
  ob_dnc_options* v1 = malloc(offsetof(ob_dnc_options, tenant_dbid));
  ob_dnc* dnc = NULL;
  CHECK_OK(ob_dnc_options_init(v1, 1));
  CHECK_OK(ob_dnc_new(&dnc, v1));
  CHECK_OK(ob_dnc_add_phone(dnc, "2125550100", NULL));
  ob_dnc_free(dnc);
  free(v1);
}

int main(void) {
  const char* dir = temp_dir();
  char conn[256];
  sqlite_conn(conn, sizeof conn, dir, "dnc.db");
  test_load_errors(dir, conn);
  test_entries(conn);
  test_old_options();
  remove_dir(dir);
  return check_report("capi_dnc");
}
