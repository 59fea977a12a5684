"""Drivers written in Python: a full campaign under a manual clock, failures
turned into driver errors, destroy called once, and events reported from
Python threads while the engine runs its own thread."""

from __future__ import annotations

import gc
import threading
import time
import wave
from datetime import timedelta
from pathlib import Path
from struct import pack
from typing import Dict, List, Optional

import pytest

import outbound as ob
from conftest import make_records


class ScriptDriver(ob.Driver):
    """Every call rings 8 s; ids = 0 mod 4 are busy, 1 mod 4 ring out, the rest answer live and
    talk 60 s with the first free agent. Timers run on the engine, so a run is deterministic."""

    name = "py-script"

    def __init__(self, engine: ob.Engine, agents: List[str]) -> None:
        self.engine = engine
        self.free = list(agents)
        self.calls: Dict[int, Optional[str]] = {}
        self.timers: Dict[int, int] = {}
        self.started = self.stopped = self.destroyed = 0
        self.fail_dial: Optional[Exception] = None
        self.requests: List[ob.DialRequest] = []

    def capabilities(self) -> ob.DriverCapabilities:
        return ob.DriverCapabilities(max_concurrent_calls=50)

    def start(self, sink: ob.EventSink) -> None:
        super().start(sink)
        self.started += 1

    def dial(self, request: ob.DialRequest) -> None:
        if self.fail_dial is not None:
            raise self.fail_dial
        self.requests.append(request)
        self.calls[request.call_id] = None
        self.sink.dialing(request.call_id)
        result = (ob.CallResult.BUSY, ob.CallResult.NO_ANSWER, ob.CallResult.ANSWER,
                  ob.CallResult.ANSWER)[request.record_id % 4]
        self.timers[request.call_id] = self.engine.schedule(8, lambda: self.progress(request.call_id, result))

    def progress(self, call_id: int, result: ob.CallResult) -> None:
        if result is not ob.CallResult.ANSWER:
            return self.end(call_id, result)
        self.sink.answered(call_id, ob.AnswerClass.LIVE)
        if self.free:
            agent = self.free.pop(0)
            self.calls[call_id] = agent
            self.sink.connected(call_id, agent)
        self.timers[call_id] = self.engine.schedule(60, lambda: self.end(call_id, ob.CallResult.ANSWER))

    def end(self, call_id: int, result: ob.CallResult) -> None:
        agent = self.calls.pop(call_id, None)
        self.timers.pop(call_id, None)
        if agent:
            self.free.append(agent)
        self.sink.released(call_id, result)

    def cancel(self, call_id: int) -> None:
        if call_id in self.calls:
            self.engine.cancel_timer(self.timers.get(call_id, 0))
            self.end(call_id, ob.CallResult.CLEARED)

    def release_abandoned(self, call_id: int) -> None:
        if call_id in self.calls:
            self.engine.cancel_timer(self.timers.get(call_id, 0))
            self.end(call_id, ob.CallResult.ABANDONED)

    def stop(self) -> None:
        for call_id in list(self.calls):
            self.engine.cancel_timer(self.timers.get(call_id, 0))
        self.calls.clear()
        self.stopped += 1

    def destroy(self) -> None:
        self.destroyed += 1


def test_a_python_driver_runs_a_full_campaign(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(40))
    agents = ["a0", "a1", "a2", "a3"]
    driver = ScriptDriver(engine, agents)
    finished = []
    campaign = engine.add_campaign(name="py", driver=driver)
    campaign.on_event(lambda e: finished.append(e.result) if e.kind is ob.EventKind.CALL_FINISHED else None)
    campaign.add_list(calling_list)
    campaign.load()
    for a in agents:
        campaign.set_agent_state(a, ob.AgentState.READY)
    campaign.start()
    engine.run_for(2 * 3600)
    campaign.finish()
    s = campaign.stats()
    assert driver.started == 1 and driver.stopped == 1
    assert s.dials == 40 == len(driver.requests)
    assert (s.live_answers, s.connected, s.abandoned, s.busy, s.no_answer) == (20, 20, 0, 10, 10)
    assert s.records_finalized == 40
    assert finished.count(ob.CallResult.ANSWER) == 20 and len(finished) == 40
    assert calling_list.count_by_status()[ob.RecordStatus.UPDATED] == 40
    rq = driver.requests[0]
    assert rq.campaign == "py" and rq.phone.startswith("+1212") and rq.ring_timeout_s == 25.0
    assert all(r.caller_id == "" for r in driver.requests)  # none set: the network's default
    assert driver.destroyed == 0
    campaign.close()
    assert driver.destroyed == 1
    assert ob.driver.live_python_drivers() == 0


def test_a_python_driver_gets_the_caller_id_in_e164(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(20))
    agents = ["a0", "a1", "a2"]
    driver = ScriptDriver(engine, agents)
    campaign = engine.add_campaign(name="cli", driver=driver, caller_id="(212) 555-0199")  # as typed
    campaign.add_list(calling_list)
    campaign.load()
    for a in agents:
        campaign.set_agent_state(a, ob.AgentState.READY)
    campaign.start()
    engine.run_for(3600)
    campaign.finish()
    assert campaign.stats().dials == 20 == len(driver.requests)
    assert [r.caller_id for r in driver.requests] == ["+12125550199"] * 20
    campaign.close()


def _wav(path: Path, rate: int = 8000, channels: int = 1) -> str:
    """0.2 s of a quiet ramp as a 16-bit WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(pack("<h", i % 200) for i in range(rate // 5 * channels)))
    return str(path)


def test_a_python_driver_gets_the_campaigns_call_audio(engine: ob.Engine, calling_list: ob.CallingList,
                                                      tmp_path: Path) -> None:
    calling_list.insert(make_records(8))
    agents = ["a0", "a1"]
    driver = ScriptDriver(engine, agents)
    abandon, machine = _wav(tmp_path / "abandon.wav"), _wav(tmp_path / "machine.wav", 16000)
    campaign = engine.add_campaign(name="audio", driver=driver, amd_initial_silence_s=3, amd_max_greeting_s=2.2,
                                   amd_after_greeting_silence_s=timedelta(milliseconds=700), amd_max_words=4,
                                   amd_max_decision_s=4, amd_max_message_wait_s=20, abandon_message=abandon,
                                   machine_message=machine, opt_out_digit="9")
    campaign.add_list(calling_list)
    campaign.load()
    for a in agents:
        campaign.set_agent_state(a, ob.AgentState.READY)
    campaign.start()
    engine.run_for(3600)
    campaign.finish()
    assert len(driver.requests) == 8
    for r in driver.requests:
        assert (r.amd_initial_silence_s, r.amd_max_greeting_s, r.amd_after_greeting_silence_s, r.amd_max_words,
                r.amd_max_decision_s, r.amd_max_message_wait_s) == (3.0, 2.2, 0.7, 4, 4.0, 20.0)
        assert (r.abandon_message, r.machine_message, r.opt_out_digit) == (abandon, machine, "9")
    campaign.close()


@pytest.mark.parametrize("options,field", [
    ({"opt_out_digit": "x"}, "audio.opt_out_digit"),
    ({"opt_out_digit": "12"}, "opt_out_digit"),
    ({"amd_initial_silence_s": 0.1}, "audio.amd_initial_silence"),
    ({"amd_max_words": 101}, "audio.amd_max_words"),
    ({"amd_max_decision_s": -1}, "amd_max_decision"),
    ({"abandon_message": "no-such.wav"}, "audio.abandon_message"),
    ({"machine_message": "stereo"}, "audio.machine_message"),
    ({"machine_message": "cd"}, "44100"),
])
def test_bad_call_audio_is_refused_naming_the_field(engine: ob.Engine, tmp_path: Path, options: Dict[str, object],
                                                    field: str) -> None:
    files = {"stereo": _wav(tmp_path / "stereo.wav", 8000, 2), "cd": _wav(tmp_path / "cd.wav", 44100)}
    options = {k: files.get(v, str(tmp_path / str(v))) if k.endswith("_message") else v for k, v in options.items()}
    with pytest.raises(ob.InvalidArgumentError, match=field.replace(".", r"\.")):
        engine.add_campaign(name="bad audio", driver=ScriptDriver(engine, []), **options)
    assert [c.name for c in engine.campaigns] == []


class MachineDriver(ScriptDriver):
    """Every call is answered by a machine after 8 s; records of odd id get a message (released
    with message_left), even ones are released at once."""

    name = "py-machines"

    def dial(self, request: ob.DialRequest) -> None:
        self.requests.append(request)
        self.calls[request.call_id] = None
        self.sink.dialing(request.call_id)
        left = request.record_id % 2 == 1
        self.timers[request.call_id] = self.engine.schedule(8, lambda: self.machine(request.call_id, left))

    def machine(self, call_id: int, left: bool) -> None:
        self.sink.answered(call_id, ob.AnswerClass.MACHINE)
        self.calls.pop(call_id, None)
        self.sink.released(call_id, ob.CallResult.ANSWERING_MACHINE, "machine", message_left=left)


def test_messages_left_reach_the_stats_and_the_call_log(engine: ob.Engine, calling_list: ob.CallingList,
                                                        tmp_path: Path) -> None:
    calling_list.insert(make_records(10))
    driver = MachineDriver(engine, [])
    log = ob.CallLog(f"sqlite3://{tmp_path / 'log.db'}")
    campaign = engine.add_campaign(name="machines", driver=driver, amd="detect_connect")
    campaign.set_call_log(log)
    campaign.add_list(calling_list)
    campaign.load()
    campaign.set_agent_state("a0", ob.AgentState.READY)
    campaign.start()
    engine.run_for(3600)
    campaign.finish()
    s = campaign.stats()
    assert (s.dials, s.answered_machine, s.messages_left, s.machines) == (10, 10, 5, 10)
    assert (s.answered_live, s.answered_fax, s.answered_silence, s.answered_unknown) == (0, 0, 0, 0)
    rows = log.answered_since("machines", 0)
    assert len(rows) == 10
    assert sorted(r.record_id for r in rows if r.message_left) == [1, 3, 5, 7, 9]
    campaign.close()


class WaitingMachineDriver(ScriptDriver):
    """Every call is answered by a machine after 8 s that waits (as detect_connect keeps it); the
    driver can transfer it, and releases it 30 s after the answer otherwise."""

    name = "py-waiting-machines"

    def __init__(self, engine: ob.Engine) -> None:
        super().__init__(engine, [])
        self.transfers: List[str] = []

    def dial(self, request: ob.DialRequest) -> None:
        self.requests.append(request)
        self.calls[request.call_id] = None
        self.sink.dialing(request.call_id)
        self.timers[request.call_id] = self.engine.schedule(8, lambda: self.machine(request.call_id))

    def machine(self, call_id: int) -> None:
        self.sink.answered(call_id, ob.AnswerClass.MACHINE)
        self.timers[call_id] = self.engine.schedule(30, lambda: self.end(call_id, ob.CallResult.ANSWERING_MACHINE))

    def transfer(self, call_id: int, destination: str) -> None:
        self.transfers.append(destination)
        self.engine.cancel_timer(self.timers.get(call_id, 0))
        self.timers[call_id] = self.engine.schedule(5, lambda: self.end(call_id, ob.CallResult.CLEARED))


def test_a_treatment_transfer_reaches_a_python_driver(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(6))
    driver = WaitingMachineDriver(engine)
    rule = ob.Treatment(3, ob.CallResult.ANSWERING_MACHINE, ob.RecordAction.NO_TREATMENT,
                        call_action="transfer", destination="sip:messages@ivr.example")
    campaign = engine.add_campaign(name="xfer", driver=driver, amd="detect_connect", treatments=[rule])
    finished: List[ob.CallResult] = []
    campaign.on_event(lambda e: finished.append(e.result) if e.kind is ob.EventKind.CALL_FINISHED else None)
    campaign.add_list(calling_list)
    campaign.load()
    campaign.set_agent_state("a0", ob.AgentState.READY)
    campaign.start()
    engine.run_for(3600)
    campaign.finish()
    assert driver.transfers == ["sip:messages@ivr.example"] * 6
    assert finished == [ob.CallResult.ANSWERING_MACHINE] * 6  # the rule's result, not the hang-up's
    campaign.close()


def test_a_caller_id_that_is_no_phone_number_fails_the_load(engine: ob.Engine,
                                                            calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(4))
    driver = ScriptDriver(engine, ["a0"])
    c = engine.add_campaign(ob.CampaignOptions(name="bad cli", caller_id="call us"), driver=driver)
    c.add_list(calling_list)
    with pytest.raises(ob.InvalidArgumentError, match="caller_id"):
        c.load()
    assert c.state is ob.CampaignState.NOT_LOADED
    engine.run_for(60)
    assert driver.started == 0 and driver.requests == []
    c.close()
    assert driver.destroyed == 1


def test_driver_exceptions_become_driver_errors(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(5))
    driver = ScriptDriver(engine, ["a0"])
    driver.fail_dial = ob.BusyError("no trunk free")
    errors = []
    c = engine.add_campaign(name="failing", driver=driver)
    c.on_event(lambda e: errors.append(e.message) if e.kind is ob.EventKind.DRIVER_ERROR else None)
    c.add_list(calling_list)
    c.load()
    c.set_agent_state("a0", ob.AgentState.READY)
    c.start()
    engine.run_for(30)
    assert c.stats().driver_errors >= 1
    assert any("no trunk free" in m for m in errors)
    driver.fail_dial = ZeroDivisionError("oops")
    calling_list.insert(make_records(5, first=6))  # after the failed ones were made final
    engine.run_for(90)
    assert any("ZeroDivisionError: oops" in m for m in errors)
    c.close()
    assert driver.destroyed == 1


class BrokenStart(ScriptDriver):
    def start(self, sink: ob.EventSink) -> None:
        raise RuntimeError("the switch is down")


def test_a_failing_start_fails_load(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    c = engine.add_campaign(name="broken", driver=BrokenStart(engine, []))
    c.add_list(calling_list)
    with pytest.raises(ob.DriverError, match="the switch is down"):
        c.load()


class ThreadedDriver(ob.Driver):
    """Each call runs on a Python thread of its own, reporting through the sink."""

    name = "py-threads"

    def __init__(self) -> None:
        self.threads: List[threading.Thread] = []
        self.free = ["t0", "t1"]
        self.lock = threading.Lock()
        self.reported = 0
        self.refused_after_stop: Optional[Exception] = None

    def dial(self, request: ob.DialRequest) -> None:
        t = threading.Thread(target=self.call, args=(request.call_id,))
        self.threads.append(t)
        t.start()

    def call(self, call_id: int) -> None:
        self.sink.dialing(call_id)
        time.sleep(0.001)
        self.sink.answered(call_id)
        with self.lock:
            agent = self.free.pop(0) if self.free else None
        if agent:
            self.sink.connected(call_id, agent)
        time.sleep(0.001)
        with self.lock:
            if agent:
                self.free.append(agent)
        self.sink.released(call_id, ob.CallResult.ANSWER)
        with self.lock:
            self.reported += 4

    def cancel(self, call_id: int) -> None:
        pass

    def stop(self) -> None:
        for t in self.threads:
            t.join()


def test_events_from_python_threads_with_the_engine_thread(tmp_path) -> None:
    with ob.Engine() as engine, ob.CallingList(f"sqlite3://{tmp_path / 't.db'}", create_if_missing=True) as cl:
        cl.insert(make_records(30))
        driver = ThreadedDriver()
        c = engine.add_campaign(name="threads", driver=driver, tick_s=0.02, flush_interval_s=0.02)
        c.add_list(cl)
        engine.start_thread()
        c.load()
        c.set_agent_state("t0", ob.AgentState.READY)
        c.set_agent_state("t1", ob.AgentState.READY)
        c.start()
        deadline = time.monotonic() + 20
        while c.stats().records_finalized < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        s = c.stats()
        assert s.records_finalized == 30 and s.connected == 30 and s.abandoned == 0
        c.stop()
        c.unload()
        while c.state is not ob.CampaignState.NOT_LOADED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert c.state is ob.CampaignState.NOT_LOADED
        with pytest.raises(ob.InvalidStateError):
            driver.sink.released(1, ob.CallResult.ANSWER)  # after stop
        assert driver.reported == 120
        engine.stop_thread()
        c.close()
    gc.collect()
    assert ob.driver.live_python_drivers() == 0


def test_a_campaign_with_no_ready_agent_says_why(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    calling_list.insert(make_records(10))
    driver = ScriptDriver(engine, ["a0"])
    campaign = engine.add_campaign(name="idle", driver=driver)
    idle = []
    campaign.on_event(lambda e: idle.append(e) if e.kind is ob.EventKind.IDLE else None)
    campaign.add_list(calling_list)
    campaign.load()
    campaign.set_agent_state("a0", "not_ready")
    campaign.start()
    engine.run_for(29)
    assert idle == []
    engine.run_for(31 + 300)  # the first after 30 s, then one reminder 5 minutes on
    assert [e.message for e in idle] == [
        "no_ready_agents: no agent is ready (1 logged in: 0 busy, 0 in wrap-up, 0 reserved, 1 not ready)"
        " (nothing dialed for 30 s)",
        "no_ready_agents: no agent is ready (1 logged in: 0 busy, 0 in wrap-up, 0 reserved, 1 not ready)"
        " (nothing dialed for 330 s)"]
    assert idle[0].kind.name == "IDLE" and idle[0].campaign == "idle" and driver.requests == []
    campaign.set_agent_state("a0", "ready")
    engine.run_for(20)
    assert len(driver.requests) > 0 and len(idle) == 2
    campaign.finish()
