"""Calls racing each other across threads (ctypes lets go of the GIL in every C call):
Campaign.finish() while another thread closes the campaign or the engine, and
Campaign.options read from two threads at once."""

from __future__ import annotations

import threading
import time
from typing import Callable, List

import pytest

import outbound as ob
from conftest import make_records


def _dialing(calling_list: ob.CallingList, own_thread: bool) -> "tuple[ob.Engine, ob.Campaign]":
    """A real-clock engine whose campaign has calls up (simulated calls ring for seconds)."""
    engine = ob.Engine()
    calling_list.insert(make_records(200))
    campaign = engine.add_campaign(name="raced", driver=ob.SimTServer(ob.SimNetwork(engine), agents=5))
    campaign.add_list(calling_list)
    if own_thread:
        engine.start_thread()
    campaign.load()
    campaign.start()
    for _ in range(500):
        if campaign.calls_in_flight:
            break
        if own_thread:
            time.sleep(0.02)
        else:
            engine.run_for(0.02)
    assert campaign.calls_in_flight > 0
    return engine, campaign


@pytest.mark.parametrize("own_thread", [True, False], ids=["engine thread", "loop in finish"])
@pytest.mark.parametrize("close", ["campaign", "engine"])
def test_closing_during_finish_raises_bad_handle(calling_list: ob.CallingList, own_thread: bool, close: str) -> None:
    engine, campaign = _dialing(calling_list, own_thread)
    closer: Callable[[], None] = campaign.close if close == "campaign" else engine.close
    other = threading.Timer(0.1, closer)
    other.start()
    try:
        with pytest.raises(ob.BadHandleError):
            campaign.finish(timeout=600)  # returns as soon as the handle is gone
    finally:
        other.join()
        engine.close()
    assert calling_list.count_by_status()[ob.RecordStatus.RETRIEVED] == 0


def test_options_from_two_threads(engine: ob.Engine) -> None:
    rule = ob.Treatment(1, "busy", "retry_in", name="a rule name long enough to live on the heap", interval_s=60)
    campaign = engine.add_campaign(name="a campaign name long enough to live on the heap",
                                   driver=ob.SimTServer(ob.SimNetwork(engine), 1), treatments=[rule])
    seen: List[ob.CampaignOptions] = []

    def read() -> None:
        for _ in range(300):
            seen.append(campaign.options)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 600
    assert all(o.name == campaign.name and o.treatments[0].name == rule.name for o in seen)
