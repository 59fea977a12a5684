"""Calling lists (SQL tables in the OCS shape) and their CSV import and export."""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from . import _native
from ._handle import Handle
from .enums import RecordStatus, RecordType, Status, coerce
from .errors import check, error_for
from .records import CRecords, Record

_lib = _native.lib


@dataclass
class CsvRowError:
    """A CSV row that was not imported."""
    line: int
    """1-based line where the row starts (the header is line 1)."""
    record_id: int
    """Its record_id when readable, else 0."""
    reason: str
    """Why it was not imported."""


@dataclass
class ImportReport:
    """What a CSV import did: data_rows == imported + len(errors)."""
    data_rows: int = 0
    """Rows after the header."""
    imported: int = 0
    """Rows inserted."""
    blank_lines: int = 0
    """Empty lines skipped."""
    errors: List[CsvRowError] = field(default_factory=list)
    """The rows not inserted, in line order."""


@dataclass
class ListOptions:
    """The options a calling list was opened with (CallingList.options)."""

    table: str = "calling_list"
    """Table name (a plain SQL identifier)."""
    filter: Optional[str] = None
    """Extra SQL condition on the list's columns, checked for safety (None: none)."""
    order_by: Optional[str] = None
    """ORDER BY of unscheduled records (None: chain_id, chain_n)."""
    engine_id: str = "engine-1"
    """This engine's name on the leases it takes (engines sharing a list need different names)."""
    lease_s: int = 600
    """Lease length in whole seconds (or a timedelta); leases are renewed while held."""
    zone_column: Optional[str] = None
    """A custom column holding IANA zone names, instead of tz_dbid (None: tz_dbid)."""
    create_if_missing: bool = False
    """Create the table (OCS shape) when it does not exist."""
    create_indexes: bool = False
    """Add the retrieval indexes (changes the table's schema)."""
    record_type_priority: Dict[RecordType, int] = field(default_factory=dict)
    """Due scheduled records by record type: lower priority first, types not listed last (keys take a
    RecordType, its name or its number)."""
    phone_region: Optional[str] = None
    """ISO 3166 region of national-format numbers ("GB"; None: the DNC list's, else US)."""
    region_column: Optional[str] = None
    """A custom column holding each record's ISO 3166 region (None: none)."""
    list_dbid: int = 0
    """The list's id for DNC entries scoped by list_dbid (0: unknown, every such entry applies)."""


@dataclass
class CsvOptions:
    """CSV import and export settings (the C struct ob_csv_options)."""

    delimiter: str = ","
    """Field separator: one byte, not a quote or a line end."""
    batch_size: int = 1000
    """Import: rows per transaction."""
    default_daily_from: int = 0
    """Import: daily_from of rows without one, in seconds after local midnight."""
    default_daily_till: int = 86400
    """Import: daily_till of rows without one, in seconds after local midnight."""
    default_tz_dbid: int = 0
    """Import: tz_dbid of rows without one."""
    default_campaign_id: int = 0
    """Import: campaign_id of rows without one."""
    crlf: bool = True
    """Export: end lines with CRLF (RFC 4180) rather than LF."""
    columns: Sequence[str] = ()
    """Export: the columns to write, in order (empty: all)."""
    zones: Mapping[Union[int, str], str] = field(default_factory=dict)
    """Import: the campaign's tz_dbid -> IANA zone map, so each number is read in its zone's country."""

    def to_c(self) -> "tuple[_native.CsvOptions, object]":
        """The C options and what must stay alive with them."""
        c = _native.CsvOptions()
        check(_lib.ob_csv_options_init(ctypes.byref(c), _native.CSV_OPTIONS_VERSION))
        if len(self.delimiter.encode()) != 1:
            raise ValueError(f"the CSV delimiter must be one byte, not {self.delimiter!r}")
        c.delimiter = self.delimiter.encode()
        c.batch_size = self.batch_size
        c.default_daily_from = self.default_daily_from
        c.default_daily_till = self.default_daily_till
        c.default_tz_dbid = self.default_tz_dbid
        c.default_campaign_id = self.default_campaign_id
        c.crlf = 1 if self.crlf else 0
        keep = None
        if self.columns:
            keep = (ctypes.c_char_p * len(self.columns))(*[_native.cstr(x) for x in self.columns])
            c.column_count = len(self.columns)
            c.columns = ctypes.cast(keep, _native.c_char_p_p)
        if self.zones:
            zones = (_native.Zone * len(self.zones))(*[_native.Zone(_native.cstr(str(k)), _native.cstr(v))
                                                       for k, v in self.zones.items()])
            c.zone_count = len(self.zones)
            c.zones = ctypes.cast(zones, ctypes.c_void_p)
            keep = (keep, zones)
        return c, keep


def _take_report(p: "ctypes._Pointer[_native.ImportReport]") -> ImportReport:
    try:
        r = p.contents
        errors = [CsvRowError(r.errors[i].line, r.errors[i].record_id, _native.text(r.errors[i].reason))
                  for i in range(r.error_count)]
        return ImportReport(r.data_rows, r.imported, r.blank_lines, errors)
    finally:
        _lib.ob_import_report_free(p)


def _take_records(p: "ctypes._Pointer[_native.CRecord]", n: int) -> List[Record]:
    if not p:
        return []
    try:
        return [Record.from_c(p[i]) for i in range(n)]
    finally:
        _lib.ob_records_free(p, n)


class CallingList(Handle):
    """A calling list: an SQL table with the OCS columns plus custom fields.

    `connection` is "sqlite3://path", "postgresql://..." or "postgresql:key=value ...".
    Once a campaign uses the list, calls on it run on that campaign's engine loop.
    """

    _free = _lib.ob_list_free

    def __init__(self, connection: str, table: str = "calling_list", *, filter: Optional[str] = None,
                 order_by: Optional[str] = None, engine_id: Optional[str] = None,
                 lease_s: Union[int, timedelta] = 600, zone_column: Optional[str] = None,
                 create_if_missing: bool = False, create_indexes: bool = False,
                 record_type_priority: Optional[Mapping[Union[RecordType, str, int], int]] = None,
                 phone_region: Optional[str] = None, region_column: Optional[str] = None,
                 list_dbid: int = 0) -> None:
        """Opens `table` on `connection` and checks its columns; the options are ListOptions'."""
        o = _native.ListOptions()
        check(_lib.ob_list_options_init(ctypes.byref(o), _native.LIST_OPTIONS_VERSION))
        o.table = _native.cstr(table)
        o.filter = _native.cstr(filter)
        o.order_by = _native.cstr(order_by)
        o.engine_id = _native.cstr(engine_id)
        o.lease_s = int(lease_s.total_seconds()) if isinstance(lease_s, timedelta) else lease_s
        o.zone_column = _native.cstr(zone_column)
        o.create_if_missing = int(create_if_missing)
        o.create_indexes = int(create_indexes)
        priorities = [_native.RecordTypePriority(int(coerce(RecordType, t, "record_type_priority key")), p)
                      for t, p in (record_type_priority or {}).items()]
        if priorities:
            array = (_native.RecordTypePriority * len(priorities))(*priorities)
            o.record_type_priority_count = len(priorities)
            o.record_type_priorities = ctypes.cast(array, ctypes.POINTER(_native.RecordTypePriority))
        o.phone_region = _native.cstr(phone_region)
        o.region_column = _native.cstr(region_column)
        o.list_dbid = list_dbid
        h = ctypes.c_void_p()
        check(_lib.ob_list_open(ctypes.byref(h), _native.cstr(connection), ctypes.byref(o)))
        super().__init__(h)
        self.table = table

    @property
    def options(self) -> ListOptions:
        """The options the list was opened with, defaults filled in."""
        c = _native.ListOptions(version=_native.LIST_OPTIONS_VERSION)
        check(_lib.ob_list_options_get(ctypes.byref(c), self._h))
        priorities = {RecordType(c.record_type_priorities[i].record_type): c.record_type_priorities[i].priority
                      for i in range(c.record_type_priority_count)}
        return ListOptions(_native.text(c.table), _native.text(c.filter) or None, _native.text(c.order_by) or None,
                           _native.text(c.engine_id), c.lease_s, _native.text(c.zone_column) or None,
                           bool(c.create_if_missing), bool(c.create_indexes), priorities,
                           _native.text(c.phone_region) or None, _native.text(c.region_column) or None, c.list_dbid)

    @staticmethod
    def create_table(connection: str, table: str = "calling_list", custom_columns: Sequence[str] = ()) -> None:
        """Creates a table in the OCS shape plus custom columns ("name TYPE")."""
        cols = (ctypes.c_char_p * max(1, len(custom_columns)))(*[_native.cstr(c) for c in custom_columns])
        check(_lib.ob_list_create_table(_native.cstr(connection), _native.cstr(table),
                                        ctypes.cast(cols, _native.c_char_p_p), len(custom_columns)))

    @property
    def custom_fields(self) -> List[str]:
        """Names of the custom fields."""
        n = ctypes.c_size_t()
        check(_lib.ob_list_custom_field_count(ctypes.byref(n), self._h))
        out = []
        for i in range(n.value):
            name = ctypes.c_char_p()
            check(_lib.ob_list_custom_field(ctypes.byref(name), self._h, i))
            out.append(_native.text(name.value))
        return out

    def insert(self, records: Iterable[Record]) -> None:
        """Inserts records (record_id unique); all or none."""
        c = CRecords(list(records))
        check(_lib.ob_list_insert(self._h, c.pointer, c.count))

    def get(self, record_id: int) -> Optional[Record]:
        """The record, or None."""
        p = ctypes.POINTER(_native.CRecord)()
        rc = _lib.ob_list_get(ctypes.byref(p), self._h, record_id)
        if rc == Status.NOT_FOUND:
            return None
        check(rc)
        return _take_records(p, 1)[0]

    def page(self, after_record_id: int = 0, limit: int = 1000) -> List[Record]:
        """Up to `limit` records with record_id > after_record_id, by record_id."""
        p = ctypes.POINTER(_native.CRecord)()
        n = ctypes.c_size_t()
        check(_lib.ob_list_page(ctypes.byref(p), ctypes.byref(n), self._h, after_record_id, limit))
        return _take_records(p, n.value)

    def __iter__(self) -> Iterator[Record]:
        """Every record, by record_id, a page at a time."""
        after = -(2 ** 63)
        while True:
            chunk = self.page(after, 1000)
            if not chunk:
                return
            yield from chunk
            after = chunk[-1].record_id

    def count_by_status(self) -> Dict[RecordStatus, int]:
        """Number of records per status (every status, zeros included)."""
        counts = (ctypes.c_int64 * len(RecordStatus))()
        check(_lib.ob_list_count_by_status(counts, len(RecordStatus), self._h))
        return {s: counts[int(s)] for s in RecordStatus}

    def import_csv(self, source: Union[str, os.PathLike], options: Optional[CsvOptions] = None) -> ImportReport:
        """Imports a CSV file; a bad header raises InvalidArgumentError, bad rows are in the report."""
        c, keep = (options or CsvOptions()).to_c()
        p = ctypes.POINTER(_native.ImportReport)()
        check(_lib.ob_list_import_csv(ctypes.byref(p), self._h, os.fsencode(source), ctypes.byref(c)))
        del keep
        return _take_report(p)

    def import_csv_text(self, text: Union[str, bytes], options: Optional[CsvOptions] = None) -> ImportReport:
        """Imports CSV text, as import_csv."""
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        c, keep = (options or CsvOptions()).to_c()
        p = ctypes.POINTER(_native.ImportReport)()
        check(_lib.ob_list_import_csv_text(ctypes.byref(p), self._h, data, len(data), ctypes.byref(c)))
        del keep
        return _take_report(p)

    def export_csv(self, path: Union[str, os.PathLike], options: Optional[CsvOptions] = None) -> int:
        """Writes the list as CSV to `path`; returns the number of records."""
        c, keep = (options or CsvOptions()).to_c()
        n = ctypes.c_size_t()
        check(_lib.ob_list_export_csv(ctypes.byref(n), self._h, os.fsencode(path), ctypes.byref(c)))
        del keep
        return n.value

    def export_csv_text(self, options: Optional[CsvOptions] = None, errors: str = "strict") -> str:
        """The list as CSV text. Text in the list that is not UTF-8 raises InvalidArgumentError naming
        the line (errors="strict"); errors="replace" puts U+FFFD in its place, errors="surrogateescape"
        keeps the bytes (export_csv writes them to a file as stored)."""
        c, keep = (options or CsvOptions()).to_c()
        p = ctypes.c_void_p()
        check(_lib.ob_list_export_csv_text(ctypes.byref(p), self._h, ctypes.byref(c)))
        del keep
        try:
            data = ctypes.string_at(p)
        finally:
            _lib.ob_free(p)
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise error_for(Status.INVALID_ARGUMENT,
                            f"the list's CSV is not UTF-8 at line {line} (byte {data[e.start]:#04x}); pass "
                            f"errors=\"replace\" or \"surrogateescape\", or use export_csv(path) for the bytes "
                            f"as stored") from None
