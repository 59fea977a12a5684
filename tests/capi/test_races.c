/* C API calls racing each other across threads, on the real clock:
 *  - ob_campaign_finish while another thread frees the campaign or its engine,
 *    with the engine running its own thread and with the loop run by finish
 *    itself: finish gives OB_EHANDLE at once (it crashed, or waited out its
 *    timeout), and no record is left retrieved;
 *  - ob_campaign_finish while another thread stops the engine's thread: finish
 *    runs the loop itself and the calls end (it waited out its timeout);
 *  - two threads finishing two campaigns of one engine at once;
 *  - ob_campaign_options_get from two threads at once: each result is the
 *    caller's until ob_campaign_options_free (one shared view was freed under
 *    the other reader). Run under ASan, which sees any use after free. */
#include "campaign_helpers.h"
#include "check.h"

#include <pthread.h>
#include <time.h>

/* finish's timeout in these tests: far longer than any of them may take. */
#define LONG_WAIT_MS (10LL * 60 * 1000)

static void sleep_ms(long ms) {
  struct timespec t;
  t.tv_sec = ms / 1000;
  t.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&t, NULL);
}

/* A real-clock engine, a simulated switch with `agents` agents and a campaign dialing `list`. */
typedef struct {
  ob_engine* engine;
  ob_sim_network* net;
  ob_driver* driver;
  ob_campaign* campaign;
} rig;

static rig new_rig(ob_list* list, int agents, const ob_sim_network_options* model, const ob_sim_agent_options* staff) {
  rig r = {NULL, NULL, NULL, NULL};
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  CHECK_OK(ob_engine_new(&r.engine, NULL));
  CHECK_OK(ob_sim_network_new(&r.net, r.engine, model));
  CHECK_OK(ob_sim_tserver_new(&r.driver, r.net, agents, "agent", staff));
  o.name = "raced";
  CHECK_OK(ob_campaign_new(&r.campaign, r.engine, &o, r.driver, NULL));
  CHECK_OK(ob_campaign_add_list(r.campaign, list, 1.0));
  return r;
}

/* Loads and starts the campaign and waits until calls are up; with `own_thread`, on the engine's thread. */
static void dial(rig* r, int own_thread) {
  size_t calls = 0;
  int waited;
  if (own_thread) CHECK_OK(ob_engine_start_thread(r->engine));
  CHECK_OK(ob_campaign_load(r->campaign));
  CHECK_OK(ob_campaign_start(r->campaign));
  for (waited = 0; waited < 10000 && calls == 0; waited += 20) {
    if (own_thread) {
      sleep_ms(20);
    } else {
      int64_t now = 0;
      CHECK_OK(ob_engine_now(&now, r->engine));
      CHECK_OK(ob_engine_run_until(r->engine, now + 20, NULL, NULL));
    }
    CHECK_OK(ob_campaign_calls_in_flight(&calls, r->campaign));
  }
  CHECK(calls > 0);
}

/* Frees what the rig still holds (the engine and campaign unless `engine_gone`). */
static void free_rig(rig* r, int engine_gone) {
  if (!engine_gone) {
    ob_campaign_free(r->campaign);
    ob_engine_free(r->engine);
  }
  ob_driver_free(r->driver);
  ob_sim_network_free(r->net);
}

static void check_no_record_retrieved(ob_list* list) {
  int64_t by_status[OB_RECORD_STATUS_COUNT];
  CHECK_OK(ob_list_count_by_status(by_status, OB_RECORD_STATUS_COUNT, list));
  CHECK(by_status[OB_RECORD_STATUS_RETRIEVED] == 0);
}

/* What the other thread does, 100 ms after finish began waiting. */
typedef enum { FREE_CAMPAIGN, FREE_ENGINE, STOP_THREAD } interference;

typedef struct {
  rig* rig;
  interference what;
  int rc;
} meddler;

static void* meddle(void* arg) {
  meddler* m = (meddler*)arg;
  sleep_ms(100);
  switch (m->what) {
    case FREE_CAMPAIGN: ob_campaign_free(m->rig->campaign); break;
    case FREE_ENGINE: ob_engine_free(m->rig->engine); break;
    case STOP_THREAD: m->rc = ob_engine_stop_thread(m->rig->engine); break;
  }
  return NULL;
}

/* finish on one thread, `what` on another; returns finish's status, `cut` its count. */
static int finish_while(rig* r, interference what, size_t* cut) {
  meddler m;
  pthread_t other;
  int rc;
  m.rig = r;
  m.what = what;
  m.rc = OB_OK;
  if (pthread_create(&other, NULL, meddle, &m) != 0) {
    CHECK(0);
    return OB_ERROR;
  }
  rc = ob_campaign_finish(cut, r->campaign, LONG_WAIT_MS);
  pthread_join(other, NULL);
  CHECK_OK(m.rc);
  return rc;
}

/* The campaign or its engine freed by another thread while finish waits: OB_EHANDLE, nothing stuck. */
static void test_freed_while_finishing(const char* dir, interference what, int own_thread) {
  char file[32];
  ob_list* list;
  rig r;
  size_t cut = 99;
  snprintf(file, sizeof file, "freed-%d-%d.db", (int)what, own_thread);
  list = new_list(dir, file, 200);
  r = new_rig(list, 5, NULL, NULL); /* calls ring for seconds and talk for minutes */
  dial(&r, own_thread);
  CHECK_RC(finish_while(&r, what, &cut), OB_EHANDLE);
  CHECK(cut == 99); /* untouched on failure */
  CHECK_RC(ob_campaign_stop(r.campaign), OB_EHANDLE);
  if (what == FREE_CAMPAIGN && own_thread) CHECK_OK(ob_engine_stop_thread(r.engine));
  free_rig(&r, what == FREE_ENGINE);
  check_no_record_retrieved(list);
  ob_list_free(list);
}

/* Calls that are all live answers, ring for a second and talk for a second. */
static void short_calls(ob_sim_network_options* model, ob_sim_agent_options* staff) {
  model->live_answer = 1.0;
  model->busy = model->no_answer = model->machine = model->sit = 0.0;
  model->ring.kind = OB_DIST_CONSTANT;
  model->ring.mean = 1.0;
  staff->talk.kind = OB_DIST_CONSTANT;
  staff->talk.mean = 1.0;
  staff->wrap.kind = OB_DIST_CONSTANT;
  staff->wrap.mean = 0.1;
}

/* The engine's thread stopped by another thread while finish waits for it: finish runs the loop
 * itself, and the calls end on their own. */
static void test_thread_stopped_while_finishing(const char* dir) {
  ob_sim_network_options model = OB_SIM_NETWORK_OPTIONS_INIT;
  ob_sim_agent_options staff = OB_SIM_AGENT_OPTIONS_INIT;
  ob_list* list = new_list(dir, "stopped.db", 200);
  ob_sim_driver_stats stats;
  rig r;
  size_t cut = 99;
  int state = -1;
  short_calls(&model, &staff);
  r = new_rig(list, 5, &model, &staff);
  dial(&r, 1);
  CHECK_OK(finish_while(&r, STOP_THREAD, &cut));
  CHECK(cut == 0);
  CHECK_OK(ob_campaign_state_get(&state, r.campaign));
  CHECK(state == OB_CAMPAIGN_NOT_LOADED);
  stats.version = OB_SIM_DRIVER_STATS_VERSION;
  CHECK_OK(ob_sim_driver_stats_get(&stats, r.driver));
  CHECK(stats.connected > 0);
  free_rig(&r, 0);
  check_no_record_retrieved(list);
  ob_list_free(list);
}

typedef struct {
  ob_campaign* campaign;
  size_t cut;
  int rc;
} finisher;

static void* finish_it(void* arg) {
  finisher* f = (finisher*)arg;
  f->rc = ob_campaign_finish(&f->cut, f->campaign, LONG_WAIT_MS);
  return NULL;
}

/* Two threads finishing two campaigns of one engine, each running the loop: they take turns, and
 * both campaigns end with their calls. */
static void test_two_finishes_at_once(const char* dir) {
  ob_sim_network_options model = OB_SIM_NETWORK_OPTIONS_INIT;
  ob_sim_agent_options staff = OB_SIM_AGENT_OPTIONS_INIT;
  ob_list* first = new_list(dir, "first.db", 100);
  ob_list* second = new_list(dir, "second.db", 100);
  ob_campaign* other = NULL;
  ob_driver* other_switch = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  finisher a, b;
  pthread_t ta, tb;
  rig r;
  short_calls(&model, &staff);
  r = new_rig(first, 3, &model, &staff);
  o.name = "second";
  CHECK_OK(ob_sim_tserver_new(&other_switch, r.net, 3, "second", &staff));
  CHECK_OK(ob_campaign_new(&other, r.engine, &o, other_switch, NULL));
  CHECK_OK(ob_campaign_add_list(other, second, 1.0));
  CHECK_OK(ob_campaign_load(other));
  CHECK_OK(ob_campaign_start(other));
  dial(&r, 0);
  a.campaign = r.campaign;
  b.campaign = other;
  a.rc = b.rc = OB_ERROR;
  a.cut = b.cut = 99;
  CHECK(pthread_create(&ta, NULL, finish_it, &a) == 0);
  CHECK(pthread_create(&tb, NULL, finish_it, &b) == 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  CHECK(a.rc == OB_OK && b.rc == OB_OK && a.cut == 0 && b.cut == 0);
  ob_campaign_free(other);
  ob_driver_free(other_switch);
  free_rig(&r, 0);
  check_no_record_retrieved(first);
  check_no_record_retrieved(second);
  ob_list_free(first);
  ob_list_free(second);
}

typedef struct {
  ob_campaign* campaign;
  int mismatches;
} reader;

/* Reads the options over and over, each result its own until freed. */
static void* read_options(void* arg) {
  reader* rd = (reader*)arg;
  int i;
  for (i = 0; i < 10000; ++i) {
    ob_campaign_options o;
    o.version = OB_CAMPAIGN_OPTIONS_VERSION;
    if (ob_campaign_options_get(&o, rd->campaign) != OB_OK) {
      ++rd->mismatches;
      return NULL;
    }
    if (strcmp(o.name, "a campaign name long enough to live on the heap") != 0 || o.treatment_count != 1 ||
        strcmp(o.treatments[0].name, "a rule name long enough to live on the heap as well") != 0)
      ++rd->mismatches;
    ob_campaign_options_free(&o);
  }
  return NULL;
}

static void test_options_from_two_threads(void) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_campaign* c = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  ob_treatment rule = OB_TREATMENT_INIT;
  reader a, b;
  pthread_t ta, tb;

  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  CHECK_OK(ob_sim_tserver_new(&drv, net, 1, "agent", NULL));
  rule.id = 1;
  rule.name = "a rule name long enough to live on the heap as well";
  o.name = "a campaign name long enough to live on the heap";
  o.treatments = &rule;
  o.treatment_count = 1;
  CHECK_OK(ob_campaign_new(&c, e, &o, drv, NULL));
  a.campaign = b.campaign = c;
  a.mismatches = b.mismatches = 0;
  CHECK(pthread_create(&ta, NULL, read_options, &a) == 0);
  CHECK(pthread_create(&tb, NULL, read_options, &b) == 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  CHECK(a.mismatches == 0 && b.mismatches == 0);
  ob_campaign_free(c);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

int main(void) {
  const char* dir = temp_dir();
  test_freed_while_finishing(dir, FREE_CAMPAIGN, 1);
  test_freed_while_finishing(dir, FREE_ENGINE, 1);
  test_freed_while_finishing(dir, FREE_CAMPAIGN, 0);
  test_freed_while_finishing(dir, FREE_ENGINE, 0);
  test_thread_stopped_while_finishing(dir);
  test_two_finishes_at_once(dir);
  test_options_from_two_threads();
  remove_dir(dir);
  return check_report("test_capi_races");
}
