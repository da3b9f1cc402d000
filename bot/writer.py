"""The one thread that writes to the embedded SQLite database, with group commit.

SQLite has one writer at a time, and with ``synchronous=FULL`` every commit waits for the disk
(an fsync). So work for the database queues here and runs in arrival order on one thread, and
whatever queued up while the previous group was running runs next *as one group*
(``storage.db.group_commit``), and one commit makes all of them durable at once. One failing call
must roll back only itself: the group first runs without savepoints (each costs about a tenth of
a turn), and if any call fails it is rolled back and runs again with a savepoint per call.
Nobody hears back before the commit: a reply is never sent for a turn that a crash could still
undo.

Under light load a group is one call, as before; under heavy load a hundred turns share one
fsync instead of queueing for a hundred. Copying the log back into the database file happens
beside it (``storage.checkpoint``), so no group waits for that.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine

from storage.checkpoint import Checkpointer
from storage.db import group_commit

T = TypeVar("T")
log = logging.getLogger("lobbot.writer")
GROUP_MOST = 100  # calls per commit at most: a group holds every caller until it commits
# A call nobody waits for (``later``) waits this long for others to share its commit with: long
# enough that a busy bot's next turn comes within it, short enough that a crash seldom finds a
# sent reply not yet marked (it is sent again after the restart).
LATER_WAIT = 0.01


@dataclass
class _Call:
    run: Callable[[], Any]
    future: Future[Any]
    waited_for: bool = True


class Writer:
    """Runs database calls on one thread, committing those that waited together."""

    def __init__(self, engine: Engine, most: int = GROUP_MOST) -> None:
        self.engine = engine
        self.most = most
        self.groups: Counter[int] = Counter()  # group size -> how often (for the benchmarks)
        self.again = 0  # groups run a second time, with savepoints, because a call failed
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="lobbot-db", daemon=True)
        self._thread.start()
        self.checkpointer = Checkpointer(engine)

    def submit(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Queue a call; its future is done once the group it ran in is committed."""
        future: Future[T] = Future()
        self._queue.put(_Call(functools.partial(function, *args, **kwargs), future))
        return future

    def later(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue a call nobody waits for. It still runs before every call queued after it, but
        it starts no commit of its own unless no other call comes within ``LATER_WAIT``: a
        commit costs about a third of a turn. A failure is logged."""
        future: Future[Any] = Future()
        future.add_done_callback(_log_failure)
        self._queue.put(_Call(functools.partial(function, *args, **kwargs), future, False))

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()
        self.checkpointer.close()

    def _work(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            deadline = time.monotonic() + LATER_WAIT
            while len(group) < self.most:
                try:
                    call = self._queue.get_nowait()
                except queue.Empty:
                    if any(queued.waited_for for queued in group):
                        break
                    try:  # only calls nobody waits for: wait a little for company
                        call = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
                if call is None:
                    stopping = True
                    break
                group.append(call)
            self._run(group)

    def _run(self, group: list[_Call]) -> None:
        calls = [call for call in group if call.future.set_running_or_notify_cancel()]
        try:
            try:
                outcomes = self._attempt(calls, savepoints=False)
            except _Again:
                self.again += 1
                outcomes = self._attempt(calls, savepoints=True)
        except BaseException as error:  # the commit failed: none of the group happened
            log.error("a group commit failed (%s)", type(error).__name__)
            for call in calls:
                call.future.set_exception(error)
            return
        self.groups[len(group)] += 1
        for call, (done, value) in zip(calls, outcomes, strict=True):
            if done:
                call.future.set_result(value)
            else:
                call.future.set_exception(value)

    def _attempt(self, calls: list[_Call], savepoints: bool) -> list[tuple[bool, Any]]:
        """Run the calls in one transaction and commit it. Without savepoints (the usual case,
        and a tenth of a turn cheaper) the first failure rolls the whole group back and raises
        ``_Again``; nobody has heard back yet, so the group simply runs again, each call in a
        savepoint of its own, where a failing call rolls back only itself."""
        outcomes: list[tuple[bool, Any]] = []
        with group_commit(self.engine, savepoints) as running:
            for call in calls:
                try:
                    outcomes.append((True, call.run()))
                except BaseException as error:  # the caller's to handle, as without a group
                    if not savepoints:
                        raise _Again from error
                    outcomes.append((False, error))
                    continue
                if running.failed:  # a transaction inside failed, and the call carried on
                    raise _Again
        return outcomes


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and (error := future.exception()) is not None:
        log.error("a database call nobody waited for failed (%s)", type(error).__name__)


class _Again(Exception):
    """A call failed in a group without savepoints: run the group again, with them."""
