"""Engines: manual clock, timers, posted work, predicates, callback errors, the engine thread."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

import outbound as ob
from conftest import START, START_MS


def test_manual_clock_and_timers(engine: ob.Engine) -> None:
    assert engine.is_manual
    assert engine.now == START == datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc)
    fired = []
    engine.schedule(1.0, lambda: fired.append(engine.now))
    late = engine.schedule(timedelta(seconds=9), lambda: fired.append("late"))
    engine.schedule(5, lambda: fired.append(engine.now))
    assert engine.cancel_timer(late) and not engine.cancel_timer(late)
    engine.run_for(2)
    assert fired == [START + timedelta(seconds=1)]
    engine.run_until(START + timedelta(minutes=1))
    assert fired == [START + timedelta(seconds=1), START + timedelta(seconds=5)]
    assert engine.now == START + timedelta(minutes=1)
    engine.run_until(START_MS // 1000 + 61)  # a plain number is epoch seconds
    assert engine.now == START + timedelta(seconds=61)
    engine.post(lambda: fired.append("posted"))
    assert engine.poll() >= 1 and fired[-1] == "posted"
    engine.advance_clock(datetime(2026, 3, 10, tzinfo=timezone.utc))
    assert engine.now == datetime(2026, 3, 10, tzinfo=timezone.utc)


def test_run_until_a_predicate(engine: ob.Engine) -> None:
    count = []
    for i in range(5):
        engine.schedule(i + 1, lambda: count.append(1))
    engine.run_for(3600, until=lambda: len(count) == 3)
    assert len(count) == 3 and engine.now == START + timedelta(seconds=3)


def test_callback_errors_are_raised_by_the_run(engine: ob.Engine) -> None:
    def boom() -> None:
        raise RuntimeError("timer failed")
    engine.schedule(1, boom)
    with pytest.raises(RuntimeError, match="timer failed"):
        engine.run_for(10)
    engine.run_for(10)  # raised once


def test_loop_calls_from_callbacks_are_refused(engine: ob.Engine) -> None:
    seen = []

    def nested() -> None:
        with pytest.raises(ob.InvalidStateError):
            engine.run_for(1)
        seen.append(True)
    engine.schedule(1, nested)
    engine.run_for(5)
    assert seen == [True]


def test_engine_thread_runs_callbacks_on_its_own_thread() -> None:
    with ob.Engine() as engine:
        assert not engine.is_manual
        with pytest.raises(ob.InvalidStateError):
            ob.Engine(clock="manual").start_thread()
        engine.start_thread()
        done = threading.Event()
        where = []
        engine.schedule(0.01, lambda: (where.append(threading.get_ident()), done.set()))
        assert done.wait(10)
        assert where[0] != threading.get_ident()
        with pytest.raises(ob.InvalidStateError):
            engine.run_for(0.01)  # the thread runs the loop
        engine.stop_thread()
        engine.run_for(0.001)


def test_log_handler(engine: ob.Engine) -> None:
    lines = []
    engine.set_log_handler(lambda level, message: lines.append((level, message)))
    net = ob.SimNetwork(engine)
    c = engine.add_campaign(name="logged", driver=ob.SimTServer(net, 1))
    c.set_mode(ob.DialMode.PREDICTIVE, ob.Goal.OVERDIAL_RATE, 0.03)
    assert lines and lines[-1][0] is ob.LogLevel.INFO and "logged" in lines[-1][1]
    engine.set_log_handler(None)
    n = len(lines)
    c.set_mode(ob.DialMode.PROGRESSIVE)
    assert len(lines) == n
    assert engine.campaign("logged") is c and engine.campaign_count == 1
    with pytest.raises(ob.NotFoundError):
        engine.campaign("nope")
