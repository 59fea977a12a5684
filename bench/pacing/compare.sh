#!/bin/sh
# The pacing comparison table of issue 4: bench/pacing/compare.sh BUILD_DIR [--seeds N] [--jobs J] [--only GROUP]
# Builds tools/outbound in BUILD_DIR, then runs every scenario (see compare.py).
set -e
build=${1:?usage: bench/pacing/compare.sh BUILD_DIR [--seeds N] [--jobs J] [--only GROUP] [--keep DIR]}
shift
ninja -C "$build" tools/outbound >/dev/null
exec /usr/bin/python3 "$(dirname "$0")/compare.py" "$build" "$@"
