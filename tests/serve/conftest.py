"""Shared helpers for the `outbound serve` tests: a config on a fresh SQLite
file, the server started as a process on 127.0.0.1 (a port the system picks),
requests through http.client, and the process stopped by its pid."""
import copy
import http.client
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

BUILD = os.environ.get("OB_TEST_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
OUTBOUND = os.path.join(BUILD, "tools", "outbound")
TOKEN = "test-token-0123456789abcdef"
NY_MORNING = "2026-03-09T13:00:00Z"  # 09:00 in New York


def base_config(db_path, agents=10, records=400, speed=600, autostart=True, mode="predictive", **campaign):
    """A dialer on one SQLite file: a sample list in New York, a DNC table, a call log, a simulated floor."""
    conf = {
        "engine_id": "engine-test",
        "databases": {"main": "sqlite3://" + db_path},
        "lists": {"customers": {"database": "main", "table": "calling_list", "sample_records": records,
                                "customer_id_field": "customer_id", "tz_map": {"1": "America/New_York"}}},
        "dnc": {"main": {"database": "main", "table": "gsw_donotcall_list"}},
        "treatments": {"standard": [
            {"result": "busy", "action": "retry_in", "cycle_attempts": 2, "interval_min": 10},
            {"result": "no_answer", "action": "retry_in", "cycle_attempts": 2, "interval_min": 30}]},
        "drivers": {"floor": {"type": "sim", "agents": agents, "seed": 7}},
        "campaigns": {"spring": dict({
            "lists": ["customers"], "driver": "floor", "dnc": "main", "treatments": "standard", "mode": mode,
            "window": {"from": "08:00", "till": "21:00"}, "max_attempts": 3,
            "call_log": {"database": "main", "table": "ob_call_log"}, "autostart": autostart}, **campaign)},
        "clock": {"speed": speed, "start_utc": NY_MORNING},
        "http": {"listen": "127.0.0.1:0", "token": TOKEN},
    }
    return conf


class Serve:
    """One `outbound serve` process."""

    def __init__(self, config, workdir, extra_args=(), env=None):
        self.workdir = workdir
        self.config_path = os.path.join(workdir, "config-%d.json" % time.monotonic_ns())
        with open(self.config_path, "w") as f:
            json.dump(config, f)
        self.stdout_path = self.config_path + ".out"
        self.stderr_path = self.config_path + ".err"
        self.proc = subprocess.Popen([OUTBOUND, "serve", self.config_path, *extra_args], cwd=workdir,
                                     stdout=open(self.stdout_path, "w"), stderr=open(self.stderr_path, "w"),
                                     env=dict(os.environ, **(env or {})))
        self.port = self._wait_for_port()

    def _wait_for_port(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = open(self.stdout_path).read()
            if "listening on http://" in text:
                return int(text.split("listening on http://")[1].split("/")[0].rsplit(":", 1)[1])
            if self.proc.poll() is not None:
                raise AssertionError("serve exited %d: %s" % (self.proc.returncode, open(self.stderr_path).read()))
            time.sleep(0.05)
        raise AssertionError("serve did not start: " + open(self.stderr_path).read())

    def request(self, method, path, body=None, token=TOKEN, raw=None, headers=None):
        """(status, parsed JSON or text, response headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        ctype = r.getheader("Content-Type", "")
        return r.status, (json.loads(text) if ctype.startswith("application/json") and text else text), dict(r.getheaders())

    def get(self, path):
        return self.request("GET", path, token=None)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def wait_for(self, predicate, timeout=30, what="a condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError("timed out waiting for " + what)

    def status(self, campaign="spring"):
        s, body, _ = self.get("/api/v1/campaigns/" + campaign)
        assert s == 200, body
        return body

    def stop(self):
        """SIGTERM: stop dialing, let calls finish, unload; the exit code must be 0."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        assert self.proc.returncode == 0, open(self.stderr_path).read()

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="ob-serve-") as d:
        yield d


@pytest.fixture
def serve_factory(workdir):
    started = []

    def start(config, *args, env=None):
        s = Serve(config, workdir, args, env)
        started.append(s)
        return s

    yield start
    for s in started:
        s.kill()


def deep(config):
    return copy.deepcopy(config)
