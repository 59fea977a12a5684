#!/usr/bin/env python3
"""Database outage: PostgreSQL stopped for 10 s and restarted mid-campaign.

Starts its own PostgreSQL server (it must stop it), runs `outbound sim` on the
wall clock against a list there, stops the server 12 s in and starts it again
10 s later. Checks from the journal that no call was placed while the
database was down (a result could not have been recorded), that dialing
resumed after it came back, and — after a last run finishes the list — that
no update was lost (crash_test.check_list).
usage: outage_test.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import crash_test  # noqa: E402

PG = os.path.join(HERE, "..", "pg")


def pg_ctl(pg_dir, action):
    pgbin = sorted(d for d in (os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql"))
                   if os.path.exists(os.path.join(d, "pg_ctl")))[-1]
    cmd = [os.path.join(pgbin, "pg_ctl"), "-D", os.path.join(pg_dir, "data"), "-w"]
    if action == "stop":
        cmd += ["-m", "fast", "stop"]
    else:
        conf = open(os.path.join(pg_dir, "port")).read().strip()
        cmd += ["-l", os.path.join(pg_dir, "server.log"), "-o", conf, "start"]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, capture_output=True)


def main():
    build = sys.argv[1]
    outbound = os.path.join(build, "tools", "outbound")
    info = subprocess.run([os.path.join(PG, "start.sh")], check=True, capture_output=True, text=True).stdout
    env = dict(line.split("=", 1) for line in info.splitlines() if "=" in line)
    conn, pg_dir = env["OB_PG_CONN"].strip("'"), env["OB_PG_DIR"].strip("'")
    port = conn.split("port=")[1]
    with open(os.path.join(pg_dir, "port"), "w") as f:  # how to start it again, as start.sh did
        f.write(f"-p {port} -k {pg_dir} -c listen_addresses='' -c fsync=off")
    work = tempfile.mkdtemp(prefix="ob-outage-")
    journal = os.path.join(work, "journal.txt")
    # The live run dials about 30 of them; the rest only make the final run longer
    # (it finishes the list against PostgreSQL in real time: 3,000 records took 50 s, 1,000 take 9).
    records = 1000
    try:
        base = {"seed": 5, "agents": 10, "mode": "progressive", "max_attempts": crash_test.MAX_ATTEMPTS,
                "talk_s": {"dist": "constant", "mean": 4}, "wrap_s": {"dist": "constant", "mean": 1},
                "network": {"ring_s": {"dist": "constant", "mean": 2}, "no_answer_timeout_s": 15},
                "list": {"connection": conn, "table": "outage", "records": records, "in_place": True}}
        live = dict(base, clock="real", duration_h=50 / 3600)
        path = os.path.join(work, "live.json")
        json.dump(live, open(path, "w"))
        sim = subprocess.Popen([outbound, "sim", path, "--quiet", "--journal", journal],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        window = {}

        def outage():
            time.sleep(12)
            window["down"] = time.time() * 1000
            pg_ctl(pg_dir, "stop")
            time.sleep(10)
            pg_ctl(pg_dir, "start")
            window["up"] = time.time() * 1000

        t = threading.Thread(target=outage)
        t.start()
        out, err = sim.communicate()
        t.join()
        if sim.returncode != 0:
            print(f"outage_test: the live run failed ({sim.returncode}): {err[-2000:]}", file=sys.stderr)
            return 1
        dial_times = [int(line.split()[3]) for line in open(journal) if line.startswith("dial ")]
        during = [d for d in dial_times if window["down"] + 50 < d < window["up"]]
        after = [d for d in dial_times if d > window["up"]]
        before = [d for d in dial_times if d < window["down"]]
        db_errors = err.count("sim: ")
        # Finish the list on the manual clock, then check it against the journal.
        # The live run kept wall-clock times: the last run starts at the real now.
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        final = dict(base, auto_complete=True, duration_h=72)
        final["list"] = dict(base["list"], start_utc=now)
        path = os.path.join(work, "final.json")
        json.dump(final, open(path, "w"))
        rc = subprocess.run([outbound, "sim", path, "--quiet", "--journal", journal], capture_output=True, text=True)
        if rc.returncode != 0:
            print(f"outage_test: the final run failed: {rc.stderr[-2000:]}", file=sys.stderr)
            return 1
        rows = crash_test.read_rows("postgresql", conn, "outage")
        problems, facts = crash_test.check_list(rows, journal, records)
        if during:
            problems.append(f"{len(during)} calls placed while the database was down")
        if not after:
            problems.append("dialing did not resume after the database came back")
        if db_errors == 0:
            problems.append("the outage went unnoticed (no database error reported)")
        report = dict(facts, outage_s=round((window["up"] - window["down"]) / 1000, 1), dials_before=len(before),
                      dials_while_down=len(during), dials_after=len(after), database_errors_reported=db_errors, problems=len(problems))
        print(json.dumps(report))
        for p in problems[:20]:
            print("outage_test:", p, file=sys.stderr)
        if os.environ.get("OB_OUTAGE_VERBOSE"):
            print(err, file=sys.stderr)
            print(sorted(d - window["up"] for d in after)[:20], file=sys.stderr)
        return 0 if not problems else 1
    finally:
        subprocess.run([os.path.join(PG, "stop.sh"), pg_dir], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
