"""What the Telegram channel shares between updates: the database runner and per-chat locks.

Database work runs off the event loop, one whole turn per call. SQLite has one writer at a time,
so it gets one thread (writers queue in Python instead of spinning on the file lock) that commits
the calls waiting together (``bot.writer``: group commit); PostgreSQL gets a small pool, each
call its own transaction.

A chat lock covers a chat's turns *and* the sending of their replies. On PostgreSQL it is also
held against the other workers sharing the database (``WorkerLocks``): the inbox claim alone
keeps a turn from running twice, but not one worker's replies from overtaking another's, nor a
worker's outbox retry from sending a reply that the worker which stored it is sending right then.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
from sqlalchemy import URL, Engine

from bot.writer import Writer
from storage.db import is_sqlite

T = TypeVar("T")
log = logging.getLogger("lobbot.telegram")


class DatabaseRunner:
    """Runs blocking database functions in worker threads; returns once they are committed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writer = Writer(engine) if is_sqlite(engine) else None
        self._executor = (
            None if self.writer else ThreadPoolExecutor(8, thread_name_prefix="lobbot-db")
        )

    @property
    def in_order(self) -> bool:
        """Whether calls run one at a time in the order they were started (the SQLite writer);
        a pool of threads (PostgreSQL) may run a later call first."""
        return self.writer is not None

    def start(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> asyncio.Future[T]:
        """Queue the call now; its future is done once it is committed."""
        if self.writer is not None:
            return asyncio.wrap_future(self.writer.submit(function, *args, **kwargs))
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._executor, functools.partial(function, *args, **kwargs))

    def later(self, function: Callable[..., Any], *args: Any) -> None:
        """Queue a call nobody waits for, to run before any call started after it (``in_order``
        only: a pool could run a later call first)."""
        assert self.writer is not None, "only the SQLite writer runs calls in order"
        self.writer.later(function, *args)

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.start(function, *args, **kwargs)

    def shutdown(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self._executor is not None:
            self._executor.shutdown(wait=True)


class WorkerLocks:
    """Chat locks that every worker on one PostgreSQL database respects.

    Each is a session advisory lock, and all of this worker's are held on one connection of its
    own, so holding a hundred chats costs one connection, not a hundred. Waiting is a short
    polling loop on the event loop (``pg_try_advisory_lock``), never a blocked database thread.
    When a worker dies its connection ends and PostgreSQL frees its locks: no chat stays stuck.
    """

    NAMESPACE = b"lobbot-telegram-chat:"

    def __init__(self, url: URL) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._opening = asyncio.Lock()
        self._releases: set[asyncio.Future[bool]] = set()  # unlocks on their way

    @classmethod
    def key(cls, chat: str) -> int:
        """A chat's lock number: 64 bits of a hash (a collision only makes two chats wait)."""
        digest = hashlib.blake2b(cls.NAMESPACE + chat.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    async def _open(self) -> psycopg.AsyncConnection[Any]:
        async with self._opening:
            if self._connection is None or self._connection.closed:
                self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                )
            return self._connection

    async def _call(self, function: str, chat: str) -> bool:
        connection = await self._open()
        try:
            row = await (
                await connection.execute(f"SELECT {function}(%s)", (self.key(chat),))
            ).fetchone()
        except psycopg.OperationalError:
            # the connection is gone, and with it every lock it held: start a new one
            await connection.close()
            raise
        return bool(row and row[0])

    async def acquire(self, chat: str) -> None:
        pause = 0.002  # another worker holds a chat only for a turn and its sending: ask again soon
        while True:
            attempt = asyncio.ensure_future(self._call("pg_try_advisory_lock", chat))
            try:
                # shielded: a lock granted to a cancelled waiter must still be given back
                if await asyncio.shield(attempt):
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)
            except asyncio.CancelledError:
                attempt.add_done_callback(functools.partial(self._give_back, chat))
                raise
            except psycopg.OperationalError:
                log.warning("the chat-lock connection failed; reconnecting")
                await asyncio.sleep(1.0)

    def _give_back(self, chat: str, attempt: asyncio.Future[bool]) -> None:
        if not attempt.cancelled() and attempt.exception() is None and attempt.result():
            self._unlock(chat)

    def _unlock(self, chat: str) -> asyncio.Future[bool]:
        unlock = asyncio.ensure_future(self._call("pg_advisory_unlock", chat))
        self._releases.add(unlock)
        unlock.add_done_callback(self._releases.discard)
        return unlock

    async def release(self, chat: str) -> None:
        try:
            # shielded: a lock must not stay held because its holder was cancelled meanwhile
            held = await asyncio.shield(self._unlock(chat))
        except psycopg.OperationalError:
            held = False
        if not held:  # lost with a broken connection: another worker may have had the chat
            log.warning("a chat lock was lost before it was released")

    async def close(self) -> None:
        """Give back what is being given back, then end the connection (and any lock left)."""
        await asyncio.gather(*self._releases, return_exceptions=True)
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                await self._connection.close()
            self._connection = None


class ChatLocks:
    """One lock per chat: a chat's updates run one after another, in order; chats run side by
    side. Locks of idle chats are dropped so the table does not grow without end. With
    ``workers``, the chat is also locked against the other workers on the database (taken after
    this process's own lock, so one process never asks the database twice for the same chat)."""

    def __init__(self, workers: WorkerLocks | None = None) -> None:
        self.workers = workers
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._users: dict[str, int] = defaultdict(int)

    @classmethod
    def for_engine(cls, engine: Engine) -> ChatLocks:
        """Shared with other workers on PostgreSQL; SQLite runs one worker."""
        return cls(None if is_sqlite(engine) else WorkerLocks(engine.url))

    def __call__(self, chat: str) -> _Held:
        return _Held(self, chat)

    async def close(self) -> None:
        if self.workers is not None:
            await self.workers.close()


class _Held:
    def __init__(self, locks: ChatLocks, chat: str) -> None:
        self.locks, self.chat = locks, chat

    async def __aenter__(self) -> None:
        self.locks._users[self.chat] += 1
        await self.locks._locks[self.chat].acquire()
        if self.locks.workers is not None:
            try:
                await self.locks.workers.acquire(self.chat)
            except BaseException:
                self._release_local()
                raise

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self.locks.workers is not None:
                await self.locks.workers.release(self.chat)
        finally:
            self._release_local()

    def _release_local(self) -> None:
        self.locks._locks[self.chat].release()
        self.locks._users[self.chat] -= 1
        if self.locks._users[self.chat] == 0:
            del self.locks._users[self.chat]
            del self.locks._locks[self.chat]
