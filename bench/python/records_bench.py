#!/usr/bin/env python3
"""Python to C record conversion: what CallingList.insert() pays per record before the library
sees it (CRecords: range checks of every integer field, UTF-8 encoding, the ctypes structs).

usage: OUTBOUND_LIBRARY=build/capi/liboutbound_c.so PYTHONPATH=bindings/python \\
         python3 bench/python/records_bench.py [RECORDS] [RUNS]
Prints the median over RUNS (7) of the CPU microseconds per record, converting RECORDS (20000)."""

from __future__ import annotations

import statistics
import sys
import time

import outbound as ob
from outbound.records import CRecords


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    records = [ob.Record(record_id=i, contact_info=f"+1212{2000000 + i:07d}", chain_id=i, chain_n=1, campaign_id=1,
                         custom={"customer_id": f"C{i}"} if i % 2 else {})
               for i in range(1, n + 1)]
    times = []
    for _ in range(runs):
        start = time.process_time()  # CPU time: the machine may be shared
        CRecords(records)
        times.append(time.process_time() - start)
    print(f"CRecords: {statistics.median(times) / n * 1e6:.2f} us CPU per record (median of {runs} runs of {n})")


if __name__ == "__main__":
    main()
