#!/usr/bin/env python3
"""A host placing real calls over SIP: it starts baresip on 127.0.0.1 as the
far end (six numbers: four people who say "Hello?" and wait, one who rejects,
one that does not exist; two agents' phones that answer and talk for two
seconds), runs a progressive campaign in real time through the SIP driver,
prints each call's result and a summary, and stops baresip.

    python3 sip_host.py

Needs baresip, espeak-ng and sox (Debian packages) and a library built with the
SIP driver. From a source tree: PYTHONPATH=bindings/python (and
OUTBOUND_LIBRARY=build/capi/liboutbound_c.so if the build folder is not called build).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Dict, List

import outbound as ob

PEOPLE = ["+12125557001", "+12125557002", "+12125557003", "+12125557004"]
REJECTS = "+12125557005"      # rejects every call: busy
NOBODY = "+12125557006"       # no such account on the far end: 404, SIT vacant
AGENTS = ["a1", "a2"]


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


def tools_env() -> Dict[str, str]:
    """Our environment for the tools we start, without a sanitizer runtime preloaded for this process
    (the test suite's ASan build preloads libasan; espeak-ng hangs under it)."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}


def start_far_end(folder: Path, port: int) -> subprocess.Popen:
    """baresip with the callees and the agents' phones; returns once it is ready."""
    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60, env=tools_env())
    run("espeak-ng", "-w", str(folder / "raw.wav"), "Hello?")
    run("sox", str(folder / "raw.wav"), "-r", "8000", "-c", "1", "-b", "16", str(folder / "hello.wav"), "pad", "0.3", "30")
    run("sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(folder / "talk.wav"), "synth", "2", "sine", "400")
    (folder / "config").write_text(
        f"sip_listen 127.0.0.1:{port}\nnet_interface 127.0.0.1\nmodule_path /usr/lib/baresip/modules\n"
        "module g711.so\nmodule aufile.so\nmodule ctrl_tcp.so\nmodule_app account.so\nmodule_app menu.so\n"
        f"audio_source aufile,{folder / 'hello.wav'}\nctrl_tcp_listen 127.0.0.1:{port + 2}\n")
    accounts = [f"<sip:{n}@127.0.0.1:{port}>;regint=0;answermode=auto" for n in PEOPLE]
    accounts.append(f"<sip:{REJECTS}@127.0.0.1:{port}>;regint=0;answermode=manual")
    accounts += [f"<sip:{a}@127.0.0.1:{port}>;regint=0;answermode=auto;audio_source=aufile,{folder / 'talk.wav'}"
                 for a in AGENTS]
    (folder / "accounts").write_text("\n".join(accounts) + "\n")
    log = open(folder / "baresip.log", "w")
    proc = subprocess.Popen(["baresip", "-f", str(folder)], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=tools_env())
    deadline = time.monotonic() + 10
    while "baresip is ready." not in (folder / "baresip.log").read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("baresip did not start:\n" + (folder / "baresip.log").read_text())
        time.sleep(0.01)
    return proc


def reject_incoming(port: int) -> socket.socket:
    """Hangs up every call baresip reports for the rejecting number (ctrl_tcp: netstrings of JSON)."""
    import json
    import threading
    ctrl = socket.create_connection(("127.0.0.1", port + 2))

    def loop() -> None:
        buf = b""
        while True:
            try:
                chunk = ctrl.recv(4096)
            except OSError:  # closed at the end
                return
            if not chunk:
                return
            buf += chunk
            while b":" in buf:
                size, rest = buf.split(b":", 1)
                if len(rest) < int(size) + 1:
                    break
                msg, buf = json.loads(rest[:int(size)]), rest[int(size) + 1:]
                if msg.get("type") == "CALL_INCOMING" and REJECTS in msg.get("accountaor", ""):
                    body = json.dumps({"command": "hangup", "params": "", "token": "t"}).encode()
                    ctrl.sendall(str(len(body)).encode() + b":" + body + b",")

    threading.Thread(target=loop, daemon=True).start()
    return ctrl


def run(folder: Path) -> int:
    port = free_ports(30)  # baresip: port..port+3; the driver: port+4; RTP: port+10..port+29
    far_end = start_far_end(folder, port)
    ctrl = reject_incoming(port)
    try:
        numbers = PEOPLE + [REJECTS, NOBODY]
        with ob.Engine() as engine, ob.CallingList(f"sqlite3://{folder / 'list.db'}", create_if_missing=True) as calls:
            calls.insert(ob.Record(record_id=i + 1, contact_info=n, chain_id=i + 1, chain_n=1, campaign_id=1)
                         for i, n in enumerate(numbers))
            driver = ob.SipDriver(engine, listen=f"127.0.0.1:{port + 4}", customer_uri=f"sip:{{number}}@127.0.0.1:{port}",
                                  caller_id="+12125550100", agents={a: f"sip:{a}@127.0.0.1:{port}" for a in AGENTS},
                                  rtp_port_min=port + 10, rtp_port_max=port + 29, calls_per_second=10)
            campaign = engine.add_campaign(name="sip-host", driver=driver, mode="progressive", amd="none")
            results: Dict[int, str] = {}
            campaign.on_event(lambda e: results.__setitem__(e.record_id, e.message)
                              if e.kind is ob.EventKind.CALL_FINISHED else None)
            campaign.add_list(calls)
            campaign.load()
            for a in AGENTS:
                campaign.set_agent_state(a, "ready")
            campaign.start()
            engine.run_until(engine.now + timedelta(seconds=60),
                             lambda: len(results) == len(numbers) and campaign.calls_in_flight == 0)
            campaign.finish()
            for i, n in enumerate(numbers):
                print(f"call {n}: {results.get(i + 1, 'not finished')}")
            stats, sip = campaign.stats(), driver.stats()
            left = calls.count_by_status().get(ob.RecordStatus.RETRIEVED, 0)
            lines: List[str] = ["summary: SIP campaign against baresip on 127.0.0.1",
                                f"  dials            {stats.dials}", f"  connected        {stats.connected}",
                                f"  abandoned        {stats.abandoned}", f"  busy             {stats.busy}",
                                f"  sit              {stats.sit}", f"  invites          {sip.invites}",
                                f"  agent legs       {sip.connects}", f"  left retrieved   {left}"]
            print("\n".join(lines))
            driver.close()
    finally:
        ctrl.shutdown(socket.SHUT_RDWR)
        ctrl.close()
        far_end.send_signal(signal.SIGTERM)
        try:
            far_end.wait(3)
        except subprocess.TimeoutExpired:
            far_end.kill()
            far_end.wait()
    return 0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ob-sip-host-") as folder:
        return run(Path(folder))


if __name__ == "__main__":
    sys.exit(main())
