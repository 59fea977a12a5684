"""Calling lists, CSV import and export, DNC lists."""

from __future__ import annotations

from pathlib import Path

import pytest

import outbound as ob
from conftest import make_records


def test_insert_get_page_count(db: str) -> None:
    ob.CallingList.create_table(db, "calling_list", ["customer_id VARCHAR(32)"])
    with ob.CallingList(db) as cl:
        assert cl.custom_fields == ["customer_id"]
        records = make_records(250)
        records[0].custom = {"customer_id": "C-1"}
        records[0].dial_sched_time = 1773061200
        cl.insert(records)
        r = cl.get(1)
        assert r is not None and r.custom == {"customer_id": "C-1"} and r.dial_sched_time == 1773061200
        assert r.record_status is ob.RecordStatus.READY and r.call_time is None
        assert cl.get(9999) is None
        assert [x.record_id for x in cl.page(240, 100)] == list(range(241, 251))
        assert sum(1 for _ in cl) == 250
        counts = cl.count_by_status()
        assert counts[ob.RecordStatus.READY] == 250 and counts[ob.RecordStatus.UPDATED] == 0
        with pytest.raises(ob.OutboundError):
            cl.insert(make_records(1))  # record 1 again
        with pytest.raises(ob.InvalidArgumentError):
            ob.CallingList(db, filter="1=1; DROP TABLE calling_list")


def test_csv_round_trip(calling_list: ob.CallingList, tmp_path: Path) -> None:
    text = "record_id,contact_info\n1,+12125550101\n2,+12125550102\nx,+1\n\n3,+12125550103\n"
    report = calling_list.import_csv_text(text, ob.CsvOptions(default_tz_dbid=4))
    assert (report.data_rows, report.imported, report.blank_lines) == (4, 3, 1)
    assert len(report.errors) == 1 and report.errors[0].line == 4
    assert calling_list.get(2).tz_dbid == 4
    out = calling_list.export_csv_text(ob.CsvOptions(columns=["record_id", "contact_info"], crlf=False))
    assert out == "record_id,contact_info\n1,+12125550101\n2,+12125550102\n3,+12125550103\n"
    path = tmp_path / "out.csv"
    assert calling_list.export_csv(path) == 3
    with ob.CallingList(f"sqlite3://{tmp_path / 'copy.db'}", create_if_missing=True) as copy:
        assert copy.import_csv(path).imported == 3
    with pytest.raises(ob.InvalidArgumentError):
        calling_list.import_csv_text("record_id,nope\n1,2\n")
    with pytest.raises(ob.NotFoundError):
        calling_list.import_csv(tmp_path / "missing.csv")


def test_dnc_in_memory_and_backed(db: str) -> None:
    with ob.DncList() as dnc:
        dnc.add_phone("(212) 555-0100", "asked")
        dnc.add_customer("C-1")
        assert "+1 212 555 0100" in dnc
        assert dnc.check("2125550111", "C-1") is ob.DncMatch.CUSTOMER_ID
        assert dnc.check("2125550100") is ob.DncMatch.PHONE
        assert dnc.check() is ob.DncMatch.NONE
        assert (dnc.phone_count, dnc.customer_count) == (1, 1)
        with pytest.raises(ob.InvalidArgumentError):
            dnc.add_phone("hello")
        with pytest.raises(ob.InvalidStateError):
            dnc.reload()
    with ob.DncList(db) as a, ob.DncList(db) as b:
        a.add_phone("+442079460018")
        assert b.reload() == 1
        assert b.contains_phone("+44 20 7946 0018")
