#!/bin/sh
# Runs a sample and checks its summary: it must exit 0 and print every
# expected line (each an extended regular expression matched against a line).
# usage: check_output.sh PATTERN... -- COMMAND [ARGS...]
set -u
patterns=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  patterns="$patterns
$1"
  shift
done
[ "${1:-}" = "--" ] || { echo "usage: check_output.sh PATTERN... -- COMMAND..."; exit 2; }
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "check_output: the sample exited with $rc"; exit 1; }
status=0
printf '%s\n' "$patterns" | while IFS= read -r p; do
  [ -z "$p" ] && continue
  printf '%s\n' "$out" | grep -Eq -- "$p" || { echo "check_output: no line matches /$p/"; exit 1; }
done || status=1
exit $status
