"""DNC lists and phone numbers through the binding: unreadable rows, removal, expiry, scope,
engines sharing a table, and numbers checked with or without a DNC list."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

import outbound as ob
from conftest import make_records


def test_unreadable_rows_are_reported_and_still_block(tmp_path: Path) -> None:
    conn = f"sqlite3://{tmp_path / 'dnc.db'}"
    ob.DncList(conn).close()
    with sqlite3.connect(tmp_path / "dnc.db") as db:
        db.executemany("INSERT INTO gsw_donotcall_list (phone) VALUES (?)",
                       [("+12125550100",), ("442079460000",), ("call me maybe",)])
    with ob.DncList(conn) as dnc:
        errors = dnc.load_errors
        assert [(e.row, e.phone) for e in errors] == [("2", "442079460000"), ("3", "call me maybe")]
        assert "blocked by its digits 442079460000" in errors[0].reason
        assert "+44 20 7946 0000" in dnc  # the UK number the row spells
        assert dnc.phone_count == 2


def test_remove_expire_and_scope(tmp_path: Path) -> None:
    conn = f"sqlite3://{tmp_path / 'dnc.db'}"
    with ob.DncList(conn, sync_interval=0) as a, ob.DncList(conn, sync_interval=dt.timedelta(0)) as b:
        a.add("(212) 555-0100", message="asked")
        a.add(customer_id="C-9", campaign_dbid=7)
        a.add("2125550101", expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))
        b.sync()
        assert "2125550100" in b
        assert b.check("2125550199", "C-9", campaign_dbid=7) is ob.DncMatch.CUSTOMER_ID
        assert b.check("2125550199", "C-9", campaign_dbid=8) is ob.DncMatch.NONE
        assert b.check("2125550199", "C-9") is ob.DncMatch.CUSTOMER_ID  # no context: every scope applies
        assert "2125550101" not in b  # expired before b's sync
        assert a.remove_phone("+1 212 555 0100") == 1
        assert a.remove_customer("C-9") == 1
        b.sync()
        assert "2125550100" not in b
        assert b.check(customer_id="C-9") is ob.DncMatch.NONE
        with pytest.raises(ob.InvalidArgumentError, match="longer than the 64"):
            a.add_phone("5" * 20000)
        with pytest.raises(ValueError, match="aware datetime"):
            a.add("2125550102", expires_at=dt.datetime(2030, 1, 1))


def test_emergency_and_short_numbers_are_refused() -> None:
    for number, reason in [("911", "emergency"), ("*67 911", "service code"), ("611", "short code")]:
        with pytest.raises(ob.InvalidArgumentError, match=reason):
            ob.to_e164(number)
    assert ob.to_e164("020 7946 0018", "GB") == "+442079460018"


def test_a_campaign_without_dnc_list_never_dials_emergency_numbers(engine: ob.Engine, tmp_path: Path) -> None:
    records = make_records(3)
    records[0].contact_info = "911"
    records[1].contact_info = "+1 (212) 555-0100; DROP"
    with ob.CallingList(f"sqlite3://{tmp_path / 'l.db'}", create_if_missing=True) as cl:
        cl.insert(records)
        net = ob.SimNetwork(engine, seed=1)
        switch = ob.SimTServer(net, agents=2)
        errors = []
        with engine.add_campaign(name="numbers", driver=switch) as c:
            c.on_event(lambda e: errors.append(e.message) if e.kind is ob.EventKind.RECORD_ERROR else None)
            c.add_list(cl)
            c.load()
            c.start()
            engine.run_for(120)
            c.finish()
            assert c.stats().record_errors == 2
        assert cl.get(1).call_result is ob.CallResult.DIAL_ERROR
        assert cl.get(2).call_result is ob.CallResult.DIAL_ERROR
        assert any("emergency" in m for m in errors)


def test_list_region_and_csv_zones(tmp_path: Path) -> None:
    with ob.CallingList(f"sqlite3://{tmp_path / 'gb.db'}", create_if_missing=True, phone_region="GB") as gb:
        report = gb.import_csv_text("record_id,contact_info\n1,020 7946 0018\n2,999\n")
        assert report.imported == 1 and report.errors[0].line == 3 and "emergency service in GB" in report.errors[0].reason
    with ob.CallingList(f"sqlite3://{tmp_path / 'us.db'}", create_if_missing=True) as us:
        text = "record_id,contact_info,tz_dbid\n1,020 7946 0018,2\n2,020 7946 0019,1\n"
        report = us.import_csv_text(text, ob.CsvOptions(zones={1: "America/New_York", 2: "Europe/London"}))
        assert report.imported == 1
        assert report.errors[0].record_id == 2 and "too long" in report.errors[0].reason
    with pytest.raises(ob.InvalidArgumentError, match="phone_region"):
        ob.CallingList(f"sqlite3://{tmp_path / 'x.db'}", create_if_missing=True, phone_region="Britain")
