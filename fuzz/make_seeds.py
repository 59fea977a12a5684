#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/*). The capi seeds
are programs in fuzz_capi.c's byte language, spelled here op by op so each
seed reaches a meaningful state (a loaded, dialing campaign; a preview desk).
Run it after changing fuzz_capi.c's reading of its input."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# op codes: byte % 11
ENGINE, LIST, CSV, DNC, NETWORK, DRIVER, CAMPAIGN, CONTROL, RUN, MISC = 0, 1, 2, 3, 4, 5, 6, 7, 9, 10


def live(i: int = 0) -> list:
    """pick(): a live handle of the asked kind, slot i."""
    return [0, i]


def engine(slot: int = 0) -> list:
    return [ENGINE, slot, 0]


def list_open(slot: int = 0) -> list:
    return [LIST, slot]


def list_insert(n: int, slot: int = 0, first_id: int = 1) -> list:
    out = [LIST, slot, 200, n]
    for i in range(n):
        out += [i, i, first_id + i, 0, 1, 2, 1, 28, 0, 0, 0] + live(slot)
    return out + live(slot) + live(slot) + [0, 0, 0, 0, 20]


def network(slot: int = 0) -> list:
    return [NETWORK, slot, 7, 0, 20] + live(0)  # seed, no share change, patience, engine


def tserver(slot: int = 0, agents: int = 4) -> list:
    return [DRIVER, slot] + live(0) + [0, agents]


def custom_driver(slot: int = 0, result: int = 33) -> list:
    return [DRIVER, slot] + live(0) + [3] + live(0) + [0, result, 0]


def campaign(slot: int = 0, mode: int = 2, dnc: bool = False) -> list:
    return ([CAMPAIGN, slot, 0, mode, 10, 9, 25, 1, 6, 2, 2, 10, 1] + live(0) + live(0)
            + (live(0) if dnc else [230, 0]))


def control(what: int, agent: int = 0, extra: list = ()) -> list:
    return [CONTROL] + live(0) + [agent, what] + list(extra)


def run(seconds_byte: int = 200, mult: int = 3) -> list:
    return [RUN] + live(0) + [0, seconds_byte, mult]


seeds = {
    # a progressive campaign on the simulated T-Server: load, agents, start, run, stats, stop, unload
    "tserver_campaign": (engine() + list_open() + list_insert(6) + network() + tserver() + campaign()
                         + control(0, extra=live(0) + [64]) + control(1) + control(2) + run() + run()
                         + control(8) + control(3) + run() + control(4) + [MISC] + [0] * 4 + live(0) + live(0)
                         + [0, 3] + live(0) + live(0)),
    # a custom driver whose calls all answer, agents set by the host
    "custom_driver": (engine() + list_open() + list_insert(5) + custom_driver() + campaign()
                      + control(0, extra=live(0) + [64]) + control(1) + control(7, 0, [2]) + control(7, 1, [2])
                      + control(2) + run() + run() + control(5) + control(8)),
    # preview mode: desktop requests
    "preview_desk": (engine() + list_open() + list_insert(4) + [DNC, 0] + custom_driver() + campaign(mode=3, dnc=True)
                     + control(0, extra=live(0) + [64]) + control(1) + control(2) + control(10, 0, [0, 33])
                     + control(10, 1, [1]) + control(10, 0, [2, 0]) + control(11)),
    # handles misused: freed and wrong-type handles everywhere, then free in odd orders
    "stale_handles": (engine() + list_open() + [DNC, 0] + network() + tserver() + engine()
                      + [CONTROL, 210, 0, 0, 1] + [CONTROL, 240, 1, 0, 2] + [RUN, 210, 0, 0, 10, 1]
                      + list_open() + [1, 0, 0] + [DRIVER, 0] + [MISC, 0, 0, 0, 0, 220, 0, 230, 0, 0, 3, 240, 2]),
    # CSV text into a list
    "csv": (engine() + list_open() + [CSV, 30] + list("record_id,contact_info\n1,+12125550101\n".encode())
            + [0] + live(0) + live(0)),
}

for name, program in seeds.items():
    (HERE / "corpus" / "capi" / name).write_bytes(bytes(b % 256 for b in program))

csv_seeds = {
    "basic": b",record_id,contact_info,tz_dbid\r\n1,+12125550101,1\r\n2,+12125550102,\r\n",
    "quoted": b",record_id,contact_info,treatments,email_subject\n1,\"+1 212 555 0101\",\"1@1@1@1\",\"a, \"\"b\"\"\nc\"\n",
    "errors": b",record_id,contact_info,record_status,daily_from\n1,+12125550101,9,0\nx,+1,1,0\n3,,1,0\n4,+12125550104,1,90000\n",
    "semicolon": b"\x01record_id;contact_info;chain_id;chain_n\n1;+12125550101;1;1\n2;+12125550102;1;2\n\n",
    "bom_all_columns": (b",\xef\xbb\xbfrecord_id,contact_info,contact_info_type,record_type,record_status,call_result,"
                        b"attempt,dial_sched_time,call_time,daily_from,daily_till,tz_dbid,campaign_id,agent_id,"
                        b"chain_id,chain_n,group_id,app_id,media_ref,email_template_id,switch_id,treatments,"
                        b"email_subject\r\n7,+12125550107,4,5,1,6,2,1773061200,,28800,75600,1,3,a1,7,1,0,0,0,0,0,"
                        b"1@1@0@1,hello\r\n"),
    "unknown_column": b",record_id,contact_info,nope\n1,+12125550101,x\n",
}
for name, data in csv_seeds.items():
    (HERE / "corpus" / "csv" / name).write_bytes(data)

scenario_seeds = {
    "minimal": {},
    "full": {"seed": 7, "duration_h": 2, "agents": 25, "mode": "predictive", "goal": "overdial_rate",
             "target": 0.03, "network": {"live_answer": 0.3, "busy": 0.1, "no_answer": 0.45, "machine": 0.1,
                                         "sit": 0.05, "ring_s": {"dist": "lognormal", "mean": 8, "sd": 4}},
             "changes": [{"at_h": 1, "agents": 30}], "list": {"records": 5000}},
    "bad_key": {"agents": 10, "nope": 1},
    "bad_type": {"agents": "ten"},
}
for name, doc in scenario_seeds.items():
    (HERE / "corpus" / "scenario" / f"{name}.json").write_text(json.dumps(doc))
(HERE / "corpus" / "scenario" / "truncated.json").write_text('{"agents": 10, "network": {"busy": ')
