/* Issue 19 through the C API: a driver whose dial() unloads (and reloads) its
 * own campaign, duration options past their bound, timers "never", chunk
 * sizes and page limits at SIZE_MAX, records the list must refuse, and a
 * campaign window that is no window. Run under ASan too: the control calls
 * from dial() used to free the call being placed. */
#include "campaign_helpers.h"
#include "check.h"
#include "script_driver.h"

#include <stdint.h>

#define RECORDS 40

/* The script driver, plus a campaign control sequence run from inside dial()
 * and a check that no record is dialed while its earlier call is live. */
typedef struct {
  script_driver base;
  ob_campaign* campaign;
  int control_at_dial; /* run the sequence inside this dial (1-based; 0: never) */
  int reload;          /* the sequence is force_unload, then load and start again */
  int control_rc[3];   /* what the control calls returned */
  int live[RECORDS + 1];
  uint64_t call_record[4096]; /* record_id by call_id */
  int dials_of[RECORDS + 1];
  int double_dials;
} control_driver;

static int control_dial(void* user_data, const ob_dial_request* rq) {
  control_driver* d = (control_driver*)user_data;
  int rc;
  if (rq->record_id < 1 || rq->record_id > RECORDS || rq->call_id >= 4096) return OB_EINVALID;
  if (d->live[rq->record_id]) ++d->double_dials;
  d->live[rq->record_id] = 1;
  ++d->dials_of[rq->record_id];
  d->call_record[rq->call_id] = (uint64_t)rq->record_id;
  rc = script_dial(&d->base, rq);
  if (d->base.dials == d->control_at_dial) {
    d->control_rc[0] = ob_campaign_force_unload(d->campaign);
    if (d->reload) {
      d->control_rc[1] = ob_campaign_load(d->campaign);
      d->control_rc[2] = ob_campaign_start(d->campaign);
    }
  }
  return rc;
}

static int control_cancel(void* user_data, uint64_t call_id) {
  control_driver* d = (control_driver*)user_data;
  if (call_id < 4096) d->live[d->call_record[call_id]] = 0;
  return script_cancel(&d->base, call_id);
}

static int control_stop(void* user_data) {
  control_driver* d = (control_driver*)user_data;
  memset(d->live, 0, sizeof d->live);
  return script_stop(&d->base);
}

static int control_start(void* user_data, ob_event_sink* sink) { return script_start(&((control_driver*)user_data)->base, sink); }
static int control_release_abandoned(void* user_data, uint64_t call_id) {
  return script_release_abandoned(&((control_driver*)user_data)->base, call_id);
}

static void control_on_event(void* user_data, const ob_campaign_event* e) {
  control_driver* d = (control_driver*)user_data;
  if (e->kind == OB_EVENT_CALL_FINISHED && e->record_id >= 1 && e->record_id <= RECORDS) d->live[e->record_id] = 0;
}

/* Control calls from inside dial() wait until it returns; the rest of the
 * batch is not dialed; attempts match dials; nothing is left retrieved. */
static void test_control_from_dial(const char* dir, int reload) {
  ob_engine* e = manual_engine();
  control_driver d;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, reload ? "reload.db" : "unload.db", RECORDS);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_record* records = NULL;
  size_t n = 0, i;
  int64_t counts[OB_RECORD_STATUS_COUNT];
  int state = -1, total_dials = 0;
  long attempts = 0;

  memset(&d, 0, sizeof d);
  script_init(&d.base, e, 4);
  d.control_at_dial = 3;
  d.reload = reload;
  cls.dial = control_dial;
  cls.cancel = control_cancel;
  cls.stop = control_stop;
  cls.start = control_start;
  cls.release_abandoned = control_release_abandoned;
  CHECK_OK(ob_driver_new(&drv, &cls, &d));
  co.name = reload ? "reload-from-dial" : "unload-from-dial";
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  ob_driver_free(drv);
  d.campaign = camp;
  CHECK_OK(ob_campaign_set_event_callback(camp, control_on_event, &d));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_campaign_load(camp));
  for (i = 0; i < 4; ++i) CHECK_OK(ob_campaign_set_agent_state(camp, d.base.agent_names[i], OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  CHECK(d.control_rc[0] == OB_OK);  /* deferred, not refused */
  if (reload) {
    CHECK(d.control_rc[1] == OB_OK && d.control_rc[2] == OB_OK);
    CHECK_OK(ob_campaign_state_get(&state, camp));
    CHECK(state == OB_CAMPAIGN_RUNNING || state == OB_CAMPAIGN_ACTIVE);  /* reloaded and dialing again */
    for (i = 0; i < 4; ++i) CHECK_OK(ob_campaign_set_agent_state(camp, d.base.agent_names[i], OB_AGENT_READY));
    CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
    finish(e, camp);
  } else {
    CHECK_OK(ob_campaign_state_get(&state, camp));
    CHECK(state == OB_CAMPAIGN_NOT_LOADED);
    CHECK(d.base.dials == 3);  /* the batch stopped at the unload: nothing dialed after it */
  }
  CHECK(d.double_dials == 0);
  CHECK_OK(ob_list_page(&records, &n, list, INT64_MIN, 1000));
  CHECK(n == RECORDS);
  for (i = 0; i < n; ++i) {
    attempts += records[i].attempt;
    CHECK(records[i].attempt == d.dials_of[records[i].record_id]);
    if (records[i].attempt != d.dials_of[records[i].record_id])
      fprintf(stderr, "record %lld: attempt %d, dialed %d times\n", (long long)records[i].record_id, records[i].attempt,
              d.dials_of[records[i].record_id]);
  }
  for (i = 1; i <= RECORDS; ++i) total_dials += d.dials_of[i];
  CHECK(attempts == total_dials);
  CHECK_OK(ob_list_count_by_status(counts, OB_RECORD_STATUS_COUNT, list));
  CHECK(counts[OB_RECORD_STATUS_RETRIEVED] == 0);
  if (reload) CHECK(counts[OB_RECORD_STATUS_UPDATED] == RECORDS);  /* every record finished after the reload */
  ob_records_free(records, n);
  ob_campaign_free(camp);
  ob_list_free(list);
  ob_engine_free(e);
}

static void count_call(void* user_data) { ++*(int*)user_data; }

/* Huge durations: refused with the field's name, or (a timer) "never". */
static void test_durations(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  int fired = 0;
  uint64_t timer = 0;
  (void)dir;

  script_init(&sd, e, 1);
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  co.tick_ms = INT64_MAX; /* used to overflow: ob_engine_run_for never returned */
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "tick_ms must be at most") != NULL);
  co.tick_ms = 1000;
  co.empty_list_backoff_ms = INT64_MAX;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "empty_list_backoff_ms") != NULL);
  co.empty_list_backoff_ms = 30000;
  co.abandoned_redial_lockout_ms = INT64_MAX;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.abandoned_redial_lockout_ms = 3153600000000LL; /* the longest: "forever" */
  co.chunk_size = SIZE_MAX;                          /* every retrieval used to fail ("datatype mismatch") */
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "chunk_size") != NULL);
  co.chunk_size = 100;
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  ob_driver_free(drv);

  CHECK_OK(ob_engine_schedule(&timer, e, INT64_MAX, count_call, &fired));
  CHECK_OK(ob_engine_run_for(e, 5000));
  CHECK(fired == 0); /* used to fire at once */
  ob_campaign_free(camp);
  ob_engine_free(e);
}

/* ob_list_page with limit SIZE_MAX ("all") used to fail with "datatype mismatch". */
static void test_page_all(const char* dir) {
  ob_list* list = new_list(dir, "page.db", 25);
  ob_record* records = NULL;
  size_t n = 0;
  CHECK_OK(ob_list_page(&records, &n, list, INT64_MIN, SIZE_MAX));
  CHECK(n == 25);
  ob_records_free(records, n);
  ob_list_free(list);
}

/* ob_list_insert validates as CSV import does: nothing of a bad batch is written. */
static void test_insert_validation(const char* dir) {
  ob_list* list = new_list(dir, "insert.db", 0);
  ob_record r[2] = {OB_RECORD_INIT, OB_RECORD_INIT};
  int64_t counts[OB_RECORD_STATUS_COUNT];
  r[0].record_id = 1;
  r[0].contact_info = "+12125550101";
  r[0].chain_id = 1;
  r[1].record_id = 2;
  r[1].contact_info = NULL; /* used to be stored as an empty number */
  r[1].chain_id = 2;
  CHECK_RC(ob_list_insert(list, r, 2), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "record 2: contact_info is empty or NULL") != NULL);
  r[1].contact_info = "+12125550102";
  r[1].attempt = -1;
  CHECK_RC(ob_list_insert(list, r, 2), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "record 2: attempt is negative") != NULL);
  CHECK_OK(ob_list_count_by_status(counts, OB_RECORD_STATUS_COUNT, list));
  CHECK(counts[OB_RECORD_STATUS_READY] == 0); /* all or none */
  r[1].attempt = 0;
  CHECK_OK(ob_list_insert(list, r, 2));
  ob_list_free(list);
}

/* A campaign window from 08:00 till 08:00 opened the whole day: refused. */
static void test_window_from_equals_till(void) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_zone zone = {"1", "America/New_York"};
  script_init(&sd, e, 1);
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  co.zone_count = 1;
  co.zones = &zone;
  co.window_from_s = 8 * 3600;
  co.window_till_s = 8 * 3600;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "opens and closes at the same time") != NULL);
  co.window_from_s = 0;
  co.window_till_s = 0;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.window_till_s = 86400; /* the whole day, said plainly, is fine */
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  ob_driver_free(drv);
  ob_campaign_free(camp);
  ob_engine_free(e);
}

int main(void) {
  const char* dir = temp_dir();
  test_control_from_dial(dir, 0);
  test_control_from_dial(dir, 1);
  test_durations(dir);
  test_page_all(dir);
  test_insert_validation(dir);
  test_window_from_equals_till();
  remove_dir(dir);
  return check_report("test_capi_hardening");
}
