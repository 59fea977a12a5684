/* A tiny test harness for the C API tests (C99): CHECK macros that count
 * failures and print the library's last error, and helpers shared by the
 * test programs. Include it first: it selects POSIX for mkdtemp. */
#ifndef OB_TEST_CHECK_H
#define OB_TEST_CHECK_H

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbound.h"

static int check_failures = 0;

#define CHECK(cond)                                                                                   \
  do {                                                                                                \
    if (!(cond)) {                                                                                    \
      fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond, ob_last_error()); \
      ++check_failures;                                                                               \
    }                                                                                                 \
  } while (0)

/* Expects a call to return `code`. */
#define CHECK_RC(expr, code)                                                                          \
  do {                                                                                                \
    int rc_ = (expr);                                                                                 \
    if (rc_ != (code)) {                                                                              \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (last error: %s)\n", __FILE__, __LINE__, #expr, rc_, \
              ob_strerror(rc_), (int)(code), ob_last_error());                                        \
      ++check_failures;                                                                               \
    }                                                                                                 \
  } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, OB_OK)

/* Expects two C strings to be equal. */
#define CHECK_STR(a, b)                                                                                \
  do {                                                                                                 \
    const char* a_ = (a);                                                                              \
    const char* b_ = (b);                                                                              \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                           \
      fprintf(stderr, "%s:%d: \"%s\" != \"%s\" (%s vs %s)\n", __FILE__, __LINE__, a_ ? a_ : "(null)", \
              b_ ? b_ : "(null)", #a, #b);                                                             \
      ++check_failures;                                                                                \
    }                                                                                                  \
  } while (0)

/* Ends a test program: prints a summary, returns the exit status. */
static inline int check_report(const char* name) {
  if (check_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
    return 1;
  }
  printf("%s: all checks passed\n", name);
  return 0;
}

/* A fresh temporary folder (static buffer). */
static inline const char* temp_dir(void) {
  static char path[64];
  strcpy(path, "/tmp/obcapi-XXXXXX");
  if (!mkdtemp(path)) {
    perror("mkdtemp");
    exit(2);
  }
  return path;
}

/* "sqlite3://<dir>/<file>" into `out` of `size` bytes. */
static inline const char* sqlite_conn(char* out, size_t size, const char* dir, const char* file) {
  snprintf(out, size, "sqlite3://%s/%s", dir, file);
  return out;
}

/* Removes a temporary folder and what is in it. */
static inline void remove_dir(const char* dir) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* A general, ready record with a valid NANP phone derived from its id; `phone` is its buffer. */
static inline ob_record make_record(int64_t id, char* phone, size_t phone_size) {
  ob_record r = OB_RECORD_INIT;
  snprintf(phone, phone_size, "+1212%07lld", (long long)(2000000 + id % 8000000));
  r.record_id = id;
  r.contact_info = phone;
  r.chain_id = (int)id;
  r.chain_n = 1;
  r.campaign_id = 1;
  return r;
}

/* Inserts records first..first+n-1 into `list` (n <= 1000). */
static inline int insert_records(ob_list* list, int64_t first, size_t n) {
  static char phones[1000][24];
  ob_record records[1000];
  size_t i;
  if (n > 1000) return OB_EINVALID;
  for (i = 0; i < n; ++i) records[i] = make_record(first + (int64_t)i, phones[i], sizeof phones[i]);
  return ob_list_insert(list, records, n);
}

/* 2026-03-09T13:00:00Z in ms: the manual clock's start in the tests. */
#define TEST_START_MS 1773061200000LL

#endif /* OB_TEST_CHECK_H */
