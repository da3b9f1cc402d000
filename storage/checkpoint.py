"""Copying SQLite's write-ahead log back into the database file, beside the writer.

In WAL mode a commit appends to the log; now and then the pages must be copied back into the
database file (a checkpoint). By default SQLite does that on the commit that finds the log past
1,000 pages, and that commit then waits for the copy and an fsync of the database file: under
load we measured commits of 150 to 270 ms, where a commit otherwise takes under one. Every turn
queued behind it waited as long. So the bot checkpoints on a thread of its own, often enough
that the log never reaches that size: a passive checkpoint runs beside the writer without
blocking it (that is what WAL allows), and the writer's commits stay short. The automatic
checkpoint stays on as the backstop for a log that grows anyway.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from sqlalchemy import Engine

log = logging.getLogger("lobbot.storage")
INTERVAL = 0.2  # seconds; a busy bot writes about 1,000 log pages in 0.4 s


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval`` seconds on its own thread."""

    def __init__(self, engine: Engine, interval: float = INTERVAL) -> None:
        self.engine = engine
        self.interval = interval
        self.runs = 0  # checkpoints done (for the tests)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="lobbot-checkpoint", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _work(self) -> None:
        # A connection of its own, used raw: it is in autocommit (see ``storage.db``), and a
        # checkpoint must not run inside the transaction SQLAlchemy would begin.
        connection = self.engine.raw_connection()
        try:
            while not self._stop.wait(self.interval):
                try:
                    connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.runs += 1
                except sqlite3.Error as error:  # the next one tries again
                    log.warning("a checkpoint failed (%s)", type(error).__name__)
        finally:
            connection.close()
