"""docs/python_api.md is what gen_api_reference.py prints, and that names every public class,
function, method and option of the package, and gives every time its unit. Regenerate it after
changing the API:
OUTBOUND_LIBRARY=build/capi/liboutbound_c.so PYTHONPATH=bindings/python \
  python3 bindings/python/gen_api_reference.py > docs/python_api.md"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

import outbound as ob

BINDING = Path(__file__).resolve().parents[1]
REFERENCE = BINDING.parents[1] / "docs" / "python_api.md"
# A field is a time when its type says so or its name ends like one.
TIME_TYPES = re.compile(r"Span|Instant|datetime|timedelta")
TIME_NAMES = re.compile(r"(_s|_ms|_time|_at|timeout|interval|delay|duration|started|date_time)$")
UNITS = re.compile(r"second|millisecond|datetime|timedelta|\| (s|ms|s or timedelta|datetime or epoch s|UTC datetime) \|")


def generate() -> str:
    spec = importlib.util.spec_from_file_location("gen_api_reference", BINDING / "gen_api_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.render()


def check_reference(text: str) -> None:
    """Fails unless `text` has a section for each public name, each member and option, times with units."""
    for name in ob.__all__:
        assert f"## `{name}" in text, f"{name} has no section"
        obj = getattr(ob, name)
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                public = not member.startswith("_") and member not in ("from_c", "to_c")  # ctypes conversions
                if public and (inspect.isfunction(value) or isinstance(value, property)):
                    assert f"`{member}" in text, f"{name}.{member} is missing"
        if dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                rows = [line for line in text.splitlines() if line.startswith(f"| `{f.name}` |")]
                assert rows, f"{name}.{f.name} is missing"
                if TIME_NAMES.search(f.name) or TIME_TYPES.search(str(f.type)):
                    assert any(UNITS.search(r) for r in rows), f"{name}.{f.name} is a time without a unit: {rows}"


def test_the_generator_covers_the_package() -> None:
    check_reference(generate())


def test_the_committed_reference_is_the_generators_output() -> None:
    committed = REFERENCE.read_text(encoding="utf-8")
    generated = generate()
    if committed != generated:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), generated.splitlines(True), "docs/python_api.md",
                                            "gen_api_reference.py", n=1))
        pytest.fail("docs/python_api.md is out of date: regenerate it (see the top of this file)\n" + diff[:4000])
