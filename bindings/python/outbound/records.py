"""Calling-list records as dataclasses, and their C form."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional

from . import _native
from .enums import CallResult, ContactInfoType, RecordStatus, RecordType, coerce


def _column_time(t: Any, what: str) -> int:
    """A calling-list time column's value: epoch seconds, or OB_NO_TIME for None; a datetime is taken too."""
    if t is None:
        return _native.NO_TIME
    if isinstance(t, datetime):
        from .engine import to_epoch_s  # noqa: PLC0415 - engine imports this package's enums and errors only
        return to_epoch_s(t, what)
    return t


@dataclass
class Record:
    """One calling-list row: the OCS columns, and custom fields by name.

    Times are the list's columns: whole seconds since 1970-01-01 UTC (None for NULL; a datetime is
    taken on input). Codes take a member, its name ("mobile") or its number. Integer columns are C
    ints (record_id a 64-bit int): larger values raise InvalidArgumentError."""
    record_id: int = 0
    """Unique key of the row (a 64-bit integer)."""
    contact_info: str = ""
    """Phone number (or address) to reach."""
    contact_info_type: ContactInfoType = ContactInfoType.HOME
    """What contact_info is (ContactInfoType or its name: "home", "mobile", …)."""
    record_type: RecordType = RecordType.GENERAL
    """General, callback, no-call… (RecordType or its name)."""
    record_status: RecordStatus = RecordStatus.READY
    """Ready, retrieved, updated (final)… (RecordStatus or its name)."""
    call_result: CallResult = CallResult.UNKNOWN
    """The last call's result (CallResult or its name)."""
    attempt: int = 0
    """Attempts made so far."""
    dial_sched_time: Optional[int] = None
    """When to dial next, in epoch seconds (None: as soon as possible)."""
    call_time: Optional[int] = None
    """When last dialed, in epoch seconds (None: never)."""
    daily_from: int = 0
    """Calling window start, in seconds after local midnight."""
    daily_till: int = 86400
    """Calling window end, in seconds after local midnight."""
    tz_dbid: int = 0
    """Configured time zone id (a zone key of the campaign)."""
    campaign_id: int = 0
    """The owning campaign's id."""
    agent_id: str = ""
    """Personal callbacks: the agent."""
    chain_id: int = 0
    """The customer's chain: records of one chain are dialed in turn."""
    chain_n: int = 0
    """Order within the chain."""
    group_id: int = 0
    """Agent group (routing)."""
    app_id: int = 0
    """Application (routing)."""
    media_ref: int = 0
    """Media reference (non-voice)."""
    email_template_id: int = 0
    """E-mail template (non-voice)."""
    switch_id: int = 0
    """Switch (routing)."""
    treatments: str = ""
    """The chain's treatment history, as the list stores it."""
    email_subject: str = ""
    """E-mail subject (non-voice)."""
    custom: Dict[str, str] = field(default_factory=dict)
    """Custom fields by column name."""

    def __post_init__(self) -> None:
        self.contact_info_type = coerce(ContactInfoType, self.contact_info_type, "contact_info_type")
        self.record_type = coerce(RecordType, self.record_type, "record_type")
        self.record_status = coerce(RecordStatus, self.record_status, "record_status")
        self.call_result = coerce(CallResult, self.call_result, "call_result")

    @staticmethod
    def from_c(c: _native.CRecord) -> "Record":
        """A copy of a C record."""
        custom = {}
        for i in range(c.custom_count):
            custom[_native.text(c.custom_names[i])] = _native.text(c.custom_values[i])
        return Record(
            record_id=c.record_id, contact_info=_native.text(c.contact_info),
            contact_info_type=ContactInfoType(c.contact_info_type), record_type=RecordType(c.record_type),
            record_status=RecordStatus(c.record_status), call_result=CallResult(c.call_result), attempt=c.attempt,
            dial_sched_time=None if c.dial_sched_time == _native.NO_TIME else c.dial_sched_time,
            call_time=None if c.call_time == _native.NO_TIME else c.call_time, daily_from=c.daily_from,
            daily_till=c.daily_till, tz_dbid=c.tz_dbid, campaign_id=c.campaign_id, agent_id=_native.text(c.agent_id),
            chain_id=c.chain_id, chain_n=c.chain_n, group_id=c.group_id, app_id=c.app_id, media_ref=c.media_ref,
            email_template_id=c.email_template_id, switch_id=c.switch_id, treatments=_native.text(c.treatments),
            email_subject=_native.text(c.email_subject), custom=custom)


class CRecords:
    """Records in C form, with the memory their pointers refer to kept alive."""

    def __init__(self, records: "List[Record]") -> None:
        self.array = (_native.CRecord * max(1, len(records)))()
        self.count = len(records)
        self._keep: List[Any] = []
        for i, r in enumerate(records):
            self._fill(self.array[i], r)

    def _fill(self, c: _native.CRecord, r: Record) -> None:
        names = values = None
        if r.custom:
            names = (ctypes.c_char_p * len(r.custom))(*[_native.cstr(k) for k in r.custom])
            values = (ctypes.c_char_p * len(r.custom))(*[_native.cstr(v) for v in r.custom.values()])
            self._keep += [names, values]
        # In the field order of ob_record; _native.fill checks each integer once.
        _native.fill(c, (
            _native.VERSION, r.record_id, _native.cstr(r.contact_info),
            int(coerce(ContactInfoType, r.contact_info_type, "contact_info_type")),
            int(coerce(RecordType, r.record_type, "record_type")),
            int(coerce(RecordStatus, r.record_status, "record_status")),
            int(coerce(CallResult, r.call_result, "call_result")), r.attempt,
            _column_time(r.dial_sched_time, "dial_sched_time"), _column_time(r.call_time, "call_time"),
            r.daily_from, r.daily_till, r.tz_dbid, r.campaign_id, _native.cstr(r.agent_id), r.chain_id, r.chain_n,
            r.group_id, r.app_id, r.media_ref, r.email_template_id, r.switch_id, _native.cstr(r.treatments),
            _native.cstr(r.email_subject), len(r.custom),
            ctypes.cast(names, _native.c_char_p_p) if names is not None else None,
            ctypes.cast(values, _native.c_char_p_p) if values is not None else None))

    @property
    def pointer(self) -> "ctypes._Pointer[_native.CRecord]":
        """The first record."""
        return ctypes.cast(self.array, ctypes.POINTER(_native.CRecord))
