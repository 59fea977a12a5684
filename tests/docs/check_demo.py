#!/usr/bin/env python3
"""Checks what `outbound demo` and `outbound sim` tell a new user: help for
both, the abandon figures with the span each is measured over (the cap is over
30 days, an hour may go above it), the calling windows opening zone by zone,
the dip while only New York is open explained in words and marked on the plot,
and the report keys of the `./run sim` contract. A small demo (1,600 records,
10 agents, 1.5 simulated hours) runs in a temporary folder.

usage: check_demo.py OUTBOUND_BINARY SOURCE_ROOT"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

problems: list[str] = []


def expect(ok: bool, what: str, output: str = "") -> None:
    if not ok:
        problems.append(what + (f"\n--- output ---\n{output}" if output else ""))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300)


def check_help(tool: str) -> None:
    demo = run(tool, "demo", "--help")
    expect(demo.returncode == 0 and demo.stdout.startswith("usage: outbound demo"), "outbound demo --help", demo.stdout + demo.stderr)
    for option in ("--list", "--out", "--records", "--agents", "--hours", "--seed", "--mode", "--fresh", "--help"):
        expect(f"  {option} " in demo.stdout, f"outbound demo --help does not explain {option}", demo.stdout)
    sim = run(tool, "sim", "--help")
    expect(sim.returncode == 0 and sim.stdout.startswith("usage: outbound sim SCENARIO.json"), "outbound sim --help",
           sim.stdout + sim.stderr)
    for option in ("--plot", "--journal", "--quiet", "--help"):
        expect(f"  {option} " in sim.stdout, f"outbound sim --help does not explain {option}", sim.stdout)
    bad = run(tool, "demo", "--no-such-option")
    expect(bad.returncode != 0 and "--no-such-option" in bad.stderr and "--help" in bad.stderr,
           "an unknown demo option is refused and points to --help", bad.stderr)


def report_keys(simulation_md: Path) -> set[str]:
    """The report keys documented under "## Report keys" (backquoted names)."""
    text = simulation_md.read_text(encoding="utf-8").split("## Report keys", 1)[1].strip().split("\n\n", 1)[0]
    names = set()
    for chunk in re.findall(r"`([^`]+)`", text, re.S):
        names.update(n.strip() for n in chunk.split(",") if re.fullmatch(r"[a-z_]+(\[\])?", n.strip()))
    return {n.rstrip("[]") for n in names}


def check_demo(tool: str, root: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="obdemo-") as tmp:
        r = run(tool, "demo", "--list", "list.db", "--out", "out", "--records", "1600", "--agents", "10",
                "--hours", "1.5", cwd=Path(tmp))
        out, err = r.stdout, r.stderr
        expect(r.returncode == 0, f"the small demo exits {r.returncode}", out + err)
        expect(re.search(r"^  abandon rate +\d+\.\d\d% of live answers in this run$", out, re.M) is not None,
               "the run's abandon rate says it is over this run", out)
        expect(re.search(r"^  abandon cap +3\.00% of live answers over 30 days .*peaked at \d+\.\d\d%$", out, re.M)
               is not None, "the cap says it is measured over 30 days, with the window's peak", out)
        expect(re.search(r"^  worst single hour +\d+\.\d\d% \(an hour may go above 3\.00%: the cap counts 30 days, "
                         r"not hours\)$", out, re.M) is not None, "the worst hour says the cap is not per hour", out)
        expect(all("over 30 days (cap 3%)" in line for line in err.splitlines() if line.startswith("[sim ")) and
               "[sim 00:30]" in err, "progress lines name the 30-day window next to the cap", err)
        expect(re.search(r"^  calling windows +09:00-20:00 local; they open at New York 0:00, Chicago 1:00, "
                         r"Denver 2:00, Los Angeles 3:00$", out, re.M) is not None,
               "the summary says when each zone's calling window opens", out)
        expect(re.search(r"^  dip at 0:[0-5]\d +occupancy \d+% while only New York was open:\n +its records were all "
                         r"dialed or waiting for a retry until Chicago opened at 1:00$", out, re.M) is not None,
               "the dip before Chicago opens is explained", out)
        svg = (Path(tmp) / "out" / "demo.svg").read_text()
        for city in ("Chicago", "Denver", "Los Angeles"):
            expect(f">{city} opens</text>" in svg, f"the plot marks when {city} opens")
        expect("abandon rate over the cap window (30 days)" in svg, "the plot names the cap window")
        keys = set(json.loads((Path(tmp) / "out" / "demo.json").read_text()))
        documented = report_keys(root / "docs" / "simulation.md")
        expect(len(documented) > 20 and documented <= keys,
               f"demo.json lacks documented report keys: {sorted(documented - keys)}")


def main() -> int:
    tool, root = str(Path(sys.argv[1]).resolve()), Path(sys.argv[2])
    check_help(tool)
    check_demo(tool, root)
    for p in problems:
        print("check_demo:", p)
    print(f"check_demo: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
