"""The package against the library: version, code tables, errors, struct layouts."""

from __future__ import annotations

import ctypes
import os
import subprocess

import pytest

import outbound as ob
from outbound import _native


def test_version_and_library() -> None:
    assert ob.__version__.count(".") == 2
    major, minor, patch = (int(x) for x in ob.__version__.split("."))
    assert ob.version_number() == major * 10000 + minor * 100 + patch
    assert os.path.exists(ob.library_path())


def test_enums_match_the_library() -> None:
    # Checked at import too; here explicitly, member by member.
    for enum_type, table in ob.enums.TABLES.items():
        for member in enum_type:
            assert _native.lib.ob_enum_name(table, int(member)).decode() == member.name.lower()
            out = ctypes.c_int()
            assert _native.lib.ob_enum_value(ctypes.byref(out), table, member.name.lower().encode()) == 0
            assert out.value == int(member)
    assert ob.call_result_name(ob.CallResult.NO_ANSWER) == "no_answer"
    assert ob.call_result_name(51) == "do_not_call"
    assert len(ob.CallResult) == 54
    with pytest.raises(ValueError):
        ob.call_result_name(54)


def test_errors_carry_code_and_message() -> None:
    with pytest.raises(ob.InvalidArgumentError) as info:
        ob.to_e164("not a phone")
    assert info.value.code is ob.Status.INVALID_ARGUMENT
    assert "phone" in info.value.message
    assert isinstance(info.value, ValueError) and isinstance(info.value, ob.OutboundError)
    assert "[invalid_argument]" in str(info.value)
    assert issubclass(ob.NotFoundError, LookupError)
    assert ob.to_e164("(212) 555-1234") == "+12125551234"
    assert ob.to_e164("020 7946 0018", "GB") == "+442079460018"


def test_closed_objects_raise_bad_handle(engine: ob.Engine) -> None:
    dnc = ob.DncList()
    dnc.close()
    assert dnc.closed
    with pytest.raises(ob.BadHandleError):
        dnc.add_phone("+12125550100")
    dnc.close()  # twice is fine


def test_treatments_are_validated() -> None:
    ob.validate_treatments([ob.Treatment(1, ob.CallResult.BUSY, ob.RecordAction.RETRY_IN, interval_s=600,
                                         cycle_attempts=3)])
    with pytest.raises(ob.InvalidArgumentError):
        ob.validate_treatments([ob.Treatment(1, ob.CallResult.BUSY, ob.RecordAction.REDIAL),
                                ob.Treatment(2, ob.CallResult.BUSY, ob.RecordAction.REDIAL)])


def test_struct_layouts_match_the_c_compiler() -> None:
    layout = os.environ.get("OB_CAPI_LAYOUT")
    if not layout:
        pytest.skip("OB_CAPI_LAYOUT (the layout printer built by meson) is not set")
    seen = set()
    for line in subprocess.run([layout], check=True, capture_output=True, text=True).stdout.splitlines():
        name, value = line.split()
        struct_name, _, field = name.partition(".")
        struct = _native.STRUCTS[struct_name]
        if field:
            assert getattr(struct, field).offset == int(value), f"{name}: ctypes {getattr(struct, field).offset}"
            seen.add((struct_name, field))
        else:
            assert ctypes.sizeof(struct) == int(value), f"sizeof {name}: ctypes {ctypes.sizeof(struct)}"
    for struct_name, struct in _native.STRUCTS.items():
        for field_name, *_ in struct._fields_:
            assert (struct_name, field_name) in seen, f"{struct_name}.{field_name} is not in outbound.h"
