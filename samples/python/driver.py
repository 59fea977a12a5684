#!/usr/bin/env python3
"""A dialer driver written in Python, running a whole campaign.

ToySwitch subclasses outbound.Driver: the engine calls dial/cancel/... on its
loop thread, and the switch reports what happens to each call through the
EventSink it got in start(). Calls progress on the engine's timers, so under
a manual clock an hour takes a moment and every run is the same (seeded).
The switch knows its agents: it reports their states and routes answered
calls to them. Prints the switch's counts beside the engine's: they agree.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional

import outbound as ob


class ToySwitch(ob.Driver):
    """A switch with a few agents; outcomes drawn from a seeded generator."""

    name = "py-toy-switch"

    def __init__(self, engine: ob.Engine, agents: int, seed: int = 7) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.agents = [f"pytoy{i + 1}" for i in range(agents)]
        self.free: List[str] = []
        self.calls: Dict[int, Optional[str]] = {}   # call id -> connected agent
        self.timers: Dict[int, int] = {}            # call id -> pending timer
        self.dials = self.connected = self.abandoned = 0
        self.running = self.destroyed = False

    def capabilities(self) -> ob.DriverCapabilities:
        return ob.DriverCapabilities(max_concurrent_calls=64, reports_agent_states=True, routes_to_agents=True,
                                     detects_machines=True)

    def start(self, sink: ob.EventSink) -> None:
        super().start(sink)
        self.running = True
        for agent in self.agents:
            self.ready(agent)

    def ready(self, agent: str) -> None:
        if not self.running:  # a wrap-up that ends after stop()
            return
        self.free.append(agent)
        self.sink.agent_state(agent, ob.AgentState.READY)

    def later(self, call_id: int, seconds: float, step) -> None:
        self.timers[call_id] = self.engine.schedule(seconds, step)

    def dial(self, request: ob.DialRequest) -> None:
        call = request.call_id
        self.dials += 1
        self.calls[call] = None
        self.sink.dialing(call)
        u, ring = self.rng.random(), self.rng.uniform(4, 16)
        if u < 0.35:
            self.later(call, ring, lambda: self.answer(call, ob.AnswerClass.LIVE))
        elif u < 0.45:
            self.later(call, ring, lambda: self.answer(call, ob.AnswerClass.MACHINE))
        elif u < 0.55:
            self.later(call, 3, lambda: self.release(call, ob.CallResult.BUSY))
        else:
            self.later(call, request.ring_timeout_s, lambda: self.release(call, ob.CallResult.NO_ANSWER))

    def answer(self, call: int, answer: ob.AnswerClass) -> None:
        self.sink.answered(call, answer)
        if answer is ob.AnswerClass.MACHINE:
            return self.release(call, ob.CallResult.ANSWERING_MACHINE)
        if not self.free:
            return  # no agent: the engine calls release_abandoned after its abandon time
        agent = self.free.pop(0)
        self.calls[call] = agent
        self.connected += 1
        self.sink.agent_state(agent, ob.AgentState.BUSY)
        self.sink.connected(call, agent)
        self.later(call, self.rng.uniform(60, 240), lambda: self.release(call, ob.CallResult.ANSWER))

    def release(self, call: int, result: ob.CallResult) -> None:
        agent = self.calls.pop(call, None)
        self.timers.pop(call, None)
        if agent:  # ten seconds of wrap-up, then ready again
            self.sink.agent_state(agent, ob.AgentState.WRAP_UP)
            self.engine.schedule(10, lambda: self.ready(agent))
        self.sink.released(call, result)

    def cancel(self, call_id: int) -> None:
        if call_id in self.calls:
            self.engine.cancel_timer(self.timers.get(call_id, 0))
            self.release(call_id, ob.CallResult.CLEARED)

    def release_abandoned(self, call_id: int) -> None:
        if call_id in self.calls:
            self.abandoned += 1
            self.engine.cancel_timer(self.timers.get(call_id, 0))
            self.release(call_id, ob.CallResult.ABANDONED)

    def stop(self) -> None:
        for call in list(self.calls):
            self.cancel(call)
        self.running = False

    def destroy(self) -> None:
        self.destroyed = True


def run(path: Path) -> int:
    with ob.Engine(clock="manual", start=datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc)) as engine:
        calls = ob.CallingList(f"sqlite3://{path}", create_if_missing=True)
        calls.insert(ob.Record(record_id=i, contact_info=f"+1718{5550000 + i - 1:07d}", chain_id=i, chain_n=1)
                     for i in range(1, 601))
        switch = ToySwitch(engine, agents=6)
        campaign = engine.add_campaign(name="py-toy", driver=switch, mode=ob.DialMode.PROGRESSIVE)
        campaign.add_list(calls)
        campaign.load()
        campaign.start()
        engine.run_for(3600)
        campaign.finish()
        s = campaign.stats()
        left = calls.count_by_status()[ob.RecordStatus.RETRIEVED]
        print(f"summary: Python driver (toy switch, {len(switch.agents)} agents), progressive, 1 simulated hour")
        print(f"  switch dials      {switch.dials}")
        print(f"  engine dials      {s.dials}")
        print(f"  switch connected  {switch.connected}")
        print(f"  engine connected  {s.connected}")
        print(f"  abandoned         {switch.abandoned} (engine {s.abandoned})")
        print(f"  machines / busy / no answer  {s.machines} / {s.busy} / {s.no_answer}")
        print(f"  occupancy         {s.agent_occupancy:.2f}")
        print(f"  left retrieved    {left}")
        campaign.close()  # the engine lets go of the driver: destroy() runs
        print(f"  destroyed         {'yes' if switch.destroyed else 'no'}")
        calls.close()
        ok = switch.dials == s.dials > 0 and switch.connected == s.connected and switch.destroyed and left == 0
        return 0 if ok else 1


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="outbound-driver-") as tmp:
        return run(Path(tmp) / "list.db")


if __name__ == "__main__":
    sys.exit(main())
