#!/bin/sh
# Builds a throwaway copy of this tree with oracle_bound.patch applied and runs
# oracle_bound.py on it. Arguments go to oracle_bound.py (e.g. --seeds 10).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach -q "$work/tree" HEAD
git -C "$work/tree" apply "$here/oracle_bound.patch"
meson setup "$work/build" "$work/tree" --buildtype=debugoptimized >/dev/null
ninja -C "$work/build" tools/outbound >/dev/null
python3 "$here/oracle_bound.py" "$work/build" "$@"
