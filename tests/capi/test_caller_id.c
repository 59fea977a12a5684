/* C API caller id: ob_campaign_options.caller_id reaches a custom C driver
 * as E.164 in every ob_dial_request; a caller id that is no phone number
 * stops ob_campaign_load; and a version-1 ob_campaign_options (a program
 * built against the outbound.h before caller_id) still works, the library
 * reading and writing only the version-1 part of it. */
#include "campaign_helpers.h"
#include "check.h"
#include "script_driver.h"

#include <stddef.h>

/* The script driver, plus what it saw of the caller id on each dial. */
typedef struct {
  script_driver sd; /* first: the script driver's methods get this struct as theirs */
  const char* expect;
  int dials, matched, old_version;
  char last_caller_id[64];
} cli_driver;

static int cli_dial(void* user_data, const ob_dial_request* rq) {
  cli_driver* d = (cli_driver*)user_data;
  ++d->dials;
  if (rq->version < 2) {
    ++d->old_version; /* no caller_id field to read */
  } else {
    snprintf(d->last_caller_id, sizeof d->last_caller_id, "%s", rq->caller_id ? rq->caller_id : "(null)");
    if (rq->caller_id && strcmp(rq->caller_id, d->expect) == 0) ++d->matched;
  }
  return script_dial(user_data, rq);
}

static ob_driver* cli_new(cli_driver* d, ob_engine* e, const char* expect) {
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  memset(d, 0, sizeof *d);
  script_init(&d->sd, e, 3);
  d->expect = expect;
  cls.name = "cli";
  cls.dial = cli_dial;
  CHECK_OK(ob_driver_new(&drv, &cls, d));
  return drv;
}

/* Loads, runs an hour with three ready agents, stops and unloads. */
static void run_campaign(ob_engine* e, ob_campaign* c, ob_list* list) {
  int i;
  char agent[8];
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_campaign_load(c));
  for (i = 0; i < 3; ++i) {
    snprintf(agent, sizeof agent, "a%d", i);
    CHECK_OK(ob_campaign_set_agent_state(c, agent, OB_AGENT_READY));
  }
  CHECK_OK(ob_campaign_start(c));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  finish(e, c);
}

/* "(212) 555-0199" as typed is presented as +12125550199 on every dial; no caller id is "". */
static void test_every_dial_carries_it(const char* dir) {
  ob_engine* e = manual_engine();
  cli_driver d, none;
  ob_driver* drv = cli_new(&d, e, "+12125550199");
  ob_driver* drv_none = cli_new(&none, e, "");
  ob_list* list = new_list(dir, "cli.db", 20);
  ob_list* list_none = new_list(dir, "none.db", 8);
  ob_campaign* c = NULL;
  ob_campaign* c_none = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;

  CHECK(co.version == OB_CAMPAIGN_OPTIONS_VERSION && co.caller_id == NULL);
  co.name = "cli";
  co.caller_id = "(212) 555-0199";
  CHECK_OK(ob_campaign_new(&c, e, &co, drv, NULL));
  ob_driver_free(drv);
  run_campaign(e, c, list);
  CHECK_OK(ob_campaign_stats_get(&st, c));
  CHECK(st.dials == 20 && d.dials == 20);
  CHECK(d.matched == 20 && d.old_version == 0);
  CHECK_STR(d.last_caller_id, "+12125550199");

  co.name = "no cli";
  co.caller_id = NULL;
  CHECK_OK(ob_campaign_new(&c_none, e, &co, drv_none, NULL));
  ob_driver_free(drv_none);
  run_campaign(e, c_none, list_none);
  CHECK(none.dials == 8 && none.matched == 8); /* "", never NULL */

  ob_campaign_free(c);
  ob_campaign_free(c_none);
  ob_list_free(list);
  ob_list_free(list_none);
  ob_engine_free(e);
  CHECK(d.sd.destroyed == 1 && none.sd.destroyed == 1);
}

/* A caller id that is no phone number: load fails with OB_EINVALID naming caller_id; nothing dialed. */
static void test_bad_caller_id(const char* dir) {
  ob_engine* e = manual_engine();
  cli_driver d;
  ob_driver* drv = cli_new(&d, e, "");
  ob_list* list = new_list(dir, "bad.db", 4);
  ob_campaign* c = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  int state = -1;

  co.name = "bad cli";
  co.caller_id = "call us";
  CHECK_OK(ob_campaign_new(&c, e, &co, drv, NULL)); /* checked at load, as the C++ API does */
  ob_driver_free(drv);
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_RC(ob_campaign_load(c), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "caller_id") != NULL);
  CHECK_OK(ob_campaign_state_get(&state, c));
  CHECK(state == OB_CAMPAIGN_NOT_LOADED);
  CHECK_RC(ob_campaign_start(c), OB_ESTATE);
  CHECK_OK(ob_engine_run_for(e, 60 * 1000));
  CHECK(d.sd.started == 0 && d.dials == 0);

  ob_campaign_free(c);
  ob_list_free(list);
  ob_engine_free(e);
}

/* A version-1 struct ends where caller_id begins. */
#define V1_SIZE offsetof(ob_campaign_options, caller_id)

/* ob_campaign_options_init(p, 1) writes only the version-1 part. */
static void test_init_writes_only_v1(void) {
  ob_campaign_options o;
  unsigned char* bytes = (unsigned char*)&o;
  size_t i, touched = 0;
  memset(&o, 0xAB, sizeof o);
  CHECK_OK(ob_campaign_options_init(&o, 1));
  for (i = V1_SIZE; i < sizeof o; ++i) touched += bytes[i] != 0xAB;
  CHECK(touched == 0);
  CHECK(o.version == 1 && o.campaign_id == 1 && o.mode == OB_DIAL_MODE_PROGRESSIVE && o.auto_complete == 0);
  CHECK(o.name == NULL && o.tick_ms == 1000 && o.window_from_s == -1);
  CHECK_OK(ob_campaign_options_init(&o, 2));
  CHECK(o.version == 2 && o.caller_id == NULL);
  CHECK_RC(ob_campaign_options_init(&o, OB_CAMPAIGN_OPTIONS_VERSION + 1), OB_EINVALID);
}

/* Old callers: a malloc'ed struct of exactly the version-1 size (ASan sees a read past it), and a
 * version-1 struct followed by bytes that would make a bad caller_id if the library read them
 * (a plain build sees that). Both create campaigns that dial with the default caller id "". */
static void test_version_1_struct(const char* dir) {
  ob_engine* e = manual_engine();
  cli_driver d, t;
  ob_driver* drv = cli_new(&d, e, "");
  ob_driver* drv_t = cli_new(&t, e, "");
  ob_list* list = new_list(dir, "v1.db", 8);
  ob_list* list_t = new_list(dir, "v1tail.db", 8);
  ob_campaign* c = NULL;
  ob_campaign* c_t = NULL;
  ob_campaign_options* p = (ob_campaign_options*)malloc(V1_SIZE);
  ob_campaign_options tail;
  const char* not_a_number = "call us";

  const char* name = "v1";
  unsigned int version = 0;

  CHECK(p != NULL);
  if (!p) return;
  CHECK_OK(ob_campaign_options_init(p, 1));
  /* Fields are reached through their offsets: p->field on this short object is what the
   * compiler rightly refuses (an old caller's own type is the shorter version-1 struct). */
  memcpy(&version, (char*)p + offsetof(ob_campaign_options, version), sizeof version);
  CHECK(version == 1);
  memcpy((char*)p + offsetof(ob_campaign_options, name), &name, sizeof name);
  CHECK_OK(ob_campaign_new(&c, e, p, drv, NULL));
  free(p); /* options are copied */
  ob_driver_free(drv);
  run_campaign(e, c, list);
  CHECK(d.dials == 8 && d.matched == 8 && d.old_version == 0);

  /* The same bytes a version-1 caller passes, with "call us" where caller_id would be. */
  CHECK_OK(ob_campaign_options_init(&tail, OB_CAMPAIGN_OPTIONS_VERSION));
  tail.version = 1;
  tail.name = "v1 tail";
  tail.caller_id = not_a_number;
  CHECK_OK(ob_campaign_new(&c_t, e, &tail, drv_t, NULL));
  ob_driver_free(drv_t);
  run_campaign(e, c_t, list_t); /* loads: "call us" was not read */
  CHECK(t.dials == 8 && t.matched == 8);

  /* The same with version 2 does read it. */
  tail.version = 2;
  tail.name = "v2 tail";
  {
    cli_driver u;
    ob_driver* drv_u = cli_new(&u, e, "");
    ob_campaign* c_u = NULL;
    ob_list* list_u = new_list(dir, "v2tail.db", 1);
    CHECK_OK(ob_campaign_new(&c_u, e, &tail, drv_u, NULL));
    ob_driver_free(drv_u);
    CHECK_OK(ob_campaign_add_list(c_u, list_u, 1.0));
    CHECK_RC(ob_campaign_load(c_u), OB_EINVALID);
    ob_campaign_free(c_u);
    ob_list_free(list_u);
  }

  ob_campaign_free(c);
  ob_campaign_free(c_t);
  ob_list_free(list);
  ob_list_free(list_t);
  ob_engine_free(e);
}

int main(void) {
  const char* dir = temp_dir();
  test_every_dial_carries_it(dir);
  test_bad_caller_id(dir);
  test_init_writes_only_v1();
  test_version_1_struct(dir);
  remove_dir(dir);
  return check_report("test_capi_caller_id");
}
