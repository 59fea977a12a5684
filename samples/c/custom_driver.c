/*
 * A dialer driver written in C: a toy switch with six agents of its own.
 *
 * It fills an ob_driver_class with its methods. The engine calls them on its
 * loop thread; the driver reports what happens to each call through the
 * ob_event_sink it gets in start(). Calls progress on the engine's timers
 * (ob_engine_schedule), so under a manual clock an hour takes a moment and
 * every run is the same. The switch knows its agents: it reports their states
 * and routes answered calls to them, as a T-Server would.
 *
 * Prints the switch's own counts beside the engine's: they must agree.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbound.h"

#define TRY(call)                                                                        \
  do {                                                                                   \
    int rc_ = (call);                                                                    \
    if (rc_ != OB_OK) {                                                                  \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, ob_last_error(), ob_strerror(rc_)); \
      exit(1);                                                                           \
    }                                                                                    \
  } while (0)

#define AGENTS 6
#define MAX_CALLS 64

struct toy_switch;

typedef struct {
  struct toy_switch* sw;
  uint64_t call_id;
  uint64_t timer;
  int outcome; /* the ob_call_result the call will end with */
  int agent;   /* -1 until connected */
  int in_use;
} toy_call;

typedef struct {
  struct toy_switch* sw;
  char name[16];
  int busy;
  uint64_t timer; /* wrap-up end */
} toy_agent;

typedef struct toy_switch {
  ob_engine* engine;
  ob_event_sink* sink;
  uint64_t rng;
  toy_agent agents[AGENTS];
  toy_call calls[MAX_CALLS];
  long dials, connected, abandoned, released;
  int destroyed;
} toy_switch;

/* --- helpers ---------------------------------------------------------------------------- */

static double uniform(toy_switch* sw) { /* xorshift64*: same seed, same run */
  sw->rng ^= sw->rng >> 12;
  sw->rng ^= sw->rng << 25;
  sw->rng ^= sw->rng >> 27;
  return (double)((sw->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void report(toy_call* c, int kind, int answer, const char* agent, int result) {
  ob_call_event e = OB_CALL_EVENT_INIT;
  e.kind = kind;
  e.call_id = c->call_id;
  e.answer = answer;
  e.agent_id = agent;
  e.result = result;
  ob_event_sink_call_event(c->sw->sink, &e);
}

static void agent_state(toy_agent* a, int state) {
  ob_agent_event e = OB_AGENT_EVENT_INIT;
  e.agent_id = a->name;
  e.state = state;
  ob_event_sink_agent_event(a->sw->sink, &e);
}

static void after(toy_switch* sw, uint64_t* timer, double seconds, ob_task_cb fn, void* arg) {
  ob_engine_schedule(timer, sw->engine, (int64_t)(seconds * 1000), fn, arg);
}

/* --- a call's life, one timer at a time -------------------------------------------------- */

static void agent_ready(void* arg) {
  toy_agent* a = (toy_agent*)arg;
  a->busy = 0;
  agent_state(a, OB_AGENT_READY);
}

static void release(toy_call* c, int result) {
  if (c->agent >= 0) { /* the agent wraps up for 10 s */
    toy_agent* a = &c->sw->agents[c->agent];
    agent_state(a, OB_AGENT_WRAP_UP);
    after(c->sw, &a->timer, 10.0, agent_ready, a);
  }
  report(c, OB_CALL_EVENT_RELEASED, OB_ANSWER_UNKNOWN, NULL, result);
  ++c->sw->released;
  c->in_use = 0;
}

static void hang_up(void* arg) {
  toy_call* c = (toy_call*)arg;
  release(c, c->outcome);
}

static void answer(void* arg) {
  toy_call* c = (toy_call*)arg;
  toy_switch* sw = c->sw;
  int i;
  if (c->outcome == OB_CALL_RESULT_ANSWERING_MACHINE) {
    report(c, OB_CALL_EVENT_ANSWERED, OB_ANSWER_MACHINE, NULL, OB_CALL_RESULT_UNKNOWN);
    release(c, c->outcome);
    return;
  }
  report(c, OB_CALL_EVENT_ANSWERED, OB_ANSWER_LIVE, NULL, OB_CALL_RESULT_UNKNOWN);
  for (i = 0; i < AGENTS; ++i) {
    toy_agent* a = &sw->agents[i];
    if (a->busy) continue;
    a->busy = 1;
    c->agent = i;
    agent_state(a, OB_AGENT_BUSY);
    report(c, OB_CALL_EVENT_CONNECTED, OB_ANSWER_UNKNOWN, a->name, OB_CALL_RESULT_UNKNOWN);
    ++sw->connected;
    after(sw, &c->timer, 60.0 + 180.0 * uniform(sw), hang_up, c); /* talk 1–4 minutes */
    return;
  }
  /* No agent free: the engine calls release_abandoned after its abandon time. */
}

/* --- the driver methods ----------------------------------------------------------------- */

static int toy_capabilities(void* user_data, ob_driver_capabilities* out) {
  (void)user_data;
  out->kind = OB_DRIVER_CUSTOM;
  out->max_concurrent_calls = MAX_CALLS;
  out->reports_agent_states = 1;
  out->routes_to_agents = 1;
  out->detects_machines = 1;
  return OB_OK;
}

static int toy_start(void* user_data, ob_event_sink* sink) {
  toy_switch* sw = (toy_switch*)user_data;
  int i;
  sw->sink = sink;
  for (i = 0; i < AGENTS; ++i) agent_state(&sw->agents[i], OB_AGENT_READY);
  return OB_OK;
}

static int toy_dial(void* user_data, const ob_dial_request* rq) {
  toy_switch* sw = (toy_switch*)user_data;
  double u = uniform(sw), ring = 4.0 + 12.0 * uniform(sw);
  int i;
  for (i = 0; i < MAX_CALLS && sw->calls[i].in_use; ++i) {
  }
  if (i == MAX_CALLS) {
    ob_error_set(OB_EBUSY, "toy switch: every line is taken");
    return OB_EBUSY;
  }
  {
    toy_call* c = &sw->calls[i];
    c->sw = sw;
    c->call_id = rq->call_id;
    c->agent = -1;
    c->in_use = 1;
    ++sw->dials;
    report(c, OB_CALL_EVENT_DIALING, OB_ANSWER_UNKNOWN, NULL, OB_CALL_RESULT_UNKNOWN);
    if (u < 0.35) {
      c->outcome = OB_CALL_RESULT_ANSWER;
      after(sw, &c->timer, ring, answer, c);
    } else if (u < 0.45) {
      c->outcome = OB_CALL_RESULT_ANSWERING_MACHINE;
      after(sw, &c->timer, ring, answer, c);
    } else if (u < 0.55) {
      c->outcome = OB_CALL_RESULT_BUSY;
      after(sw, &c->timer, 3.0, hang_up, c);
    } else if (u < 0.60) {
      c->outcome = OB_CALL_RESULT_SIT_INVALID_NUM;
      after(sw, &c->timer, 2.0, hang_up, c);
    } else {
      c->outcome = OB_CALL_RESULT_NO_ANSWER;
      after(sw, &c->timer, rq->ring_timeout_ms / 1000.0, hang_up, c);
    }
  }
  return OB_OK;
}

static toy_call* find(toy_switch* sw, uint64_t call_id) {
  int i;
  for (i = 0; i < MAX_CALLS; ++i)
    if (sw->calls[i].in_use && sw->calls[i].call_id == call_id) return &sw->calls[i];
  return NULL;
}

static int toy_cancel(void* user_data, uint64_t call_id) {
  toy_call* c = find((toy_switch*)user_data, call_id);
  if (c) {
    ob_engine_cancel_timer(NULL, c->sw->engine, c->timer);
    release(c, OB_CALL_RESULT_CLEARED);
  }
  return OB_OK;
}

static int toy_release_abandoned(void* user_data, uint64_t call_id) {
  toy_call* c = find((toy_switch*)user_data, call_id);
  if (c) {
    ob_engine_cancel_timer(NULL, c->sw->engine, c->timer);
    ++c->sw->abandoned;
    release(c, OB_CALL_RESULT_ABANDONED);
  }
  return OB_OK;
}

static int toy_stop(void* user_data) {
  toy_switch* sw = (toy_switch*)user_data;
  int i;
  for (i = 0; i < MAX_CALLS; ++i)
    if (sw->calls[i].in_use) toy_cancel(sw, sw->calls[i].call_id);
  for (i = 0; i < AGENTS; ++i) {
    ob_engine_cancel_timer(NULL, sw->engine, sw->agents[i].timer);
    agent_state(&sw->agents[i], OB_AGENT_LOGGED_OUT);
  }
  return OB_OK;
}

static void toy_destroy(void* user_data) { ((toy_switch*)user_data)->destroyed = 1; }

/* --- the host ------------------------------------------------------------------------------ */

int main(void) {
  static toy_switch sw;
  static char phones[600][16];
  static ob_record records[600];
  char dir[] = "/tmp/outbound-driver-XXXXXX", path[256], conn[300], extra[300];
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_driver_class cls;
  ob_engine* engine;
  ob_driver* driver;
  ob_list* list;
  ob_campaign* campaign;
  int64_t by_status[OB_RECORD_STATUS_COUNT];
  int i;

  if (!mkdtemp(dir)) return 1;
  snprintf(path, sizeof path, "%s/list.db", dir);
  snprintf(conn, sizeof conn, "sqlite3://%s", path);
  eo.clock = OB_CLOCK_MANUAL;
  eo.start_ms = 1773061200000LL;
  TRY(ob_engine_new(&engine, &eo));

  /* The driver: its state, then its class. ob_driver_new copies the class. */
  sw.engine = engine;
  sw.rng = 0x9E3779B97F4A7C15ULL;
  for (i = 0; i < AGENTS; ++i) {
    sw.agents[i].sw = &sw;
    snprintf(sw.agents[i].name, sizeof sw.agents[i].name, "toy%d", i + 1);
  }
  memset(&cls, 0, sizeof cls);
  cls.version = OB_DRIVER_CLASS_VERSION;
  cls.name = "toy-switch";
  cls.destroy = toy_destroy;
  cls.capabilities = toy_capabilities;
  cls.start = toy_start;
  cls.dial = toy_dial;
  cls.cancel = toy_cancel;
  cls.release_abandoned = toy_release_abandoned;
  cls.stop = toy_stop;
  TRY(ob_driver_new(&driver, &cls, &sw));

  lo.create_if_missing = 1;
  TRY(ob_list_open(&list, conn, &lo));
  for (i = 0; i < 600; ++i) {
    ob_record r = OB_RECORD_INIT;
    snprintf(phones[i], sizeof phones[i], "+1718%07d", 5550000 + i);
    r.record_id = i + 1;
    r.contact_info = phones[i];
    r.chain_id = i + 1;
    r.chain_n = 1;
    records[i] = r;
  }
  TRY(ob_list_insert(list, records, 600));

  co.name = "toy";
  co.mode = OB_DIAL_MODE_PROGRESSIVE;
  TRY(ob_campaign_new(&campaign, engine, &co, driver, NULL));
  ob_driver_free(driver); /* the campaign holds the driver from here */
  TRY(ob_campaign_add_list(campaign, list, 1.0));
  TRY(ob_campaign_load(campaign));
  TRY(ob_campaign_start(campaign));
  TRY(ob_engine_run_for(engine, 3600LL * 1000));
  TRY(ob_campaign_finish(NULL, campaign, 3600LL * 1000)); /* stop, let calls end, unload */
  TRY(ob_campaign_stats_get(&st, campaign));
  TRY(ob_list_count_by_status(by_status, OB_RECORD_STATUS_COUNT, list));

  printf("summary: custom C driver (toy switch, %d agents), progressive, 1 simulated hour\n", AGENTS);
  printf("  switch dials      %ld\n", sw.dials);
  printf("  engine dials      %ld\n", st.dials);
  printf("  switch connected  %ld\n", sw.connected);
  printf("  engine connected  %ld\n", st.connected);
  printf("  abandoned         %ld (engine %ld)\n", sw.abandoned, st.abandoned);
  printf("  machines / busy / no answer / sit  %ld / %ld / %ld / %ld\n", st.machines, st.busy, st.no_answer, st.sit);
  printf("  occupancy         %.2f\n", st.agent_occupancy);
  printf("  left retrieved    %lld\n", (long long)by_status[OB_RECORD_STATUS_RETRIEVED]);
  ob_campaign_free(campaign); /* lets go of the driver: destroy runs */
  printf("  destroyed         %s\n", sw.destroyed ? "yes" : "no");
  ob_list_free(list);
  ob_engine_free(engine);
  unlink(path);
  snprintf(extra, sizeof extra, "%s-wal", path);
  unlink(extra);
  snprintf(extra, sizeof extra, "%s-shm", path);
  unlink(extra);
  rmdir(dir);
  return sw.dials == st.dials && sw.connected == st.connected && sw.destroyed ? 0 : 1;
}
