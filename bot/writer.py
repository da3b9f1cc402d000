"""The one thread that writes to the embedded SQLite database, with group commit.

SQLite has one writer at a time, and with ``synchronous=FULL`` every commit waits for the disk
(an fsync). So work for the database queues here and runs in arrival order on one thread, and
whatever queued up while the previous group was running runs next *as one group*: each call in
its own savepoint (``storage.db.group_commit``), so one failing call rolls back only itself, and
one commit makes all of them durable at once. Nobody hears back before that commit: a reply is
never sent for a turn that a crash could still undo.

Under light load a group is one call, as before; under heavy load a hundred turns share one
fsync instead of queueing for a hundred.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine

from storage.db import group_commit

T = TypeVar("T")
log = logging.getLogger("lobbot.writer")
GROUP_MOST = 100  # calls per commit at most: a group holds every caller until it commits


@dataclass
class _Call:
    run: Callable[[], Any]
    future: Future[Any]


class Writer:
    """Runs database calls on one thread, committing those that waited together."""

    def __init__(self, engine: Engine, most: int = GROUP_MOST) -> None:
        self.engine = engine
        self.most = most
        self.groups: Counter[int] = Counter()  # group size -> how often (for the benchmarks)
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="lobbot-db", daemon=True)
        self._thread.start()

    def submit(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Queue a call; its future is done once the group it ran in is committed."""
        future: Future[T] = Future()
        self._queue.put(_Call(functools.partial(function, *args, **kwargs), future))
        return future

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _work(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < self.most:
                try:
                    call = self._queue.get_nowait()
                except queue.Empty:
                    break
                if call is None:
                    stopping = True
                    break
                group.append(call)
            self._run(group)

    def _run(self, group: list[_Call]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            with group_commit(self.engine):
                for call in group:
                    if not call.future.set_running_or_notify_cancel():
                        outcomes.append((False, None))
                        continue
                    try:
                        outcomes.append((True, call.run()))
                    except BaseException as error:  # the caller's to handle, as without a group
                        outcomes.append((False, error))
        except BaseException as error:  # the commit failed: none of the group happened
            log.error("a group commit failed (%s)", type(error).__name__)
            for call in group:
                if call.future.running():
                    call.future.set_exception(error)
            return
        self.groups[len(group)] += 1
        for call, (done, value) in zip(group, outcomes, strict=True):
            if not call.future.running():
                continue  # cancelled before it ran
            if done:
                call.future.set_result(value)
            else:
                call.future.set_exception(value)
