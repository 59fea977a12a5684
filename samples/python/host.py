#!/usr/bin/env python3
"""A host in Python: a progressive campaign on a SQLite calling list with a
simulated T-Server (20 agents), a DNC list and a busy-retry treatment, four
simulated hours under a manual clock. Prints progress each hour and a summary.

    python3 host.py [LIST.db]      (default: a fresh file in a temporary folder)

From a source tree: PYTHONPATH=bindings/python (and OUTBOUND_LIBRARY=build/capi/liboutbound_c.so
if the build folder is not called build); after `meson install` nothing is needed.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import outbound as ob


def run(path: Path) -> int:
    print(f"outbound {ob.__version__} (Python), list {path}")
    start = datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc)
    with ob.Engine(clock="manual", start=start) as engine:
        calls = ob.CallingList(f"sqlite3://{path}", create_if_missing=True)
        calls.insert(ob.Record(record_id=i, contact_info=f"+1646{5550000 + i - 1:07d}", chain_id=i, chain_n=1,
                               campaign_id=1) for i in range(1, 2001))
        dnc = ob.DncList()
        for phone in ("(646) 555-0010", "+16465550020", "646-555-0030"):
            dnc.add_phone(phone, "asked not to be called")

        network = ob.SimNetwork(engine, seed=42)
        switch = ob.SimTServer(network, agents=20)
        busy_retry = ob.Treatment(1, ob.CallResult.BUSY, ob.RecordAction.RETRY_IN, cycle_attempts=2, interval_s=600)
        campaign = engine.add_campaign(name="py-host", driver=switch, dnc=dnc, mode="progressive",
                                       treatments=[busy_retry])
        finished = []
        campaign.on_event(lambda e: finished.append(e) if e.kind is ob.EventKind.CALL_FINISHED else None)
        campaign.add_list(calls)
        campaign.load()
        campaign.start()
        for hour in range(1, 5):
            engine.run_until(start + timedelta(hours=hour))
            s = campaign.stats()
            print(f"[{hour} h] dials {s.dials}  live {s.live_answers}  connected {s.connected}  "
                  f"abandoned {s.abandoned}  occupancy {s.agent_occupancy:.2f}")
        campaign.finish()  # stop, let calls in flight end and be written back, unload

        s = campaign.stats()
        counts = calls.count_by_status()
        print("summary: python host, progressive, 20 simulated agents, 4 simulated hours")
        print(f"  dials             {s.dials}")
        print(f"  live answers      {s.live_answers}")
        print(f"  connected         {s.connected}")
        print(f"  abandon rate      {100 * s.abandon_rate:.2f}%")
        print(f"  busy / no answer  {s.busy} / {s.no_answer}")
        print(f"  dnc blocked       {s.dnc_blocked}")
        print(f"  calls finished    {len(finished)} (events)")
        print("  records by status:" + "".join(f" {k.name.lower()} {v}" for k, v in counts.items() if v))
        print(f"  left retrieved    {counts[ob.RecordStatus.RETRIEVED]}")
        calls.close()
        return 0 if counts[ob.RecordStatus.RETRIEVED] == 0 and s.dials > 0 else 1


def main() -> int:
    if len(sys.argv) > 1:
        return run(Path(sys.argv[1]))
    with tempfile.TemporaryDirectory(prefix="outbound-host-") as tmp:
        return run(Path(tmp) / "list.db")


if __name__ == "__main__":
    sys.exit(main())
