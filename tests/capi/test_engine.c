/* C API engines: clocks, the loop (poll, run_until with a predicate, run_for,
 * stop), timers and posted work, the engine's own thread, the log callback,
 * and what callbacks may not do. */
#include "check.h"

#include <pthread.h>
#include <time.h>

typedef struct {
  ob_engine* engine;
  int fired;
  int64_t fired_at_ms;
  int stop_after;
  int rc_inside;        /* what a call made from inside the callback returned */
  pthread_t thread;     /* the thread the callback ran on */
} counter;

static void count_task(void* user_data) {
  counter* c = (counter*)user_data;
  ++c->fired;
  ob_engine_now(&c->fired_at_ms, c->engine);
  c->thread = pthread_self();
}

static int done_after(void* user_data) {
  counter* c = (counter*)user_data;
  return c->fired >= c->stop_after;
}

static ob_engine* manual_engine(int64_t start_ms) {
  ob_engine_options o = OB_ENGINE_OPTIONS_INIT;
  ob_engine* e = NULL;
  o.clock = OB_CLOCK_MANUAL;
  o.start_ms = start_ms;
  CHECK_OK(ob_engine_new(&e, &o));
  return e;
}

static void test_manual_clock(void) {
  ob_engine* e = manual_engine(TEST_START_MS);
  int64_t now = 0;
  int manual = 0, was = -1;
  uint64_t t1 = 0, t2 = 0, t3 = 0;
  size_t ran = 99;
  counter c;
  memset(&c, 0, sizeof c);
  c.engine = e;
  CHECK_OK(ob_engine_now(&now, e));
  CHECK(now == TEST_START_MS);
  CHECK_OK(ob_engine_is_manual(&manual, e));
  CHECK(manual == 1);

  /* Timers fire in time order as run_until jumps the clock. */
  CHECK_OK(ob_engine_schedule(&t1, e, 1000, count_task, &c));
  CHECK_OK(ob_engine_schedule(&t2, e, 5000, count_task, &c));
  CHECK_OK(ob_engine_schedule(&t3, e, 9000, count_task, &c));
  CHECK(t1 != 0 && t2 != 0 && t3 != 0 && t1 != t2);
  CHECK_OK(ob_engine_cancel_timer(&was, e, t3));
  CHECK(was == 1);
  CHECK_OK(ob_engine_cancel_timer(&was, e, t3));
  CHECK(was == 0);
  CHECK_OK(ob_engine_poll(&ran, e));
  CHECK(ran == 0 && c.fired == 0);
  CHECK_OK(ob_engine_run_until(e, TEST_START_MS + 2000, NULL, NULL));
  CHECK(c.fired == 1 && c.fired_at_ms == TEST_START_MS + 1000);
  CHECK_OK(ob_engine_now(&now, e));
  CHECK(now == TEST_START_MS + 2000);
  CHECK_OK(ob_engine_run_for(e, 10000));
  CHECK(c.fired == 2 && c.fired_at_ms == TEST_START_MS + 5000);
  CHECK_OK(ob_engine_now(&now, e));
  CHECK(now == TEST_START_MS + 12000);

  /* A predicate ends a run early. */
  c.stop_after = 3;
  CHECK_OK(ob_engine_schedule(NULL, e, 1000, count_task, &c));
  CHECK_OK(ob_engine_schedule(NULL, e, 2000, count_task, &c));
  CHECK_OK(ob_engine_run_until(e, TEST_START_MS + 3600000, done_after, &c));
  CHECK(c.fired == 3);
  CHECK_OK(ob_engine_now(&now, e));
  CHECK(now == TEST_START_MS + 13000);

  /* Posted work runs on the next turn. */
  CHECK_OK(ob_engine_post(e, count_task, &c));
  CHECK_OK(ob_engine_poll(&ran, e));
  CHECK(ran >= 1 && c.fired == 4);

  /* stop() makes the next run return at once. */
  CHECK_OK(ob_engine_stop(e));
  CHECK_OK(ob_engine_run_until(e, TEST_START_MS + 7200000, NULL, NULL));
  CHECK_OK(ob_engine_now(&now, e));
  CHECK(now < TEST_START_MS + 7200000);

  /* The clock moves only forward. */
  CHECK_OK(ob_engine_advance_clock(e, TEST_START_MS + 20000000));
  CHECK_OK(ob_engine_advance_clock(e, TEST_START_MS));
  CHECK_OK(ob_engine_now(&now, e));
  CHECK(now == TEST_START_MS + 20000000);

  /* No thread on a manual clock; bad arguments. */
  CHECK_RC(ob_engine_start_thread(e), OB_ESTATE);
  CHECK_OK(ob_engine_stop_thread(e));
  CHECK_RC(ob_engine_schedule(NULL, e, -1, count_task, &c), OB_EINVALID);
  CHECK_RC(ob_engine_schedule(NULL, e, 1, NULL, &c), OB_EINVALID);
  CHECK_RC(ob_engine_post(e, NULL, &c), OB_EINVALID);
  CHECK_RC(ob_engine_run_for(e, -5), OB_EINVALID);
  CHECK_RC(ob_engine_now(NULL, e), OB_EINVALID);
  CHECK_RC(ob_engine_is_manual(NULL, e), OB_EINVALID);
  {
    ob_engine_options bad = OB_ENGINE_OPTIONS_INIT;
    ob_engine* none = NULL;
    bad.clock = 7;
    CHECK_RC(ob_engine_new(&none, &bad), OB_EINVALID);
    bad.clock = OB_CLOCK_REAL;
    bad.version = OB_ENGINE_OPTIONS_VERSION + 1;
    CHECK_RC(ob_engine_new(&none, &bad), OB_EINVALID);
    CHECK(none == NULL);
    CHECK_RC(ob_engine_new(NULL, NULL), OB_EINVALID);
  }
  ob_engine_free(e);
}

/* What callbacks may not do: run the loop again, stop the thread, free their engine. */
static void nested_calls(void* user_data) {
  counter* c = (counter*)user_data;
  int rc1 = ob_engine_run_for(c->engine, 10);
  int rc2 = ob_engine_poll(NULL, c->engine);
  int rc3 = ob_engine_stop_thread(c->engine);
  int64_t now;
  int rc4 = ob_engine_now(&now, c->engine);
  ob_engine_free(c->engine); /* refused: sets the last error, does nothing */
  c->rc_inside = (rc1 == OB_ESTATE && rc2 == OB_ESTATE && rc3 == OB_ESTATE && rc4 == OB_OK &&
                  strstr(ob_last_error(), "ob_engine_free") != NULL)
                     ? 1
                     : -1;
  ++c->fired;
}

static void test_callback_limits(void) {
  ob_engine* e = manual_engine(TEST_START_MS);
  counter c;
  memset(&c, 0, sizeof c);
  c.engine = e;
  CHECK_OK(ob_engine_schedule(NULL, e, 10, nested_calls, &c));
  CHECK_OK(ob_engine_run_for(e, 100));
  CHECK(c.fired == 1);
  CHECK(c.rc_inside == 1);
  ob_engine_free(e);
}

typedef struct {
  int lines;
  int warnings;
} log_count;

static void on_log(void* user_data, int level, const char* message) {
  log_count* l = (log_count*)user_data;
  ++l->lines;
  if (level >= OB_LOG_WARNING) ++l->warnings;
  (void)message;
}

/* The log callback gets campaign events as lines; the engine knows its campaigns. */
static void test_log_and_campaign_lookup(void) {
  ob_engine* e = manual_engine(TEST_START_MS);
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_campaign *camp = NULL, *found = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  log_count log = {0, 0};
  size_t n = 9;
  CHECK_OK(ob_engine_set_log_callback(e, on_log, &log));
  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  CHECK_OK(ob_sim_tserver_new(&drv, net, 2, NULL, NULL));
  co.name = "lookup";
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  CHECK_OK(ob_engine_campaign_count(&n, e));
  CHECK(n == 1);
  CHECK_OK(ob_engine_campaign(&found, e, "lookup"));
  CHECK(found == camp);
  CHECK_RC(ob_engine_campaign(&found, e, "nope"), OB_ENOTFOUND);
  CHECK_RC(ob_campaign_load(camp), OB_ESTATE); /* no calling list */
  CHECK_OK(ob_campaign_set_mode(camp, OB_DIAL_MODE_PREDICTIVE, OB_GOAL_OVERDIAL_RATE, 0.03));
  CHECK(log.lines >= 1);
  CHECK_OK(ob_engine_set_log_callback(e, NULL, NULL));
  {
    int before = log.lines;
    CHECK_OK(ob_campaign_set_mode(camp, OB_DIAL_MODE_PROGRESSIVE, OB_GOAL_NONE, 0));
    CHECK(log.lines == before);
  }
  ob_campaign_free(camp);
  CHECK_OK(ob_engine_campaign_count(&n, e));
  CHECK(n == 0);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

static void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&ts, NULL);
}

/* A counter shared with the engine's thread. */
typedef struct {
  pthread_mutex_t mu;
  int fired;
  pthread_t thread;
} shared_counter;

static void count_shared(void* user_data) {
  shared_counter* c = (shared_counter*)user_data;
  pthread_mutex_lock(&c->mu);
  ++c->fired;
  c->thread = pthread_self();
  pthread_mutex_unlock(&c->mu);
}

static int fired_shared(shared_counter* c, pthread_t* where) {
  int n;
  pthread_mutex_lock(&c->mu);
  n = c->fired;
  *where = c->thread;
  pthread_mutex_unlock(&c->mu);
  return n;
}

/* The engine's own thread: calls from this thread are carried out on it. */
static void test_engine_thread(void) {
  ob_engine* e = NULL;
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  shared_counter c;
  pthread_t where;
  int i, state = -1, manual = -1;
  memset(&c, 0, sizeof c);
  pthread_mutex_init(&c.mu, NULL);
  CHECK_OK(ob_engine_new(&e, NULL));
  CHECK_OK(ob_engine_is_manual(&manual, e));
  CHECK(manual == 0);
  CHECK_RC(ob_engine_advance_clock(e, 0), OB_ESTATE);
  CHECK_OK(ob_engine_start_thread(e));
  CHECK_RC(ob_engine_start_thread(e), OB_ESTATE);
  CHECK_RC(ob_engine_run_for(e, 10), OB_ESTATE); /* the thread runs the loop */
  CHECK_OK(ob_engine_schedule(NULL, e, 20, count_shared, &c));
  for (i = 0; i < 500 && fired_shared(&c, &where) == 0; ++i) sleep_ms(2);
  CHECK(fired_shared(&c, &where) == 1);
  CHECK(!pthread_equal(where, pthread_self()));
  /* A campaign driven from this thread while the engine thread runs it. */
  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  CHECK_OK(ob_sim_tserver_new(&drv, net, 3, "t", NULL));
  co.name = "threaded";
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  CHECK_OK(ob_campaign_state_get(&state, camp));
  CHECK(state == OB_CAMPAIGN_NOT_LOADED);
  CHECK_OK(ob_engine_stop_thread(e));
  CHECK_OK(ob_engine_stop_thread(e));
  CHECK_OK(ob_engine_run_for(e, 5));
  CHECK_OK(ob_engine_start_thread(e));
  CHECK_OK(ob_campaign_state_get(&state, camp));
  ob_campaign_free(camp);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e); /* stops the thread */
  pthread_mutex_destroy(&c.mu);
}

/* A network and driver outlive their engine's handle; freeing them later is safe. */
static void test_free_order(void) {
  ob_engine* e = manual_engine(TEST_START_MS);
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_campaign* camp = NULL;
  size_t calls = 9;
  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  CHECK_OK(ob_sim_tserver_new(&drv, net, 2, NULL, NULL));
  CHECK_OK(ob_campaign_new(&camp, e, NULL, drv, NULL));
  ob_engine_free(e);
  CHECK_RC(ob_campaign_load(camp), OB_EHANDLE); /* went with its engine */
  ob_campaign_free(camp);                        /* harmless */
  CHECK_OK(ob_sim_driver_calls_in_progress(&calls, drv));
  CHECK(calls == 0);
  ob_sim_network_free(net);
  CHECK_OK(ob_sim_driver_calls_in_progress(&calls, drv));
  ob_driver_free(drv);
}

int main(void) {
  test_manual_clock();
  test_callback_limits();
  test_log_and_campaign_lookup();
  test_engine_thread();
  test_free_order();
  return check_report("capi_engine");
}
