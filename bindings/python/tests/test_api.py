"""The binding's own rules: enum names as strings, integers that do not fit are refused, one rule for
time, the engine owns its campaigns, no class writes another's private fields, events that explain
themselves, and text that is not UTF-8."""

from __future__ import annotations

import ast
import dataclasses
import sqlite3
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import outbound as ob
from conftest import START, START_MS, make_records
from outbound import _native
from outbound.engine import span_ms
from outbound.records import CRecords

PACKAGE = Path(ob.__file__).resolve().parent


def test_enum_names_are_taken_as_strings(engine: ob.Engine) -> None:
    switch = ob.SimTServer(ob.SimNetwork(engine), 2)
    c = engine.add_campaign(name="strings", driver=switch, mode="predictive", goal="OVERDIAL_RATE", amd="none")
    assert c.mode is ob.DialMode.PREDICTIVE and c.options.amd is ob.AmdMode.NONE
    c.set_mode("progressive")
    c.set_agent_state("a1", "ready")
    assert c.agent_state("a1") is ob.AgentState.READY
    assert ob.Treatment(1, "busy", "retry_in").action is ob.RecordAction.RETRY_IN
    assert ob.Record(contact_info_type="mobile", record_type=5).record_type is ob.RecordType.PERSONAL_CALLBACK
    assert ob.Distribution("lognormal", 8, 4).kind is ob.DistributionKind.LOGNORMAL
    with pytest.raises(ob.InvalidArgumentError, match="mode = 'predictve' is no DialMode; one of: none, predictive"):
        engine.add_campaign(name="typo", driver=switch, mode="predictve")
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError
        ob.Treatment(1, "busy", action=99)


def test_integers_that_do_not_fit_are_refused(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    switch = ob.SimTServer(ob.SimNetwork(engine), 1)
    with pytest.raises(ob.InvalidArgumentError, match=r"campaign_id = 4294967301 is out of range"):
        engine.add_campaign(name="wide", driver=switch, campaign_id=2 ** 32 + 5)
    with pytest.raises(ob.InvalidArgumentError, match=r"chunk_size = -1 is out of range"):
        engine.add_campaign(name="negative", driver=switch, chunk_size=-1)
    with pytest.raises(ob.InvalidArgumentError, match="out of range"):
        calling_list.page(limit=-1)
    with pytest.raises(ob.InvalidArgumentError, match="out of range"):
        calling_list.get(2 ** 64)
    with pytest.raises(ob.InvalidArgumentError, match="attempt = 2147483648"):
        calling_list.insert([ob.Record(record_id=1, contact_info="+12125550100", attempt=2 ** 31)])
    with pytest.raises(TypeError, match="must be an integer"):
        calling_list.get(1.5)  # type: ignore[arg-type]
    assert calling_list.page() == [] and engine.campaign_count == 0  # nothing half made


def test_one_rule_for_time(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    assert engine.now == START
    engine.run_until(START + timedelta(seconds=30))
    engine.run_until(START_MS // 1000 + 60)  # epoch seconds
    engine.run_for(timedelta(minutes=1))
    engine.run_for(60)
    assert engine.now == START + timedelta(minutes=3)
    with pytest.raises(ob.InvalidArgumentError, match="seconds since 1970 lies past the year 9999"):
        engine.run_until(START_MS)  # milliseconds, the 0.2 unit
    with pytest.raises(ob.InvalidArgumentError, match="past the year 9999"):
        ob.Engine(clock="manual", start=START_MS)
    with pytest.raises(TypeError, match="a datetime, a timedelta or a number of seconds"):
        engine.run_for("10")  # type: ignore[arg-type]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert engine.now_ms == ob.to_ms(engine.now)
    assert caught and caught[0].category is DeprecationWarning
    naive = datetime(2026, 3, 9, 14, 0)
    assert ob.to_ms(naive) == ob.to_ms(naive.replace(tzinfo=timezone.utc))
    # Records keep the list's epoch seconds; a datetime is taken on input.
    calling_list.insert([ob.Record(record_id=1, contact_info="+12125550100", dial_sched_time=START + timedelta(hours=2))])
    assert calling_list.get(1).dial_sched_time == START_MS // 1000 + 7200
    rule = ob.Treatment(1, "no_answer", "retry_at_date", date_time=START_MS // 1000 + 3600)
    assert ob.CampaignOptions(treatments=[rule]).treatments[0].date_time == START_MS // 1000 + 3600


def test_one_rounding_and_one_range_for_time() -> None:
    # Numbers, timedeltas and datetimes all go to the nearest millisecond, halves to even.
    assert ob.to_ms(0.0015) == ob.to_ms(datetime(1970, 1, 1, 0, 0, 0, 1500)) == 2
    assert ob.to_ms(0.0025) == ob.to_ms(datetime(1970, 1, 1, 0, 0, 0, 2500)) == 2
    assert ob.to_ms(4.35) == 4350  # 4.35 * 1000 is 4349.99…: rounded, not floored
    assert ob.to_ms(datetime(1970, 1, 1, 0, 0, 0, 2600)) == 3
    assert ob.to_ms(datetime(1969, 12, 31, 23, 59, 59, 998600)) == -1
    assert span_ms(timedelta(microseconds=1500)) == span_ms(0.0015) == 2
    assert span_ms(timedelta(microseconds=2600)) == span_ms(0.0026) == 3
    assert span_ms(timedelta(microseconds=-1500)) == span_ms(-0.0015) == -2
    # One range both ways: what to_ms takes, from_ms gives back.
    first, last = datetime(1, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc)
    for t in (first, last, START):
        assert ob.from_ms(ob.to_ms(t)) == t
    assert ob.from_ms(ob.to_ms(ob.to_ms(first) / 1000)) == first  # as epoch seconds
    with pytest.raises(ob.InvalidArgumentError, match="before the year 1"):
        ob.to_ms(-253402300799)  # accepted before, though no datetime can hold it
    with pytest.raises(ob.InvalidArgumentError, match="years 1..9999"):
        ob.from_ms(ob.to_ms(first) - 1)
    with pytest.raises(ob.InvalidArgumentError, match="years 1..9999"):
        ob.from_ms(ob.to_ms(last) + 1)
    with pytest.raises(ob.InvalidArgumentError, match="years 1..9999"):
        ob.to_ms(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))))  # 0000-12-31 in UTC
    with pytest.raises(ob.InvalidArgumentError, match="no number of seconds"):
        span_ms(float("inf"))


def test_finish_timeout_is_bounded(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    campaign = engine.add_campaign(name="bounded", driver=ob.SimTServer(ob.SimNetwork(engine), 1))
    campaign.add_list(calling_list)
    campaign.load()
    before = engine.now
    with pytest.raises(ob.InvalidArgumentError, match="36,500 days"):
        campaign.finish(timeout=timedelta(days=36501))
    assert engine.now == before and campaign.state is not ob.CampaignState.NOT_LOADED
    assert campaign.finish(timeout=timedelta(days=36500)) == 0 and campaign.state is ob.CampaignState.NOT_LOADED


def test_records_are_checked_once_on_their_way_to_c(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: "list[str]" = []
    real = _native.check_int
    monkeypatch.setattr(_native, "check_int", lambda v, t, what: checked.append(what) or real(v, t, what))

    class Id(int):
        """An int subclass: past the common-case test, so fully checked."""

    CRecords([ob.Record(record_id=Id(7), contact_info="+12125550100")])
    assert checked.count("ob_record.record_id") == 1  # fill checked it, and set it without a second check
    with pytest.raises(TypeError, match="ob_record has 27 fields, not 2"):
        _native.fill(_native.CRecord(), (1, 2))


def test_campaign_options_keep_the_positions_of_0_2() -> None:
    # The fields of 0.2, in its order: construction by position must mean what it meant.
    v02 = ["name", "campaign_id", "mode", "goal", "target", "pacer", "ratio", "ports", "chunk_size", "low_water",
           "tick_s", "flush_interval_s", "empty_list_backoff_s", "abandon_after_s", "abandon_cap_rate",
           "abandon_cap_window_s", "amd", "ring_timeout_s", "customer_id_field", "voice_application", "treatments",
           "zones", "window", "zone_column", "wait_for_desktop", "desktop_timeout_s", "callback_wait_s",
           "abandoned_redial_lockout_s", "auto_complete", "caller_id"]
    assert [f.name for f in dataclasses.fields(ob.CampaignOptions)][:len(v02)] == v02
    o = ob.CampaignOptions("positional", 7, "predictive", "overdial_rate", 0.03, None, 1.0, 0, 100, 0, 1.0, 2.5)
    assert o.flush_interval_s == 2.5 and o.pace_interval_s == 0.25


def test_the_engine_owns_its_campaigns(engine: ob.Engine) -> None:
    switch = ob.SimTServer(ob.SimNetwork(engine), 1)
    a = engine.add_campaign(name="a", driver=switch)
    with pytest.warns(DeprecationWarning, match="add_campaign"):
        b = ob.Campaign(engine, name="b", driver=switch)
    assert isinstance(b, ob.Campaign) and engine.campaign("b") is b and engine.campaign("a") is a
    assert engine.campaigns == [a, b] and engine.campaign_count == 2
    b.close()
    with pytest.raises(ob.NotFoundError):
        engine.campaign("b")
    assert engine.campaigns == [a] and engine.campaign_count == 1
    again = engine.add_campaign(name="b", driver=switch)  # the name is free again
    assert engine.campaign("b") is again
    engine.close()
    assert a.closed and again.closed
    with pytest.raises(ob.BadHandleError):
        a.load()
    a.close()  # nothing left to free


def _private_writes(tree: ast.AST) -> "list[str]":
    """`other._x = …`, `del other._x`, `other._x[k] = …` and `other._x.pop(…)`-like calls, `other` not self/cls."""
    mutators = {"append", "add", "pop", "clear", "update", "remove", "discard", "setdefault", "extend", "insert"}
    found = []

    def foreign_private(node: ast.AST) -> bool:
        while isinstance(node, ast.Subscript):
            node = node.value
        return (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id not in ("self", "cls"))

    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in mutators:
            targets = [node.func.value]
        found += [ast.unparse(t) for t in targets if foreign_private(t)]
    return found


def test_no_class_writes_another_objects_private_fields() -> None:
    writes = {}
    for path in sorted(PACKAGE.glob("*.py")):
        w = _private_writes(ast.parse(path.read_text(encoding="utf-8")))
        if w:
            writes[path.name] = w
    assert writes == {}
    # The check finds what it looks for.
    assert _private_writes(ast.parse("engine._campaigns[name] = c\nc._h = None\nengine._tasks.discard(k)")) == [
        "engine._campaigns[name]", "c._h", "engine._tasks"]


def test_events_name_their_kind_and_say_something(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(300))
    switch = ob.SimTServer(ob.SimNetwork(engine, seed=11), agents=8)
    dnc = ob.DncList()
    dnc.add_phone("+12122000003")
    events = []
    c = engine.add_campaign(name="talkative", driver=switch, dnc=dnc, mode="predictive",
                            treatments=[ob.Treatment(1, "busy", "retry_in", interval_s=300, cycle_attempts=2)])
    c.on_event(events.append)
    c.add_list(calling_list)
    c.load()
    c.start()
    engine.run_for(timedelta(hours=1))
    c.set_mode("progressive")
    c.finish()
    s = c.stats()
    assert s.dials > 100
    empty = [e for e in events if not e.message.strip()]
    assert empty == []
    kinds = {e.kind for e in events}
    assert {ob.EventKind.DIALING, ob.EventKind.WRITTEN, ob.EventKind.CALL_FINISHED, ob.EventKind.LOADED,
            ob.EventKind.UNLOADED, ob.EventKind.MODE_CHANGED} <= kinds
    assert sum(e.kind is ob.EventKind.DIALING for e in events) == s.dials
    assert ob.EventKind.INFO not in {e.kind for e in events if e.record_id}  # no per-record INFO any more
    dialing = next(e for e in events if e.kind is ob.EventKind.DIALING)
    assert dialing.message == f"dialing record {dialing.record_id}" and dialing.record is not None
    written = next(e for e in events if e.kind is ob.EventKind.WRITTEN)
    assert written.message.startswith(f"record {written.record_id} written: updated")
    # Each kind has its own constant, and its C name is the Python member's name.
    for kind in kinds:
        assert ob._native.lib.ob_enum_name(ob.enums.TABLES[ob.EventKind], int(kind)).decode() == kind.name.lower()


def test_export_csv_text_with_bytes_that_are_not_utf8(calling_list: ob.CallingList, db: str) -> None:
    calling_list.insert(make_records(3))
    path = db[len("sqlite3://"):]
    with sqlite3.connect(path) as con:
        con.execute("UPDATE calling_list SET email_subject = CAST(X'4361666AE9' AS TEXT) WHERE record_id = 2")
    with pytest.raises(ob.InvalidArgumentError, match=r"not UTF-8 at line 3 \(byte 0xe9\)") as info:
        calling_list.export_csv_text()
    assert isinstance(info.value, ValueError)
    assert "Cafj\ufffd" in calling_list.export_csv_text(errors="replace")
    kept = calling_list.export_csv_text(errors="surrogateescape")
    assert kept.encode("utf-8", "surrogateescape").count(b"Cafj\xe9") == 1


def test_errors_read_well(engine: ob.Engine) -> None:
    switch = ob.SimTServer(ob.SimNetwork(engine), 1)
    c = engine.add_campaign(name="h", driver=switch)
    with pytest.raises(ob.InvalidStateError) as info:
        c.start()
    assert info.value.message == "campaign h cannot start: it is not loaded (load it first)"
    with pytest.raises(ob.InvalidArgumentError) as bad:
        engine.add_campaign(name="h", driver=switch)
    assert "h" in bad.value.message and "already" in bad.value.message
    with pytest.raises(ob.InvalidStateError) as idle:
        c.preview_record("alice")
    assert idle.value.message == "campaign h is not dialing (start it first)"
    c.add_list(ob.CallingList("sqlite3://:memory:", create_if_missing=True))
    c.load()
    c.start()
    with pytest.raises(ob.InvalidStateError) as mode:
        c.preview_record("alice")
    assert mode.value.message == ("campaign h dials in progressive mode: "
                                  "preview record requests need the preview or push_preview mode")
    c.finish()
