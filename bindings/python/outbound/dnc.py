"""Do-Not-Call lists (in memory, or backed by a gsw_donotcall_list-shaped table)."""

from __future__ import annotations

import ctypes
import datetime as _dt
from dataclasses import dataclass
from typing import List, Optional, Union

from . import _native
from ._handle import Handle
from .enums import DncMatch
from .errors import check

_lib = _native.lib


def to_e164(phone: str, region: str = "US") -> str:
    """`phone` in E.164 ("+12125551234"); InvalidArgumentError says why it is no phone number."""
    p = ctypes.c_void_p()
    check(_lib.ob_phone_to_e164(ctypes.byref(p), _native.cstr(phone), _native.cstr(region)))
    try:
        return ctypes.string_at(p).decode("utf-8")
    finally:
        _lib.ob_free(p)


@dataclass(frozen=True)
class DncLoadError:
    """A row of the DNC table whose phone could not be read: it still blocks by its digits."""
    row: str     # the row's key in the table (SQLite rowid, PostgreSQL ctid)
    phone: str   # the phone text as stored
    reason: str  # why it is no phone number, and what it blocks


def _seconds(span: Union[float, _dt.timedelta]) -> float:
    return span.total_seconds() if isinstance(span, _dt.timedelta) else float(span)


def _epoch_ms(when: Union[None, int, float, _dt.datetime]) -> int:
    if when is None:
        return 0
    if isinstance(when, _dt.datetime):
        if when.tzinfo is None:
            raise ValueError("expires_at must be an aware datetime (UTC or with a zone), or epoch seconds")
        return round(when.timestamp() * 1000)
    if when <= 0:
        raise ValueError(f"expires_at must be a positive number of epoch seconds, not {when!r}")
    return round(when * 1000)


class DncList(Handle):
    """Phone numbers (compared in E.164) and customer ids never to dial.

    With `connection` the list is backed by `table` there: loaded now, additions and removals persisted
    at once and read by other engines sharing the table within `sync_interval` seconds.
    Once a campaign uses the list, calls on it run on that campaign's engine loop."""

    _free = _lib.ob_dnc_free

    def __init__(self, connection: Optional[str] = None, *, table: Optional[str] = None, region: str = "US",
                 create_if_missing: bool = True, tenant_dbid: int = 0,
                 sync_interval: Union[float, _dt.timedelta] = 0.5,
                 reload_interval: Union[float, _dt.timedelta] = 0.0) -> None:
        """`tenant_dbid`: only that tenant's rows (0: every row); `sync_interval`: read other engines' changes
        at most this long after they commit (seconds or a timedelta); `reload_interval`: also re-read the
        whole table this often (0: never)."""
        o = _native.DncOptions()
        check(_lib.ob_dnc_options_init(ctypes.byref(o), _native.DNC_OPTIONS_VERSION))
        o.connection = _native.cstr(connection)
        o.table = _native.cstr(table)
        o.default_region = _native.cstr(region)
        o.create_if_missing = int(create_if_missing)
        o.tenant_dbid = tenant_dbid
        o.sync_interval_ms = round(_seconds(sync_interval) * 1000)
        o.reload_interval_ms = round(_seconds(reload_interval) * 1000)
        h = ctypes.c_void_p()
        check(_lib.ob_dnc_new(ctypes.byref(h), ctypes.byref(o)))
        super().__init__(h)

    def add_phone(self, phone: str, message: str = "") -> None:
        """Adds a phone number; InvalidArgumentError if it is no phone number."""
        check(_lib.ob_dnc_add_phone(self._h, _native.cstr(phone), _native.cstr(message)))

    def add_customer(self, customer_id: str, message: str = "") -> None:
        """Adds a customer id."""
        check(_lib.ob_dnc_add_customer(self._h, _native.cstr(customer_id), _native.cstr(message)))

    def add(self, phone: Optional[str] = None, customer_id: Optional[str] = None, message: str = "", *,
            tenant_dbid: int = 0, campaign_dbid: int = 0, list_dbid: int = 0,
            expires_at: Union[None, int, float, _dt.datetime] = None) -> None:
        """Adds an entry scoped to a campaign or list (0: every one) that stops applying at `expires_at`
        (an aware datetime or UTC epoch seconds; None: never)."""
        e = _native.DncEntry()
        check(_lib.ob_dnc_entry_init(ctypes.byref(e), _native.DNC_ENTRY_VERSION))
        e.phone = _native.cstr(phone)
        e.customer_id = _native.cstr(customer_id)
        e.message = _native.cstr(message)
        e.tenant_dbid, e.campaign_dbid, e.list_dbid = tenant_dbid, campaign_dbid, list_dbid
        e.expires_at_ms = _epoch_ms(expires_at)
        check(_lib.ob_dnc_add_entry(self._h, ctypes.byref(e)))

    def remove_phone(self, phone: str) -> int:
        """Removes every entry of the number (any format, any scope); returns table rows deleted."""
        out = ctypes.c_size_t()
        check(_lib.ob_dnc_remove_phone(ctypes.byref(out), self._h, _native.cstr(phone)))
        return out.value

    def remove_customer(self, customer_id: str) -> int:
        """Removes every entry of the customer id; returns table rows deleted."""
        out = ctypes.c_size_t()
        check(_lib.ob_dnc_remove_customer(ctypes.byref(out), self._h, _native.cstr(customer_id)))
        return out.value

    def sync(self) -> int:
        """Drops expired entries and reads other engines' changes (a campaign does this before each dial)."""
        out = ctypes.c_size_t()
        check(_lib.ob_dnc_sync(ctypes.byref(out), self._h))
        return out.value

    @property
    def load_errors(self) -> List[DncLoadError]:
        """Rows of the table whose phone could not be read at the last load."""
        n = ctypes.c_size_t()
        check(_lib.ob_dnc_load_error_count(ctypes.byref(n), self._h))
        out = []
        for i in range(n.value):
            row, phone, reason = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
            check(_lib.ob_dnc_load_error(ctypes.byref(row), ctypes.byref(phone), ctypes.byref(reason), self._h, i))
            try:
                out.append(DncLoadError(*(ctypes.string_at(p).decode("utf-8", "replace") for p in (row, phone, reason))))
            finally:
                for p in (row, phone, reason):
                    _lib.ob_free(p)
        return out

    def contains_phone(self, phone: str) -> bool:
        """True when `phone` normalises to a listed number."""
        out = ctypes.c_int()
        check(_lib.ob_dnc_contains_phone(ctypes.byref(out), self._h, _native.cstr(phone)))
        return bool(out.value)

    def contains_customer(self, customer_id: str) -> bool:
        """True when the customer id is listed."""
        out = ctypes.c_int()
        check(_lib.ob_dnc_contains_customer(ctypes.byref(out), self._h, _native.cstr(customer_id)))
        return bool(out.value)

    def __contains__(self, phone: str) -> bool:
        return self.contains_phone(phone)

    def check(self, phone: Optional[str] = None, customer_id: Optional[str] = None, *,
              campaign_dbid: Optional[int] = None, list_dbid: Optional[int] = None) -> DncMatch:
        """The pre-dial check: phone first, then customer id. With `campaign_dbid` or `list_dbid`,
        entries scoped to another campaign or list do not match; without, every entry does."""
        out = ctypes.c_int()
        if campaign_dbid is None and list_dbid is None:
            check(_lib.ob_dnc_check(ctypes.byref(out), self._h, _native.cstr(phone), _native.cstr(customer_id)))
        else:
            check(_lib.ob_dnc_check_scoped(ctypes.byref(out), self._h, _native.cstr(phone), _native.cstr(customer_id),
                                           campaign_dbid or 0, list_dbid or 0))
        return DncMatch(out.value)

    @property
    def phone_count(self) -> int:
        """Number of listed phone numbers."""
        out = ctypes.c_size_t()
        check(_lib.ob_dnc_phone_count(ctypes.byref(out), self._h))
        return out.value

    @property
    def customer_count(self) -> int:
        """Number of listed customer ids."""
        out = ctypes.c_size_t()
        check(_lib.ob_dnc_customer_count(ctypes.byref(out), self._h))
        return out.value

    def reload(self) -> int:
        """Re-reads the backing table; returns entries loaded."""
        out = ctypes.c_size_t()
        check(_lib.ob_dnc_reload(ctypes.byref(out), self._h))
        return out.value
