"""The SIP driver from Python: options checked with errors naming the field, and
a campaign placing a real call to baresip (started here on 127.0.0.1, stopped by
its pid): the callee says "Hello?", the engine routes the live answer to the
agent's phone, the agent talks two seconds and hangs up: result answer."""

from __future__ import annotations

import shutil
import sys
from datetime import timedelta
from pathlib import Path
from typing import Iterator, Tuple

import pytest

import outbound as ob

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))
import baresip_phones  # noqa: E402
from baresip_phones import free_ports  # noqa: E402

needs_baresip = pytest.mark.skipif(shutil.which("baresip") is None, reason="baresip is not installed")


def _sip_built() -> bool:
    try:
        ob.SipDriver().close()
        return True
    except ob.UnsupportedError:
        return False


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[Tuple[int, Path]]:
    """baresip on 127.0.0.1 with a callee (+12125550112) and an agent's phone (a1)."""
    if not _sip_built():
        pytest.skip("the library was built without the SIP driver")
    with baresip_phones.phones(tmp_path, callees=("+12125550112",), agents=("a1",)) as running:
        yield running


def test_bad_options_name_the_field() -> None:
    if not _sip_built():
        pytest.skip("the library was built without the SIP driver")
    for kwargs, field in [({"listen": "no port"}, "listen"), ({"customer_uri": "sip:127.0.0.1"}, "customer_uri"),
                          ({"caller_id": "not a number"}, "caller_id"),
                          ({"agents": {"a1": "http://example.net"}}, "a1"),
                          ({"agent_answer_timeout_s": -1}, "agent_answer_timeout")]:
        with pytest.raises(ob.InvalidArgumentError, match=field):
            ob.SipDriver(**kwargs)
    with pytest.raises(ob.InvalidArgumentError, match="opt_out_digit"):
        ob.SipDriver(opt_out_digit="12")
    with ob.SipDriver() as d:
        assert d.name == "sip"
        assert d.capabilities().connects_on_request and not d.capabilities().routes_to_agents
        assert d.stats() == ob.SipDriverStats()


@needs_baresip
def test_a_campaign_places_a_real_call_and_routes_it_to_the_agents_phone(phones: Tuple[int, Path]) -> None:
    port, folder = phones
    base = free_ports(30)  # the phones took `port`..port+3 already; the driver: base, RTP: base+10..
    with ob.Engine() as engine, \
            ob.CallingList(f"sqlite3://{folder / 'list.db'}", create_if_missing=True) as calls:
        calls.insert([ob.Record(record_id=1, contact_info="+12125550112", chain_id=1, chain_n=1, campaign_id=1)])
        driver = ob.SipDriver(engine, listen=f"127.0.0.1:{base}",
                              customer_uri=f"sip:{{number}}@127.0.0.1:{port}", caller_id="+12125550199",
                              agents={"a1": f"sip:a1@127.0.0.1:{port}"}, rtp_port_min=base + 10, rtp_port_max=base + 29)
        campaign = engine.add_campaign(name="sip", driver=driver, amd="none")
        campaign.add_list(calls)
        campaign.load()
        campaign.set_agent_state("a1", "ready")
        campaign.start()
        engine.run_until(engine.now + timedelta(seconds=30),
                         lambda: campaign.stats().dials >= 1 and campaign.calls_in_flight == 0)
        campaign.finish()
        stats = campaign.stats()
        assert (stats.dials, stats.live_answers, stats.connected, stats.abandoned) == (1, 1, 1, 0)
        assert calls.get(1).call_result == ob.CallResult.ANSWER
        sip = driver.stats()
        assert (sip.invites, sip.connects, sip.connect_failures) == (1, 1, 0)
        driver.close()



def test_a_simulated_switch_in_engine_routing_mode_is_routed_by_the_campaign(engine: ob.Engine, db: str) -> None:
    """The simulator takes the same path as SIP: the campaign picks agents and asks the switch to connect."""
    switch = ob.SimTServer(ob.SimNetwork(engine, seed=3), agents=5)
    assert not switch.capabilities().connects_on_request
    switch.set_engine_routing(True)
    caps = switch.capabilities()
    assert caps.connects_on_request and not caps.routes_to_agents
    with ob.CallingList(db, create_if_missing=True) as calls:
        calls.insert([ob.Record(record_id=i, contact_info=f"+1212{2000000 + i:07d}", chain_id=i, chain_n=1,
                                campaign_id=1) for i in range(1, 301)])
        campaign = engine.add_campaign(name="routed", driver=switch, mode="progressive")
        campaign.add_list(calls)
        campaign.load()
        campaign.start()
        engine.run_for(3600)
        campaign.finish()
        stats = campaign.stats()
        assert stats.connected > 0 and stats.connected == switch.stats().connected
        assert calls.count_by_status()[ob.RecordStatus.RETRIEVED] == 0
    assert not hasattr(ob.SimGvp(ob.SimNetwork(engine)), "set_engine_routing")  # a GVP has no agents to route to
