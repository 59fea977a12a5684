#!/usr/bin/env python3
"""Checks the code tables kept in three places against the library's own.

The library builds its C name tables (ob_enum_name) from the C++ enums. This
test fails on any drift of the two copies people edit by hand:
  - the C enums of outbound.h: each table's typedef enum must hold exactly one
    constant per library value, named PREFIX + NAME in upper case, with that
    value (aliases of such constants are allowed, as `#define OLD NEW` or
    `OLD = NEW`);
  - the Python IntEnums of bindings/python/outbound/enums.py: exactly the
    library's values and names.

usage: code_tables.py LIBOUTBOUND_C HEADER PYTHON_PACKAGE_PARENT
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from typing import Dict, List, Tuple

# Constant prefix of each table, where it is not OB_<TABLE>_.
PREFIXES = {
    "CONTACT_INFO_TYPE": "OB_CONTACT_", "CAMPAIGN_STATE": "OB_CAMPAIGN_", "AGENT_STATE": "OB_AGENT_",
    "ANSWER_CLASS": "OB_ANSWER_", "AMD_MODE": "OB_AMD_", "DRIVER_KIND": "OB_DRIVER_", "RECORD_ACTION": "OB_ACTION_",
    "EVENT_KIND": "OB_EVENT_", "CALL_EVENT_KIND": "OB_CALL_EVENT_", "LOG_LEVEL": "OB_LOG_", "CALLBACK_KIND": "OB_CALLBACK_", "CPD_MODE": "OB_CPD_",
    "DISTRIBUTION_KIND": "OB_DIST_", "CLOCK_KIND": "OB_CLOCK_",
}
# Status codes keep the errno-like names of the C API.
STATUS_CONSTANTS = {
    "ok": "OB_OK", "generic": "OB_ERROR", "invalid_argument": "OB_EINVALID", "not_found": "OB_ENOTFOUND",
    "invalid_state": "OB_ESTATE", "busy": "OB_EBUSY", "compliance_blocked": "OB_ECOMPLIANCE",
    "database": "OB_EDATABASE", "driver": "OB_EDRIVER", "unsupported": "OB_EUNSUPPORTED", "bad_handle": "OB_EHANDLE",
}
# Count macros that must equal their table's size.
COUNTS = {"OB_CALL_RESULT_COUNT": "CALL_RESULT", "OB_RECORD_STATUS_COUNT": "RECORD_STATUS"}

failures: List[str] = []


def fail(message: str) -> None:
    failures.append(message)


def parse_header(text: str) -> Tuple[Dict[str, Dict[str, str]], Dict[str, str]]:
    """{typedef name: {constant: value text}} of every typedef enum, and {macro: text} of object-like macros."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    enums = {}
    for m in re.finditer(r"typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;", text, flags=re.S):
        if m.group(1) != m.group(3):
            fail(f"outbound.h: typedef enum {m.group(1)} is named {m.group(3)}")
        members = {}
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, value = (x.strip() for x in item.partition("="))
            if not value:
                fail(f"outbound.h: {m.group(1)}.{name} has no explicit value")
            members[name] = value
        enums[m.group(1)] = members
    macros = dict(re.findall(r"^#define\s+(OB_\w+)[ \t]+([^\n]+?)\s*$", text, flags=re.M))
    return enums, macros


def library_tables(lib: ctypes.CDLL, tables: Dict[str, int]) -> Dict[str, Dict[int, str]]:
    """{table name: {value: name}} as the library names them (contiguous from 0; Status downwards)."""
    lib.ob_enum_name.restype = ctypes.c_char_p
    lib.ob_enum_name.argtypes = [ctypes.c_int, ctypes.c_int]
    out = {}
    for table, which in tables.items():
        step = -1 if table == "STATUS" else 1
        values, v = {}, 0
        while (name := lib.ob_enum_name(which, v)) is not None:
            values[v] = name.decode()
            v += step
        if not values:
            fail(f"the library has no table {table} ({which})")
        out[table] = values
    if lib.ob_enum_name(len(tables), 0) is not None:
        fail(f"the library has a table {len(tables)} that OB_ENUM_COUNT does not count")
    return out


def check_c_enum(table: str, library: Dict[int, str], members: Dict[str, str], macros: Dict[str, str]) -> None:
    canonical = {}
    for value, name in library.items():
        constant = STATUS_CONSTANTS.get(name) if table == "STATUS" else PREFIXES.get(table, f"OB_{table}_") + name.upper()
        if constant is None:
            fail(f"status {value} ({name}) has no C constant in this test's STATUS_CONSTANTS")
            continue
        canonical[constant] = value
        if constant not in members:
            fail(f"outbound.h: the {table} enum lacks {constant} = {value} (the library's {value} is \"{name}\")")
        elif members[constant] != str(value):
            fail(f"outbound.h: {constant} = {members[constant]}, but the library's {name} is {value}")
    for constant, value in members.items():
        if constant in canonical:
            continue
        if value in canonical:
            continue  # an alias kept for older code
        fail(f"outbound.h: {constant} = {value} in the {table} enum is no value of the library's table "
             f"(or an alias of one)")


def check_python(package_parent: str, library: Dict[str, Dict[int, str]], tables: Dict[str, int]) -> None:
    sys.path.insert(0, package_parent)
    try:
        from outbound import enums  # noqa: PLC0415 - imported against the library under test
    except ImportError as e:
        fail(f"the Python package does not import: {e}")
        return
    by_id = {which: enum_type for enum_type, which in enums.TABLES.items()}
    for table, which in tables.items():
        enum_type = by_id.get(which)
        if enum_type is None:
            fail(f"enums.py has no IntEnum for table {table} ({which}) in TABLES")
            continue
        ours = {int(m): m.name.lower() for m in enum_type}
        if ours != library[table]:
            fail(f"enums.py: {enum_type.__name__} is {ours}, the library's {table} is {library[table]}")


def main() -> int:
    lib_path, header_path, package_parent = sys.argv[1:4]
    os.environ.setdefault("OUTBOUND_LIBRARY", lib_path)
    enums, macros = parse_header(open(header_path, encoding="utf-8").read())
    tables = {name[len("OB_ENUM_"):]: int(v) for name, v in enums.get("ob_enum", {}).items()}
    if int(macros.get("OB_ENUM_COUNT", -1)) != len(tables):
        fail(f"outbound.h: OB_ENUM_COUNT is {macros.get('OB_ENUM_COUNT')}, ob_enum has {len(tables)} tables")
    library = library_tables(ctypes.CDLL(lib_path), tables)
    for table in tables:
        typedef = "ob_status" if table == "STATUS" else "ob_" + table.lower()
        if typedef not in enums:
            fail(f"outbound.h has no typedef enum {typedef} for table OB_ENUM_{table}")
            continue
        check_c_enum(table, library.get(table, {}), enums[typedef], macros)
    numeric = {c for m in enums.values() for c, v in m.items() if v.lstrip("-").isdigit()}
    for macro, alias_of in macros.items():  # `#define OLD NEW` aliases must name a constant with a value
        if any(alias_of in m for m in enums.values()) and alias_of not in numeric:
            fail(f"outbound.h: alias {macro} points at {alias_of}, itself an alias")
    for macro, table in COUNTS.items():
        if int(macros.get(macro, -1)) != len(library.get(table, {})):
            fail(f"outbound.h: {macro} is {macros.get(macro)}, the library's {table} has {len(library[table])} values")
    check_python(package_parent, library, tables)
    for f in failures:
        print(f, file=sys.stderr)
    print(f"code tables: {len(tables)} tables, {sum(len(t) for t in library.values())} values, "
          f"{len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
