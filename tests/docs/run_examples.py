#!/usr/bin/env python3
"""Runs the code examples of the user docs (README.md and docs/*.md) against
a build tree, so an example that stops working fails the suite.

The convention, in a fence's info string after the language:
  ```python run    a complete example: it is run, and must exit 0
  ```python norun  a fragment, or a command a test cannot run (an install, the
                   whole suite); say next to it where the tested version is
Every c, cpp, python and sh block must say one or the other; blocks in other
languages (json, text, diagrams) are not looked at.

Each example runs twice in the same new temporary folder (also its TMPDIR):
a reader may run it again, so it must not trip over what it left behind.
How each kind runs:
  python  with this interpreter; PYTHONPATH=bindings/python and
          OUTBOUND_LIBRARY=<build>/capi/liboutbound_c.so
  c       compiled as C99 (-Wall -Wextra -pedantic -Werror) against capi/ and
          liboutbound_c, then run
  cpp     compiled as C++20 (-Wall -Wextra -Werror) against include/ and
          liboutbound, then run
  sh      with bash -e -o pipefail from the source root (as a reader would),
          the same environment as python

usage: run_examples.py --source ROOT --build BUILD [--cc CC] [--cxx CXX]
                       [--flags FLAGS] [FILE.md ...]"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = {"c", "cpp", "python", "sh"}
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*(.*)$")
TIMEOUT_S = 300


@dataclass
class Block:
    path: Path
    line: int        # of the opening fence, 1-based
    language: str
    flags: list[str]
    code: str


def blocks(path: Path) -> list[Block]:
    """Fenced blocks of a Markdown file, their indentation removed."""
    out, lines, i = [], path.read_text(encoding="utf-8").splitlines(), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).split()
        start, body, i = i + 1, [], i + 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        i += 1
        lang = info[0].lower() if info else ""
        out.append(Block(path, start, lang, [w.lower() for w in info[1:]], "\n".join(body) + "\n"))
    return out


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.src = Path(args.source).resolve()
        self.build = Path(args.build).resolve()
        self.cc = shlex.split(args.cc)
        self.cxx = shlex.split(args.cxx)
        self.flags = shlex.split(args.flags)
        self.env = dict(os.environ)
        self.env.update({
            "OUTBOUND_LIBRARY": str(self.build / "capi" / "liboutbound_c.so"),
            "PYTHONPATH": str(self.src / "bindings" / "python"),
            "PYTHONDONTWRITEBYTECODE": "1",
        })

    def run(self, block: Block, tmp: Path) -> subprocess.CompletedProcess:
        env = dict(self.env, TMPDIR=str(tmp))
        cwd = tmp
        if block.language == "python":
            (tmp / "example.py").write_text(block.code)
            cmd = [sys.executable, "example.py"]
        elif block.language == "sh":
            cmd, cwd = ["bash", "-e", "-o", "pipefail", "-c", block.code], self.src
        else:
            exe = tmp / "example"
            if block.language == "c":
                (tmp / "example.c").write_text(block.code)
                compile_cmd = self.cc + ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", *self.flags,
                                         f"-I{self.src / 'capi'}", f"-I{self.build / 'capi'}", "example.c",
                                         "-o", str(exe), f"-L{self.build / 'capi'}", "-loutbound_c",
                                         f"-Wl,-rpath,{self.build / 'capi'}:{self.build / 'lib'}"]
            else:
                (tmp / "example.cpp").write_text(block.code)
                compile_cmd = self.cxx + ["-std=c++20", "-Wall", "-Wextra", "-Werror", "-pthread", *self.flags,
                                          f"-I{self.src / 'include'}", f"-I{self.build / 'include'}", "example.cpp",
                                          "-o", str(exe), f"-L{self.build / 'lib'}", "-loutbound",
                                          f"-Wl,-rpath,{self.build / 'lib'}"]
            built = subprocess.run(compile_cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
            if built.returncode != 0:
                return built
            cmd = [str(exe)]
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--cxx", default="c++")
    ap.add_argument("--flags", default="", help="extra compiler and linker flags (sanitizers)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    runner = Runner(args)
    files = [Path(f) for f in args.files] or [runner.src / "README.md", *sorted((runner.src / "docs").glob("*.md"))]

    failures, ran, skipped = [], 0, 0
    for path in files:
        for b in blocks(path):
            if b.language not in LANGUAGES:
                continue
            where = f"{path.relative_to(runner.src) if path.is_relative_to(runner.src) else path}:{b.line}"
            if "norun" in b.flags:
                skipped += 1
                continue
            if "run" not in b.flags:
                failures.append(where)
                print(f"{where}: a ```{b.language} block must say `run` (a complete example, run in the test) "
                      f"or `norun` (a fragment) after the language")
                continue
            ran += 1
            with tempfile.TemporaryDirectory(prefix="obdoc-") as tmp:
                t0 = time.monotonic()
                ok, output = True, ""
                for attempt in ("first run", "second run in the same folder"):
                    try:
                        r = runner.run(b, Path(tmp))
                        ok, output = r.returncode == 0, f"({attempt})\n{r.stdout}{r.stderr}"
                    except subprocess.TimeoutExpired as e:
                        ok, output = False, f"({attempt}) timed out after {TIMEOUT_S} s\n{e.stdout or ''}{e.stderr or ''}"
                    if not ok:
                        break
                took = time.monotonic() - t0
            if ok:
                print(f"{where}: {b.language} ok ({took:.1f} s)")
            else:
                failures.append(where)
                tail = "\n".join(output.splitlines()[-40:])
                print(f"{where}: {b.language} FAILED ({took:.1f} s)\n{tail}\n")
    print(f"run_examples: {ran} run, {skipped} marked norun, {len(failures)} failed")
    if ran == 0:
        print("run_examples: no example was run (is the fence convention still `LANG run`?)")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
