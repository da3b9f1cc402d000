"""Shared fixtures: a real database per test (an SQLite file, or with
``LOBBOT_TEST_DATABASE=postgresql`` a fresh database on a real PostgreSQL server), and a fixed
moment in time."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, text

from storage.db import database_url, open_database
from tests.pg import Server

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
ON_POSTGRES = os.environ.get("LOBBOT_TEST_DATABASE", "sqlite") == "postgresql"
_numbers = itertools.count()


@pytest.fixture
def now() -> datetime:
    """A Monday afternoon in Amsterdam."""
    return NOW


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server | None]:
    """One PostgreSQL server for the whole run, with a migrated template database."""
    if not ON_POSTGRES:
        yield None
        return
    server = Server()
    url = server.start()
    open_database(url).dispose()  # migrate once; each test copies it
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("ALTER DATABASE lobbot WITH is_template TRUE"))
    admin.dispose()
    yield server
    server.stop()


@pytest.fixture
def db_url(tmp_path: Path, postgres: Server | None) -> str:
    """The URL of an empty, migrated database of this test's own."""
    if postgres is None:
        return database_url(tmp_path / "lobbot.db")
    name = f"test_{os.getpid()}_{next(_numbers)}"
    admin = create_engine(postgres.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE lobbot'))
    admin.dispose()
    return postgres.url(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The test's database, migrated to the newest schema."""
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def cli_env(db_url: str) -> dict[str, str]:
    """The environment for running ``lobbot`` as a program on the test's database."""
    return {**os.environ, "DATABASE_URL": db_url}
