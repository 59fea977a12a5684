/* C API custom drivers: a whole campaign through a driver written in C under
 * a manual clock; destroy called exactly once whatever happens; failures with
 * the driver's own message; the sink refusing events outside start..stop; and
 * events reported from the driver's own threads while the engine runs its
 * thread on a real clock. */
#include "campaign_helpers.h"
#include "check.h"
#include "script_driver.h"

#include <pthread.h>
#include <time.h>

typedef struct {
  int loaded, started, stopped, unloaded, finished, driver_errors;
  int finished_by_result[OB_CALL_RESULT_COUNT];
  char last_driver_error[256];
} event_count;

static void on_event(void* user_data, const ob_campaign_event* e) {
  event_count* n = (event_count*)user_data;
  switch (e->kind) {
    case OB_EVENT_LOADED: ++n->loaded; break;
    case OB_EVENT_STARTED: ++n->started; break;
    case OB_EVENT_STOPPED: ++n->stopped; break;
    case OB_EVENT_UNLOADED: ++n->unloaded; break;
    case OB_EVENT_CALL_FINISHED:
      ++n->finished;
      if (e->result >= 0 && e->result < OB_CALL_RESULT_COUNT) ++n->finished_by_result[e->result];
      break;
    case OB_EVENT_DRIVER_ERROR:
      ++n->driver_errors;
      snprintf(n->last_driver_error, sizeof n->last_driver_error, "%s", e->message);
      break;
    default: break;
  }
}

static void test_full_campaign(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "full.db", 40);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_driver_capabilities caps = OB_DRIVER_CAPABILITIES_INIT;
  event_count ev;
  int64_t counts[OB_RECORD_STATUS_COUNT];
  const char* name = NULL;
  int i, state = -1, agent = -1;

  memset(&ev, 0, sizeof ev);
  script_init(&sd, e, 4);
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  CHECK_OK(ob_driver_name(&name, drv));
  CHECK_STR(name, "script");
  CHECK_OK(ob_driver_capabilities_get(&caps, drv));
  CHECK(caps.kind == OB_DRIVER_CUSTOM && caps.max_concurrent_calls == SCRIPT_MAX_CALLS);

  co.name = "c-driver";
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  ob_driver_free(drv); /* the campaign keeps the driver */
  CHECK(sd.destroyed == 0);
  CHECK_OK(ob_campaign_set_event_callback(camp, on_event, &ev));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_campaign_load(camp));
  CHECK(sd.started == 1);
  for (i = 0; i < 4; ++i) CHECK_OK(ob_campaign_set_agent_state(camp, sd.agent_names[i], OB_AGENT_READY));
  CHECK_OK(ob_campaign_agent_state(&agent, camp, "a2"));
  CHECK(agent == OB_AGENT_READY);
  CHECK_RC(ob_campaign_agent_state(&agent, camp, "zz"), OB_ENOTFOUND);
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 2 * 3600 * 1000));
  finish(e, camp);

  CHECK_OK(ob_campaign_state_get(&state, camp));
  CHECK(state == OB_CAMPAIGN_NOT_LOADED);
  CHECK_OK(ob_campaign_stats_get(&st, camp));
  CHECK(sd.dials == 40 && st.dials == 40);
  CHECK(st.live_answers == 20 && st.connected == 20 && st.abandoned == 0);
  CHECK(st.busy == 10 && st.no_answer == 10);
  CHECK(st.records_finalized == 40);
  CHECK(ev.loaded == 1 && ev.started == 1 && ev.stopped >= 1 && ev.unloaded == 1);
  CHECK(ev.finished == 40);
  CHECK(ev.finished_by_result[OB_CALL_RESULT_ANSWER] == 20);
  CHECK(ev.finished_by_result[OB_CALL_RESULT_BUSY] == 10);
  CHECK_OK(ob_list_count_by_status(counts, OB_RECORD_STATUS_COUNT, list));
  CHECK(counts[OB_RECORD_STATUS_UPDATED] == 40);
  CHECK(sd.stopped == 1);

  /* After stop the sink refuses events; after destroy the handle is gone. */
  {
    ob_call_event ce = OB_CALL_EVENT_INIT;
    ce.call_id = 1;
    CHECK_RC(ob_event_sink_call_event(sd.sink, &ce), OB_ESTATE);
  }
  ob_campaign_free(camp);
  CHECK(sd.destroyed == 1);
  {
    ob_call_event ce = OB_CALL_EVENT_INIT;
    ob_agent_event ae = OB_AGENT_EVENT_INIT;
    ce.call_id = 1;
    ae.agent_id = "a0";
    CHECK_RC(ob_event_sink_call_event(sd.sink, &ce), OB_EHANDLE);
    CHECK_RC(ob_event_sink_agent_event(sd.sink, &ae), OB_EHANDLE);
  }
  ob_list_free(list);
  ob_engine_free(e);
  CHECK(sd.destroyed == 1);
}

/* A driver built against version 1 of ob_call_event (before message_left):
 * its events are read to their version's end, and no call is logged as one
 * that left a message on a machine. */
static void test_version1_events(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_list* list = new_list(dir, "v1.db", 12);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_call_log_options lo = OB_CALL_LOG_OPTIONS_INIT;
  ob_call_log* log = NULL;
  ob_call_log_entry* entries = NULL;
  size_t n = 0, i;
  char conn[512];
  event_count ev;

  memset(&ev, 0, sizeof ev);
  script_init(&sd, e, 4);
  sd.event_version = 1;
  lo.connection = sqlite_conn(conn, sizeof conn, dir, "v1-log.db");
  CHECK_OK(ob_call_log_new(&log, &lo));
  co.name = "v1-driver";
  CHECK_OK(script_campaign_new(&camp, e, &sd, &co));
  CHECK_OK(ob_campaign_set_event_callback(camp, on_event, &ev));
  CHECK_OK(ob_campaign_set_call_log(camp, log));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_campaign_load(camp));
  for (i = 0; i < 4; ++i) CHECK_OK(ob_campaign_set_agent_state(camp, sd.agent_names[i], OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  finish(e, camp);

  CHECK_OK(ob_campaign_stats_get(&st, camp));
  CHECK(st.dials == 12 && st.live_answers == 6 && st.connected == 6 && st.busy == 3 && st.no_answer == 3);
  CHECK(ev.finished == 12 && ev.finished_by_result[OB_CALL_RESULT_ANSWER] == 6);
  CHECK_OK(ob_call_log_answered_since(&entries, &n, log, "v1-driver", TEST_START_MS));
  CHECK(n == 6);
  for (i = 0; i < n; ++i) CHECK(entries[i].message_left == 0 && entries[i].result == OB_CALL_RESULT_ANSWER);
  ob_call_log_entries_free(entries, n);
  ob_campaign_free(camp);
  ob_call_log_free(log);
  ob_list_free(list);
  ob_engine_free(e);
}

/* Failures: ob_driver_new refusing a class still destroys; start and dial failures carry the driver's message. */
static void test_failures(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver sd;
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "fail.db", 8);
  ob_campaign* camp = NULL;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  event_count ev;

  memset(&ev, 0, sizeof ev);
  script_init(&sd, e, 2);
  cls.version = 99;
  CHECK_RC(ob_driver_new(&drv, &cls, &sd), OB_EINVALID);
  CHECK(sd.destroyed == 1 && drv == NULL);
  cls = script_class();
  cls.dial = NULL;
  CHECK_RC(ob_driver_new(&drv, &cls, &sd), OB_EINVALID);
  CHECK(sd.destroyed == 2);
  cls = script_class();
  CHECK_RC(ob_driver_new(NULL, &cls, &sd), OB_EINVALID);
  CHECK(sd.destroyed == 3);
  CHECK_RC(ob_driver_new(&drv, NULL, &sd), OB_EINVALID);
  CHECK(sd.destroyed == 3);
  cls.destroy = NULL; /* no destroy is fine */
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  ob_driver_free(drv);
  CHECK(sd.destroyed == 3);

  cls = script_class();
  CHECK_OK(ob_driver_new(&drv, &cls, &sd));
  CHECK_OK(ob_campaign_new(&camp, e, NULL, drv, NULL));
  CHECK_OK(ob_campaign_set_event_callback(camp, on_event, &ev));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  sd.fail_start = OB_EBUSY;
  CHECK_RC(ob_campaign_load(camp), OB_EBUSY);
  CHECK(strstr(ob_last_error(), "the switch is down") != NULL);
  sd.fail_start = 0;
  CHECK_OK(ob_campaign_load(camp));
  sd.fail_dials = OB_EBUSY;
  CHECK_OK(ob_campaign_set_agent_state(camp, "a0", OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 60000));
  CHECK_OK(ob_campaign_stats_get(&st, camp));
  CHECK(st.driver_errors >= 1);
  CHECK(ev.driver_errors >= 1);
  CHECK(strstr(ev.last_driver_error, "no line for this call") != NULL);
  CHECK_OK(ob_campaign_force_unload(camp));
  ob_driver_free(drv);
  CHECK(sd.destroyed == 3);
  ob_engine_free(e); /* frees the campaign, which held the driver */
  CHECK(sd.destroyed == 4);
  ob_list_free(list);
}

/* --- a driver whose calls run on threads of its own --------------------------------- */

#define THREAD_CALLS 64

typedef struct {
  pthread_mutex_t mu;
  ob_event_sink* sink;
  int busy[2];
  pthread_t threads[THREAD_CALLS];
  int thread_count;
  int reported_ok, reported_failed;
} thread_driver;

typedef struct {
  thread_driver* d;
  uint64_t call_id;
} thread_call;

static thread_call thread_calls[THREAD_CALLS];

static void report(thread_driver* d, uint64_t id, int kind, int answer, const char* agent, int result) {
  ob_call_event e = OB_CALL_EVENT_INIT;
  int rc;
  e.kind = kind;
  e.call_id = id;
  e.answer = answer;
  e.agent_id = agent;
  e.result = result;
  rc = ob_event_sink_call_event(d->sink, &e);
  pthread_mutex_lock(&d->mu);
  if (rc == OB_OK) ++d->reported_ok; else ++d->reported_failed;
  pthread_mutex_unlock(&d->mu);
}

static void* call_thread(void* arg) {
  thread_call* c = (thread_call*)arg;
  thread_driver* d = c->d;
  const char* agents[2] = {"t0", "t1"};
  int agent = -1, i;
  struct timespec ms = {0, 1000000L};
  report(d, c->call_id, OB_CALL_EVENT_DIALING, OB_ANSWER_UNKNOWN, NULL, OB_CALL_RESULT_UNKNOWN);
  nanosleep(&ms, NULL);
  report(d, c->call_id, OB_CALL_EVENT_ANSWERED, OB_ANSWER_LIVE, NULL, OB_CALL_RESULT_UNKNOWN);
  pthread_mutex_lock(&d->mu);
  for (i = 0; i < 2; ++i)
    if (!d->busy[i]) {
      d->busy[i] = 1;
      agent = i;
      break;
    }
  pthread_mutex_unlock(&d->mu);
  if (agent >= 0) report(d, c->call_id, OB_CALL_EVENT_CONNECTED, OB_ANSWER_UNKNOWN, agents[agent], OB_CALL_RESULT_UNKNOWN);
  nanosleep(&ms, NULL);
  pthread_mutex_lock(&d->mu);
  if (agent >= 0) d->busy[agent] = 0;
  pthread_mutex_unlock(&d->mu);
  report(d, c->call_id, OB_CALL_EVENT_RELEASED, OB_ANSWER_UNKNOWN, NULL, OB_CALL_RESULT_ANSWER);
  return NULL;
}

static int td_start(void* user_data, ob_event_sink* sink) {
  ((thread_driver*)user_data)->sink = sink;
  return OB_OK;
}

static int td_dial(void* user_data, const ob_dial_request* rq) {
  thread_driver* d = (thread_driver*)user_data;
  thread_call* c;
  if (d->thread_count >= THREAD_CALLS) return OB_EBUSY;
  c = &thread_calls[d->thread_count];
  c->d = d;
  c->call_id = rq->call_id;
  if (pthread_create(&d->threads[d->thread_count], NULL, call_thread, c) != 0) return OB_ERROR;
  ++d->thread_count;
  return OB_OK;
}

static int td_cancel(void* user_data, uint64_t call_id) {
  (void)user_data;
  (void)call_id;
  return OB_OK;
}

static int td_stop(void* user_data) {
  thread_driver* d = (thread_driver*)user_data;
  int i;
  for (i = 0; i < d->thread_count; ++i) pthread_join(d->threads[i], NULL);
  d->thread_count = 0;
  return OB_OK;
}

static void test_threads(const char* dir) {
  ob_engine* e = NULL;
  thread_driver td;
  ob_driver_class cls;
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "threads.db", 30);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  int i, state = -1;
  struct timespec pause = {0, 5000000L};

  memset(&td, 0, sizeof td);
  pthread_mutex_init(&td.mu, NULL);
  memset(&cls, 0, sizeof cls);
  cls.version = OB_DRIVER_CLASS_VERSION;
  cls.name = "threads";
  cls.start = td_start;
  cls.dial = td_dial;
  cls.cancel = td_cancel;
  cls.stop = td_stop;
  CHECK_OK(ob_engine_new(&e, NULL));
  CHECK_OK(ob_driver_new(&drv, &cls, &td));
  co.name = "threads";
  co.tick_ms = 20;
  co.flush_interval_ms = 20;
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_engine_start_thread(e));
  CHECK_OK(ob_campaign_load(camp));
  CHECK_OK(ob_campaign_set_agent_state(camp, "t0", OB_AGENT_READY));
  CHECK_OK(ob_campaign_set_agent_state(camp, "t1", OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(camp));
  for (i = 0; i < 2000; ++i) { /* at most 10 s */
    CHECK_OK(ob_campaign_stats_get(&st, camp));
    if (st.records_finalized >= 30) break;
    nanosleep(&pause, NULL);
  }
  CHECK(st.records_finalized == 30);
  CHECK(st.dials == 30 && st.connected == 30 && st.abandoned == 0);
  CHECK_OK(ob_campaign_stop(camp));
  CHECK_OK(ob_campaign_unload(camp));
  for (i = 0; i < 1000; ++i) {
    CHECK_OK(ob_campaign_state_get(&state, camp));
    if (state == OB_CAMPAIGN_NOT_LOADED) break;
    nanosleep(&pause, NULL);
  }
  CHECK(state == OB_CAMPAIGN_NOT_LOADED);
  CHECK(td.reported_ok == 30 * 4 && td.reported_failed == 0);
  ob_driver_free(drv);
  ob_engine_free(e);
  ob_list_free(list);
  pthread_mutex_destroy(&td.mu);
}

int main(void) {
  char dir[64];
  strcpy(dir, temp_dir());
  test_full_campaign(dir);
  test_version1_events(dir);
  test_failures(dir);
  test_threads(dir);
  remove_dir(dir);
  return check_report("capi_driver");
}
