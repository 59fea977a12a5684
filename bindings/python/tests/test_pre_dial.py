"""Contact limits and the pre-dial check through the binding: the real library, a simulated switch,
SQLite lists and call log under a manual clock."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import pytest

import outbound as ob
from conftest import make_records


def test_contact_limit_counts_the_number_over_the_log(engine: ob.Engine, calling_list: ob.CallingList,
                                                      tmp_path: Path) -> None:
    records = make_records(6)
    for r in records:
        r.contact_info = "+12125550100"
    calling_list.insert(records)
    switch = ob.SimTServer(ob.SimNetwork(engine, seed=3), agents=2)
    with ob.CallLog(f"sqlite3://{tmp_path / 'log.db'}") as log:
        c = engine.add_campaign(name="limited", driver=switch, contact_limits=[ob.ContactLimit(2, 3600 * 24)])
        assert c.options.contact_limits == [ob.ContactLimit(2, 86400.0)]
        c.add_list(calling_list)
        with pytest.raises(ob.InvalidArgumentError, match="counted from the call log"):
            c.load()
        c.set_call_log(log)
        c.load()
        c.start()
        engine.run_for(3 * 3600)
        c.finish()
        s = c.stats()
        assert s.dials == 2 and log.count() == 2
        assert s.contact_deferred >= 1
        c.close()
    with pytest.raises(ob.InvalidArgumentError, match=r"contact_limits\[0\].max_calls must be at least 1"):
        engine.add_campaign(name="bad", driver=switch, contact_limits=[ob.ContactLimit(0, 60)])


def test_pre_dial_check_vetoes_lets_go_and_fails_closed(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(5))
    switch = ob.SimTServer(ob.SimNetwork(engine, seed=3), agents=2)
    c = engine.add_campaign(name="checked", driver=switch)
    c.add_list(calling_list)
    asked: List[ob.PreDialRequest] = []

    def check(rq: ob.PreDialRequest) -> Optional[ob.CallResult]:
        asked.append(rq)
        if rq.record.record_id == 1:
            return ob.CallResult.DO_NOT_CALL
        if rq.record.record_id == 2:
            return "wrong_party"  # type: ignore[return-value]  # a name works too
        if rq.record.record_id == 3:
            raise RuntimeError("registry down")
        return None

    c.pre_dial_check = check
    assert c.pre_dial_check is check
    c.load()
    c.start()
    with pytest.raises(RuntimeError, match="registry down"):  # raised from the run, after failing closed
        engine.run_for(600)
    engine.run_for(1800)
    c.finish()
    s = c.stats()
    assert s.predial_vetoed == 3 and s.dials == 2
    assert {rq.record.record_id for rq in asked} == {1, 2, 3, 4, 5}
    first = next(rq for rq in asked if rq.record.record_id == 1)
    assert first.campaign == "checked" and first.list == "calling_list" and first.phone == "+12122000001"
    results = {i: calling_list.get(i) for i in (1, 2, 3)}
    assert results[1].call_result is ob.CallResult.DO_NOT_CALL and results[1].attempt == 0
    assert results[2].call_result is ob.CallResult.WRONG_PARTY and results[2].attempt == 0
    assert results[3].call_result is ob.CallResult.DIAL_ERROR and results[3].attempt == 0
    c.pre_dial_check = None
    assert c.pre_dial_check is None
    c.close()
