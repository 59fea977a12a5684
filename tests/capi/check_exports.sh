#!/bin/sh
# Checks what a shared library exports (nm -D --defined-only). Linker-defined
# markers are allowed in both modes.
#   check_exports.sh c LIBOUTBOUND_C.so OUTBOUND_H: exactly the ob_* functions outbound.h declares
#   check_exports.sh cxx LIBOUTBOUND.so: only outbound:: symbols (with their vtables, typeinfo, thunks)
set -eu
mode=$1 lib=$2
markers='^(_init|_fini|_edata|_end|__bss_start)$'
symbols=$(nm -D --defined-only "$lib" | awk '{print $NF}' | grep -Ev "$markers" || true)
status=0

if [ "$mode" = c ]; then
  header=$3
  bad=$(printf '%s\n' "$symbols" | grep -Ev '^ob_[a-z0-9_]+$' || true)
  if [ -n "$bad" ]; then echo "$lib exports symbols outside the C API:"; printf '%s\n' "$bad" | c++filt; status=1; fi
  declared=$(grep -oE '^OB_EXTERN [^(]*ob_[a-z0-9_]+\(' "$header" | grep -oE 'ob_[a-z0-9_]+\($' | tr -d '(' | sort)
  exported=$(printf '%s\n' "$symbols" | grep '^ob_' | sort || true)
  echo "$lib: $(printf '%s\n' "$exported" | grep -c . || true) ob_* functions exported, $(printf '%s\n' "$declared" | grep -c .) declared"
  if [ "$declared" != "$exported" ]; then
    echo "outbound.h and $lib disagree (< declared only, > exported only):"
    tmp=$(mktemp)
    printf '%s\n' "$declared" > "$tmp"
    printf '%s\n' "$exported" | diff "$tmp" - || true
    rm -f "$tmp"
    status=1
  fi
else
  allowed='^((vtable|typeinfo|typeinfo name|VTT|construction vtable|guard variable) for )?(non-virtual thunk to |virtual thunk to )?outbound::'
  demangled=$(printf '%s\n' "$symbols" | c++filt)
  bad=$(printf '%s\n' "$demangled" | grep -Ev "$allowed" || true)
  echo "$lib: $(printf '%s\n' "$demangled" | grep -Ec "$allowed" || true) outbound:: symbols exported"
  if [ -n "$bad" ]; then
    echo "$lib exports $(printf '%s\n' "$bad" | grep -c .) symbols outside the public C++ API:"
    printf '%s\n' "$bad"
    status=1
  fi
fi
exit $status
