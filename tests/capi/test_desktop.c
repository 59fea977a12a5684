/* C API desktop requests on a preview campaign (SQLite list, manual clock):
 * preview, chained records, processed, reject, cancel, reschedule, DNC, add
 * record, ready time, logout and the records an agent holds; desktop events
 * carry the record. */
#include "check.h"
#include "script_driver.h"

typedef struct {
  int previews, empties;
  int64_t last_handle;
  int64_t last_record_id;
} desk_events;

static void on_event(void* user_data, const ob_campaign_event* e) {
  desk_events* d = (desk_events*)user_data;
  if (e->kind == OB_EVENT_PREVIEW_RECORD) {
    ++d->previews;
    d->last_handle = e->handle;
    CHECK(e->record != NULL);
    if (e->record) d->last_record_id = e->record->record_id;
    CHECK_STR(e->agent_id, "a1");
  }
  if (e->kind == OB_EVENT_PREVIEW_RECORD_EMPTY) ++d->empties;
}

typedef struct {
  ob_engine* engine;
  script_driver sd;
  ob_driver* driver;
  ob_list* list;
  ob_dnc* dnc;
  ob_campaign* campaign;
  desk_events events;
} desk;

static void desk_open(desk* d, const char* dir, const char* file, int mode) {
  char conn[256];
  const char* custom[] = {"customer_id VARCHAR(32)"};
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_driver_class cls = script_class();
  char phones[6][24];
  ob_record records[6];
  int i;

  memset(d, 0, sizeof *d);
  eo.clock = OB_CLOCK_MANUAL;
  eo.start_ms = TEST_START_MS;
  CHECK_OK(ob_engine_new(&d->engine, &eo));
  script_init(&d->sd, d->engine, 2);
  CHECK_OK(ob_driver_new(&d->driver, &cls, &d->sd));
  sqlite_conn(conn, sizeof conn, dir, file);
  CHECK_OK(ob_list_create_table(conn, "calling_list", custom, 1));
  CHECK_OK(ob_list_open(&d->list, conn, &lo));
  /* Records 1..3 are one chain (chain 1, n = 1..3); 4..6 are their own chains. */
  for (i = 0; i < 6; ++i) {
    records[i] = make_record(i + 1, phones[i], sizeof phones[i]);
    if (i < 3) {
      records[i].chain_id = 1;
      records[i].chain_n = i + 1;
    }
  }
  CHECK_OK(ob_list_insert(d->list, records, 6));
  CHECK_OK(ob_dnc_new(&d->dnc, NULL));
  co.name = "desk";
  co.mode = mode;
  co.customer_id_field = "customer_id";
  CHECK_OK(ob_campaign_new(&d->campaign, d->engine, &co, d->driver, d->dnc));
  CHECK_OK(ob_campaign_set_event_callback(d->campaign, on_event, &d->events));
  CHECK_OK(ob_campaign_add_list(d->campaign, d->list, 1.0));
  CHECK_OK(ob_campaign_load(d->campaign));
  CHECK_OK(ob_campaign_start(d->campaign));
  CHECK_OK(ob_campaign_set_agent_state(d->campaign, "a1", OB_AGENT_READY));
}

static void desk_close(desk* d) {
  ob_campaign_free(d->campaign);
  ob_driver_free(d->driver);
  ob_dnc_free(d->dnc);
  ob_list_free(d->list);
  ob_engine_free(d->engine);
  CHECK(d->sd.destroyed == 1);
}

static ob_record* row(desk* d, int64_t id) {
  ob_record* r = NULL;
  CHECK_OK(ob_campaign_flush(d->campaign));
  CHECK_OK(ob_list_get(&r, d->list, id));
  return r;
}

static void test_preview_flow(const char* dir) {
  desk d;
  ob_desktop_record *rec = NULL, *next = NULL, *held = NULL;
  ob_record* r;
  size_t n = 0;
  int64_t now = 0;

  desk_open(&d, dir, "preview.db", OB_DIAL_MODE_PREVIEW);
  CHECK_OK(ob_desktop_preview_record(&rec, d.campaign, "a1"));
  CHECK(rec != NULL);
  if (!rec) return;
  CHECK(rec->version == OB_DESKTOP_RECORD_VERSION && rec->handle != 0);
  CHECK_STR(rec->agent_id, "a1");
  CHECK_STR(rec->campaign, "desk");
  CHECK_STR(rec->list, "calling_list");
  CHECK(rec->record.record_id == 1);
  CHECK(d.events.previews == 1 && d.events.last_handle == rec->handle && d.events.last_record_id == 1);
  CHECK(d.sd.dials == 0); /* preview: the engine does not dial */

  /* The desktop holds it; the next of its chain comes on request. */
  CHECK_OK(ob_desktop_records(&held, &n, d.campaign, "a1"));
  CHECK(n == 1 && held != NULL && held[0].handle == rec->handle);
  ob_desktop_records_free(held, n);
  CHECK_OK(ob_desktop_update_call_result(d.campaign, "a1", rec->handle, OB_CALL_RESULT_ANSWER));
  CHECK_OK(ob_desktop_chained_record(&next, d.campaign, "a1", rec->handle));
  CHECK(next != NULL);
  if (next) {
    CHECK(next->record.record_id == 2 && next->record.chain_id == 1);
    CHECK_OK(ob_desktop_record_reject(d.campaign, "a1", next->handle));
    ob_desktop_record_free(next);
  }
  CHECK_OK(ob_desktop_record_processed(d.campaign, "a1", rec->handle, OB_CALL_RESULT_ANSWER));
  r = row(&d, 1);
  if (r) CHECK(r->record_status == OB_RECORD_STATUS_UPDATED && r->call_result == OB_CALL_RESULT_ANSWER);
  ob_record_free(r);
  CHECK_RC(ob_desktop_record_processed(d.campaign, "a1", rec->handle, -1), OB_ENOTFOUND);
  CHECK_RC(ob_desktop_record_processed(d.campaign, "a1", rec->handle, 77), OB_EINVALID);
  ob_desktop_record_free(rec);

  /* Cancel one, put one on the DNC list, reschedule one. */
  rec = NULL;
  CHECK_OK(ob_desktop_preview_record(&rec, d.campaign, "a1"));
  if (rec) {
    CHECK_OK(ob_desktop_record_cancel(d.campaign, "a1", rec->handle));
    r = row(&d, rec->record.record_id);
    if (r) CHECK(r->record_status == OB_RECORD_STATUS_CANCELLED);
    ob_record_free(r);
    ob_desktop_record_free(rec);
  }
  rec = NULL;
  CHECK_OK(ob_desktop_preview_record(&rec, d.campaign, "a1"));
  if (rec) {
    int yes = 0;
    char phone[32];
    snprintf(phone, sizeof phone, "%s", rec->record.contact_info);
    CHECK_OK(ob_desktop_do_not_call(d.campaign, "a1", rec->handle, OB_DNC_SCOPE_RECORD, "asked"));
    CHECK_OK(ob_dnc_contains_phone(&yes, d.dnc, phone));
    CHECK(yes == 1);
    CHECK_RC(ob_desktop_do_not_call(d.campaign, "a1", rec->handle, 9, NULL), OB_EINVALID);
    ob_desktop_record_free(rec);
  }
  rec = NULL;
  CHECK_OK(ob_desktop_preview_record(&rec, d.campaign, "a1"));
  CHECK_OK(ob_engine_now(&now, d.engine));
  if (rec) {
    int64_t at = now / 1000 + 3600;
    int64_t id = rec->record.record_id;
    CHECK_RC(ob_desktop_record_reschedule(d.campaign, "a1", rec->handle, now / 1000 - 60, OB_CALLBACK_PERSONAL),
             OB_EINVALID);
    CHECK_RC(ob_desktop_record_reschedule(d.campaign, "a1", rec->handle, at, 5), OB_EINVALID);
    CHECK_RC(ob_desktop_record_reschedule_ms(d.campaign, "a1", rec->handle, now - 60000, OB_CALLBACK_PERSONAL),
             OB_EINVALID);
    CHECK_OK(ob_desktop_record_reschedule_ms(d.campaign, "a1", rec->handle, at * 1000, OB_CALLBACK_PERSONAL));
    r = row(&d, id);
    if (r) {
      CHECK(r->record_type == OB_RECORD_TYPE_PERSONAL_CALLBACK && r->dial_sched_time == at);
      CHECK_STR(r->agent_id, "a1");
    }
    ob_record_free(r);
    /* A scheduled record moves, and becomes a campaign callback; into the past it does not. */
    CHECK_OK(ob_desktop_scheduled_record_reschedule(d.campaign, "a1", id, at + 600, OB_CALLBACK_CAMPAIGN));
    CHECK_RC(ob_desktop_scheduled_record_reschedule(d.campaign, "a1", id, now / 1000 - 60, OB_CALLBACK_CAMPAIGN),
             OB_EINVALID);
    r = row(&d, id);
    if (r) CHECK(r->record_type == OB_RECORD_TYPE_CAMPAIGN_CALLBACK && r->dial_sched_time == at + 600);
    ob_record_free(r);
    CHECK_RC(ob_desktop_scheduled_record_reschedule(d.campaign, "a1", id, at + 600, 9), OB_EINVALID);
    /* The 0.3 functions take UTC epoch ms, as every instant of the API; the list keeps whole seconds. */
    CHECK_OK(ob_desktop_scheduled_record_reschedule_ms(d.campaign, "a1", id, (at + 1200) * 1000 + 999,
                                                       OB_CALLBACK_CAMPAIGN));
    r = row(&d, id);
    if (r) CHECK(r->dial_sched_time == at + 1200);
    ob_record_free(r);
    CHECK_RC(ob_desktop_scheduled_record_reschedule_ms(d.campaign, "a1", id, now - 60000, OB_CALLBACK_CAMPAIGN),
             OB_EINVALID);
    ob_desktop_record_free(rec);
  }

  /* A bare number on the DNC list; an added record; hints; logout. */
  {
    int yes = 0;
    char phone[24];
    ob_record add;
    int64_t added = 0;
    CHECK_OK(ob_desktop_do_not_call_number(d.campaign, "+12125559999", NULL));
    CHECK_OK(ob_dnc_contains_phone(&yes, d.dnc, "+12125559999"));
    CHECK(yes == 1);
    add = make_record(77, phone, sizeof phone);
    CHECK_OK(ob_desktop_add_record(&added, d.campaign, "a1", &add));
    CHECK(added == 77);
    CHECK_RC(ob_desktop_add_record(&added, d.campaign, "a1", &add), OB_EINVALID);
    CHECK_OK(ob_desktop_ready_time(d.campaign, "a1", 30000));
    CHECK_RC(ob_desktop_ready_time(d.campaign, "a1", -1), OB_EINVALID);
  }
  rec = NULL;
  CHECK_OK(ob_desktop_preview_record(&rec, d.campaign, "a1"));
  CHECK(rec != NULL);
  ob_desktop_record_free(rec);
  CHECK_OK(ob_desktop_logout(d.campaign, "a1"));
  CHECK_OK(ob_desktop_records(&held, &n, d.campaign, "a1"));
  CHECK(n == 0 && held == NULL);

  /* Empty: *out is NULL and an event says so. */
  {
    int i, empty = 0;
    for (i = 0; i < 10 && !empty; ++i) {
      rec = NULL;
      CHECK_OK(ob_desktop_preview_record(&rec, d.campaign, "a2"));
      if (!rec) empty = 1;
      ob_desktop_record_free(rec);
    }
    CHECK(empty == 1 && d.events.empties >= 1);
  }
  CHECK_RC(ob_desktop_preview_record(&rec, d.campaign, NULL), OB_EINVALID);
  CHECK_RC(ob_desktop_preview_record(NULL, d.campaign, "a1"), OB_EINVALID);
  desk_close(&d);
}

static void test_not_preview(const char* dir) {
  desk d;
  ob_desktop_record* rec = NULL;
  desk_open(&d, dir, "progressive.db", OB_DIAL_MODE_PROGRESSIVE);
  CHECK_RC(ob_desktop_preview_record(&rec, d.campaign, "a1"), OB_ESTATE);
  CHECK_RC(ob_desktop_record_processed(d.campaign, "a1", 12345, OB_CALL_RESULT_ANSWER), OB_ENOTFOUND);
  desk_close(&d);
}

int main(void) {
  char dir[64];
  strcpy(dir, temp_dir());
  test_preview_flow(dir);
  test_not_preview(dir);
  remove_dir(dir);
  return check_report("capi_desktop");
}
