"""The HTTP API of `outbound serve` through a real HTTP client (http.client):
campaign control, records, DNC, agents and desktop requests, statistics and
event streams; tokens, malformed and oversize bodies, unknown fields, rate
limits, concurrent clients; config errors named by their JSON path."""
import http.client
import json
import os
import sqlite3
import subprocess
import threading
import time
import wave

from conftest import OUTBOUND, TOKEN, base_config


def rows(db, query):
    con = sqlite3.connect(db)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_campaign_control_and_statistics(workdir, serve_factory):
    s = serve_factory(base_config(os.path.join(workdir, "l.db")))
    status, body, _ = s.get("/api/v1/campaigns")
    assert status == 200 and body["campaigns"][0]["campaign"] == "spring"
    first = s.wait_for(lambda: s.status()["counts"]["dials"] > 0 and s.status(), what="dials")
    later = s.wait_for(lambda: (lambda st: st["counts"]["dials"] > first["counts"]["dials"] and st)(s.status()), what="more dials")
    assert later["state"] in ("running", "active")

    status, body, _ = s.post("/api/v1/campaigns/spring/mode", {"mode": "progressive"})
    assert status == 200 and body["mode"] == "progressive"
    status, body, _ = s.post("/api/v1/campaigns/spring/stop")
    assert status == 200 and body["state"] == "inactive"
    s.wait_for(lambda: s.status()["calls"]["in_flight"] == 0, what="calls to finish")
    stats = s.get("/api/v1/campaigns/spring/statistics")[1]
    assert stats["dials"] >= later["counts"]["dials"] and stats["calls_in_flight"] == 0
    assert s.post("/api/v1/campaigns/spring/start")[0] == 200
    assert s.post("/api/v1/campaigns/spring/unload")[0] == 200
    s.wait_for(lambda: s.status()["state"] == "not_loaded", what="unload")
    status, body, _ = s.post("/api/v1/campaigns/spring/start")
    assert status == 409 and body["error"]["code"] == "invalid_state"
    assert s.post("/api/v1/campaigns/spring/load")[0] == 200
    status, body, _ = s.get("/api/v1/campaigns/autumn")
    assert status == 404 and body["error"]["code"] == "not_found"
    s.stop()
    # Nothing is left retrieved after a stop, and every dial was written.
    assert rows(os.path.join(workdir, "l.db"), "SELECT COUNT(*) FROM calling_list WHERE record_status = 2") == [(0,)]


def test_tokens_are_required_for_every_change(workdir, serve_factory):
    s = serve_factory(base_config(os.path.join(workdir, "l.db"), autostart=False))
    status, body, headers = s.post("/api/v1/campaigns/spring/load", token=None)
    assert status == 401 and body["error"]["code"] == "unauthorized" and headers["WWW-Authenticate"].startswith("Bearer")
    for wrong in ("x", TOKEN[:-1], TOKEN + "x", TOKEN.upper()):
        status, body, _ = s.post("/api/v1/campaigns/spring/load", token=wrong)
        assert status == 401 and body["error"]["code"] == "invalid_token"
    status, body, _ = s.post("/api/v1/campaigns/spring/load", headers={"Authorization": "Basic " + TOKEN}, token=None)
    assert status == 401
    assert s.status()["state"] == "not_loaded"  # none of them did anything
    assert s.get("/api/v1/campaigns/spring")[0] == 200  # reads need no token
    assert s.post("/api/v1/campaigns/spring/load")[0] == 200
    s.stop()


def test_bad_bodies_name_their_field(workdir, serve_factory):
    s = serve_factory(base_config(os.path.join(workdir, "l.db"), autostart=False))
    status, body, _ = s.post("/api/v1/campaigns/spring/mode", raw='{"mode": "predictive"')
    assert status == 400 and body["error"]["code"] == "malformed_json"
    status, body, _ = s.post("/api/v1/campaigns/spring/mode", {"mode": "predictive", "colour": "red"})
    assert status == 400 and body["error"]["field"] == "colour"
    status, body, _ = s.post("/api/v1/campaigns/spring/mode", {"mode": 3})
    assert status == 400 and body["error"]["field"] == "mode"
    status, body, _ = s.post("/api/v1/campaigns/spring/mode", {"mode": "turbo"})
    assert status == 400 and body["error"]["field"] == "mode"
    status, body, _ = s.post("/api/v1/campaigns/spring/mode", {"mode": "predictive", "goal": {"overdial_rate": 2}})
    assert status == 400 and body["error"]["field"] == "goal.overdial_rate"
    status, body, _ = s.post("/api/v1/campaigns/spring/records", {"record_id": 9001})
    assert status == 400 and body["error"]["field"] == "contact_info"
    status, body, _ = s.post("/api/v1/campaigns/spring/records", raw="[1, 2]")
    assert status == 400 and body["error"]["code"] == "invalid_argument"
    status, body, _ = s.post("/api/v1/campaigns/spring/load", {"now": True})
    assert status == 400 and body["error"]["field"] == "now"
    status, body, _ = s.request("GET", "/api/v1/dnc/main/check?phone=2125550100&colour=red", token=None)
    assert status == 400 and body["error"]["field"] == "colour"
    status, body, _ = s.request("GET", "/api/v1/campaigns/spring?verbose=1", token=None)
    assert status == 400 and body["error"]["field"] == "verbose"
    status, body, _ = s.request("GET", "/api/v1/nothing", token=None)
    assert status == 404 and body["error"]["code"] == "unknown_route"
    status, body, _ = s.request("DELETE", "/api/v1/campaigns/spring/load")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    assert s.status()["mode"] == "predictive"  # nothing changed
    s.stop()


def test_oversize_bodies_are_refused_and_the_server_goes_on(workdir, serve_factory):
    config = base_config(os.path.join(workdir, "l.db"), autostart=False)
    config["http"]["max_body_bytes"] = 1024
    s = serve_factory(config)
    big = json.dumps({"phone": "+12125550100", "message": "x" * 5000})
    status, body, _ = s.post("/api/v1/dnc/main", raw=big)
    assert status == 413 and body["error"]["code"] == "payload_too_large"
    status, body, _ = s.get("/api/v1/dnc/main/check?phone=%2B12125550100")
    assert status == 200 and body["listed"] is False  # the refused request added nothing
    status, body, _ = s.post("/api/v1/dnc/main", {"phone": "+12125550100", "message": "small"})
    assert status == 201
    s.stop()


def test_rate_limit_per_client(workdir, serve_factory):
    config = base_config(os.path.join(workdir, "l.db"), autostart=False)
    config["http"]["rate_limit"] = {"per_s": 2, "burst": 5}
    s = serve_factory(config)
    codes = [s.get("/api/v1/health")[0] for _ in range(8)]
    assert codes[:5] == [200] * 5 and 429 in codes[5:]
    status, body, headers = s.get("/api/v1/health")
    if status == 429:
        assert body["error"]["code"] == "rate_limited" and headers["Retry-After"] == "1"
    time.sleep(1.1)
    assert s.get("/api/v1/health")[0] == 200
    s.stop()


def test_records_add_and_cancel_by_phone_or_customer(workdir, serve_factory):
    db = os.path.join(workdir, "l.db")
    s = serve_factory(base_config(db, autostart=False, records=20))
    add = lambda rid, phone, cid: s.post("/api/v1/campaigns/spring/records",
                                         {"record_id": rid, "contact_info": phone, "tz_dbid": 1, "custom": {"customer_id": cid}})
    assert add(9001, "(646) 555-0111", "C-X")[0] == 201
    assert add(9002, "+1 646 555 0111", "C-Y")[0] == 201
    assert add(9003, "646-555-0199", "C-X")[0] == 201
    status, body, _ = add(9001, "(646) 555-0112", "C-Z")
    assert status == 400 and "already exists" in body["error"]["message"]
    status, body, _ = s.post("/api/v1/campaigns/spring/records", {"record_id": 9004, "contact_info": "6465550100", "custom": {"colour": "red"}})
    assert status == 400 and body["error"]["field"] == "custom.colour"
    status, body, _ = s.post("/api/v1/campaigns/spring/records", {"record_id": 9005, "contact_info": "hello"})
    assert status == 400
    assert rows(db, "SELECT COUNT(*) FROM calling_list WHERE record_id IN (9004, 9005)") == [(0,)]

    status, body, _ = s.post("/api/v1/campaigns/spring/records/cancel", {"phone": "646.555.0111"})
    assert status == 200 and sorted(body["cancelled"]) == [9001, 9002]
    status, body, _ = s.post("/api/v1/campaigns/spring/records/cancel", {"customer_id": "C-X"})
    assert status == 200 and body["cancelled"] == [9003]  # 9001 (also C-X) was cancelled already
    status, body, _ = s.post("/api/v1/campaigns/spring/records/cancel", {"phone": "not a phone"})
    assert status == 400 and body["error"]["field"] == "phone"
    status, body, _ = s.post("/api/v1/campaigns/spring/records/cancel", {"phone": "6465550111", "customer_id": "C-X"})
    assert status == 400
    assert rows(db, "SELECT record_id, record_status FROM calling_list WHERE record_id > 9000 ORDER BY record_id") == \
        [(9001, 5), (9002, 5), (9003, 5)]
    s.stop()


def test_dnc_add_check_and_effect(workdir, serve_factory):
    db = os.path.join(workdir, "l.db")
    s = serve_factory(base_config(db, autostart=False, records=30))
    phone = rows(db, "SELECT contact_info FROM calling_list WHERE record_id = 5")[0][0]
    status, body, _ = s.post("/api/v1/dnc/main", {"phone": phone, "message": "asked by phone"})
    assert status == 201 and body["e164"].startswith("+1")
    assert s.post("/api/v1/dnc/main", {"customer_id": "C7"})[0] == 201
    status, body, _ = s.get("/api/v1/dnc/main/check?phone=" + body["e164"].replace("+", "%2B"))
    assert body["listed"] and body["match"] == "phone"
    status, body, _ = s.get("/api/v1/dnc/main/check?customer_id=C7")
    assert body["listed"] and body["match"] == "customer_id"
    status, body, _ = s.get("/api/v1/dnc/main/check?phone=2125550199")
    assert status == 200 and body["listed"] is False
    status, body, _ = s.get("/api/v1/dnc/main/check?phone=12")
    assert status == 400 and body["error"]["field"] == "phone"
    status, body, _ = s.post("/api/v1/dnc/other", {"phone": "2125550199"})
    assert status == 404
    status, body, _ = s.request("DELETE", "/api/v1/dnc/main?phone=2125550199")
    assert status == 501 and body["error"]["code"] == "unsupported"
    # Persisted, and honoured: the run ends with both records blocked, never dialed.
    assert rows(db, "SELECT COUNT(*) FROM gsw_donotcall_list") == [(2,)]
    assert s.post("/api/v1/campaigns/spring/load")[0] == 200
    assert s.post("/api/v1/campaigns/spring/start")[0] == 200
    s.wait_for(lambda: rows(db, "SELECT COUNT(*) FROM calling_list WHERE record_id IN (5, 7) AND call_result = 51") == [(2,)],
               what="the DNC records to be blocked")
    assert rows(db, "SELECT COUNT(*) FROM ob_call_log WHERE record_id IN (5, 7)") == [(0,)]
    s.stop()


def test_agents_and_desktop_requests_on_a_preview_campaign(workdir, serve_factory):
    db = os.path.join(workdir, "l.db")
    config = base_config(db, agents=0, records=10, mode="preview")
    config["drivers"]["floor"]["agents"] = 0
    s = serve_factory(config)
    a = "/api/v1/campaigns/spring/agents/alice"
    assert s.post(a + "/ready")[0] == 409  # not logged in yet
    assert s.post(a + "/login")[0] == 200
    assert s.post(a + "/ready")[0] == 200
    st = s.status()
    assert st["agents"]["by_state"]["ready"] == 1 and st["agents"]["list"][0]["id"] == "alice"

    def preview():
        status, body, _ = s.post(a + "/preview")
        assert status == 200 and body["record"], body
        return body["record"]

    r1 = preview()
    assert r1["agent_id"] == "alice" and r1["record"]["contact_info"]
    status, body, _ = s.request("GET", a + "/records", token=None)
    assert [r["handle"] for r in body["records"]] == [r1["handle"]]
    h = a + "/records/%d/" % r1["handle"]
    assert s.post(h + "processed", {"result": "ok"})[0] == 200
    status, body, _ = s.post(h + "processed", {"result": "ok"})
    assert status == 404  # the handle is closed

    r2 = preview()
    status, body, _ = s.post(a + "/records/%d/reschedule" % r2["handle"], {"at_utc": "2026-03-10T15:00:00Z", "callback": "personal"})
    assert status == 200, body
    r3 = preview()
    assert s.post(a + "/records/%d/reject" % r3["handle"])[0] == 200
    r4 = preview()
    status, body, _ = s.post(a + "/records/%d/dnc" % r4["handle"], {"scope": "chain", "message": "asked"})
    assert status == 200, body
    r5 = preview()
    status, body, _ = s.post(a + "/records/%d/processed" % r5["handle"], {"result": "frobnicated"})
    assert status == 400 and body["error"]["field"] == "result"
    assert s.post(a + "/records/%d/cancel" % r5["handle"])[0] == 200
    status, body, _ = s.post(a + "/records/%d/teleport" % r5["handle"])
    assert status == 404
    assert s.post(a + "/logout")[0] == 200
    s.stop()
    got = dict(rows(db, "SELECT record_id, record_status FROM calling_list WHERE record_id IN (%d, %d, %d, %d, %d)" % tuple(
        r["record"]["record_id"] for r in (r1, r2, r3, r4, r5))))
    assert got[r1["record"]["record_id"]] == 3   # processed: updated
    assert got[r2["record"]["record_id"]] == 1   # rescheduled: ready, for later
    assert got[r3["record"]["record_id"]] == 1   # rejected: ready again
    assert got[r4["record"]["record_id"]] == 3   # do not call: final
    assert got[r5["record"]["record_id"]] == 5   # cancelled
    assert rows(db, "SELECT record_type, agent_id FROM calling_list WHERE record_id = %d" % r2["record"]["record_id"]) == [(5, "alice")]


def test_simulated_agents_cannot_be_driven_through_the_api(workdir, serve_factory):
    s = serve_factory(base_config(os.path.join(workdir, "l.db"), autostart=False))
    status, body, _ = s.post("/api/v1/campaigns/spring/agents/alice/login")
    assert status == 409 and "reported by its driver" in body["error"]["message"]
    s.stop()


def test_concurrent_clients(workdir, serve_factory):
    s = serve_factory(base_config(os.path.join(workdir, "l.db"), agents=20, records=2000))
    paths = ["/api/v1/campaigns/spring", "/api/v1/campaigns/spring/statistics", "/metrics", "/api/v1/status",
             "/api/v1/dnc/main/check?phone=2125550100"]
    failures, counts = [], []

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)  # one kept-alive connection each
        done = 0
        for i in range(30):
            path = paths[(n + i) % len(paths)]
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                failures.append((path, r.status, body[:200]))
            elif path != "/metrics":
                json.loads(body)
            if i % 10 == 9:  # and some changes, with the token
                conn.request("POST", "/api/v1/dnc/main", body=json.dumps({"phone": "+1212555%04d" % (n * 100 + i)}),
                             headers={"Authorization": "Bearer " + TOKEN})
                r = conn.getresponse()
                r.read()
                if r.status != 201:
                    failures.append(("dnc", r.status))
            done += 1
        counts.append(done)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and sum(counts) == 240
    status, body, _ = s.get("/api/v1/dnc/main/check?phone=%2B12125550009")
    assert body["listed"]  # client 0's first change
    s.stop()


def test_event_stream_delivers_campaign_events(workdir, serve_factory):
    s = serve_factory(base_config(os.path.join(workdir, "l.db")))
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=20)
    conn.request("GET", "/api/v1/events?campaign=spring&kinds=call_finished")
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("Content-Type") == "text/event-stream"
    events = []
    while len(events) < 5:
        line = r.fp.readline().decode()
        assert line, "the stream ended"
        if line.startswith("data: "):
            events.append(json.loads(line[6:]))
    conn.close()
    assert all(e["kind"] == "call_finished" and e["campaign"] == "spring" and e["result"] for e in events)
    s.stop()


def serve_check(workdir, config):
    path = os.path.join(workdir, "check.json")
    with open(path, "w") as f:
        f.write(config if isinstance(config, str) else json.dumps(config))
    return subprocess.run([OUTBOUND, "serve", path, "--check"], capture_output=True, text=True)


def test_config_errors_name_their_path(workdir):
    good = base_config(os.path.join(workdir, "l.db"))
    assert serve_check(workdir, good).returncode == 0
    with wave.open(os.path.join(workdir, "sorry.wav"), "wb") as w:  # a campaign's own call audio is accepted
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x10\x00" * 1600)
    with_audio = json.loads(json.dumps(good))
    with_audio["campaigns"]["spring"]["audio"] = {"abandon_message": os.path.join(workdir, "sorry.wav"),
                                                  "opt_out_digit": "9", "amd_max_decision_s": 4}
    r = serve_check(workdir, with_audio)
    assert r.returncode == 0, r.stderr

    def broken(change):
        c = json.loads(json.dumps(good))
        change(c)
        return c

    cases = [
        ("{", "not valid JSON"),
        (broken(lambda c: c.update(colour="red")), 'config key "colour": unknown key'),
        (broken(lambda c: c["campaigns"]["spring"].update(driver="nowhere")), 'config key "campaigns.spring.driver": no driver named'),
        (broken(lambda c: c["campaigns"]["spring"].update(lists=["nolist"])), 'config key "campaigns.spring.lists[0]"'),
        (broken(lambda c: c["campaigns"]["spring"].update(window={"from": 8, "till": 21})), 'campaigns.spring.window.from": expected "HH:MM"'),
        (broken(lambda c: c["lists"]["customers"].update(tz_map={"01": "America/New_York"})), "lists.customers.tz_map.01"),
        (broken(lambda c: c["lists"]["customers"].update(tz_map={"1": "Mars/Olympus"})), "lists.customers.tz_map.1"),
        (broken(lambda c: c["treatments"]["standard"][1].update(action="retry_sometime")), "treatments.standard[1].action"),
        (broken(lambda c: c["drivers"]["floor"]["network"].update(busy=2) if "network" in c["drivers"]["floor"]
                else c["drivers"]["floor"].update(network={"busy": 2})), "drivers.floor.network.busy"),
        (broken(lambda c: c["http"].update(listen="0.0.0.0:8080", token=None) or c["http"].pop("token")),
         'config key "http.listen": 0.0.0.0 is reachable beyond this machine'),
        (broken(lambda c: c["http"].update(token="short")), "http.token"),
        (broken(lambda c: c["lists"]["customers"].update(database="elsewhere")), "lists.customers.database"),
        (broken(lambda c: c["drivers"].update(phones={"type": "sip", "customer_uri": "tel:123"})), "drivers.phones.customer_uri"),
        (broken(lambda c: c["campaigns"]["spring"].update(audio={"opt_out_digit": "x"})), "campaigns.spring.audio.opt_out_digit"),
        (broken(lambda c: c["campaigns"]["spring"].update(audio={"abandon_message": "none.wav"})),
         "campaigns.spring.audio.abandon_message"),
        (broken(lambda c: c["campaigns"]["spring"].update(audio={"amd_initial_silence_s": 0.1})),
         "campaigns.spring.audio.amd_initial_silence"),
        (broken(lambda c: c["campaigns"]["spring"].update(audio={"tone": 1})), 'campaigns.spring.audio.tone": unknown key'),
    ]
    for config, words in cases:
        r = serve_check(workdir, config)
        assert r.returncode == 1 and words in r.stderr, (words, r.stderr)


def test_a_request_the_engine_cannot_take_in_time_gets_503_and_is_never_applied(workdir, serve_factory):
    """The engine stalls on a PostgreSQL table another session locks: reads and
    changes time out with 503, the HTTP server itself stays responsive, and
    the change that timed out does not happen once the engine is free again."""
    conn = os.environ.get("OB_PG_CONN", "")
    if not conn:
        import pytest
        pytest.fail("OB_PG_CONN is not set: run through tests/run_suite.sh, which starts a PostgreSQL server")
    conninfo = conn[len("postgresql:"):] if conn.startswith("postgresql:") and not conn.startswith("postgresql://") else conn
    table = "stall_%d" % os.getpid()
    config = base_config("unused", agents=20, records=3000, speed=60)
    config["databases"]["main"] = {"connection_env": "OB_PG_CONN"}
    config["lists"]["customers"]["table"] = table
    config["dnc"]["main"]["table"] = table + "_dnc"
    config["campaigns"]["spring"]["call_log"]["table"] = table + "_log"
    config["http"]["engine_timeout_s"] = 0.5
    s = serve_factory(config)
    s.wait_for(lambda: s.status()["counts"]["dials"] > 0, what="dials")
    locker = subprocess.Popen(["psql", conninfo, "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE, text=True)
    locker.stdin.write("BEGIN; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE; SELECT 1;\n" % table)
    locker.stdin.flush()
    try:
        status = s.wait_for(lambda: (lambda r: r[0] == 503 and r)(s.get("/api/v1/campaigns/spring")), timeout=30,
                            what="the engine to stall on the lock")
        assert status[1]["error"]["code"] == "timeout"
        status, body, _ = s.post("/api/v1/dnc/main", {"phone": "+12125550177"})
        assert status == 503 and body["error"]["code"] == "timeout"
        assert s.get("/api/v1/health")[0] == 200  # HTTP itself never waits for the engine
    finally:
        locker.stdin.write("COMMIT;\n")
        locker.stdin.close()
        locker.wait(timeout=30)
    s.wait_for(lambda: s.get("/api/v1/campaigns/spring")[0] == 200, what="the engine to come back")
    status, body, _ = s.get("/api/v1/dnc/main/check?phone=%2B12125550177")
    assert status == 200 and body["listed"] is False  # timed out, so never applied
    s.stop()
