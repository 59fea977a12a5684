/* C API call log: a campaign on the script driver under a manual clock logs
 * every call to a SQLite table; the rows match the driver's dials, the
 * answered calls read back consistently, and bad input gets clear statuses. */
#include "campaign_helpers.h"
#include "check.h"
#include "script_driver.h"

static ob_call_log* open_log(const char* dir, const char* table, int create) {
  char conn[256];
  ob_call_log_options o = OB_CALL_LOG_OPTIONS_INIT;
  ob_call_log* log = NULL;
  o.connection = sqlite_conn(conn, sizeof conn, dir, "log.db");
  o.table = table;
  o.create_if_missing = create;
  CHECK_OK(ob_call_log_new(&log, &o));
  return log;
}

/* Checks the answered calls of `campaign`; returns how many there are, `*abandoned` how many were abandoned. */
static size_t check_answered(ob_call_log* log, const char* campaign, long* abandoned) {
  ob_call_log_entry* e = NULL;
  size_t n = 0, i;
  int64_t at = 0;
  int found = 0;
  CHECK_OK(ob_call_log_answered_since(&e, &n, log, campaign, TEST_START_MS));
  CHECK((n == 0) == (e == NULL));
  *abandoned = 0;
  for (i = 0; i < n; ++i) {
    CHECK(e[i].version == OB_CALL_LOG_ENTRY_VERSION);
    CHECK_STR(e[i].campaign, campaign);
    CHECK_STR(e[i].list, "calling_list");
    CHECK(e[i].phone != NULL && e[i].phone[0] == '+' && e[i].agent_id != NULL);
    CHECK(e[i].record_id > 0 && e[i].chain_id == e[i].record_id && e[i].chain_n == 1);
    CHECK(e[i].dialed_at_ms >= TEST_START_MS);
    CHECK(e[i].answered_at_ms != OB_NO_TIME && e[i].answered_at_ms >= e[i].dialed_at_ms);
    CHECK(e[i].released_at_ms >= e[i].answered_at_ms);
    CHECK(e[i].answer == OB_ANSWER_LIVE);
    if (i > 0) CHECK(e[i].answered_at_ms >= e[i - 1].answered_at_ms);
    if (e[i].abandoned) {
      ++*abandoned;
      CHECK(e[i].connected_at_ms == OB_NO_TIME && e[i].result == OB_CALL_RESULT_ABANDONED);
      /* Each record has its own number: its last abandon is this call's. */
      CHECK_OK(ob_call_log_last_abandoned(&at, &found, log, e[i].phone));
      CHECK(found == 1 && at == e[i].released_at_ms);
    } else {
      CHECK(e[i].connected_at_ms >= e[i].answered_at_ms && e[i].connected_at_ms <= e[i].released_at_ms);
      CHECK(e[i].agent_id[0] == 'a' && e[i].result == OB_CALL_RESULT_ANSWER);
    }
  }
  ob_call_log_entries_free(e, n);
  return n;
}

/* A campaign dialing 40 records through 1 agent at 4 lines: some live answers find no agent. */
static void test_logged_campaign(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "list.db", 40);
  ob_call_log* log = open_log(dir, NULL, 1);
  ob_call_log* late = open_log(dir, NULL, 1);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  long long rows = -1;
  int64_t at = 0;
  long abandoned = -1;
  int found = -1;

  script_init(&sd, e, 1);
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  co.name = "logged";
  co.ratio = 4.0;
  co.abandon_cap_rate = 1.0; /* let it abandon: this test wants some abandoned rows */
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  ob_driver_free(drv);
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_call_log_count(&rows, log));
  CHECK(rows == 0);
  CHECK_OK(ob_campaign_set_call_log(camp, log));
  CHECK_OK(ob_campaign_load(camp));
  CHECK_RC(ob_campaign_set_call_log(camp, late), OB_ESTATE);
  CHECK(strstr(ob_last_error(), "before load") != NULL);
  CHECK_OK(ob_campaign_set_agent_state(camp, "a0", OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 2 * 3600 * 1000));
  finish(e, camp);

  CHECK_OK(ob_campaign_stats_get(&st, camp));
  CHECK(sd.dials == 40 && st.dials == sd.dials);
  CHECK(st.version == OB_CAMPAIGN_STATS_VERSION && st.lockout_deferred == 0); /* every record has its own number */
  /* Version 3: answers by class; the script driver reports live answers only, and leaves no message. */
  CHECK(st.answered_live == st.live_answers && st.answered_machine == 0 && st.messages_left == 0);
  {
    /* A version-2 struct ends before the answers by class: nothing is written past its end. */
    ob_campaign_stats v2;
    memset(&v2, 0x5A, sizeof v2);
    v2.version = 2;
    CHECK_OK(ob_campaign_stats_get(&v2, camp));
    CHECK(v2.dials == st.dials && v2.answered_live == (long)0x5A5A5A5A5A5A5A5AL && v2.messages_left == (long)0x5A5A5A5A5A5A5A5AL);
  }
  {
    /* A version-4 struct ends before chains_held: it is left as the host had it. */
    ob_campaign_stats v4;
    memset(&v4, 0x5A, sizeof v4);
    v4.version = 4;
    CHECK_OK(ob_campaign_stats_get(&v4, camp));
    CHECK(v4.messages_left == st.messages_left && v4.predial_vetoed == st.predial_vetoed);
    CHECK(v4.chains_held == (long)0x5A5A5A5A5A5A5A5AL);
    CHECK(st.chains_held == 0); /* no record of this list is scheduled */
  }
  {
    /* A host built against version 1 has a shorter struct: nothing is written past its end (ASan build). */
    const size_t v1 = offsetof(ob_campaign_stats, lockout_deferred);
    const unsigned int one = 1;
    long dials = 0;
    unsigned char* old = malloc(v1);
    CHECK(old != NULL);
    memset(old, 0, v1);
    memcpy(old, &one, sizeof one);
    CHECK_OK(ob_campaign_stats_get((ob_campaign_stats*)(void*)old, camp));
    memcpy(&dials, old + offsetof(ob_campaign_stats, dials), sizeof dials);
    CHECK(dials == st.dials);
    free(old);
  }
  CHECK_OK(ob_call_log_count(&rows, log));
  CHECK(rows == sd.dials);
  CHECK_OK(ob_call_log_count(&rows, late)); /* the same table through another handle */
  CHECK(rows == sd.dials);
  CHECK(check_answered(log, "logged", &abandoned) == (size_t)st.live_answers);
  CHECK(st.abandoned > 0 && abandoned == st.abandoned);
  CHECK_OK(ob_call_log_last_abandoned(&at, &found, log, "+19999999999"));
  CHECK(found == 0 && at == OB_NO_TIME);
  {
    ob_call_log_entry* none = (ob_call_log_entry*)&at;
    size_t n = 9;
    CHECK_OK(ob_call_log_answered_since(&none, &n, log, "no-such-campaign", TEST_START_MS));
    CHECK(none == NULL && n == 0);
    CHECK_OK(ob_call_log_answered_since(&none, &n, log, "logged", TEST_START_MS + 24 * 3600 * 1000LL));
    CHECK(none == NULL && n == 0);
  }
  ob_campaign_free(camp);
  ob_call_log_free(log);
  ob_call_log_free(late);
  ob_list_free(list);
  ob_engine_free(e);
}

/* The campaign shares the log: its handle may go before the run. */
static void test_handle_freed_before_run(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "list2.db", 12);
  ob_call_log* log = open_log(dir, "second_log", 1);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  long long rows = -1;

  script_init(&sd, e, 4);
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  co.name = "shared";
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  ob_driver_free(drv);
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_campaign_set_call_log(camp, log));
  ob_call_log_free(log);
  CHECK_RC(ob_call_log_count(&rows, log), OB_EHANDLE);
  CHECK_RC(ob_campaign_set_call_log(camp, log), OB_EHANDLE);
  CHECK_OK(ob_campaign_set_agent_state(camp, "a0", OB_AGENT_READY));
  CHECK_OK(ob_campaign_load(camp));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  finish(e, camp);
  CHECK(sd.dials == 12);
  log = open_log(dir, "second_log", 0);
  CHECK_OK(ob_call_log_count(&rows, log));
  CHECK(rows == sd.dials);
  ob_call_log_free(log);
  ob_campaign_free(camp);
  ob_list_free(list);
  ob_engine_free(e);
}

/* Bad input: statuses, not crashes. */
static void test_errors(const char* dir) {
  char conn[256];
  ob_call_log_options o;
  ob_call_log* log = NULL;
  ob_call_log* other = NULL;
  ob_call_log_entry* entries = NULL;
  ob_dnc* dnc = NULL;
  ob_engine* e = manual_engine();
  ob_engine* e2 = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_campaign* camp = NULL;
  ob_campaign* camp2 = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  long long rows = 0;
  int64_t at = 0;
  int found = 0;
  size_t n = 0;

  CHECK_OK(ob_call_log_options_init(&o, OB_CALL_LOG_OPTIONS_VERSION));
  CHECK(o.connection == NULL && o.table == NULL && o.create_if_missing == 1);
  CHECK_RC(ob_call_log_options_init(&o, 0), OB_EINVALID);
  CHECK_RC(ob_call_log_options_init(NULL, OB_CALL_LOG_OPTIONS_VERSION), OB_EINVALID);
  CHECK_RC(ob_call_log_new(&log, NULL), OB_EINVALID); /* no connection */
  CHECK(strstr(ob_last_error(), "connection") != NULL);
  o.connection = sqlite_conn(conn, sizeof conn, dir, "errors.db");
  CHECK_RC(ob_call_log_new(NULL, &o), OB_EINVALID);
  o.table = "calls; DROP TABLE calling_list";
  CHECK_RC(ob_call_log_new(&log, &o), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "identifier") != NULL);
  o.table = "absent";
  o.create_if_missing = 0;
  CHECK_RC(ob_call_log_new(&log, &o), OB_ENOTFOUND);
  o.version = OB_CALL_LOG_OPTIONS_VERSION + 1;
  CHECK_RC(ob_call_log_new(&log, &o), OB_EINVALID);
  CHECK(log == NULL);
  o.version = OB_CALL_LOG_OPTIONS_VERSION;
  o.table = NULL;
  o.create_if_missing = 1;
  CHECK_OK(ob_call_log_new(&log, &o));

  /* NULL out-parameters and strings. */
  CHECK_RC(ob_call_log_count(NULL, log), OB_EINVALID);
  CHECK_RC(ob_call_log_last_abandoned(&at, NULL, log, "+12125550100"), OB_EINVALID);
  CHECK_RC(ob_call_log_last_abandoned(&at, &found, log, NULL), OB_EINVALID);
  CHECK_RC(ob_call_log_answered_since(&entries, &n, log, NULL, 0), OB_EINVALID);

  /* NULL, wrong-type and freed handles. */
  CHECK_OK(ob_dnc_new(&dnc, NULL));
  CHECK_RC(ob_call_log_count(&rows, NULL), OB_EHANDLE);
  CHECK(strstr(ob_last_error(), "call log") != NULL);
  CHECK_RC(ob_call_log_count(&rows, (ob_call_log*)dnc), OB_EHANDLE);
  CHECK_RC(ob_call_log_last_abandoned(&at, &found, NULL, "+12125550100"), OB_EHANDLE);
  CHECK_RC(ob_call_log_answered_since(&entries, &n, (ob_call_log*)dnc, "c", 0), OB_EHANDLE);
  CHECK(entries == NULL);
  script_init(&sd, e, 1);
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  CHECK_RC(ob_campaign_set_call_log(camp, NULL), OB_EHANDLE);
  CHECK_RC(ob_campaign_set_call_log(camp, (ob_call_log*)dnc), OB_EHANDLE);
  CHECK_RC(ob_campaign_set_call_log(NULL, log), OB_EHANDLE);
  CHECK_RC(ob_campaign_set_call_log((ob_campaign*)log, log), OB_EHANDLE);
  ob_call_log_free((ob_call_log*)dnc); /* a wrong type is not freed */
  CHECK_OK(ob_dnc_phone_count(&n, dnc));

  /* A log serves one engine. */
  CHECK_OK(ob_campaign_set_call_log(camp, log));
  {
    ob_driver* d2 = NULL;
    CHECK_OK(ob_driver_new(&d2, &cls, &sd));
    CHECK_OK(ob_campaign_new(&camp2, e2, &co, d2, NULL));
    ob_driver_free(d2);
  }
  CHECK_RC(ob_campaign_set_call_log(camp2, log), OB_EBUSY);
  other = log;
  ob_call_log_free(log);
  CHECK_RC(ob_call_log_count(&rows, other), OB_EHANDLE);
  CHECK_RC(ob_call_log_last_abandoned(&at, &found, other, "+12125550100"), OB_EHANDLE);
  CHECK_RC(ob_call_log_answered_since(&entries, &n, other, "c", 0), OB_EHANDLE);
  CHECK_RC(ob_campaign_set_call_log(camp, other), OB_EHANDLE);

  /* The frees take NULL, freed and foreign pointers. */
  ob_call_log_free(NULL);
  ob_call_log_free(other);
  ob_call_log_entries_free(NULL, 0);
  ob_call_log_entries_free((ob_call_log_entry*)dnc, 1);

  ob_dnc_free(dnc);
  ob_driver_free(drv);
  ob_engine_free(e2);
  ob_engine_free(e);
}

int main(void) {
  char dir[64];
  strcpy(dir, temp_dir());
  test_logged_campaign(dir);
  test_handle_freed_before_run(dir);
  test_errors(dir);
  remove_dir(dir);
  return check_report("capi_call_log");
}
