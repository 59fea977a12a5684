#!/usr/bin/env python3
"""Crash test: a campaign killed with SIGKILL at random moments and restarted.

Runs `outbound sim` on a calling list that survives between runs (a SQLite
file, or a PostgreSQL table), kills it KILLS times at random moments, then lets
a last run finish every record. The journal (--journal) holds every dial (with
the attempt number written before the call), every result, and every result
written to the list. At the end:
  - no record is lost (the same ids), none is left retrieved;
  - none is dialed more often than allowed (max_attempts);
  - each record's attempt equals its journaled dials (one more only where a
    kill fell between recording the attempt and placing the call);
  - each record's stored result is its last written one (updates lost: 0);
  - the call log has no row without a journaled dial, and lacks rows only for
    calls a kill cut short (in flight, or ended since the last flush).
usage: crash_test.py BUILD_DIR sqlite|postgresql [KILLS] [RECORDS]
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

MAX_ATTEMPTS = 3


def pg_conninfo(conn):
    return conn[len("postgresql:"):] if conn.startswith("postgresql:") else conn


def query_ints(backend, connection, query):
    """Rows of integers from a SELECT on the SQLite file or the PostgreSQL server."""
    if backend == "sqlite":
        db = sqlite3.connect(connection[len("sqlite3://"):])
        rows = db.execute(query).fetchall()
        db.close()
        return rows
    out = subprocess.run(["psql", pg_conninfo(connection), "-At", "-F", " ", "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]


def read_rows(backend, connection, table):
    rows = query_ints(backend, connection, f"SELECT record_id, record_status, attempt, call_result FROM {table}")
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def read_log_counts(backend, connection, table):
    """Rows of the call log by record_id."""
    return dict(query_ints(backend, connection, f"SELECT record_id, COUNT(*) FROM {table} GROUP BY record_id"))


def check_log(log_counts, journal, survived, agents):
    """Log rows against journaled dials: (problems, facts)."""
    dials = read_journal(journal)[0]
    problems = [f"record {rid}: {n} call log rows, {len(dials.get(rid, []))} journaled dials"
                for rid, n in log_counts.items() if n > len(dials.get(rid, []))]
    missing = sum(len(d) for d in dials.values()) - sum(log_counts.values())
    # A kill loses the calls in flight (at most one per agent) and those ended since the last flush.
    if missing > survived * 2 * agents:
        problems.append(f"{missing} dials have no call log row; {survived} kills explain at most {survived * 2 * agents}")
    return problems, {"call_log_rows": sum(log_counts.values()), "dials_without_log_row": missing}


def read_journal(path):
    dials, last_event, last_written, last_result, results = {}, {}, {}, {}, 0
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            kind, rid = parts[0], int(parts[1])
            if kind == "dial":
                dials.setdefault(rid, []).append(int(parts[2]))
            elif kind == "result":
                results += 1
                last_result[rid] = int(parts[2])
            elif kind == "written":
                last_written[rid] = int(parts[2])
            last_event[rid] = kind
    return dials, last_event, last_written, last_result, results


def check_list(rows, journal, records):
    """Checks a finished list against its journal; returns (problems, facts)."""
    dials, last_event, last_written, last_result, results = read_journal(journal)
    problems = []
    if set(rows) != set(range(1, records + 1)):
        problems.append(f"record ids changed: {len(rows)} rows, expected 1..{records}")
    retrieved = [rid for rid, (status, _, _) in rows.items() if status == 2]
    if retrieved:
        problems.append(f"{len(retrieved)} records left retrieved, e.g. {retrieved[:5]}")
    attempt_plus_one = 0
    for rid, (status, attempt, result) in rows.items():
        js = dials.get(rid, [])
        if any(b <= a for a, b in zip(js, js[1:])):
            problems.append(f"record {rid}: attempt numbers not increasing: {js}")
        if len(js) > MAX_ATTEMPTS or attempt > MAX_ATTEMPTS:
            problems.append(f"record {rid}: dialed {len(js)} times, attempt {attempt} (cap {MAX_ATTEMPTS})")
        expected = max(js) if js else 0
        if attempt == expected + 1:
            attempt_plus_one += 1
        elif attempt != expected:
            problems.append(f"record {rid}: attempt {attempt}, journaled dials {js}")
        # A kill between the commit and the journal's "written" line leaves a last
        # "result" that is nevertheless stored: that is no lost update.
        written_then_killed = last_event.get(rid) == "result" and last_result.get(rid) == result
        if rid in last_event and last_event[rid] != "written" and not written_then_killed:
            problems.append(f"record {rid}: its last result was never written (last event {last_event[rid]})")
        if rid in last_written and last_written[rid] != result and not written_then_killed:
            problems.append(f"record {rid}: stored result {result}, last written {last_written[rid]}")
        if status == 1 and rid in dials:
            problems.append(f"record {rid}: still ready after the campaign completed")
    facts = {"dials": sum(len(v) for v in dials.values()), "results": results,
             "attempts_recorded_without_dial": attempt_plus_one,
             "updates_lost": sum(1 for p in problems if "never written" in p or "stored result" in p)}
    return problems, facts


def run(cmd, kill_after=None):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if kill_after is None:
        _, err = p.communicate()
        return p.returncode, err, False
    time.sleep(kill_after)
    killed = p.poll() is None
    if killed:
        p.send_signal(signal.SIGKILL)
    _, err = p.communicate()
    return p.returncode, err, killed


def main():
    build, backend = sys.argv[1], sys.argv[2]
    kills = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    records = int(sys.argv[4]) if len(sys.argv) > 4 else 1500
    rng = random.Random(int(os.environ.get("OB_CRASH_SEED", "7")))
    outbound = os.path.join(build, "tools", "outbound")
    work = tempfile.mkdtemp(prefix="ob-crash-")
    table = f"crash_{os.getpid()}"
    if backend == "sqlite":
        connection = "sqlite3://" + os.path.join(work, "list.db")
    else:
        connection = os.environ.get("OB_PG_CONN", "")
        if not connection:
            print("crash_test: OB_PG_CONN is not set", file=sys.stderr)
            return 1
    scenario = {
        "seed": 3, "duration_h": 72, "agents": 20, "mode": "progressive", "max_attempts": MAX_ATTEMPTS,
        "auto_complete": True,
        "list": {"connection": connection, "table": table, "records": records, "call_log_table": table + "_log",
                 "in_place": True},
    }
    scenario_path = os.path.join(work, "scenario.json")
    with open(scenario_path, "w") as f:
        json.dump(scenario, f)
    journal = os.path.join(work, "journal.txt")
    cmd = [outbound, "sim", scenario_path, "--quiet", "--journal", journal]

    # The list is created by a first short run that is not killed: a kill
    # while the table is being filled would change the set of records.
    setup = dict(scenario, duration_h=0.02, auto_complete=False)
    setup_path = os.path.join(work, "setup.json")
    with open(setup_path, "w") as f:
        json.dump(setup, f)
    rc, err, _ = run([outbound, "sim", setup_path, "--quiet", "--journal", journal])
    if rc != 0:
        print(f"crash_test: the setup run failed ({rc}): {err}", file=sys.stderr)
        return 1

    survived = 0
    started = time.time()
    for i in range(kills):
        rc, err, killed = run(cmd, kill_after=rng.uniform(0.05, 0.8))
        if killed:
            survived += 1
        elif rc != 0:
            print(f"crash_test: run {i} failed ({rc}): {err}", file=sys.stderr)
            return 1
    rc, err, _ = run(cmd)
    if rc != 0:
        print(f"crash_test: the final run failed ({rc}): {err}", file=sys.stderr)
        return 1

    rows = read_rows(backend, connection, table)
    problems, facts = check_list(rows, journal, records)
    log_problems, log_facts = check_log(read_log_counts(backend, connection, table + "_log"), journal, survived,
                                        scenario["agents"])
    problems += log_problems
    facts.update(log_facts)
    attempt_plus_one = facts["attempts_recorded_without_dial"]
    if attempt_plus_one > survived:
        problems.append(f"{attempt_plus_one} records counted a dial the journal lacks; only {survived} kills")
    report = dict({"backend": backend, "kills_survived": survived, "records_checked": len(rows)}, **facts,
                  problems=len(problems), wall_s=round(time.time() - started, 1))
    print(json.dumps(report))
    for p in problems[:20]:
        print("crash_test:", p, file=sys.stderr)
    if backend == "postgresql":
        subprocess.run(["psql", pg_conninfo(connection), "-q", "-c", f"DROP TABLE {table}; DROP TABLE {table}_lease; DROP TABLE {table}_log"],
                       capture_output=True)
    return 0 if not problems and survived >= kills // 2 else 1


if __name__ == "__main__":
    sys.exit(main())
