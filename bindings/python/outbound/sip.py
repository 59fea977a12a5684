"""The SIP driver: outbound as a SIP call controller in front of a trunk or PBX
(docs/sip.md). Give it to Engine.add_campaign like a simulated driver; the
campaign routes each live answer to an agent's phone (connect on request)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from . import _native
from ._handle import Handle
from .driver import DriverCapabilities
from .engine import Engine, Span, span_ms
from .errors import InvalidArgumentError, check

_lib = _native.lib


@dataclass
class SipDriverStats:
    """Counters of a SIP driver since it was made."""
    invites: int = 0
    """Customer INVITEs sent."""
    timeouts: int = 0
    """Customer INVITEs with no final response in time."""
    transport_failures: int = 0
    """Customer INVITEs the transport could not deliver."""
    backoffs: int = 0
    """Pauses taken after 503s, timeouts or transport failures."""
    connects: int = 0
    """Agent legs bridged."""
    connect_failures: int = 0
    """Agent legs that failed (connect_failed events)."""
    legs_lost: int = 0
    """Connected legs found gone by the leg check."""
    open_dialogs: int = 0
    """SIP dialogs the driver holds now."""
    transfers: int = 0
    """Calls joined to a treatment's transfer destination."""
    transfer_failures: int = 0
    """Transfers whose destination refused, never answered or could not be joined."""


class SipDriver(Handle):
    """A SIP driver (the campaigns using it keep it after close()). Durations are seconds or timedeltas.

        driver = ob.SipDriver(engine, listen="127.0.0.1:5070", customer_uri="sip:{number}@trunk.example.net",
                              agents={"a1": "sip:201@pbx.example.net"}, caller_id="+442079460000")

    Malformed options raise InvalidArgumentError naming the field."""

    _free = _lib.ob_driver_free

    def __init__(self, engine: Optional[Engine] = None, *, listen: Optional[str] = None,
                 customer_uri: Optional[str] = None, outbound_proxy: Optional[str] = None,
                 credentials: Optional[Tuple[str, str, str]] = None, caller_id: Optional[str] = None,
                 agents: Optional[Mapping[str, str]] = None, max_concurrent_calls: int = 0,
                 calls_per_second: float = 0.0, agent_answer_timeout_s: Span = 1.0,
                 default_ring_timeout_s: Span = 25.0, max_call_duration_s: Span = 4 * 3600.0,
                 leg_check_interval_s: Span = 30.0, transaction_timeout_s: Span = 32.0,
                 backoff_initial_s: Span = 1.0, backoff_max_s: Span = 60.0, rtp_address: Optional[str] = None,
                 rtp_port_min: int = 16384, rtp_port_max: int = 32766, abandon_message: Optional[str] = None,
                 machine_message: Optional[str] = None, opt_out_digit: Optional[str] = None) -> None:
        """A driver whose events are stamped by `engine`'s clock (None: the system clock). `credentials`:
        (username, password, realm) for a trunk that challenges ("" realm: any); `agents`: agent id -> SIP URI."""
        o = _native.SipOptions()
        check(_lib.ob_sip_options_init(ctypes.byref(o), _native.VERSION))
        keep: List[Any] = []
        o.listen, o.customer_uri = _native.cstr(listen), _native.cstr(customer_uri)
        o.outbound_proxy, o.caller_id = _native.cstr(outbound_proxy), _native.cstr(caller_id)
        if credentials is not None:
            user, password, realm = credentials
            o.username, o.password, o.realm = _native.cstr(user), _native.cstr(password), _native.cstr(realm)
        if agents:
            arr = (_native.SipAgent * len(agents))(*[_native.SipAgent(_native.cstr(k), _native.cstr(v))
                                                     for k, v in agents.items()])
            keep.append(arr)
            o.agent_count, o.agents = len(agents), ctypes.cast(arr, ctypes.POINTER(_native.SipAgent))
        o.max_concurrent_calls, o.calls_per_second = max_concurrent_calls, calls_per_second
        o.agent_answer_timeout_ms = span_ms(agent_answer_timeout_s, "agent_answer_timeout_s")
        o.default_ring_timeout_ms = span_ms(default_ring_timeout_s, "default_ring_timeout_s")
        o.max_call_duration_ms = span_ms(max_call_duration_s, "max_call_duration_s")
        o.leg_check_interval_ms = span_ms(leg_check_interval_s, "leg_check_interval_s")
        o.transaction_timeout_ms = span_ms(transaction_timeout_s, "transaction_timeout_s")
        o.backoff_initial_ms = span_ms(backoff_initial_s, "backoff_initial_s")
        o.backoff_max_ms = span_ms(backoff_max_s, "backoff_max_s")
        o.rtp_address, o.rtp_port_min, o.rtp_port_max = _native.cstr(rtp_address), rtp_port_min, rtp_port_max
        o.abandon_message, o.machine_message = _native.cstr(abandon_message), _native.cstr(machine_message)
        if opt_out_digit:
            if len(opt_out_digit) != 1:
                raise InvalidArgumentError("opt_out_digit must be one character: '0'-'9', '*' or '#'")
            o.opt_out_digit = ord(opt_out_digit)
        h = ctypes.c_void_p()
        check(_lib.ob_sip_driver_new(ctypes.byref(h), engine._h if engine is not None else None, ctypes.byref(o)))
        del keep
        super().__init__(h)

    @property
    def name(self) -> str:
        """"sip"."""
        out = ctypes.c_char_p()
        check(_lib.ob_driver_name(ctypes.byref(out), self._h))
        return _native.text(out.value)

    def capabilities(self) -> DriverCapabilities:
        """What the driver can do (connects_on_request)."""
        c = _native.DriverCapabilities(version=_native.DRIVER_CAPABILITIES_VERSION)
        check(_lib.ob_driver_capabilities_get(ctypes.byref(c), self._h))
        return DriverCapabilities.from_c(c)

    def stats(self) -> SipDriverStats:
        """Counters so far."""
        c = _native.SipDriverStats(version=_native.SIP_DRIVER_STATS_VERSION)
        check(_lib.ob_sip_driver_stats_get(ctypes.byref(c), self._h))
        return SipDriverStats(c.invites, c.timeouts, c.transport_failures, c.backoffs, c.connects,
                              c.connect_failures, c.legs_lost, c.open_dialogs, c.transfers, c.transfer_failures)
