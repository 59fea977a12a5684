"""Treatment rules: what happens to a record after each call result."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any, List, Optional, Sequence

from . import _native
from .engine import Instant, Span, from_ms, span_ms, to_ms
from .enums import CallAction, CallResult, RecordAction, coerce
from .errors import check

_lib = _native.lib


@dataclass
class Treatment:
    """One rule (an OCS treatment): for `call_result`, do `action` (step `sequence` of the result's
    rules, repeated `cycle_attempts` times). Enumerations take a member, its name or its number."""

    id: int
    """DBID of the rule, written to the chain's treatments history."""
    call_result: CallResult
    """The call result it applies to (CallResult or its name: "busy", "no_answer", …)."""
    action: RecordAction = RecordAction.NO_TREATMENT
    """What happens to the record (RecordAction or its name: "retry_in", "next_in_chain", …)."""
    name: str = ""
    """Name for logs and reports."""
    call_action: CallAction = CallAction.NONE
    """What happens to the call (CallAction or its name)."""
    destination: str = ""
    """Where connect and transfer call actions go."""
    sequence: int = 1
    """Number of this step among the rules of the same call result (1, 2, …)."""
    cycle_attempts: int = 1
    """How many times this step repeats before the next one."""
    interval_s: Span = 0.0
    """Wait before the first repeat, in seconds (or a timedelta)."""
    increment_s: Span = 0.0
    """Added to the wait at each later repeat, in seconds (or a timedelta)."""
    date_time: Optional[Instant] = None
    """For the *_at_date actions: when (a datetime, naive = UTC, or epoch seconds); None otherwise."""
    group_id: int = 0
    """For assign_to_group: the agent group."""

    def __post_init__(self) -> None:
        self.call_result = coerce(CallResult, self.call_result, "call_result")
        self.action = coerce(RecordAction, self.action, "action")
        self.call_action = coerce(CallAction, self.call_action, "call_action")

    @staticmethod
    def from_c(c: _native.CTreatment) -> "Treatment":
        """A copy of a C rule the library filled (date_time as an aware UTC datetime)."""
        when: Optional[datetime] = None if c.date_time_ms == _native.NO_TIME else from_ms(c.date_time_ms)
        return Treatment(c.id, CallResult(c.call_result), RecordAction(c.action), _native.text(c.name),
                         CallAction(c.call_action), _native.text(c.destination), c.sequence, c.cycle_attempts,
                         c.interval_ms / 1000, c.increment_ms / 1000, when, c.group_id)


class CTreatments:
    """Rules in C form, kept alive as long as this object."""

    def __init__(self, rules: Sequence[Treatment]) -> None:
        self.count = len(rules)
        self.array = (_native.CTreatment * max(1, len(rules)))()
        self._keep: List[Any] = []
        for i, t in enumerate(rules):
            c = self.array[i]
            check(_lib.ob_treatment_init(ctypes.byref(c), _native.TREATMENT_VERSION))
            c.id = t.id
            c.name = _native.cstr(t.name)
            c.call_result = int(coerce(CallResult, t.call_result, "call_result"))
            c.action = int(coerce(RecordAction, t.action, "action"))
            c.call_action = int(coerce(CallAction, t.call_action, "call_action"))
            c.destination = _native.cstr(t.destination)
            c.sequence = t.sequence
            c.cycle_attempts = t.cycle_attempts
            c.interval_ms = span_ms(t.interval_s, "interval_s")
            c.increment_ms = span_ms(t.increment_s, "increment_s")
            c.date_time_ms = _native.NO_TIME if t.date_time is None else to_ms(t.date_time, "date_time")
            c.group_id = t.group_id

    @property
    def pointer(self) -> Any:
        """The first rule (NULL when there are none)."""
        return ctypes.cast(self.array, ctypes.POINTER(_native.CTreatment)) if self.count else None


def validate_treatments(rules: Sequence[Treatment]) -> None:
    """Raises InvalidArgumentError for contradictory or out-of-range rules."""
    c = CTreatments(rules)
    check(_lib.ob_treatments_validate(c.pointer, c.count))
