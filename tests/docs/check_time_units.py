#!/usr/bin/env python3
"""Checks outbound.h against the C API's one time rule (docs/c_api.md, "Times"):
every field or parameter that holds a time says its unit in its name, `_ms`
(milliseconds: durations and UTC instants) or `_s` (seconds: times of day,
leases, the simulator's model). The exceptions are the ones the page names:
ob_record's calling-list columns (epoch seconds under their OCS names) and the
0.2 instants kept beside their `_ms` successors. Issue 18 item 3: a new
`foo_timeout` in seconds next to a `bar_interval_ms` fails here.

usage: check_time_units.py SOURCE_ROOT"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DECLARED = re.compile(r"\b(?:int64_t|int32_t|uint32_t|int|double|float)\s+\**([a-z_][a-z0-9_]*)\s*[,;)\[]")
# (`long` fields are counters, such as ob_sip_driver_stats.timeouts: no time is declared long.)
TIME_WORDS = re.compile(r"time|timeout|interval|delay|deadline|duration|tick|date|since|until|expires|lease|patience"
                        r"|(^|_)at$|(^|_)wait$|_wait_")
# Named by docs/c_api.md: ob_record's columns, and the 0.2 seconds instants kept beside the _ms ones.
EXCEPTIONS = {"dial_sched_time", "call_time", "date_time"}


def main() -> int:
    root = Path(sys.argv[1])
    header = (root / "capi" / "outbound.h").read_text(encoding="utf-8")
    # Comments say "time" too: blank them, keeping their line breaks for the line numbers.
    header = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), header, flags=re.S)
    problems = []
    for m in DECLARED.finditer(header):
        name = m.group(1)
        if not TIME_WORDS.search(name) or name.endswith(("_ms", "_s", "_id")) or name in EXCEPTIONS:
            continue
        line = header.count("\n", 0, m.start()) + 1
        problems.append(f"capi/outbound.h:{line}: {name} holds a time without its unit (_ms or _s, docs/c_api.md)")
    for p in problems:
        print(p)
    print(f"check_time_units: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
