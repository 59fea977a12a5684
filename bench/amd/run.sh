#!/usr/bin/env bash
# The AMD bench: generates the corpus (once) and prints the results table for
# the test split, ours against the app_amd baseline.
#   bench/amd/run.sh [BUILD_DIR] [amd_bench args...]   (default: build, --split test)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-build}
[ $# -gt 0 ] && shift
CORPUS="$BUILD/amd-corpus"
if [ ! -f "$CORPUS/manifest.json" ]; then
  /usr/bin/python3 "$HERE/make_corpus.py" "$CORPUS"
fi
ninja -C "$BUILD" bench/amd/amd_bench >/dev/null
if [ $# -eq 0 ]; then set -- --split test; fi
"$BUILD/bench/amd/amd_bench" "$CORPUS" "$@"
