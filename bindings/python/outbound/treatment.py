"""Treatment rules: what happens to a record after each call result."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

from . import _native
from .enums import CallAction, CallResult, RecordAction
from .errors import check

_lib = _native.lib


@dataclass
class Treatment:
    """One rule (OCS treatment): for `call_result`, do `action` (step `sequence`, repeated `cycle_attempts` times)."""
    id: int
    call_result: CallResult
    action: RecordAction = RecordAction.NO_TREATMENT
    name: str = ""
    call_action: CallAction = CallAction.NONE
    destination: str = ""
    sequence: int = 1
    cycle_attempts: int = 1
    interval_s: float = 0.0
    increment_s: float = 0.0
    date_time: Optional[int] = None  # epoch seconds, for the *_at_date actions
    group_id: int = 0


class CTreatments:
    """Rules in C form, kept alive as long as this object."""

    def __init__(self, rules: Sequence[Treatment]) -> None:
        self.count = len(rules)
        self.array = (_native.CTreatment * max(1, len(rules)))()
        self._keep: List[Any] = []
        for i, t in enumerate(rules):
            c = self.array[i]
            check(_lib.ob_treatment_init(ctypes.byref(c), _native.VERSION))
            c.id = t.id
            c.name = _native.cstr(t.name)
            c.call_result = int(t.call_result)
            c.action = int(t.action)
            c.call_action = int(t.call_action)
            c.destination = _native.cstr(t.destination)
            c.sequence = t.sequence
            c.cycle_attempts = t.cycle_attempts
            c.interval_ms = round(t.interval_s * 1000)
            c.increment_ms = round(t.increment_s * 1000)
            c.date_time = _native.NO_TIME if t.date_time is None else t.date_time
            c.group_id = t.group_id

    @property
    def pointer(self) -> Any:
        """The first rule (NULL when there are none)."""
        return ctypes.cast(self.array, ctypes.POINTER(_native.CTreatment)) if self.count else None


def validate_treatments(rules: Sequence[Treatment]) -> None:
    """Raises InvalidArgumentError for contradictory or out-of-range rules."""
    c = CTreatments(rules)
    check(_lib.ob_treatments_validate(c.pointer, c.count))
