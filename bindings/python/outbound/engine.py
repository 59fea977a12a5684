"""The engine: a clock (real, or manual for simulations and rehearsals), the
event loop everything runs on, timers, and the log callback.

Threads: the loop runs in run_until()/run_for()/poll() on the calling thread,
or on the engine's own thread after start_thread(). Callbacks (events, log
lines, timers, Python drivers) run on the loop's thread. An exception raised
by a callback cannot cross the C library: it is kept and raised again by the
run_until()/run_for()/poll() that ran the callback (or by stop_thread()).

Time, everywhere in the package: instants are datetimes (a naive one is UTC)
and durations timedeltas; where a plain number is accepted it is seconds
(epoch seconds for instants), and the parameter or field says so."""

from __future__ import annotations

import ctypes
import itertools
import numbers
import threading
import warnings
import weakref
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Union

from . import _native
from ._handle import Handle
from .enums import ClockKind, LogLevel, coerce
from .errors import InvalidArgumentError, NotFoundError, check

if TYPE_CHECKING:
    from .campaign import Campaign, CampaignOptions
    from .dnc import DncList
    from .driver import Driver
    from .sim import SimDriver

_lib = _native.lib

Instant = Union[datetime, int, float]  # a datetime (naive = UTC), or seconds since 1970-01-01 UTC
Span = Union[timedelta, int, float]    # a timedelta, or seconds

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The instants a datetime holds, 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z, in UTC ms: the
# one range of to_ms() and from_ms(). A larger "instant in seconds" is milliseconds (the unit of
# 0.2), refused with a clear message rather than read as a date in year 58000.
_FIRST_MS = (datetime(1, 1, 1, tzinfo=timezone.utc) - _EPOCH) // timedelta(milliseconds=1)
_LAST_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc) - _EPOCH) // timedelta(milliseconds=1)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a datetime, a timedelta or a number of seconds, not "
                        f"{type(value).__name__} ({value!r})")
    return float(value)


def _nearest_ms(d: timedelta) -> int:
    """Milliseconds of `d`, to the nearest (halves to even, as round() takes numbers)."""
    q, r = divmod(d // timedelta(microseconds=1), 1000)
    return q + (1 if r > 500 or (r == 500 and q % 2) else 0)


def _seconds_ms(value: Any, what: str) -> int:
    """Milliseconds of a number of seconds, to the nearest."""
    seconds = _number(value, what)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise InvalidArgumentError(f"{what} = {value!r} is no number of seconds")
    return round(seconds * 1000)


def to_ms(t: Instant, what: str = "time") -> int:
    """UTC milliseconds of an instant: a datetime (naive = UTC) or seconds since 1970-01-01 UTC, to the
    nearest millisecond; InvalidArgumentError outside the years 1..9999 (what from_ms() can give back)."""
    if isinstance(t, datetime):
        ms = _nearest_ms((t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)) - _EPOCH)
    else:
        ms = _seconds_ms(t, what)
    if _FIRST_MS <= ms <= _LAST_MS:
        return ms
    if isinstance(t, datetime):
        raise InvalidArgumentError(f"{what} = {t!r} lies outside the years 1..9999 UTC")
    if ms > _LAST_MS:
        raise InvalidArgumentError(f"{what} = {t!r} seconds since 1970 lies past the year 9999: instants are "
                                   f"datetimes or seconds (0.2 took milliseconds here)")
    raise InvalidArgumentError(f"{what} = {t!r} seconds since 1970 lies before the year 1")


def to_epoch_s(t: Instant, what: str = "time") -> int:
    """Whole seconds since 1970-01-01 UTC of an instant (its milliseconds rounded down), as calling
    lists store them."""
    return to_ms(t, what) // 1000


def from_ms(ms: int) -> datetime:
    """The aware UTC datetime of milliseconds since the epoch; InvalidArgumentError outside the years
    1..9999 (to_ms()'s range: a datetime cannot hold more)."""
    if not _FIRST_MS <= ms <= _LAST_MS:
        raise InvalidArgumentError(f"{ms} ms since 1970 lies outside the years 1..9999 UTC that a datetime holds")
    return _EPOCH + timedelta(milliseconds=ms)


def span_ms(d: Span, what: str = "duration") -> int:
    """Milliseconds of a timedelta or of seconds, to the nearest (the rule of to_ms())."""
    if isinstance(d, timedelta):
        return _nearest_ms(d)
    return _seconds_ms(d, what)


def span_s(d: Span, what: str = "duration") -> float:
    """Seconds of a timedelta or of seconds."""
    if isinstance(d, timedelta):
        return d.total_seconds()
    return _number(d, what)


# --- one-shot tasks (timers, posted work): keyed registry, one trampoline --------------

_tasks_lock = threading.Lock()
_tasks: Dict[int, "tuple[weakref.ref[Engine], Callable[[], Any]]"] = {}
_task_keys = itertools.count(1)


def _run_task(user_data: Optional[int]) -> None:
    with _tasks_lock:
        entry = _tasks.pop(user_data or 0, None)
    if entry is None:
        return
    engine_ref, fn = entry
    engine = engine_ref()
    if engine is not None:
        engine._task_done(user_data or 0)
    try:
        fn()
    except BaseException as e:  # noqa: B036 - kept and raised on the host's thread
        if engine is not None:
            engine._callback_failed(e)


_TASK_TRAMPOLINE = _native.TASK_CB(_run_task)


class Engine(Handle):
    """Campaign groups on one loop and clock.

    Engine() runs on the real clock; Engine(clock="manual", start=...) on a manual
    clock that run_until()/run_for() jump from timer to timer, so a simulated day
    takes seconds and is the same every run."""

    _free = _lib.ob_engine_free

    def __init__(self, clock: Union[str, ClockKind] = ClockKind.REAL, start: Optional[Instant] = None) -> None:
        """An engine on the real clock, or on a manual clock (clock="manual") starting at `start`
        (a datetime, naive = UTC, or epoch seconds; default 1970-01-01)."""
        kind = coerce(ClockKind, clock, "clock")
        o = _native.EngineOptions()
        check(_lib.ob_engine_options_init(ctypes.byref(o), _native.VERSION))
        o.clock = int(kind)
        o.start_ms = to_ms(start, "start") if start is not None else 0
        h = ctypes.c_void_p()
        check(_lib.ob_engine_new(ctypes.byref(h), ctypes.byref(o)))
        super().__init__(h)
        self._errors: List[BaseException] = []
        self._errors_lock = threading.Lock()
        self._tasks: Set[int] = set()
        self._timers: Dict[int, int] = {}  # timer id -> task key
        self._log_cb: Any = None
        self._log_handler: Optional[Callable[[LogLevel, str], None]] = None
        self._campaigns: "Dict[str, Campaign]" = {}

    # --- time -------------------------------------------------------------------------
    def _now_ms(self) -> int:
        out = ctypes.c_int64()
        check(_lib.ob_engine_now(ctypes.byref(out), self._h))
        return out.value

    @property
    def now(self) -> datetime:
        """The clock's time (aware UTC datetime)."""
        return from_ms(self._now_ms())

    @property
    def now_ms(self) -> int:
        """Deprecated (0.3): the clock's time in UTC milliseconds; use `now` (a datetime)."""
        warnings.warn("Engine.now_ms is deprecated: use Engine.now (a datetime)", DeprecationWarning, stacklevel=2)
        return self._now_ms()

    @property
    def is_manual(self) -> bool:
        """True on a manual clock."""
        out = ctypes.c_int()
        check(_lib.ob_engine_is_manual(ctypes.byref(out), self._h))
        return bool(out.value)

    def advance_clock(self, to: Instant) -> None:
        """Moves a manual clock forward to `to` (a datetime or epoch seconds) without running anything."""
        check(_lib.ob_engine_advance_clock(self._h, to_ms(to, "to")))

    # --- the loop -------------------------------------------------------------------------
    def poll(self) -> int:
        """Runs what is due now; never blocks. Returns the number of callbacks run."""
        out = ctypes.c_size_t()
        rc = _lib.ob_engine_poll(ctypes.byref(out), self._h)
        self._raise_callback_error()
        check(rc)
        return out.value

    def run_until(self, deadline: Instant, until: Optional[Callable[[], bool]] = None) -> None:
        """Runs the loop until `deadline` (a datetime or epoch seconds), stop(), or `until()` returning
        true (asked after each callback)."""
        done_cb = None
        if until is not None:
            def done(_: Optional[int]) -> int:
                try:
                    return 1 if until() else 0
                except BaseException as e:  # noqa: B036
                    self._callback_failed(e)
                    return 1
            done_cb = _native.DONE_CB(done)
        rc = _lib.ob_engine_run_until(self._h, to_ms(deadline, "deadline"), done_cb or _native.DONE_CB(), None)
        self._raise_callback_error()
        check(rc)

    def run_for(self, duration: Span, until: Optional[Callable[[], bool]] = None) -> None:
        """run_until(now + duration); `duration` a timedelta or seconds."""
        self.run_until(self.now + timedelta(milliseconds=span_ms(duration, "duration")), until)

    def stop(self) -> None:
        """Makes a running run_until() return soon; any thread."""
        check(_lib.ob_engine_stop(self._h))

    def start_thread(self) -> None:
        """Runs the loop on a thread the engine owns (real clock only)."""
        check(_lib.ob_engine_start_thread(self._h))

    def stop_thread(self) -> None:
        """Stops and joins the engine's thread."""
        rc = _lib.ob_engine_stop_thread(self._h)
        self._raise_callback_error()
        check(rc)

    # --- callbacks --------------------------------------------------------------------
    def set_log_handler(self, handler: Optional[Callable[[LogLevel, str], None]]) -> None:
        """Sends every campaign's events as log lines to `handler(level, message)` (None: none)."""
        if handler is None:
            check(_lib.ob_engine_set_log_callback(self._h, _native.LOG_CB(), None))
            self._log_cb = self._log_handler = None
            return

        def log(_: Optional[int], level: int, message: Optional[bytes]) -> None:
            try:
                handler(LogLevel(level), _native.text(message))
            except BaseException as e:  # noqa: B036
                self._callback_failed(e)

        cb = _native.LOG_CB(log)
        check(_lib.ob_engine_set_log_callback(self._h, cb, None))
        self._log_cb, self._log_handler = cb, handler

    def _new_task(self, fn: Callable[[], Any]) -> int:
        key = next(_task_keys)
        with _tasks_lock:
            _tasks[key] = (weakref.ref(self), fn)
        self._tasks.add(key)
        return key

    def _task_done(self, key: int) -> None:
        self._tasks.discard(key)

    def _drop_task(self, key: int) -> None:
        with _tasks_lock:
            _tasks.pop(key, None)
        self._tasks.discard(key)

    def post(self, fn: Callable[[], Any]) -> None:
        """Runs `fn()` on the loop's thread at its next turn; any thread."""
        key = self._new_task(fn)
        rc = _lib.ob_engine_post(self._h, _TASK_TRAMPOLINE, key)
        if rc:
            self._drop_task(key)
        check(rc)

    def schedule(self, delay: Span, fn: Callable[[], Any]) -> int:
        """Runs `fn()` once on the loop's thread after `delay` (a timedelta or seconds) of engine time;
        returns the timer id."""
        ms = span_ms(delay, "delay")
        key = self._new_task(fn)
        tid = ctypes.c_uint64()
        rc = _lib.ob_engine_schedule(ctypes.byref(tid), self._h, ms, _TASK_TRAMPOLINE, key)
        if rc:
            self._drop_task(key)
        check(rc)
        self._timers[tid.value] = key
        return tid.value

    def cancel_timer(self, timer_id: int) -> bool:
        """Cancels a pending timer; False when it already ran or never existed."""
        out = ctypes.c_int()
        check(_lib.ob_engine_cancel_timer(ctypes.byref(out), self._h, timer_id))
        key = self._timers.pop(timer_id, None)
        if out.value and key is not None:
            self._drop_task(key)
        return bool(out.value)

    def _callback_failed(self, e: BaseException) -> None:
        with self._errors_lock:
            self._errors.append(e)

    def _raise_callback_error(self) -> None:
        with self._errors_lock:
            errors, self._errors = self._errors, []
        if errors:
            raise errors[0]

    # --- campaigns ----------------------------------------------------------------------
    def add_campaign(self, options: "Optional[CampaignOptions]" = None, *,
                     driver: "Union[Driver, SimDriver]", dnc: "Optional[DncList]" = None,
                     **option_overrides: Any) -> "Campaign":
        """A new campaign group on this engine, named options.name, dialing through `driver` (a simulated
        driver or a Python Driver) and checking `dnc`. Keyword arguments override fields of `options`
        (CampaignOptions). The engine keeps it: engine.campaign(name) finds it, and closing the engine
        frees it."""
        from .campaign import Campaign  # noqa: PLC0415 - campaign.py imports this module

        campaign = Campaign._open(self, options, driver, dnc, option_overrides)
        self._campaigns[campaign.name] = campaign
        return campaign

    def campaign(self, name: str) -> "Campaign":
        """The open campaign group named `name` (NotFoundError otherwise)."""
        c = self._campaigns.get(name)
        if c is None or c.closed:
            raise NotFoundError(f"this engine has no open campaign named {name!r}")
        return c

    @property
    def campaigns(self) -> "List[Campaign]":
        """The open campaign groups, in the order they were added."""
        return [c for c in self._campaigns.values() if not c.closed]

    @property
    def campaign_count(self) -> int:
        """Number of campaign groups."""
        out = ctypes.c_size_t()
        check(_lib.ob_engine_campaign_count(ctypes.byref(out), self._h))
        return out.value

    def close(self) -> None:
        """Frees the engine: stops its thread, frees its campaigns, drops pending timers."""
        if self._h is None:
            return
        super().close()  # frees the campaigns too: they report their unload through their callbacks here
        self._campaigns.clear()  # each Campaign sees engine.closed and drops its handle
        for key in list(self._tasks):
            self._drop_task(key)
        self._log_cb = None
