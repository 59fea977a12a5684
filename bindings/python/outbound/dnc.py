"""Do-Not-Call lists (in memory, or backed by a gsw_donotcall_list-shaped table)."""

from __future__ import annotations

import ctypes
from typing import Optional

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


class DncList(Handle):
    """Phone numbers (compared in E.164) and customer ids never to dial.

    With `connection` the list is backed by `table` there: loaded now, additions persisted at once.
    Once a campaign uses the list, calls on it run on that campaign's engine loop."""

    _free = _lib.ob_dnc_free

    def __init__(self, connection: Optional[str] = None, *, table: Optional[str] = None, region: str = "US",
                 create_if_missing: bool = True) -> None:
        o = _native.DncOptions()
        check(_lib.ob_dnc_options_init(ctypes.byref(o), _native.VERSION))
        o.connection = _native.cstr(connection)
        o.table = _native.cstr(table)
        o.default_region = _native.cstr(region)
        o.create_if_missing = int(create_if_missing)
        h = ctypes.c_void_p()
        check(_lib.ob_dnc_new(ctypes.byref(h), ctypes.byref(o)))
        super().__init__(h)

    def add_phone(self, phone: str, message: str = "") -> None:
        """Adds a phone number; InvalidArgumentError if it is no phone number."""
        check(_lib.ob_dnc_add_phone(self._h, _native.cstr(phone), _native.cstr(message)))

    def add_customer(self, customer_id: str, message: str = "") -> None:
        """Adds a customer id."""
        check(_lib.ob_dnc_add_customer(self._h, _native.cstr(customer_id), _native.cstr(message)))

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

    def check(self, phone: Optional[str] = None, customer_id: Optional[str] = None) -> DncMatch:
        """The pre-dial check: phone first, then customer id."""
        out = ctypes.c_int()
        check(_lib.ob_dnc_check(ctypes.byref(out), self._h, _native.cstr(phone), _native.cstr(customer_id)))
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
