"""outbound — the dialing engine of an outbound contact center, from Python.

A thin, typed layer over the C API (liboutbound_c, loaded with ctypes: no
compile step, any CPython 3.9+). The library is found through the
OUTBOUND_LIBRARY environment variable, else next to this package, else where
meson installed it with this package, else in the meson build folders of the
source tree the package sits in, else on the system's library path
(docs/python.md).

    import outbound as ob
    from datetime import datetime, timezone
    with ob.Engine(clock="manual", start=datetime(2026, 3, 9, 13, tzinfo=timezone.utc)) as engine:
        net = ob.SimNetwork(engine, seed=7)
        switch = ob.SimTServer(net, agents=10)
        calls = ob.CallingList("sqlite3:///tmp/example.db", create_if_missing=True)
        campaign = engine.add_campaign(name="example", driver=switch, mode="progressive")
        campaign.add_list(calls)
        campaign.load(); campaign.start()
        engine.run_for(3600)                 # seconds, or a timedelta
        campaign.finish()
        print(campaign.stats())

Time: instants are datetimes (naive = UTC), durations timedeltas; a plain
number is seconds (epoch seconds for instants). The API reference is
docs/python_api.md.
"""

from __future__ import annotations

from . import _native
from ._native import library_file as _library_file
from .call_log import CallLog, CallLogEntry
from .calling_list import CallingList, CsvOptions, CsvRowError, ImportReport, ListOptions
from .campaign import (Campaign, CampaignEvent, CampaignOptions, CampaignStats, ContactLimit, DesktopRecord,
                       PreDialRequest)
from .dnc import DncList, DncLoadError, to_e164
from .driver import DialRequest, Driver, DriverCapabilities, EventSink
from .engine import Engine, from_ms, to_epoch_s, to_ms
from .enums import (AgentState, AmdMode, AnswerClass, CallAction, CallbackKind, CallEventKind, CallResult,
                    CampaignState, ClockKind, ContactInfoType, CpdMode, DialMode, DistributionKind, DncMatch,
                    DncScope, DriverKind, EventKind, Goal, LogLevel, RecordAction, RecordStatus, RecordType, Status)
from .errors import (BadHandleError, BusyError, ComplianceError, DatabaseError, DriverError, InvalidArgumentError,
                     InvalidStateError, NotFoundError, OutboundError, UnsupportedError)
from .records import Record
from .sim import (AgentModel, Distribution, GvpSession, NetworkModel, SimCpd, SimDriver, SimDriverStats, SimGvp,
                  SimNetwork, SimTServer)
from .sip import SipDriver, SipDriverStats
from .treatment import Treatment, validate_treatments

#: the loaded library's version, "MAJOR.MINOR.PATCH"
__version__: str = _native.text(_native.lib.ob_version_string())


def version_number() -> int:
    """The loaded library's version as MAJOR * 10000 + MINOR * 100 + PATCH."""
    return int(_native.lib.ob_version_number())


def library_path() -> str:
    """The file liboutbound_c was loaded from."""
    return _library_file


def call_result_name(code: int) -> str:
    """The library's name of a call result code ("no_answer"); ValueError for undefined codes."""
    name = _native.lib.ob_call_result_name(int(code))
    if name is None:
        raise ValueError(f"no call result {code}")
    return name.decode()


def _check_version() -> None:
    n = version_number()
    if n // 10000 != _native.ABI_MAJOR or n < _native.MIN_VERSION:
        raise ImportError(f"outbound: library {__version__} at {_library_file} does not match this package "
                          f"(needs major version {_native.ABI_MAJOR}, at least {_native.MIN_VERSION})")


_check_version()

__all__ = [
    "Engine", "Campaign", "CampaignOptions", "CampaignStats", "CampaignEvent", "DesktopRecord", "CallingList",
    "ContactLimit", "PreDialRequest",
    "CsvOptions", "CsvRowError", "ImportReport", "ListOptions", "CallLog", "CallLogEntry", "DncList", "DncLoadError",
    "to_e164", "Driver",
    "DriverCapabilities", "DialRequest", "EventSink", "Record", "Treatment", "validate_treatments", "SimNetwork", "SimDriver",
    "SimTServer", "SimCpd", "SimGvp", "NetworkModel", "AgentModel", "Distribution", "SimDriverStats", "GvpSession",
    "SipDriver", "SipDriverStats",
    "OutboundError", "InvalidArgumentError", "NotFoundError", "InvalidStateError", "BusyError", "ComplianceError",
    "DatabaseError", "DriverError", "UnsupportedError", "BadHandleError", "Status", "CallResult", "RecordType",
    "RecordStatus", "ContactInfoType", "DialMode", "Goal", "CampaignState", "AgentState", "CallEventKind",
    "AnswerClass", "AmdMode", "DriverKind", "RecordAction", "CallAction", "EventKind", "LogLevel", "DncMatch",
    "CallbackKind", "DncScope", "CpdMode", "DistributionKind", "ClockKind", "to_ms", "to_epoch_s", "from_ms", "version_number",
    "library_path", "call_result_name", "__version__",
]
