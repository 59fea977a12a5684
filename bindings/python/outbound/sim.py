"""The simulated network of callees and the simulated T-Server, CPD and GVP
drivers, for samples, tests and rehearsals. They run on their engine's loop:
under a manual clock a whole day is deterministic for a seed."""

from __future__ import annotations

import ctypes
import warnings
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Callable, Dict, Optional, Sequence, Union

from . import _native
from ._handle import Handle
from .driver import DriverCapabilities
from .engine import Engine, from_ms, to_ms
from .enums import CpdMode, DistributionKind, coerce
from .errors import check

_lib = _native.lib


@dataclass
class Distribution:
    """A distribution of durations in seconds."""

    kind: DistributionKind = DistributionKind.CONSTANT
    """Shape (DistributionKind or its name: "constant", "exponential", "lognormal", "uniform")."""
    mean: float = 0.0
    """Mean in seconds (uniform: the midpoint)."""
    sd: float = 0.0
    """Standard deviation in seconds (lognormal), half-width (uniform)."""

    def __post_init__(self) -> None:
        self.kind = coerce(DistributionKind, self.kind, "kind")

    def to_c(self) -> _native.Distribution:
        return _native.Distribution(int(self.kind), self.mean, self.sd)

    @staticmethod
    def from_c(c: _native.Distribution) -> "Distribution":
        return Distribution(DistributionKind(c.kind), c.mean, c.sd)


def _defaults(struct: Any, init: Any) -> Any:
    c = struct()
    check(init(ctypes.byref(c), _native.VERSION))
    return c


@dataclass
class NetworkModel:
    """How simulated callees answer; the seven shares sum to 1. Defaults are the library's."""
    live_answer: float = 0.30
    """Share of calls a person answers."""
    busy: float = 0.10
    """Share busy."""
    no_answer: float = 0.45
    """Share ringing out."""
    machine: float = 0.10
    """Share an answering machine takes."""
    sit: float = 0.05
    """Share with SIT tones."""
    fax: float = 0.0
    """Share a fax answers."""
    silence: float = 0.0
    """Share answered by silence."""
    sit_weights: Sequence[float] = (0.40, 0.25, 0.10, 0.05, 0.10, 0.10)
    """Weights of the SIT results 11..16 (six numbers)."""
    ring: Distribution = field(default_factory=lambda: Distribution(DistributionKind.LOGNORMAL, 8.0, 4.0))
    """Time until answer, in seconds."""
    no_answer_timeout_s: float = 25.0
    """Ring timeout when the dial request has none, in seconds."""
    patience_s: float = 2.0
    """How long an answered callee waits for an agent, in seconds."""
    busy_signal_s: float = 3.0
    """Time until a busy result, in seconds."""
    sit_s: float = 2.0
    """Time until a SIT result, in seconds."""
    amd_s: float = 2.5
    """Time to classify a machine, fax or silence, in seconds."""
    amd_false_positive: float = 0.0
    """Share of live answers taken for machines (0..1)."""
    machine_talk_s: float = 20.0
    """Time on a machine connected undetected, in seconds."""

    def to_c(self, seed: int) -> _native.SimNetworkOptions:
        c = _defaults(_native.SimNetworkOptions, _lib.ob_sim_network_options_init)
        c.seed = seed
        for name in ("live_answer", "busy", "no_answer", "machine", "sit", "fax", "silence", "no_answer_timeout_s",
                     "patience_s", "busy_signal_s", "sit_s", "amd_s", "amd_false_positive", "machine_talk_s"):
            setattr(c, name, float(getattr(self, name)))
        if len(self.sit_weights) != 6:
            raise ValueError(f"sit_weights needs six weights (SIT results 11..16), not {len(self.sit_weights)}")
        for i, w in enumerate(self.sit_weights):
            c.sit_weights[i] = float(w)
        c.ring = self.ring.to_c()
        return c


@dataclass
class AgentModel:
    """How simulated agents work (talk and wrap-up times)."""
    talk: Distribution = field(default_factory=lambda: Distribution(DistributionKind.LOGNORMAL, 180.0, 120.0))
    """Talk time, in seconds."""
    wrap: Distribution = field(default_factory=lambda: Distribution(DistributionKind.EXPONENTIAL, 15.0, 0.0))
    """Wrap-up time, in seconds."""

    def to_c(self) -> _native.SimAgentOptions:
        c = _defaults(_native.SimAgentOptions, _lib.ob_sim_agent_options_init)
        c.talk, c.wrap = self.talk.to_c(), self.wrap.to_c()
        return c


@dataclass
class SimDriverStats:
    """Counters a simulated driver keeps (checked against the campaign's)."""
    dials: int = 0
    """Calls placed."""
    live_answers: int = 0
    """Answered by a person."""
    connected: int = 0
    """Joined to an agent or an application."""
    abandoned: int = 0
    """Live answers released without an agent."""
    machines: int = 0
    """Answered by a machine."""
    wait_to_connect_s: float = 0.0
    """Sum of the answer-to-agent waits, in seconds."""
    engaged: int = 0
    """CPD ASM: engaging calls."""
    engage_failures: int = 0
    """CPD ASM: agents not reached."""
    opt_outs: int = 0
    """CPD ASM: callees who opted out."""
    connect_failures: int = 0
    """Engine routing: connects to an agent who was not ready."""
    transfers: int = 0
    """Answers sent to a treatment's destination (its transfer or connect action)."""
    machine_messages: int = 0
    """detect_connect machines left the campaign's machine_message."""


@dataclass
class GvpSession:
    """A voice application as it starts on a simulated GVP."""

    call_id: int
    """The call."""
    application: str
    """The voice application."""
    started: datetime
    """When it started (aware UTC datetime)."""
    attributes: Dict[str, str]
    """The record's data it runs with."""

    @property
    def started_ms(self) -> int:
        """Deprecated (0.3): `started` in UTC milliseconds."""
        warnings.warn("GvpSession.started_ms is deprecated: use started (a datetime)", DeprecationWarning,
                      stacklevel=2)
        return to_ms(self.started)


class SimNetwork(Handle):
    """The simulated world of callees on `engine`'s loop, seeded."""

    _free = _lib.ob_sim_network_free

    def __init__(self, engine: Engine, model: Optional[NetworkModel] = None, seed: int = 1) -> None:
        c = (model or NetworkModel()).to_c(seed)
        h = ctypes.c_void_p()
        check(_lib.ob_sim_network_new(ctypes.byref(h), engine._h, ctypes.byref(c)))
        super().__init__(h)
        self.engine = engine

    def set_model(self, model: NetworkModel) -> None:
        """Replaces the callee model from now on."""
        c = model.to_c(0)
        check(_lib.ob_sim_network_set_model(self._h, ctypes.byref(c)))


class SimDriver(Handle):
    """A simulated driver (the campaigns using it keep it after close())."""

    _free = _lib.ob_driver_free

    def __init__(self, handle: ctypes.c_void_p, network: SimNetwork) -> None:
        super().__init__(handle)
        self.network = network

    @property
    def name(self) -> str:
        """"sim-tserver", "sim-cpd"…"""
        out = ctypes.c_char_p()
        check(_lib.ob_driver_name(ctypes.byref(out), self._h))
        return _native.text(out.value)

    def capabilities(self) -> DriverCapabilities:
        """What the driver can do."""
        c = _native.DriverCapabilities(version=_native.DRIVER_CAPABILITIES_VERSION)
        check(_lib.ob_driver_capabilities_get(ctypes.byref(c), self._h))
        return DriverCapabilities.from_c(c)

    def stats(self) -> SimDriverStats:
        """Counters so far."""
        c = _native.SimDriverStats(version=_native.SIM_DRIVER_STATS_VERSION)
        check(_lib.ob_sim_driver_stats_get(ctypes.byref(c), self._h))
        return SimDriverStats(**{f.name: getattr(c, f.name) for f in fields(SimDriverStats)})

    @property
    def calls_in_progress(self) -> int:
        """Calls the driver holds now."""
        out = ctypes.c_size_t()
        check(_lib.ob_sim_driver_calls_in_progress(ctypes.byref(out), self._h))
        return out.value


class _AgentsMixin:
    _h: Any

    def set_agent_count(self, count: int) -> None:
        """Logs simulated agents in or out so that `count` are logged in."""
        check(_lib.ob_sim_driver_set_agent_count(self._h, count))

    def set_agent_model(self, model: AgentModel) -> None:
        """Replaces the agents' talk and wrap-up model from now on."""
        c = model.to_c()
        check(_lib.ob_sim_driver_set_agent_model(self._h, ctypes.byref(c)))

    def set_engine_routing(self, on: bool = True) -> None:
        """Engine routing (before the campaign loads; CPD transfer mode only): live answers wait for the
        engine's connect, as over SIP, instead of the switch's queue."""
        check(_lib.ob_sim_driver_set_engine_routing(self._h, int(bool(on))))


class SimTServer(_AgentsMixin, SimDriver):
    """A simulated T-Server: the switch dials, classifies answers, routes live calls to agents."""

    def __init__(self, network: SimNetwork, agents: int, prefix: str = "agent",
                 agent_model: Optional[AgentModel] = None) -> None:
        c = (agent_model or AgentModel()).to_c()
        h = ctypes.c_void_p()
        check(_lib.ob_sim_tserver_new(ctypes.byref(h), network._h, agents, _native.cstr(prefix), ctypes.byref(c)))
        super().__init__(h, network)


class SimCpd(_AgentsMixin, SimDriver):
    """A simulated CPD server on board channels (transfer or ASM mode)."""

    def __init__(self, network: SimNetwork, agents: int, prefix: str = "agent",
                 agent_model: Optional[AgentModel] = None, mode: Union[CpdMode, str] = CpdMode.TRANSFER,
                 channels: int = 60, engage_s: float = 1.5, engage_failure: float = 0.0, opt_out: float = 0.10) -> None:
        """A CPD server with `agents` agents named prefix1..prefixN; `engage_s` in seconds, shares 0..1."""
        a = (agent_model or AgentModel()).to_c()
        o = _native.SimCpdOptions(_native.VERSION, int(coerce(CpdMode, mode, "mode")), channels, engage_s,
                                  engage_failure, opt_out)
        h = ctypes.c_void_p()
        check(_lib.ob_sim_cpd_new(ctypes.byref(h), network._h, agents, _native.cstr(prefix), ctypes.byref(a),
                                  ctypes.byref(o)))
        super().__init__(h, network)


class SimGvp(SimDriver):
    """A simulated GVP: each answered call runs the campaign's voice application; capacity is ports."""

    def __init__(self, network: SimNetwork, ports: int = 30, ivr: Optional[Distribution] = None) -> None:
        o = _defaults(_native.SimGvpOptions, _lib.ob_sim_gvp_options_init)
        o.ports = ports
        if ivr is not None:
            o.ivr = ivr.to_c()
        h = ctypes.c_void_p()
        check(_lib.ob_sim_gvp_new(ctypes.byref(h), network._h, ctypes.byref(o)))
        super().__init__(h, network)
        self._session_cb: Any = None

    def on_session(self, callback: Optional[Callable[[GvpSession], None]]) -> None:
        """Calls `callback(session)` on the loop's thread as each voice application starts (None: stop)."""
        if callback is None:
            check(_lib.ob_sim_gvp_set_session_callback(self._h, _native.SESSION_CB(), None))
            self._session_cb = None
            return
        engine = self.network.engine

        def trampoline(_: Optional[int], s: Any) -> None:
            try:
                c = s.contents
                attrs = {_native.text(c.attribute_names[i]): _native.text(c.attribute_values[i])
                         for i in range(c.attribute_count)}
                callback(GvpSession(c.call_id, _native.text(c.application), from_ms(c.started_ms), attrs))
            except BaseException as e:  # noqa: B036
                engine._callback_failed(e)

        cb = _native.SESSION_CB(trampoline)
        check(_lib.ob_sim_gvp_set_session_callback(self._h, cb, None))
        self._session_cb = cb


__all__ = ["Distribution", "NetworkModel", "AgentModel", "SimDriverStats", "GvpSession", "SimNetwork", "SimDriver",
           "SimTServer", "SimCpd", "SimGvp"]
