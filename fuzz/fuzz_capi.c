/*
 * Fuzz target: C API call sequences. The input is a program: each byte picks
 * an operation, the following bytes its arguments. Handles are kept in slots;
 * an argument may pick a live handle, a freed one, NULL, or a handle of
 * another kind. Whatever the sequence, no call may crash, every status must be
 * a defined code with a message, and at the end (everything freed) every
 * custom driver must have been destroyed exactly once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbound.h"

#define SLOTS 3
#define STALE 8

/* --- reading the input ----------------------------------------------------------------- */

typedef struct {
  const uint8_t* p;
  size_t n;
} input;

static unsigned byte(input* in) {
  if (!in->n) return 0;
  --in->n;
  return *in->p++;
}

static unsigned upto(input* in, unsigned n) { return n ? byte(in) % n : 0; }

static int64_t i64(input* in) {
  int64_t v = 0;
  int i;
  for (i = 0; i < 4; ++i) v = (v << 8) | byte(in);
  return v - 0x7fffffff;
}

/* A short NUL-terminated string from the input (static buffer `buf`). */
static const char* text(input* in, char* buf, size_t size) {
  size_t len = upto(in, (unsigned)size), i;
  for (i = 0; i < len; ++i) buf[i] = (char)(byte(in) | 1); /* no NUL inside */
  buf[len] = 0;
  return buf;
}

/* --- checking every status ----------------------------------------------------------------- */

static int trace = -1; /* OB_FUZZ_TRACE=1 prints every failing status (to see what a seed reaches) */

static void check_at(int rc, const char* call) {
  if (trace < 0) trace = getenv("OB_FUZZ_TRACE") != NULL;
  if (trace) fprintf(stderr, "%-60.60s -> %d %s\n", call, rc, rc ? ob_last_error() : "");
  if (rc == OB_OK) return;
  if (rc > OB_OK || rc < OB_EHANDLE) {
    fprintf(stderr, "undefined status %d\n", rc);
    __builtin_trap();
  }
  if (!ob_last_error() || !*ob_last_error()) __builtin_trap();
}
#define check(call) check_at((call), #call)

/* --- handles in slots ------------------------------------------------------------------------- */

typedef struct {
  void* live[SLOTS];
  void* stale[STALE];
  unsigned stale_next;
} pool;

enum { P_ENGINE, P_LIST, P_DNC, P_NETWORK, P_DRIVER, P_CAMPAIGN, P_COUNT };
static pool pools[P_COUNT];

/* A handle argument: usually a live one of kind `k`, sometimes stale, NULL or of another kind. */
static void* pick(input* in, int k) {
  unsigned how = byte(in), i = byte(in);
  if (how < 200) return pools[k].live[i % SLOTS];
  if (how < 220) return pools[k].stale[i % STALE];
  if (how < 235) return NULL;
  return pools[i % P_COUNT].live[(i / P_COUNT) % SLOTS];
}

static void** slot(input* in, int k) { return &pools[k].live[upto(in, SLOTS)]; }

/* Moves a freed handle to the stale list (it is never dereferenced by this program). */
static void forget(int k, void** s) {
  pools[k].stale[pools[k].stale_next++ % STALE] = *s;
  *s = NULL;
}

/* --- a custom driver whose every move the input decides ---------------------------------- */

typedef struct fuzz_driver {
  ob_engine* engine;
  ob_event_sink* sink;
  int fail;     /* status its methods return (0: succeed) */
  int result;   /* call result of its calls */
  uint64_t last_call;
} fuzz_driver;

static fuzz_driver drivers[16];
static unsigned drivers_made, drivers_destroyed;

static void driver_destroy(void* ud) {
  (void)ud;
  ++drivers_destroyed;
}
static int driver_start(void* ud, ob_event_sink* sink) {
  fuzz_driver* d = (fuzz_driver*)ud;
  d->sink = sink;
  if (d->fail) ob_error_set(d->fail, "fuzz driver refuses to start");
  return d->fail;
}
static void driver_release(void* ud) {
  fuzz_driver* d = (fuzz_driver*)ud;
  ob_call_event e = OB_CALL_EVENT_INIT;
  e.kind = OB_CALL_RELEASED;
  e.call_id = d->last_call;
  e.result = d->result;
  check(ob_event_sink_call_event(d->sink, &e));
}
static int driver_dial(void* ud, const ob_dial_request* rq) {
  fuzz_driver* d = (fuzz_driver*)ud;
  ob_call_event e = OB_CALL_EVENT_INIT;
  if (d->fail) return d->fail; /* no message: the engine makes one */
  d->last_call = rq->call_id;
  e.call_id = rq->call_id;
  check(ob_event_sink_call_event(d->sink, &e));
  check(ob_engine_schedule(NULL, d->engine, 1000, driver_release, d));
  return OB_OK;
}
static int driver_cancel(void* ud, uint64_t call_id) {
  fuzz_driver* d = (fuzz_driver*)ud;
  d->last_call = call_id;
  driver_release(d);
  return OB_OK;
}
static int driver_stop(void* ud) { return ((fuzz_driver*)ud)->fail; }

/* --- the operations --------------------------------------------------------------------------- */

static int64_t statuses[OB_RECORD_STATUS_COUNT];

static void op_engine(input* in) {
  void** s = slot(in, P_ENGINE);
  ob_engine_options o = OB_ENGINE_OPTIONS_INIT;
  if (*s) {
    ob_engine_free((ob_engine*)*s);
    forget(P_ENGINE, s);
    return;
  }
  o.clock = OB_CLOCK_MANUAL;
  o.start_ms = 1773061200000LL + (int64_t)byte(in) * 3600000;
  check(ob_engine_new((ob_engine**)s, &o));
}

static void op_list(input* in) {
  void** s = slot(in, P_LIST);
  ob_list_options o = OB_LIST_OPTIONS_INIT;
  char phone[24];
  ob_record r = OB_RECORD_INIT;
  unsigned i, n;
  if (*s && byte(in) < 128) {
    ob_list_free((ob_list*)*s);
    forget(P_LIST, s);
    return;
  }
  if (!*s) {
    o.create_if_missing = 1;
    check(ob_list_open((ob_list**)s, "sqlite3://:memory:", &o));
    return;
  }
  n = upto(in, 8);
  for (i = 0; i < n; ++i) {
    unsigned hi = byte(in), lo = byte(in);
    snprintf(phone, sizeof phone, "+1212%07u", 2000000 + hi * 256 + lo);
    r.record_id = (int64_t)byte(in);
    r.contact_info = phone;
    r.chain_id = (int)upto(in, 4);
    r.chain_n = (int)byte(in);
    r.record_type = (int)upto(in, 9);
    r.record_status = (int)upto(in, 10);
    r.call_result = (int)upto(in, 56);
    r.daily_from = (int)upto(in, 3) * 30000;
    r.daily_till = 86400 - (int)upto(in, 3) * 20000;
    r.dial_sched_time = byte(in) < 128 ? OB_NO_TIME : 1773061200LL + i64(in) % 100000;
    check(ob_list_insert((ob_list*)pick(in, P_LIST), &r, 1));
  }
  check(ob_list_count_by_status(statuses, OB_RECORD_STATUS_COUNT, (ob_list*)pick(in, P_LIST)));
  {
    ob_record* page = NULL;
    size_t count = 0;
    ob_list* l = (ob_list*)pick(in, P_LIST);
    int64_t after = i64(in) % 300;
    check(ob_list_page(&page, &count, l, after, upto(in, 20)));
    ob_records_free(page, count);
  }
}

static void op_csv(input* in) {
  char buf[256];
  ob_import_report* report = NULL;
  ob_csv_options o = OB_CSV_OPTIONS_INIT;
  char* out = NULL;
  const char* t = text(in, buf, sizeof buf);
  o.delimiter = byte(in) < 200 ? ',' : ';';
  check(ob_list_import_csv_text(&report, (ob_list*)pick(in, P_LIST), t, strlen(t), &o));
  if (report && report->data_rows != report->imported + report->error_count) __builtin_trap();
  ob_import_report_free(report);
  check(ob_list_export_csv_text(&out, (ob_list*)pick(in, P_LIST), &o));
  ob_free(out);
}

static void op_dnc(input* in) {
  void** s = slot(in, P_DNC);
  char buf[32];
  int out;
  if (!*s) {
    check(ob_dnc_new((ob_dnc**)s, NULL));
    return;
  }
  /* Arguments are read before the call: C leaves their order of evaluation open. */
  unsigned what = upto(in, 5);
  ob_dnc* d = (ob_dnc*)pick(in, P_DNC);
  const char* t = text(in, buf, sizeof buf);
  switch (what) {
    case 0: check(ob_dnc_add_phone(d, t, NULL)); break;
    case 1: check(ob_dnc_add_customer(d, t, "m")); break;
    case 2: check(ob_dnc_check(&out, d, t, NULL)); break;
    case 3: check(ob_dnc_contains_phone(&out, d, t)); break;
    default:
      ob_dnc_free((ob_dnc*)*s);
      forget(P_DNC, s);
  }
}

static void op_network(input* in) {
  void** s = slot(in, P_NETWORK);
  ob_sim_network_options o = OB_SIM_NETWORK_OPTIONS_INIT;
  if (*s) {
    ob_sim_network_free((ob_sim_network*)*s);
    forget(P_NETWORK, s);
    return;
  }
  o.seed = byte(in);
  if (byte(in) > 200) o.live_answer = byte(in) / 255.0; /* usually no longer sums to 1: refused */
  o.patience_s = byte(in) / 10.0;
  check(ob_sim_network_new((ob_sim_network**)s, (ob_engine*)pick(in, P_ENGINE), &o));
}

static void op_driver(input* in) {
  void** s = slot(in, P_DRIVER);
  ob_sim_network* net = (ob_sim_network*)pick(in, P_NETWORK);
  unsigned kind = upto(in, 4);
  if (*s) {
    ob_driver_free((ob_driver*)*s);
    forget(P_DRIVER, s);
    return;
  }
  if (kind == 0) {
    check(ob_sim_tserver_new((ob_driver**)s, net, (int)upto(in, 6), NULL, NULL));
  } else if (kind == 1) {
    ob_sim_cpd_options c = OB_SIM_CPD_OPTIONS_INIT;
    c.mode = (int)upto(in, 3);
    c.channels = (int)upto(in, 12);
    check(ob_sim_cpd_new((ob_driver**)s, net, (int)upto(in, 6), "c", NULL, &c));
  } else if (kind == 2) {
    ob_sim_gvp_options g = OB_SIM_GVP_OPTIONS_INIT;
    g.ports = (int)upto(in, 8);
    check(ob_sim_gvp_new((ob_driver**)s, net, &g));
  } else if (drivers_made < sizeof drivers / sizeof drivers[0]) {
    fuzz_driver* d = &drivers[drivers_made];
    ob_driver_class cls;
    memset(&cls, 0, sizeof cls);
    memset(d, 0, sizeof *d);
    d->engine = (ob_engine*)pick(in, P_ENGINE);
    d->fail = byte(in) > 220 ? -(int)upto(in, 11) : 0;
    d->result = (int)upto(in, OB_CALL_RESULT_COUNT);
    cls.version = byte(in) > 250 ? 2u : OB_DRIVER_CLASS_VERSION;
    cls.destroy = driver_destroy;
    cls.start = driver_start;
    cls.dial = driver_dial;
    cls.cancel = driver_cancel;
    cls.stop = driver_stop;
    ++drivers_made; /* destroy runs exactly once from here on, even if this fails */
    check(ob_driver_new((ob_driver**)s, &cls, d));
  }
}

static void op_campaign(input* in) {
  void** s = slot(in, P_CAMPAIGN);
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  ob_treatment t = OB_TREATMENT_INIT;
  char name[8];
  if (*s && byte(in) < 64) {
    ob_campaign_free((ob_campaign*)*s);
    forget(P_CAMPAIGN, s);
    return;
  }
  if (*s) return;
  snprintf(name, sizeof name, "c%u", upto(in, 4));
  o.name = name;
  o.mode = (int)upto(in, 13);
  o.chunk_size = upto(in, 20);
  o.tick_ms = 100 + 100 * (int64_t)upto(in, 20);
  o.ring_timeout_ms = 1000 * (int64_t)upto(in, 40);
  t.id = (int)upto(in, 3);
  t.call_result = (int)upto(in, OB_CALL_RESULT_COUNT);
  t.action = (int)upto(in, 12);
  t.cycle_attempts = (int)upto(in, 4);
  t.interval_ms = 60000 * (int64_t)upto(in, 30);
  o.treatments = &t;
  o.treatment_count = upto(in, 2);
  {
    ob_engine* e = (ob_engine*)pick(in, P_ENGINE);
    ob_driver* d = (ob_driver*)pick(in, P_DRIVER);
    ob_dnc* n = (ob_dnc*)pick(in, P_DNC);
    check(ob_campaign_new((ob_campaign**)s, e, &o, d, n));
  }
}

static void op_control(input* in) {
  ob_campaign* c = (ob_campaign*)pick(in, P_CAMPAIGN);
  char agent[8];
  snprintf(agent, sizeof agent, "a%u", upto(in, 4));
  switch (upto(in, 12)) {
    case 0: {
      ob_list* l = (ob_list*)pick(in, P_LIST);
      check(ob_campaign_add_list(c, l, 0.5 + byte(in) / 64.0));
      break;
    }
    case 1: check(ob_campaign_load(c)); break;
    case 2: check(ob_campaign_start(c)); break;
    case 3: check(ob_campaign_stop(c)); break;
    case 4: check(ob_campaign_unload(c)); break;
    case 5: check(ob_campaign_force_unload(c)); break;
    case 6: {
      int mode = (int)upto(in, 13), goal = (int)upto(in, 7);
      check(ob_campaign_set_mode(c, mode, goal, byte(in) / 255.0));
      break;
    }
    case 7: check(ob_campaign_set_agent_state(c, agent, (int)upto(in, 7))); break;
    case 8: {
      ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
      check(ob_campaign_stats_get(&st, c));
      break;
    }
    case 9: check(ob_campaign_flush(c)); break;
    case 10: {
      ob_desktop_record* r = NULL;
      check(ob_desktop_preview_record(&r, c, agent));
      if (r) {
        switch (upto(in, 4)) {
          case 0: check(ob_desktop_record_processed(c, agent, r->handle, (int)upto(in, 55) - 1)); break;
          case 1: check(ob_desktop_record_reject(c, agent, r->handle)); break;
          case 2: check(ob_desktop_do_not_call(c, agent, r->handle, (int)upto(in, 3), NULL)); break;
          default: {
            int64_t at = 1773061200LL + i64(in);
            check(ob_desktop_record_reschedule(c, agent, r->handle, at, (int)upto(in, 3)));
          }
        }
      }
      ob_desktop_record_free(r);
      break;
    }
    default: {
      ob_desktop_record* rs = NULL;
      size_t n = 0;
      check(ob_desktop_records(&rs, &n, c, agent));
      ob_desktop_records_free(rs, n);
      check(ob_desktop_logout(c, agent));
    }
  }
}

static void op_run(input* in) {
  ob_engine* e = (ob_engine*)pick(in, P_ENGINE);
  if (byte(in) < 128) {
    int64_t seconds = byte(in);
    check(ob_engine_run_for(e, 1000 * seconds * (int64_t)(1 + upto(in, 8))));
  } else
    check(ob_engine_poll(NULL, e));
}

static void op_misc(input* in) {
  ob_sim_driver_stats ds = OB_SIM_DRIVER_STATS_INIT;
  size_t n;
  int v = (int)i64(in) % 64;
  if (!ob_strerror(v) || !ob_enum_name(OB_ENUM_CALL_RESULT, 0)) __builtin_trap();
  (void)ob_enum_name((int)upto(in, 30) - 3, v);
  (void)ob_call_result_name(v);
  check(ob_sim_driver_stats_get(&ds, (ob_driver*)pick(in, P_DRIVER)));
  {
    ob_driver* d = (ob_driver*)pick(in, P_DRIVER);
    check(ob_sim_driver_set_agent_count(d, (int)upto(in, 8) - 1));
  }
  check(ob_sim_driver_calls_in_progress(&n, (ob_driver*)pick(in, P_DRIVER)));
  check(ob_engine_campaign_count(&n, (ob_engine*)pick(in, P_ENGINE)));
}

/* Frees what is left, in an order the input picks. */
static void cleanup(input* in) {
  int order[P_COUNT] = {P_CAMPAIGN, P_DRIVER, P_NETWORK, P_LIST, P_DNC, P_ENGINE};
  int i, j, k;
  for (i = P_COUNT - 1; i > 0; --i) { /* shuffle */
    int t;
    j = (int)upto(in, (unsigned)i + 1);
    t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (i = 0; i < P_COUNT; ++i) {
    k = order[i];
    for (j = 0; j < SLOTS; ++j) {
      void* h = pools[k].live[j];
      if (!h) continue;
      switch (k) {
        case P_ENGINE: ob_engine_free((ob_engine*)h); break;
        case P_LIST: ob_list_free((ob_list*)h); break;
        case P_DNC: ob_dnc_free((ob_dnc*)h); break;
        case P_NETWORK: ob_sim_network_free((ob_sim_network*)h); break;
        case P_DRIVER: ob_driver_free((ob_driver*)h); break;
        default: ob_campaign_free((ob_campaign*)h);
      }
      pools[k].live[j] = NULL;
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  input in = {data, size};
  int steps = 0;
  memset(pools, 0, sizeof pools);
  drivers_made = drivers_destroyed = 0;
  while (in.n && steps++ < 200) {
    switch (byte(&in) % 11) {
      case 0: op_engine(&in); break;
      case 1: op_list(&in); break;
      case 2: op_csv(&in); break;
      case 3: op_dnc(&in); break;
      case 4: op_network(&in); break;
      case 5: op_driver(&in); break;
      case 6: op_campaign(&in); break;
      case 7: case 8: op_control(&in); break;
      case 9: op_run(&in); break;
      default: op_misc(&in);
    }
  }
  cleanup(&in);
  if (drivers_destroyed != drivers_made) {
    fprintf(stderr, "%u custom drivers made, %u destroyed\n", drivers_made, drivers_destroyed);
    __builtin_trap();
  }
  return 0;
}
