"""Python drivers and connect (driver class version 2): the call reaches
Driver.connect through the C vtable, its exceptions come back as codes, the
default says unsupported, connects_on_request reaches C, and connect_failed
events reach the engine."""

from __future__ import annotations

import ctypes
from typing import List, Tuple

import pytest

import outbound as ob
from outbound import _native
from outbound.errors import check


class Connector(ob.Driver):
    """Takes dials silently; records what connect was asked."""

    name = "py-connector"

    def __init__(self) -> None:
        self.asked: List[Tuple[int, str]] = []
        self.refuse = False

    def capabilities(self) -> ob.DriverCapabilities:
        return ob.DriverCapabilities(connects_on_request=True)

    def dial(self, request: ob.DialRequest) -> None:
        self.sink.dialing(request.call_id)

    def cancel(self, call_id: int) -> None:
        pass

    def connect(self, call_id: int, agent_id: str) -> None:
        self.asked.append((call_id, agent_id))
        if self.refuse:
            raise ob.NotFoundError(f"no phone for agent {agent_id}")


class Plain(ob.Driver):
    """A driver that does not override connect."""

    def dial(self, request: ob.DialRequest) -> None:
        pass

    def cancel(self, call_id: int) -> None:
        pass


def connect(handle: ctypes.c_void_p, call_id: int, agent: str) -> None:
    check(_native.lib.ob_driver_connect(handle, call_id, agent.encode()))


def test_connect_reaches_the_python_driver() -> None:
    d = Connector()
    h = ob.driver.new_c_driver(d)
    try:
        caps = _native.DriverCapabilities(version=_native.DRIVER_CAPABILITIES_VERSION)
        check(_native.lib.ob_driver_capabilities_get(ctypes.byref(caps), h))
        assert ob.DriverCapabilities.from_c(caps).connects_on_request
        connect(h, 7, "agent é")  # UTF-8 both ways
        assert d.asked == [(7, "agent é")]
        d.refuse = True
        with pytest.raises(ob.NotFoundError, match="no phone for agent a9"):
            connect(h, 8, "a9")
        assert d.asked[-1] == (8, "a9")
    finally:
        _native.lib.ob_driver_free(h)
    assert ob.driver.live_python_drivers() == 0


def test_the_default_connect_is_unsupported() -> None:
    h = ob.driver.new_c_driver(Plain())
    try:
        caps = _native.DriverCapabilities(version=_native.DRIVER_CAPABILITIES_VERSION)
        check(_native.lib.ob_driver_capabilities_get(ctypes.byref(caps), h))
        assert not ob.DriverCapabilities.from_c(caps).connects_on_request
        with pytest.raises(ob.UnsupportedError, match="cannot connect call 3 to agent a1"):
            connect(h, 3, "a1")
    finally:
        _native.lib.ob_driver_free(h)


def test_connect_failed_events_reach_the_engine(engine: ob.Engine, calling_list: ob.CallingList) -> None:
    d = Connector()
    errors: List[str] = []
    c = ob.Campaign(engine, name="connector", driver=d)
    c.on_event(lambda e: errors.append(e.message) if e.kind is ob.EventKind.DRIVER_ERROR else None)
    c.add_list(calling_list)
    c.load()
    d.sink.connect_failed(41, "a1", "rejected with 486")  # no such call: the campaign says so
    engine.run_for(1)
    assert c.stats().driver_errors == 1
    assert any("connect_failed for unknown call 41" in m for m in errors)
    with pytest.raises(ob.InvalidArgumentError):
        d.sink.call_event(7, 41)  # type: ignore[arg-type]  # no such kind
    c.close()
