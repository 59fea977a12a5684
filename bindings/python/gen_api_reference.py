#!/usr/bin/env python3
"""Writes docs/python_api.md, the reference of the outbound Python package, from its docstrings.

Every public name (outbound.__all__) gets a section: classes with their constructor, methods and
properties; dataclasses with a table of their fields (type, default, unit, description from the
field's docstring, the string literal after it); enumerations with their members. The unit of a
time field comes from its type or its name (_s: seconds), so no time goes without one.

usage: OUTBOUND_LIBRARY=build/capi/liboutbound_c.so PYTHONPATH=bindings/python \\
         python3 bindings/python/gen_api_reference.py > docs/python_api.md
The python test fails when the committed file differs from what this prints."""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import sys
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import outbound  # noqa: E402

HEADER = """# Python API reference

Generated from the package's docstrings by `bindings/python/gen_api_reference.py`;
do not edit by hand. The guide is docs/python.md.

Types used below: `Instant` is a `datetime` (a naive one is UTC) or seconds since
1970-01-01 UTC; `Span` is a `timedelta` or seconds. Codes (`DialMode`, `CallResult`…)
are taken as members, as their names in any case ("predictive"), or as numbers.
Integers go to fixed-size C fields: a value that does not fit raises
`InvalidArgumentError`.
"""


# Conversions from and to the ctypes structs: public names, but the package's own business.
INTERNAL = {"from_c", "to_c"}


def unit_of(name: str, annotation: str) -> str:
    """The unit of a field, from its type or its name; "" when it is no time."""
    if "Instant" in annotation:
        return "datetime or epoch s"
    if "Span" in annotation:
        return "s or timedelta"
    if "datetime" in annotation:
        return "UTC datetime"
    if "timedelta" in annotation:
        return "timedelta"
    if name.endswith("_ms"):
        return "ms"
    if name.endswith("_s"):
        return "s"
    return ""


def first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())


def field_docs(cls: type) -> Dict[str, str]:
    """Each field's docstring (the string literal after it), else its trailing # comment."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    body = ast.parse(inspect.cleandoc("\n" + source) if source[0].isspace() else source).body[0].body
    docs: Dict[str, str] = {}
    for i, node in enumerate(body):
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        name = node.target.id
        nxt = body[i + 1] if i + 1 < len(body) else None
        if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
            docs[name] = " ".join(nxt.value.value.split())
        else:
            line = lines[node.lineno - 1]
            if "#" in line:
                docs[name] = line.split("#", 1)[1].strip()
    return docs


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def default_of(f: dataclasses.Field) -> str:
    if f.default is not dataclasses.MISSING:
        d = f.default
        return f"`{d.name}`" if isinstance(d, enum.Enum) else f"`{d!r}`"
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f"`{f.default_factory()!r}`"  # type: ignore[misc]
    return "required"


def dataclass_section(cls: type) -> List[str]:
    docs = field_docs(cls)
    out = ["| field | type | default | unit | what |", "| --- | --- | --- | --- | --- |"]
    for f in dataclasses.fields(cls):
        annotation = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        out.append(f"| `{f.name}` | `{cell(annotation)}` | {cell(default_of(f))} | {unit_of(f.name, annotation)} | "
                   f"{cell(docs.get(f.name, ''))} |")
    return out


def enum_section(cls: type) -> List[str]:
    return ["| member | value | name as a string |", "| --- | --- | --- |"] + [
        f"| `{m.name}` | {int(m)} | `\"{m.name.lower()}\"` |" for m in cls]  # type: ignore[attr-defined]


def _annotation(a: Any) -> str:
    text = a if isinstance(a, str) else getattr(a, "__name__", repr(a))
    return text.strip("\"'")


def _default(d: Any) -> str:
    return f"{type(d).__name__}.{d.name}" if isinstance(d, enum.Enum) else repr(d)


def signature(obj: Any, name: str) -> str:
    """`name(param: type = default, …) -> type`, without self, with plain annotations."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    parts, star = [], False
    for p in sig.parameters.values():
        if p.name in ("self", "cls"):
            continue
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        prefix = "*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else ""
        star = star or p.kind is p.VAR_POSITIONAL
        text = prefix + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not p.empty:
            text += f" = {_default(p.default)}"
        parts.append(text)
    ret = "" if sig.return_annotation in (sig.empty, None, "None") else f" -> {_annotation(sig.return_annotation)}"
    return f"{name}({', '.join(parts)}){ret}"


def members_section(cls: type) -> List[str]:
    out = []
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") or name in INTERNAL or (
                dataclasses.is_dataclass(cls) and name in {f.name for f in dataclasses.fields(cls)}):
            continue
        if isinstance(member, property):
            out.append(f"- `{name}` (property): {first_paragraph(member.__doc__)}")
        elif isinstance(member, (staticmethod, classmethod)):
            fn = member.__func__
            out.append(f"- `{signature(fn, name)}`: {first_paragraph(fn.__doc__)}")
        elif inspect.isfunction(member):
            out.append(f"- `{signature(member, name)}`: {first_paragraph(member.__doc__)}")
    return out


def class_section(name: str, cls: type) -> List[str]:
    out = [f"## `{name}`", ""]
    bases = [b.__name__ for b in cls.__mro__[1:] if b.__module__.startswith("outbound") or b in (ValueError, LookupError)]
    kind = "enumeration" if issubclass(cls, enum.Enum) else "dataclass" if dataclasses.is_dataclass(cls) else "class"
    out.append(f"*{kind}* in `{cls.__module__}`" + (f"; a {', '.join(bases)}" if bases and kind == "class" else ""))
    out.append("")
    doc = inspect.getdoc(cls)
    if doc:
        out += [doc, ""]
    if issubclass(cls, enum.Enum):
        out += enum_section(cls) + [""]
        return out
    if dataclasses.is_dataclass(cls):
        out += dataclass_section(cls) + [""]
    elif "__init__" in vars(cls) and not issubclass(cls, BaseException):
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        if not all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):  # not a mere (*args, **kwargs)
            out += [f"`{signature(cls.__init__, name)}`", ""]
        init_doc = first_paragraph(cls.__init__.__doc__)
        if init_doc:
            out += [init_doc, ""]
    members = members_section(cls)
    if members:
        out += members + [""]
    return out


def function_section(name: str, fn: Any) -> List[str]:
    return [f"## `{name}()`", "", f"`{signature(fn, name)}`", "", inspect.getdoc(fn) or "", ""]


def render() -> str:
    out = [HEADER]
    for name in outbound.__all__:
        obj = getattr(outbound, name)
        if inspect.isclass(obj):
            out += class_section(name, obj)
        elif callable(obj):
            out += function_section(name, obj)
        else:
            out += [f"## `{name}`", "", f"A `{type(obj).__name__}`: the loaded library's version.", ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
