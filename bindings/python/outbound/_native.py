"""The C API of liboutbound_c through ctypes: finding and loading the library,
the struct layouts of outbound.h, and the function prototypes.

Nothing here is public; the classes in the other modules wrap it. Every
struct mirrors outbound.h field for field (a test compares sizes and offsets
with the C compiler's)."""

from __future__ import annotations

import ctypes
import ctypes.util
import operator
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double, c_int, c_int64, c_long, c_longlong,
                    c_size_t, c_uint, c_uint64, c_void_p)
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

LIBRARY_ENV = "OUTBOUND_LIBRARY"
_SONAME = "liboutbound_c.so.0"
ABI_MAJOR = 0          # the C API major version this package speaks
MIN_VERSION = 300      # the oldest ob_version_number() it accepts (0.3.0: ob_campaign_options version 3)

# --- finding the library ------------------------------------------------------


def _needs_asan(path: Path) -> bool:
    """True for a library built with AddressSanitizer (its runtime must be preloaded)."""
    try:
        with open(path, "rb") as f:
            return b"libasan.so" in f.read()
    except OSError:
        return False


def _asan_loaded() -> bool:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            return "libasan" in f.read()
    except OSError:
        return False


def _build_tree_candidates(package_dir: Path) -> List[Path]:
    """liboutbound_c in the meson build folders of the source tree this package sits in
    (bindings/python/outbound -> <repo>/build*/capi/): `build` first, then the newest."""
    repo = package_dir.parent.parent.parent
    found = [p for p in repo.glob("build*/capi/liboutbound_c.so") if p.is_file()]
    found.sort(key=lambda p: (p.parent.parent.name != "build", -p.stat().st_mtime))
    return found


def _install_candidate(package_dir: Path) -> Optional[Path]:
    """liboutbound_c in the libdir of the install this package came with (meson
    writes _installed.py at install; a source tree has none)."""
    try:
        from . import _installed
    except ImportError:
        return None
    return package_dir / _installed.LIBDIR_FROM_PACKAGE / _SONAME


def candidates() -> Iterator[str]:
    """Where the library is looked for, in order (OUTBOUND_LIBRARY alone when it is set)."""
    env = os.environ.get(LIBRARY_ENV)
    if env:
        yield env
        return
    here = Path(__file__).resolve().parent
    for p in sorted(here.glob("liboutbound_c.so*")):
        yield str(p)
    installed = _install_candidate(here)
    if installed is not None and installed.is_file():
        yield str(installed)
    for p in _build_tree_candidates(here):
        yield str(p)
    found = ctypes.util.find_library("outbound_c")
    if found:
        yield found
    yield _SONAME


def load() -> "tuple[ctypes.CDLL, str]":
    """Loads the first library that works; raises ImportError listing what was tried."""
    tried = []
    asan_ok = _asan_loaded()
    for name in candidates():
        path = Path(name)
        if path.is_file() and _needs_asan(path) and not asan_ok:
            tried.append(f"{name}: built with AddressSanitizer; preload its runtime (docs/python.md)")
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            tried.append(f"{name}: {e}")
            continue
        try:
            where = _loaded_path(lib, name)
        except OSError:
            where = name
        return lib, where
    raise ImportError("outbound: cannot load liboutbound_c (set OUTBOUND_LIBRARY to its path). Tried:\n  "
                      + "\n  ".join(tried))


def _loaded_path(lib: ctypes.CDLL, name: str) -> str:
    """The file a loaded library came from (via /proc/self/maps), else `name`."""
    marker = os.path.basename(name).split(".so")[0] + ".so"
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and os.path.basename(parts[5]).startswith(marker):
                return parts[5]
    return name


# --- integers: ctypes wraps out-of-range values silently; we refuse them ------------------

_INT_CODES = frozenset("bBhHiIlLqQnN")
_RANGES: Dict[Any, Optional[Tuple[int, int]]] = {}


def _int_range(ctype: Any) -> Optional[Tuple[int, int]]:
    """The range of a ctypes integer type, or None for other types."""
    if ctype not in _RANGES:
        if getattr(ctype, "_type_", None) not in _INT_CODES:
            _RANGES[ctype] = None
        else:
            bits = 8 * ctypes.sizeof(ctype)
            signed = ctype(-1).value < 0
            _RANGES[ctype] = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    return _RANGES[ctype]


def check_int(value: Any, ctype: Any, what: str) -> int:
    """`value` as an int that fits `ctype`; InvalidArgumentError (a ValueError) when it does not fit,
    TypeError when it is no integer."""
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(value).__name__} ({value!r})") from None
    lo, hi = _int_range(ctype) or (v, v)
    if not lo <= v <= hi:
        from .errors import InvalidArgumentError  # noqa: PLC0415 - errors imports this module
        kind = "signed" if lo < 0 else "unsigned"
        raise InvalidArgumentError(f"{what} = {v} is out of range: it goes to a {kind} {8 * ctypes.sizeof(ctype)}-bit "
                                   f"C integer ({lo}..{hi})")
    return v


def fill(struct: Any, values: "Tuple[Any, ...]") -> None:
    """Sets every field of `struct`, in order, from `values`, refusing integers that do not fit, as
    assigning field by field does; each integer is checked once, and the fields are then set past
    _Struct.__setattr__ (which would check them again). For bulk record inserts."""
    cls = type(struct)
    plan = cls.__dict__.get("_fill_plan")
    if plan is None:
        plan = ([f[0] for f in cls._fields_],
                [(i, f[0], f[1]) + _int_range(f[1]) for i, f in enumerate(cls._fields_) if _int_range(f[1])])
        cls._fill_plan = plan
    names, bounds = plan
    if len(values) != len(names):
        raise TypeError(f"{_C_NAMES.get(cls, cls.__name__)} has {len(names)} fields, not {len(values)}")
    for i, name, ctype, lo, hi in bounds:
        value = values[i]
        if not (type(value) is int and lo <= value <= hi):
            check_int(value, ctype, f"{_C_NAMES.get(cls, cls.__name__)}.{name}")
    set_field = Structure.__setattr__  # the ctypes field itself, without _Struct's check
    for name, value in zip(names, values):
        set_field(struct, name, value)


class _Struct(Structure):
    """A C struct whose integer fields refuse values they cannot hold (instead of wrapping them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        for (name, *_), value in zip(self._fields_, args):
            setattr(self, name, value)
        for name, value in kwargs.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        ranges = cls.__dict__.get("_int_ranges")
        if ranges is None:
            ranges = {f[0]: (f[1],) + _int_range(f[1]) for f in cls._fields_ if _int_range(f[1]) is not None}
            cls._int_ranges = ranges
        bounds = ranges.get(name)
        if bounds is not None and not (type(value) is int and bounds[1] <= value <= bounds[2]):  # the common case
            value = check_int(value, bounds[0], f"{_C_NAMES.get(cls, cls.__name__)}.{name}")
        super().__setattr__(name, value)


# --- structs (outbound.h) --------------------------------------------------------

NO_TIME = -(2 ** 63)  # OB_NO_TIME

c_char_p_p = POINTER(c_char_p)


class EngineOptions(_Struct):
    _fields_ = [("version", c_uint), ("clock", c_int), ("start_ms", c_int64)]


class CRecord(_Struct):
    _fields_ = [
        ("version", c_uint), ("record_id", c_int64), ("contact_info", c_char_p), ("contact_info_type", c_int),
        ("record_type", c_int), ("record_status", c_int), ("call_result", c_int), ("attempt", c_int),
        ("dial_sched_time", c_int64), ("call_time", c_int64), ("daily_from", c_int), ("daily_till", c_int),
        ("tz_dbid", c_int), ("campaign_id", c_int), ("agent_id", c_char_p), ("chain_id", c_int), ("chain_n", c_int),
        ("group_id", c_int), ("app_id", c_int), ("media_ref", c_int), ("email_template_id", c_int),
        ("switch_id", c_int), ("treatments", c_char_p), ("email_subject", c_char_p), ("custom_count", c_size_t),
        ("custom_names", c_char_p_p), ("custom_values", c_char_p_p),
    ]


class RecordTypePriority(_Struct):
    _fields_ = [("record_type", c_int), ("priority", c_int)]


class ListOptions(_Struct):
    _fields_ = [
        ("version", c_uint), ("table", c_char_p), ("filter", c_char_p), ("order_by", c_char_p),
        ("engine_id", c_char_p), ("lease_s", c_int64), ("zone_column", c_char_p), ("create_if_missing", c_int),
        ("create_indexes", c_int),
        ("record_type_priority_count", c_size_t), ("record_type_priorities", POINTER(RecordTypePriority)),  # version 2
        ("phone_region", c_char_p), ("region_column", c_char_p), ("list_dbid", c_int),  # version 3
    ]


class CsvOptions(_Struct):
    _fields_ = [
        ("version", c_uint), ("delimiter", c_char), ("batch_size", c_size_t), ("default_daily_from", c_int),
        ("default_daily_till", c_int), ("default_tz_dbid", c_int), ("default_campaign_id", c_int), ("crlf", c_int),
        ("column_count", c_size_t), ("columns", c_char_p_p),
        ("zone_count", c_size_t), ("zones", c_void_p),  # version 2: ob_zone*
    ]


class CsvRowError(_Struct):
    _fields_ = [("line", c_size_t), ("record_id", c_int64), ("reason", c_char_p)]


class ImportReport(_Struct):
    _fields_ = [
        ("version", c_uint), ("data_rows", c_size_t), ("imported", c_size_t), ("blank_lines", c_size_t),
        ("error_count", c_size_t), ("errors", POINTER(CsvRowError)),
    ]


class DncOptions(_Struct):
    _fields_ = [
        ("version", c_uint), ("connection", c_char_p), ("table", c_char_p), ("default_region", c_char_p),
        ("create_if_missing", c_int),
        ("tenant_dbid", c_int), ("sync_interval_ms", c_int64), ("reload_interval_ms", c_int64),  # version 2
    ]


class DncEntry(Structure):
    _fields_ = [
        ("version", c_uint), ("phone", c_char_p), ("customer_id", c_char_p), ("message", c_char_p),
        ("tenant_dbid", c_int), ("campaign_dbid", c_int), ("list_dbid", c_int), ("expires_at_ms", c_int64),
    ]


class CallLogOptions(_Struct):
    _fields_ = [("version", c_uint), ("connection", c_char_p), ("table", c_char_p), ("create_if_missing", c_int)]


class CallLogEntry(_Struct):
    _fields_ = [
        ("version", c_uint), ("campaign", c_char_p), ("list", c_char_p), ("record_id", c_int64),
        ("chain_id", c_int64), ("chain_n", c_int), ("phone", c_char_p), ("agent_id", c_char_p),
        ("dialed_at_ms", c_int64), ("answered_at_ms", c_int64), ("answer", c_int), ("connected_at_ms", c_int64),
        ("abandoned", c_int), ("released_at_ms", c_int64), ("result", c_int),
        ("message_left", c_int),  # version 2
    ]


class CTreatment(_Struct):
    _fields_ = [
        ("version", c_uint), ("id", c_int), ("name", c_char_p), ("call_result", c_int), ("action", c_int),
        ("call_action", c_int), ("destination", c_char_p), ("sequence", c_int), ("cycle_attempts", c_int),
        ("interval_ms", c_int64), ("increment_ms", c_int64), ("date_time", c_int64), ("group_id", c_int),
        ("date_time_ms", c_int64),  # version 2
    ]


class DriverCapabilities(_Struct):
    _fields_ = [
        ("version", c_uint), ("kind", c_int), ("max_concurrent_calls", c_int), ("reports_agent_states", c_int),
        ("routes_to_agents", c_int), ("detects_machines", c_int), ("supports_engaging", c_int),
        ("runs_voice_applications", c_int),
        ("connects_on_request", c_int),  # version 2
    ]


class DialRequest(_Struct):
    _fields_ = [
        ("version", c_uint), ("call_id", c_uint64), ("phone", c_char_p), ("record_id", c_int64),
        ("campaign_id", c_int), ("campaign", c_char_p), ("amd", c_int), ("ring_timeout_ms", c_int64),
        ("agent_id", c_char_p), ("voice_application", c_char_p), ("attribute_count", c_size_t),
        ("attribute_names", c_char_p_p), ("attribute_values", c_char_p_p),
        ("caller_id", c_char_p),  # version 2
        ("amd_initial_silence_ms", c_int64), ("amd_max_greeting_ms", c_int64),  # version 3: the call audio
        ("amd_after_greeting_silence_ms", c_int64), ("amd_max_words", c_int), ("amd_max_decision_ms", c_int64),
        ("amd_max_message_wait_ms", c_int64), ("abandon_message", c_char_p), ("machine_message", c_char_p),
        ("opt_out_digit", c_int),
    ]


class CallEvent(_Struct):
    _fields_ = [
        ("version", c_uint), ("kind", c_int), ("call_id", c_uint64), ("at_ms", c_int64), ("answer", c_int),
        ("agent_id", c_char_p), ("result", c_int), ("detail", c_char_p),
        ("message_left", c_int),  # version 2
    ]


class AgentEvent(_Struct):
    _fields_ = [("version", c_uint), ("agent_id", c_char_p), ("state", c_int), ("at_ms", c_int64)]


DESTROY_FN = CFUNCTYPE(None, c_void_p)
CAPABILITIES_FN = CFUNCTYPE(c_int, c_void_p, POINTER(DriverCapabilities))
START_FN = CFUNCTYPE(c_int, c_void_p, c_void_p)
DIAL_FN = CFUNCTYPE(c_int, c_void_p, POINTER(DialRequest))
CALL_FN = CFUNCTYPE(c_int, c_void_p, c_uint64)
CONNECT_FN = CFUNCTYPE(c_int, c_void_p, c_uint64, c_char_p)
STOP_FN = CFUNCTYPE(c_int, c_void_p)


class DriverClass(_Struct):
    _fields_ = [
        ("version", c_uint), ("destroy", DESTROY_FN), ("name", c_char_p), ("capabilities", CAPABILITIES_FN),
        ("start", START_FN), ("dial", DIAL_FN), ("cancel", CALL_FN), ("release_abandoned", CALL_FN),
        ("stop", STOP_FN),
        ("connect", CONNECT_FN),  # version 2
        ("transfer", CONNECT_FN),  # version 3: (user_data, call_id, destination)
    ]


class Distribution(_Struct):
    _fields_ = [("kind", c_int), ("mean", c_double), ("sd", c_double)]


class SimNetworkOptions(_Struct):
    _fields_ = [
        ("version", c_uint), ("seed", c_uint64), ("live_answer", c_double), ("busy", c_double),
        ("no_answer", c_double), ("machine", c_double), ("sit", c_double), ("fax", c_double), ("silence", c_double),
        ("sit_weights", c_double * 6), ("ring", Distribution), ("no_answer_timeout_s", c_double),
        ("patience_s", c_double), ("busy_signal_s", c_double), ("sit_s", c_double), ("amd_s", c_double),
        ("amd_false_positive", c_double), ("machine_talk_s", c_double),
    ]


class SimAgentOptions(_Struct):
    _fields_ = [("version", c_uint), ("talk", Distribution), ("wrap", Distribution)]


class SimCpdOptions(_Struct):
    _fields_ = [
        ("version", c_uint), ("mode", c_int), ("channels", c_int), ("engage_s", c_double),
        ("engage_failure", c_double), ("opt_out", c_double),
    ]


class SimGvpOptions(_Struct):
    _fields_ = [("version", c_uint), ("ports", c_int), ("ivr", Distribution)]


class SimDriverStats(_Struct):
    _fields_ = [
        ("version", c_uint), ("dials", c_long), ("live_answers", c_long), ("connected", c_long),
        ("abandoned", c_long), ("machines", c_long), ("wait_to_connect_s", c_double), ("engaged", c_long),
        ("engage_failures", c_long), ("opt_outs", c_long),
        ("connect_failures", c_long), ("transfers", c_long), ("machine_messages", c_long),  # version 2
    ]


class SipAgent(_Struct):
    _fields_ = [("agent_id", c_char_p), ("uri", c_char_p)]


class SipOptions(_Struct):
    _fields_ = [
        ("version", c_uint), ("listen", c_char_p), ("customer_uri", c_char_p), ("outbound_proxy", c_char_p),
        ("username", c_char_p), ("password", c_char_p), ("realm", c_char_p), ("caller_id", c_char_p),
        ("agent_count", c_size_t), ("agents", POINTER(SipAgent)), ("max_concurrent_calls", c_int),
        ("calls_per_second", c_double), ("agent_answer_timeout_ms", c_int64), ("default_ring_timeout_ms", c_int64),
        ("max_call_duration_ms", c_int64), ("leg_check_interval_ms", c_int64), ("transaction_timeout_ms", c_int64),
        ("backoff_initial_ms", c_int64), ("backoff_max_ms", c_int64), ("rtp_address", c_char_p),
        ("rtp_port_min", c_int), ("rtp_port_max", c_int), ("abandon_message", c_char_p),
        ("machine_message", c_char_p), ("opt_out_digit", c_int),
    ]


class SipDriverStats(_Struct):
    _fields_ = [
        ("version", c_uint), ("invites", c_long), ("timeouts", c_long), ("transport_failures", c_long),
        ("backoffs", c_long), ("connects", c_long), ("connect_failures", c_long), ("legs_lost", c_long),
        ("open_dialogs", c_long), ("transfers", c_long), ("transfer_failures", c_long),
    ]


class GvpSession(_Struct):
    _fields_ = [
        ("version", c_uint), ("call_id", c_uint64), ("application", c_char_p), ("started_ms", c_int64),
        ("attribute_count", c_size_t), ("attribute_names", c_char_p_p), ("attribute_values", c_char_p_p),
    ]


class Zone(_Struct):
    _fields_ = [("key", c_char_p), ("iana", c_char_p)]


class ContactLimit(_Struct):
    _fields_ = [("max_calls", c_int), ("window_ms", c_int64)]


class PreDial(_Struct):
    _fields_ = [
        ("version", c_uint), ("campaign", c_char_p), ("list", c_char_p), ("phone", c_char_p),
        ("record", POINTER(CRecord)),
    ]


class CampaignOptions(_Struct):
    _fields_ = [
        ("version", c_uint), ("name", c_char_p), ("campaign_id", c_int), ("mode", c_int), ("goal", c_int),
        ("target", c_double), ("pacer", c_char_p), ("ratio", c_double), ("ports", c_int), ("chunk_size", c_size_t),
        ("low_water", c_size_t), ("tick_ms", c_int64), ("flush_interval_ms", c_int64),
        ("empty_list_backoff_ms", c_int64), ("abandon_after_ms", c_int64), ("abandon_cap_rate", c_double),
        ("abandon_cap_window_ms", c_int64), ("amd", c_int), ("ring_timeout_ms", c_int64),
        ("customer_id_field", c_char_p), ("voice_application", c_char_p), ("treatment_count", c_size_t),
        ("treatments", POINTER(CTreatment)), ("zone_count", c_size_t), ("zones", POINTER(Zone)),
        ("window_from_s", c_int), ("window_till_s", c_int), ("zone_column", c_char_p), ("wait_for_desktop", c_int),
        ("desktop_timeout_ms", c_int64), ("callback_wait_ms", c_int64), ("abandoned_redial_lockout_ms", c_int64),
        ("auto_complete", c_int), ("caller_id", c_char_p),  # caller_id: version 2
        ("pace_interval_ms", c_int64), ("max_attempts", c_int), ("abandon_cap_amd_false_positive", c_double),  # 3
        ("agent_answer_timeout_ms", c_int64),  # 4
        ("amd_initial_silence_ms", c_int64), ("amd_max_greeting_ms", c_int64),  # version 4: the call audio
        ("amd_after_greeting_silence_ms", c_int64), ("amd_max_words", c_int), ("amd_max_decision_ms", c_int64),
        ("amd_max_message_wait_ms", c_int64), ("abandon_message", c_char_p), ("machine_message", c_char_p),
        ("opt_out_digit", c_int),
        ("contact_limit_count", c_size_t), ("contact_limits", POINTER(ContactLimit)),  # version 5
        ("unknown_zones", c_int), ("no_call_day_count", c_size_t), ("no_call_days", c_char_p_p),  # version 6 (issue 17)
    ]


class CampaignStats(_Struct):
    _fields_ = [
        ("version", c_uint), ("dials", c_long), ("live_answers", c_long), ("connected", c_long),
        ("abandoned", c_long), ("machines", c_long), ("busy", c_long), ("no_answer", c_long), ("sit", c_long),
        ("other_results", c_long), ("dnc_blocked", c_long), ("window_deferred", c_long), ("record_errors", c_long),
        ("driver_errors", c_long), ("records_finalized", c_long), ("records_rescheduled", c_long),
        ("abandon_rate", c_double), ("window_abandon_rate", c_double), ("window_live_answers", c_long),
        ("agent_occupancy", c_double), ("agent_wait_mean_s", c_double), ("distribution_time_mean_s", c_double),
        ("agents_logged_in", c_int), ("calls_in_flight", c_int), ("records_buffered", c_size_t),
        ("lockout_deferred", c_long),  # version 2
        ("answered_live", c_long), ("answered_machine", c_long), ("answered_fax", c_long),  # version 3
        ("answered_silence", c_long), ("answered_unknown", c_long), ("messages_left", c_long),
        ("contact_deferred", c_long), ("predial_vetoed", c_long),  # version 4
        ("chains_held", c_long),  # version 5
    ]


class CampaignEvent(_Struct):
    _fields_ = [
        ("version", c_uint), ("kind", c_int), ("campaign", c_char_p), ("record_id", c_int64), ("result", c_int),
        ("message", c_char_p), ("agent_id", c_char_p), ("handle", c_int64), ("record", POINTER(CRecord)),
    ]


class DesktopRecord(_Struct):
    _fields_ = [
        ("version", c_uint), ("handle", c_int64), ("campaign", c_char_p), ("list", c_char_p), ("agent_id", c_char_p),
        ("record", CRecord),
    ]


# Every struct with its C name, for the layout test.
STRUCTS = {
    "ob_engine_options": EngineOptions, "ob_record": CRecord, "ob_record_type_priority": RecordTypePriority,
    "ob_list_options": ListOptions,
    "ob_csv_options": CsvOptions, "ob_csv_row_error": CsvRowError, "ob_import_report": ImportReport,
    "ob_dnc_options": DncOptions, "ob_dnc_entry": DncEntry, "ob_call_log_options": CallLogOptions, "ob_call_log_entry": CallLogEntry,
    "ob_treatment": CTreatment, "ob_driver_capabilities": DriverCapabilities,
    "ob_dial_request": DialRequest, "ob_call_event": CallEvent, "ob_agent_event": AgentEvent,
    "ob_driver_class": DriverClass, "ob_distribution": Distribution, "ob_sim_network_options": SimNetworkOptions,
    "ob_sim_agent_options": SimAgentOptions, "ob_sim_cpd_options": SimCpdOptions,
    "ob_sim_gvp_options": SimGvpOptions, "ob_sim_driver_stats": SimDriverStats, "ob_gvp_session": GvpSession,
    "ob_sip_driver_stats": SipDriverStats,
    "ob_zone": Zone, "ob_contact_limit": ContactLimit, "ob_pre_dial": PreDial, "ob_campaign_options": CampaignOptions, "ob_campaign_stats": CampaignStats,
    "ob_campaign_event": CampaignEvent, "ob_desktop_record": DesktopRecord,
}

_C_NAMES = {struct: name for name, struct in STRUCTS.items()}

# Current versions of the versioned structs (OB_*_VERSION): 1, except those below.
VERSION = 1
CAMPAIGN_OPTIONS_VERSION = 6  # 2: caller_id; 3: pace_interval_ms, max_attempts, abandon_cap_amd_false_positive; 4: agent_answer_timeout_ms, call audio; 5: contact limits; 6: unknown_zones, no-call days
LIST_OPTIONS_VERSION = 3  # 2: record type priorities; 3: phone_region, region_column, list_dbid
TREATMENT_VERSION = 2  # 2: date_time_ms
CAMPAIGN_STATS_VERSION = 5  # 2: lockout_deferred; 3: answers by class, messages_left; 4: contact_deferred, predial_vetoed; 5: chains_held
DRIVER_CLASS_VERSION = 3  # 2: connect; 3: transfer
DRIVER_CAPABILITIES_VERSION = 2  # 2: connects_on_request
SIP_DRIVER_STATS_VERSION = 2  # 2: transfers, transfer_failures
CSV_OPTIONS_VERSION = 2  # 2: zones
DNC_OPTIONS_VERSION = 2  # 2: tenant_dbid, sync_interval_ms, reload_interval_ms
DNC_ENTRY_VERSION = 1
CALL_EVENT_VERSION = 2  # 2: message_left
SIM_DRIVER_STATS_VERSION = 2  # 2: connect_failures, transfers, machine_messages
# ob_dial_request is filled by the library at its own version (2 added caller_id, 3 the call audio;
# see DialRequest.from_c).

# --- callbacks -------------------------------------------------------------------------

LOG_CB = CFUNCTYPE(None, c_void_p, c_int, c_char_p)
TASK_CB = CFUNCTYPE(None, c_void_p)
DONE_CB = CFUNCTYPE(c_int, c_void_p)
EVENT_CB = CFUNCTYPE(None, c_void_p, POINTER(CampaignEvent))
PRE_DIAL_CB = CFUNCTYPE(c_int, c_void_p, POINTER(PreDial))
SESSION_CB = CFUNCTYPE(None, c_void_p, POINTER(GvpSession))

# --- prototypes ------------------------------------------------------------------------

_P = POINTER
_i, _u, _i64, _u64, _sz, _d, _s, _v = c_int, c_uint, c_int64, c_uint64, c_size_t, c_double, c_char_p, c_void_p

# name: (restype, argtypes); handles are c_void_p.
PROTOTYPES = {
    "ob_version_number": (_i, []),
    "ob_version_string": (_s, []),
    "ob_last_error": (_s, []),
    "ob_strerror": (_s, [_i]),
    "ob_error_set": (None, [_i, _s]),
    "ob_free": (None, [_v]),
    "ob_call_result_name": (_s, [_i]),
    "ob_enum_name": (_s, [_i, _i]),
    "ob_enum_value": (_i, [_P(_i), _i, _s]),
    # engine
    "ob_engine_options_init": (_i, [_P(EngineOptions), _u]),
    "ob_engine_new": (_i, [_P(_v), _P(EngineOptions)]),
    "ob_engine_free": (None, [_v]),
    "ob_engine_now": (_i, [_P(_i64), _v]),
    "ob_engine_is_manual": (_i, [_P(_i), _v]),
    "ob_engine_advance_clock": (_i, [_v, _i64]),
    "ob_engine_poll": (_i, [_P(_sz), _v]),
    "ob_engine_run_until": (_i, [_v, _i64, DONE_CB, _v]),
    "ob_engine_run_for": (_i, [_v, _i64]),
    "ob_engine_stop": (_i, [_v]),
    "ob_engine_start_thread": (_i, [_v]),
    "ob_engine_stop_thread": (_i, [_v]),
    "ob_engine_set_log_callback": (_i, [_v, LOG_CB, _v]),
    "ob_engine_post": (_i, [_v, TASK_CB, _v]),
    "ob_engine_schedule": (_i, [_P(_u64), _v, _i64, TASK_CB, _v]),
    "ob_engine_cancel_timer": (_i, [_P(_i), _v, _u64]),
    "ob_engine_campaign": (_i, [_P(_v), _v, _s]),
    "ob_engine_campaign_count": (_i, [_P(_sz), _v]),
    # records and lists
    "ob_record_init": (_i, [_P(CRecord), _u]),
    "ob_record_free": (None, [_P(CRecord)]),
    "ob_records_free": (None, [_P(CRecord), _sz]),
    "ob_list_options_init": (_i, [_P(ListOptions), _u]),
    "ob_list_open": (_i, [_P(_v), _s, _P(ListOptions)]),
    "ob_list_options_get": (_i, [_P(ListOptions), _v]),
    "ob_list_free": (None, [_v]),
    "ob_list_create_table": (_i, [_s, _s, c_char_p_p, _sz]),
    "ob_list_insert": (_i, [_v, _P(CRecord), _sz]),
    "ob_list_get": (_i, [_P(_P(CRecord)), _v, _i64]),
    "ob_list_page": (_i, [_P(_P(CRecord)), _P(_sz), _v, _i64, _sz]),
    "ob_list_count_by_status": (_i, [_P(_i64), _sz, _v]),
    "ob_list_custom_field_count": (_i, [_P(_sz), _v]),
    "ob_list_custom_field": (_i, [_P(_s), _v, _sz]),
    "ob_csv_options_init": (_i, [_P(CsvOptions), _u]),
    "ob_list_import_csv": (_i, [_P(_P(ImportReport)), _v, _s, _P(CsvOptions)]),
    "ob_list_import_csv_text": (_i, [_P(_P(ImportReport)), _v, _s, _sz, _P(CsvOptions)]),
    "ob_import_report_free": (None, [_P(ImportReport)]),
    "ob_list_export_csv": (_i, [_P(_sz), _v, _s, _P(CsvOptions)]),
    "ob_list_export_csv_text": (_i, [_P(_v), _v, _P(CsvOptions)]),
    # DNC
    "ob_dnc_options_init": (_i, [_P(DncOptions), _u]),
    "ob_dnc_new": (_i, [_P(_v), _P(DncOptions)]),
    "ob_dnc_free": (None, [_v]),
    "ob_dnc_add_phone": (_i, [_v, _s, _s]),
    "ob_dnc_add_customer": (_i, [_v, _s, _s]),
    "ob_dnc_contains_phone": (_i, [_P(_i), _v, _s]),
    "ob_dnc_contains_customer": (_i, [_P(_i), _v, _s]),
    "ob_dnc_check": (_i, [_P(_i), _v, _s, _s]),
    "ob_dnc_phone_count": (_i, [_P(_sz), _v]),
    "ob_dnc_customer_count": (_i, [_P(_sz), _v]),
    "ob_dnc_reload": (_i, [_P(_sz), _v]),
    "ob_phone_to_e164": (_i, [_P(_v), _s, _s]),
    "ob_dnc_entry_init": (_i, [_P(DncEntry), _u]),
    "ob_dnc_add_entry": (_i, [_v, _P(DncEntry)]),
    "ob_dnc_remove_phone": (_i, [_P(_sz), _v, _s]),
    "ob_dnc_remove_customer": (_i, [_P(_sz), _v, _s]),
    "ob_dnc_check_scoped": (_i, [_P(_i), _v, _s, _s, _i, _i]),
    "ob_dnc_sync": (_i, [_P(_sz), _v]),
    "ob_dnc_load_error_count": (_i, [_P(_sz), _v]),
    "ob_dnc_load_error": (_i, [_P(_v), _P(_v), _P(_v), _v, _sz]),
    # call log
    "ob_call_log_options_init": (_i, [_P(CallLogOptions), _u]),
    "ob_call_log_new": (_i, [_P(_v), _P(CallLogOptions)]),
    "ob_call_log_free": (None, [_v]),
    "ob_call_log_count": (_i, [_P(c_longlong), _v]),
    "ob_call_log_last_abandoned": (_i, [_P(_i64), _P(_i), _v, _s]),
    "ob_call_log_answered_since": (_i, [_P(_P(CallLogEntry)), _P(_sz), _v, _s, _i64]),
    "ob_call_log_entries_free": (None, [_P(CallLogEntry), _sz]),
    # treatments
    "ob_treatment_init": (_i, [_P(CTreatment), _u]),
    "ob_treatments_validate": (_i, [_P(CTreatment), _sz]),
    # drivers
    "ob_driver_new": (_i, [_P(_v), _P(DriverClass), _v]),
    "ob_driver_free": (None, [_v]),
    "ob_driver_name": (_i, [_P(_s), _v]),
    "ob_driver_capabilities_get": (_i, [_P(DriverCapabilities), _v]),
    "ob_driver_connect": (_i, [_v, c_uint64, c_char_p]),
    "ob_event_sink_call_event": (_i, [_v, _P(CallEvent)]),
    "ob_event_sink_agent_event": (_i, [_v, _P(AgentEvent)]),
    # simulation
    "ob_sim_network_options_init": (_i, [_P(SimNetworkOptions), _u]),
    "ob_sim_agent_options_init": (_i, [_P(SimAgentOptions), _u]),
    "ob_sim_cpd_options_init": (_i, [_P(SimCpdOptions), _u]),
    "ob_sim_gvp_options_init": (_i, [_P(SimGvpOptions), _u]),
    "ob_sim_network_new": (_i, [_P(_v), _v, _P(SimNetworkOptions)]),
    "ob_sim_network_free": (None, [_v]),
    "ob_sim_network_set_model": (_i, [_v, _P(SimNetworkOptions)]),
    "ob_sim_tserver_new": (_i, [_P(_v), _v, _i, _s, _P(SimAgentOptions)]),
    "ob_sim_cpd_new": (_i, [_P(_v), _v, _i, _s, _P(SimAgentOptions), _P(SimCpdOptions)]),
    "ob_sim_gvp_new": (_i, [_P(_v), _v, _P(SimGvpOptions)]),
    "ob_sim_driver_set_agent_count": (_i, [_v, _i]),
    "ob_sim_driver_set_agent_model": (_i, [_v, _P(SimAgentOptions)]),
    "ob_sim_driver_stats_get": (_i, [_P(SimDriverStats), _v]),
    "ob_sim_driver_calls_in_progress": (_i, [_P(_sz), _v]),
    "ob_sim_gvp_set_session_callback": (_i, [_v, SESSION_CB, _v]),
    "ob_sim_driver_set_engine_routing": (_i, [_v, _i]),
    # the SIP driver
    "ob_sip_options_init": (_i, [_P(SipOptions), _u]),
    "ob_sip_driver_new": (_i, [_P(_v), _v, _P(SipOptions)]),
    "ob_sip_driver_stats_get": (_i, [_P(SipDriverStats), _v]),
    # campaigns
    "ob_campaign_options_init": (_i, [_P(CampaignOptions), _u]),
    "ob_campaign_new": (_i, [_P(_v), _v, _P(CampaignOptions), _v, _v]),
    "ob_campaign_free": (None, [_v]),
    "ob_campaign_options_get": (_i, [_P(CampaignOptions), _v]),
    "ob_campaign_options_free": (None, [_P(CampaignOptions)]),
    "ob_campaign_name": (_i, [_P(_s), _v]),
    "ob_campaign_add_list": (_i, [_v, _v, _d]),
    "ob_campaign_set_call_log": (_i, [_v, _v]),
    "ob_campaign_load": (_i, [_v]),
    "ob_campaign_start": (_i, [_v]),
    "ob_campaign_stop": (_i, [_v]),
    "ob_campaign_unload": (_i, [_v]),
    "ob_campaign_force_unload": (_i, [_v]),
    "ob_campaign_finish": (_i, [_P(_sz), _v, _i64]),
    "ob_campaign_set_mode": (_i, [_v, _i, _i, _d]),
    "ob_campaign_set_treatments": (_i, [_v, _P(CTreatment), _sz]),
    "ob_campaign_set_agent_state": (_i, [_v, _s, _i]),
    "ob_campaign_agent_state": (_i, [_P(_i), _v, _s]),
    "ob_campaign_state_get": (_i, [_P(_i), _v]),
    "ob_campaign_mode": (_i, [_P(_i), _v]),
    "ob_campaign_stats_get": (_i, [_P(CampaignStats), _v]),
    "ob_campaign_calls_in_flight": (_i, [_P(_sz), _v]),
    "ob_campaign_flush": (_i, [_v]),
    "ob_campaign_set_event_callback": (_i, [_v, EVENT_CB, _v]),
    "ob_campaign_set_pre_dial_callback": (_i, [_v, PRE_DIAL_CB, _v]),
    # desktop
    "ob_desktop_record_free": (None, [_P(DesktopRecord)]),
    "ob_desktop_records_free": (None, [_P(DesktopRecord), _sz]),
    "ob_desktop_preview_record": (_i, [_P(_P(DesktopRecord)), _v, _s]),
    "ob_desktop_chained_record": (_i, [_P(_P(DesktopRecord)), _v, _s, _i64]),
    "ob_desktop_add_record": (_i, [_P(_i64), _v, _s, _P(CRecord)]),
    "ob_desktop_update_call_result": (_i, [_v, _s, _i64, _i]),
    "ob_desktop_record_processed": (_i, [_v, _s, _i64, _i]),
    "ob_desktop_record_reject": (_i, [_v, _s, _i64]),
    "ob_desktop_record_cancel": (_i, [_v, _s, _i64]),
    "ob_desktop_record_reschedule": (_i, [_v, _s, _i64, _i64, _i]),
    "ob_desktop_record_reschedule_ms": (_i, [_v, _s, _i64, _i64, _i]),
    "ob_desktop_scheduled_record_reschedule_ms": (_i, [_v, _s, _i64, _i64, _i]),
    "ob_desktop_scheduled_record_reschedule": (_i, [_v, _s, _i64, _i64, _i]),
    "ob_desktop_do_not_call": (_i, [_v, _s, _i64, _i, _s]),
    "ob_desktop_do_not_call_number": (_i, [_v, _s, _s]),
    "ob_desktop_ready_time": (_i, [_v, _s, _i64]),
    "ob_desktop_logout": (_i, [_v, _s]),
    "ob_desktop_records": (_i, [_P(_P(DesktopRecord)), _P(_sz), _v, _s]),
}


def _range_checked(fn: Any, name: str, argtypes: List[Any]) -> Callable[..., Any]:
    """`fn` refusing integer arguments its C parameters cannot hold (ctypes would wrap them)."""
    checks = [(i, t) + _int_range(t) for i, t in enumerate(argtypes) if _int_range(t) is not None]
    if not checks:
        return fn

    def call(*args: Any) -> Any:
        for i, t, lo, hi in checks:
            if i < len(args) and not (type(args[i]) is int and lo <= args[i] <= hi):
                check_int(args[i], t, f"{name}() argument {i + 1}")
        return fn(*args)

    call.__name__ = name
    return call


def bind(lib: ctypes.CDLL) -> None:
    """Sets restype and argtypes of every C API function (missing ones raise ImportError), and makes
    each one refuse integers out of its parameters' range."""
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError as e:
            raise ImportError(f"outbound: the library has no {name}: it is older than this package") from e
        fn.restype = restype
        fn.argtypes = argtypes
        setattr(lib, name, _range_checked(fn, name, argtypes))


lib, library_file = load()
bind(lib)


def text(b: Optional[bytes]) -> str:
    """A C string as str ("" for NULL)."""
    return b.decode("utf-8", errors="replace") if b else ""


def cstr(s: Optional[str]) -> Optional[bytes]:
    """A str as a C string (None stays NULL)."""
    return None if s is None else s.encode("utf-8")
