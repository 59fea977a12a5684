"""Issue 18, item 10, for the `outbound` command: a mistyped option or scenario value gets a
sentence naming the option and the value, never a C++ library's word ("stoi") or a bare
"unexpected argument" with no hint where the options are listed."""
import json
import os
import subprocess

import pytest

BUILD = os.environ.get("OB_TEST_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
OUTBOUND = os.path.join(BUILD, "tools", "outbound")


def refused(args, cwd):
    """The command's one-line error (it must fail with status 1 and write nothing on stdout)."""
    p = subprocess.run([OUTBOUND] + args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    return p.stderr.strip()


@pytest.mark.parametrize("args, message", [
    (["--agents", "ten"], '--agents needs a whole number in [1, 2147483647], not "ten"'),
    (["--records", "-5"], '--records needs a whole number in [1, 2147483647], not "-5"'),
    (["--seed", "0x10"], '--seed needs a whole number in [0, 18446744073709551615], not "0x10"'),
    (["--hours", "eight"], '--hours needs a positive number, not "eight"'),
    (["--mode", "turbo"], 'unknown dialing mode "turbo" (outbound demo --help lists them)'),
])
def test_demo_options(tmp_path, args, message):
    base = ["demo", "--list", str(tmp_path / "demo.db"), "--out", str(tmp_path / "out")]
    assert refused(base + args, tmp_path) == "outbound demo: " + message


def test_sim_unexpected_argument_says_where_the_options_are(tmp_path):
    assert refused(["sim", "--bogus"], tmp_path) == \
        "outbound sim: unexpected argument --bogus (outbound sim --help lists the options)"


def test_sim_bad_start_time_names_the_scenario_key(tmp_path):
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"duration_h": 0.1, "list": {"records": 10, "start_utc": "2026-13-01T00:00:00Z"}}))
    assert refused(["sim", str(scenario), "--quiet"], tmp_path) == \
        'outbound sim: scenario key "list.start_utc": "2026-13-01T00:00:00Z" is not YYYY-MM-DDTHH:MM:SSZ'
