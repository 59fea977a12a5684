#!/usr/bin/env python3
"""API load against `outbound serve` while a 100-agent simulated campaign runs.

Runs the same dialer twice — a predictive campaign, 100 simulated agents,
simulated clock at 60x wall time, one simulated hour (clock.run_h), seed 1 —
once with no API traffic and once with CLIENTS clients sending RATE requests
a second in all for the whole hour (reads: campaign status, statistics,
/metrics, the list of campaigns, a DNC check). Prints the latency median, p90,
p99 and maximum of the loaded run, its error count, and whether the two
campaign reports (written by --report when the hour ends) are identical: the
engine must not notice the API.

usage: bench/serve/api_load.py BUILD_DIR [--rate 200] [--clients 8] [--hours 1] [--speed 60] [--out FILE.json]
"""
import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PATHS = ["/api/v1/campaigns/bench", "/api/v1/campaigns/bench/statistics", "/metrics", "/api/v1/campaigns",
         "/api/v1/dnc/main/check?phone=2125550100"]


def config(db, hours, speed):
    return {
        "engine_id": "bench",
        "databases": {"main": "sqlite3://" + db},
        "lists": {"customers": {"database": "main", "sample_records": 30000, "customer_id_field": "customer_id",
                                "tz_map": {"1": "America/New_York", "2": "America/Chicago"}}},
        "dnc": {"main": {"database": "main"}},
        "treatments": {"standard": [
            {"result": "busy", "action": "retry_in", "cycle_attempts": 3, "interval_min": 10},
            {"result": "no_answer", "action": "retry_in", "cycle_attempts": 3, "interval_min": 60}]},
        "drivers": {"floor": {"type": "sim", "agents": 100, "seed": 1}},
        "campaigns": {"bench": {"lists": ["customers"], "driver": "floor", "dnc": "main", "treatments": "standard",
                                "mode": "predictive", "goal": {"overdial_rate": 0.03}, "max_attempts": 5,
                                "call_log": {"database": "main", "table": "ob_call_log"}, "autostart": True}},
        "clock": {"speed": speed, "start_utc": "2026-03-09T14:00:00Z", "run_h": hours},
        "http": {"listen": "127.0.0.1:0", "token": "bench-token-0123456789",
                 "rate_limit": {"per_s": 100000, "burst": 100000}, "max_connections": 256},
    }


def start(build, workdir, name, hours, speed):
    db = os.path.join(workdir, name + ".db")
    path = os.path.join(workdir, name + ".json")
    json.dump(config(db, hours, speed), open(path, "w"))
    report = os.path.join(workdir, name + ".report.json")
    out = open(os.path.join(workdir, name + ".out"), "w+")
    proc = subprocess.Popen([os.path.join(build, "tools", "outbound"), "serve", path, "--report", report],
                            stdout=out, stderr=subprocess.DEVNULL)
    while True:
        out.seek(0)
        text = out.read()
        if "listening on http://" in text:
            port = int(text.split("listening on http://")[1].split("/")[0].rsplit(":", 1)[1])
            return proc, port, report
        if proc.poll() is not None:
            sys.exit("serve failed to start")
        time.sleep(0.02)


def wait_report(proc, report, limit_s):
    deadline = time.monotonic() + limit_s
    while not os.path.exists(report):
        if time.monotonic() > deadline or proc.poll() is not None:
            sys.exit("no report from serve")
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    return json.load(open(report))


def client(port, n, rate_each, until, latencies, errors):
    """Requests at a fixed schedule (not as fast as possible): an open-loop load of rate_each a second."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    interval = 1.0 / rate_each
    next_at = time.monotonic() + n * interval / 8
    i = n
    while True:
        now = time.monotonic()
        if now >= until:
            break
        if next_at > now:
            time.sleep(next_at - now)
        t0 = time.perf_counter()
        try:
            conn.request("GET", PATHS[i % len(PATHS)])
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                errors.append(r.status)
        except OSError as e:
            errors.append(str(e))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append(time.perf_counter() - t0)
        next_at += interval
        i += 1
    conn.close()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--speed", type=float, default=60)
    ap.add_argument("--out")
    a = ap.parse_args()
    wall = a.hours * 3600 / a.speed
    with tempfile.TemporaryDirectory(prefix="ob-bench-serve-") as work:
        proc, port, report = start(a.build, work, "quiet", a.hours, a.speed)
        quiet = wait_report(proc, report, wall * 3 + 60)

        proc, port, report = start(a.build, work, "loaded", a.hours, a.speed)
        latencies, errors, threads = [], [], []
        until = time.monotonic() + wall
        for n in range(a.clients):
            t = threading.Thread(target=client, args=(port, n, a.rate / a.clients, until, latencies, errors))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        loaded = wait_report(proc, report, wall * 3 + 60)

    ms = [x * 1000 for x in latencies]
    result = {
        "requests": len(ms), "seconds": round(wall, 1), "rate_per_s": round(len(ms) / wall, 1), "errors": len(errors),
        "latency_ms": {"median": round(statistics.median(ms), 2), "p90": round(percentile(ms, 0.90), 2),
                       "p99": round(percentile(ms, 0.99), 2), "max": round(max(ms), 2)},
        "reports_identical": quiet == loaded,
        "campaign": {k: loaded["campaigns"][0][k] for k in ("dials", "live_answers", "abandoned", "abandon_rate", "agent_occupancy")},
    }
    text = json.dumps(result, indent=2)
    print(text)
    if a.out:
        open(a.out, "w").write(text + "\n")
    if not result["reports_identical"]:
        print("reports differ:\n" + json.dumps(quiet, indent=1) + "\n" + json.dumps(loaded, indent=1), file=sys.stderr)
    return 0 if result["reports_identical"] and result["latency_ms"]["p99"] <= 50 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
