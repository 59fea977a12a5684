"""Shared fixtures: a manual-clock engine, SQLite list files, records."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, List

import pytest

# The package under test is the one beside this folder (meson also sets PYTHONPATH).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import outbound as ob  # noqa: E402

START = datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc)  # the manual clock's start in the tests
START_MS = 1773061200000  # START in UTC milliseconds


def make_records(n: int, first: int = 1) -> List[ob.Record]:
    """General, ready records with valid NANP phones derived from their ids, each its own chain."""
    return [ob.Record(record_id=i, contact_info=f"+1212{2000000 + i:07d}", chain_id=i, chain_n=1, campaign_id=1)
            for i in range(first, first + n)]


@pytest.fixture
def engine() -> Iterator[ob.Engine]:
    with ob.Engine(clock="manual", start=START) as e:
        yield e


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite connection string in a fresh folder."""
    return f"sqlite3://{tmp_path / 'list.db'}"


@pytest.fixture
def calling_list(db: str) -> Iterator[ob.CallingList]:
    with ob.CallingList(db, create_if_missing=True) as cl:
        yield cl
