/* Every C API function that takes a handle, called with a NULL handle, a
 * freed one, and one of another type: each returns OB_EHANDLE and nothing
 * crashes. The _free functions accept all three. */
#include "check.h"
#include "script_driver.h"

typedef struct {
  ob_engine* engine;
  ob_campaign* campaign;
  ob_list* list;
  ob_dnc* dnc;
  ob_driver* driver;
  ob_sim_network* network;
  ob_event_sink* sink;
} handles;

static void noop_task(void* user_data) { (void)user_data; }
static void noop_log(void* user_data, int level, const char* message) {
  (void)user_data;
  (void)level;
  (void)message;
}
static void noop_event(void* user_data, const ob_campaign_event* e) {
  (void)user_data;
  (void)e;
}
static void noop_session(void* user_data, const ob_gvp_session* s) {
  (void)user_data;
  (void)s;
}

#define BAD(expr) CHECK_RC(expr, OB_EHANDLE)

static void check_all(const handles* h, const char* dir) {
  int64_t i64 = 0, counts[OB_RECORD_STATUS_COUNT];
  int i = 0;
  size_t n = 0;
  uint64_t u64 = 0;
  const char* s = NULL;
  char* text = NULL;
  char path[256], phone[24];
  ob_record rec = make_record(1, phone, sizeof phone), *recs = NULL;
  ob_import_report* report = NULL;
  ob_campaign* camp = NULL;
  ob_driver* drv = NULL;
  ob_sim_network* net = NULL;
  ob_desktop_record* desk = NULL;
  ob_campaign_stats cs = OB_CAMPAIGN_STATS_INIT;
  ob_sim_driver_stats ds = OB_SIM_DRIVER_STATS_INIT;
  ob_driver_capabilities caps = OB_DRIVER_CAPABILITIES_INIT;
  ob_sim_network_options no = OB_SIM_NETWORK_OPTIONS_INIT;
  ob_sim_agent_options ao = OB_SIM_AGENT_OPTIONS_INIT;
  ob_treatment t = OB_TREATMENT_INIT;
  ob_call_event ce = OB_CALL_EVENT_INIT;
  ob_agent_event ae = OB_AGENT_EVENT_INIT;
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ce.call_id = 1;
  ae.agent_id = "a1";
  snprintf(path, sizeof path, "%s/x.csv", dir);

  /* engine */
  BAD(ob_engine_now(&i64, h->engine));
  BAD(ob_engine_is_manual(&i, h->engine));
  BAD(ob_engine_advance_clock(h->engine, 0));
  BAD(ob_engine_poll(&n, h->engine));
  BAD(ob_engine_run_until(h->engine, 0, NULL, NULL));
  BAD(ob_engine_run_for(h->engine, 0));
  BAD(ob_engine_stop(h->engine));
  BAD(ob_engine_start_thread(h->engine));
  BAD(ob_engine_stop_thread(h->engine));
  BAD(ob_engine_set_log_callback(h->engine, noop_log, NULL));
  BAD(ob_engine_post(h->engine, noop_task, NULL));
  BAD(ob_engine_schedule(&u64, h->engine, 1, noop_task, NULL));
  BAD(ob_engine_cancel_timer(&i, h->engine, 1));
  BAD(ob_engine_campaign(&camp, h->engine, "x"));
  BAD(ob_engine_campaign_count(&n, h->engine));
  BAD(ob_sim_network_new(&net, h->engine, NULL));
  CHECK(strstr(ob_last_error(), "engine") != NULL);

  /* lists */
  BAD(ob_list_insert(h->list, &rec, 1));
  BAD(ob_list_get(&recs, h->list, 1));
  BAD(ob_list_page(&recs, &n, h->list, 0, 10));
  BAD(ob_list_count_by_status(counts, OB_RECORD_STATUS_COUNT, h->list));
  BAD(ob_list_custom_field_count(&n, h->list));
  BAD(ob_list_custom_field(&s, h->list, 0));
  BAD(ob_list_import_csv(&report, h->list, path, NULL));
  BAD(ob_list_import_csv_text(&report, h->list, "a", 1, NULL));
  BAD(ob_list_export_csv(&n, h->list, path, NULL));
  BAD(ob_list_export_csv_text(&text, h->list, NULL));
  BAD(ob_list_options_get(&lo, h->list));
  CHECK(strstr(ob_last_error(), "list") != NULL);

  /* DNC */
  BAD(ob_dnc_add_phone(h->dnc, "+12125550100", NULL));
  BAD(ob_dnc_add_customer(h->dnc, "C", NULL));
  BAD(ob_dnc_contains_phone(&i, h->dnc, "+12125550100"));
  BAD(ob_dnc_contains_customer(&i, h->dnc, "C"));
  BAD(ob_dnc_check(&i, h->dnc, NULL, NULL));
  BAD(ob_dnc_phone_count(&n, h->dnc));
  BAD(ob_dnc_customer_count(&n, h->dnc));
  BAD(ob_dnc_reload(&n, h->dnc));

  /* drivers, sinks, networks */
  BAD(ob_driver_name(&s, h->driver));
  BAD(ob_driver_capabilities_get(&caps, h->driver));
  BAD(ob_sim_driver_set_agent_count(h->driver, 1));
  BAD(ob_sim_driver_set_agent_model(h->driver, &ao));
  BAD(ob_sim_driver_stats_get(&ds, h->driver));
  BAD(ob_sim_driver_calls_in_progress(&n, h->driver));
  BAD(ob_sim_gvp_set_session_callback(h->driver, noop_session, NULL));
  BAD(ob_event_sink_call_event(h->sink, &ce));
  BAD(ob_event_sink_agent_event(h->sink, &ae));
  BAD(ob_sim_network_set_model(h->network, &no));
  BAD(ob_sim_tserver_new(&drv, h->network, 1, NULL, NULL));
  BAD(ob_sim_cpd_new(&drv, h->network, 1, NULL, NULL, NULL));
  BAD(ob_sim_gvp_new(&drv, h->network, NULL));

  /* campaigns */
  BAD(ob_campaign_new(&camp, h->engine, NULL, h->driver, NULL));
  BAD(ob_campaign_name(&s, h->campaign));
  BAD(ob_campaign_add_list(h->campaign, h->list, 1.0));
  BAD(ob_campaign_load(h->campaign));
  BAD(ob_campaign_start(h->campaign));
  BAD(ob_campaign_stop(h->campaign));
  BAD(ob_campaign_unload(h->campaign));
  BAD(ob_campaign_force_unload(h->campaign));
  BAD(ob_campaign_finish(&n, h->campaign, 0));
  BAD(ob_campaign_options_get(&co, h->campaign));
  BAD(ob_campaign_set_mode(h->campaign, OB_DIAL_MODE_PROGRESSIVE, OB_GOAL_NONE, 0));
  BAD(ob_campaign_set_treatments(h->campaign, &t, 1));
  BAD(ob_campaign_set_agent_state(h->campaign, "a1", OB_AGENT_READY));
  BAD(ob_campaign_agent_state(&i, h->campaign, "a1"));
  BAD(ob_campaign_state_get(&i, h->campaign));
  BAD(ob_campaign_mode(&i, h->campaign));
  BAD(ob_campaign_stats_get(&cs, h->campaign));
  BAD(ob_campaign_calls_in_flight(&n, h->campaign));
  BAD(ob_campaign_flush(h->campaign));
  BAD(ob_campaign_set_event_callback(h->campaign, noop_event, NULL));

  /* desktop requests */
  BAD(ob_desktop_preview_record(&desk, h->campaign, "a1"));
  BAD(ob_desktop_chained_record(&desk, h->campaign, "a1", 1));
  BAD(ob_desktop_add_record(&i64, h->campaign, "a1", &rec));
  BAD(ob_desktop_update_call_result(h->campaign, "a1", 1, OB_CALL_RESULT_ANSWER));
  BAD(ob_desktop_record_processed(h->campaign, "a1", 1, -1));
  BAD(ob_desktop_record_reject(h->campaign, "a1", 1));
  BAD(ob_desktop_record_cancel(h->campaign, "a1", 1));
  BAD(ob_desktop_record_reschedule(h->campaign, "a1", 1, 1, OB_CALLBACK_PERSONAL));
  BAD(ob_desktop_scheduled_record_reschedule(h->campaign, "a1", 1, 1, OB_CALLBACK_PERSONAL));
  BAD(ob_desktop_record_reschedule_ms(h->campaign, "a1", 1, 1000, OB_CALLBACK_PERSONAL));
  BAD(ob_desktop_scheduled_record_reschedule_ms(h->campaign, "a1", 1, 1000, OB_CALLBACK_PERSONAL));
  BAD(ob_desktop_do_not_call(h->campaign, "a1", 1, OB_DNC_SCOPE_RECORD, NULL));
  BAD(ob_desktop_do_not_call_number(h->campaign, "+12125550100", NULL));
  BAD(ob_desktop_ready_time(h->campaign, "a1", 1));
  BAD(ob_desktop_logout(h->campaign, "a1"));
  BAD(ob_desktop_records(&desk, &n, h->campaign, "a1"));

  /* Nothing was handed out. */
  CHECK(recs == NULL && report == NULL && text == NULL && camp == NULL && drv == NULL && net == NULL && desk == NULL);

  /* _free accepts them all. */
  ob_campaign_free(h->campaign);
  ob_driver_free(h->driver);
  ob_sim_network_free(h->network);
  ob_dnc_free(h->dnc);
  ob_list_free(h->list);
  ob_engine_free(h->engine);
  ob_record_free((ob_record*)h->list);
  ob_records_free((ob_record*)h->dnc, 3);
  ob_import_report_free((ob_import_report*)h->engine);
  ob_desktop_record_free((ob_desktop_record*)h->campaign);
  ob_desktop_records_free((ob_desktop_record*)h->driver, 2);
}

int main(void) {
  char dir[64], conn[256];
  handles none, freed, wrong;
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_driver_class cls = script_class();
  script_driver sd;
  ob_list* list2 = NULL;
  strcpy(dir, temp_dir());

  memset(&none, 0, sizeof none);
  check_all(&none, dir);

  /* Live handles of every kind, with a started custom driver for a live sink. */
  memset(&freed, 0, sizeof freed);
  eo.clock = OB_CLOCK_MANUAL;
  eo.start_ms = TEST_START_MS;
  CHECK_OK(ob_engine_new(&freed.engine, &eo));
  lo.create_if_missing = 1;
  CHECK_OK(ob_list_open(&freed.list, sqlite_conn(conn, sizeof conn, dir, "h.db"), &lo));
  CHECK_OK(ob_list_open(&list2, conn, &lo));
  CHECK_OK(ob_dnc_new(&freed.dnc, NULL));
  CHECK_OK(ob_sim_network_new(&freed.network, freed.engine, NULL));
  script_init(&sd, freed.engine, 1);
  CHECK_OK(ob_driver_new(&freed.driver, &cls, &sd));
  CHECK_OK(ob_campaign_new(&freed.campaign, freed.engine, NULL, freed.driver, freed.dnc));
  CHECK_OK(ob_campaign_add_list(freed.campaign, freed.list, 1.0));
  CHECK_OK(ob_campaign_load(freed.campaign));
  freed.sink = sd.sink;

  /* Wrong types: every slot holds a live handle of another kind. */
  wrong.engine = (ob_engine*)freed.list;
  wrong.campaign = (ob_campaign*)freed.engine;
  wrong.list = (ob_list*)freed.dnc;
  wrong.dnc = (ob_dnc*)freed.campaign;
  wrong.driver = (ob_driver*)freed.network;
  wrong.network = (ob_sim_network*)freed.driver;
  wrong.sink = (ob_event_sink*)list2;
  /* check_all ends by "freeing" them: every _free must refuse a wrong type. */
  check_all(&wrong, dir);
  {
    const char* name = NULL;
    size_t n = 0;
    CHECK_OK(ob_campaign_name(&name, freed.campaign)); /* still alive */
    CHECK_OK(ob_list_custom_field_count(&n, freed.list));
    CHECK_OK(ob_engine_campaign_count(&n, freed.engine));
    CHECK(n == 1);
  }

  ob_campaign_free(freed.campaign);
  ob_driver_free(freed.driver);
  ob_sim_network_free(freed.network);
  ob_dnc_free(freed.dnc);
  ob_list_free(freed.list);
  ob_list_free(list2);
  ob_engine_free(freed.engine);
  CHECK(sd.destroyed == 1);
  check_all(&freed, dir);

  remove_dir(dir);
  return check_report("capi_handles");
}
