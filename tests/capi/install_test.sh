#!/bin/sh
# Installs the build into a temporary DESTDIR, builds install_probe.c against
# it with `pkg-config --cflags --libs outbound`, runs it, runs the installed
# `outbound` tool, and (when given a Python) imports the installed Python
# package with the installed library. Nothing runs with LD_LIBRARY_PATH: the
# install must work from any prefix through its runpaths (the libraries'
# $ORIGIN, the tool's $ORIGIN/../lib..., pkg-config's -rpath for hosts) and
# the package's _installed.py.
# usage: install_test.sh BUILD_ROOT PREFIX LIBDIR PROBE_C "CC" "EXTRA_CFLAGS" [PYTHON PY_INSTALL_DIR]
# env: OB_INSTALL_BINDIR (default bin)
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

unset LD_LIBRARY_PATH
# liboutbound_c must find liboutbound beside it on its own (a host's runpath does not reach it).
runpath=$(readelf -d "$lib/liboutbound_c.so" | grep -E 'RUNPATH|RPATH' || true)
case "$runpath" in *'$ORIGIN'*) ;; *) echo "install_test: liboutbound_c.so has no \$ORIGIN runpath: $runpath"; exit 1 ;; esac

export PKG_CONFIG_PATH="$lib/pkgconfig"
flags=$(pkg-config --define-variable=prefix="$root" --cflags --libs outbound)
echo "pkg-config --cflags --libs outbound: $flags"
case "$prefix" in
  /usr) ;;  # the system's libdir: the loader finds it
  *) case "$flags" in *"-Wl,-rpath,$lib"*) ;; *) echo "install_test: pkg-config gives no runpath to $lib"; exit 1 ;; esac ;;
esac
# shellcheck disable=SC2086
$cc -std=c99 -Wall -Wextra -pedantic -Werror $extra "$probe" -o "$dest/probe" $flags
out=$("$dest/probe")
echo "$out"
case "$out" in "installed outbound "*" works (campaign state not_loaded)") ;; *) echo "install_test: unexpected output"; exit 1 ;; esac

bindir=${OB_INSTALL_BINDIR:-bin}
case "$bindir" in /*) tool="$dest$bindir/outbound" ;; *) tool="$root/$bindir/outbound" ;; esac
"$tool" --help >"$dest/tool.out" 2>&1 || { cat "$dest/tool.out"; echo "install_test: the installed $tool does not run"; exit 1; }
echo "installed tool runs: $(head -n 1 "$dest/tool.out")"

if [ -n "$python" ]; then
  case "$pydir" in /*) pypath="$dest$pydir" ;; *) pypath="$root/$pydir" ;; esac
  # OB_PY_PRELOAD: the ASan runtime (and libstdc++), when the library is built with AddressSanitizer.
  preload="OB_NO_PRELOAD=1"
  [ -n "${OB_PY_PRELOAD:-}" ] && preload="LD_PRELOAD=$OB_PY_PRELOAD"
  pyout=$(cd "$dest" && env -u OUTBOUND_LIBRARY PYTHONPATH="$pypath" \
          "$preload" "$python" -c 'import outbound, sys; print("python", outbound.__version__, outbound.library_path())')
  echo "$pyout"
  case "$pyout" in "python "*"$lib"*) ;; *) echo "install_test: Python did not load the installed library"; exit 1 ;; esac
fi
echo "install_test: ok"
