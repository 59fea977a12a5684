"""`outbound serve` with a SIP driver: a real call to baresip on 127.0.0.1 (started
here, stopped by pid), bridged to the agent's phone once the agent logged in and
went ready through the API; the agent's desktop finishes the record. And the
config mistakes a SIP driver cannot run with, refused with the key that holds them."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import OUTBOUND, base_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from baresip_phones import free_ports, phones  # noqa: E402

CALLEE = "+12125550112"


def sip_config(db, trunk_port, listen_port):
    config = base_config(db, records=3, autostart=False, mode="progressive", amd="none",
                         window={"from": "00:00", "till": "24:00"})
    config["clock"] = "real"
    config["drivers"]["phones"] = {"type": "sip", "listen": "127.0.0.1:%d" % listen_port,
                                   "customer_uri": "sip:{number}@127.0.0.1:%d" % trunk_port,
                                   "agents": {"a1": "sip:a1@127.0.0.1:%d" % trunk_port}}
    config["campaigns"]["spring"]["driver"] = "phones"
    return config


def check(workdir, config):
    path = os.path.join(workdir, "check.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return subprocess.run([OUTBOUND, "serve", path, "--check"], capture_output=True, text=True, timeout=60)


def test_sip_config_mistakes_are_refused_naming_the_key(workdir):
    base = sip_config(os.path.join(workdir, "l.db"), 5080, 5070)
    simulated = dict(base, clock={"speed": 60})
    r = check(workdir, simulated)
    assert r.returncode == 1 and "campaigns.spring.driver" in r.stderr and '"clock": "real"' in r.stderr, r.stderr
    preview = base_config(os.path.join(workdir, "l.db"), mode="preview")
    preview["clock"] = "real"
    preview["drivers"] = base["drivers"]
    preview["campaigns"]["spring"]["driver"] = "phones"
    r = check(workdir, preview)
    assert r.returncode == 1 and "campaigns.spring.mode" in r.stderr and "cannot run over SIP" in r.stderr, r.stderr
    two = sip_config(os.path.join(workdir, "l.db"), 5080, 5070)
    two["campaigns"]["summer"] = dict(two["campaigns"]["spring"])
    r = check(workdir, two)
    assert r.returncode == 1 and "campaigns.summer.driver" in r.stderr and "already serves campaign spring" in r.stderr, r.stderr
    assert check(workdir, base).returncode == 0


@pytest.mark.skipif(shutil.which("baresip") is None, reason="baresip is not installed")
def test_a_served_campaign_places_a_real_call_and_bridges_it_to_the_agent(workdir, serve_factory):
    db = os.path.join(workdir, "l.db")
    with tempfile.TemporaryDirectory(prefix="ob-phones-") as folder, phones(Path(folder), callees=(CALLEE,)) as (port, _):
        try:
            s = serve_factory(sip_config(db, port, free_ports(2)))
        except AssertionError as e:  # an outbound built without sofia-sip says so, naming the campaign
            if "built without SIP" not in str(e):
                raise
            assert "campaigns.spring" in str(e)
            return
        # One record, to the callee baresip answers.
        con = sqlite3.connect(db)
        first = con.execute("SELECT MIN(record_id) FROM calling_list").fetchone()[0]
        con.execute("DELETE FROM calling_list WHERE record_id <> ?", (first,))
        # Its own window all day (from = till): the test runs at any hour.
        con.execute("UPDATE calling_list SET contact_info = ?, daily_from = 0, daily_till = 0 WHERE record_id = ?", (CALLEE, first))
        con.commit()
        con.close()
        agent = "/api/v1/campaigns/spring/agents/a1"
        assert s.post(agent + "/login")[0] == 200
        assert s.post(agent + "/ready")[0] == 200
        assert s.post("/api/v1/campaigns/spring/load")[0] == 200
        assert s.post("/api/v1/campaigns/spring/start")[0] == 200

        # Answered by the callee, bridged to a1's phone: the record is on a1's desktop.
        held = s.wait_for(lambda: (lambda b: b["records"] and b["records"][0])(s.request("GET", agent + "/records", token=None)[1]),
                          what="the record on the agent's desktop")
        assert held["record"]["record_id"] == first and held["record"]["contact_info"] == CALLEE
        st = s.wait_for(lambda: (lambda st: st["counts"]["connected"] >= 1 and st)(s.status()), what="the bridge")
        assert (st["counts"]["dials"], st["counts"]["live_answers"], st["counts"]["abandoned"]) == (1, 1, 0)
        assert s.post(agent + "/records/%d/processed" % held["handle"], {})[0] == 200  # the network's result
        s.wait_for(lambda: s.status()["calls"]["in_flight"] == 0, what="the call to end")
        s.stop()

    con = sqlite3.connect(db)
    status, result = con.execute("SELECT record_status, call_result FROM calling_list WHERE record_id = ?", (first,)).fetchone()
    logged = con.execute("SELECT phone, agent_id, answered_at_ms IS NOT NULL FROM ob_call_log").fetchall()
    con.close()
    assert status == 3 and result == 33  # updated, answered
    assert logged == [(CALLEE, "a1", 1)]
