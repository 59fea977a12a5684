"""Rehearsals with the serve config (`outbound sim --config CONFIG --campaign
NAME`): the campaign's own filter, treatments, DNC table and customer id run
on the simulated network against a copy of the list — the real list stays
byte for byte as it was, and the report says where the copy is — unless
--in-place is given. On SQLite (backup API) and PostgreSQL (a _rh table)."""
import hashlib
import json
import os
import sqlite3
import subprocess

import pytest

from conftest import OUTBOUND, base_config


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def rehearse(config_path, *args, hours=1):
    r = subprocess.run([OUTBOUND, "sim", "--config", config_path, "--campaign", "spring", "--hours", str(hours), "--quiet", *args],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def rehearsal_config(database):
    config = base_config("unused", agents=8, records=200)
    config["databases"]["main"] = database
    config["lists"]["customers"]["filter"] = "record_id <= 150"
    config["treatments"]["standard"] = [{"id": 41, "result": "no_answer", "action": "retry_in", "cycle_attempts": 2, "interval_min": 20},
                                        {"id": 42, "result": "busy", "action": "retry_in", "cycle_attempts": 2, "interval_min": 5}]
    return config


def test_sqlite_rehearsal_works_on_a_copy_unless_in_place(workdir, serve_factory):
    db = os.path.join(workdir, "real.db")
    config = rehearsal_config({"connection": "sqlite3://" + db})
    config["campaigns"]["spring"]["autostart"] = False
    serve_factory(config).stop()  # creates the sample list and the DNC table, dials nothing
    con = sqlite3.connect(db)
    blocked_customers = ["C%d" % i for i in range(5, 150, 12)]  # 13 customers inside the filter
    con.executemany("INSERT INTO gsw_donotcall_list (customer_id, dnc_message) VALUES (?, 'rehearsal test')",
                    [(c,) for c in blocked_customers + ["C180"]])
    con.commit()
    con.close()
    config_path = os.path.join(workdir, "rehearsal.json")
    json.dump(config, open(config_path, "w"))
    before = sha256(db)

    report = rehearse(config_path)
    assert sha256(db) == before  # the real list, its DNC table and call log: untouched
    copy = report["list_copy"]["connection"]
    assert copy.startswith("sqlite3://") and os.path.dirname(copy[len("sqlite3://"):]) != workdir
    assert report["campaign"] == "spring" and report["dials"] > 0
    assert report["dnc_blocked"] == len(blocked_customers)  # customer-level entries, through customer_id_field
    rehearsed = sqlite3.connect(copy[len("sqlite3://"):])
    assert rehearsed.execute("SELECT COUNT(*) FROM calling_list WHERE record_id > 150 AND attempt > 0").fetchone() == (0,)
    histories = {h for (h,) in rehearsed.execute("SELECT treatments FROM calling_list WHERE treatments <> ''")}
    assert histories and all(h.split("@")[0] in ("41", "42") for h in histories)  # the config's treatments
    ids = ",".join(c[1:] for c in blocked_customers)
    assert rehearsed.execute("SELECT COUNT(*) FROM calling_list WHERE record_id IN (%s) AND call_result = 51" % ids).fetchone() == \
        (len(blocked_customers),)
    rehearsed.close()

    report = rehearse(config_path, "--in-place")
    assert "list_copy" not in report
    assert sha256(db) != before
    real = sqlite3.connect(db)
    assert real.execute("SELECT COUNT(*) FROM calling_list WHERE attempt > 0").fetchone()[0] == report["dials"] - \
        real.execute("SELECT COALESCE(SUM(attempt - 1), 0) FROM calling_list WHERE attempt > 1").fetchone()[0]
    real.close()


def pg_dump(conninfo, table):
    return subprocess.run(["psql", conninfo, "-At", "-c", "SELECT * FROM %s ORDER BY record_id" % table],
                          check=True, capture_output=True, text=True).stdout


def test_postgresql_rehearsal_works_on_a_copy_table(workdir):
    conn = os.environ.get("OB_PG_CONN", "")
    if not conn:
        pytest.fail("OB_PG_CONN is not set: run through tests/run_suite.sh, which starts a PostgreSQL server")
    table = "rehearse_%d" % os.getpid()
    config = rehearsal_config({"connection_env": "OB_PG_CONN"})
    config["lists"]["customers"]["table"] = table
    config["dnc"]["main"]["table"] = table + "_dnc"
    config["campaigns"]["spring"]["call_log"]["table"] = table + "_log"
    config_path = os.path.join(workdir, "rehearsal.json")
    json.dump(config, open(config_path, "w"))
    conninfo = conn[len("postgresql:"):] if conn.startswith("postgresql:") and not conn.startswith("postgresql://") else conn

    report = rehearse(config_path, hours=0.5)  # creates the sample list in the real database, then rehearses a copy
    before = pg_dump(conninfo, table)
    assert report["list_copy"] == {"connection": conn, "table": table + "_rh"} and report["dials"] > 0
    report = rehearse(config_path, hours=0.5)  # again: the earlier copy is replaced
    assert pg_dump(conninfo, table) == before and report["dials"] > 0
    assert "\t" not in before and before.count("\n") == 200
    attempts = subprocess.run(["psql", conninfo, "-At", "-c", "SELECT SUM(attempt) FROM %s_rh" % table],
                              check=True, capture_output=True, text=True).stdout.strip()
    assert int(attempts) == report["dials"]
    rehearse(config_path, "--in-place", hours=0.5)
    assert pg_dump(conninfo, table) != before


def test_scenario_list_keys_in_place_customer_id_and_treatments(workdir, serve_factory):
    """The same three things through `./run sim` scenario keys: list.in_place,
    list.customer_id_field and list.treatments (in the config file's form)."""
    db = os.path.join(workdir, "scenario.db")
    config = rehearsal_config({"connection": "sqlite3://" + db})
    config["campaigns"]["spring"]["autostart"] = False
    serve_factory(config).stop()  # a list with a customer_id column, and a DNC table
    con = sqlite3.connect(db)
    con.executemany("INSERT INTO gsw_donotcall_list (customer_id) VALUES (?)", [("C3",), ("C4",)])
    con.commit()
    con.close()
    scenario = {"seed": 2, "duration_h": 0.5, "agents": 5, "mode": "progressive",
                "list": {"connection": "sqlite3://" + db, "dnc_table": "gsw_donotcall_list", "customer_id_field": "customer_id",
                         "start_utc": "2026-03-09T14:00:00Z",
                         "treatments": [{"id": 77, "result": "no_answer", "action": "retry_in", "interval_min": 15}]}}
    path = os.path.join(workdir, "scenario.json")

    def run(s):
        json.dump(s, open(path, "w"))
        r = subprocess.run([OUTBOUND, "sim", path, "--quiet"], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    before = sha256(db)
    report = run(scenario)
    assert sha256(db) == before and report["dnc_blocked"] == 2
    copy = sqlite3.connect(report["list_copy"]["connection"][len("sqlite3://"):])
    histories = {h.split("@")[0] for (h,) in copy.execute("SELECT treatments FROM calling_list WHERE treatments <> ''")}
    assert histories == {"77"}
    copy.close()
    scenario["list"]["in_place"] = True
    report = run(scenario)
    assert "list_copy" not in report and sha256(db) != before
    scenario["list"]["treatments"] = [{"result": "no_answer", "action": "retry_whenever"}]
    json.dump(scenario, open(path, "w"))
    r = subprocess.run([OUTBOUND, "sim", path, "--quiet"], capture_output=True, text=True)
    assert r.returncode == 1 and 'scenario key "list.treatments[0].action"' in r.stderr
