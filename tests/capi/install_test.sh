#!/bin/sh
# Installs the build into a temporary DESTDIR, builds install_probe.c against
# it with `pkg-config --cflags --libs outbound`, runs it, and (when given a
# Python) imports the installed Python package with the installed library.
# usage: install_test.sh BUILD_ROOT PREFIX LIBDIR PROBE_C "CC" "EXTRA_CFLAGS" [PYTHON PY_INSTALL_DIR]
set -eu
build=$1 prefix=$2 libdir=$3 probe=$4 cc=$5 extra=$6
python=${7:-} pydir=${8:-}
dest=$(mktemp -d /tmp/obinstall-XXXXXX)
trap 'rm -rf "$dest"' EXIT INT TERM

meson install -C "$build" --destdir "$dest" --quiet >"$dest/install.log" 2>&1 || {
  cat "$dest/install.log"; echo "install_test: meson install failed"; exit 1; }
root="$dest$prefix"
case "$libdir" in /*) lib="$dest$libdir" ;; *) lib="$root/$libdir" ;; esac
for f in "$root/include/outbound.h" "$root/include/outbound_version.h" "$root/include/outbound/engine.hpp" \
         "$lib/pkgconfig/outbound.pc"; do
  [ -f "$f" ] || { echo "install_test: $f was not installed"; exit 1; }
done

export PKG_CONFIG_PATH="$lib/pkgconfig"
flags=$(pkg-config --define-variable=prefix="$root" --cflags --libs outbound)
echo "pkg-config --cflags --libs outbound: $flags"
# shellcheck disable=SC2086
$cc -std=c99 -Wall -Wextra -pedantic -Werror $extra "$probe" -o "$dest/probe" $flags
out=$(LD_LIBRARY_PATH="$lib" "$dest/probe")
echo "$out"
case "$out" in "installed outbound "*" works (campaign state not_loaded)") ;; *) echo "install_test: unexpected output"; exit 1 ;; esac

if [ -n "$python" ]; then
  case "$pydir" in /*) pypath="$dest$pydir" ;; *) pypath="$root/$pydir" ;; esac
  # OB_PY_PRELOAD: the ASan runtime (and libstdc++), when the library is built with AddressSanitizer.
  preload="OB_NO_PRELOAD=1"
  [ -n "${OB_PY_PRELOAD:-}" ] && preload="LD_PRELOAD=$OB_PY_PRELOAD"
  pyout=$(cd "$dest" && env -u OUTBOUND_LIBRARY PYTHONPATH="$pypath" LD_LIBRARY_PATH="$lib" \
          "$preload" "$python" -c 'import outbound, sys; print("python", outbound.__version__, outbound.library_path())')
  echo "$pyout"
  case "$pyout" in "python "*"$lib"*) ;; *) echo "install_test: Python did not load the installed library"; exit 1 ;; esac
fi
echo "install_test: ok"
