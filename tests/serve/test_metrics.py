"""/metrics in the Prometheus text format, read with the parser of Debian's
python3-prometheus-client: every family parses, counters only grow, and at
the end of a run (the simulated clock stands still) each figure is the API's."""
import http.client
import json
import os
import sqlite3
import subprocess

import pytest

from conftest import OUTBOUND, base_config

parser = pytest.importorskip("prometheus_client.parser")


def scrape(s):
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    text = r.read().decode()
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/plain; version=0.0.4")
    samples = {}
    types = {}
    for family in parser.text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples, types


def value(samples, name, **labels):
    return samples[(name, tuple(sorted(labels.items())))]


def test_metrics_parse_grow_and_match_the_api(workdir, serve_factory):
    config = base_config(os.path.join(workdir, "l.db"), agents=10, records=2000, speed=600)
    config["clock"]["run_h"] = 0.5  # 3 s of wall time
    s = serve_factory(config)
    first, types = scrape(s)
    assert types["outbound_dials"] == "counter" and types["outbound_agents"] == "gauge"
    for family in ("outbound_answers", "outbound_abandons", "outbound_call_results", "outbound_dnc_blocked"):
        assert types[family] == "counter", family
    for family in ("outbound_calls_in_flight", "outbound_window_abandon_rate", "outbound_occupancy", "outbound_abandon_cap"):
        assert types[family] == "gauge", family
    s.wait_for(lambda: s.get("/api/v1/status")[1]["clock"]["run_finished"], what="the end of the run")
    last, _ = scrape(s)
    assert value(last, "outbound_dials_total", campaign="spring") >= value(first, "outbound_dials_total", campaign="spring")

    api = s.status()
    assert value(last, "outbound_dials_total", campaign="spring") == api["counts"]["dials"] > 0
    assert value(last, "outbound_answers_total", campaign="spring") == api["counts"]["live_answers"]
    assert value(last, "outbound_abandons_total", campaign="spring") == api["counts"]["abandoned"]
    assert value(last, "outbound_window_abandon_rate", campaign="spring") == pytest.approx(api["abandon"]["window_rate"], rel=1e-5)
    assert value(last, "outbound_occupancy", campaign="spring") == pytest.approx(api["occupancy"]["run"], rel=1e-5)
    for state, n in api["agents"]["by_state"].items():
        assert value(last, "outbound_agents", campaign="spring", state=state) == n
    for result, n in api["results"].items():
        assert value(last, "outbound_call_results_total", campaign="spring", result=result) == n
    # The run drained: every call placed has finished with a result.
    assert sum(v for (name, _), v in last.items() if name == "outbound_call_results_total") == api["counts"]["dials"]
    assert sum(v for (name, _), v in last.items() if name == "outbound_calls_in_flight") == 0
    s.stop()


def test_contact_limits_from_the_config_are_kept_and_counted(workdir, serve_factory):
    """One call per number a day: busy numbers wait instead of being retried in 10 minutes;
    the API and /metrics count those deferrals alike, and the call log holds no number twice."""
    db = os.path.join(workdir, "l.db")
    config = base_config(db, agents=10, records=400, speed=600, contact_limits=[{"max_calls": 1, "window_h": 24}])
    config["clock"]["run_h"] = 1
    s = serve_factory(config)
    s.wait_for(lambda: s.get("/api/v1/status")[1]["clock"]["run_finished"], what="the end of the run")
    samples, types = scrape(s)
    api = s.status()
    assert types["outbound_deferred"] == "counter" and types["outbound_predial_vetoed"] == "counter"
    assert api["counts"]["contact_deferred"] > 0 and api["counts"]["predial_vetoed"] == 0
    assert value(samples, "outbound_deferred_total", campaign="spring", reason="contact_limit") == api["counts"]["contact_deferred"]
    assert value(samples, "outbound_deferred_total", campaign="spring", reason="window") == api["counts"]["window_deferred"]
    assert value(samples, "outbound_deferred_total", campaign="spring", reason="lockout") == api["counts"]["lockout_deferred"]
    assert value(samples, "outbound_predial_vetoed_total", campaign="spring") == 0
    s.stop()
    con = sqlite3.connect(db)
    twice = con.execute("SELECT phone, COUNT(*) FROM ob_call_log GROUP BY phone HAVING COUNT(*) > 1").fetchall()
    dialed = con.execute("SELECT COUNT(*) FROM ob_call_log").fetchone()[0]
    con.close()
    assert dialed > 0 and twice == []


def test_a_bad_contact_limit_is_refused_naming_its_key(workdir):
    config = base_config(os.path.join(workdir, "l.db"), contact_limits=[{"max_calls": 0, "window_h": 24}])
    path = os.path.join(workdir, "bad.json")
    with open(path, "w") as f:
        json.dump(config, f)
    r = subprocess.run([OUTBOUND, "serve", path, "--check"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "campaigns.spring.contact_limits[0].max_calls" in r.stderr


def test_no_call_days_from_the_config_hold_every_dial(workdir, serve_factory):
    """The run starts on a Monday morning in New York; "mon" off: nothing is dialed, every record waits."""
    db = os.path.join(workdir, "l.db")
    config = base_config(db, agents=10, records=200, speed=600, no_call_days=["mon", "2026-12-25"])
    config["clock"]["run_h"] = 0.5
    s = serve_factory(config)
    s.wait_for(lambda: s.get("/api/v1/status")[1]["clock"]["run_finished"], what="the end of the run")
    assert s.status()["counts"]["dials"] == 0
    s.stop()
    con = sqlite3.connect(db)
    statuses = con.execute("SELECT record_status, COUNT(*) FROM calling_list GROUP BY record_status").fetchall()
    con.close()
    assert statuses == [(1, 200)]  # ready, for Tuesday


def test_a_bad_no_call_day_stops_serve_naming_the_campaign(workdir):
    config = base_config(os.path.join(workdir, "l.db"), no_call_days=["monday"])
    path = os.path.join(workdir, "bad-day.json")
    with open(path, "w") as f:
        json.dump(config, f)
    r = subprocess.run([OUTBOUND, "serve", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "campaigns.spring" in r.stderr and "monday" in r.stderr, r.stderr
