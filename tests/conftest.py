"""Shared fixtures: a real, migrated SQLite file per test, and a fixed moment in time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from storage.db import database_url, open_database

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def now() -> datetime:
    """A Monday afternoon in Amsterdam."""
    return NOW


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "lobbot.db"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    """The embedded database, migrated to the newest schema."""
    engine = open_database(database_url(db_path))
    yield engine
    engine.dispose()
