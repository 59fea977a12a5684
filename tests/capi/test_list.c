/* C API calling lists (SQLite files), records, CSV import and export, and
 * DNC lists in memory and backed by a table. */
#include "check.h"

static void test_list_basics(const char* dir) {
  char conn[256], phone[24];
  const char* custom[] = {"customer_id VARCHAR(32)", "segment VARCHAR(16)"};
  const char* names[] = {"customer_id", "segment"};
  const char* values[] = {"C-42", "gold"};
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_list* list = NULL;
  ob_record r, *got = NULL, *page = NULL;
  size_t n = 0, i;
  int64_t counts[OB_RECORD_STATUS_COUNT];
  const char* field = NULL;

  sqlite_conn(conn, sizeof conn, dir, "list.db");
  CHECK_OK(ob_list_create_table(conn, "calling_list", custom, 2));
  CHECK_RC(ob_list_create_table(conn, "bad name;", NULL, 0), OB_EINVALID);
  CHECK_RC(ob_list_create_table(conn, "t2", NULL, 1), OB_EINVALID);
  CHECK_OK(ob_list_open(&list, conn, &lo));
  CHECK_OK(ob_list_custom_field_count(&n, list));
  CHECK(n == 2);
  CHECK_OK(ob_list_custom_field(&field, list, 0));
  CHECK_STR(field, "customer_id");
  CHECK_RC(ob_list_custom_field(&field, list, 2), OB_EINVALID);

  /* Insert one record with custom fields, then 99 plain ones. */
  r = make_record(1, phone, sizeof phone);
  r.custom_count = 2;
  r.custom_names = names;
  r.custom_values = values;
  r.dial_sched_time = 1773061200;
  r.agent_id = "a7";
  CHECK_OK(ob_list_insert(list, &r, 1));
  CHECK_OK(insert_records(list, 2, 99));
  CHECK(ob_list_insert(list, &r, 1) < 0); /* record_id 1 again */

  CHECK_OK(ob_list_get(&got, list, 1));
  CHECK(got != NULL);
  if (got) {
    CHECK(got->record_id == 1);
    CHECK_STR(got->contact_info, phone);
    CHECK(got->record_status == OB_RECORD_STATUS_READY && got->record_type == OB_RECORD_TYPE_GENERAL);
    CHECK(got->call_result == OB_CALL_RESULT_UNKNOWN && got->call_time == OB_NO_TIME);
    CHECK(got->dial_sched_time == 1773061200);
    CHECK_STR(got->agent_id, "a7");
    CHECK(got->custom_count == 2);
    for (i = 0; i < got->custom_count; ++i) {
      if (strcmp(got->custom_names[i], "customer_id") == 0) CHECK_STR(got->custom_values[i], "C-42");
      if (strcmp(got->custom_names[i], "segment") == 0) CHECK_STR(got->custom_values[i], "gold");
    }
  }
  ob_record_free(got);
  got = NULL;
  CHECK_RC(ob_list_get(&got, list, 100000), OB_ENOTFOUND);
  CHECK(got == NULL);

  /* Pages by record_id. */
  CHECK_OK(ob_list_page(&page, &n, list, 0, 40));
  CHECK(n == 40 && page != NULL);
  if (page) CHECK(page[0].record_id == 1 && page[39].record_id == 40);
  ob_records_free(page, n);
  CHECK_OK(ob_list_page(&page, &n, list, 90, 40));
  CHECK(n == 10);
  ob_records_free(page, n);
  CHECK_OK(ob_list_page(&page, &n, list, 100, 40));
  CHECK(n == 0 && page == NULL);

  CHECK_OK(ob_list_count_by_status(counts, OB_RECORD_STATUS_COUNT, list));
  CHECK(counts[OB_RECORD_STATUS_READY] == 100 && counts[OB_RECORD_STATUS_UPDATED] == 0);
  CHECK_OK(ob_list_count_by_status(counts, 1, list)); /* a short array is fine */

  /* Records are checked before anything is written. */
  r = make_record(500, phone, sizeof phone);
  r.record_status = 42;
  CHECK_RC(ob_list_insert(list, &r, 1), OB_EINVALID);
  r.record_status = OB_RECORD_STATUS_READY;
  r.version = 0;
  CHECK_RC(ob_list_insert(list, &r, 1), OB_EINVALID);
  r.version = OB_RECORD_VERSION;
  r.custom_count = 1;
  CHECK_RC(ob_list_insert(list, &r, 1), OB_EINVALID);
  CHECK_RC(ob_list_insert(list, NULL, 1), OB_EINVALID);
  CHECK_OK(ob_list_insert(list, NULL, 0));
  ob_list_free(list);

  /* Opening: a missing table, unsafe filters, bad options. */
  lo.table = "no_such_table";
  CHECK(ob_list_open(&list, conn, &lo) < 0);
  lo.table = "calling_list";
  lo.filter = "1=1; DROP TABLE calling_list";
  CHECK_RC(ob_list_open(&list, conn, &lo), OB_EINVALID);
  lo.filter = NULL;
  lo.lease_s = 0;
  CHECK_RC(ob_list_open(&list, conn, &lo), OB_EINVALID);
  lo.lease_s = 600;
  lo.table = "created_here";
  lo.create_if_missing = 1;
  CHECK_OK(ob_list_open(&list, conn, &lo));
  ob_list_free(list);
  CHECK_OK(ob_list_open(&list, conn, NULL)); /* defaults: table calling_list */
  ob_list_free(list);
  CHECK_RC(ob_list_open(NULL, conn, NULL), OB_EINVALID);
  CHECK_RC(ob_list_open(&list, NULL, NULL), OB_EINVALID);
}

static void test_csv(const char* dir) {
  char conn[256], path[256];
  const char* text =
      "record_id,contact_info,tz_dbid\r\n"
      "1,+12125550101,1\r\n"
      "2,+12125550102,\r\n"
      "\r\n"
      "x,+12125550103,1\r\n"
      "4,+12125550104,2\r\n";
  const char* columns[] = {"record_id", "contact_info"};
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_csv_options co = OB_CSV_OPTIONS_INIT;
  ob_list* list = NULL;
  ob_import_report* report = NULL;
  char* exported = NULL;
  size_t written = 0;
  FILE* f;

  sqlite_conn(conn, sizeof conn, dir, "csv.db");
  lo.create_if_missing = 1;
  CHECK_OK(ob_list_open(&list, conn, &lo));
  co.default_tz_dbid = 3;
  CHECK_OK(ob_list_import_csv_text(&report, list, text, strlen(text), &co));
  CHECK(report != NULL);
  if (report) {
    CHECK(report->version == OB_IMPORT_REPORT_VERSION);
    CHECK(report->data_rows == 4 && report->imported == 3 && report->blank_lines == 1);
    CHECK(report->error_count == 1 && report->errors != NULL);
    if (report->error_count == 1) {
      CHECK(report->errors[0].line == 5);
      CHECK(report->errors[0].reason != NULL && *report->errors[0].reason);
    }
  }
  ob_import_report_free(report);
  {
    ob_record* r = NULL;
    CHECK_OK(ob_list_get(&r, list, 2));
    if (r) CHECK(r->tz_dbid == 3);
    ob_record_free(r);
  }
  /* A header naming an unknown column fails the whole file. */
  report = NULL;
  CHECK_RC(ob_list_import_csv_text(&report, list, "record_id,nope\n9,1\n", 19, NULL), OB_EINVALID);
  CHECK(report == NULL);
  CHECK_RC(ob_list_import_csv_text(&report, list, NULL, 5, NULL), OB_EINVALID);
  co.delimiter = '"';
  CHECK_RC(ob_list_import_csv_text(&report, list, text, strlen(text), &co), OB_EINVALID);
  co.delimiter = ',';

  /* Export as text, with chosen columns and LF line ends. */
  co.crlf = 0;
  co.column_count = 2;
  co.columns = columns;
  CHECK_OK(ob_list_export_csv_text(&exported, list, &co));
  CHECK_STR(exported, "record_id,contact_info\n1,+12125550101\n2,+12125550102\n4,+12125550104\n");
  ob_free(exported);

  /* Export to a file and import it into another table. */
  snprintf(path, sizeof path, "%s/out.csv", dir);
  CHECK_OK(ob_list_export_csv(&written, list, path, NULL));
  CHECK(written == 3);
  ob_list_free(list);
  lo.table = "copy";
  CHECK_OK(ob_list_open(&list, conn, &lo));
  CHECK_OK(ob_list_import_csv(&report, list, path, NULL));
  if (report) CHECK(report->imported == 3 && report->error_count == 0);
  ob_import_report_free(report);
  snprintf(path, sizeof path, "%s/missing.csv", dir);
  CHECK_RC(ob_list_import_csv(&report, list, path, NULL), OB_ENOTFOUND);
  f = fopen(path, "w");
  if (f) fclose(f);
  ob_list_free(list);
}

static void test_dnc(const char* dir) {
  char conn[256];
  ob_dnc_options o = OB_DNC_OPTIONS_INIT;
  ob_dnc *dnc = NULL, *again = NULL;
  int yes = -1, match = -1;
  size_t n = 0;

  CHECK_OK(ob_dnc_new(&dnc, NULL));
  CHECK_OK(ob_dnc_add_phone(dnc, "(212) 555-0100", "asked"));
  CHECK_OK(ob_dnc_add_customer(dnc, "C-1", NULL));
  CHECK_RC(ob_dnc_add_phone(dnc, "hello", NULL), OB_EINVALID);
  CHECK_RC(ob_dnc_add_customer(dnc, "", NULL), OB_EINVALID);
  CHECK_OK(ob_dnc_contains_phone(&yes, dnc, "+1 212 555 0100"));
  CHECK(yes == 1);
  CHECK_OK(ob_dnc_contains_phone(&yes, dnc, "+1 212 555 0199"));
  CHECK(yes == 0);
  CHECK_RC(ob_dnc_contains_phone(&yes, dnc, "hello"), OB_EINVALID);
  CHECK_OK(ob_dnc_contains_customer(&yes, dnc, "C-1"));
  CHECK(yes == 1);
  CHECK_OK(ob_dnc_check(&match, dnc, "2125550100", "C-9"));
  CHECK(match == OB_DNC_MATCH_PHONE);
  CHECK_OK(ob_dnc_check(&match, dnc, "2125550111", "C-1"));
  CHECK(match == OB_DNC_MATCH_CUSTOMER_ID);
  CHECK_OK(ob_dnc_check(&match, dnc, NULL, NULL));
  CHECK(match == OB_DNC_MATCH_NONE);
  CHECK_OK(ob_dnc_check(&match, dnc, "garbage", ""));
  CHECK(match == OB_DNC_MATCH_NONE);
  CHECK_OK(ob_dnc_phone_count(&n, dnc));
  CHECK(n == 1);
  CHECK_OK(ob_dnc_customer_count(&n, dnc));
  CHECK(n == 1);
  CHECK_RC(ob_dnc_reload(&n, dnc), OB_ESTATE);
  ob_dnc_free(dnc);

  /* Backed by a table: additions persist and another handle sees them. */
  sqlite_conn(conn, sizeof conn, dir, "dnc.db");
  o.connection = conn;
  CHECK_OK(ob_dnc_new(&dnc, &o));
  CHECK_OK(ob_dnc_add_phone(dnc, "+44 20 7946 0018", NULL));
  CHECK_OK(ob_dnc_new(&again, &o));
  CHECK_OK(ob_dnc_contains_phone(&yes, again, "+442079460018"));
  CHECK(yes == 1);
  CHECK_OK(ob_dnc_add_customer(again, "C-2", "by phone"));
  CHECK_OK(ob_dnc_reload(&n, dnc));
  CHECK(n == 2);
  CHECK_OK(ob_dnc_contains_customer(&yes, dnc, "C-2"));
  CHECK(yes == 1);
  ob_dnc_free(again);
  ob_dnc_free(dnc);
  o.version = 3;
  CHECK_RC(ob_dnc_new(&dnc, &o), OB_EINVALID);
}

int main(void) {
  const char* dir = temp_dir();
  char keep[64];
  strcpy(keep, dir);
  test_list_basics(keep);
  test_csv(keep);
  test_dnc(keep);
  remove_dir(keep);
  return check_report("capi_list");
}
