#!/bin/sh
# The user headers (include/outbound/*.hpp) never reach the driver tier
# (include/outbound/driver/), directly or through each other: a user of
# campaigns, the call log or the simulator's model needs no driver interface.
# usage: check_tiers.sh INCLUDE_DIR CXX...
set -eu
inc=$1
shift
status=0
for h in "$inc"/outbound/*.hpp; do
  deps=$(echo "#include \"outbound/$(basename "$h")\"" | "$@" -std=c++20 -I"$inc" -x c++ -M - 2>&1) || {
    echo "$h does not compile alone:"; echo "$deps"; status=1; continue; }
  if echo "$deps" | tr ' \\' '\n\n' | grep -q "outbound/driver/"; then
    echo "$(basename "$h") reaches the driver tier:"
    echo "$deps" | tr ' \\' '\n\n' | grep "outbound/driver/"
    status=1
  fi
done
[ $status -eq 0 ] && echo "user headers stay out of include/outbound/driver/"
exit $status
