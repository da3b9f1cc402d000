"""The SQLite writer thread: calls that wait together are committed together, a failing call
rolls back only itself, and nobody hears back before the commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.writer import Writer
from storage import inbox
from storage.db import open_database, transaction
from storage.models import InboxItem


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    """The writer is SQLite's (PostgreSQL commits in parallel connections instead)."""
    engine = open_database(f"sqlite:///{tmp_path / 'writer.db'}")
    yield engine
    engine.dispose()


def _receive(engine: Engine, key: str, at: datetime) -> bool:
    with transaction(engine) as session:
        return inbox.receive(session, key, at)


def _stored(engine: Engine, key: str) -> bool:
    with transaction(engine) as session:
        return session.get(InboxItem, key) is not None


def _blocked_writer(engine: Engine) -> tuple[Writer, threading.Event]:
    """A writer whose thread is held in a first call, so what is submitted next queues up."""
    writer = Writer(engine)
    release = threading.Event()
    started = threading.Event()

    def hold() -> None:
        started.set()
        release.wait(10)

    writer.submit(hold)
    assert started.wait(10)
    return writer, release


def test_calls_that_waited_are_committed_as_one_group(sqlite: Engine, now: datetime) -> None:
    writer, release = _blocked_writer(sqlite)
    futures = [writer.submit(_receive, sqlite, key, now) for key in "abc"]
    release.set()
    assert [f.result(10) for f in futures] == [True, True, True]
    writer.close()
    assert writer.groups == {1: 1, 3: 1}  # the holding call alone, then the three together
    assert writer.again == 0  # nothing failed, so no group ran twice
    assert all(_stored(sqlite, key) for key in "abc")


def test_nobody_hears_back_before_the_group_is_committed(sqlite: Engine, now: datetime) -> None:
    writer, release = _blocked_writer(sqlite)
    first = writer.submit(_receive, sqlite, "a", now)
    seen: list[bool] = []
    second = writer.submit(lambda: seen.append(first.done()))
    release.set()
    second.result(10)
    writer.close()
    assert seen == [False]  # "a" was written, but its caller waited for the commit


def test_a_failing_call_rolls_back_only_itself(sqlite: Engine, now: datetime) -> None:
    def fails_after_writing() -> None:
        _receive(sqlite, "b", now)
        with transaction(sqlite) as session:
            inbox.receive(session, "c", now)
            raise RuntimeError("this call fails half-way")

    writer, release = _blocked_writer(sqlite)
    ok_before = writer.submit(_receive, sqlite, "a", now)
    failing: Future[None] = writer.submit(fails_after_writing)
    ok_after = writer.submit(_receive, sqlite, "d", now)
    release.set()
    assert ok_before.result(10) and ok_after.result(10)
    with pytest.raises(RuntimeError):
        failing.result(10)
    writer.close()
    # its first transaction had finished (as it would have been committed alone), the second not
    assert [_stored(sqlite, key) for key in "abcd"] == [True, True, False, True]
    assert writer.again == 1


def test_a_call_that_carries_on_after_a_failed_transaction_loses_only_that(
    sqlite: Engine, now: datetime
) -> None:
    """As a turn does when its conversation changed under it: it catches the failure and tries
    again. Without a savepoint the failed attempt's writes would stay."""

    def retries() -> str:
        try:
            with transaction(sqlite) as session:
                inbox.receive(session, "first-attempt", now)
                raise RuntimeError("conflict")
        except RuntimeError:
            pass
        _receive(sqlite, "second-attempt", now)
        return "done"

    writer, release = _blocked_writer(sqlite)
    before = writer.submit(_receive, sqlite, "a", now)
    retrying = writer.submit(retries)
    release.set()
    assert before.result(10) and retrying.result(10) == "done"
    writer.close()
    assert writer.again == 1
    stored = [_stored(sqlite, key) for key in ("a", "first-attempt", "second-attempt")]
    assert stored == [True, False, True]


def test_a_failed_commit_fails_every_call_of_the_group(
    sqlite: Engine, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.orm import SessionTransaction

    writer, release = _blocked_writer(sqlite)
    futures = [writer.submit(_receive, sqlite, key, now) for key in "ab"]
    original = SessionTransaction.commit

    def disk_full(self: SessionTransaction, _to_root: bool = False) -> None:
        if self.nested:
            return original(self, _to_root)
        raise OSError("disk full")

    monkeypatch.setattr(SessionTransaction, "commit", disk_full)
    release.set()
    for future in futures:
        with pytest.raises(OSError):
            future.result(10)
    monkeypatch.undo()
    writer.close()
    assert not any(_stored(sqlite, key) for key in "ab")


def test_a_call_nobody_waits_for_shares_the_next_commit(sqlite: Engine, now: datetime) -> None:
    writer = Writer(sqlite)
    writer.later(_receive, sqlite, "marked", now)
    seen = writer.submit(_stored, sqlite, "marked")  # queued after it: must see it
    assert seen.result(10) is True
    writer.close()
    assert writer.groups == {2: 1}  # one commit for both


def test_a_call_nobody_waits_for_is_committed_alone_if_nothing_comes(
    sqlite: Engine, now: datetime
) -> None:
    writer = Writer(sqlite)
    writer.later(_receive, sqlite, "alone", now)
    deadline = time.monotonic() + 10
    while not writer.groups and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.groups == {1: 1}
    writer.close()
    assert _stored(sqlite, "alone")


def test_the_log_reaches_the_database_file_without_a_commit_waiting_for_it(
    sqlite: Engine, now: datetime
) -> None:
    """A commit leaves its pages in the write-ahead log; the checkpointer beside the writer
    copies them into the database file, long before the log would be big enough for SQLite to
    make a commit do it."""
    database = Path(str(sqlite.url.database))
    marker = "checkpoint-marker-7f3a"
    writer = Writer(sqlite)
    writer.submit(_receive, sqlite, marker, now).result(10)
    assert marker.encode() in Path(f"{database}-wal").read_bytes()
    deadline = time.monotonic() + 10
    while marker.encode() not in database.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.encode() in database.read_bytes()
    assert writer.checkpointer.runs >= 1
    writer.close()
