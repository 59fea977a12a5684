"""Dialer drivers written in Python: subclass Driver, and the engine calls its
methods on the loop's thread. The driver reports what happens to its calls
through the EventSink it gets in start(), from any thread (its own threads
too), until its stop() returns.

A method that raises fails that operation only: the exception's text becomes
the driver error the campaign reports (a failed dial makes the call a dial
error for its record). The driver object is kept alive for as long as the
engine may call it; destroy() is called once when the engine lets go."""

from __future__ import annotations

import ctypes
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional

from . import _native
from .engine import Instant, to_ms
from .enums import AgentState, AmdMode, AnswerClass, CallEventKind, CallResult, DriverKind, Status
from .errors import OutboundError, UnsupportedError, check

_lib = _native.lib


@dataclass
class DriverCapabilities:
    """What a driver can do."""
    kind: DriverKind = DriverKind.CUSTOM
    max_concurrent_calls: int = 0  # 0: no fixed limit
    reports_agent_states: bool = False
    routes_to_agents: bool = False
    detects_machines: bool = False
    supports_engaging: bool = False
    runs_voice_applications: bool = False
    connects_on_request: bool = False  # the engine picks the agent and calls connect(call_id, agent_id)

    @staticmethod
    def from_c(c: _native.DriverCapabilities) -> "DriverCapabilities":
        """A copy of C capabilities (a version-1 struct has no connects_on_request)."""
        return DriverCapabilities(DriverKind(c.kind), c.max_concurrent_calls, bool(c.reports_agent_states),
                                  bool(c.routes_to_agents), bool(c.detects_machines), bool(c.supports_engaging),
                                  bool(c.runs_voice_applications), c.version >= 2 and bool(c.connects_on_request))


@dataclass(frozen=True)
class DialRequest:
    """A request to place one call."""
    call_id: int
    phone: str
    record_id: int = 0
    campaign_id: int = 0
    campaign: str = ""
    amd: AmdMode = AmdMode.DETECT_DROP
    ring_timeout_s: float = 25.0
    agent_id: str = ""
    voice_application: str = ""
    attributes: Dict[str, str] = field(default_factory=dict)
    caller_id: str = ""  # the number to present, E.164 ("": the network's default)
    # The campaign's call audio (CampaignOptions' fields of the same names); 0 or "": the driver's own.
    amd_initial_silence_s: float = 0.0
    amd_max_greeting_s: float = 0.0
    amd_after_greeting_silence_s: float = 0.0
    amd_max_words: int = 0
    amd_max_decision_s: float = 0.0
    amd_max_message_wait_s: float = 0.0
    abandon_message: str = ""
    machine_message: str = ""
    opt_out_digit: str = ""

    @staticmethod
    def from_c(c: _native.DialRequest) -> "DialRequest":
        """A copy of a C request (the C one is only valid during dial())."""
        attrs = {_native.text(c.attribute_names[i]): _native.text(c.attribute_values[i])
                 for i in range(c.attribute_count)}
        # An older library's request ends before caller_id (version 1) or the call audio (version 2).
        caller_id = _native.text(c.caller_id) if c.version >= 2 else ""
        audio: Dict[str, Any] = {}
        if c.version >= 3:
            audio = dict(amd_initial_silence_s=c.amd_initial_silence_ms / 1000.0,
                         amd_max_greeting_s=c.amd_max_greeting_ms / 1000.0,
                         amd_after_greeting_silence_s=c.amd_after_greeting_silence_ms / 1000.0,
                         amd_max_words=c.amd_max_words, amd_max_decision_s=c.amd_max_decision_ms / 1000.0,
                         amd_max_message_wait_s=c.amd_max_message_wait_ms / 1000.0,
                         abandon_message=_native.text(c.abandon_message),
                         machine_message=_native.text(c.machine_message),
                         opt_out_digit=chr(c.opt_out_digit) if c.opt_out_digit else "")
        return DialRequest(c.call_id, _native.text(c.phone), c.record_id, c.campaign_id, _native.text(c.campaign),
                           AmdMode(c.amd), c.ring_timeout_ms / 1000.0, _native.text(c.agent_id),
                           _native.text(c.voice_application), attrs, caller_id, **audio)


class EventSink:
    """Where a driver reports call events and agent states; callable from any thread.

    Each method raises InvalidStateError outside start()..stop() and BadHandleError once the driver is gone."""

    def __init__(self, handle: int) -> None:
        self._h = handle

    def call_event(self, kind: CallEventKind, call_id: int, *, answer: AnswerClass = AnswerClass.UNKNOWN,
                   agent_id: Optional[str] = None, result: CallResult = CallResult.UNKNOWN,
                   detail: Optional[str] = None, at: Optional[Instant] = None, message_left: bool = False) -> None:
        """Reports a step of call `call_id` (`at` defaults to the engine clock's now; `message_left`, for
        released: the campaign's machine_message was left on the machine)."""
        e = _native.CallEvent(_native.CALL_EVENT_VERSION, int(kind), call_id, 0 if at is None else to_ms(at),
                              int(answer), _native.cstr(agent_id), int(result), _native.cstr(detail),
                              int(message_left))
        check(_lib.ob_event_sink_call_event(self._h, ctypes.byref(e)))

    def dialing(self, call_id: int) -> None:
        """The network accepted the call."""
        self.call_event(CallEventKind.DIALING, call_id)

    def ringing(self, call_id: int) -> None:
        """The far end rings."""
        self.call_event(CallEventKind.RINGING, call_id)

    def answered(self, call_id: int, answer: AnswerClass = AnswerClass.LIVE) -> None:
        """The far end answered (live, machine, fax, silence)."""
        self.call_event(CallEventKind.ANSWERED, call_id, answer=answer)

    def connected(self, call_id: int, agent_id: str) -> None:
        """The call was joined to an agent."""
        self.call_event(CallEventKind.CONNECTED, call_id, agent_id=agent_id)

    def connect_failed(self, call_id: int, agent_id: str, detail: Optional[str] = None) -> None:
        """connect() could not reach `agent_id` (rejected, no answer in time); the call still waits for an agent."""
        self.call_event(CallEventKind.CONNECT_FAILED, call_id, agent_id=agent_id, detail=detail)

    def abandoned(self, call_id: int) -> None:
        """A live answer no agent took."""
        self.call_event(CallEventKind.ABANDONED, call_id)

    def released(self, call_id: int, result: CallResult, detail: Optional[str] = None,
                 message_left: bool = False) -> None:
        """The call is over, with its result (`message_left`: a message was left on the machine)."""
        self.call_event(CallEventKind.RELEASED, call_id, result=result, detail=detail, message_left=message_left)

    def agent_state(self, agent_id: str, state: AgentState, at: Optional[Instant] = None) -> None:
        """An agent's state changed (drivers whose network knows agents)."""
        e = _native.AgentEvent(_native.VERSION, _native.cstr(agent_id), int(state), 0 if at is None else to_ms(at))
        check(_lib.ob_event_sink_agent_event(self._h, ctypes.byref(e)))


class Driver:
    """Base class of drivers written in Python. Override dial() and cancel() at least.

    The engine calls every method on its loop's thread, one at a time."""

    #: short name for logs
    name: str = "python"

    def capabilities(self) -> DriverCapabilities:
        """What the driver can do (asked once, when a campaign takes the driver)."""
        return DriverCapabilities()

    def start(self, sink: EventSink) -> None:
        """Starts: report events to `sink` until stop() returns. Keeps it as self.sink."""
        self.sink = sink

    def dial(self, request: DialRequest) -> None:
        """Places a call; report its events for request.call_id through the sink."""
        raise NotImplementedError(f"{type(self).__name__} has no dial(): a Driver subclass must define dial(request)")

    def cancel(self, call_id: int) -> None:
        """Cancels a call not yet connected; report it released. Unknown ids are ignored."""
        raise NotImplementedError(f"{type(self).__name__} has no cancel(): a Driver subclass must define cancel(call_id)")

    def connect(self, call_id: int, agent_id: str) -> None:
        """Joins answered call `call_id`, waiting for an agent, to `agent_id`'s line (drivers whose
        capabilities say connects_on_request); report connected or connect_failed through the sink.

        Raise InvalidStateError for a call not waiting, NotFoundError for an agent you cannot reach.
        The default raises UnsupportedError."""
        raise UnsupportedError(f"{self.name} cannot connect call {call_id} to agent {agent_id} on request")

    def transfer(self, call_id: int, destination: str) -> None:
        """Sends answered call `call_id` (a machine, fax or silence whose treatment rule says connect or
        transfer) to `destination`; report it released when it ends. The default raises UnsupportedError
        (the engine reports it and leaves the call to the driver)."""
        raise UnsupportedError(f"{self.name} cannot transfer call {call_id} to {destination}")

    def release_abandoned(self, call_id: int) -> None:
        """Plays the abandonment message to a live call no agent took, then releases it (result abandoned)."""
        self.cancel(call_id)

    def stop(self) -> None:
        """Stops: release the calls in flight; the sink refuses events once this returns."""

    def destroy(self) -> None:
        """Called once when the engine lets go of the driver (after a campaign using it is freed)."""


# --- the trampolines: C calls these with the registry key as user_data ---------------------

_lock = threading.Lock()
_drivers: Dict[int, Driver] = {}
_keys = itertools.count(1)


def _call(user_data: Optional[int], fn: Callable[[Driver], Any]) -> int:
    with _lock:
        driver = _drivers.get(user_data or 0)
    if driver is None:
        _lib.ob_error_set(int(Status.BAD_HANDLE), b"the Python driver is gone")
        return int(Status.BAD_HANDLE)
    try:
        fn(driver)
        return 0
    except OutboundError as e:
        _lib.ob_error_set(int(e.code), _native.cstr(f"{driver.name}: {e.message}"))
        return int(e.code) if int(e.code) < 0 else int(Status.DRIVER)
    except BaseException as e:  # noqa: B036 - nothing may cross into C
        _lib.ob_error_set(int(Status.DRIVER), _native.cstr(f"{driver.name}: {type(e).__name__}: {e}"))
        return int(Status.DRIVER)


def _destroy(user_data: Optional[int]) -> None:
    with _lock:
        driver = _drivers.pop(user_data or 0, None)
    if driver is not None:
        try:
            driver.destroy()
        except BaseException:  # noqa: B036
            pass


def _capabilities(user_data: Optional[int], out: Any) -> int:
    def fill(d: Driver) -> None:
        c = d.capabilities()
        o = out.contents
        o.kind = int(c.kind)
        o.max_concurrent_calls = int(c.max_concurrent_calls)
        o.reports_agent_states = int(c.reports_agent_states)
        o.routes_to_agents = int(c.routes_to_agents)
        o.detects_machines = int(c.detects_machines)
        o.supports_engaging = int(c.supports_engaging)
        o.runs_voice_applications = int(c.runs_voice_applications)
        if o.version >= 2:
            o.connects_on_request = int(c.connects_on_request)
    return _call(user_data, fill)


_TRAMPOLINES = dict(
    destroy=_native.DESTROY_FN(_destroy),
    capabilities=_native.CAPABILITIES_FN(_capabilities),
    start=_native.START_FN(lambda ud, sink: _call(ud, lambda d: d.start(EventSink(sink)))),
    dial=_native.DIAL_FN(lambda ud, rq: _call(ud, lambda d: d.dial(DialRequest.from_c(rq.contents)))),
    cancel=_native.CALL_FN(lambda ud, call_id: _call(ud, lambda d: d.cancel(call_id))),
    release_abandoned=_native.CALL_FN(lambda ud, call_id: _call(ud, lambda d: d.release_abandoned(call_id))),
    stop=_native.STOP_FN(lambda ud: _call(ud, lambda d: d.stop())),
    connect=_native.CONNECT_FN(lambda ud, call_id, agent: _call(ud, lambda d: d.connect(call_id, _native.text(agent)))),
    transfer=_native.CONNECT_FN(lambda ud, call_id, to: _call(ud, lambda d: d.transfer(call_id, _native.text(to)))),
)


def new_c_driver(driver: Driver) -> ctypes.c_void_p:
    """A C driver handle over `driver` (the caller frees it once a campaign holds the driver)."""
    key = next(_keys)
    with _lock:
        _drivers[key] = driver
    cls = _native.DriverClass(version=_native.DRIVER_CLASS_VERSION, name=_native.cstr(driver.name), **_TRAMPOLINES)
    h = ctypes.c_void_p()
    check(_lib.ob_driver_new(ctypes.byref(h), ctypes.byref(cls), key))  # on failure destroy already ran
    return h


def live_python_drivers() -> int:
    """How many Python driver adapters the library still holds (for tests)."""
    with _lock:
        return len(_drivers)
