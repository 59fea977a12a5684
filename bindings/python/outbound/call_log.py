"""The call log: one row per call placed, in a table beside the calling lists
(docs/call_log.md). Give it to campaigns with Campaign.set_call_log()."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any, List, Optional

from . import _native
from ._handle import Handle
from .engine import Instant, from_ms, to_ms
from .enums import AnswerClass, CallResult
from .errors import check

_lib = _native.lib


def _time(ms: int) -> Optional[datetime]:
    return None if ms == _native.NO_TIME else from_ms(ms)


@dataclass(frozen=True)
class CallLogEntry:
    """One logged call; times are aware UTC datetimes (None: it never happened)."""
    campaign: str
    """The campaign group's name."""
    list: str
    """The calling list (table) of the dialed record."""
    record_id: int
    """The dialed record."""
    chain_id: int
    """Its chain."""
    chain_n: int
    """Its place in the chain."""
    phone: str
    """The number dialed."""
    agent_id: str
    """The agent connected ("" when none)."""
    dialed_at: datetime
    """When the dial was asked of the driver (aware UTC datetime)."""
    answered_at: Optional[datetime]
    """When the far end answered (None: it did not)."""
    answer: AnswerClass
    """How the answer was classified."""
    connected_at: Optional[datetime]
    """When an agent (or the IVR) was joined (None: never)."""
    abandoned: bool
    """Answered live and no agent came in time."""
    released_at: datetime
    """When the call ended (aware UTC datetime)."""
    result: CallResult
    """The call result."""
    message_left: bool = False
    """A message was left on the answering machine."""

    @staticmethod
    def from_c(c: _native.CallLogEntry) -> "CallLogEntry":
        """A copy of a C entry."""
        return CallLogEntry(_native.text(c.campaign), _native.text(c.list), c.record_id, c.chain_id, c.chain_n,
                            _native.text(c.phone), _native.text(c.agent_id), from_ms(c.dialed_at_ms),
                            _time(c.answered_at_ms), AnswerClass(c.answer), _time(c.connected_at_ms),
                            bool(c.abandoned), from_ms(c.released_at_ms), CallResult(c.result),
                            c.version >= 2 and bool(c.message_left))


class CallLog(Handle):
    """The call log in `table` on `connection` ("sqlite3://path", "postgresql://…").

    Campaigns sharing it keep it after close(). Once a campaign uses it, calls on it run on that
    campaign's engine loop; it serves the campaigns of one engine."""

    _free = _lib.ob_call_log_free

    def __init__(self, connection: str, table: str = "ob_call_log", create_if_missing: bool = True) -> None:
        o = _native.CallLogOptions()
        check(_lib.ob_call_log_options_init(ctypes.byref(o), _native.VERSION))
        o.connection = _native.cstr(connection)
        o.table = _native.cstr(table)
        o.create_if_missing = int(create_if_missing)
        h = ctypes.c_void_p()
        check(_lib.ob_call_log_new(ctypes.byref(h), ctypes.byref(o)))
        super().__init__(h)
        self.table = table

    def count(self) -> int:
        """Rows in the table."""
        out = ctypes.c_longlong()
        check(_lib.ob_call_log_count(ctypes.byref(out), self._h))
        return out.value

    def last_abandoned(self, phone: str) -> Optional[datetime]:
        """The last abandon of a call to `phone` this log knows of (its campaigns' calls), or None."""
        at, found = ctypes.c_int64(), ctypes.c_int()
        check(_lib.ob_call_log_last_abandoned(ctypes.byref(at), ctypes.byref(found), self._h, _native.cstr(phone)))
        return from_ms(at.value) if found.value else None

    def answered_since(self, campaign: str, since: Instant) -> List[CallLogEntry]:
        """Calls of `campaign` answered at or after `since` (naive datetimes are UTC), oldest answer first."""
        p: Any = ctypes.POINTER(_native.CallLogEntry)()
        n = ctypes.c_size_t()
        check(_lib.ob_call_log_answered_since(ctypes.byref(p), ctypes.byref(n), self._h, _native.cstr(campaign),
                                              to_ms(since)))
        if not p:
            return []
        try:
            return [CallLogEntry.from_c(p[i]) for i in range(n.value)]
        finally:
            _lib.ob_call_log_entries_free(p, n.value)
