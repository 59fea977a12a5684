"""The SIP driver from Python: options checked with errors naming the field, and
a campaign placing a real call to baresip (started here on 127.0.0.1, stopped by
its pid): the callee says "Hello?", the engine routes the live answer to the
agent's phone, the agent talks two seconds and hangs up: result answer."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest

import outbound as ob

needs_baresip = pytest.mark.skipif(shutil.which("baresip") is None, reason="baresip is not installed")


def _sip_built() -> bool:
    try:
        ob.SipDriver().close()
        return True
    except ob.UnsupportedError:
        return False


def _port_free(port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_ports(count: int) -> int:
    """`count` consecutive free ports on 127.0.0.1."""
    for _ in range(500):
        base = random.randrange(2000, 5990) * 10
        if all(_port_free(p) for p in range(base, base + count)):
            return base
    raise RuntimeError("no free ports")


def _tools_env() -> Dict[str, str]:
    """This environment without a sanitizer runtime preloaded for our library (the ASan suite): espeak-ng hangs
    under a preloaded libasan, and baresip is not ours to check."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[Tuple[int, Path]]:
    """baresip on 127.0.0.1 with a callee (+12125550112) and an agent's phone (a1)."""
    if not _sip_built():
        pytest.skip("the library was built without the SIP driver")
    tool = {"check": True, "capture_output": True, "timeout": 60, "env": _tools_env()}
    subprocess.run(["espeak-ng", "-w", str(tmp_path / "raw.wav"), "Hello?"], **tool)
    subprocess.run(["sox", str(tmp_path / "raw.wav"), "-r", "8000", "-c", "1", "-b", "16", str(tmp_path / "hello.wav"),
                    "pad", "0.3", "30"], **tool)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(tmp_path / "talk.wav"), "synth", "2", "sine",
                    "400"], **tool)
    (tmp_path / "heard").mkdir()
    port = free_ports(4)
    (tmp_path / "config").write_text(
        f"sip_listen 127.0.0.1:{port}\nnet_interface 127.0.0.1\nmodule_path /usr/lib/baresip/modules\n"
        "module g711.so\nmodule aufile.so\nmodule sndfile.so\nmodule_app account.so\nmodule_app menu.so\n"
        f"audio_source aufile,{tmp_path / 'hello.wav'}\nsnd_path {tmp_path / 'heard'}/\naudio_buffer 20-160\n")
    (tmp_path / "accounts").write_text(
        f"<sip:+12125550112@127.0.0.1:{port}>;regint=0;answermode=auto\n"
        f"<sip:a1@127.0.0.1:{port}>;regint=0;answermode=auto;audio_source=aufile,{tmp_path / 'talk.wav'}\n")
    log = open(tmp_path / "log", "w")
    proc = subprocess.Popen(["baresip", "-f", str(tmp_path)], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=_tools_env())
    try:
        deadline = time.monotonic() + 10
        while "baresip is ready." not in (tmp_path / "log").read_text():
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "log").read_text()
            time.sleep(0.01)
        yield port, tmp_path
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
