"""The engine: a clock (real, or manual for simulations and rehearsals), the
event loop everything runs on, timers, and the log callback.

Threads: the loop runs in run_until()/run_for()/poll() on the calling thread,
or on the engine's own thread after start_thread(). Callbacks (events, log
lines, timers, Python drivers) run on the loop's thread. An exception raised
by a callback cannot cross the C library: it is kept and raised again by the
run_until()/run_for()/poll() that ran the callback (or by stop_thread())."""

from __future__ import annotations

import ctypes
import itertools
import threading
import weakref
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Union

from . import _native
from ._handle import Handle
from .enums import ClockKind, LogLevel
from .errors import OutboundError, check

if TYPE_CHECKING:
    from .campaign import Campaign

_lib = _native.lib

Instant = Union[datetime, int]        # a datetime (naive = UTC) or UTC milliseconds
Span = Union[timedelta, float, int]   # a timedelta or seconds


def to_ms(t: Instant) -> int:
    """UTC milliseconds of an instant."""
    if isinstance(t, datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return int(t.timestamp() * 1000)
    return int(t)


def from_ms(ms: int) -> datetime:
    """The aware UTC datetime of milliseconds since the epoch."""
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)


def span_ms(d: Span) -> int:
    """Milliseconds of a timedelta or of seconds."""
    if isinstance(d, timedelta):
        return round(d.total_seconds() * 1000)
    return round(float(d) * 1000)


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
        engine._tasks.discard(user_data or 0)
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
        kind = ClockKind[clock.upper()] if isinstance(clock, str) else ClockKind(clock)
        o = _native.EngineOptions()
        check(_lib.ob_engine_options_init(ctypes.byref(o), _native.VERSION))
        o.clock = int(kind)
        o.start_ms = to_ms(start) if start is not None else 0
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
    @property
    def now_ms(self) -> int:
        """The clock's time, UTC milliseconds."""
        out = ctypes.c_int64()
        check(_lib.ob_engine_now(ctypes.byref(out), self._h))
        return out.value

    @property
    def now(self) -> datetime:
        """The clock's time (aware UTC)."""
        return from_ms(self.now_ms)

    @property
    def is_manual(self) -> bool:
        """True on a manual clock."""
        out = ctypes.c_int()
        check(_lib.ob_engine_is_manual(ctypes.byref(out), self._h))
        return bool(out.value)

    def advance_clock(self, to: Instant) -> None:
        """Moves a manual clock forward to `to` without running anything."""
        check(_lib.ob_engine_advance_clock(self._h, to_ms(to)))

    # --- the loop -------------------------------------------------------------------------
    def poll(self) -> int:
        """Runs what is due now; never blocks. Returns the number of callbacks run."""
        out = ctypes.c_size_t()
        rc = _lib.ob_engine_poll(ctypes.byref(out), self._h)
        self._raise_callback_error()
        check(rc)
        return out.value

    def run_until(self, deadline: Instant, until: Optional[Callable[[], bool]] = None) -> None:
        """Runs the loop until `deadline`, stop(), or `until()` returning true (asked after each callback)."""
        done_cb = None
        if until is not None:
            def done(_: Optional[int]) -> int:
                try:
                    return 1 if until() else 0
                except BaseException as e:  # noqa: B036
                    self._callback_failed(e)
                    return 1
            done_cb = _native.DONE_CB(done)
        rc = _lib.ob_engine_run_until(self._h, to_ms(deadline), done_cb or _native.DONE_CB(), None)
        self._raise_callback_error()
        check(rc)

    def run_for(self, duration: Span, until: Optional[Callable[[], bool]] = None) -> None:
        """run_until(now + duration)."""
        self.run_until(self.now_ms + span_ms(duration), until)

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
        """Runs `fn()` once on the loop's thread after `delay` of engine time; returns the timer id."""
        key = self._new_task(fn)
        tid = ctypes.c_uint64()
        rc = _lib.ob_engine_schedule(ctypes.byref(tid), self._h, span_ms(delay), _TASK_TRAMPOLINE, key)
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
    def campaign(self, name: str) -> "Campaign":
        """The campaign group named `name` (NotFoundError otherwise)."""
        c = self._campaigns.get(name)
        if c is None or c.closed:
            h = ctypes.c_void_p()
            check(_lib.ob_engine_campaign(ctypes.byref(h), self._h, _native.cstr(name)))
            raise OutboundError(f"campaign {name!r} was not made through this Engine object")
        return c

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
        super().close()  # campaigns report their unload through their callbacks here
        for c in list(self._campaigns.values()):
            c._engine_gone()
        self._campaigns.clear()
        for key in list(self._tasks):
            self._drop_task(key)
        self._log_cb = None
