#!/usr/bin/env bash
# CI: the README's install recipe, run as written (the ```sh block marked
# `install`), from the source root into a prefix under a temporary HOME, then
# checks what a reader would look at: the C host and the Python host ran
# against the install (not the build tree), with no LD_LIBRARY_PATH,
# OUTBOUND_LIBRARY or ldconfig.
# usage: tests/capi/readme_install.sh [SOURCE_ROOT]
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root"
home=$(mktemp -d /tmp/obreadme-XXXXXX)
cleanup() { rm -rf "$home" "$root/build-install"; }
trap cleanup EXIT INT TERM
rm -rf build-install

recipe=$(awk '!on && /^```sh / && (" " $0 " ") ~ / install / {on=1; next} on && /^```/ {exit} on {print}' README.md)
[ -n "$recipe" ] || { echo "readme_install: no \`\`\`sh ... install block in README.md"; exit 1; }
echo "readme_install: running the README recipe with HOME=$home"
start=$(date +%s)
out=$(env -u LD_LIBRARY_PATH -u OUTBOUND_LIBRARY -u PYTHONPATH -u PKG_CONFIG_PATH HOME="$home" \
      bash -e -o pipefail -c "$recipe" 2>&1) || { echo "$out" | tail -n 60; echo "readme_install: the recipe failed"; exit 1; }
echo "$out" | grep -v '^\[' | tail -n 40

fail() { echo "readme_install: $1"; exit 1; }
# Here-strings, not `echo | grep -q`: grep -q exits at its first match, and
# under pipefail the echo's SIGPIPE would fail a check that passed.
[ "$(echo "$out" | grep -c '^summary: ')" -eq 2 ] || fail "expected a summary from the C host and one from the Python host"
grep -q '^summary: c host' <<<"$out" || fail "the C host did not run"
grep -q '^summary: python host' <<<"$out" || fail "the Python host did not run"
grep -qE "^$home/.*/liboutbound_c\.so" <<<"$out" || fail "Python did not load the installed library"
[ "$(echo "$out" | grep -cE '^  left retrieved +0$')" -eq 2 ] || fail "a host left records retrieved"
echo "readme_install: ok ($(( $(date +%s) - start )) s)"
