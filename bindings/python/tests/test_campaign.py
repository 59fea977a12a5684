"""Campaigns on the simulated drivers, and desktop requests in preview mode."""

from __future__ import annotations

from datetime import timedelta

import pytest

import outbound as ob
from conftest import START_MS, make_records


def test_progressive_hour_on_the_simulated_tserver(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(500))
    net = ob.SimNetwork(engine, seed=3)
    switch = ob.SimTServer(net, agents=10, agent_model=ob.AgentModel(talk=ob.Distribution(
        ob.DistributionKind.CONSTANT, 60.0)))
    dnc = ob.DncList()
    dnc.add_phone("+12122000007")
    retry = ob.Treatment(1, ob.CallResult.BUSY, ob.RecordAction.RETRY_IN, interval_s=600, cycle_attempts=2)
    events = []
    with engine.add_campaign(name="hour", driver=switch, dnc=dnc, treatments=[retry]) as c:
        c.on_event(events.append)
        c.add_list(calling_list)
        c.load()
        c.start()
        engine.run_for(1800)
        assert c.state in (ob.CampaignState.RUNNING, ob.CampaignState.ACTIVE)
        assert c.calls_in_flight > 0 and switch.calls_in_progress > 0
        c.set_mode(ob.DialMode.PREDICTIVE, ob.Goal.OVERDIAL_RATE, 0.03)
        assert c.mode is ob.DialMode.PREDICTIVE
        with pytest.raises(ob.InvalidStateError):
            c.set_mode(ob.DialMode.PREVIEW)
        switch.set_agent_count(12)
        net.set_model(ob.NetworkModel(live_answer=0.5, no_answer=0.25))
        with pytest.raises(ob.InvalidArgumentError):
            net.set_model(ob.NetworkModel(live_answer=0.9))
        engine.run_for(1800)
        c.finish()
        assert c.state is ob.CampaignState.NOT_LOADED
        s, d = c.stats(), switch.stats()
        assert s.dials > 100 and s.dials == d.dials and s.connected == d.connected
        assert s.dnc_blocked == 1 and s.calls_in_flight == 0
        assert sum(1 for e in events if e.kind is ob.EventKind.CALL_FINISHED) == s.dials
        assert {ob.EventKind.LOADED, ob.EventKind.STARTED, ob.EventKind.UNLOADED} <= {e.kind for e in events}
        assert calling_list.get(7).call_result is ob.CallResult.DO_NOT_CALL
        assert calling_list.count_by_status()[ob.RecordStatus.RETRIEVED] == 0
    assert c.closed and engine.campaign_count == 0


def test_gvp_sessions_and_cpd(engine: ob.Engine, tmp_path) -> None:
    net = ob.SimNetwork(engine)
    gvp = ob.SimGvp(net, ports=8)
    sessions = []
    gvp.on_session(sessions.append)
    cpd = ob.SimCpd(net, 5, mode=ob.CpdMode.ASM, channels=20)
    assert cpd.capabilities().supports_engaging and gvp.capabilities().runs_voice_applications
    l1 = ob.CallingList(f"sqlite3://{tmp_path / 'g.db'}", create_if_missing=True)
    l2 = ob.CallingList(f"sqlite3://{tmp_path / 'c.db'}", create_if_missing=True)
    l1.insert(make_records(100))
    l2.insert(make_records(100))
    ivr = engine.add_campaign(name="ivr", driver=gvp, mode=ob.DialMode.POWER_GVP, voice_application="survey", ports=8)
    asm = engine.add_campaign(name="asm", driver=cpd, mode=ob.DialMode.PROGRESSIVE_SEIZE)
    ivr.add_list(l1)
    asm.add_list(l2)
    for c in (ivr, asm):
        c.load()
        c.start()
    engine.run_for(1200)
    for c in (ivr, asm):
        c.finish()
    assert sessions and sessions[0].application == "survey"
    assert len(sessions) == gvp.stats().connected
    assert asm.stats().dials == cpd.stats().dials > 10 and cpd.stats().engaged > 0


def test_options_are_checked(engine: ob.Engine) -> None:
    switch = ob.SimTServer(ob.SimNetwork(engine), 1)
    with pytest.raises(ob.InvalidArgumentError):
        engine.add_campaign(name="w", driver=switch, window=(8 * 3600, 21 * 3600))  # a window needs zones
    with pytest.raises(ob.InvalidArgumentError):
        engine.add_campaign(name="z", driver=switch, zones={"1": "Mars/Base"})
    with pytest.raises(TypeError):
        engine.add_campaign(name="t", driver=switch, no_such_option=1)
    c = engine.add_campaign(name="ok", driver=switch, zones={"1": "America/New_York"}, window=(8 * 3600, 21 * 3600))
    with pytest.raises(ob.InvalidArgumentError):
        engine.add_campaign(name="ok", driver=switch)  # same name
    c.close()


class Desk(ob.Driver):
    """Preview: the engine never dials; this driver only counts."""
    name = "desk"

    def __init__(self) -> None:
        self.dials = 0

    def dial(self, request: ob.DialRequest) -> None:
        self.dials += 1

    def cancel(self, call_id: int) -> None:
        pass


def test_desktop_requests_in_preview(engine: ob.Engine, db: str) -> None:
    ob.CallingList.create_table(db, "calling_list", ["customer_id VARCHAR(32)"])
    cl = ob.CallingList(db)
    records = make_records(6)
    for r in records[:3]:
        r.chain_id = 1
        r.chain_n = r.record_id
    cl.insert(records)
    dnc = ob.DncList()
    driver = Desk()
    c = engine.add_campaign(name="desk", driver=driver, dnc=dnc, mode=ob.DialMode.PREVIEW,
                    customer_id_field="customer_id")
    previews = []
    c.on_event(lambda e: previews.append(e) if e.kind is ob.EventKind.PREVIEW_RECORD else None)
    c.add_list(cl)
    c.load()
    c.start()
    c.set_agent_state("a1", ob.AgentState.READY)
    rec = c.preview_record("a1")
    assert rec is not None and rec.record.record_id == 1 and rec.list == "calling_list" and rec.agent_id == "a1"
    assert previews and previews[0].handle == rec.handle and previews[0].record.record_id == 1
    assert [d.handle for d in c.desktop_records("a1")] == [rec.handle]
    nxt = c.chained_record("a1", rec.handle)
    assert nxt is not None and nxt.record.record_id == 2
    c.record_reject("a1", nxt.handle)
    c.update_call_result("a1", rec.handle, ob.CallResult.ANSWER)
    c.record_processed("a1", rec.handle, ob.CallResult.ANSWER)
    c.flush()
    assert cl.get(1).record_status is ob.RecordStatus.UPDATED and cl.get(1).call_result is ob.CallResult.ANSWER
    with pytest.raises(ob.NotFoundError):
        c.record_processed("a1", rec.handle)
    second = c.preview_record("a1")
    c.do_not_call("a1", second.handle, ob.DncScope.RECORD, "asked")
    assert dnc.contains_phone(second.record.contact_info)
    third = c.preview_record("a1")
    at = engine.now + timedelta(hours=1)
    c.record_reschedule("a1", third.handle, at, ob.CallbackKind.PERSONAL)
    c.flush()
    assert cl.get(third.record.record_id).record_type is ob.RecordType.PERSONAL_CALLBACK
    c.scheduled_record_reschedule("a1", third.record.record_id, at + timedelta(minutes=10), "campaign")
    moved = cl.get(third.record.record_id)
    assert moved.record_type is ob.RecordType.CAMPAIGN_CALLBACK and moved.dial_sched_time == ob.to_ms(at) // 1000 + 600
    with pytest.raises(ob.InvalidArgumentError):
        c.scheduled_record_reschedule("a1", third.record.record_id, at - timedelta(hours=2), ob.CallbackKind.CAMPAIGN)
    c.do_not_call_number("+12125559999")
    assert "+12125559999" in dnc
    assert c.add_record("a1", ob.Record(record_id=77, contact_info="+12125550177")) == 77
    c.ready_time("a1", 30)
    fourth = c.preview_record("a1")
    c.record_cancel("a1", fourth.handle)
    c.logout("a1")
    assert c.desktop_records("a1") == []
    while c.preview_record("a2") is not None:
        pass
    assert driver.dials == 0
    c.close()


def test_a_treatment_transfer_is_counted_by_the_simulated_switch(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    """Machines a transfer rule sends to a mailbox: the switch counts each in its stats (C version 2)."""
    calling_list.insert(make_records(200))
    switch = ob.SimTServer(ob.SimNetwork(engine, ob.NetworkModel(live_answer=0.2, machine=0.2), seed=5), agents=5)
    to_mailbox = ob.Treatment(7, ob.CallResult.ANSWERING_MACHINE, call_action=ob.CallAction.TRANSFER,
                              destination="sip:mailbox@127.0.0.1")
    with engine.add_campaign(name="mailbox", driver=switch, amd="detect_connect", treatments=[to_mailbox]) as c:
        c.add_list(calling_list)
        c.load()
        c.start()
        engine.run_for(3600)
        c.finish()
        s, d = c.stats(), switch.stats()
    assert s.machines > 0 and d.transfers == s.machines
    assert d.machine_messages == 0 and d.connect_failures == 0


def test_load_refuses_unmapped_zones_and_changes_nothing(engine: ob.Engine, db: str, tmp_path: Path) -> None:
    """Issue 17 item 2 from Python: the refusal names the tz_dbid and its count; rows stay; the option chooses otherwise."""
    import sqlite3
    with ob.CallingList(db, create_if_missing=True) as cl:
        records = make_records(4)
        for r in records:
            r.tz_dbid = 7 if r.record_id > 2 else 1
        cl.insert(records)
    con = sqlite3.connect(tmp_path / "list.db")
    con.execute("UPDATE calling_list SET record_status = 2 WHERE record_id = 1")  # a load would recover it
    con.commit()
    before = con.execute("SELECT * FROM calling_list ORDER BY record_id").fetchall()
    switch = ob.SimTServer(ob.SimNetwork(engine), 1)
    with ob.CallingList(db) as cl:
        c = engine.add_campaign(name="zones", driver=switch, zones={"1": "America/New_York"})
        c.add_list(cl)
        with pytest.raises(ob.InvalidArgumentError, match=r"tz_dbid 7 \(2 records of calling_list\)"):
            c.load()
        assert con.execute("SELECT * FROM calling_list ORDER BY record_id").fetchall() == before
        c.close()
        with pytest.raises(ob.InvalidArgumentError, match="unknown_zones = 'guess' is no choice"):
            engine.add_campaign(name="bad", driver=switch, unknown_zones="guess")
        ok = engine.add_campaign(name="numbers", driver=switch, zones={"1": "America/New_York"},
                                 unknown_zones="from_numbers")
        assert ok.options.unknown_zones == "from_numbers"
        ok.add_list(cl)
        ok.load()
        assert ok.state == ob.CampaignState.INACTIVE
        ok.close()


def test_no_call_days_defer_records_to_the_next_allowed_day(engine: ob.Engine, db: str) -> None:
    """Issue 17 item 6 from Python: START is a Monday, 09:00 in New York; "mon" holds every dial until Tuesday."""
    with ob.CallingList(db, create_if_missing=True) as cl:
        records = make_records(5)
        for r in records:
            r.tz_dbid = 1
        cl.insert(records)
    switch = ob.SimTServer(ob.SimNetwork(engine), 2)
    with pytest.raises(ob.InvalidArgumentError, match='no-call day "monday" is no date'):
        engine.add_campaign(name="bad", driver=switch, zones={"1": "America/New_York"}, no_call_days=["monday"])
    with pytest.raises(ob.InvalidArgumentError, match="give the campaign calling-window zones"):
        engine.add_campaign(name="nozones", driver=switch, no_call_days=["mon"])
    with pytest.raises(ob.InvalidArgumentError, match="must be a list of strings"):
        engine.add_campaign(name="str", driver=switch, zones={"1": "America/New_York"}, no_call_days="mon")
    with ob.CallingList(db) as cl:
        c = engine.add_campaign(name="calendar", driver=switch, zones={"1": "America/New_York"},
                                no_call_days=["mon", "America/Chicago:2026-03-10"])
        assert c.options.no_call_days == ["mon", "America/Chicago:2026-03-10"]
        c.add_list(cl)
        c.load()
        c.start()
        engine.run_for(6 * 3600)  # Monday 09:00-15:00 in New York: a no-call day
        assert c.stats().dials == 0
        engine.run_for(18 * 3600 + 1800)  # to Tuesday 09:30 (a Chicago-only holiday does not hold New York)
        assert c.stats().dials > 0
        c.close()
