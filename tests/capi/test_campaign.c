/* C API campaign groups on the simulated drivers under a manual clock:
 * options (treatments, calling windows, DNC), control, statistics checked
 * against the simulated drivers' own counters, and the GVP session callback. */
#include "campaign_helpers.h"
#include "check.h"

typedef struct {
  int finished, state_changes, mode_changes, record_errors;
} counts;

static void on_event(void* user_data, const ob_campaign_event* e) {
  counts* c = (counts*)user_data;
  CHECK(e->version == OB_CAMPAIGN_EVENT_VERSION && e->campaign != NULL && e->message != NULL);
  if (e->kind == OB_EVENT_CALL_FINISHED) ++c->finished;
  if (e->kind == OB_EVENT_STATE_CHANGED) ++c->state_changes;
  if (e->kind == OB_EVENT_MODE_CHANGED) ++c->mode_changes;
  if (e->kind == OB_EVENT_RECORD_ERROR) ++c->record_errors;
}

/* A progressive hour on the simulated T-Server; the engine and the switch agree. */
static void test_tserver(const char* dir) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "tserver.db", 400);
  ob_dnc* dnc = NULL;
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_sim_driver_stats ds = OB_SIM_DRIVER_STATS_INIT;
  ob_sim_agent_options ao = OB_SIM_AGENT_OPTIONS_INIT;
  ob_treatment retry = OB_TREATMENT_INIT;
  ob_driver_capabilities caps = OB_DRIVER_CAPABILITIES_INIT;
  counts ev = {0, 0, 0, 0};
  int64_t by_status[OB_RECORD_STATUS_COUNT];
  const char* name = NULL;
  size_t calls = 0;
  int mode = -1, state = -1;

  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  ao.talk.kind = OB_DIST_CONSTANT;
  ao.talk.mean = 60.0;
  CHECK_OK(ob_sim_tserver_new(&drv, net, 10, "agent", &ao));
  CHECK_OK(ob_driver_name(&name, drv));
  CHECK_STR(name, "sim-tserver");
  CHECK_OK(ob_driver_capabilities_get(&caps, drv));
  CHECK(caps.kind == OB_DRIVER_TSERVER && caps.reports_agent_states == 1);
  CHECK_OK(ob_dnc_new(&dnc, NULL));
  CHECK_OK(ob_dnc_add_phone(dnc, "+12122000005", NULL)); /* record 5 */

  retry.id = 1;
  retry.call_result = OB_CALL_RESULT_BUSY;
  retry.action = OB_ACTION_RETRY_IN;
  retry.cycle_attempts = 2;
  retry.interval_ms = 10 * 60 * 1000;
  co.name = "hour";
  co.treatments = &retry;
  co.treatment_count = 1;
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, dnc));
  CHECK_OK(ob_campaign_name(&name, camp));
  CHECK_STR(name, "hour");
  CHECK_OK(ob_campaign_set_event_callback(camp, on_event, &ev));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_campaign_load(camp));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 10 * 60 * 1000)); /* well before the 400 records run out */
  CHECK_OK(ob_campaign_state_get(&state, camp));
  CHECK(state == OB_CAMPAIGN_RUNNING || state == OB_CAMPAIGN_ACTIVE);
  CHECK_OK(ob_campaign_calls_in_flight(&calls, camp));
  CHECK(calls > 0);
  CHECK_OK(ob_sim_driver_calls_in_progress(&calls, drv));
  CHECK(calls > 0);

  /* Change the mode, treatments, agents and callees while it runs. */
  CHECK_OK(ob_campaign_set_mode(camp, OB_DIAL_MODE_PREDICTIVE, OB_GOAL_OVERDIAL_RATE, 0.03));
  CHECK_OK(ob_campaign_mode(&mode, camp));
  CHECK(mode == OB_DIAL_MODE_PREDICTIVE && ev.mode_changes == 1);
  CHECK_RC(ob_campaign_set_mode(camp, OB_DIAL_MODE_PREVIEW, OB_GOAL_NONE, 0), OB_ESTATE);
  CHECK_RC(ob_campaign_set_mode(camp, 99, OB_GOAL_NONE, 0), OB_EINVALID);
  CHECK_OK(ob_campaign_set_treatments(camp, NULL, 0));
  CHECK_RC(ob_campaign_set_treatments(camp, NULL, 2), OB_EINVALID);
  CHECK_OK(ob_sim_driver_set_agent_count(drv, 12));
  CHECK_OK(ob_sim_driver_set_agent_model(drv, &ao));
  CHECK_RC(ob_sim_driver_set_agent_count(drv, -1), OB_EINVALID);
  {
    ob_sim_network_options no = OB_SIM_NETWORK_OPTIONS_INIT;
    no.live_answer = 0.5;
    no.no_answer = 0.25;
    CHECK_OK(ob_sim_network_set_model(net, &no));
    no.live_answer = 0.9; /* shares no longer sum to 1 */
    CHECK_RC(ob_sim_network_set_model(net, &no), OB_EINVALID);
  }
  CHECK_OK(ob_engine_run_for(e, 30 * 60 * 1000));
  CHECK_OK(ob_campaign_flush(camp));
  finish(e, camp);

  CHECK_OK(ob_campaign_stats_get(&st, camp));
  CHECK_OK(ob_sim_driver_stats_get(&ds, drv));
  CHECK(st.dials > 100);
  CHECK(st.dials == ds.dials);
  CHECK(st.connected == ds.connected);
  CHECK(st.dnc_blocked == 1);
  CHECK(st.busy + st.no_answer + st.machines + st.sit + st.live_answers + st.other_results >= st.dials - st.abandoned);
  CHECK(st.agent_occupancy > 0.0 && st.agent_occupancy <= 1.0);
  CHECK(st.calls_in_flight == 0);
  CHECK(ev.finished == (int)st.dials);
  CHECK(ev.state_changes >= 4);
  CHECK_OK(ob_list_count_by_status(by_status, OB_RECORD_STATUS_COUNT, list));
  CHECK(by_status[OB_RECORD_STATUS_RETRIEVED] == 0);
  {
    ob_record* r = NULL;
    CHECK_OK(ob_list_get(&r, list, 5));
    if (r) CHECK(r->call_result == OB_CALL_RESULT_DO_NOT_CALL);
    ob_record_free(r);
  }
  /* Stats structs of a version the library does not know are refused. */
  st.version = 0;
  CHECK_RC(ob_campaign_stats_get(&st, camp), OB_EINVALID);
  ds.version = 7;
  CHECK_RC(ob_sim_driver_stats_get(&ds, drv), OB_EINVALID);

  /* The list and DNC belong to this engine now. */
  {
    ob_engine* other = manual_engine();
    ob_sim_network* n2 = NULL;
    ob_driver* d2 = NULL;
    ob_campaign* c2 = NULL;
    ob_campaign_options o2 = OB_CAMPAIGN_OPTIONS_INIT;
    CHECK_OK(ob_sim_network_new(&n2, other, NULL));
    CHECK_OK(ob_sim_tserver_new(&d2, n2, 1, NULL, NULL));
    CHECK_RC(ob_campaign_new(&c2, other, &o2, d2, dnc), OB_EBUSY);
    CHECK_RC(ob_campaign_new(&c2, other, &o2, drv, NULL), OB_EINVALID); /* a network of the first engine */
    CHECK_OK(ob_campaign_new(&c2, other, &o2, d2, NULL));
    CHECK_RC(ob_campaign_add_list(c2, list, 1.0), OB_EBUSY);
    CHECK_RC(ob_campaign_new(&c2, other, &o2, d2, NULL), OB_EINVALID); /* same name */
    ob_driver_free(d2);
    ob_sim_network_free(n2);
    ob_engine_free(other);
  }
  ob_campaign_free(camp);
  ob_dnc_free(dnc);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_list_free(list);
  ob_engine_free(e);
}

/* Campaign options are checked. */
static void test_options(void) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_campaign* camp = NULL;
  ob_campaign_options co;
  ob_zone zones[1] = {{"1", "America/New_York"}};
  ob_zone bad_zone[1] = {{"1", "Mars/Olympus_Mons"}};
  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  CHECK_OK(ob_sim_tserver_new(&drv, net, 1, NULL, NULL));
  CHECK_OK(ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION));
  co.mode = 12;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.mode = OB_DIAL_MODE_PROGRESSIVE;
  co.ratio = 0.0;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.ratio = 1.0;
  co.tick_ms = -1;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.tick_ms = 1000;
  co.window_from_s = 8 * 3600;
  co.window_till_s = 21 * 3600;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID); /* a window needs zones */
  co.zone_count = 1;
  co.zones = bad_zone;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.zones = zones;
  co.window_till_s = 90000;
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.window_till_s = 21 * 3600;
  co.version = OB_CAMPAIGN_OPTIONS_VERSION + 1; /* a version this library does not know */
  CHECK_RC(ob_campaign_new(&camp, e, &co, drv, NULL), OB_EINVALID);
  co.version = OB_CAMPAIGN_OPTIONS_VERSION;
  co.name = "windows";
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  CHECK_RC(ob_campaign_set_agent_state(camp, "x", 9), OB_EINVALID);
  CHECK_RC(ob_campaign_set_agent_state(camp, NULL, OB_AGENT_READY), OB_EINVALID);
  CHECK_RC(ob_campaign_add_list(camp, NULL, 1.0), OB_EHANDLE);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

typedef struct {
  int sessions;
  char application[32];
} gvp_seen;

static void on_session(void* user_data, const ob_gvp_session* s) {
  gvp_seen* g = (gvp_seen*)user_data;
  ++g->sessions;
  snprintf(g->application, sizeof g->application, "%s", s->application);
  CHECK(s->call_id != 0);
  CHECK(s->attribute_count == 0 || s->attribute_names != NULL);
}

/* CPD in ASM mode and GVP in power GVP mode run their campaigns too. */
static void test_cpd_and_gvp(const char* dir) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver *cpd = NULL, *gvp = NULL;
  ob_list *l1 = new_list(dir, "cpd.db", 200), *l2 = new_list(dir, "gvp.db", 200);
  ob_campaign *c1 = NULL, *c2 = NULL;
  ob_campaign_options o1 = OB_CAMPAIGN_OPTIONS_INIT, o2 = OB_CAMPAIGN_OPTIONS_INIT;
  ob_sim_cpd_options cpo = OB_SIM_CPD_OPTIONS_INIT;
  ob_sim_gvp_options gpo = OB_SIM_GVP_OPTIONS_INIT;
  ob_sim_driver_stats s1 = OB_SIM_DRIVER_STATS_INIT, s2 = OB_SIM_DRIVER_STATS_INIT;
  ob_campaign_stats cs1 = OB_CAMPAIGN_STATS_INIT, cs2 = OB_CAMPAIGN_STATS_INIT;
  ob_driver_capabilities caps = OB_DRIVER_CAPABILITIES_INIT;
  gvp_seen seen;
  memset(&seen, 0, sizeof seen);

  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  cpo.mode = OB_CPD_ASM;
  cpo.channels = 20;
  CHECK_OK(ob_sim_cpd_new(&cpd, net, 5, "cpd", NULL, &cpo));
  CHECK_OK(ob_driver_capabilities_get(&caps, cpd));
  CHECK(caps.kind == OB_DRIVER_CPD && caps.max_concurrent_calls == 10 && caps.supports_engaging == 1); /* ASM: two channels a call */
  gpo.ports = 8;
  CHECK_OK(ob_sim_gvp_new(&gvp, net, &gpo));
  CHECK_OK(ob_sim_gvp_set_session_callback(gvp, on_session, &seen));
  CHECK_RC(ob_sim_gvp_set_session_callback(cpd, on_session, &seen), OB_EUNSUPPORTED);
  CHECK_RC(ob_sim_driver_set_agent_count(gvp, 3), OB_EUNSUPPORTED);
  cpo.mode = 5;
  CHECK_RC(ob_sim_cpd_new(&cpd, net, 5, "cpd", NULL, &cpo), OB_EINVALID);

  o1.name = "asm";
  o1.mode = OB_DIAL_MODE_PROGRESSIVE_SEIZE;
  CHECK_OK(ob_campaign_new(&c1, e, &o1, cpd, NULL));
  CHECK_OK(ob_campaign_add_list(c1, l1, 1.0));
  o2.name = "ivr";
  o2.mode = OB_DIAL_MODE_POWER_GVP;
  o2.voice_application = "survey";
  o2.ports = 8;
  CHECK_OK(ob_campaign_new(&c2, e, &o2, gvp, NULL));
  CHECK_OK(ob_campaign_add_list(c2, l2, 1.0));
  CHECK_OK(ob_campaign_load(c1));
  CHECK_OK(ob_campaign_load(c2));
  CHECK_OK(ob_campaign_start(c1));
  CHECK_OK(ob_campaign_start(c2));
  CHECK_OK(ob_engine_run_for(e, 20 * 60 * 1000));
  finish(e, c1);
  finish(e, c2);
  CHECK_OK(ob_sim_driver_stats_get(&s1, cpd));
  CHECK_OK(ob_sim_driver_stats_get(&s2, gvp));
  CHECK_OK(ob_campaign_stats_get(&cs1, c1));
  CHECK_OK(ob_campaign_stats_get(&cs2, c2));
  CHECK(s1.dials > 10 && s1.dials == cs1.dials && s1.engaged > 0);
  CHECK(s2.dials > 10 && s2.dials == cs2.dials);
  CHECK(seen.sessions > 0 && seen.sessions == (int)s2.connected);
  CHECK_STR(seen.application, "survey");
  ob_campaign_free(c1);
  ob_campaign_free(c2);
  ob_driver_free(cpd);
  ob_driver_free(gvp);
  ob_sim_network_free(net);
  ob_list_free(l1);
  ob_list_free(l2);
  ob_engine_free(e);
}

/* A started campaign with no agent logged in says so: one OB_EVENT_IDLE
 * naming the reason after 30 s of no dial, its C name "idle". */
typedef struct {
  int idle;
  char message[256];
} idle_seen;

static void on_idle(void* user_data, const ob_campaign_event* e) {
  idle_seen* s = (idle_seen*)user_data;
  if (e->kind != OB_EVENT_IDLE) return;
  if (++s->idle == 1) {
    strncpy(s->message, e->message, sizeof s->message - 1);
    s->message[sizeof s->message - 1] = 0;
  }
}

static void test_idle(const char* dir) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "idle.db", 20);
  ob_campaign* camp = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  idle_seen seen;
  memset(&seen, 0, sizeof seen);

  CHECK_STR(ob_enum_name(OB_ENUM_EVENT_KIND, OB_EVENT_IDLE), "idle");
  CHECK_OK(ob_sim_network_new(&net, e, NULL));
  CHECK_OK(ob_sim_tserver_new(&drv, net, 0, "agent", NULL)); /* a switch with no agent */
  co.name = "idle";
  CHECK_OK(ob_campaign_new(&camp, e, &co, drv, NULL));
  CHECK_OK(ob_campaign_set_event_callback(camp, on_idle, &seen));
  CHECK_OK(ob_campaign_add_list(camp, list, 1.0));
  CHECK_OK(ob_campaign_load(camp));
  CHECK_OK(ob_campaign_start(camp));
  CHECK_OK(ob_engine_run_for(e, 20 * 1000));
  CHECK(seen.idle == 0);
  CHECK_OK(ob_engine_run_for(e, 20 * 1000));
  CHECK(seen.idle == 1);
  CHECK(strncmp(seen.message, "no_agents: no agent is logged in (nothing dialed for 30 s)", 200) == 0);
  finish(e, camp);
  ob_campaign_free(camp);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_list_free(list);
  ob_engine_free(e);
}

int main(void) {
  char dir[64];
  strcpy(dir, temp_dir());
  test_tserver(dir);
  test_options();
  test_cpd_and_gvp(dir);
  test_idle(dir);
  remove_dir(dir);
  return check_report("capi_campaign");
}
