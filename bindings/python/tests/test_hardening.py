"""Issue 19 through the Python binding: a Python driver whose dial() unloads
(and reloads) its own campaign, and records the list refuses on insert."""

from __future__ import annotations

from collections import Counter
from typing import Dict, List

import pytest

import outbound as ob
from conftest import make_records
from test_python_driver import ScriptDriver


class ControlDriver(ScriptDriver):
    """The script driver, whose third dial calls campaign control from inside dial()
    and which counts a record dialed while its earlier call is still up."""

    def __init__(self, engine: ob.Engine, agents: List[str], reload: bool) -> None:
        super().__init__(engine, agents)
        self.campaign: ob.Campaign | None = None
        self.reload = reload
        self.live: Dict[int, int] = {}  # call_id -> record_id
        self.double_dials = 0

    def dial(self, request: ob.DialRequest) -> None:
        if request.record_id in self.live.values():
            self.double_dials += 1
        self.live[request.call_id] = request.record_id
        super().dial(request)
        if len(self.requests) == 3 and self.campaign is not None:
            self.campaign.force_unload()  # used to free the call being placed
            if self.reload:
                self.campaign.load()
                self.campaign.start()

    def end(self, call_id: int, result: ob.CallResult) -> None:
        self.live.pop(call_id, None)
        super().end(call_id, result)

    def stop(self) -> None:
        self.live.clear()
        super().stop()


@pytest.mark.parametrize("reload", [False, True])
def test_control_calls_from_inside_dial_wait_until_it_returns(engine: ob.Engine, calling_list: ob.CallingList,
                                                              reload: bool) -> None:
    calling_list.insert(make_records(40))
    agents = ["a0", "a1", "a2", "a3"]
    driver = ControlDriver(engine, agents, reload)
    campaign = ob.Campaign(engine, name="control from dial", driver=driver)
    driver.campaign = campaign
    campaign.add_list(calling_list)
    campaign.load()
    for a in agents:
        campaign.set_agent_state(a, ob.AgentState.READY)
    campaign.start()
    engine.run_for(3600)
    if reload:
        assert campaign.state in (ob.CampaignState.RUNNING, ob.CampaignState.ACTIVE)
        for a in agents:
            campaign.set_agent_state(a, ob.AgentState.READY)
        engine.run_for(3600)
        campaign.finish()
        assert calling_list.count_by_status()[ob.RecordStatus.UPDATED] == 40
    else:
        assert campaign.state is ob.CampaignState.NOT_LOADED
        assert len(driver.requests) == 3  # nothing of the batch dialed after the unload was asked
    assert driver.double_dials == 0
    dials = Counter(r.record_id for r in driver.requests)
    records = list(calling_list)
    assert len(records) == 40
    assert {r.record_id: r.attempt for r in records if r.attempt} == dict(dials)
    assert calling_list.count_by_status()[ob.RecordStatus.RETRIEVED] == 0
    campaign.close()


def test_insert_refuses_a_record_csv_import_would_refuse(calling_list: ob.CallingList) -> None:
    bad = make_records(3)
    bad[1].attempt = -1
    with pytest.raises(ob.InvalidArgumentError, match="record 2: attempt is negative"):
        calling_list.insert(bad)
    assert list(calling_list) == []
