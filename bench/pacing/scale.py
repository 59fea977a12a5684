#!/usr/bin/env python3
"""How fast one engine paces large teams: `outbound sim` at 1,000, 5,000 and 20,000 agents.

    bench/pacing/scale.py BUILD_DIR [--runs N] [--agents 1000,5000,20000]
                          [--modes progressive,predictive] [--duration-h 0.05]

Each row runs the same scenario N times (default 3): the simulator's default
network and team, N agents, a generated SQLite list of 8 records per agent
(more than a run of this length dials). It prints the medians of the wall time
and of the CPU time (user + system of the run, which a loaded machine inflates
less), each per simulated minute, and the wall / simulated time ratio: below 1
the engine, the simulated switch and the list together keep up with real time.
The figures include generating the list and simulating the callees and agents,
so they bound what the engine itself costs.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(tool, scenario_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([tool, "sim", scenario_path, "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError("outbound sim failed on %s: %s" % (scenario_path, out.stderr))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--agents", default="1000,5000,20000")
    ap.add_argument("--modes", default="progressive,predictive")
    ap.add_argument("--duration-h", type=float, default=0.05)
    a = ap.parse_args()
    tool = os.path.join(a.build, "tools", "outbound")
    print("| mode | agents | dials | wall s | CPU s | wall per sim min s | CPU per sim min s | wall / sim | worst window | occupancy |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for mode in a.modes.split(","):
            for agents in (int(n) for n in a.agents.split(",")):
                scenario = {"seed": 1, "duration_h": a.duration_h, "agents": agents, "mode": mode,
                            "list": {"records": 8 * agents}}
                path = os.path.join(tmp, "%s-%d.json" % (mode, agents))
                with open(path, "w") as f:
                    json.dump(scenario, f)
                runs = [run_once(tool, path) for _ in range(a.runs)]
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                report = runs[0][2]
                sim_min = report["sim_s"] / 60.0
                print("| %s | %d | %d | %.1f | %.1f | %.2f | %.2f | %.3f | %.2f %% | %.3f |" % (
                    mode, agents, report["dials"], wall, cpu, wall / sim_min, cpu / sim_min, wall / report["sim_s"],
                    100 * report["max_window_abandon_rate"], report["agent_occupancy"]))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
