"""What the Telegram channel shares between updates: the database runner and per-chat locks.

Database work runs off the event loop, one whole turn per call. SQLite has one writer at a time,
so it gets one thread (writers queue in Python instead of spinning on the file lock);
PostgreSQL gets a small pool.
"""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Engine

from storage.db import is_sqlite

T = TypeVar("T")


class DatabaseRunner:
    """Runs blocking database functions in worker threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        threads = 1 if is_sqlite(engine) else 8
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lobbot-db")

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(function, *args, **kwargs)
        )

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class ChatLocks:
    """One lock per chat: a chat's updates run one after another, in order; chats run side by
    side. Locks of idle chats are dropped so the table does not grow without end."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._users: dict[str, int] = defaultdict(int)

    def __call__(self, chat: str) -> _Held:
        return _Held(self, chat)


class _Held:
    def __init__(self, locks: ChatLocks, chat: str) -> None:
        self.locks, self.chat = locks, chat

    async def __aenter__(self) -> None:
        self.locks._users[self.chat] += 1
        await self.locks._locks[self.chat].acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.locks._locks[self.chat].release()
        self.locks._users[self.chat] -= 1
        if self.locks._users[self.chat] == 0:
            del self.locks._users[self.chat]
            del self.locks._locks[self.chat]
