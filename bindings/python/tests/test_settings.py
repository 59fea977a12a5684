"""Every setting of the C++ API reaches the engine from Python (and so through the C API).

The field lists come from the C++ headers themselves: a field added to CampaignConfig,
ListOptions or DncOptions without a C and a Python way to set it fails here."""

from __future__ import annotations

import ctypes
import re
import sqlite3
import wave
from struct import pack
from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import outbound as ob
from outbound import _native

INCLUDE = Path(__file__).resolve().parents[3] / "include" / "outbound"

# C++ field -> (C field of the options struct, Python name). Nested structs are "outer.inner".
CAMPAIGN: Dict[str, Tuple[str, str]] = {
    "name": ("name", "name"), "campaign_id": ("campaign_id", "campaign_id"), "mode": ("mode", "mode"),
    "goal": ("goal", "goal"), "target": ("target", "target"), "pacer": ("pacer", "pacer"),
    "ratio": ("ratio", "ratio"), "ports": ("ports", "ports"), "chunk_size": ("chunk_size", "chunk_size"),
    "low_water": ("low_water", "low_water"), "tick": ("tick_ms", "tick_s"),
    "pace_interval": ("pace_interval_ms", "pace_interval_s"), "flush_interval": ("flush_interval_ms", "flush_interval_s"),
    "empty_list_backoff": ("empty_list_backoff_ms", "empty_list_backoff_s"),
    "abandon_after": ("abandon_after_ms", "abandon_after_s"),
    "abandon_cap.rate": ("abandon_cap_rate", "abandon_cap_rate"),
    "abandon_cap.window": ("abandon_cap_window_ms", "abandon_cap_window_s"),
    "abandon_cap.amd_false_positive": ("abandon_cap_amd_false_positive", "abandon_cap_amd_false_positive"),
    "amd": ("amd", "amd"), "ring_timeout": ("ring_timeout_ms", "ring_timeout_s"),
    "caller_id": ("caller_id", "caller_id"), "customer_id_field": ("customer_id_field", "customer_id_field"),
    "voice_application": ("voice_application", "voice_application"), "treatments": ("treatments", "treatments"),
    "wait_for_desktop": ("wait_for_desktop", "wait_for_desktop"),
    "desktop_timeout": ("desktop_timeout_ms", "desktop_timeout_s"),
    "callback_wait": ("callback_wait_ms", "callback_wait_s"),
    "abandoned_redial_lockout": ("abandoned_redial_lockout_ms", "abandoned_redial_lockout_s"),
    "auto_complete": ("auto_complete", "auto_complete"), "max_attempts": ("max_attempts", "max_attempts"),
    "agent_answer_timeout": ("agent_answer_timeout_ms", "agent_answer_timeout_s"),
    "audio.amd_initial_silence": ("amd_initial_silence_ms", "amd_initial_silence_s"),
    "audio.amd_max_greeting": ("amd_max_greeting_ms", "amd_max_greeting_s"),
    "audio.amd_after_greeting_silence": ("amd_after_greeting_silence_ms", "amd_after_greeting_silence_s"),
    "audio.amd_max_words": ("amd_max_words", "amd_max_words"),
    "audio.amd_max_decision": ("amd_max_decision_ms", "amd_max_decision_s"),
    "audio.amd_max_message_wait": ("amd_max_message_wait_ms", "amd_max_message_wait_s"),
    "audio.abandon_message": ("abandon_message", "abandon_message"),
    "audio.machine_message": ("machine_message", "machine_message"),
    "audio.opt_out_digit": ("opt_out_digit", "opt_out_digit"),
    "contact_limits": ("contact_limits", "contact_limits"),
    "unknown_zones": ("unknown_zones", "unknown_zones"),
    "no_call_days": ("no_call_days", "no_call_days"),
}
# The calling windows (CallingWindows, given beside the config in C++) and array counts.
CAMPAIGN_C_ONLY = {"version": None, "treatment_count": None, "zone_count": None, "contact_limit_count": None,
                   "no_call_day_count": None, "zones": "zones",
                   "window_from_s": "window", "window_till_s": "window", "zone_column": "zone_column"}

LIST: Dict[str, Tuple[str, str]] = {
    "table": ("table", "table"), "filter": ("filter", "filter"), "order_by": ("order_by", "order_by"),
    "engine_id": ("engine_id", "engine_id"), "lease_s": ("lease_s", "lease_s"),
    "zone_column": ("zone_column", "zone_column"), "create_if_missing": ("create_if_missing", "create_if_missing"),
    "create_indexes": ("create_indexes", "create_indexes"),
    "record_type_priority": ("record_type_priorities", "record_type_priority"),
    "phone_region": ("phone_region", "phone_region"), "region_column": ("region_column", "region_column"),
    "list_dbid": ("list_dbid", "list_dbid"),
}

DNC: Dict[str, Tuple[str, str]] = {
    "table": ("table", "table"), "default_region": ("default_region", "region"),
    "create_if_missing": ("create_if_missing", "create_if_missing"),
    "tenant_dbid": ("tenant_dbid", "tenant_dbid"), "sync_interval": ("sync_interval_ms", "sync_interval"),
    "reload_interval": ("reload_interval_ms", "reload_interval"),
}


def cxx_fields(header: str, struct: str) -> List[str]:
    """The data members of `struct` in include/outbound/`header`, nested option structs expanded."""
    text = (INCLUDE / header).read_text(encoding="utf-8")
    m = re.search(r"struct " + struct + r" \{(.*?)\n\};", text, flags=re.S)
    assert m, f"struct {struct} not found in {header}"
    out = []
    for line in m.group(1).splitlines():
        code = line.split("//")[0].strip()
        if "operator" in code:
            continue  # comparisons, not settings
        d = re.match(r"([\w:<>, ]+?)\s+(\w+)\s*(?:=|\{|;)", code)
        if not d:
            continue  # comments, blank lines, member functions
        type_name, name = d.group(1).split("::")[-1], d.group(2)
        where = header_defining(type_name, header) if type_name != struct else None
        if where:
            out += [f"{name}.{inner}" for inner in cxx_fields(where, type_name)]
        else:
            out.append(name)
    return out


def header_defining(struct: str, first: str) -> "str | None":
    """The header (relative to include/outbound) that defines `struct`, `first` looked in first."""
    for path in [INCLUDE / first] + sorted(INCLUDE.rglob("*.hpp")):
        if re.search(r"struct " + struct + r" \{", path.read_text(encoding="utf-8")):
            return str(path.relative_to(INCLUDE))
    return None


def c_fields(struct: type) -> List[str]:
    return [f[0] for f in struct._fields_]


@pytest.mark.parametrize("header,struct,mapping,c_struct,py_names", [
    ("campaign.hpp", "CampaignConfig", CAMPAIGN, _native.CampaignOptions,
     {f.name for f in fields(ob.CampaignOptions)}),
    ("calling_list.hpp", "ListOptions", LIST, _native.ListOptions,
     set(ob.CallingList.__init__.__code__.co_varnames)),
    ("dnc.hpp", "DncOptions", DNC, _native.DncOptions, set(ob.DncList.__init__.__code__.co_varnames)),
])
def test_every_cxx_setting_has_a_c_and_a_python_name(header: str, struct: str, mapping: Dict[str, Tuple[str, str]],
                                                     c_struct: type, py_names: set) -> None:
    cxx = cxx_fields(header, struct)
    assert len(cxx) >= 3, cxx  # the parser found the struct's fields
    unexposed = sorted(set(cxx) - set(mapping))
    assert not unexposed, (f"{struct} fields {unexposed} cannot be set from C or Python: add them to the C options "
                           f"struct (a new version), the Python binding, and this test's table")
    assert not set(mapping) - set(cxx), f"this test maps fields {struct} no longer has"
    for cxx_name, (c_name, py_name) in mapping.items():
        assert c_name in c_fields(c_struct), f"{struct}.{cxx_name}: no {c_name} in the C struct"
        assert py_name in py_names, f"{struct}.{cxx_name}: Python has no {py_name}"


def test_every_c_campaign_option_is_set_from_python() -> None:
    mapped = {c for c, _ in CAMPAIGN.values()} | set(CAMPAIGN_C_ONLY)
    assert set(c_fields(_native.CampaignOptions)) == mapped


def write_wav(path: Path, rate: int) -> str:
    """0.2 s of a quiet ramp as a mono 16-bit WAV of `rate` Hz."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(pack("<h", i % 200) for i in range(rate // 5)))
    return str(path)


def test_campaign_options_reach_the_engine(engine: ob.Engine, tmp_path: Path) -> None:
    switch = ob.SimTServer(ob.SimNetwork(engine), 2)
    rules = [ob.Treatment(7, "busy", "retry_in", name="again", cycle_attempts=3, interval_s=600, increment_s=60),
             ob.Treatment(8, ob.CallResult.NO_ANSWER, ob.RecordAction.RETRY_AT_DATE,
                          date_time=engine.now + timedelta(days=1))]
    given = ob.CampaignOptions(
        name="every", campaign_id=42, mode="predictive", goal="busy_factor", target=0.85, pacer="outbound",
        ratio=1.5, ports=7, chunk_size=33, low_water=11, tick_s=1.5, pace_interval_s=timedelta(milliseconds=500),
        flush_interval_s=2.5, empty_list_backoff_s=45, abandon_after_s=1.8, abandon_cap_rate=0.02,
        abandon_cap_window_s=timedelta(days=1), abandon_cap_amd_false_positive=0.1, amd="detect_connect",
        ring_timeout_s=20, customer_id_field="customer_id", voice_application="survey", treatments=rules,
        zones={"1": "America/New_York", "7": "Europe/London"}, window=(9 * 3600, 20 * 3600), zone_column="zone",
        wait_for_desktop=True, desktop_timeout_s=120, callback_wait_s=90,
        abandoned_redial_lockout_s=timedelta(hours=72), auto_complete=True, caller_id="(212) 555-0199",
        max_attempts=4, agent_answer_timeout_s=1.5, amd_initial_silence_s=3, amd_max_greeting_s=2.2, amd_after_greeting_silence_s=0.7,
        amd_max_words=4, amd_max_decision_s=timedelta(seconds=4), amd_max_message_wait_s=20,
        abandon_message=write_wav(tmp_path / "abandon.wav", 8000),
        machine_message=write_wav(tmp_path / "machine.wav", 16000), opt_out_digit="#",
        contact_limits=[ob.ContactLimit(3, timedelta(hours=24)), ob.ContactLimit(1, 600)],
        unknown_zones="from_numbers", no_call_days=["2026-12-25", "sun", "Europe/London:2026-12-26"])
    defaults = ob.CampaignOptions()
    c = engine.add_campaign(given, driver=switch)
    back = c.options
    seconds = {"tick_s": 1.5, "pace_interval_s": 0.5, "flush_interval_s": 2.5, "empty_list_backoff_s": 45,
               "abandon_after_s": 1.8, "abandon_cap_window_s": 86400, "ring_timeout_s": 20, "desktop_timeout_s": 120,
               "callback_wait_s": 90, "abandoned_redial_lockout_s": 72 * 3600,
               "agent_answer_timeout_s": 1.5, "amd_max_decision_s": 4,
               "contact_limits": [ob.ContactLimit(3, 86400.0), ob.ContactLimit(1, 600.0)]}
    for f in fields(ob.CampaignOptions):
        want = seconds.get(f.name, getattr(given, f.name))
        assert getattr(back, f.name) != getattr(defaults, f.name), f"{f.name} was left at its default by this test"
        if f.name == "treatments":
            assert [(t.id, t.call_result, t.action, t.name, t.cycle_attempts, t.interval_s, t.increment_s, t.date_time)
                    for t in back.treatments] == [
                (7, ob.CallResult.BUSY, ob.RecordAction.RETRY_IN, "again", 3, 600, 60, None),
                (8, ob.CallResult.NO_ANSWER, ob.RecordAction.RETRY_AT_DATE, "", 1, 0, 0, engine.now + timedelta(days=1))]
        else:
            assert getattr(back, f.name) == pytest.approx(want) if isinstance(want, float) else \
                getattr(back, f.name) == want, f.name
    c.set_mode("progressive")
    assert c.options.mode is ob.DialMode.PROGRESSIVE


def test_list_options_reach_the_list(tmp_path: Path) -> None:
    db = f"sqlite3://{tmp_path / 'opts.db'}"
    ob.CallingList.create_table(db, "opts", ["zone VARCHAR(64)", "region VARCHAR(8)"])
    with ob.CallingList(db, "opts", filter="campaign_id = 1", order_by="record_id DESC", engine_id="engine-7",
                        lease_s=timedelta(minutes=2), zone_column="zone", create_if_missing=True,
                        create_indexes=True,
                        record_type_priority={"personal_callback": 0, ob.RecordType.CAMPAIGN_CALLBACK: 1},
                        phone_region="GB", region_column="region", list_dbid=12) as cl:
        o = cl.options
        assert (o.table, o.filter, o.order_by, o.engine_id, o.lease_s, o.zone_column) == (
            "opts", "campaign_id = 1", "record_id DESC", "engine-7", 120, "zone")
        assert (o.phone_region, o.region_column, o.list_dbid) == ("GB", "region", 12)
        assert o.create_if_missing and o.create_indexes
        assert o.record_type_priority == {ob.RecordType.PERSONAL_CALLBACK: 0, ob.RecordType.CAMPAIGN_CALLBACK: 1}
        assert {f.name for f in fields(ob.ListOptions)} == {py for _, py in LIST.values()}
    with pytest.raises(ob.InvalidArgumentError, match="record_type_priority"):
        ob.CallingList(db, "opts", record_type_priority={"no_such_type": 0})
    indexes = sqlite3.connect(tmp_path / "opts.db").execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'opts'").fetchone()[0]
    assert indexes > 0


def test_dnc_options_reach_the_list(tmp_path: Path) -> None:
    db = f"sqlite3://{tmp_path / 'dnc.db'}"
    with ob.DncList(db, table="my_dnc", region="GB", create_if_missing=True) as dnc:
        dnc.add_phone("020 7946 0018")  # a national number of the region
        assert dnc.contains_phone("+442079460018")
    rows = sqlite3.connect(tmp_path / "dnc.db").execute("SELECT count(*) FROM my_dnc").fetchone()[0]
    assert rows == 1
    with sqlite3.connect(tmp_path / "dnc.db") as con:
        con.execute("INSERT INTO my_dnc (phone, tenant_dbid) VALUES ('+12125550100', 4)")
    with ob.DncList(db, table="my_dnc", tenant_dbid=3, sync_interval=0, reload_interval=3600) as dnc:
        assert "+12125550100" not in dnc  # another tenant's row
        assert "+442079460018" in dnc
    with pytest.raises(ob.NotFoundError):
        ob.DncList(db, table="absent", create_if_missing=False)
