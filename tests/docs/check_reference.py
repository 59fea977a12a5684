#!/usr/bin/env python3
"""Checks docs/reference.md and docs/events.md against the library they describe.

Each table of the pages preceded by a `<!-- check: WHAT -->` line is compared
with the real thing:
- `OB_ENUM_<TABLE>`: the rows (code, name; or value, kind) must be exactly the
  codes the C library defines in that table, with its names (ob_enum_name);
  a `C constant` column must name the constant outbound.h gives that value;
- `<table> columns`: the rows (column, type, default) must be exactly the
  columns, declared types and defaults of a table the library creates on
  SQLite through the Python binding (a calling list, a DNC list).

usage: check_reference.py SOURCE_ROOT  (OUTBOUND_LIBRARY names the library;
PYTHONPATH holds bindings/python)"""

from __future__ import annotations

import ctypes
import os
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

import outbound as ob

MARK = re.compile(r"^<!-- check: (.+?) -->$")


def tables(page: Path) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The marked tables: WHAT -> (header, rows), cells without backquotes, the rule left out."""
    found: dict[str, tuple[list[str], list[list[str]]]] = {}
    lines = page.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = MARK.match(line.strip())
        if not m:
            continue
        rows = []
        for row in lines[i + 1:]:
            if not row.startswith("|"):
                break
            rows.append([c.strip().replace("`", "") for c in row.strip().strip("|").split("|")])
        found[m.group(1)] = (rows[0] if rows else [], rows[2:])
    return found


def enum_tables(header: Path) -> dict[str, int]:
    """OB_ENUM_<NAME> -> its number, read from outbound.h."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"\b(OB_ENUM_[A-Z_]+) = (\d+)", header.read_text())}


def library_codes(lib: ctypes.CDLL, which: int) -> dict[int, str]:
    """Every code the library names in table `which` (codes are small: -100..1000 covers them)."""
    out = {}
    for v in range(-100, 1000):
        name = lib.ob_enum_name(which, v)
        if name is not None:
            out[v] = name.decode()
    return out


def check_enum(lib: ctypes.CDLL, what: str, which: int, header: list[str], rows: list[list[str]],
               constants: dict[str, int]) -> list[str]:
    """`constants`: outbound.h's NAME = value pairs, for a table with a `C constant` column (events.md)."""
    code_at = header.index("value") if "value" in header else 0
    name_at = header.index("kind") if "kind" in header else 1
    const_at = header.index("C constant") if "C constant" in header else None
    documented = {}
    problems = []
    for r in rows:
        code, name = int(r[code_at]), r[name_at]
        if code in documented:
            problems.append(f"{what}: code {code} is listed twice")
        documented[code] = name
        if const_at is not None and constants.get(r[const_at]) != code:
            problems.append(f"{what}: {r[const_at]} is not {code} in outbound.h")
    actual = library_codes(lib, which)
    for code in sorted(set(documented) | set(actual)):
        if code not in actual:
            problems.append(f"{what}: the page lists {code} {documented[code]}, the library has no such code")
        elif code not in documented:
            problems.append(f"{what}: the library defines {code} {actual[code]}, the page does not list it")
        elif documented[code] != actual[code]:
            problems.append(f"{what}: code {code} is {actual[code]!r} in the library, {documented[code]!r} on the page")
    return problems


def documented_column(cells: list[str]) -> tuple[str, str, str | None]:
    """(name, type, default) of a row `| column | type, ..., default X | meaning |`."""
    parts = [p.strip() for p in cells[1].split(",")]
    default = next((p.split(" ", 1)[1] for p in parts if p.startswith("default ")), None)
    return cells[0], parts[0].lower(), default


def check_columns(what: str, db: Path, table: str, rows: list[list[str]]) -> list[str]:
    with sqlite3.connect(db) as con:
        actual = {r[1]: (r[2].lower(), r[4]) for r in con.execute(f"PRAGMA table_info({table})")}
    problems = []
    documented = {}
    for cells in rows:
        name, typ, default = documented_column(cells)
        documented[name] = (typ, default)
    for name in sorted(set(documented) | set(actual)):
        if name not in actual:
            problems.append(f"{what}: the page lists column {name}, the library's table has none")
        elif name not in documented:
            problems.append(f"{what}: the library's table has column {name} {actual[name][0]}, the page does not list it")
        else:
            (doc_type, doc_default), (typ, default) = documented[name], actual[name]
            if doc_type != typ:
                problems.append(f"{what}: column {name} is {typ} in the library's table, {doc_type} on the page")
            if doc_default != default:
                problems.append(f"{what}: column {name} defaults to {default} in the library's table, "
                                f"{doc_default} on the page")
    return problems


def main() -> int:
    root = Path(sys.argv[1])
    pages = [root / "docs" / "reference.md", root / "docs" / "events.md"]
    marked = {(page, what): table for page in pages for what, table in tables(page).items()}
    enums = enum_tables(root / "capi" / "outbound.h")
    constants = {m.group(1): int(m.group(2))
                 for m in re.finditer(r"\b(OB_[A-Z_]+) = (\d+)", (root / "capi" / "outbound.h").read_text())}
    lib = ctypes.CDLL(os.environ["OUTBOUND_LIBRARY"])
    lib.ob_enum_name.restype = ctypes.c_char_p
    lib.ob_enum_name.argtypes = [ctypes.c_int, ctypes.c_int]

    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "reference.db"
        ob.CallingList(f"sqlite3://{db}", create_if_missing=True).close()
        ob.DncList(f"sqlite3://{db}").close()
        for (page, what), (header, rows) in marked.items():
            if what in enums:
                found = check_enum(lib, what, enums[what], header, rows, constants)
            elif what.endswith(" columns"):
                found = check_columns(what, db, what.split()[0], rows)
            else:
                found = [f"unknown check {what!r}: name an OB_ENUM_ table of outbound.h or '<table> columns'"]
            for p in found:
                print(f"docs/{page.name}:", p)
            problems += found
    for page in pages:
        if not any(p == page for p, _ in marked):
            problems.append(f"no marked tables in {page.name}")
            print(f"docs/{page.name}: no <!-- check: ... --> tables found")
    print(f"check_reference: {len(marked)} tables, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
