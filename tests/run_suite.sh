#!/usr/bin/env bash
# Runs the whole test suite of one build dir: starts a throwaway PostgreSQL
# server for the tests that need one (when none is given in OB_PG_CONN), runs
# `meson test`, stops the server, and ends with "N passed, N failed".
# usage: tests/run_suite.sh BUILD_DIR [meson test args...]
set -uo pipefail
BUILD=${1:?usage: tests/run_suite.sh BUILD_DIR}
shift
HERE=$(cd "$(dirname "$0")" && pwd)

PG_STARTED=""
if [ -z "${OB_PG_CONN:-}" ]; then
  if PG_INFO=$("$HERE/pg/start.sh"); then
    eval "$PG_INFO"   # sets OB_PG_CONN and OB_PG_DIR
    export OB_PG_CONN OB_PG_DIR
    PG_STARTED=1
  else
    echo "run_suite: could not start PostgreSQL; the PostgreSQL tests will fail" >&2
  fi
fi
cleanup() { [ -n "$PG_STARTED" ] && "$HERE/pg/stop.sh" "$OB_PG_DIR"; }
trap cleanup EXIT

# Most tests wait on real time (processes, timers, PostgreSQL), not CPU: four at once
# on two cores halves the wall time of the suite (OB_TEST_JOBS overrides).
meson test -C "$BUILD" --print-errorlogs --num-processes "${OB_TEST_JOBS:-4}" "$@"
rc=$?
summary=$(python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
ok = fail = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL", "SKIP"): ok += 1
        else: fail += 1
except FileNotFoundError:
    fail = 1
print(f"{ok} passed, {fail} failed")
PY
)
echo "$summary"
echo "$summary" > "$BUILD/ob-test-summary.txt"
[ "$rc" -eq 0 ] && [[ "$summary" == *" 0 failed" ]]
