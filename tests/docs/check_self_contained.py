#!/usr/bin/env python3
"""Fails when a file of the repository points at notes that are not in it:
the team's design, domain, style and toolchain notes, or a shared folder
beside the checkout. Users get the repository alone, so docs, headers,
comments and docstrings must stand on their own (docs/reference.md holds the
codes and formats).

usage: check_self_contained.py SOURCE_ROOT

Checks every file git knows (tracked, or new and not ignored); without git,
every file outside build folders. Binary files are skipped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# Built from parts so that this file does not name them itself.
NOTES = ("DOMAIN", "DESIGN", "STYLE", "TOOLCHAIN")
PATTERNS = [
    re.compile(r"\b(?:" + "|".join(NOTES) + r")\.md\b"),
    re.compile(r"\.\./+shared\b"),
    re.compile(r"/work/+shared\b"),
]


def repository_files(root: Path) -> list[Path]:
    """Tracked files plus new ones not ignored; the source tree when git is not there."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             check=True, capture_output=True).stdout
        return sorted({root / p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})
    except (OSError, subprocess.CalledProcessError):
        files = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git" and not d.startswith("build")]
            files += [Path(folder) / n for n in names]
        return sorted(files)


def offending_lines(path: Path) -> list[tuple[int, str]]:
    try:
        data = path.read_bytes()
    except OSError:
        return []  # deleted from the work tree but still in the index
    if b"\0" in data:
        return []
    text = data.decode("utf-8", "replace")
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if any(p.search(line) for p in PATTERNS)]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = Path(sys.argv[1]).resolve()
    files = repository_files(root)
    hits = [(f, n, line) for f in files for n, line in offending_lines(f)]
    for f, n, line in hits:
        print(f"{f.relative_to(root)}:{n}: points outside the repository: {line}")
    if hits:
        print(f"check_self_contained: {len(hits)} line(s) name notes that are not in the repository; "
              "say it here instead (docs/reference.md has the codes and formats)")
        return 1
    print(f"check_self_contained: {len(files)} files, none points outside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
