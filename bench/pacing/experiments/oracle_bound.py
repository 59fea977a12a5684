#!/usr/bin/env python3
"""How far can the 5-agent scenario go? Our model with perfect knowledge of agents.

    bench/pacing/experiments/oracle_bound.sh [--seeds N]     (builds a patched copy, then runs this)
    oracle_bound.py PATCHED_BUILD_DIR [--seeds N] [--agents N]

PATCHED_BUILD_DIR is a build of the tree with oracle_bound.patch applied. The
patch (an experiment, never merged) lets the simulated agents tell the
forecast the exact second each busy or wrapping agent becomes free (talk and
wrap-up drawn at connect), so the only uncertainty left is the calls': who
answers live, and when. It adds three environment switches:
  OB_ORACLE=1    supply from the true free times instead of the learned talk/wrap distributions
  OB_ALLOW=a     a constant abandon allowance per live answer (no feedback)
  OB_NOGUARD=1   no worst-case dial limit from the guard (the cap is not enforced)
Each row: mean occupancy (min over seeds) and abandon rate (worst seed).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "..", "scenarios", "agents5.json")
ALLOWANCES = (0.03, 0.035, 0.04, 0.05, 0.06)


def run(build, seed, agents, env, mode, tmp):
    with open(SCENARIO) as f:
        s = json.load(f)
    s.update(seed=seed, agents=agents, list={"records": 40000})
    if mode:
        s["mode"] = mode
    path = os.path.join(tmp, "s%d.json" % seed)
    with open(path, "w") as f:
        json.dump(s, f)
    out = subprocess.run([os.path.join(build, "tools", "outbound"), "sim", path, "--quiet"],
                         capture_output=True, text=True, env=dict(os.environ, **env), check=True)
    r = json.loads(out.stdout)
    return r["agent_occupancy"], r["abandon_rate"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--agents", type=int, default=5)
    a = ap.parse_args()
    rows = [("progressive", {}, "progressive"), ("pacer as committed", {}, None),
            ("oracle, pacer as committed (feedback, guard)", {"OB_ORACLE": "1"}, None)]
    for allow in ALLOWANCES:
        rows.append(("learned agents, constant allowance %.3f, no guard" % allow,
                     {"OB_ALLOW": str(allow), "OB_NOGUARD": "1"}, None))
        rows.append(("oracle, constant allowance %.3f, no guard" % allow,
                     {"OB_ORACLE": "1", "OB_ALLOW": str(allow), "OB_NOGUARD": "1"}, None))
    print("%d agents, %d seeds\n" % (a.agents, a.seeds))
    print("| pacer | occupancy mean / min | abandon mean / worst seed |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, env, mode in rows:
            rs = [run(a.build, seed, a.agents, env, mode, tmp) for seed in range(1, a.seeds + 1)]
            print("| %s | %.3f / %.3f | %.2f %% / %.2f %% |" % (
                label, statistics.mean(r[0] for r in rs), min(r[0] for r in rs),
                100 * statistics.mean(r[1] for r in rs), 100 * max(r[1] for r in rs)), flush=True)


if __name__ == "__main__":
    main()
