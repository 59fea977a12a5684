/*
 * A host in C: a progressive campaign on a SQLite calling list with a
 * simulated T-Server (20 simulated agents), a DNC list and a busy-retry
 * treatment, four simulated hours under a manual clock (a second or so of
 * real time). Prints progress each hour and a summary.
 *
 *   host [LIST.db]     (default: a fresh file in a temporary folder)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbound.h"

/* Stops the sample with the library's message when a call fails. */
#define TRY(call)                                                                     \
  do {                                                                                \
    int rc_ = (call);                                                                 \
    if (rc_ != OB_OK) {                                                               \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, ob_last_error(), ob_strerror(rc_)); \
      exit(1);                                                                        \
    }                                                                                 \
  } while (0)

#define RECORDS 2000
#define HOUR_MS (3600LL * 1000)

/* 2000 records, each its own chain, with NANP numbers derived from the id. */
static void fill_list(ob_list* list) {
  static char phones[RECORDS][16];
  static ob_record records[RECORDS];
  int i;
  for (i = 0; i < RECORDS; ++i) {
    ob_record r = OB_RECORD_INIT;
    snprintf(phones[i], sizeof phones[i], "+1646%07d", 5550000 + i);
    r.record_id = i + 1;
    r.contact_info = phones[i];
    r.chain_id = i + 1;
    r.chain_n = 1;
    r.campaign_id = 1;
    records[i] = r;
  }
  TRY(ob_list_insert(list, records, RECORDS));
}

/* Counts campaign events of each kind (runs on the loop thread: here, inside ob_engine_run_until). */
static void count_event(void* user_data, const ob_campaign_event* e) {
  long* counts = (long*)user_data;
  if (e->kind >= 0 && e->kind < 32) ++counts[e->kind];
}

int main(int argc, char** argv) {
  char dir[] = "/tmp/outbound-host-XXXXXX", path[256], conn[300];
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_sim_network_options no = OB_SIM_NETWORK_OPTIONS_INIT;
  ob_treatment busy_retry = OB_TREATMENT_INIT;
  ob_campaign_stats st = OB_CAMPAIGN_STATS_INIT;
  ob_engine* engine;
  ob_sim_network* network;
  ob_driver* tserver;
  ob_list* list;
  ob_dnc* dnc;
  ob_campaign* campaign;
  long events[32] = {0};
  int64_t start, by_status[OB_RECORD_STATUS_COUNT];
  int hour, s;

  if (argc > 1) {
    snprintf(path, sizeof path, "%s", argv[1]);
  } else {
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/list.db", dir);
  }
  snprintf(conn, sizeof conn, "sqlite3://%s", path);
  printf("outbound %s (C API), list %s\n", ob_version_string(), path);

  /* The engine on a manual clock starting 2026-03-09 13:00 UTC. */
  eo.clock = OB_CLOCK_MANUAL;
  eo.start_ms = 1773061200000LL;
  TRY(ob_engine_new(&engine, &eo));
  TRY(ob_engine_now(&start, engine));

  /* The calling list, and three numbers that must never be dialed. */
  lo.create_if_missing = 1;
  TRY(ob_list_open(&list, conn, &lo));
  fill_list(list);
  TRY(ob_dnc_new(&dnc, NULL));
  TRY(ob_dnc_add_phone(dnc, "(646) 555-0010", "asked not to be called"));
  TRY(ob_dnc_add_phone(dnc, "+16465550020", NULL));
  TRY(ob_dnc_add_phone(dnc, "646-555-0030", NULL));

  /* The simulated network (seeded: every run is the same) and switch with 20 agents. */
  no.seed = 42;
  TRY(ob_sim_network_new(&network, engine, &no));
  TRY(ob_sim_tserver_new(&tserver, network, 20, "agent", NULL));

  /* Busy numbers are tried again twice, 10 minutes apart. */
  busy_retry.id = 1;
  busy_retry.call_result = OB_CALL_RESULT_BUSY;
  busy_retry.action = OB_ACTION_RETRY_IN;
  busy_retry.cycle_attempts = 2;
  busy_retry.interval_ms = 10 * 60 * 1000;
  co.name = "c-host";
  co.mode = OB_DIAL_MODE_PROGRESSIVE;
  co.treatments = &busy_retry;
  co.treatment_count = 1;
  TRY(ob_campaign_new(&campaign, engine, &co, tserver, dnc));
  TRY(ob_campaign_set_event_callback(campaign, count_event, events));
  TRY(ob_campaign_add_list(campaign, list, 1.0));
  TRY(ob_campaign_load(campaign));
  TRY(ob_campaign_start(campaign));

  for (hour = 1; hour <= 4; ++hour) {
    TRY(ob_engine_run_until(engine, start + hour * HOUR_MS, NULL, NULL));
    TRY(ob_campaign_stats_get(&st, campaign));
    printf("[%d h] dials %ld  live %ld  connected %ld  abandoned %ld  occupancy %.2f\n", hour, st.dials,
           st.live_answers, st.connected, st.abandoned, st.agent_occupancy);
  }

  /* Stop, let the calls in flight finish (an hour at most) and be written back, unload. */
  TRY(ob_campaign_finish(NULL, campaign, HOUR_MS));
  TRY(ob_campaign_stats_get(&st, campaign));
  TRY(ob_list_count_by_status(by_status, OB_RECORD_STATUS_COUNT, list));

  printf("summary: c host, progressive, 20 simulated agents, 4 simulated hours\n");
  printf("  dials             %ld\n", st.dials);
  printf("  live answers      %ld\n", st.live_answers);
  printf("  connected         %ld\n", st.connected);
  printf("  abandon rate      %.2f%%\n", 100.0 * st.abandon_rate);
  printf("  busy / no answer  %ld / %ld\n", st.busy, st.no_answer);
  printf("  dnc blocked       %ld\n", st.dnc_blocked);
  printf("  calls finished    %ld (events)\n", events[OB_EVENT_CALL_FINISHED]);
  printf("  records by status:");
  for (s = 0; s < OB_RECORD_STATUS_COUNT; ++s)
    if (by_status[s]) printf(" %s %lld", ob_enum_name(OB_ENUM_RECORD_STATUS, s), (long long)by_status[s]);
  printf("\n  left retrieved    %lld\n", (long long)by_status[OB_RECORD_STATUS_RETRIEVED]);

  ob_campaign_free(campaign);
  ob_driver_free(tserver);
  ob_sim_network_free(network);
  ob_dnc_free(dnc);
  ob_list_free(list);
  ob_engine_free(engine);
  if (argc <= 1) {
    char extra[300];
    unlink(path);
    snprintf(extra, sizeof extra, "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", path);
    unlink(extra);
    rmdir(dir);
  }
  return by_status[OB_RECORD_STATUS_RETRIEVED] == 0 && st.dials > 0 ? 0 : 1;
}
