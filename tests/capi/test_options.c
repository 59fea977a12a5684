/* C API settings and the one-call end:
 *  - every ob_campaign_options field set to a value other than its default
 *    reaches the campaign (read back with ob_campaign_options_get), and so do
 *    the list options (ob_list_options_get), record type priorities included;
 *  - what ob_campaign_options_get hands out is the caller's until
 *    ob_campaign_options_free, which finds it through any pointer left as it
 *    was (ASan's leak check sees what it would miss);
 *  - treatment instants: read back in the one field of their version, so a
 *    rule read, changed and set again is accepted; bounded to the years
 *    1..9999 (an instant past them overflowed milliseconds);
 *  - older, shorter structs (version 2 campaign options, version 1 list
 *    options, arrays of version 1 treatment rules) are read and written only
 *    as far as their version reaches (allocated at that size: ASan checks);
 *  - ob_campaign_finish: calls end on their own, or are cut at the timeout;
 *    on a manual clock and on an engine running its own thread. */
#include "campaign_helpers.h"
#include "check.h"

#include <stddef.h>
#include <time.h>

static ob_driver* sim_switch(ob_engine* e, ob_sim_network** net, int agents) {
  ob_driver* drv = NULL;
  CHECK_OK(ob_sim_network_new(net, e, NULL));
  CHECK_OK(ob_sim_tserver_new(&drv, *net, agents, "agent", NULL));
  return drv;
}

/* Every field away from its default, then read back. */
static void test_campaign_options_round_trip(const char* dir) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = sim_switch(e, &net, 2);
  ob_list* list = new_list(dir, "round.db", 4);
  ob_campaign* c = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_options back;
  ob_treatment rules[2] = {OB_TREATMENT_INIT, OB_TREATMENT_INIT};
  const char* no_call[3] = {"2026-12-25", "sun", "Europe/London:2026-12-26"};
  ob_zone zones[2] = {{"1", "America/New_York"}, {"7", "Europe/London"}};

  rules[0].id = 11;
  rules[0].name = "busy again";
  rules[0].call_result = OB_CALL_RESULT_BUSY;
  rules[0].action = OB_ACTION_RETRY_IN;
  rules[0].cycle_attempts = 3;
  rules[0].interval_ms = 600000;
  rules[0].increment_ms = 60000;
  rules[1].id = 12;
  rules[1].call_result = OB_CALL_RESULT_NO_ANSWER;
  rules[1].action = OB_ACTION_RETRY_AT_DATE;
  rules[1].date_time_ms = TEST_START_MS + 86400000;

  o.name = "round trip";
  o.campaign_id = 42;
  o.mode = OB_DIAL_MODE_PREDICTIVE;
  o.goal = OB_GOAL_BUSY_FACTOR;
  o.target = 0.85;
  o.pacer = "outbound";
  o.ratio = 1.5;
  o.ports = 7;
  o.chunk_size = 33;
  o.low_water = 11;
  o.tick_ms = 1500;
  o.flush_interval_ms = 2500;
  o.empty_list_backoff_ms = 45000;
  o.abandon_after_ms = 1800;
  o.abandon_cap_rate = 0.02;
  o.abandon_cap_window_ms = 86400000;
  o.amd = OB_AMD_DETECT_CONNECT;
  o.ring_timeout_ms = 20000;
  o.customer_id_field = "customer_id";
  o.voice_application = "survey";
  o.treatment_count = 2;
  o.treatments = rules;
  o.zone_count = 2;
  o.zones = zones;
  o.window_from_s = 9 * 3600;
  o.window_till_s = 20 * 3600;
  o.zone_column = "zone";
  o.wait_for_desktop = 1;
  o.desktop_timeout_ms = 120000;
  o.callback_wait_ms = 90000;
  o.abandoned_redial_lockout_ms = 72LL * 3600 * 1000;
  o.auto_complete = 1;
  o.caller_id = "(212) 555-0199";
  o.pace_interval_ms = 500;
  o.max_attempts = 4;
  o.abandon_cap_amd_false_positive = 0.1;
  o.agent_answer_timeout_ms = 1500;
  o.unknown_zones = OB_UNKNOWN_ZONES_FROM_NUMBERS;
  o.no_call_day_count = 3;
  o.no_call_days = no_call;
  CHECK_OK(ob_campaign_new(&c, e, &o, drv, NULL));

  back.version = OB_CAMPAIGN_OPTIONS_VERSION;
  CHECK_OK(ob_campaign_options_get(&back, c));
  CHECK_STR(back.name, "round trip");
  CHECK(back.version == OB_CAMPAIGN_OPTIONS_VERSION && back.campaign_id == 42);
  CHECK(back.mode == OB_DIAL_MODE_PREDICTIVE && back.goal == OB_GOAL_BUSY_FACTOR && back.target == 0.85);
  CHECK_STR(back.pacer, "outbound");
  CHECK(back.ratio == 1.5 && back.ports == 7 && back.chunk_size == 33 && back.low_water == 11);
  CHECK(back.tick_ms == 1500 && back.flush_interval_ms == 2500 && back.empty_list_backoff_ms == 45000);
  CHECK(back.abandon_after_ms == 1800 && back.abandon_cap_rate == 0.02 && back.abandon_cap_window_ms == 86400000);
  CHECK(back.amd == OB_AMD_DETECT_CONNECT && back.ring_timeout_ms == 20000);
  CHECK_STR(back.customer_id_field, "customer_id");
  CHECK_STR(back.voice_application, "survey");
  CHECK(back.treatment_count == 2);
  if (back.treatment_count == 2) {
    CHECK(back.treatments[0].id == 11 && back.treatments[0].interval_ms == 600000);
    CHECK(back.treatments[0].cycle_attempts == 3 && back.treatments[0].increment_ms == 60000);
    CHECK_STR(back.treatments[0].name, "busy again");
    CHECK(back.treatments[1].id == 12 && back.treatments[1].date_time_ms == TEST_START_MS + 86400000);
    CHECK(back.treatments[1].date_time == OB_NO_TIME); /* one field holds the instant */
    CHECK(back.treatments[0].version == OB_TREATMENT_VERSION);
  }
  CHECK(back.zone_count == 2);
  if (back.zone_count == 2) {
    CHECK_STR(back.zones[0].key, "1");
    CHECK_STR(back.zones[0].iana, "America/New_York");
    CHECK_STR(back.zones[1].iana, "Europe/London");
  }
  CHECK(back.window_from_s == 9 * 3600 && back.window_till_s == 20 * 3600);
  CHECK_STR(back.zone_column, "zone");
  CHECK(back.wait_for_desktop == 1 && back.desktop_timeout_ms == 120000 && back.callback_wait_ms == 90000);
  CHECK(back.abandoned_redial_lockout_ms == 72LL * 3600 * 1000 && back.auto_complete == 1);
  CHECK_STR(back.caller_id, "(212) 555-0199"); /* as given until load normalises it */
  CHECK(back.pace_interval_ms == 500 && back.max_attempts == 4 && back.abandon_cap_amd_false_positive == 0.1);
  CHECK(back.agent_answer_timeout_ms == 1500);
  CHECK(back.no_call_day_count == 3);
  if (back.no_call_day_count == 3) {
    CHECK_STR(back.no_call_days[0], "2026-12-25");
    CHECK_STR(back.no_call_days[2], "Europe/London:2026-12-26");
  }

  /* Read, changed and set again: accepted (the 0.2 date_time no longer contradicts it). */
  if (back.treatment_count == 2) {
    ob_treatment copy[2];
    memcpy(copy, back.treatments, sizeof copy);
    copy[1].date_time_ms += 3600000;
    CHECK_OK(ob_campaign_set_treatments(c, copy, 2));
  }
  ob_campaign_options_free(&back);
  CHECK(back.name == NULL && back.treatments == NULL && back.treatment_count == 0 && back.zones == NULL);
  CHECK(back.no_call_days == NULL && back.no_call_day_count == 0);

  /* A no-call day that is no date or weekday is refused, naming it. */
  {
    ob_campaign* bad = NULL;
    const char* wrong[1] = {"2026-02-30"};
    o.name = "bad no-call day";
    o.no_call_day_count = 1;
    o.no_call_days = wrong;
    CHECK(ob_campaign_new(&bad, e, &o, drv, NULL) == OB_EINVALID);
    CHECK(strstr(ob_last_error(), "no-call day \"2026-02-30\" is no date") != NULL);
    o.no_call_days = NULL;
    CHECK(ob_campaign_new(&bad, e, &o, drv, NULL) == OB_EINVALID);
    CHECK(strstr(ob_last_error(), "no_call_days must not be NULL") != NULL);
    o.no_call_day_count = 0;
  }

  /* The mode in use, not the one given; the rules as set. */
  CHECK_OK(ob_campaign_set_mode(c, OB_DIAL_MODE_PROGRESSIVE, OB_GOAL_NONE, 0));
  CHECK_OK(ob_campaign_options_get(&back, c));
  CHECK(back.mode == OB_DIAL_MODE_PROGRESSIVE && back.goal == OB_GOAL_NONE);
  CHECK(back.treatment_count == 2 && back.treatments[1].date_time_ms == TEST_START_MS + 86400000 + 3600000);
  CHECK(back.unknown_zones == OB_UNKNOWN_ZONES_FROM_NUMBERS);
  ob_campaign_options_free(&back);

  /* Out of range: a clear error naming the field, and no campaign. */
  {
    ob_campaign* bad = NULL;
    ob_campaign_options x = OB_CAMPAIGN_OPTIONS_INIT;
    x.name = "bad";
    x.max_attempts = -1;
    CHECK_RC(ob_campaign_new(&bad, e, &x, drv, NULL), OB_EINVALID);
    CHECK(strstr(ob_last_error(), "max_attempts") != NULL);
    x.max_attempts = 0;
    x.abandon_cap_amd_false_positive = 1.5;
    CHECK_RC(ob_campaign_new(&bad, e, &x, drv, NULL), OB_EINVALID);
    CHECK(strstr(ob_last_error(), "abandon_cap_amd_false_positive") != NULL);
    x.abandon_cap_amd_false_positive = 0;
    x.pace_interval_ms = -5;
    CHECK_RC(ob_campaign_new(&bad, e, &x, drv, NULL), OB_EINVALID);
    CHECK(strstr(ob_last_error(), "pace_interval_ms") != NULL);
    x.pace_interval_ms = 250;
    x.unknown_zones = 7;
    CHECK_RC(ob_campaign_new(&bad, e, &x, drv, NULL), OB_EINVALID);
    CHECK(strstr(ob_last_error(), "unknown_zones = 7") != NULL);
    CHECK(bad == NULL);
  }

  ob_campaign_free(c);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_list_free(list);
  ob_engine_free(e);
}

#define V2_SIZE offsetof(ob_campaign_options, pace_interval_ms)

/* A version-2 caller: its struct (allocated at the version-2 size) is read and written only that far;
 * the version-3 fields keep their defaults. */
static void test_campaign_options_version_2(void) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = sim_switch(e, &net, 1);
  ob_campaign* c = NULL;
  ob_campaign_options* p = (ob_campaign_options*)malloc(V2_SIZE);
  ob_campaign_options back;
  const char* name = "v2";
  unsigned int v = 2;
  int64_t tick = 0;

  if (!p) return;
  CHECK_OK(ob_campaign_options_init(p, 2));
  memcpy((char*)p + offsetof(ob_campaign_options, name), &name, sizeof name);
  CHECK_OK(ob_campaign_new(&c, e, p, drv, NULL));
  memcpy((char*)p + offsetof(ob_campaign_options, version), &v, sizeof v);
  CHECK_OK(ob_campaign_options_get(p, c)); /* writes no byte past the version-2 end */
  memcpy(&tick, (char*)p + offsetof(ob_campaign_options, tick_ms), sizeof tick);
  CHECK(tick == 1000);
  ob_campaign_options_free(p); /* reads no byte past it either */
  free(p);
  back.version = OB_CAMPAIGN_OPTIONS_VERSION;
  CHECK_OK(ob_campaign_options_get(&back, c));
  CHECK(back.pace_interval_ms == 250 && back.max_attempts == 0 && back.abandon_cap_amd_false_positive == 0.0);
  CHECK(back.unknown_zones == OB_UNKNOWN_ZONES_REFUSE); /* a version-6 field: its default */
  ob_campaign_options_free(&back);
  ob_campaign_free(c);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

#define V5_SIZE offsetof(ob_campaign_options, unknown_zones)

/* A version-5 caller (contact limits, before the load checks): its tail is neither read nor written,
 * and what it has (the contact limits) still reaches the campaign and comes back. */
static void test_campaign_options_version_5(void) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = sim_switch(e, &net, 1);
  ob_campaign* c = NULL;
  ob_contact_limit limit = {2, 3600000};
  ob_campaign_options o;
  ob_campaign_options back;
  unsigned char* bytes = (unsigned char*)&o;
  size_t i, touched = 0, count = 0;
  const ob_contact_limit* limits = NULL;
  ob_campaign_options* p = (ob_campaign_options*)malloc(V5_SIZE);

  if (!p) return;
  memset(&o, 0xAB, sizeof o);
  CHECK_OK(ob_campaign_options_init(&o, 5));
  for (i = V5_SIZE; i < sizeof o; ++i) touched += bytes[i] != 0xAB;
  CHECK(touched == 0);
  CHECK(o.version == 5 && o.contact_limit_count == 0 && o.contact_limits == NULL);
  o.name = "v5";
  o.contact_limit_count = 1;
  o.contact_limits = &limit;
  CHECK_OK(ob_campaign_new(&c, e, &o, drv, NULL)); /* the 0xAB tail (unknown_zones …) is not read */
  CHECK_OK(ob_campaign_options_init(p, 5));
  CHECK_OK(ob_campaign_options_get(p, c)); /* writes no byte past the version-5 end (ASan) */
  memcpy(&count, (char*)p + offsetof(ob_campaign_options, contact_limit_count), sizeof count);
  memcpy(&limits, (char*)p + offsetof(ob_campaign_options, contact_limits), sizeof limits);
  CHECK(count == 1 && limits && limits[0].max_calls == 2 && limits[0].window_ms == 3600000);
  ob_campaign_options_free(p); /* reads no byte past it either */
  free(p);
  back.version = OB_CAMPAIGN_OPTIONS_VERSION;
  CHECK_OK(ob_campaign_options_get(&back, c));
  CHECK(back.unknown_zones == OB_UNKNOWN_ZONES_REFUSE); /* version-6 fields: their defaults */
  ob_campaign_options_free(&back);
  ob_campaign_free(c);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

/* Treatment arrays built against 0.2: each rule is version 1, 80 bytes on LP64. */
static void test_treatments_version_1(void) {
  size_t v1 = offsetof(ob_treatment, date_time_ms);
  unsigned char* array = (unsigned char*)malloc(2 * v1);
  ob_treatment rule = OB_TREATMENT_INIT;
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = sim_switch(e, &net, 1);
  ob_campaign* c = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_options back = OB_CAMPAIGN_OPTIONS_INIT;
  int i;

  if (!array) return;
  for (i = 0; i < 2; ++i) {
    CHECK_OK(ob_treatment_init(&rule, 1));
    rule.id = 21 + i;
    rule.call_result = i == 0 ? OB_CALL_RESULT_BUSY : OB_CALL_RESULT_NO_ANSWER;
    rule.action = OB_ACTION_RETRY_IN;
    rule.interval_ms = 1000 * (i + 1);
    memcpy(array + (size_t)i * v1, &rule, v1);
  }
  CHECK_OK(ob_treatments_validate((const ob_treatment*)array, 2));
  o.name = "v1 rules";
  o.treatments = (const ob_treatment*)array;
  o.treatment_count = 2;
  CHECK_OK(ob_campaign_new(&c, e, &o, drv, NULL));
  CHECK_OK(ob_campaign_options_get(&back, c));
  CHECK(back.treatment_count == 2);
  if (back.treatment_count == 2)
    CHECK(back.treatments[1].id == 22 && back.treatments[1].interval_ms == 2000 &&
          back.treatments[1].call_result == OB_CALL_RESULT_NO_ANSWER);
  ob_campaign_options_free(&back);
  free(array);

  /* One array, one version; and date_time (s) and date_time_ms must agree when both are set. */
  {
    ob_treatment two[2] = {OB_TREATMENT_INIT, OB_TREATMENT_INIT};
    two[0].id = 1;
    two[1].id = 2;
    two[1].call_result = OB_CALL_RESULT_NO_ANSWER;
    two[1].version = 1;
    CHECK_RC(ob_treatments_validate(two, 2), OB_EINVALID);
    two[1].version = OB_TREATMENT_VERSION;
    two[1].action = OB_ACTION_RETRY_AT_DATE;
    two[1].date_time = TEST_START_MS / 1000 + 3600;
    two[1].date_time_ms = TEST_START_MS + 7200000;
    CHECK_RC(ob_treatments_validate(two, 2), OB_EINVALID);
    CHECK(strstr(ob_last_error(), "date_time") != NULL);
    two[1].date_time_ms = TEST_START_MS + 3600000;
    CHECK_OK(ob_treatments_validate(two, 2));
    /* A 0.3 array whose rules say version 1: the message says why rule 1 reads as garbage. */
    CHECK_OK(ob_treatment_init(&two[0], 1));
    CHECK_OK(ob_treatment_init(&two[1], 1));
    CHECK_RC(ob_treatments_validate(two, 2), OB_EINVALID);
    {
      char says[64];
      snprintf(says, sizeof says, "%zu bytes for version 1", offsetof(ob_treatment, date_time_ms));
      CHECK(strstr(ob_last_error(), says) != NULL);
    }
  }
  ob_campaign_free(c);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

/* A rule at `date_time_s` (0.2 field) or `date_time_ms`: is it valid? */
static int rule_at(int64_t date_time_s, int64_t date_time_ms) {
  ob_treatment t = OB_TREATMENT_INIT;
  t.id = 1;
  t.call_result = OB_CALL_RESULT_NO_ANSWER;
  t.action = OB_ACTION_RETRY_AT_DATE;
  t.date_time = date_time_s;
  t.date_time_ms = date_time_ms;
  return ob_treatments_validate(&t, 1);
}

#define LAST_S 253402300799LL /* 9999-12-31T23:59:59Z */

/* Instants from 1970 to the end of 9999, in either field; beyond, OB_EINVALID (they overflowed ms). */
static void test_treatment_instants(void) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = sim_switch(e, &net, 1);
  ob_campaign* c = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_options back = OB_CAMPAIGN_OPTIONS_INIT;
  ob_treatment t = OB_TREATMENT_INIT;

  CHECK_OK(rule_at(LAST_S, OB_NO_TIME));
  CHECK_OK(rule_at(0, OB_NO_TIME));
  CHECK_OK(rule_at(OB_NO_TIME, LAST_S * 1000 + 999));
  CHECK_OK(rule_at(OB_NO_TIME, 0));
  CHECK_RC(rule_at(LAST_S + 1, OB_NO_TIME), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "9999-12-31") != NULL);
  CHECK_RC(rule_at(INT64_MAX / 100, OB_NO_TIME), OB_EINVALID);
  CHECK_RC(rule_at(TEST_START_MS, OB_NO_TIME), OB_EINVALID); /* milliseconds in the seconds field */
  CHECK_RC(rule_at(OB_NO_TIME, (LAST_S + 1) * 1000), OB_EINVALID);
  CHECK_RC(rule_at(OB_NO_TIME, INT64_MAX), OB_EINVALID);
  CHECK_RC(rule_at(-1, OB_NO_TIME), OB_EINVALID);
  CHECK_RC(rule_at(OB_NO_TIME, INT64_MIN + 1), OB_EINVALID);

  /* The last instant, set in seconds, comes back in ms (it overflowed to -80 before). */
  t.id = 1;
  t.call_result = OB_CALL_RESULT_NO_ANSWER;
  t.action = OB_ACTION_RETRY_AT_DATE;
  t.date_time = LAST_S;
  o.name = "far";
  o.treatments = &t;
  o.treatment_count = 1;
  CHECK_RC(ob_campaign_new(&c, e, &o, drv, NULL), OB_OK);
  CHECK_OK(ob_campaign_options_get(&back, c));
  CHECK(back.treatment_count == 1 && back.treatments[0].date_time_ms == LAST_S * 1000 &&
        back.treatments[0].date_time == OB_NO_TIME);
  CHECK_OK(ob_campaign_set_treatments(c, back.treatments, back.treatment_count)); /* round trip */
  ob_campaign_options_free(&back);
  t.date_time = INT64_MAX / 100;
  CHECK_RC(ob_campaign_set_treatments(c, &t, 1), OB_EINVALID);

  /* A version-2 options struct (0.2's) gets version-1 rules: 80-byte elements, the instant in s. */
  {
    const size_t v1 = offsetof(ob_treatment, date_time_ms);
    ob_campaign_options* p = (ob_campaign_options*)malloc(V2_SIZE);
    ob_treatment two[2] = {OB_TREATMENT_INIT, OB_TREATMENT_INIT};
    const unsigned char* rules = NULL;
    ob_treatment rule1;
    size_t count = 0;
    two[0].id = 1;
    two[1].id = 2;
    two[1].call_result = OB_CALL_RESULT_NO_ANSWER;
    two[1].action = OB_ACTION_RETRY_AT_DATE;
    two[1].date_time_ms = TEST_START_MS + 1500; /* the engine keeps whole seconds */
    CHECK_OK(ob_campaign_set_treatments(c, two, 2));
    if (p) {
      CHECK_OK(ob_campaign_options_init(p, 2));
      CHECK_OK(ob_campaign_options_get(p, c));
      memcpy(&count, (char*)p + offsetof(ob_campaign_options, treatment_count), sizeof count);
      memcpy(&rules, (char*)p + offsetof(ob_campaign_options, treatments), sizeof rules);
      CHECK(count == 2 && rules != NULL);
      if (count == 2 && rules) {
        memset(&rule1, 0, sizeof rule1);
        memcpy(&rule1, rules + v1, v1); /* element 1 starts 80 bytes in */
        CHECK(rule1.version == 1 && rule1.id == 2 && rule1.date_time == (TEST_START_MS + 1500) / 1000);
      }
      ob_campaign_options_free(p);
      free(p);
    }
  }

  ob_campaign_free(c);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

/* The result of ob_campaign_options_get is the caller's: it outlives the campaign, and
 * ob_campaign_options_free finds it through any pointer the caller left as it was. */
static void test_options_ownership(void) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = sim_switch(e, &net, 1);
  ob_campaign* c = NULL;
  ob_campaign* clone = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_options got = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_options copy;
  ob_treatment t = OB_TREATMENT_INIT;

  t.id = 5;
  t.name = "a rule whose name is long enough not to fit in a short string";
  o.name = "original, with a name long enough to be allocated";
  o.treatments = &t;
  o.treatment_count = 1;
  CHECK_OK(ob_campaign_new(&c, e, &o, drv, NULL));
  CHECK_OK(ob_campaign_options_get(&got, c));
  ob_campaign_free(c);
  CHECK_STR(got.name, "original, with a name long enough to be allocated"); /* still ours */
  CHECK_STR(got.treatments[0].name, "a rule whose name is long enough not to fit in a short string");

  /* Cloned under another name, then freed through the pointers left alone. */
  got.name = "clone";
  CHECK_OK(ob_campaign_new(&clone, e, &got, drv, NULL));
  copy = got;
  ob_campaign_options_free(&got);
  CHECK_STR(got.name, "clone"); /* the caller's pointer is not touched */
  CHECK(got.pacer == NULL && got.treatments == NULL && got.treatment_count == 0);
  ob_campaign_options_free(&copy); /* freed already: nothing happens */
  ob_campaign_options_free(&o);    /* never from ob_campaign_options_get: nothing happens */
  CHECK_STR(o.name, "original, with a name long enough to be allocated");
  ob_campaign_options_free(NULL);

  ob_campaign_free(clone);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_engine_free(e);
}

/* List options: every field, record type priorities included; a version-1 struct. */
static void test_list_options(const char* dir) {
  char conn[256];
  ob_list_options o = OB_LIST_OPTIONS_INIT;
  ob_list_options back = OB_LIST_OPTIONS_INIT;
  ob_record_type_priority prio[2] = {{OB_RECORD_TYPE_PERSONAL_CALLBACK, 0}, {OB_RECORD_TYPE_CAMPAIGN_CALLBACK, 1}};
  ob_list* list = NULL;
  ob_list_options* v1 = NULL;

  sqlite_conn(conn, sizeof conn, dir, "options.db");
  CHECK_OK(ob_list_create_table(conn, "opts", NULL, 0));
  o.table = "opts";
  o.filter = "campaign_id = 1";
  o.order_by = "record_id DESC";
  o.engine_id = "engine-7";
  o.lease_s = 120;
  o.create_if_missing = 1;
  o.create_indexes = 1;
  o.record_type_priority_count = 2;
  o.record_type_priorities = prio;
  CHECK_OK(ob_list_open(&list, conn, &o));
  CHECK_OK(ob_list_options_get(&back, list));
  CHECK_STR(back.table, "opts");
  CHECK_STR(back.filter, "campaign_id = 1");
  CHECK_STR(back.order_by, "record_id DESC");
  CHECK_STR(back.engine_id, "engine-7");
  CHECK(back.lease_s == 120 && back.create_if_missing == 1 && back.create_indexes == 1 && back.zone_column == NULL);
  CHECK(back.record_type_priority_count == 2);
  if (back.record_type_priority_count == 2)
    CHECK(back.record_type_priorities[0].record_type == OB_RECORD_TYPE_PERSONAL_CALLBACK &&
          back.record_type_priorities[1].priority == 1);
  ob_list_free(list);

  /* Bad priorities: an unknown type, a type twice. */
  prio[1].record_type = 99;
  CHECK_RC(ob_list_open(&list, conn, &o), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "record_type_priorities[1].record_type = 99") != NULL);
  prio[1].record_type = OB_RECORD_TYPE_PERSONAL_CALLBACK;
  CHECK_RC(ob_list_open(&list, conn, &o), OB_EINVALID);
  CHECK(strstr(ob_last_error(), "twice") != NULL);

  /* A 0.2 caller's struct ends before the priorities. */
  v1 = (ob_list_options*)malloc(offsetof(ob_list_options, record_type_priority_count));
  if (v1) {
    const char* table = "opts";
    CHECK_OK(ob_list_options_init(v1, 1));
    memcpy((char*)v1 + offsetof(ob_list_options, table), &table, sizeof table);
    CHECK_OK(ob_list_open(&list, conn, v1));
    CHECK_OK(ob_list_options_get(v1, list));
    CHECK_OK(ob_list_options_get(&back, list));
    CHECK(back.record_type_priority_count == 0 && back.record_type_priorities == NULL);
    ob_list_free(list);
    free(v1);
  }
}

typedef struct {
  ob_campaign* campaign;
  int refused;
} finish_probe;

/* Calling finish from an event callback is refused: the loop cannot run there. */
static void finish_from_callback(void* user_data, const ob_campaign_event* e) {
  finish_probe* p = (finish_probe*)user_data;
  size_t cut = 0;
  if (e->kind == OB_EVENT_CALL_FINISHED && !p->refused)
    p->refused = ob_campaign_finish(&cut, p->campaign, 0) == OB_ESTATE;
}

static void check_nothing_left(ob_list* list, ob_campaign* c) {
  int64_t by_status[OB_RECORD_STATUS_COUNT];
  int state = -1;
  CHECK_OK(ob_campaign_state_get(&state, c));
  CHECK(state == OB_CAMPAIGN_NOT_LOADED);
  CHECK_OK(ob_list_count_by_status(by_status, OB_RECORD_STATUS_COUNT, list));
  CHECK(by_status[OB_RECORD_STATUS_RETRIEVED] == 0);
}

/* On a manual clock: calls end within the timeout (none cut), or are cut at it. */
static void test_finish_manual(const char* dir) {
  ob_engine* e = manual_engine();
  ob_sim_network* net = NULL;
  ob_driver* drv = sim_switch(e, &net, 10);
  ob_list* list = new_list(dir, "finish.db", 300);
  ob_campaign* c = NULL;
  ob_campaign* quick = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  finish_probe probe = {NULL, 0};
  size_t cut = 99, calls = 0;

  o.name = "patient";
  CHECK_OK(ob_campaign_new(&c, e, &o, drv, NULL));
  probe.campaign = c;
  CHECK_OK(ob_campaign_set_event_callback(c, finish_from_callback, &probe));
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_campaign_finish(&cut, c, 1000)); /* not loaded: nothing to do */
  CHECK(cut == 0);
  CHECK_OK(ob_campaign_load(c));
  CHECK_OK(ob_campaign_start(c));
  CHECK_OK(ob_engine_run_for(e, 5 * 60 * 1000));
  CHECK(probe.refused == 1);
  CHECK_OK(ob_campaign_calls_in_flight(&calls, c));
  CHECK(calls > 0);
  CHECK_RC(ob_campaign_finish(&cut, c, -1), OB_EINVALID);
  {
    /* A timeout past 36,500 days is refused: it took a manual clock towards the end of time. */
    int64_t before = 0, after = 0;
    CHECK_OK(ob_engine_now(&before, e));
    CHECK_RC(ob_campaign_finish(&cut, c, INT64_MAX), OB_EINVALID);
    CHECK(strstr(ob_last_error(), "36,500 days") != NULL);
    CHECK_RC(ob_campaign_finish(&cut, c, 36500LL * 86400 * 1000 + 1), OB_EINVALID);
    CHECK_OK(ob_engine_now(&after, e));
    CHECK(after == before);
  }
  CHECK_OK(ob_campaign_finish(&cut, c, 3600 * 1000));
  CHECK(cut == 0);
  check_nothing_left(list, c);

  /* A timeout of 0 cuts the calls up now; their records go back to ready. */
  o.name = "hasty";
  CHECK_OK(ob_campaign_new(&quick, e, &o, drv, NULL));
  CHECK_OK(ob_campaign_add_list(quick, list, 1.0));
  CHECK_OK(ob_campaign_load(quick));
  CHECK_OK(ob_campaign_start(quick));
  CHECK_OK(ob_engine_run_for(e, 5 * 60 * 1000));
  CHECK_OK(ob_campaign_calls_in_flight(&calls, quick));
  CHECK(calls > 0);
  CHECK_OK(ob_campaign_finish(&cut, quick, 0));
  CHECK(cut > 0 && cut <= calls);
  check_nothing_left(list, quick);
  CHECK_OK(ob_campaign_finish(NULL, quick, 0)); /* again: nothing to do */

  ob_campaign_free(c);
  ob_campaign_free(quick);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_list_free(list);
  ob_engine_free(e);
}

/* An engine running its own thread on the real clock: finish waits for that thread. */
static void test_finish_own_thread(const char* dir) {
  ob_engine* e = NULL;
  ob_sim_network* net = NULL;
  ob_driver* drv = NULL;
  ob_list* list = new_list(dir, "thread.db", 100);
  ob_campaign* c = NULL;
  ob_campaign_options o = OB_CAMPAIGN_OPTIONS_INIT;
  struct timespec pause = {0, 300 * 1000 * 1000};
  size_t cut = 0, calls = 0;

  CHECK_OK(ob_engine_new(&e, NULL));
  drv = sim_switch(e, &net, 5);
  o.name = "threaded";
  CHECK_OK(ob_campaign_new(&c, e, &o, drv, NULL));
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_engine_start_thread(e));
  CHECK_OK(ob_campaign_load(c));
  CHECK_OK(ob_campaign_start(c));
  nanosleep(&pause, NULL); /* simulated calls ring for seconds: some are up now */
  CHECK_OK(ob_campaign_calls_in_flight(&calls, c));
  CHECK(calls > 0);
  CHECK_OK(ob_campaign_finish(&cut, c, 50));
  CHECK(cut > 0 && cut <= calls);
  check_nothing_left(list, c);
  CHECK_OK(ob_engine_stop_thread(e));
  ob_campaign_free(c);
  ob_driver_free(drv);
  ob_sim_network_free(net);
  ob_list_free(list);
  ob_engine_free(e);
}

int main(void) {
  const char* dir = temp_dir();
  test_campaign_options_round_trip(dir);
  test_campaign_options_version_2();
  test_campaign_options_version_5();
  test_treatments_version_1();
  test_treatment_instants();
  test_options_ownership();
  test_list_options(dir);
  test_finish_manual(dir);
  test_finish_own_thread(dir);
  remove_dir(dir);
  return check_report("test_capi_options");
}
