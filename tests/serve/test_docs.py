"""docs/serve.md opens with a complete config that runs as is: it is the
file `./run serve` runs (tools/serve/example.json), and started unchanged in
an empty folder it creates its sample list and dials."""
import json
import os
import re
import sqlite3

from conftest import Serve

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def first_json_block(path):
    text = open(path).read()
    return json.loads(re.search(r"```json\n(.*?)\n```", text, re.S).group(1))


def test_the_documented_config_is_the_example_and_runs_as_is(workdir):
    documented = first_json_block(os.path.join(ROOT, "docs", "serve.md"))
    assert documented == json.load(open(os.path.join(ROOT, "tools", "serve", "example.json")))
    s = Serve(documented, workdir, ("--listen", "127.0.0.1:0"))  # only the port differs: 8080 may be taken
    try:
        st = s.wait_for(lambda: (lambda st: st["counts"]["dials"] > 0 and st)(s.status()), what="the example to dial")
        assert st["state"] in ("running", "active") and st["agents"]["logged_in"] == 50
        assert "this run's token" in open(s.stdout_path).read()  # no token configured: one is made and printed
    finally:
        s.stop()
    db = sqlite3.connect(os.path.join(workdir, "serve-demo.db"))
    assert db.execute("SELECT COUNT(*), SUM(record_status = 2) FROM calling_list").fetchone() == (10000, 0)
    db.close()
