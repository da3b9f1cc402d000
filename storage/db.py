"""Engines, sessions and migrations.

SQLite (the default, one file) runs in WAL mode with ``synchronous=FULL`` so a committed turn
survives a crash or power loss, and every transaction starts with ``BEGIN IMMEDIATE`` so two
writers queue instead of failing half-way. ``DATABASE_URL`` selects PostgreSQL instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Column, Engine, Row, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

DEFAULT_DB = "lobbot.db"


def database_url(path: str | os.PathLike[str] | None = None) -> str:
    """``DATABASE_URL`` if set, else the SQLite file at ``path`` (default ``lobbot.db``)."""
    if path is None and (url := os.environ.get("DATABASE_URL")):
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{Path(path or DEFAULT_DB)}"


def make_engine(url: str) -> Engine:
    """An engine for the URL, with SQLite set up for durability and queued writers."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       "busy_timeout=30000"):  # fmt: skip
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class InsertNew:
    """An insert that skips a row whose ``key`` is there already, built once per dialect.

    The database skips it (``ON CONFLICT DO NOTHING``), instead of a savepoint catching the
    error, which cost more than the insert. ``RETURNING`` tells whether the row went in
    (psycopg's rowcount says -1 here). A NULL key never conflicts."""

    def __init__(self, table: Table, key: str, returning: Column[Any]) -> None:
        self._statements = {
            name: dialect.insert(table)
            .on_conflict_do_nothing(index_elements=[key])
            .returning(returning)
            for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
        }

    def run(self, session: Session, row: dict[str, Any]) -> Row[Any] | None:
        """The returned column of the row put in, or None when its key was there already."""
        return session.execute(self._statements[session.get_bind().dialect.name], row).first()


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine is the embedded SQLite database (one writer at a time)."""
    return engine.dialect.name == "sqlite"


def alembic_config(url: str) -> Config:
    """Alembic's configuration for this database, without an ini file on disk."""
    config = Config()
    config.set_main_option("script_location", "storage:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; the app calls this at every start.

    SQLite alters a table by rebuilding it (copy, drop, rename); with foreign keys enforced the
    drop fails while rows point at the table. So, as SQLite documents, the keys are switched off
    for the migration and every reference is checked before it commits.
    """
    sqlite = is_sqlite(engine)
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, where it counts
        try:
            with connection.begin():
                config = alembic_config(engine.url.render_as_string(hide_password=False))
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left a row pointing at nothing")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


def open_database(url: str) -> Engine:
    """An engine on a migrated database."""
    engine = make_engine(url)
    migrate(engine)
    return engine


@dataclass
class Group:
    """The transaction that ``group_commit`` shares between the ``transaction`` blocks inside."""

    session: Session
    savepoints: bool
    failed: bool = False  # a block failed without a savepoint: the group must not commit


_GROUP: ContextVar[Group | None] = ContextVar("lobbot_group_commit", default=None)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed together at the end, or not at all.

    Inside ``group_commit`` it is part of the group's transaction instead, made durable with
    the whole group: in a savepoint of its own when the group asks for them, so that it is
    rolled back on its own when it fails. Without savepoints, a failing block marks the group
    failed (even if its caller carries on), and whoever runs the group runs it again with them.
    """
    group = _GROUP.get()
    if group is not None and group.session.bind is engine:
        if group.savepoints:
            with group.session.begin_nested():
                yield group.session
            return
        try:
            yield group.session
            group.session.flush()  # this block's ORM writes fail here, not in a later block
        except BaseException:
            group.failed = True
            raise
        return
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def group_commit(engine: Engine, savepoints: bool = True) -> Iterator[Group]:
    """Commit every ``transaction`` opened inside (in this thread) as one: one ``COMMIT``, one
    fsync for all of them. Whoever waits for one of them must wait for the end of the group, as
    nothing inside is durable before it. A savepoint per block costs about a tenth of a turn, so
    a caller that can run the group again may go without (``savepoints=False``), check
    ``Group.failed`` after each call, and start over with savepoints when one failed."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        group = Group(session, savepoints)
        token = _GROUP.set(group)
        try:
            yield group
        finally:
            _GROUP.reset(token)
