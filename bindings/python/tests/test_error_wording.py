"""Issue 18, item 10: error messages read as a new user reads them, through the real C ABI and the
Python package. Each names the value or the element at fault and says what to do, in words (no
"zones[i]" with a literal i, no "running the loop cannot be called")."""

from __future__ import annotations

import ctypes

import pytest

import outbound as ob
from outbound import _native

_lib = _native.lib


def last_error() -> str:
    return _native.text(_lib.ob_last_error())


def test_running_the_loop_beside_the_engine_thread_names_the_call_and_the_way_out() -> None:
    with ob.Engine(clock="real") as engine:
        engine.start_thread()
        try:
            with pytest.raises(ob.InvalidStateError) as info:
                engine.poll()
            assert info.value.message == ("ob_engine_poll cannot run the loop: the engine runs it on its own thread "
                                          "(ob_engine_start_thread); call ob_engine_stop_thread first")
            with pytest.raises(ob.InvalidStateError) as info:
                engine.run_for(0.01)
            assert info.value.message.startswith("ob_engine_run_until cannot run the loop:")
        finally:
            engine.stop_thread()


def test_a_null_array_element_is_named_by_its_index(calling_list: ob.CallingList) -> None:
    zones = (_native.Zone * 2)()
    zones[0].key, zones[0].iana = b"1", b"America/New_York"
    zones[1].key, zones[1].iana = b"2", None
    opts = _native.CsvOptions()
    assert _lib.ob_csv_options_init(ctypes.byref(opts), _native.CSV_OPTIONS_VERSION) == 0
    opts.zones, opts.zone_count = ctypes.cast(zones, ctypes.c_void_p), 2
    report = ctypes.POINTER(_native.ImportReport)()
    text = b"record_id,contact_info\n1,+12125550100\n"
    rc = _lib.ob_list_import_csv_text(ctypes.byref(report), calling_list._h, text, len(text), ctypes.byref(opts))
    assert rc == ob.Status.INVALID_ARGUMENT
    assert last_error() == "zones[1].iana must not be NULL"  # was "zones[i].iana"
    assert sum(calling_list.count_by_status().values()) == 0  # nothing imported


def test_negative_settings_and_counts_give_the_value(engine: ob.Engine) -> None:
    driver = ob.SimTServer(ob.SimNetwork(engine), agents=1)
    with pytest.raises(ob.InvalidArgumentError) as info:
        engine.add_campaign(name="neg", driver=driver, max_attempts=-3)
    assert info.value.message == "max_attempts must not be negative (0: no cap; got -3)"
    with pytest.raises(ob.InvalidArgumentError) as info:
        engine.add_campaign(name="neg", driver=driver, pace_interval_s=-1)
    assert info.value.message == "pace_interval_ms must not be negative (got -1000)"


def test_an_unknown_code_table_says_which_tables_there_are() -> None:
    out = ctypes.c_int()
    assert _lib.ob_enum_value(ctypes.byref(out), 99, b"busy") == ob.Status.INVALID_ARGUMENT
    assert last_error() == "no code table 99 (the OB_ENUM_* tables are 0..22)"
    assert _lib.ob_enum_value(ctypes.byref(out), 1, b"bussy") == ob.Status.NOT_FOUND
    assert last_error() == 'no code named "bussy" in code table 1 (ob_enum_name lists its names)'


def test_python_side_checks_show_the_value() -> None:
    with pytest.raises(ValueError, match=r"one byte, not ';;'"):
        ob.CsvOptions(delimiter=";;").to_c()
    with pytest.raises(ValueError, match=r"six weights \(SIT results 11..16\), not 2"):
        ob.sim.NetworkModel(sit_weights=(0.5, 0.5)).to_c(1)


def test_a_driver_without_dial_says_what_to_write() -> None:
    class Half(ob.Driver):
        pass

    with pytest.raises(NotImplementedError) as info:
        Half().dial(ob.DialRequest(call_id=1, phone="+12125550100"))  # type: ignore[call-arg]
    assert str(info.value) == "Half has no dial(): a Driver subclass must define dial(request)"
