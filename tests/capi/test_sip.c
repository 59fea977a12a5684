/* The SIP driver through the C API: options checked with errors naming the
 * field, and a campaign that places a real call to baresip (started here on
 * 127.0.0.1, stopped by its pid): the callee says "Hello?", the engine routes
 * the live answer to the agent's phone (another baresip account), the agent
 * talks two seconds and hangs up, and the record ends with result answer. */
#include "campaign_helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

/* True when `port` binds on 127.0.0.1 for UDP and TCP. */
static int port_free(int port) {
  int types[2] = {SOCK_DGRAM, SOCK_STREAM};
  int i;
  for (i = 0; i < 2; ++i) {
    struct sockaddr_in sa;
    int fd = socket(AF_INET, types[i], 0), ok;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = bind(fd, (struct sockaddr*)&sa, sizeof sa) == 0;
    close(fd);
    if (!ok) return 0;
  }
  return 1;
}

/* `count` consecutive free ports in 20000..59999, from a pid-seeded start. */
static int free_ports(int count) {
  int tries, base, p, ok;
  srand((unsigned)getpid() ^ (unsigned)time(NULL));
  for (tries = 0; tries < 500; ++tries) {
    base = (2000 + rand() % 3990) * 10;
    for (ok = 1, p = base; p < base + count && ok; ++p) ok = port_free(p);
    if (ok) return base;
  }
  fprintf(stderr, "no free ports\n");
  exit(2);
}

static void pause_ms(long ms) {
  struct timespec t;
  t.tv_sec = ms / 1000;
  t.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&t, NULL);
}

static void run_or_die(const char* command) {
  if (system(command) != 0) {
    fprintf(stderr, "failed: %s\n", command);
    exit(2);
  }
}

/* Starts baresip on 127.0.0.1:port with a callee and an agent; waits until it is ready. */
static pid_t start_baresip(const char* dir, int port) {
  char path[256], cmd[1024];
  FILE* f;
  pid_t pid;
  int i;
  snprintf(cmd, sizeof cmd,
           "cd '%s' && espeak-ng -w raw.wav 'Hello?' && sox raw.wav -r 8000 -c 1 -b 16 hello.wav pad 0.3 30 && "
           "sox -n -r 8000 -c 1 -b 16 talk.wav synth 2 sine 400 && mkdir -p heard",
           dir);
  run_or_die(cmd);
  snprintf(path, sizeof path, "%s/config", dir);
  f = fopen(path, "w");
  fprintf(f,
          "sip_listen 127.0.0.1:%d\nnet_interface 127.0.0.1\nmodule_path /usr/lib/baresip/modules\n"
          "module g711.so\nmodule aufile.so\nmodule sndfile.so\nmodule_app account.so\nmodule_app menu.so\n"
          "audio_source aufile,%s/hello.wav\nsnd_path %s/heard/\naudio_buffer 20-160\n",
          port, dir, dir);
  fclose(f);
  snprintf(path, sizeof path, "%s/accounts", dir);
  f = fopen(path, "w");
  fprintf(f, "<sip:+12125550111@127.0.0.1:%d>;regint=0;answermode=auto\n", port);
  fprintf(f, "<sip:a1@127.0.0.1:%d>;regint=0;answermode=auto;audio_source=aufile,%s/talk.wav\n", port, dir);
  fclose(f);
  snprintf(path, sizeof path, "%s/log", dir);
  pid = fork();
  if (pid == 0) {
    if (!freopen(path, "w", stdout) || !freopen("/dev/null", "r", stdin)) _exit(127);
    dup2(fileno(stdout), 2);
    execlp("baresip", "baresip", "-f", dir, (char*)NULL);
    _exit(127);
  }
  for (i = 0; i < 1000; ++i) {
    char line[512];
    int ready = 0;
    FILE* log = fopen(path, "r");
    while (log && fgets(line, sizeof line, log))
      if (strstr(line, "baresip is ready.")) ready = 1;
    if (log) fclose(log);
    if (ready) return pid;
    pause_ms(10);
  }
  fprintf(stderr, "baresip did not start\n");
  kill(pid, SIGKILL);
  exit(2);
}

static void stop_baresip(pid_t pid) {
  int i;
  kill(pid, SIGTERM);
  for (i = 0; i < 300; ++i) {
    if (waitpid(pid, NULL, WNOHANG) == pid) return;
    pause_ms(10);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

/* Expects ob_sip_driver_new to refuse `o` with OB_EINVALID and a message naming `field`. */
static void check_refused(const ob_sip_options* o, const char* field) {
  ob_driver* d = NULL;
  CHECK_RC(ob_sip_driver_new(&d, NULL, o), OB_EINVALID);
  CHECK(d == NULL);
  if (!strstr(ob_last_error(), field)) {
    fprintf(stderr, "error \"%s\" does not name %s\n", ob_last_error(), field);
    ++check_failures;
  }
}

static void bad_options(void) {
  ob_sip_options o = OB_SIP_OPTIONS_INIT;
  ob_sip_agent twice[2] = {{"a1", "sip:a1@127.0.0.1:5091"}, {"a1", "sip:a2@127.0.0.1:5091"}};
  ob_sip_agent bad_uri[1] = {{"a1", "http://example.net"}};
  ob_sip_driver_stats st = OB_SIP_DRIVER_STATS_INIT;
  ob_driver* d = NULL;
  o.listen = "no port";
  check_refused(&o, "listen");
  o = (ob_sip_options)OB_SIP_OPTIONS_INIT;
  o.customer_uri = "sip:127.0.0.1:5071";  /* no {number} */
  check_refused(&o, "customer_uri");
  o = (ob_sip_options)OB_SIP_OPTIONS_INIT;
  o.caller_id = "not a number";
  check_refused(&o, "caller_id");
  o = (ob_sip_options)OB_SIP_OPTIONS_INIT;
  o.agent_count = 2;
  o.agents = twice;
  check_refused(&o, "agents");
  o.agent_count = 1;
  o.agents = bad_uri;
  check_refused(&o, "a1");
  o = (ob_sip_options)OB_SIP_OPTIONS_INIT;
  o.agent_answer_timeout_ms = -1;
  check_refused(&o, "agent_answer_timeout_ms");
  o = (ob_sip_options)OB_SIP_OPTIONS_INIT;
  o.version = 99;
  check_refused(&o, "ob_sip_options");
  /* The defaults make a driver; it is no simulated driver, and counts nothing yet. */
  CHECK_OK(ob_sip_driver_new(&d, NULL, NULL));
  st.transfers = st.transfer_failures = -7;
  CHECK_OK(ob_sip_driver_stats_get(&st, d));
  CHECK(st.invites == 0 && st.open_dialogs == 0 && st.transfers == 0 && st.transfer_failures == 0);
  {
    /* A version-1 caller's struct ends before the transfer counters: nothing is written there. */
    ob_sip_driver_stats v1 = OB_SIP_DRIVER_STATS_INIT;
    v1.version = 1;
    v1.invites = v1.transfers = v1.transfer_failures = -7;
    CHECK_OK(ob_sip_driver_stats_get(&v1, d));
    CHECK(v1.invites == 0 && v1.transfers == -7 && v1.transfer_failures == -7);
  }
  CHECK_RC(ob_sim_driver_set_engine_routing(d, 1), OB_EUNSUPPORTED);
  ob_driver_free(d);
}

static int call_done(void* user_data) {
  ob_campaign_stats s = OB_CAMPAIGN_STATS_INIT;
  size_t in_flight = 1;
  ob_campaign_stats_get(&s, (ob_campaign*)user_data);
  ob_campaign_calls_in_flight(&in_flight, (ob_campaign*)user_data);
  return s.dials >= 1 && in_flight == 0;
}

static void real_call(const char* dir) {
  char listen[32], customer[64], agent_uri[64];
  const int base = free_ports(30);  /* baresip: base..base+3; the driver: base+4; RTP: base+10.. */
  const int phone_port = base, sip_port = base + 4, rtp = base + 10;
  const pid_t baresip = start_baresip(dir, phone_port);
  ob_engine_options eo = OB_ENGINE_OPTIONS_INIT;
  ob_engine* e = NULL;
  ob_list* list = NULL;
  ob_list_options lo = OB_LIST_OPTIONS_INIT;
  ob_record rec = OB_RECORD_INIT;
  ob_record* back = NULL;
  ob_sip_options so = OB_SIP_OPTIONS_INIT;
  ob_sip_agent agents[1];
  ob_driver* d = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign* c = NULL;
  ob_campaign_stats cs = OB_CAMPAIGN_STATS_INIT;
  ob_sip_driver_stats st = OB_SIP_DRIVER_STATS_INIT;
  ob_driver_capabilities caps = OB_DRIVER_CAPABILITIES_INIT;
  char conn[256];
  int64_t now = 0;

  CHECK_OK(ob_engine_new(&e, &eo));
  lo.create_if_missing = 1;
  CHECK_OK(ob_list_open(&list, sqlite_conn(conn, sizeof conn, dir, "list.db"), &lo));
  rec.record_id = 1;
  rec.contact_info = "+12125550111";
  rec.chain_id = 1;
  rec.chain_n = 1;
  rec.campaign_id = 1;
  CHECK_OK(ob_list_insert(list, &rec, 1));

  snprintf(listen, sizeof listen, "127.0.0.1:%d", sip_port);
  snprintf(customer, sizeof customer, "sip:{number}@127.0.0.1:%d", phone_port);
  snprintf(agent_uri, sizeof agent_uri, "sip:a1@127.0.0.1:%d", phone_port);
  agents[0].agent_id = "a1";
  agents[0].uri = agent_uri;
  so.listen = listen;
  so.customer_uri = customer;
  so.caller_id = "+12125550199";
  so.agent_count = 1;
  so.agents = agents;
  so.rtp_port_min = rtp;
  so.rtp_port_max = rtp + 19;
  CHECK_OK(ob_sip_driver_new(&d, e, &so));
  CHECK_OK(ob_driver_capabilities_get(&caps, d));
  CHECK(caps.connects_on_request == 1 && caps.routes_to_agents == 0);

  co.name = "sip";
  co.amd = OB_AMD_NONE;
  CHECK_OK(ob_campaign_new(&c, e, &co, d, NULL));
  CHECK_OK(ob_campaign_add_list(c, list, 1.0));
  CHECK_OK(ob_campaign_load(c));
  CHECK_OK(ob_campaign_set_agent_state(c, "a1", OB_AGENT_READY));
  CHECK_OK(ob_campaign_start(c));
  CHECK_OK(ob_engine_now(&now, e));
  CHECK_OK(ob_engine_run_until(e, now + 30000, call_done, c));
  finish(e, c);

  CHECK_OK(ob_campaign_stats_get(&cs, c));
  CHECK(cs.dials == 1 && cs.live_answers == 1 && cs.connected == 1 && cs.abandoned == 0);
  CHECK_OK(ob_list_get(&back, list, 1));
  if (back) CHECK(back->call_result == OB_CALL_RESULT_ANSWER);
  ob_record_free(back);
  CHECK_OK(ob_sip_driver_stats_get(&st, d));
  CHECK(st.invites == 1 && st.connects == 1 && st.connect_failures == 0);

  ob_campaign_free(c);
  ob_driver_free(d);
  ob_list_free(list);
  ob_engine_free(e);
  stop_baresip(baresip);
}

int main(void) {
  const char* dir = temp_dir();
  bad_options();
  real_call(dir);
  remove_dir(dir);
  return check_report("capi_sip");
}
