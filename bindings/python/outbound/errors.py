"""Exceptions: one class per C API status code, all OutboundError, each
carrying the code and the library's message (ob_last_error())."""

from __future__ import annotations

from typing import Dict, Type

from . import _native
from .enums import Status


class OutboundError(Exception):
    """A failed outbound call: `code` (a Status) and `message` (the library's text)."""

    code: Status = Status.GENERIC

    def __init__(self, message: str, code: "Status | int | None" = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            try:
                self.code = Status(code)
            except ValueError:
                self.code = Status.GENERIC

    def __str__(self) -> str:
        return f"{self.message} [{self.code.name.lower()}]"


class InvalidArgumentError(OutboundError, ValueError):
    """A bad value: malformed, out of range, unsafe SQL."""
    code = Status.INVALID_ARGUMENT


class NotFoundError(OutboundError, LookupError):
    """An unknown record, campaign, call, agent or file."""
    code = Status.NOT_FOUND


class InvalidStateError(OutboundError):
    """Not allowed now (campaign not loaded, driver stopped…)."""
    code = Status.INVALID_STATE


class BusyError(OutboundError):
    """A resource is taken (locked database, no free port, another engine)."""
    code = Status.BUSY


class ComplianceError(OutboundError):
    """DNC, calling window or abandon cap forbids it."""
    code = Status.COMPLIANCE_BLOCKED


class DatabaseError(OutboundError):
    """The database failed or went away."""
    code = Status.DATABASE


class DriverError(OutboundError):
    """A dialer driver failed."""
    code = Status.DRIVER


class UnsupportedError(OutboundError):
    """The driver or mode cannot do this."""
    code = Status.UNSUPPORTED


class BadHandleError(OutboundError):
    """A closed or wrong object was used."""
    code = Status.BAD_HANDLE


_BY_CODE: Dict[int, Type[OutboundError]] = {
    c.code: c for c in (InvalidArgumentError, NotFoundError, InvalidStateError, BusyError, ComplianceError,
                        DatabaseError, DriverError, UnsupportedError, BadHandleError)
}


def error_for(code: int, message: str) -> OutboundError:
    """The exception for a status code."""
    cls = _BY_CODE.get(code, OutboundError)
    return cls(message, code)


def check(rc: int) -> None:
    """Raises the exception for a failed call (rc != 0), with this thread's last error."""
    if rc != 0:
        raise error_for(rc, _native.text(_native.lib.ob_last_error()))
