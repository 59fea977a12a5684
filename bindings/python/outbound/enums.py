"""The OCS codes and other enumerations of the C API, as IntEnums.

Member names are the C++ API's names in upper case (CallResult.NO_ANSWER is
"no_answer", 7). Everywhere the package takes one of these, it also takes the
name as a string, in any case ("no_answer", "NO_ANSWER"), or the number. At
import every table is checked against the loaded library's own names
(ob_enum_name), so a mismatch fails loudly."""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Dict, Type, TypeVar

from . import _native


class Status(IntEnum):
    """Status codes of the C API (0 ok, negative failures)."""
    OK = 0
    GENERIC = -1
    INVALID_ARGUMENT = -2
    NOT_FOUND = -3
    INVALID_STATE = -4
    BUSY = -5
    COMPLIANCE_BLOCKED = -6
    DATABASE = -7
    DRIVER = -8
    UNSUPPORTED = -9
    BAD_HANDLE = -10


class CallResult(IntEnum):
    """Call results (calling-list column call_result; docs/reference.md lists them)."""
    OK = 0
    TRANSFERRED = 1
    CONFERENCED = 2
    GENERAL_ERROR = 3
    SYSTEM_ERROR = 4
    REMOTE_RELEASE = 5
    BUSY = 6
    NO_ANSWER = 7
    SIT_DETECTED = 8
    ANSWERING_MACHINE = 9
    ALL_TRUNKS_BUSY = 10
    SIT_INVALID_NUM = 11
    SIT_VACANT = 12
    SIT_OPER_INTERCEPT = 13
    SIT_UNKNOWN = 14
    SIT_NO_CIRCUIT = 15
    SIT_REORDER = 16
    FAX = 17
    QUEUE_FULL = 18
    CLEARED = 19
    OVERFLOWED = 20
    ABANDONED = 21
    REDIRECTED = 22
    FORWARDED = 23
    CONSULT = 24
    PICKED_UP = 25
    DROPPED = 26
    DROPPED_NO_ANSWER = 27
    UNKNOWN = 28
    COVERED = 29
    CONVERSE_ON = 30
    BRIDGED = 31
    SILENCE = 32
    ANSWER = 33
    NU_TONE = 34
    NO_DIAL_TONE = 35
    NO_PROGRESS = 36
    NO_RINGBACK = 37
    NO_ESTABLISHED = 38
    PAGER_DETECTED = 39
    WRONG_PARTY = 40
    DIAL_ERROR = 41
    CALL_DROP_ERROR = 42
    SWITCH_ERROR = 43
    NO_FREE_PORT = 44
    TRANSFER_ERROR = 45
    STALE = 46
    AGENT_CALLBACK_ERROR = 47
    GROUP_CALLBACK_ERROR = 48
    DEAFENED = 49
    HELD = 50
    DO_NOT_CALL = 51
    CANCEL_RECORD = 52
    WRONG_NUMBER = 53


class RecordType(IntEnum):
    """Record types (column record_type)."""
    NONE = 0
    UNKNOWN = 1
    GENERAL = 2
    CAMPAIGN_RESCHEDULED = 3
    PERSONAL_RESCHEDULED = 4
    PERSONAL_CALLBACK = 5
    CAMPAIGN_CALLBACK = 6
    NO_CALL = 7


class RecordStatus(IntEnum):
    """Record statuses (column record_status)."""
    NONE = 0
    READY = 1
    RETRIEVED = 2
    UPDATED = 3
    STALE = 4
    CANCELLED = 5
    AGENT_ERROR = 6
    CHAIN_UPDATED = 7
    MISSED_CALLBACK = 8


class ContactInfoType(IntEnum):
    """Contact info types (column contact_info_type)."""
    NONE = 0
    HOME = 1
    DIRECT_BUSINESS = 2
    BUSINESS_WITH_EXT = 3
    MOBILE = 4
    VACATION = 5
    PAGER = 6
    MODEM = 7
    VOICE_MAIL = 8
    PIN_PAGER = 9
    EMAIL = 10
    INSTANT_MESSAGING = 11


class DialMode(IntEnum):
    """Dialing modes (OCS SDK order)."""
    NONE = 0
    PREDICTIVE = 1
    PROGRESSIVE = 2
    PREVIEW = 3
    PROGRESSIVE_SEIZE = 4
    PREDICTIVE_SEIZE = 5
    POWER = 6
    POWER_SEIZE = 7
    PUSH_PREVIEW = 8
    PROGRESSIVE_GVP = 9
    PREDICTIVE_GVP = 10
    POWER_GVP = 11


class Goal(IntEnum):
    """Predictive optimisation goals (OCS SDK order)."""
    NONE = 0
    BUSY_FACTOR = 1
    OVERDIAL_RATE = 2
    WAIT_TIME = 3
    DISTRIBUTION_TIME = 4
    MAX_GAIN = 5


class CampaignState(IntEnum):
    """Campaign group states."""
    NOT_LOADED = 0
    WAITING_UNLOAD = 1
    UNLOAD_IN_PROGRESS = 2
    INACTIVE = 3
    ACTIVE = 4
    RUNNING = 5


class AgentState(IntEnum):
    """Agent states."""
    LOGGED_OUT = 0
    NOT_READY = 1
    READY = 2
    RESERVED = 3
    BUSY = 4
    WRAP_UP = 5


class CallEventKind(IntEnum):
    """Steps of a call as a driver reports them."""
    DIALING = 0
    RINGING = 1
    ANSWERED = 2
    CONNECTED = 3
    ABANDONED = 4
    RELEASED = 5
    CONNECT_FAILED = 6  # connect() could not reach the agent; the call still waits for one


class AnswerClass(IntEnum):
    """How an answer was classified."""
    LIVE = 0
    MACHINE = 1
    FAX = 2
    SILENCE = 3
    UNKNOWN = 4


class AmdMode(IntEnum):
    """Answering machine handling."""
    NONE = 0
    DETECT_DROP = 1
    DETECT_CONNECT = 2


class DriverKind(IntEnum):
    """The network a driver reaches."""
    TSERVER = 0
    CPD = 1
    GVP = 2
    CUSTOM = 3


class RecordAction(IntEnum):
    """Treatment "apply to record" actions."""
    NO_TREATMENT = 0
    REDIAL = 1
    RETRY_IN = 2
    RETRY_AT_DATE = 3
    NEXT_IN_CHAIN = 4
    NEXT_IN_CHAIN_AFTER = 5
    NEXT_IN_CHAIN_AT_DATE = 6
    ASSIGN_TO_GROUP = 7
    MARK_AGENT_ERROR = 8
    UPDATE_ALL_IN_CHAIN = 9
    CANCEL_RECORD = 10


class CallAction(IntEnum):
    """Treatment "apply to call" actions."""
    NONE = 0
    CONNECT = 1
    TRANSFER = 2
    DROP = 3


class EventKind(IntEnum):
    """Kinds of campaign events."""
    LOADED = 0
    STARTED = 1
    STOPPED = 2
    UNLOADED = 3
    MODE_CHANGED = 4
    STATE_CHANGED = 5
    RECORD_ERROR = 6
    DRIVER_ERROR = 7
    DATABASE_ERROR = 8
    CALL_FINISHED = 9
    INFO = 10
    PREVIEW_RECORD = 11
    PREVIEW_RECORD_EMPTY = 12
    CHAINED_RECORD = 13
    RECORD_DELIVERED = 14
    SCHEDULED_CALL = 15
    COMPLETED = 16
    ERROR = 17
    DIALING = 18
    WRITTEN = 19
    IDLE = 20


class LogLevel(IntEnum):
    """Log levels."""
    DEBUG = 0
    INFO = 1
    WARNING = 2
    ERROR = 3


class DncMatch(IntEnum):
    """What a DNC check matched."""
    NONE = 0
    PHONE = 1
    CUSTOMER_ID = 2


class CallbackKind(IntEnum):
    """Whom a rescheduled record is for."""
    PERSONAL = 0
    CAMPAIGN = 1


class DncScope(IntEnum):
    """How far a desktop's do-not-call request reaches."""
    RECORD = 0
    CHAIN = 1


class CpdMode(IntEnum):
    """How a simulated CPD server hands live answers to agents."""
    TRANSFER = 0
    ASM = 1


class DistributionKind(IntEnum):
    """Shapes of simulated durations."""
    CONSTANT = 0
    EXPONENTIAL = 1
    LOGNORMAL = 2
    UNIFORM = 3


class ClockKind(IntEnum):
    """Which clock an engine runs on."""
    REAL = 0
    MANUAL = 1


# ob_enum table id of each enumeration.
TABLES: Dict[Type[IntEnum], int] = {
    Status: 0, CallResult: 1, RecordType: 2, RecordStatus: 3, ContactInfoType: 4, DialMode: 5, Goal: 6,
    CampaignState: 7, AgentState: 8, CallEventKind: 9, AnswerClass: 10, AmdMode: 11, DriverKind: 12,
    RecordAction: 13, CallAction: 14, EventKind: 15, LogLevel: 16, DncMatch: 17, CallbackKind: 18, DncScope: 19,
    CpdMode: 20, DistributionKind: 21, ClockKind: 22,
}


E = TypeVar("E", bound=IntEnum)


def coerce(enum_type: Type[E], value: Any, what: str) -> E:
    """`value` (a member, its name as a string in any case, or its number) as a member of `enum_type`;
    InvalidArgumentError (a ValueError) naming the choices otherwise."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        member = enum_type.__members__.get(value.strip().upper())
        if member is not None:
            return member
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            return enum_type(value)
        except ValueError:
            pass
    from .errors import InvalidArgumentError  # noqa: PLC0415 - errors imports this module
    choices = ", ".join(m.name.lower() for m in enum_type)
    raise InvalidArgumentError(f"{what} = {value!r} is no {enum_type.__name__}; one of: {choices}")


def library_table(table: int) -> Dict[int, str]:
    """Every value of the library's code table `table` with its name (the tables are contiguous:
    0, 1, 2, … and, for Status, 0, -1, -2, …)."""
    lib = _native.lib
    step = -1 if table == TABLES[Status] else 1
    out: Dict[int, str] = {}
    value = 0
    while True:
        name = lib.ob_enum_name(table, value)
        if name is None:
            return out
        out[value] = name.decode()
        value += step


def check_against_library() -> None:
    """Raises ImportError unless every enumeration has exactly the library's values and names."""
    for enum_type, table in TABLES.items():
        ours = {int(m): m.name.lower() for m in enum_type}
        theirs = library_table(table)
        if ours != theirs:
            missing = {v: n for v, n in theirs.items() if ours.get(v) != n}
            extra = {v: n for v, n in ours.items() if theirs.get(v) != n}
            raise ImportError(f"outbound: {enum_type.__name__} does not match the library's table {table} "
                              f"(library only: {missing}; package only: {extra}): package and library do not match")


check_against_library()
