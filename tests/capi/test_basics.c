/* C API basics: versions, status codes and messages, code names, the _INIT
 * macros against the library's _init functions, phone normalisation and
 * treatment validation. */
#include "check.h"

#include <math.h>

static void test_versions(void) {
  char expected[32];
  CHECK(ob_version_number() == OB_VERSION_NUMBER);
  CHECK_STR(ob_version_string(), OB_VERSION_STRING);
  snprintf(expected, sizeof expected, "%d.%d.%d", OB_VERSION_MAJOR, OB_VERSION_MINOR, OB_VERSION_PATCH);
  CHECK_STR(ob_version_string(), expected);
}

static void test_errors(void) {
  int code;
  CHECK_STR(ob_last_error(), "no error");
  CHECK_STR(ob_strerror(OB_OK), "ok");
  CHECK_STR(ob_strerror(OB_ENOTFOUND), "not found");
  CHECK_STR(ob_strerror(OB_EHANDLE), "bad handle");
  CHECK_STR(ob_strerror(12345), "unknown status");
  for (code = OB_EHANDLE; code <= OB_OK; ++code) CHECK(ob_strerror(code) != NULL && *ob_strerror(code));
  ob_error_set(OB_EBUSY, "the line is busy");
  CHECK_STR(ob_last_error(), "the line is busy");
  ob_error_set(OB_EBUSY, NULL);
  CHECK_STR(ob_last_error(), "busy");
  /* A failing call replaces the message; a succeeding one leaves it. */
  CHECK_RC(ob_engine_now(NULL, NULL), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "out") != NULL);
  CHECK_RC(ob_enum_value(&code, OB_ENUM_CALL_RESULT, "busy"), OB_OK);
  CHECK(strstr(ob_last_error(), "out") != NULL);
  ob_free(NULL);
}

/* Every call result, as OCS numbers it (docs/reference.md). */
static void test_call_result_names(void) {
  static const struct {
    int code;
    const char* name;
  } table[] = {
      {OB_CALL_RESULT_OK, "ok"}, {OB_CALL_RESULT_TRANSFERRED, "transferred"}, {OB_CALL_RESULT_CONFERENCED, "conferenced"},
      {OB_CALL_RESULT_GENERAL_ERROR, "general_error"}, {OB_CALL_RESULT_SYSTEM_ERROR, "system_error"},
      {OB_CALL_RESULT_REMOTE_RELEASE, "remote_release"}, {OB_CALL_RESULT_BUSY, "busy"},
      {OB_CALL_RESULT_NO_ANSWER, "no_answer"}, {OB_CALL_RESULT_SIT_DETECTED, "sit_detected"},
      {OB_CALL_RESULT_ANSWERING_MACHINE, "answering_machine"}, {OB_CALL_RESULT_ALL_TRUNKS_BUSY, "all_trunks_busy"},
      {OB_CALL_RESULT_SIT_INVALID_NUM, "sit_invalid_num"}, {OB_CALL_RESULT_SIT_VACANT, "sit_vacant"},
      {OB_CALL_RESULT_SIT_OPER_INTERCEPT, "sit_oper_intercept"}, {OB_CALL_RESULT_SIT_UNKNOWN, "sit_unknown"},
      {OB_CALL_RESULT_SIT_NO_CIRCUIT, "sit_no_circuit"}, {OB_CALL_RESULT_SIT_REORDER, "sit_reorder"},
      {OB_CALL_RESULT_FAX, "fax"}, {OB_CALL_RESULT_QUEUE_FULL, "queue_full"}, {OB_CALL_RESULT_CLEARED, "cleared"},
      {OB_CALL_RESULT_OVERFLOWED, "overflowed"}, {OB_CALL_RESULT_ABANDONED, "abandoned"},
      {OB_CALL_RESULT_REDIRECTED, "redirected"}, {OB_CALL_RESULT_FORWARDED, "forwarded"},
      {OB_CALL_RESULT_CONSULT, "consult"}, {OB_CALL_RESULT_PICKED_UP, "picked_up"},
      {OB_CALL_RESULT_DROPPED, "dropped"}, {OB_CALL_RESULT_DROPPED_NO_ANSWER, "dropped_no_answer"},
      {OB_CALL_RESULT_UNKNOWN, "unknown"}, {OB_CALL_RESULT_COVERED, "covered"},
      {OB_CALL_RESULT_CONVERSE_ON, "converse_on"}, {OB_CALL_RESULT_BRIDGED, "bridged"},
      {OB_CALL_RESULT_SILENCE, "silence"}, {OB_CALL_RESULT_ANSWER, "answer"}, {OB_CALL_RESULT_NU_TONE, "nu_tone"},
      {OB_CALL_RESULT_NO_DIAL_TONE, "no_dial_tone"}, {OB_CALL_RESULT_NO_PROGRESS, "no_progress"},
      {OB_CALL_RESULT_NO_RINGBACK, "no_ringback"}, {OB_CALL_RESULT_NO_ESTABLISHED, "no_established"},
      {OB_CALL_RESULT_PAGER_DETECTED, "pager_detected"}, {OB_CALL_RESULT_WRONG_PARTY, "wrong_party"},
      {OB_CALL_RESULT_DIAL_ERROR, "dial_error"}, {OB_CALL_RESULT_CALL_DROP_ERROR, "call_drop_error"},
      {OB_CALL_RESULT_SWITCH_ERROR, "switch_error"}, {OB_CALL_RESULT_NO_FREE_PORT, "no_free_port"},
      {OB_CALL_RESULT_TRANSFER_ERROR, "transfer_error"}, {OB_CALL_RESULT_STALE, "stale"},
      {OB_CALL_RESULT_AGENT_CALLBACK_ERROR, "agent_callback_error"},
      {OB_CALL_RESULT_GROUP_CALLBACK_ERROR, "group_callback_error"}, {OB_CALL_RESULT_DEAFENED, "deafened"},
      {OB_CALL_RESULT_HELD, "held"}, {OB_CALL_RESULT_DO_NOT_CALL, "do_not_call"},
      {OB_CALL_RESULT_CANCEL_RECORD, "cancel_record"}, {OB_CALL_RESULT_WRONG_NUMBER, "wrong_number"},
  };
  size_t i;
  CHECK(sizeof table / sizeof table[0] == OB_CALL_RESULT_COUNT);
  for (i = 0; i < sizeof table / sizeof table[0]; ++i) {
    CHECK(table[i].code == (int)i);
    CHECK_STR(ob_call_result_name(table[i].code), table[i].name);
    CHECK_STR(ob_enum_name(OB_ENUM_CALL_RESULT, table[i].code), table[i].name);
  }
  CHECK(ob_call_result_name(-1) == NULL);
  CHECK(ob_call_result_name(OB_CALL_RESULT_COUNT) == NULL);
}

/* A few values of the other tables, named as the C++ API names them. */
static void test_enum_tables(void) {
  int which, value, back, count = 0;
  CHECK_STR(ob_enum_name(OB_ENUM_STATUS, OB_EHANDLE), "bad_handle");
  CHECK_STR(ob_enum_name(OB_ENUM_STATUS, OB_OK), "ok");
  CHECK_STR(ob_enum_name(OB_ENUM_RECORD_TYPE, OB_RECORD_TYPE_PERSONAL_CALLBACK), "personal_callback");
  CHECK_STR(ob_enum_name(OB_ENUM_RECORD_STATUS, OB_RECORD_STATUS_MISSED_CALLBACK), "missed_callback");
  CHECK_STR(ob_enum_name(OB_ENUM_CONTACT_INFO_TYPE, OB_CONTACT_INSTANT_MESSAGING), "instant_messaging");
  CHECK_STR(ob_enum_name(OB_ENUM_DIAL_MODE, OB_DIAL_MODE_POWER_GVP), "power_gvp");
  CHECK_STR(ob_enum_name(OB_ENUM_GOAL, OB_GOAL_MAX_GAIN), "max_gain");
  CHECK_STR(ob_enum_name(OB_ENUM_CAMPAIGN_STATE, OB_CAMPAIGN_RUNNING), "running");
  CHECK_STR(ob_enum_name(OB_ENUM_AGENT_STATE, OB_AGENT_WRAP_UP), "wrap_up");
  CHECK_STR(ob_enum_name(OB_ENUM_CALL_EVENT_KIND, OB_CALL_EVENT_RELEASED), "released");
  CHECK(OB_CALL_ABANDONED == OB_CALL_EVENT_ABANDONED && OB_CALL_DIALING == OB_CALL_EVENT_DIALING); /* 0.2 aliases */
  CHECK_STR(ob_enum_name(OB_ENUM_ANSWER_CLASS, OB_ANSWER_SILENCE), "silence");
  CHECK_STR(ob_enum_name(OB_ENUM_AMD_MODE, OB_AMD_DETECT_CONNECT), "detect_connect");
  CHECK_STR(ob_enum_name(OB_ENUM_DRIVER_KIND, OB_DRIVER_CUSTOM), "custom");
  CHECK_STR(ob_enum_name(OB_ENUM_RECORD_ACTION, OB_ACTION_CANCEL_RECORD), "cancel_record");
  CHECK_STR(ob_enum_name(OB_ENUM_CALL_ACTION, OB_CALL_ACTION_DROP), "drop");
  CHECK_STR(ob_enum_name(OB_ENUM_EVENT_KIND, OB_EVENT_PREVIEW_RECORD), "preview_record");
  CHECK_STR(ob_enum_name(OB_ENUM_EVENT_KIND, OB_EVENT_ERROR), "error");
  CHECK_STR(ob_enum_name(OB_ENUM_EVENT_KIND, OB_EVENT_DIALING), "dialing");
  CHECK_STR(ob_enum_name(OB_ENUM_EVENT_KIND, OB_EVENT_WRITTEN), "written");
  CHECK_STR(ob_enum_name(OB_ENUM_LOG_LEVEL, OB_LOG_WARNING), "warning");
  CHECK_STR(ob_enum_name(OB_ENUM_DNC_MATCH, OB_DNC_MATCH_CUSTOMER_ID), "customer_id");
  CHECK_STR(ob_enum_name(OB_ENUM_CALLBACK_KIND, OB_CALLBACK_CAMPAIGN), "campaign");
  CHECK_STR(ob_enum_name(OB_ENUM_DNC_SCOPE, OB_DNC_SCOPE_CHAIN), "chain");
  CHECK_STR(ob_enum_name(OB_ENUM_CPD_MODE, OB_CPD_ASM), "asm");
  CHECK_STR(ob_enum_name(OB_ENUM_DISTRIBUTION_KIND, OB_DIST_UNIFORM), "uniform");
  CHECK_STR(ob_enum_name(OB_ENUM_CLOCK_KIND, OB_CLOCK_MANUAL), "manual");
  CHECK(ob_enum_name(OB_ENUM_COUNT, 0) == NULL);
  CHECK(ob_enum_name(-1, 0) == NULL);
  CHECK(ob_enum_name(OB_ENUM_AGENT_STATE, 6) == NULL);
  CHECK(ob_enum_name(OB_ENUM_STATUS, 1) == NULL);
  /* Every name maps back to its value. */
  for (which = 0; which < OB_ENUM_COUNT; ++which) {
    int lo = which == OB_ENUM_STATUS ? -20 : 0, hi = which == OB_ENUM_STATUS ? 0 : 100;
    for (value = lo; value <= hi; ++value) {
      const char* name = ob_enum_name(which, value);
      if (!name) continue;
      ++count;
      CHECK_OK(ob_enum_value(&back, which, name));
      CHECK(back == value);
    }
  }
  CHECK(count > 150);
  CHECK_RC(ob_enum_value(&back, OB_ENUM_CALL_RESULT, "no such result"), OB_ENOTFOUND);
  CHECK_RC(ob_enum_value(&back, OB_ENUM_COUNT, "busy"), OB_EINVALID);
  CHECK_RC(ob_enum_value(NULL, OB_ENUM_CALL_RESULT, "busy"), OB_EINVALID);
  CHECK_RC(ob_enum_value(&back, OB_ENUM_CALL_RESULT, NULL), OB_EINVALID);
}

static int same_dist(ob_distribution a, ob_distribution b) {
  return a.kind == b.kind && fabs(a.mean - b.mean) < 1e-12 && fabs(a.sd - b.sd) < 1e-12;
}

/* The _INIT macros give what the library's defaults are. */
static void test_init_macros(void) {
  {
    ob_engine_options m = OB_ENGINE_OPTIONS_INIT, f;
    CHECK_OK(ob_engine_options_init(&f, OB_ENGINE_OPTIONS_VERSION));
    CHECK(m.version == f.version && m.clock == f.clock && m.start_ms == f.start_ms);
  }
  {
    ob_record m = OB_RECORD_INIT, f;
    CHECK_OK(ob_record_init(&f, OB_RECORD_VERSION));
    CHECK(m.version == f.version && m.contact_info_type == f.contact_info_type && m.record_type == f.record_type);
    CHECK(m.record_status == f.record_status && m.call_result == f.call_result && m.daily_till == f.daily_till);
    CHECK(m.dial_sched_time == OB_NO_TIME && f.call_time == OB_NO_TIME && f.custom_count == 0);
  }
  {
    ob_list_options m = OB_LIST_OPTIONS_INIT, f;
    CHECK_OK(ob_list_options_init(&f, OB_LIST_OPTIONS_VERSION));
    CHECK(m.version == f.version && m.lease_s == f.lease_s && f.table == NULL && m.create_if_missing == f.create_if_missing);
  }
  {
    ob_csv_options m = OB_CSV_OPTIONS_INIT, f;
    CHECK_OK(ob_csv_options_init(&f, OB_CSV_OPTIONS_VERSION));
    CHECK(m.delimiter == f.delimiter && m.batch_size == f.batch_size && m.default_daily_till == f.default_daily_till);
    CHECK(m.crlf == f.crlf && f.column_count == 0);
  }
  {
    ob_dnc_options m = OB_DNC_OPTIONS_INIT, f;
    CHECK_OK(ob_dnc_options_init(&f, OB_DNC_OPTIONS_VERSION));
    CHECK(m.version == f.version && f.connection == NULL && m.create_if_missing == f.create_if_missing);
  }
  {
    ob_treatment m = OB_TREATMENT_INIT, f;
    CHECK_OK(ob_treatment_init(&f, OB_TREATMENT_VERSION));
    CHECK(m.call_result == f.call_result && m.action == f.action && m.sequence == f.sequence);
    CHECK(m.cycle_attempts == f.cycle_attempts && f.date_time == OB_NO_TIME);
  }
  {
    ob_sim_network_options m = OB_SIM_NETWORK_OPTIONS_INIT, f;
    int i;
    CHECK_OK(ob_sim_network_options_init(&f, OB_SIM_NETWORK_OPTIONS_VERSION));
    CHECK(m.seed == f.seed && m.live_answer == f.live_answer && m.busy == f.busy && m.no_answer == f.no_answer);
    CHECK(m.machine == f.machine && m.sit == f.sit && m.fax == f.fax && m.silence == f.silence);
    for (i = 0; i < 6; ++i) CHECK(m.sit_weights[i] == f.sit_weights[i]);
    CHECK(same_dist(m.ring, f.ring));
    CHECK(m.no_answer_timeout_s == f.no_answer_timeout_s && m.patience_s == f.patience_s);
    CHECK(m.busy_signal_s == f.busy_signal_s && m.sit_s == f.sit_s && m.amd_s == f.amd_s);
    CHECK(m.amd_false_positive == f.amd_false_positive && m.machine_talk_s == f.machine_talk_s);
  }
  {
    ob_sim_agent_options m = OB_SIM_AGENT_OPTIONS_INIT, f;
    CHECK_OK(ob_sim_agent_options_init(&f, OB_SIM_AGENT_OPTIONS_VERSION));
    CHECK(same_dist(m.talk, f.talk) && same_dist(m.wrap, f.wrap));
  }
  {
    ob_sim_cpd_options m = OB_SIM_CPD_OPTIONS_INIT, f;
    CHECK_OK(ob_sim_cpd_options_init(&f, OB_SIM_CPD_OPTIONS_VERSION));
    CHECK(m.mode == f.mode && m.channels == f.channels && m.engage_s == f.engage_s);
    CHECK(m.engage_failure == f.engage_failure && m.opt_out == f.opt_out);
  }
  {
    ob_sim_gvp_options m = OB_SIM_GVP_OPTIONS_INIT, f;
    CHECK_OK(ob_sim_gvp_options_init(&f, OB_SIM_GVP_OPTIONS_VERSION));
    CHECK(m.ports == f.ports && same_dist(m.ivr, f.ivr));
  }
  {
    ob_campaign_options m = OB_CAMPAIGN_OPTIONS_INIT, f;
    CHECK_OK(ob_campaign_options_init(&f, OB_CAMPAIGN_OPTIONS_VERSION));
    CHECK(m.name == NULL && f.name == NULL && m.campaign_id == f.campaign_id && m.mode == f.mode);
    CHECK(m.goal == f.goal && m.target == f.target && m.ratio == f.ratio && m.ports == f.ports);
    CHECK(m.chunk_size == f.chunk_size && m.low_water == f.low_water && m.tick_ms == f.tick_ms);
    CHECK(m.flush_interval_ms == f.flush_interval_ms && m.empty_list_backoff_ms == f.empty_list_backoff_ms);
    CHECK(m.abandon_after_ms == f.abandon_after_ms && m.abandon_cap_rate == f.abandon_cap_rate);
    CHECK(m.abandon_cap_window_ms == f.abandon_cap_window_ms && m.amd == f.amd && m.ring_timeout_ms == f.ring_timeout_ms);
    CHECK(m.window_from_s == f.window_from_s && m.window_till_s == f.window_till_s);
    CHECK(m.wait_for_desktop == f.wait_for_desktop && m.desktop_timeout_ms == f.desktop_timeout_ms);
    CHECK(m.callback_wait_ms == f.callback_wait_ms && m.abandoned_redial_lockout_ms == f.abandoned_redial_lockout_ms);
    CHECK(m.auto_complete == f.auto_complete && f.treatment_count == 0 && f.zone_count == 0);
    CHECK(m.caller_id == NULL && f.caller_id == NULL);
  }
  {
    ob_driver_capabilities c = OB_DRIVER_CAPABILITIES_INIT;
    ob_call_event e = OB_CALL_EVENT_INIT;
    ob_agent_event a = OB_AGENT_EVENT_INIT;
    ob_campaign_stats s = OB_CAMPAIGN_STATS_INIT;
    ob_sim_driver_stats d = OB_SIM_DRIVER_STATS_INIT;
    CHECK(c.kind == OB_DRIVER_CUSTOM && e.result == OB_CALL_RESULT_UNKNOWN && a.state == OB_AGENT_LOGGED_OUT);
    CHECK(s.version == OB_CAMPAIGN_STATS_VERSION && s.dials == 0 && d.version == OB_SIM_DRIVER_STATS_VERSION);
  }
  /* Versions the library does not know are refused. */
  {
    ob_engine_options e;
    ob_campaign_options c;
    CHECK_RC(ob_engine_options_init(&e, 0), OB_EINVALID);
    CHECK_RC(ob_engine_options_init(&e, OB_ENGINE_OPTIONS_VERSION + 1), OB_EINVALID);
    CHECK(strstr(ob_last_error(), "version") != NULL);
    CHECK_RC(ob_campaign_options_init(&c, 99), OB_EINVALID);
    CHECK_RC(ob_record_init(NULL, OB_RECORD_VERSION), OB_EINVALID);
    CHECK_RC(ob_list_options_init(NULL, 1), OB_EINVALID);
    CHECK_RC(ob_csv_options_init(NULL, 1), OB_EINVALID);
    CHECK_RC(ob_dnc_options_init(NULL, 1), OB_EINVALID);
    CHECK_RC(ob_treatment_init(NULL, 1), OB_EINVALID);
    CHECK_RC(ob_sim_network_options_init(NULL, 1), OB_EINVALID);
    CHECK_RC(ob_sim_agent_options_init(NULL, 1), OB_EINVALID);
    CHECK_RC(ob_sim_cpd_options_init(NULL, 1), OB_EINVALID);
    CHECK_RC(ob_sim_gvp_options_init(NULL, 1), OB_EINVALID);
  }
}

static void test_phone(void) {
  char* e164 = NULL;
  CHECK_OK(ob_phone_to_e164(&e164, "(212) 555-1234", NULL));
  CHECK_STR(e164, "+12125551234");
  ob_free(e164);
  CHECK_OK(ob_phone_to_e164(&e164, "020 7946 0018", "GB"));
  CHECK_STR(e164, "+442079460018");
  ob_free(e164);
  e164 = NULL;
  CHECK_RC(ob_phone_to_e164(&e164, "not a number", "US"), OB_EINVALID);
  CHECK(e164 == NULL);
  CHECK_RC(ob_phone_to_e164(NULL, "2125551234", "US"), OB_EINVALID);
  CHECK_RC(ob_phone_to_e164(&e164, NULL, "US"), OB_EINVALID);
}

static void test_treatments(void) {
  ob_treatment rules[2] = {OB_TREATMENT_INIT, OB_TREATMENT_INIT};
  rules[0].id = 1;
  rules[0].call_result = OB_CALL_RESULT_BUSY;
  rules[0].action = OB_ACTION_RETRY_IN;
  rules[0].cycle_attempts = 3;
  rules[0].interval_ms = 600000;
  rules[1].id = 2;
  rules[1].call_result = OB_CALL_RESULT_NO_ANSWER;
  rules[1].action = OB_ACTION_NEXT_IN_CHAIN;
  CHECK_OK(ob_treatments_validate(rules, 2));
  CHECK_OK(ob_treatments_validate(NULL, 0));
  CHECK_RC(ob_treatments_validate(NULL, 1), OB_EINVALID);
  rules[1].action = 99;
  CHECK_RC(ob_treatments_validate(rules, 2), OB_EINVALID);
  rules[1].action = OB_ACTION_REDIAL;
  rules[1].call_result = 54;
  CHECK_RC(ob_treatments_validate(rules, 2), OB_EINVALID);
  rules[1].call_result = OB_CALL_RESULT_BUSY; /* a second step 1 for busy contradicts the first */
  CHECK_RC(ob_treatments_validate(rules, 2), OB_EINVALID);
  rules[1].version = 0;
  CHECK_RC(ob_treatments_validate(rules, 2), OB_EINVALID);
}

/* Messages read as sentences a host can show as they are. */
static void test_error_messages(void) {
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  ob_engine* e = NULL;
  CHECK_RC(ob_campaign_start(NULL), OB_EHANDLE);
  CHECK_STR(ob_last_error(), "the campaign handle is NULL, already freed, or of another kind");
  eo.clock = 7;
  CHECK_RC(ob_engine_new(&e, &eo), OB_EINVALID);
  CHECK_STR(ob_last_error(), "clock = 7 is no code of its table (0..1)");
  eo.version = 9;
  CHECK_RC(ob_engine_new(&e, &eo), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "ob_engine_options has version 9; this library knows versions 1..1") != NULL);
}

int main(void) {
  test_versions();
  test_errors();
  test_error_messages();
  test_call_result_names();
  test_enum_tables();
  test_init_macros();
  test_phone();
  test_treatments();
  return check_report("capi_basics");
}
