"""Campaign groups: options, control, agents, statistics, events, and the
agent desktop requests (preview, processed, reschedule, do-not-call…)."""

from __future__ import annotations

import ctypes
import warnings
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from . import _native
from ._handle import Handle
from .call_log import CallLog
from .calling_list import CallingList
from .dnc import DncList
from .driver import Driver, new_c_driver
from .engine import Engine, Instant, Span, span_ms, to_ms
from .enums import (AgentState, AmdMode, CallbackKind, CallResult, CampaignState, DialMode, DncScope, EventKind,
                    Goal, coerce)
from .errors import InvalidArgumentError, check
from .records import CRecords, Record
from .sim import SimDriver
from .treatment import CTreatments, Treatment

_lib = _native.lib


@dataclass
class ContactLimit:
    """At most `max_calls` dials of one number within any `window_s` seconds (e.g. 3 in 24 hours),
    counted over every campaign and list sharing the call log."""
    max_calls: int = 3
    """Dials allowed in the window (at least 1)."""
    window_s: Span = 24 * 3600.0
    """The rolling window, in seconds (or a timedelta)."""


@dataclass
class PreDialRequest:
    """What the pre-dial check is asked about: a record the gate let through, about to be dialed."""
    campaign: str
    """Campaign group name."""
    list: str
    """Calling list (table) of the record."""
    phone: str
    """The number to dial (E.164 when it reads as one)."""
    record: Record
    """The record's fields, custom fields included."""


@dataclass
class CampaignOptions:
    """How a campaign group dials (the C struct ob_campaign_options).

    Give the fields by name: new ones are added at the end. Enumerations take a member, its name as a
    string ("predictive") or its number. Durations (the fields ending in _s) take seconds or a
    timedelta; Campaign.options gives them back as seconds."""

    name: str = "campaign"
    """Unique name of the campaign group on its engine."""
    campaign_id: int = 1
    """The campaign_id written on records the campaign adds (a C int)."""
    mode: DialMode = DialMode.PROGRESSIVE
    """Dialing mode (DialMode or its name: "predictive", "progressive", "preview", …)."""
    goal: Goal = Goal.OVERDIAL_RATE
    """What predictive pacing optimises (Goal or its name)."""
    target: float = 0.03
    """The goal's target: a rate (0.03 = 3 %) for overdial_rate and busy_factor, seconds for wait_time
    and distribution_time."""
    pacer: Optional[str] = None
    """Pacer name: None or "outbound" for ours, or a baseline for comparisons ("fixed_ratio", …)."""
    ratio: float = 1.0
    """Progressive modes: lines dialed per ready agent."""
    ports: int = 0
    """GVP ports, or a channel limit (0: the driver's own limit)."""
    chunk_size: int = 100
    """Records taken from the list per retrieval."""
    low_water: int = 0
    """Retrieve again when fewer records than this are buffered (0: chunk_size / 2)."""
    tick_s: Span = 1.0
    """Pacing and housekeeping period, in seconds (or a timedelta)."""
    flush_interval_s: Span = 1.0
    """How often results are written back to the list, in seconds."""
    empty_list_backoff_s: Span = 30.0
    """How long to wait before asking an empty list again, in seconds."""
    abandon_after_s: Span = 2.0
    """A live answer with no agent after this many seconds is abandoned (the US and UK rules say 2)."""
    abandon_cap_rate: float = 0.03
    """The regulatory abandon cap: at most this share of live answers abandoned (0..1)."""
    abandon_cap_window_s: Span = 30 * 24 * 3600.0
    """The window the cap is measured over, in seconds (30 days in the US, 24 hours in the UK)."""
    amd: AmdMode = AmdMode.DETECT_DROP
    """Answering machine handling (AmdMode or its name)."""
    ring_timeout_s: Span = 25.0
    """Ring this many seconds before giving up with no_answer (at least 15)."""
    customer_id_field: Optional[str] = None
    """Custom field of the list holding the customer id checked against the DNC list (None: none)."""
    voice_application: Optional[str] = None
    """GVP: the voice application each answered call runs (None: none)."""
    treatments: Sequence[Treatment] = ()
    """What to do after each call result (Treatment rules)."""
    zones: Dict[str, str] = field(default_factory=dict)
    """Calling-window zones: zone key ("1" for tz_dbid 1, or a zone column value) -> IANA zone name.
    Empty: no calling windows are enforced."""
    window: Optional["tuple[int, int]"] = None
    """Campaign-wide calling window (from, till) in seconds after local midnight, or None."""
    zone_column: Optional[str] = None
    """List column holding each record's zone key (None: tz_dbid)."""
    wait_for_desktop: bool = False
    """A connected record waits for the desktop's record_processed before it is finished."""
    desktop_timeout_s: Span = 600.0
    """Then it is finished with the network's result after this many seconds."""
    callback_wait_s: Span = 300.0
    """How long a due personal callback waits for its agent, in seconds."""
    abandoned_redial_lockout_s: Span = 0.0
    """No redial of a number whose call was abandoned sooner than this, in seconds (UK: 72 hours; 0: off)."""
    auto_complete: bool = False
    """Stop and unload once no record is left to dial."""
    caller_id: str = ""
    """Number presented to the called party, as typed; E.164 once loaded ("": the network's default)."""
    # Fields added after 0.2 go at the end, so positional construction keeps its meaning.
    pace_interval_s: Span = 0.25
    """At most one pacing decision per this many seconds; events in between wait."""
    max_attempts: int = 0
    """Never dial a record more often than this (0: no cap)."""
    abandon_cap_amd_false_positive: float = 0.0
    """Estimated share of machine detections that were people (0..1), counted as abandoned (UK)."""
    agent_answer_timeout_s: Span = 3.0
    """Engine routing (drivers with connects_on_request): an agent whose connect the driver neither
    completes nor fails within this many seconds is put not ready and the call abandoned (0: wait for the driver)."""
    # The call audio, sent to the driver with every dial; 0 or None: the driver's own (docs/campaigns.md).
    amd_initial_silence_s: Span = 0.0
    """AMD: no voice this many seconds after the answer means silence (0.5..30; 0: the driver's own)."""
    amd_max_greeting_s: Span = 0.0
    """AMD: a greeting still going this many seconds after it began is a machine (0.2..30; 0: the driver's own)."""
    amd_after_greeting_silence_s: Span = 0.0
    """AMD: quiet this many seconds after a shorter greeting means a person (0.1..10; 0: the driver's own)."""
    amd_max_words: int = 0
    """AMD: more words than this in the greeting means a machine (1..100; 0: the driver's own)."""
    amd_max_decision_s: Span = 0.0
    """AMD: undecided after this many seconds, it decides on what it heard (0.5..60; 0: the driver's own)."""
    amd_max_message_wait_s: Span = 0.0
    """A machine's message starts by this many seconds after the answer, beep or not (1..120; 0: the driver's own)."""
    abandon_message: Optional[str] = None
    """WAV file (8 or 16 kHz mono 16-bit) played to a live callee no agent took (None: the driver's own)."""
    machine_message: Optional[str] = None
    """WAV file left on an answering machine after its beep, under detect_connect (None: the driver's own)."""
    opt_out_digit: str = ""
    """The key ("0"-"9", "*", "#") that puts the number on the DNC list during the abandon message ("": the driver's own)."""
    contact_limits: Sequence[ContactLimit] = ()
    """Per-number dial limits over rolling windows, across campaigns and lists, counted from the call log
    (the campaign then needs one); a number at a limit waits until its oldest dial leaves the window."""
    # Load checks and no-call days (issue 17).
    unknown_zones: str = "refuse"
    """Records whose zone key (tz_dbid or zone column value) the zones lack: "refuse" (load fails, naming
    each key and its record count), "from_numbers" (zoned by their number) or "errors" (final dial errors)."""
    no_call_days: Sequence[str] = ()
    """Days not to call: local dates "YYYY-MM-DD" or weekdays "sun".."sat", in every zone, or in one zone as
    "America/New_York:2026-07-04"; a record waits for a day that is a no-call day in none of its zones (needs zones)."""

    def __post_init__(self) -> None:
        self.mode = coerce(DialMode, self.mode, "mode")
        self.goal = coerce(Goal, self.goal, "goal")
        self.amd = coerce(AmdMode, self.amd, "amd")
        if self.unknown_zones not in _UNKNOWN_ZONES:
            raise InvalidArgumentError(f"unknown_zones = {self.unknown_zones!r} is no choice; one of: "
                                       + ", ".join(_UNKNOWN_ZONES))
        if isinstance(self.no_call_days, str) or not all(isinstance(d, str) for d in self.no_call_days):
            raise InvalidArgumentError(f"no_call_days = {self.no_call_days!r} must be a list of strings, "
                                       'e.g. ["2026-12-25", "sun", "America/New_York:2026-07-04"]')


@dataclass
class CampaignStats:
    """Counters and averages of a campaign group."""
    dials: int = 0
    """Calls placed."""
    live_answers: int = 0
    """Calls answered by a person."""
    connected: int = 0
    """Live answers joined to an agent."""
    abandoned: int = 0
    """Live answers no agent took in time."""
    machines: int = 0
    """Calls an answering machine took."""
    busy: int = 0
    """Busy results."""
    no_answer: int = 0
    """Calls that rang out."""
    sit: int = 0
    """SIT tone results."""
    other_results: int = 0
    """Any other call result."""
    dnc_blocked: int = 0
    """Records not dialed because of the DNC list."""
    window_deferred: int = 0
    """Chains put back because their calling window was closed."""
    record_errors: int = 0
    """Records made final as errors (bad phone, unknown zone, malformed row)."""
    driver_errors: int = 0
    """Dials the driver refused."""
    records_finalized: int = 0
    """Records made final."""
    records_rescheduled: int = 0
    """Records given a later dial time."""
    abandon_rate: float = 0.0
    """Abandoned / live answers over the run (0..1)."""
    window_abandon_rate: float = 0.0
    """Abandoned / live answers over the abandon cap's window (0..1)."""
    window_live_answers: int = 0
    """Live answers inside the abandon cap's window."""
    agent_occupancy: float = 0.0
    """Busy factor of the agents over the run (0..1)."""
    agent_wait_mean_s: float = 0.0
    """Mean agent wait between calls, in seconds."""
    distribution_time_mean_s: float = 0.0
    """Mean answer-to-agent time of connected calls, in seconds."""
    agents_logged_in: int = 0
    """Agents logged in now."""
    calls_in_flight: int = 0
    """Calls the driver holds now."""
    records_buffered: int = 0
    """Records held in the buffer now."""
    lockout_deferred: int = 0
    """Chains rescheduled: their number's last call was abandoned within the redial lockout."""
    answered_live: int = 0
    """Answers the driver classified as a person."""
    answered_machine: int = 0
    """Answers classified as answering machines."""
    answered_fax: int = 0
    """Answers classified as fax."""
    answered_silence: int = 0
    """Answers classified as silence (dead air)."""
    answered_unknown: int = 0
    """Answers the driver could not classify (treated as a person)."""
    messages_left: int = 0
    """Messages left on answering machines."""
    contact_deferred: int = 0
    """Chains rescheduled: their number reached a contact limit."""
    predial_vetoed: int = 0
    """Records the pre-dial check vetoed (closed undialed with its result)."""
    chains_held: int = 0
    """Chains held until a record of theirs scheduled later (a callback, a reschedule) was due."""


@dataclass
class CampaignEvent:
    """What a campaign tells its subscribers."""
    kind: EventKind
    """What happened (docs/events.md has a row for each kind)."""
    campaign: str
    """The campaign group's name."""
    record_id: int = 0
    """The record concerned (0: none)."""
    result: CallResult = CallResult.UNKNOWN
    """For call_finished and written: the call result."""
    message: str = ""
    """What happened, in words; never empty."""
    agent_id: str = ""
    """Desktop events: the agent it is for ("" otherwise)."""
    handle: int = 0
    """Desktop events: the record handle (0 otherwise)."""
    record: Optional[Record] = None
    """Desktop events and dialing: the record's fields (None otherwise)."""


@dataclass
class DesktopRecord:
    """A record handed to an agent's desktop; `handle` names it in requests."""
    handle: int
    """Names the record in desktop requests."""
    campaign: str
    """The campaign group's name."""
    list: str
    """The calling list (table) it comes from."""
    agent_id: str
    """The agent who holds it."""
    record: Record
    """The record's fields, custom fields included."""

    @staticmethod
    def from_c(c: _native.DesktopRecord) -> "DesktopRecord":
        return DesktopRecord(c.handle, _native.text(c.campaign), _native.text(c.list), _native.text(c.agent_id),
                             Record.from_c(c.record))


_UNKNOWN_ZONES = ("refuse", "from_numbers", "errors")  # C's ob_unknown_zones codes, in order


def _options_to_c(o: CampaignOptions) -> "tuple[_native.CampaignOptions, List[Any]]":
    c = _native.CampaignOptions()
    check(_lib.ob_campaign_options_init(ctypes.byref(c), _native.CAMPAIGN_OPTIONS_VERSION))
    keep: List[Any] = []
    c.name = _native.cstr(o.name)
    c.campaign_id = o.campaign_id
    c.mode, c.goal, c.target = int(o.mode), int(o.goal), o.target
    c.pacer = _native.cstr(o.pacer)
    c.ratio, c.ports, c.chunk_size, c.low_water = o.ratio, o.ports, o.chunk_size, o.low_water
    c.tick_ms = span_ms(o.tick_s, "tick_s")
    c.pace_interval_ms = span_ms(o.pace_interval_s, "pace_interval_s")
    c.flush_interval_ms = span_ms(o.flush_interval_s, "flush_interval_s")
    c.empty_list_backoff_ms = span_ms(o.empty_list_backoff_s, "empty_list_backoff_s")
    c.abandon_after_ms = span_ms(o.abandon_after_s, "abandon_after_s")
    c.abandon_cap_rate = o.abandon_cap_rate
    c.abandon_cap_window_ms = span_ms(o.abandon_cap_window_s, "abandon_cap_window_s")
    c.abandon_cap_amd_false_positive = o.abandon_cap_amd_false_positive
    c.amd = int(o.amd)
    c.ring_timeout_ms = span_ms(o.ring_timeout_s, "ring_timeout_s")
    c.customer_id_field = _native.cstr(o.customer_id_field)
    c.voice_application = _native.cstr(o.voice_application)
    rules = CTreatments(o.treatments)
    keep.append(rules)
    c.treatment_count, c.treatments = rules.count, rules.pointer
    if o.zones:
        zones = (_native.Zone * len(o.zones))(*[_native.Zone(_native.cstr(k), _native.cstr(v))
                                                   for k, v in o.zones.items()])
        keep.append(zones)
        c.zone_count = len(o.zones)
        c.zones = ctypes.cast(zones, ctypes.POINTER(_native.Zone))
    if o.window is not None:
        c.window_from_s, c.window_till_s = o.window
    c.zone_column = _native.cstr(o.zone_column)
    c.wait_for_desktop = int(o.wait_for_desktop)
    c.desktop_timeout_ms = span_ms(o.desktop_timeout_s, "desktop_timeout_s")
    c.callback_wait_ms = span_ms(o.callback_wait_s, "callback_wait_s")
    c.abandoned_redial_lockout_ms = span_ms(o.abandoned_redial_lockout_s, "abandoned_redial_lockout_s")
    c.auto_complete = int(o.auto_complete)
    c.caller_id = _native.cstr(o.caller_id or None)
    c.max_attempts = o.max_attempts
    c.agent_answer_timeout_ms = span_ms(o.agent_answer_timeout_s, "agent_answer_timeout_s")
    c.amd_initial_silence_ms = span_ms(o.amd_initial_silence_s, "amd_initial_silence_s")
    c.amd_max_greeting_ms = span_ms(o.amd_max_greeting_s, "amd_max_greeting_s")
    c.amd_after_greeting_silence_ms = span_ms(o.amd_after_greeting_silence_s, "amd_after_greeting_silence_s")
    c.amd_max_words = o.amd_max_words
    c.amd_max_decision_ms = span_ms(o.amd_max_decision_s, "amd_max_decision_s")
    c.amd_max_message_wait_ms = span_ms(o.amd_max_message_wait_s, "amd_max_message_wait_s")
    c.abandon_message = _native.cstr(o.abandon_message or None)
    c.machine_message = _native.cstr(o.machine_message or None)
    c.opt_out_digit = _digit_code(o.opt_out_digit)
    if o.contact_limits:
        limits = (_native.ContactLimit * len(o.contact_limits))(
            *[_native.ContactLimit(lim.max_calls, span_ms(lim.window_s, f"contact_limits[{i}].window_s"))
              for i, lim in enumerate(o.contact_limits)])
        keep.append(limits)
        c.contact_limit_count = len(o.contact_limits)
        c.contact_limits = ctypes.cast(limits, ctypes.POINTER(_native.ContactLimit))
    c.unknown_zones = _UNKNOWN_ZONES.index(o.unknown_zones)
    if o.no_call_days:
        days = (ctypes.c_char_p * len(o.no_call_days))(*[d.encode() for d in o.no_call_days])
        keep.append(days)
        c.no_call_day_count = len(o.no_call_days)
        c.no_call_days = ctypes.cast(days, _native.c_char_p_p)
    return c, keep


def _digit_code(digit: str) -> int:
    """The C opt_out_digit of a one-character key ("" -> 0); the library checks which keys are allowed."""
    if not isinstance(digit, str) or len(digit) > 1:
        raise InvalidArgumentError(f"opt_out_digit must be one key: 0-9, * or # (or \"\"), not {digit!r}")
    return ord(digit) if digit else 0


def _options_from_c(c: _native.CampaignOptions) -> CampaignOptions:
    """The Python options of C options the library filled (durations back in seconds)."""
    zones = {_native.text(c.zones[i].key): _native.text(c.zones[i].iana) for i in range(c.zone_count)}
    return CampaignOptions(
        name=_native.text(c.name), campaign_id=c.campaign_id, mode=DialMode(c.mode), goal=Goal(c.goal),
        target=c.target, pacer=_native.text(c.pacer) or None, ratio=c.ratio, ports=c.ports,
        chunk_size=c.chunk_size, low_water=c.low_water, tick_s=c.tick_ms / 1000, pace_interval_s=c.pace_interval_ms / 1000,
        flush_interval_s=c.flush_interval_ms / 1000, empty_list_backoff_s=c.empty_list_backoff_ms / 1000,
        abandon_after_s=c.abandon_after_ms / 1000, abandon_cap_rate=c.abandon_cap_rate,
        abandon_cap_window_s=c.abandon_cap_window_ms / 1000,
        abandon_cap_amd_false_positive=c.abandon_cap_amd_false_positive, amd=AmdMode(c.amd),
        ring_timeout_s=c.ring_timeout_ms / 1000, customer_id_field=_native.text(c.customer_id_field) or None,
        voice_application=_native.text(c.voice_application) or None,
        treatments=[Treatment.from_c(c.treatments[i]) for i in range(c.treatment_count)], zones=zones,
        window=None if c.window_from_s < 0 else (c.window_from_s, c.window_till_s),
        zone_column=_native.text(c.zone_column) or None, wait_for_desktop=bool(c.wait_for_desktop),
        desktop_timeout_s=c.desktop_timeout_ms / 1000, callback_wait_s=c.callback_wait_ms / 1000,
        abandoned_redial_lockout_s=c.abandoned_redial_lockout_ms / 1000, auto_complete=bool(c.auto_complete),
        caller_id=_native.text(c.caller_id), max_attempts=c.max_attempts,
        agent_answer_timeout_s=c.agent_answer_timeout_ms / 1000,
        amd_initial_silence_s=c.amd_initial_silence_ms / 1000, amd_max_greeting_s=c.amd_max_greeting_ms / 1000,
        amd_after_greeting_silence_s=c.amd_after_greeting_silence_ms / 1000, amd_max_words=c.amd_max_words,
        amd_max_decision_s=c.amd_max_decision_ms / 1000, amd_max_message_wait_s=c.amd_max_message_wait_ms / 1000,
        abandon_message=_native.text(c.abandon_message) or None, machine_message=_native.text(c.machine_message) or None,
        opt_out_digit=chr(c.opt_out_digit) if c.opt_out_digit else "",
        contact_limits=[ContactLimit(c.contact_limits[i].max_calls, c.contact_limits[i].window_ms / 1000)
                        for i in range(c.contact_limit_count)],
        unknown_zones=_UNKNOWN_ZONES[c.unknown_zones],
        no_call_days=[_native.text(c.no_call_days[i]) for i in range(c.no_call_day_count)])


def _take_desktop(p: Any, n: int) -> List[DesktopRecord]:
    if not p:
        return []
    try:
        return [DesktopRecord.from_c(p[i]) for i in range(n)]
    finally:
        _lib.ob_desktop_records_free(p, n)


class Campaign(Handle):
    """A campaign group on an engine, made by Engine.add_campaign(). close() force-unloads it and
    removes it from the engine; closing the engine does the same for all its campaigns."""

    _free = _lib.ob_campaign_free

    def __new__(cls, engine: Engine, options: Optional[CampaignOptions] = None, **kwargs: Any) -> "Campaign":
        """Deprecated (0.3; goes in 0.4): Campaign(engine, ...) is engine.add_campaign(...)."""
        warnings.warn("Campaign(engine, ...) is deprecated: use engine.add_campaign(...)", DeprecationWarning,
                      stacklevel=2)
        return engine.add_campaign(options, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Campaigns are made by Engine.add_campaign()."""

    @classmethod
    def _open(cls, engine: Engine, options: Optional[CampaignOptions], driver: Union[Driver, SimDriver],
              dnc: Optional[DncList], overrides: Dict[str, Any]) -> "Campaign":
        """A new campaign on `engine` (Engine.add_campaign registers it)."""
        opts = options or CampaignOptions()
        if overrides:
            names = {f.name for f in fields(CampaignOptions)}
            unknown = set(overrides) - names
            if unknown:
                raise TypeError(f"unknown campaign options: {', '.join(sorted(unknown))}")
            opts = CampaignOptions(**{**{f.name: getattr(opts, f.name) for f in fields(CampaignOptions)},
                                      **overrides})
        c, keep = _options_to_c(opts)
        own_driver = None
        if isinstance(driver, Driver):
            own_driver = new_c_driver(driver)  # the campaign holds the adapter; our handle goes below
            driver_handle = own_driver
        else:
            driver_handle = driver._h
        h = ctypes.c_void_p()
        try:
            check(_lib.ob_campaign_new(ctypes.byref(h), engine._h, ctypes.byref(c), driver_handle,
                                       dnc._h if dnc is not None else None))
        finally:
            if own_driver is not None:
                _lib.ob_driver_free(own_driver)
        del keep
        self = object.__new__(cls)
        self.engine = engine
        Handle.__init__(self, h)
        self.name = opts.name
        self.driver = driver
        self.dnc = dnc
        self.call_log: Optional[CallLog] = None
        self._lists: List[CallingList] = []
        self._handlers: List[Callable[[CampaignEvent], None]] = []
        self._event_cb: Any = None
        self._pre_dial: Optional[Callable[[PreDialRequest], Optional[CallResult]]] = None
        self._pre_dial_cb: Any = None
        return self

    # The C campaign goes with its engine: once the engine is closed the handle is dead.
    @property
    def _h(self) -> Optional[ctypes.c_void_p]:
        engine = self.__dict__.get("engine")
        return None if engine is None or engine.closed else self.__dict__.get("_handle")

    @_h.setter
    def _h(self, handle: Optional[ctypes.c_void_p]) -> None:
        self.__dict__["_handle"] = handle

    @property
    def options(self) -> CampaignOptions:
        """The options the campaign runs with: defaults filled in, the current mode, goal, target and
        treatments, caller_id in E.164 once loaded."""
        c = _native.CampaignOptions(version=_native.CAMPAIGN_OPTIONS_VERSION)
        check(_lib.ob_campaign_options_get(ctypes.byref(c), self._h))
        try:
            return _options_from_c(c)  # ours alone until freed, whatever other threads do
        finally:
            _lib.ob_campaign_options_free(ctypes.byref(c))

    # --- events -----------------------------------------------------------------------
    def on_event(self, handler: Callable[[CampaignEvent], None]) -> None:
        """Calls `handler(event)` on the loop's thread for each campaign event."""
        self._handlers.append(handler)
        if self._event_cb is not None:
            return
        engine = self.engine

        def trampoline(_: Optional[int], p: Any) -> None:
            try:
                e = p.contents
                event = CampaignEvent(EventKind(e.kind), _native.text(e.campaign), e.record_id, CallResult(e.result),
                                      _native.text(e.message), _native.text(e.agent_id), e.handle,
                                      Record.from_c(e.record.contents) if e.record else None)
                for h in list(self._handlers):
                    h(event)
            except BaseException as ex:  # noqa: B036
                engine._callback_failed(ex)

        cb = _native.EVENT_CB(trampoline)
        check(_lib.ob_campaign_set_event_callback(self._h, cb, None))
        self._event_cb = cb

    # --- the pre-dial check -------------------------------------------------------------
    @property
    def pre_dial_check(self) -> Optional[Callable[[PreDialRequest], Optional[CallResult]]]:
        """The host's check before each dial (OCS pre-dial validation), or None. Called on the loop's
        thread with a PreDialRequest: None lets the dial go; a CallResult (or its name) vetoes it and
        the record is closed with that result through the treatments, undialed. A check that raises
        fails closed: the record is closed as dial_error, undialed, and the exception is raised from
        the engine's run_until()/poll()."""
        return self._pre_dial

    @pre_dial_check.setter
    def pre_dial_check(self, check_fn: Optional[Callable[[PreDialRequest], Optional[CallResult]]]) -> None:
        if check_fn is None:
            check(_lib.ob_campaign_set_pre_dial_callback(self._h, _native.PRE_DIAL_CB(), None))
            self._pre_dial, self._pre_dial_cb = None, None
            return
        engine = self.engine

        def trampoline(_: Optional[int], p: Any) -> int:
            try:
                q = p.contents
                answer = check_fn(PreDialRequest(_native.text(q.campaign), _native.text(q.list), _native.text(q.phone),
                                                 Record.from_c(q.record.contents)))
                return 0 if answer is None else int(coerce(CallResult, answer, "pre-dial check result"))
            except BaseException as ex:  # noqa: B036
                engine._callback_failed(ex)
                return -1  # no result code: the engine fails closed (no dial, dial_error)

        cb = _native.PRE_DIAL_CB(trampoline)
        check(_lib.ob_campaign_set_pre_dial_callback(self._h, cb, None))
        self._pre_dial, self._pre_dial_cb = check_fn, cb

    # --- control ------------------------------------------------------------------------
    def add_list(self, calling_list: CallingList, share: float = 1.0) -> None:
        """Adds a list to dial with a relative share."""
        check(_lib.ob_campaign_add_list(self._h, calling_list._h, share))
        self._lists.append(calling_list)

    def set_call_log(self, log: CallLog) -> None:
        """Logs every call to `log`, before load (InvalidStateError after); the campaign shares the log."""
        check(_lib.ob_campaign_set_call_log(self._h, log._h))
        self.call_log = log

    def load(self) -> None:
        """Loads: recovers records a crashed run left retrieved, starts the driver."""
        check(_lib.ob_campaign_load(self._h))

    def start(self) -> None:
        """Starts dialing."""
        check(_lib.ob_campaign_start(self._h))

    def stop(self) -> None:
        """Stops dialing; calls in flight finish and are written back."""
        check(_lib.ob_campaign_stop(self._h))

    def unload(self) -> None:
        """Unloads once calls in flight have finished."""
        check(_lib.ob_campaign_unload(self._h))

    def force_unload(self) -> None:
        """Unloads now: calls in flight are cancelled."""
        check(_lib.ob_campaign_force_unload(self._h))

    def set_mode(self, mode: Union[DialMode, str], goal: Union[Goal, str] = Goal.NONE, target: float = 0.0) -> None:
        """Switches mode, goal and target (preview <-> autonomous needs a stop first)."""
        check(_lib.ob_campaign_set_mode(self._h, int(coerce(DialMode, mode, "mode")), int(coerce(Goal, goal, "goal")),
                                        target))

    def set_treatments(self, rules: Sequence[Treatment]) -> None:
        """Replaces the treatments; calls under way keep theirs."""
        c = CTreatments(rules)
        check(_lib.ob_campaign_set_treatments(self._h, c.pointer, c.count))

    def set_agent_state(self, agent_id: str, state: Union[AgentState, str]) -> None:
        """Sets an agent's state (hosts whose driver does not report agents)."""
        check(_lib.ob_campaign_set_agent_state(self._h, _native.cstr(agent_id),
                                               int(coerce(AgentState, state, "state"))))

    def agent_state(self, agent_id: str) -> AgentState:
        """An agent's state (NotFoundError for an agent never seen)."""
        out = ctypes.c_int()
        check(_lib.ob_campaign_agent_state(ctypes.byref(out), self._h, _native.cstr(agent_id)))
        return AgentState(out.value)

    @property
    def state(self) -> CampaignState:
        """The campaign's state."""
        out = ctypes.c_int()
        check(_lib.ob_campaign_state_get(ctypes.byref(out), self._h))
        return CampaignState(out.value)

    @property
    def mode(self) -> DialMode:
        """The dialing mode."""
        out = ctypes.c_int()
        check(_lib.ob_campaign_mode(ctypes.byref(out), self._h))
        return DialMode(out.value)

    def stats(self) -> CampaignStats:
        """Counters so far."""
        c = _native.CampaignStats(version=_native.CAMPAIGN_STATS_VERSION)
        check(_lib.ob_campaign_stats_get(ctypes.byref(c), self._h))
        return CampaignStats(**{f.name: getattr(c, f.name) for f in fields(CampaignStats)})

    @property
    def calls_in_flight(self) -> int:
        """Calls the driver holds now."""
        out = ctypes.c_size_t()
        check(_lib.ob_campaign_calls_in_flight(ctypes.byref(out), self._h))
        return out.value

    def flush(self) -> None:
        """Writes pending results back now."""
        check(_lib.ob_campaign_flush(self._h))

    def finish(self, timeout: Span = 3600.0) -> int:
        """Ends the campaign: stops dialing, lets the calls in flight end (at most `timeout`, a timedelta
        or seconds of engine time, up to 36,500 days), unloads, and returns once it is not loaded. Calls
        still up at the timeout are cancelled; returns how many. Runs the engine's loop on this thread
        (on a real clock too: it blocks until the calls end, up to `timeout`), or waits for the engine's
        own thread. Closing the campaign or the engine from another thread meanwhile makes it raise
        BadHandleError."""
        out = ctypes.c_size_t()
        rc = _lib.ob_campaign_finish(ctypes.byref(out), self._h, span_ms(timeout, "timeout"))
        self.engine._raise_callback_error()
        check(rc)
        return out.value

    # --- desktop requests -----------------------------------------------------------------
    def preview_record(self, agent_id: str) -> Optional[DesktopRecord]:
        """Preview modes: the next record for the agent, or None when there is none now."""
        p = ctypes.POINTER(_native.DesktopRecord)()
        check(_lib.ob_desktop_preview_record(ctypes.byref(p), self._h, _native.cstr(agent_id)))
        return _take_desktop(p, 1)[0] if p else None

    def chained_record(self, agent_id: str, handle: int) -> Optional[DesktopRecord]:
        """The next record of the chain of `handle`, or None at the chain's end."""
        p = ctypes.POINTER(_native.DesktopRecord)()
        check(_lib.ob_desktop_chained_record(ctypes.byref(p), self._h, _native.cstr(agent_id), handle))
        return _take_desktop(p, 1)[0] if p else None

    def add_record(self, agent_id: str, record: Record) -> int:
        """Adds a record to the campaign's first list; returns its record_id."""
        c = CRecords([record])
        out = ctypes.c_int64()
        check(_lib.ob_desktop_add_record(ctypes.byref(out), self._h, _native.cstr(agent_id), c.pointer))
        return out.value

    def update_call_result(self, agent_id: str, handle: int, result: Union[CallResult, str]) -> None:
        """Interim: sets the call result the record will carry."""
        check(_lib.ob_desktop_update_call_result(self._h, _native.cstr(agent_id), handle,
                                                 int(coerce(CallResult, result, "result"))))

    def record_processed(self, agent_id: str, handle: int, result: Union[CallResult, str, None] = None) -> None:
        """Final: the record is done with `result` (None: the network's); treatments apply."""
        code = -1 if result is None else int(coerce(CallResult, result, "result"))
        check(_lib.ob_desktop_record_processed(self._h, _native.cstr(agent_id), handle, code))

    def record_reject(self, agent_id: str, handle: int) -> None:
        """Preview: the agent will not dial this record; it returns to ready."""
        check(_lib.ob_desktop_record_reject(self._h, _native.cstr(agent_id), handle))

    def record_cancel(self, agent_id: str, handle: int) -> None:
        """The record is cancelled and not dialed again."""
        check(_lib.ob_desktop_record_cancel(self._h, _native.cstr(agent_id), handle))

    def record_reschedule(self, agent_id: str, handle: int, at: Instant,
                          kind: Union[CallbackKind, str] = CallbackKind.PERSONAL) -> None:
        """Calls the record back at `at` (a datetime, or epoch seconds; ahead and inside its window;
        the list keeps whole seconds)."""
        check(_lib.ob_desktop_record_reschedule_ms(self._h, _native.cstr(agent_id), handle, to_ms(at, "at"),
                                                   int(coerce(CallbackKind, kind, "kind"))))

    def scheduled_record_reschedule(self, agent_id: str, record_id: int, at: Instant,
                                    kind: Union[CallbackKind, str] = CallbackKind.PERSONAL) -> None:
        """Moves an already scheduled record (by record_id) to `at` (a datetime, or epoch seconds)."""
        check(_lib.ob_desktop_scheduled_record_reschedule_ms(self._h, _native.cstr(agent_id), record_id,
                                                             to_ms(at, "at"), int(coerce(CallbackKind, kind, "kind"))))

    def do_not_call(self, agent_id: str, handle: int, scope: Union[DncScope, str] = DncScope.RECORD,
                    message: str = "") -> None:
        """Puts the record's number (or its chain and customer id) on the DNC list."""
        check(_lib.ob_desktop_do_not_call(self._h, _native.cstr(agent_id), handle,
                                          int(coerce(DncScope, scope, "scope")), _native.cstr(message)))

    def do_not_call_number(self, phone: str, message: str = "") -> None:
        """Puts a bare phone number on the campaign's DNC list."""
        check(_lib.ob_desktop_do_not_call_number(self._h, _native.cstr(phone), _native.cstr(message)))

    def ready_time(self, agent_id: str, seconds: Span) -> None:
        """The agent expects to be ready in `seconds` (or a timedelta): a pacing hint."""
        check(_lib.ob_desktop_ready_time(self._h, _native.cstr(agent_id), span_ms(seconds, "seconds")))

    def logout(self, agent_id: str) -> None:
        """The agent logs out; records it holds return to ready."""
        check(_lib.ob_desktop_logout(self._h, _native.cstr(agent_id)))

    def desktop_records(self, agent_id: str) -> List[DesktopRecord]:
        """Records the agent holds."""
        p = ctypes.POINTER(_native.DesktopRecord)()
        n = ctypes.c_size_t()
        check(_lib.ob_desktop_records(ctypes.byref(p), ctypes.byref(n), self._h, _native.cstr(agent_id)))
        return _take_desktop(p, n.value)
