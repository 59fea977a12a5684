"""The call log through the binding: a campaign logs every call; errors carry their codes."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import pytest

import outbound as ob
from conftest import START_MS, make_records


def test_campaign_logs_every_call(engine: ob.Engine, calling_list: ob.CallingList, tmp_path: Path) -> None:
    calling_list.insert(make_records(200))
    switch = ob.SimTServer(ob.SimNetwork(engine, seed=5), agents=2)
    conn = f"sqlite3://{tmp_path / 'log.db'}"
    with ob.CallLog(conn) as log, ob.CallLog(conn) as late:
        assert log.count() == 0 and log.table == "ob_call_log"
        # Three lines per agent and no abandon cap: some live answers find no agent.
        c = engine.add_campaign(name="logged", driver=switch, ratio=3.0, abandon_cap_rate=1.0)
        c.add_list(calling_list)
        c.set_call_log(log)
        c.load()
        with pytest.raises(ob.InvalidStateError) as info:
            c.set_call_log(late)
        assert info.value.code is ob.Status.INVALID_STATE
        c.start()
        engine.run_for(1800)
        c.finish()
        s = c.stats()
        assert s.dials > 20 and log.count() == s.dials == switch.stats().dials
        assert late.count() == s.dials  # the same table
        since = datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc)
        assert ob.to_ms(since) == START_MS
        rows = log.answered_since("logged", since)
        assert rows and len(rows) == sum(1 for r in rows if r.answered_at is not None)
        assert [r.answered_at for r in rows] == sorted(r.answered_at for r in rows)
        for r in rows:
            assert r.campaign == "logged" and r.list == "calling_list" and r.phone.startswith("+1212")
            assert r.dialed_at >= since and r.released_at >= r.answered_at >= r.dialed_at
            assert isinstance(r.answer, ob.AnswerClass) and isinstance(r.result, ob.CallResult)
            assert r.connected_at is None or r.answered_at <= r.connected_at <= r.released_at
        with pytest.raises(dataclasses.FrozenInstanceError):
            rows[0].phone = "x"  # type: ignore[misc]
        abandoned = [r for r in rows if r.abandoned]
        assert s.abandoned > 0 and len(abandoned) == s.abandoned
        for r in abandoned:
            assert r.connected_at is None and log.last_abandoned(r.phone) == r.released_at
        assert log.last_abandoned("+19999999999") is None
        assert log.answered_since("someone-else", since) == []
        c.close()


def test_the_campaign_shares_the_log(engine: ob.Engine, calling_list: ob.CallingList, tmp_path: Path) -> None:
    calling_list.insert(make_records(30))
    switch = ob.SimTServer(ob.SimNetwork(engine), agents=5)
    conn = f"sqlite3://{tmp_path / 'log.db'}"
    c = engine.add_campaign(name="shared", driver=switch)
    c.add_list(calling_list)
    log = ob.CallLog(conn, table="calls")
    c.set_call_log(log)
    log.close()
    c.load()
    c.start()
    engine.run_for(3600)
    c.finish()
    with ob.CallLog(conn, table="calls", create_if_missing=False) as again:
        assert again.count() == c.stats().dials == 30


def test_errors_carry_their_codes(engine: ob.Engine, tmp_path: Path) -> None:
    conn = f"sqlite3://{tmp_path / 'log.db'}"
    with pytest.raises(ob.InvalidArgumentError) as info:
        ob.CallLog(conn, table="calls; DROP TABLE calling_list")
    assert info.value.code is ob.Status.INVALID_ARGUMENT and "identifier" in info.value.message
    with pytest.raises(ob.NotFoundError) as missing:
        ob.CallLog(conn, table="absent", create_if_missing=False)
    assert missing.value.code is ob.Status.NOT_FOUND
    log = ob.CallLog(conn)
    log.close()
    assert log.closed
    for call in (log.count, lambda: log.last_abandoned("+12125550100"),
                 lambda: log.answered_since("c", START_MS // 1000)):
        with pytest.raises(ob.BadHandleError) as bad:
            call()
        assert bad.value.code is ob.Status.BAD_HANDLE
    c = engine.add_campaign(name="c", driver=ob.SimTServer(ob.SimNetwork(engine), 1))
    with pytest.raises(ob.BadHandleError):
        c.set_call_log(log)
    log.close()  # twice is fine
    with ob.Engine(clock="manual", start=START_MS // 1000) as other, ob.CallLog(conn) as shared:
        c.set_call_log(shared)
        c2 = other.add_campaign(name="c", driver=ob.SimTServer(ob.SimNetwork(other), 1))
        with pytest.raises(ob.BusyError) as busy:
            c2.set_call_log(shared)  # a log serves one engine
        assert busy.value.code is ob.Status.BUSY


def test_no_number_is_redialed_within_the_lockout_after_an_abandon(engine: ob.Engine, calling_list: ob.CallingList,
                                                                    tmp_path: Path) -> None:
    # 200 records over 10 numbers: once a number's call is abandoned, its other records wait 72 hours.
    records = make_records(200)
    for r in records:
        r.contact_info = f"+1212555{r.record_id % 10:04d}"
    calling_list.insert(records)
    switch = ob.SimTServer(ob.SimNetwork(engine, seed=11), agents=2)
    with ob.CallLog(f"sqlite3://{tmp_path / 'log.db'}") as log:
        c = engine.add_campaign(name="uk", driver=switch, ratio=3.0, abandon_cap_rate=1.0,
                        abandoned_redial_lockout_s=72 * 3600)
        c.add_list(calling_list)
        c.set_call_log(log)
        c.load()
        c.start()
        engine.run_for(4 * 3600)
        c.finish()
        s = c.stats()
        rows = log.answered_since("uk", datetime(2026, 3, 9, tzinfo=timezone.utc))
        first_abandon = {}
        for r in rows:
            if r.abandoned:
                first_abandon[r.phone] = min(first_abandon.get(r.phone, r.released_at), r.released_at)
        assert first_abandon, "the run must abandon some calls for this test to mean anything"
        assert s.lockout_deferred > 0
        for r in rows:  # no call to a number after its abandon (answered rows carry every dial time too)
            if r.phone in first_abandon:
                assert r.dialed_at <= first_abandon[r.phone]
        c.close()
