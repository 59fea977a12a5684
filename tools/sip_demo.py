#!/usr/bin/env python3
"""`./run demo --sip`: a short real-time campaign over real SIP on 127.0.0.1.

It starts baresip twice, as the far end: the callees (six in ten say "Hello?"
and wait for an agent, two in ten reject the call, two in ten are numbers that
do not exist) and five agents' phones (each answers at once, talks for three
seconds, hangs up). It writes a calling list of those numbers, runs
`outbound sim` on a scenario with a "sip" section (docs/simulation.md), shows
the list's progress every two seconds, prints the report's figures, and stops
baresip (by pid).

usage: sip_demo.py BUILD_DIR [--calls N] [--agents N] [--talk S] [--wrap S] [--minutes M] [--mode MODE]
                   [--report FILE]   (PYTHONPATH=bindings/python)
The defaults make the short demo; the options make the sim-vs-SIP bench (bench/sip/results.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List

import outbound as ob



def free_ports(count: int) -> int:
    """`count` consecutive ports free on 127.0.0.1 (UDP and TCP)."""
    for _ in range(500):
        base = random.randrange(2000, 5990) * 10
        try:
            for port in range(base, base + count):
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    with socket.socket(socket.AF_INET, kind) as s:
                        s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports on 127.0.0.1")


class Baresip:
    """One baresip on 127.0.0.1:port with `accounts`; `rejects` are hung up as they ring (ctrl_tcp)."""

    def __init__(self, folder: Path, port: int, accounts: List[str], voice: Path, rejects: List[str]) -> None:
        folder.mkdir()
        (folder / "config").write_text(
            f"sip_listen 127.0.0.1:{port}\nnet_interface 127.0.0.1\nmodule_path /usr/lib/baresip/modules\n"
            "module g711.so\nmodule aufile.so\nmodule ctrl_tcp.so\nmodule_app account.so\nmodule_app menu.so\n"
            f"audio_source aufile,{voice}\nctrl_tcp_listen 127.0.0.1:{port + 2}\ncall_max_calls 0\n")
        (folder / "accounts").write_text("".join(f"<sip:{a}@127.0.0.1:{port}>;regint=0;answermode="
                                                 f"{'manual' if a in rejects else 'auto'}\n" for a in accounts))
        self.log = folder / "log"
        self.proc = subprocess.Popen(["baresip", "-f", str(folder)], stdout=open(self.log, "w"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while "baresip is ready." not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("baresip did not start:\n" + self.log.read_text())
            time.sleep(0.01)
        self.ctrl = socket.create_connection(("127.0.0.1", port + 2))
        self.rejects = set(rejects)
        threading.Thread(target=self._events, daemon=True).start()

    def _events(self) -> None:
        buf = b""
        while True:
            try:
                chunk = self.ctrl.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b":" in buf:
                size, rest = buf.split(b":", 1)
                if len(rest) < int(size) + 1:
                    break
                msg, buf = json.loads(rest[:int(size)]), rest[int(size) + 1:]
                aor = msg.get("accountaor", "")
                if msg.get("type") == "CALL_INCOMING" and any(f":{r}@" in aor for r in self.rejects):
                    body = json.dumps({"command": "hangup", "params": "", "token": "t"}).encode()
                    self.ctrl.sendall(str(len(body)).encode() + b":" + body + b",")

    def stop(self) -> None:
        try:
            self.ctrl.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ctrl.close()
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def say(folder: Path, talk_s: float) -> None:
    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True)
    run("espeak-ng", "-w", str(folder / "raw.wav"), "Hello?")
    run("sox", str(folder / "raw.wav"), "-r", "8000", "-c", "1", "-b", "16", str(folder / "hello.wav"), "pad", "0.3", "60")
    run("sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(folder / "talk.wav"), "synth", str(talk_s), "sine", "400")


def demo(build: Path, a: argparse.Namespace, folder: Path) -> int:
    calls = a.calls
    agents = [f"agent{i}" for i in range(1, a.agents + 1)]
    say(folder, a.talk)
    numbers = [f"+1212558{1000 + i}" for i in range(calls)]
    people = [n for i, n in enumerate(numbers) if i % 10 < 6]
    rejecting = [n for i, n in enumerate(numbers) if 6 <= i % 10 < 8]
    port = free_ports(30)  # callees: port..+3, agents: port+10..+13, the driver: port+20
    print(f"demo --sip: baresip callees on 127.0.0.1:{port} ({len(people)} people, {len(rejecting)} who reject, "
          f"{calls - len(people) - len(rejecting)} numbers that do not exist), {len(agents)} agents' phones on "
          f"127.0.0.1:{port + 10}", flush=True)
    callees = Baresip(folder / "callees", port, people + rejecting, folder / "hello.wav", rejecting)
    phones = Baresip(folder / "agents", port + 10, agents, folder / "talk.wav", [])
    try:
        list_db = folder / "list.db"
        with ob.CallingList(f"sqlite3://{list_db}", create_if_missing=True) as calls_list:
            calls_list.insert(ob.Record(record_id=i + 1, contact_info=n, chain_id=i + 1, chain_n=1, campaign_id=1)
                              for i, n in enumerate(numbers))
        scenario = {
            "clock": "real", "mode": a.mode, "duration_h": a.minutes / 60, "auto_complete": True,
            "wrap_s": {"dist": "constant", "mean": a.wrap, "sd": 0},
            "list": {"connection": f"sqlite3://{list_db}", "in_place": True, "treatments": []},
            "sip": {"listen": f"127.0.0.1:{port + 20}", "customer_uri": f"sip:{{number}}@127.0.0.1:{port}",
                    "agents": {g: f"sip:{g}@127.0.0.1:{port + 10}" for g in agents}, "cps": 20,
                    "agent_answer_timeout_ms": 1000},
        }
        (folder / "scenario.json").write_text(json.dumps(scenario, indent=2))
        sim = subprocess.Popen([str(build / "tools" / "outbound"), "sim", str(folder / "scenario.json"), "--quiet"],
                               stdout=subprocess.PIPE, text=True)
        start = time.monotonic()
        with ob.CallingList(f"sqlite3://{list_db}") as watch:
            while sim.poll() is None:
                time.sleep(2)
                by = watch.count_by_status()
                done = by[ob.RecordStatus.UPDATED] + by[ob.RecordStatus.CHAIN_UPDATED]
                print(f"  {time.monotonic() - start:5.0f} s  final {done:4d}/{calls}  retrieved (buffered or in a call) "
                      f"{by[ob.RecordStatus.RETRIEVED]:3d}", flush=True)
        out = sim.stdout.read() if sim.stdout else ""
        if sim.returncode != 0:
            print(f"demo --sip: outbound sim failed ({sim.returncode})", file=sys.stderr)
            return 1
        r = json.loads(out)
        if a.report:
            Path(a.report).write_text(out)
        print(f"summary: {r['dials']} calls over SIP in {r['wall_s']:.0f} s: {r['connected']} connected to agents, "
              f"{r['abandoned']} abandoned (rate {100 * r['abandon_rate']:.1f} %, cap {100 * r['abandon_cap']:.0f} %), "
              f"{r['busy']} busy, {r['sit']} not in service")
        print(f"  SIP final responses: {r['sip_final_responses']}")
        if r["connect_ms_median"] is not None:
            print(f"  live answer -> agent bridged: median {r['connect_ms_median']:.0f} ms, p99 {r['connect_ms_p99']:.0f} ms")
        print(f"  agent occupancy {100 * r['agent_occupancy']:.0f} %, records left retrieved {r['records_retrieved_left']}")
        return 0 if r["records_retrieved_left"] == 0 else 1
    finally:
        callees.stop()
        phones.stop()


def main() -> int:
    p = argparse.ArgumentParser(description="A real-time campaign over SIP against baresip on 127.0.0.1.")
    p.add_argument("build", type=Path, help="the meson build folder (its tools/outbound runs the campaign)")
    p.add_argument("--calls", type=int, default=60, help="records (numbers) in the list")
    p.add_argument("--agents", type=int, default=5, help="agents' phones")
    p.add_argument("--talk", type=float, default=3.0, help="seconds an agent talks before hanging up")
    p.add_argument("--wrap", type=float, default=1.0, help="seconds of wrap-up after each call")
    p.add_argument("--minutes", type=float, default=6.0, help="longest run in wall minutes (it ends once all is final)")
    p.add_argument("--mode", default="predictive", help="progressive, predictive or power")
    p.add_argument("--report", help="also write the JSON report here")
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="ob-sip-demo-") as folder:
        return demo(a.build, a, Path(folder))


if __name__ == "__main__":
    sys.exit(main())
