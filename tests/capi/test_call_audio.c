/* C API call audio: ob_campaign_options version 4 (AMD settings, abandon and
 * machine messages, opt-out digit) reaches a custom C driver in every
 * ob_dial_request (version 3); ob_campaign_options_get gives it back; bad
 * values are refused at ob_campaign_new with OB_EINVALID naming the field;
 * and a version-3 struct (an outbound.h before the call audio) still works,
 * its campaign sending "the driver's own" (zeros) on every dial. */
#include "campaign_helpers.h"
#include "check.h"
#include "script_driver.h"

#include <stddef.h>

/* The script driver, plus what it saw of the call audio on each dial. */
typedef struct {
  script_driver sd; /* first: the script driver's methods get this struct as theirs */
  int dials, old_version;
  ob_dial_request last; /* the scalars of the last request */
  char abandon[256], machine[256];
} audio_driver;

static int audio_dial(void* user_data, const ob_dial_request* rq) {
  audio_driver* d = (audio_driver*)user_data;
  ++d->dials;
  if (rq->version < 3) {
    ++d->old_version;
  } else {
    d->last = *rq;
    snprintf(d->abandon, sizeof d->abandon, "%s", rq->abandon_message ? rq->abandon_message : "(null)");
    snprintf(d->machine, sizeof d->machine, "%s", rq->machine_message ? rq->machine_message : "(null)");
  }
  return script_dial(user_data, rq);
}

static ob_driver* audio_driver_new(audio_driver* d, ob_engine* e) {
  ob_driver_class cls = script_class();
  ob_driver* drv = NULL;
  memset(d, 0, sizeof *d);
  script_init(&d->sd, e, 3);
  cls.name = "audio";
  cls.dial = audio_dial;
  CHECK_OK(ob_driver_new(&drv, &cls, d));
  return drv;
}

/* A WAV file of `rate` Hz, `channels` channels, 16-bit, 0.2 s of a quiet ramp. */
static void write_wav(const char* path, unsigned rate, unsigned channels) {
  unsigned samples = rate / 5 * channels, i;
  unsigned data = samples * 2, byte_rate = rate * channels * 2;
  unsigned char h[44] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0};
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  if (!f) return;
#define LE32(at, v) (h[at] = (unsigned char)(v), h[at + 1] = (unsigned char)((v) >> 8), \
                     h[at + 2] = (unsigned char)((v) >> 16), h[at + 3] = (unsigned char)((v) >> 24))
  LE32(4, 36 + data);
  h[22] = (unsigned char)channels;
  LE32(24, rate);
  LE32(28, byte_rate);
  h[32] = (unsigned char)(channels * 2);
  h[34] = 16;
  memcpy(h + 36, "data", 4);
  LE32(40, data);
#undef LE32
  fwrite(h, 1, sizeof h, f);
  for (i = 0; i < samples; ++i) {
    short s = (short)(i % 200);
    fwrite(&s, 2, 1, f);
  }
  fclose(f);
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

/* The campaign's settings travel with every dial and come back from ob_campaign_options_get. */
static void test_every_dial_carries_the_audio(const char* dir) {
  ob_engine* e = manual_engine();
  audio_driver d;
  ob_driver* drv = audio_driver_new(&d, e);
  ob_list* list = new_list(dir, "audio.db", 12);
  ob_campaign* c = NULL;
  ob_campaign_options co = OB_CAMPAIGN_OPTIONS_INIT;
  ob_campaign_options back;
  char abandon[256], machine[256];

  snprintf(abandon, sizeof abandon, "%s/abandon.wav", dir);
  snprintf(machine, sizeof machine, "%s/machine.wav", dir);
  write_wav(abandon, 8000, 1);
  write_wav(machine, 16000, 1);
  CHECK(co.version == OB_CAMPAIGN_OPTIONS_VERSION && co.amd_initial_silence_ms == 0 && co.abandon_message == NULL && co.opt_out_digit == 0);
  co.name = "audio";
  co.amd_initial_silence_ms = 3000;
  co.amd_max_greeting_ms = 2200;
  co.amd_after_greeting_silence_ms = 700;
  co.amd_max_words = 4;
  co.amd_max_decision_ms = 4000;
  co.amd_max_message_wait_ms = 20000;
  co.abandon_message = abandon;
  co.machine_message = machine;
  co.opt_out_digit = '9';
  CHECK_OK(ob_campaign_new(&c, e, &co, drv, NULL));
  ob_driver_free(drv);

  back.version = OB_CAMPAIGN_OPTIONS_VERSION;
  CHECK_OK(ob_campaign_options_get(&back, c));
  CHECK(back.amd_initial_silence_ms == 3000 && back.amd_max_greeting_ms == 2200);
  CHECK(back.amd_after_greeting_silence_ms == 700 && back.amd_max_words == 4);
  CHECK(back.amd_max_decision_ms == 4000 && back.amd_max_message_wait_ms == 20000 && back.opt_out_digit == '9');
  CHECK_STR(back.abandon_message, abandon);
  CHECK_STR(back.machine_message, machine);
  ob_campaign_options_free(&back);
  CHECK(back.abandon_message == NULL && back.machine_message == NULL);

  run_campaign(e, c, list);
  CHECK(d.dials == 12 && d.old_version == 0);
  CHECK(d.last.version == OB_DIAL_REQUEST_VERSION);
  CHECK(d.last.amd_initial_silence_ms == 3000 && d.last.amd_max_greeting_ms == 2200);
  CHECK(d.last.amd_after_greeting_silence_ms == 700 && d.last.amd_max_words == 4);
  CHECK(d.last.amd_max_decision_ms == 4000 && d.last.amd_max_message_wait_ms == 20000);
  CHECK(d.last.opt_out_digit == '9');
  CHECK_STR(d.abandon, abandon);
  CHECK_STR(d.machine, machine);

  ob_campaign_free(c);
  ob_list_free(list);
  ob_engine_free(e);
}

/* ob_campaign_new refuses `co` with OB_EINVALID and a message naming `field`. */
static void expect_refused(ob_engine* e, ob_campaign_options* co, const char* field) {
  audio_driver d;
  ob_driver* drv = audio_driver_new(&d, e);
  ob_campaign* c = NULL;
  int rc = ob_campaign_new(&c, e, co, drv, NULL);
  CHECK_RC(rc, OB_EINVALID);
  if (!strstr(ob_last_error(), field)) {
    fprintf(stderr, "expected \"%s\" in: %s\n", field, ob_last_error());
    CHECK(0);
  }
  CHECK(c == NULL);
  ob_driver_free(drv);
}

/* Bad settings: each refused, naming its field; nothing is created. */
static void test_bad_audio_is_refused(const char* dir) {
  ob_engine* e = manual_engine();
  ob_campaign_options co;
  char stereo[256], cd[256], missing[256];

  snprintf(stereo, sizeof stereo, "%s/stereo.wav", dir);
  snprintf(cd, sizeof cd, "%s/cd.wav", dir);
  snprintf(missing, sizeof missing, "%s/no-such.wav", dir);
  write_wav(stereo, 8000, 2);
  write_wav(cd, 44100, 1);

  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.abandon_message = missing;
  expect_refused(e, &co, "audio.abandon_message");
  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.machine_message = stereo;
  expect_refused(e, &co, "audio.machine_message");
  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.abandon_message = cd;
  expect_refused(e, &co, "44100");
  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.opt_out_digit = 'x';
  expect_refused(e, &co, "audio.opt_out_digit");
  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.opt_out_digit = 300;
  expect_refused(e, &co, "opt_out_digit");
  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.amd_initial_silence_ms = 100;
  expect_refused(e, &co, "audio.amd_initial_silence");
  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.amd_max_decision_ms = -5;
  expect_refused(e, &co, "amd_max_decision_ms");
  ob_campaign_options_init(&co, OB_CAMPAIGN_OPTIONS_VERSION);
  co.amd_max_words = 101;
  expect_refused(e, &co, "audio.amd_max_words");
  ob_engine_free(e);
}

/* A version-3 struct ends where the call audio begins: its tail is not read. */
static void test_version_3_struct(const char* dir) {
  ob_engine* e = manual_engine();
  audio_driver d;
  ob_driver* drv = audio_driver_new(&d, e);
  ob_list* list = new_list(dir, "v3.db", 4);
  ob_campaign* c = NULL;
  ob_campaign_options tail;
  ob_campaign_options o;
  unsigned char* bytes = (unsigned char*)&o;
  size_t i, touched = 0;

  memset(&o, 0xAB, sizeof o);
  CHECK_OK(ob_campaign_options_init(&o, 3));
  for (i = offsetof(ob_campaign_options, amd_initial_silence_ms); i < sizeof o; ++i) touched += bytes[i] != 0xAB;
  CHECK(touched == 0);

  CHECK_OK(ob_campaign_options_init(&tail, OB_CAMPAIGN_OPTIONS_VERSION));
  tail.version = 3;
  tail.name = "v3 tail";
  tail.opt_out_digit = 'x';              /* would be refused if read */
  tail.abandon_message = "/no/such.wav"; /* likewise */
  CHECK_OK(ob_campaign_new(&c, e, &tail, drv, NULL));
  ob_driver_free(drv);
  run_campaign(e, c, list);
  CHECK(d.dials == 4 && d.last.opt_out_digit == 0 && d.last.amd_initial_silence_ms == 0);
  CHECK_STR(d.abandon, "");
  ob_campaign_free(c);
  ob_list_free(list);
  ob_engine_free(e);
}

int main(void) {
  const char* dir = temp_dir();
  test_every_dial_carries_the_audio(dir);
  test_bad_audio_is_refused(dir);
  test_version_3_struct(dir);
  remove_dir(dir);
  return check_report("test_capi_call_audio");
}
