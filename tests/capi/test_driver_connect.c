/* C API driver class version 2: connect and connects_on_request reach a C
 * driver through ob_driver_connect (on the loop thread of the engine whose
 * campaign holds the driver); a version-1 class (a program built against the
 * outbound.h before connect) keeps working and is never read past its end
 * (ASan sees a malloc'ed struct of exactly the version-1 size); version-1
 * capabilities are never written past their end either. */
#include "campaign_helpers.h"
#include "check.h"
#include "script_driver.h"

#include <pthread.h>
#include <stddef.h>

/* A version-1 ob_driver_class ends where connect begins; so do version-1 capabilities. */
#define CLASS_V1_SIZE offsetof(ob_driver_class, connect)
#define CAPS_V1_SIZE offsetof(ob_driver_capabilities, connects_on_request)

/* The script driver, plus what connect saw and what it answers. */
typedef struct {
  script_driver sd; /* first: the script driver's methods get this struct as theirs */
  int connects, refuse_with;
  uint64_t last_call;
  char last_agent[32];
  pthread_t start_thread, connect_thread;
} connect_driver;

static int cd_capabilities(void* user_data, ob_driver_capabilities* out) {
  CHECK(out->version >= 2); /* the library hands the driver its current struct */
  script_capabilities(user_data, out);
  out->connects_on_request = 1;
  return OB_OK;
}

static int cd_start(void* user_data, ob_event_sink* sink) {
  ((connect_driver*)user_data)->start_thread = pthread_self();
  return script_start(user_data, sink);
}

static int cd_connect(void* user_data, uint64_t call_id, const char* agent_id) {
  connect_driver* d = (connect_driver*)user_data;
  ++d->connects;
  d->last_call = call_id;
  d->connect_thread = pthread_self();
  snprintf(d->last_agent, sizeof d->last_agent, "%s", agent_id ? agent_id : "(null)");
  if (d->refuse_with) {
    ob_error_set(d->refuse_with, "connect driver: no phone for that agent");
    return d->refuse_with;
  }
  return OB_OK;
}

/* A connect that must never be called (it sits past the end of a version-1 class). */
static int forbidden_connect(void* user_data, uint64_t call_id, const char* agent_id) {
  (void)user_data, (void)call_id, (void)agent_id;
  fprintf(stderr, "connect of a version-1 class was called\n");
  ++check_failures;
  return OB_OK;
}

static ob_driver_class connect_class(void) {
  ob_driver_class cls = script_class();
  cls.name = "connect";
  cls.capabilities = cd_capabilities;
  cls.start = cd_start;
  cls.connect = cd_connect;
  return cls;
}

/* connect reaches the driver with its call id and agent; its refusal comes back with its code and message. */
static void test_connect_reaches_the_driver(void) {
  ob_engine* e = manual_engine();
  connect_driver d;
  ob_driver_class cls = connect_class();
  ob_driver* drv = NULL;
  ob_driver_capabilities caps = OB_DRIVER_CAPABILITIES_INIT;

  memset(&d, 0, sizeof d);
  script_init(&d.sd, e, 1);
  CHECK(cls.version == OB_DRIVER_CLASS_VERSION && caps.version == 2u);
  CHECK_OK(ob_driver_new(&drv, &cls, &d));
  CHECK_OK(ob_driver_capabilities_get(&caps, drv));
  CHECK(caps.connects_on_request == 1 && caps.max_concurrent_calls == SCRIPT_MAX_CALLS);

  CHECK_OK(ob_driver_connect(drv, 7, "a1"));
  CHECK(d.connects == 1 && d.last_call == 7);
  CHECK_STR(d.last_agent, "a1");
  d.refuse_with = OB_ENOTFOUND;
  CHECK_RC(ob_driver_connect(drv, 8, "nobody"), OB_ENOTFOUND);
  CHECK(strstr(ob_last_error(), "no phone for that agent") != NULL);
  CHECK_RC(ob_driver_connect(drv, 8, NULL), OB_EINVALID);
  CHECK_RC(ob_driver_connect(NULL, 8, "a1"), OB_EHANDLE);
  CHECK(d.connects == 2);

  ob_driver_free(drv);
  CHECK(d.sd.destroyed == 1);
  ob_engine_free(e);
}

/* A class claiming connects_on_request without connect is refused, and destroyed once. */
static void test_flag_without_connect(void) {
  connect_driver d;
  ob_driver_class cls = connect_class();
  ob_driver* drv = NULL;
  memset(&d, 0, sizeof d);
  cls.connect = NULL;
  CHECK_RC(ob_driver_new(&drv, &cls, &d), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "connects_on_request") != NULL);
  CHECK(drv == NULL && d.sd.destroyed == 1);
}

/* Version-1 callers: a class malloc'ed at the version-1 size, and a full struct saying version 1 whose
 * connect must not be read. Both make drivers that dial a campaign; connect is unsupported. A
 * version-1 capabilities struct is filled only as far as it reaches. */
static void test_version_1(const char* dir) {
  ob_engine* e = manual_engine();
  script_driver d, t;
  ob_driver_class full = script_class();
  ob_driver_class* p = (ob_driver_class*)malloc(CLASS_V1_SIZE);
  ob_driver_capabilities* caps = (ob_driver_capabilities*)malloc(CAPS_V1_SIZE);
  ob_driver* drv = NULL;
  ob_driver* drv_t = NULL;
  ob_campaign* c = NULL;
  ob_list* list = new_list(dir, "v1.db", 6);
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  unsigned int v1 = 1;
  int i;

  CHECK(p != NULL && caps != NULL);
  if (!p || !caps) return;
  script_init(&d, e, 2);
  script_init(&t, e, 2);
  full.version = 1;
  memcpy(p, &full, CLASS_V1_SIZE); /* what an old program's struct holds, and no more */
  CHECK_OK(ob_driver_new(&drv, p, &d));
  free(p); /* the library copied it */
  memcpy((char*)caps + offsetof(ob_driver_capabilities, version), &v1, sizeof v1);
  CHECK_OK(ob_driver_capabilities_get(caps, drv));
  CHECK_RC(ob_driver_connect(drv, 3, "a0"), OB_EUNSUPPORTED);
  CHECK(strstr(ob_last_error(), "cannot connect") != NULL);

  full.connect = forbidden_connect; /* set, but past the end of version 1 */
  CHECK_OK(ob_driver_new(&drv_t, &full, &t));
  CHECK_RC(ob_driver_connect(drv_t, 3, "a0"), OB_EUNSUPPORTED);
  ob_driver_free(drv_t);
  CHECK(t.destroyed == 1);

  co.name = "v1 class";
  CHECK_OK(ob_campaign_new(&c, e, &co, drv, NULL));
  ob_driver_free(drv);
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_campaign_load(c));
  for (i = 0; i < 2; ++i) CHECK_OK(ob_campaign_set_agent_state(c, i ? "a1" : "a0", OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(c));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  finish(e, c);
  CHECK_OK(ob_campaign_stats_get(&st, c));
  CHECK(d.dials == 6 && st.dials == 6 && st.driver_errors == 0);

  ob_campaign_free(c);
  ob_list_free(list);
  ob_engine_free(e);
  CHECK(d.destroyed == 1);
  free(caps);
}

/* Held by a campaign of an engine running its own thread, connect runs on that thread, as dial does. */
static void test_connect_on_the_engine_thread(const char* dir) {
  ob_engine* e = NULL;
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  connect_driver d;
  ob_driver_class cls = connect_class();
  ob_driver* drv = NULL;
  ob_campaign* c = NULL;
  ob_list* list = new_list(dir, "thread.db", 0);
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_event_sink* sink = NULL;
  ob_call_event ev = OB_CALL_EVENT_INIT;

  CHECK_OK(ob_engine_new(&e, &eo));
  memset(&d, 0, sizeof d);
  script_init(&d.sd, e, 1);
  CHECK_OK(ob_driver_new(&drv, &cls, &d));
  co.name = "threaded";
  CHECK_OK(ob_campaign_new(&c, e, &co, drv, NULL));
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_engine_start_thread(e));
  CHECK_OK(ob_campaign_load(c));
  CHECK(d.sd.started == 1);
  CHECK(!pthread_equal(d.start_thread, pthread_self()));
  CHECK_OK(ob_driver_connect(drv, 11, "a0"));
  CHECK(d.connects == 1 && d.last_call == 11);
  CHECK(pthread_equal(d.connect_thread, d.start_thread));

  /* The sink takes the new event kind (the campaign ignores it for a call it does not know). */
  sink = d.sd.sink;
  ev.kind = OB_CALL_EVENT_CONNECT_FAILED;
  ev.call_id = 11;
  ev.agent_id = "a0";
  CHECK_OK(ob_event_sink_call_event(sink, &ev));
  ev.kind = OB_CALL_EVENT_CONNECT_FAILED + 1;
  CHECK_RC(ob_event_sink_call_event(sink, &ev), OB_EINVALID);

  CHECK_OK(ob_campaign_unload(c));
  CHECK_OK(ob_engine_stop_thread(e));
  ob_driver_free(drv);
  ob_campaign_free(c);
  ob_list_free(list);
  ob_engine_free(e);
  CHECK(d.sd.destroyed == 1);
}

/* A simulated switch in engine-routing mode: the campaign picks the agents and connects each live
 * answer through the driver; a board in ASM mode refuses the mode, a GVP has no agents, and the
 * mode is set before a campaign loads. */
static void test_sim_engine_routing(const char* dir) {
  ob_engine* e = manual_engine();
  ob_sim_network_options no = OB_SIM_NETWORK_OPTIONS_INIT;
  ob_sim_network* net = NULL;
  ob_sim_cpd_options asm_opts = OB_SIM_CPD_OPTIONS_INIT;
  ob_driver *ts = NULL, *cpd = NULL, *gvp = NULL;
  ob_driver_capabilities caps = OB_DRIVER_CAPABILITIES_INIT;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign* c = NULL;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_sim_driver_stats ds = OB_SIM_DRIVER_STATS_INIT;
  ob_list* list = new_list(dir, "routed.db", 200);

  CHECK_OK(ob_sim_network_new(&net, e, &no));
  CHECK_OK(ob_sim_tserver_new(&ts, net, 5, NULL, NULL));
  CHECK_RC(ob_sim_driver_set_engine_routing(ts, 2), OB_EINVALID);
  CHECK_OK(ob_sim_driver_set_engine_routing(ts, 1));
  CHECK_OK(ob_driver_capabilities_get(&caps, ts));
  CHECK(caps.connects_on_request == 1 && caps.routes_to_agents == 0);
  asm_opts.mode = OB_CPD_ASM;
  CHECK_OK(ob_sim_cpd_new(&cpd, net, 5, NULL, NULL, &asm_opts));
  CHECK_RC(ob_sim_driver_set_engine_routing(cpd, 1), OB_EINVALID);
  CHECK_OK(ob_sim_gvp_new(&gvp, net, NULL));
  CHECK_RC(ob_sim_driver_set_engine_routing(gvp, 1), OB_EUNSUPPORTED);

  co.name = "routed";
  CHECK_OK(ob_campaign_new(&c, e, &co, ts, NULL));
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_campaign_load(c));
  CHECK_RC(ob_sim_driver_set_engine_routing(ts, 0), OB_ESTATE);  /* the driver is started */
  CHECK_OK(ob_campaign_start(c));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  finish(e, c);
  CHECK_OK(ob_campaign_stats_get(&st, c));
  CHECK_OK(ob_sim_driver_stats_get(&ds, ts));
  CHECK(st.connected > 0 && st.connected == ds.connected && st.dials == ds.dials);

  ob_campaign_free(c);
  ob_driver_free(ts);
  ob_driver_free(cpd);
  ob_driver_free(gvp);
  ob_sim_network_free(net);
  ob_list_free(list);
  ob_engine_free(e);
}

/* A treatment's transfer action on a simulated switch: counted in ob_sim_driver_stats version 2;
 * a version-1 caller's struct is filled to its own end and no further. */
static void test_sim_transfers_counted(const char* dir) {
  ob_engine* e = manual_engine();
  ob_sim_network_options no = OB_SIM_NETWORK_OPTIONS_INIT;
  ob_sim_network* net = NULL;
  ob_driver* ts = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign* c = NULL;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_sim_driver_stats ds = OB_SIM_DRIVER_STATS_INIT;
  ob_treatment to_mailbox = OB_TREATMENT_INIT;
  ob_list* list = new_list(dir, "transfers.db", 200);
  unsigned char v1[sizeof(ob_sim_driver_stats)];
  ob_sim_driver_stats* old = (ob_sim_driver_stats*)(void*)v1;
  size_t i, v1_size = offsetof(ob_sim_driver_stats, connect_failures);

  no.machine = 0.3;
  no.live_answer -= 0.2; /* the shares still sum to 1 */
  CHECK_OK(ob_sim_network_new(&net, e, &no));
  CHECK_OK(ob_sim_tserver_new(&ts, net, 5, NULL, NULL));
  to_mailbox.id = 7;
  to_mailbox.call_result = OB_CALL_RESULT_ANSWERING_MACHINE;
  to_mailbox.call_action = OB_CALL_ACTION_TRANSFER;
  to_mailbox.destination = "sip:mailbox@127.0.0.1";
  co.name = "transfers";
  co.amd = OB_AMD_DETECT_CONNECT;
  co.treatment_count = 1;
  co.treatments = &to_mailbox;
  CHECK_OK(ob_campaign_new(&c, e, &co, ts, NULL));
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_campaign_load(c));
  CHECK_OK(ob_campaign_start(c));
  CHECK_OK(ob_engine_run_for(e, 3600 * 1000));
  finish(e, c);
  CHECK_OK(ob_campaign_stats_get(&st, c));
  CHECK_OK(ob_sim_driver_stats_get(&ds, ts));
  CHECK(ds.version == 2 && st.machines > 0 && ds.transfers == st.machines && ds.machine_messages == 0);

  memset(v1, 0xab, sizeof v1);
  old->version = 1;
  CHECK_OK(ob_sim_driver_stats_get(old, ts));
  CHECK(old->dials == ds.dials && old->machines == ds.machines && old->opt_outs == ds.opt_outs);
  for (i = v1_size; i < sizeof v1; ++i) CHECK(v1[i] == 0xab);  /* past a version-1 struct: untouched */

  ob_campaign_free(c);
  ob_driver_free(ts);
  ob_sim_network_free(net);
  ob_list_free(list);
  ob_engine_free(e);
}

int main(void) {
  const char* dir = temp_dir();
  test_connect_reaches_the_driver();
  test_flag_without_connect();
  test_version_1(dir);
  test_connect_on_the_engine_thread(dir);
  test_sim_engine_routing(dir);
  test_sim_transfers_counted(dir);
  remove_dir(dir);
  return check_report("capi_driver_connect");
}
