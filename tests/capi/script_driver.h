/* A custom driver written against the C driver interface for the tests: each
 * call ends after fixed delays on the engine's timers (so it is deterministic
 * under a manual clock) with a result chosen from its record_id; live answers
 * are connected to the first free agent it knows. It counts what the engine
 * asked of it and how often it was destroyed. */
#ifndef OB_TEST_SCRIPT_DRIVER_H
#define OB_TEST_SCRIPT_DRIVER_H

#include "check.h"

#include <stddef.h>
#include <string.h>

#define SCRIPT_MAX_CALLS 256
#define SCRIPT_MAX_AGENTS 8

struct script_driver;

typedef struct {
  struct script_driver* driver;
  uint64_t call_id;
  uint64_t timer;
  int result;
  int agent; /* index of the connected agent, or -1 */
  int in_use;
} script_call;

typedef struct script_driver {
  ob_engine* engine;
  ob_event_sink* sink;
  int destroyed, started, stopped, dials, cancels, abandons;
  int fail_dials;  /* refuse dials with this status (0: accept) */
  int fail_start;  /* refuse start with this status (0: accept) */
  int event_version;  /* 1: report events as a version-1 host would (no message_left); 0: the current version */
  int agent_count;
  int agent_busy[SCRIPT_MAX_AGENTS];
  char agent_names[SCRIPT_MAX_AGENTS][16];
  script_call calls[SCRIPT_MAX_CALLS];
} script_driver;

/* busy for ids divisible by 4, no answer for ids = 1 mod 4, else a live answer. */
static inline int script_result_for(int64_t record_id) {
  if (record_id % 4 == 0) return OB_CALL_RESULT_BUSY;
  if (record_id % 4 == 1) return OB_CALL_RESULT_NO_ANSWER;
  return OB_CALL_RESULT_ANSWER;
}

static inline void script_report(script_call* c, int kind, int answer, const char* agent, int result) {
  ob_call_event e = OB_CALL_EVENT_INIT;
  e.kind = kind;
  e.call_id = c->call_id;
  e.answer = answer;
  e.agent_id = agent;
  e.result = result;
  if (c->driver->event_version == 1) {
    /* A version-1 host's struct ends before message_left; what lies after it is not
     * the host's: filled with 0xff here, so a library reading past the end sees "1". */
    unsigned char buf[sizeof(ob_call_event)];
    memset(buf, 0xff, sizeof buf);
    e.version = 1;
    memcpy(buf, &e, offsetof(ob_call_event, message_left));
    if (ob_event_sink_call_event(c->driver->sink, (const ob_call_event*)(void*)buf) != OB_OK)
      fprintf(stderr, "script driver: event refused: %s\n", ob_last_error());
    return;
  }
  if (ob_event_sink_call_event(c->driver->sink, &e) != OB_OK)
    fprintf(stderr, "script driver: event refused: %s\n", ob_last_error());
}

static inline void script_end(void* user_data) {
  script_call* c = (script_call*)user_data;
  script_report(c, OB_CALL_EVENT_RELEASED, OB_ANSWER_UNKNOWN, NULL, c->result);
  if (c->agent >= 0) c->driver->agent_busy[c->agent] = 0;
  c->in_use = 0;
}

static inline void script_progress(void* user_data) {
  script_call* c = (script_call*)user_data;
  script_driver* d = c->driver;
  int i;
  if (c->result != OB_CALL_RESULT_ANSWER) {
    script_end(c);
    return;
  }
  script_report(c, OB_CALL_EVENT_ANSWERED, OB_ANSWER_LIVE, NULL, OB_CALL_RESULT_UNKNOWN);
  for (i = 0; i < d->agent_count; ++i) {
    if (!d->agent_busy[i]) {
      d->agent_busy[i] = 1;
      c->agent = i;
      script_report(c, OB_CALL_EVENT_CONNECTED, OB_ANSWER_UNKNOWN, d->agent_names[i], OB_CALL_RESULT_UNKNOWN);
      break;
    }
  }
  /* Talk for a minute (or, with no agent, the engine abandons the call first). */
  ob_engine_schedule(&c->timer, d->engine, 60000, script_end, c);
}

static inline void script_destroy(void* user_data) { ++((script_driver*)user_data)->destroyed; }

static inline int script_capabilities(void* user_data, ob_driver_capabilities* out) {
  (void)user_data;
  out->kind = OB_DRIVER_CUSTOM;
  out->max_concurrent_calls = SCRIPT_MAX_CALLS;
  return OB_OK;
}

static inline int script_start(void* user_data, ob_event_sink* sink) {
  script_driver* d = (script_driver*)user_data;
  if (d->fail_start) {
    ob_error_set(d->fail_start, "script driver: the switch is down");
    return d->fail_start;
  }
  d->sink = sink;
  ++d->started;
  return OB_OK;
}

static inline int script_dial(void* user_data, const ob_dial_request* rq) {
  script_driver* d = (script_driver*)user_data;
  int i;
  if (d->fail_dials) {
    ob_error_set(d->fail_dials, "script driver: no line for this call");
    return d->fail_dials;
  }
  for (i = 0; i < SCRIPT_MAX_CALLS; ++i) {
    script_call* c = &d->calls[i];
    if (c->in_use) continue;
    c->driver = d;
    c->call_id = rq->call_id;
    c->result = script_result_for(rq->record_id);
    c->agent = -1;
    c->in_use = 1;
    ++d->dials;
    script_report(c, OB_CALL_EVENT_DIALING, OB_ANSWER_UNKNOWN, NULL, OB_CALL_RESULT_UNKNOWN);
    return ob_engine_schedule(&c->timer, d->engine, 8000, script_progress, c);
  }
  ob_error_set(OB_EBUSY, "script driver: all lines busy");
  return OB_EBUSY;
}

static inline script_call* script_find(script_driver* d, uint64_t call_id) {
  int i;
  for (i = 0; i < SCRIPT_MAX_CALLS; ++i)
    if (d->calls[i].in_use && d->calls[i].call_id == call_id) return &d->calls[i];
  return NULL;
}

static inline int script_cancel(void* user_data, uint64_t call_id) {
  script_driver* d = (script_driver*)user_data;
  script_call* c = script_find(d, call_id);
  ++d->cancels;
  if (!c) return OB_OK;
  ob_engine_cancel_timer(NULL, d->engine, c->timer);
  c->result = OB_CALL_RESULT_CLEARED;
  script_end(c);
  return OB_OK;
}

static inline int script_release_abandoned(void* user_data, uint64_t call_id) {
  script_driver* d = (script_driver*)user_data;
  script_call* c = script_find(d, call_id);
  ++d->abandons;
  if (!c) return OB_OK;
  ob_engine_cancel_timer(NULL, d->engine, c->timer);
  c->result = OB_CALL_RESULT_ABANDONED;
  script_end(c);
  return OB_OK;
}

static inline int script_stop(void* user_data) {
  script_driver* d = (script_driver*)user_data;
  int i;
  for (i = 0; i < SCRIPT_MAX_CALLS; ++i) {
    if (!d->calls[i].in_use) continue;
    ob_engine_cancel_timer(NULL, d->engine, d->calls[i].timer);
    d->calls[i].in_use = 0;
  }
  ++d->stopped;
  return OB_OK;
}

/* The driver class of the script driver. */
static inline ob_driver_class script_class(void) {
  ob_driver_class cls;
  memset(&cls, 0, sizeof cls);
  cls.version = OB_DRIVER_CLASS_VERSION;
  cls.destroy = script_destroy;
  cls.name = "script";
  cls.capabilities = script_capabilities;
  cls.start = script_start;
  cls.dial = script_dial;
  cls.cancel = script_cancel;
  cls.release_abandoned = script_release_abandoned;
  cls.stop = script_stop;
  return cls;
}

/* Sets up `d` with `agents` agents named a0, a1, … on `engine`. */
/* A campaign with options `co` dialing through `d` (started with script_init); the campaign
 * keeps the driver, so the caller holds no driver handle. OB_OK or the failing call's code. */
static inline int script_campaign_new(ob_campaign** out, ob_engine* engine, script_driver* d, const ob_campaign_options* co) {
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  int rc = ob_driver_new(&drv, &cls, d);
  if (rc != OB_OK) return rc;
  rc = ob_campaign_new(out, engine, co, drv, NULL);
  ob_driver_free(drv);
  return rc;
}

static inline void script_init(script_driver* d, ob_engine* engine, int agents) {
  int i;
  memset(d, 0, sizeof *d);
  d->engine = engine;
  d->agent_count = agents;
  for (i = 0; i < agents && i < SCRIPT_MAX_AGENTS; ++i) snprintf(d->agent_names[i], sizeof d->agent_names[i], "a%d", i);
}

#endif /* OB_TEST_SCRIPT_DRIVER_H */
