/* C API contact limits and pre-dial callback: a campaign on the script driver under a manual
 * clock with a call log. Records sharing one number stop at the contact limit; the pre-dial
 * callback vetoes with a result code, lets go with 0, and a value that is no result code fails
 * closed. Options and stats round-trip at their new versions and an older version still works. */
#include "campaign_helpers.h"
#include "check.h"
#include "script_driver.h"

static ob_call_log* open_log(const char* dir) {
  char conn[256];
  ob_call_log_options o = OB_CALL_LOG_OPTIONS_INIT;
  ob_call_log* log = NULL;
  o.connection = sqlite_conn(conn, sizeof conn, dir, "log.db");
  CHECK_OK(ob_call_log_new(&log, &o));
  return log;
}

/* Six records on one number. */
static ob_list* shared_number_list(const char* dir, const char* file) {
  char conn[256];
  char phones[6][24];
  ob_record records[6];
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_list* list = NULL;
  int i;
  lo.create_if_missing = 1;
  CHECK_OK(ob_list_open(&list, sqlite_conn(conn, sizeof conn, dir, file), &lo));
  for (i = 0; i < 6; ++i) {
    records[i] = make_record(i + 1, phones[i], sizeof phones[i]);
    records[i].contact_info = "+12125550100";
  }
  CHECK_OK(ob_list_insert(list, records, 6));
  return list;
}

static void test_contact_limit(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_list* list = shared_number_list(dir, "limits.db");
  ob_call_log* log = open_log(dir);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_options got;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_contact_limit limits[2] = {{3, 24LL * 3600 * 1000}, {1, 600000}};

  script_init(&sd, e, 1);
  co.name = "limited";
  co.contact_limit_count = 2;
  co.contact_limits = limits;
  CHECK_OK(script_campaign_new(&camp, e, &sd, &co));
  /* The options come back with their limits. */
  memset(&got, 0, sizeof got);
  got.version = OB_CAMPAIGN_OPTIONS_VERSION;
  CHECK_OK(ob_campaign_options_get(&got, camp));
  CHECK(got.contact_limit_count == 2 && got.contact_limits != NULL);
  CHECK(got.contact_limits[0].max_calls == 3 && got.contact_limits[0].window_ms == 24LL * 3600 * 1000);
  CHECK(got.contact_limits[1].max_calls == 1 && got.contact_limits[1].window_ms == 600000);
  ob_campaign_options_free(&got);
  CHECK(got.contact_limits == NULL && got.contact_limit_count == 0);

  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  /* The limits are counted from the call log: none, no load. */
  CHECK_RC(ob_campaign_load(camp), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "contact_limits are counted from the call log") != NULL);
  CHECK_OK(ob_campaign_set_call_log(camp, log));
  CHECK_OK(ob_campaign_load(camp));
  CHECK_OK(ob_campaign_set_agent_state(camp, "a0", OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 2 * 3600 * 1000));
  finish(e, camp);
  CHECK_OK(ob_campaign_stats_get(&st, camp));
  /* One call per 10 minutes and 3 per day: 3 dials in 2 hours, 10 minutes apart at least. */
  CHECK(sd.dials == 3 && st.dials == 3);
  CHECK(st.version == OB_CAMPAIGN_STATS_VERSION && st.contact_deferred >= 1 && st.predial_vetoed == 0);
  {
    /* A version-3 struct ends before the new counters: nothing is written past its end. */
    ob_campaign_stats v3;
    memset(&v3, 0x5A, sizeof v3);
    v3.version = 3;
    CHECK_OK(ob_campaign_stats_get(&v3, camp));
    CHECK(v3.dials == 3 && v3.contact_deferred == (long)0x5A5A5A5A5A5A5A5ALL);
  }
  {
    /* A version-4 options struct (before the limits) still makes a campaign, with no limits. */
    ob_campaign_options v4;
    ob_campaign* old = NULL;
    CHECK_OK(ob_campaign_options_init(&v4, 4));
    v4.name = "older";
    CHECK_OK(ob_driver_new(&drv, &cls, &sd));
    CHECK_OK(ob_campaign_new(&old, e, &v4, drv, NULL));
    ob_driver_free(drv);
    ob_campaign_free(old);
  }
  limits[0].max_calls = 0;
  co.name = "bad";
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "contact_limits[0].max_calls must be at least 1") != NULL);
  co.contact_limits = NULL;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "contact_limits must not be NULL") != NULL);
  ob_driver_free(drv);
  ob_call_log_free(log);
  ob_list_free(list);
  ob_engine_free(e);
}

typedef struct veto_state {
  int asked;
  int64_t ids[16];
  char phone[32];
  char campaign[32];
} veto_state;

/* Record 1: do not call; 2: a value that is no result code (fails closed); the rest go. */
static int veto(void* user_data, const ob_pre_dial* rq) {
  veto_state* s = (veto_state*)user_data;
  if (s->asked < 16) s->ids[s->asked] = rq->record->record_id;
  ++s->asked;
  if (rq->version >= 1 && rq->record->record_id == 1) {
    snprintf(s->phone, sizeof s->phone, "%s", rq->phone);
    snprintf(s->campaign, sizeof s->campaign, "%s", rq->campaign);
    return OB_CALL_RESULT_DO_NOT_CALL;
  }
  if (rq->record->record_id == 2) return 9999;
  return 0;
}

static int error_events;
static void on_event(void* user_data, const ob_campaign_event* ev) {
  (void)user_data;
  if (ev->kind == OB_EVENT_ERROR && ev->record_id == 2 && strstr(ev->message, "9999") != NULL) ++error_events;
}

static void test_pre_dial(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_list* list = new_list(dir, "veto.db", 5);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_record* rec = NULL;
  veto_state vs;
  memset(&vs, 0, sizeof vs);

  script_init(&sd, e, 1);
  co.name = "vetoed";
  CHECK_OK(script_campaign_new(&camp, e, &sd, &co));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_RC(ob_campaign_set_pre_dial_callback(NULL, veto, &vs), OB_EHANDLE);
  CHECK_OK(ob_campaign_set_pre_dial_callback(camp, veto, &vs));
  CHECK_OK(ob_campaign_set_event_callback(camp, on_event, NULL));
  CHECK_OK(ob_campaign_load(camp));
  CHECK_OK(ob_campaign_set_agent_state(camp, "a0", OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  finish(e, camp);
  CHECK_OK(ob_campaign_stats_get(&st, camp));
  CHECK(vs.asked == 5);
  CHECK(sd.dials == 3 && st.dials == 3);
  CHECK(st.predial_vetoed == 2);
  CHECK(strcmp(vs.phone, "+12122000001") == 0 && strcmp(vs.campaign, "vetoed") == 0);
  CHECK(error_events == 1);
  CHECK_OK(ob_list_get(&rec, list, 1));
  CHECK(rec->call_result == OB_CALL_RESULT_DO_NOT_CALL && rec->attempt == 0);
  ob_record_free(rec);
  CHECK_OK(ob_list_get(&rec, list, 2));
  CHECK(rec->call_result == OB_CALL_RESULT_DIAL_ERROR && rec->attempt == 0);
  ob_record_free(rec);
  CHECK_OK(ob_campaign_set_pre_dial_callback(camp, NULL, NULL));  /* removed */
  ob_list_free(list);
  ob_engine_free(e);
}

int main(void) {
  char dir[64];
  strcpy(dir, temp_dir());
  test_contact_limit(dir);
  test_pre_dial(dir);
  remove_dir(dir);
  return check_report("capi_pre_dial");
}
