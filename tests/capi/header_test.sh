#!/bin/sh
# Compiles outbound.h alone: as C99 with -Wall -Wextra -pedantic -Werror, and
# as C++ (the extern "C" guards), with nothing else included before it.
# usage: header_test.sh HEADER_DIR VERSION_HEADER_DIR "CC" "CXX"
set -eu
src=$1 gen=$2 cc=$3 cxx=$4
tmp=$(mktemp -d /tmp/obheader-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
printf '#include "outbound.h"\n' > "$tmp/alone.c"
printf '#include "outbound.h"\n#include "outbound.h"\nint main(void) { ob_engine* e = 0; return ob_engine_new(&e, 0); }\n' > "$tmp/twice.c"
# shellcheck disable=SC2086
$cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$src" -I"$gen" -fsyntax-only -x c "$src/outbound.h"
# shellcheck disable=SC2086
$cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$src" -I"$gen" -fsyntax-only "$tmp/alone.c" "$tmp/twice.c"
# shellcheck disable=SC2086
$cxx -std=c++11 -Wall -Wextra -pedantic -Werror -I"$src" -I"$gen" -fsyntax-only -x c++ "$tmp/twice.c"
echo "outbound.h compiles alone as C99 (-Wall -Wextra -pedantic -Werror) and as C++11"
