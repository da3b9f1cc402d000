"""``lobbot bench engine``: simulated students reflecting through flows and storage."""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.simulated import SimulatedStudent
from bot.turns import Identity, process_turn, warm_up
from bot.writer import GROUP_MOST, Writer
from flows.bank import ERVARINGEN
from storage import reflecties
from storage.db import database_url, is_sqlite, open_database, transaction


def engine_benchmark(
    students: int, db: Path | None = None, together: bool = True
) -> dict[str, object]:
    """Every student completes one full reflection, turns interleaved across students so the
    database holds all of them while it is measured. Every turn is committed durably
    (``synchronous=FULL`` on SQLite: on disk, not just written) before its replies are seen.

    ``together``: the students write at once, as in the bot, and the turns waiting for the
    writer are committed together (``bot.writer``: one fsync for the group). Otherwise one turn
    at a time, each its own commit."""
    with tempfile.TemporaryDirectory() as tmp:
        if db is None and not os.environ.get("DATABASE_URL"):
            db = Path(tmp) / "bench.db"
        url = database_url(db)
        engine = open_database(url)
        warm_up()  # as the bot does at start-up: the models load once, not in the first turns
        at = datetime.now(ZoneInfo("Europe/Amsterdam"))
        run = f"{time.time_ns():x}"
        people = [
            Person(Identity("bench", f"{run}-{i}", f"leerling{i}"),
                   SimulatedStudent(ERVARINGEN[i % len(ERVARINGEN)].key, seed=i))
            for i in range(students)
        ]  # fmt: skip
        latencies: list[float] = []
        groups: dict[int, int] = {}
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        if together and is_sqlite(engine):
            writer = Writer(engine)
            asyncio.run(_together(engine, writer, people, at, latencies))
            writer.close()
            groups = dict(sorted(writer.groups.items()))
        else:
            together = False  # PostgreSQL commits in parallel connections instead
            _one_by_one(engine, people, at, latencies)
        wall = time.perf_counter() - wall_start
        cpu = time.process_time() - cpu_start
        with transaction(engine) as session:
            answers = reflecties.count_answers(session)
        engine.dispose()
    latencies.sort()
    turns = len(latencies)
    return {
        "benchmark": "engine",
        "database": url.split(":", 1)[0],
        "commit": "group" if together else "each turn",
        "students": students,
        "turns": turns,
        "answers_stored": answers,
        "turns_per_second": round(turns / wall, 1),
        "cpu_seconds_per_turn": round(cpu / turns, 6),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000, 3),
            "p99": round(latencies[int(turns * 0.99) - 1] * 1000, 3),
            "max": round(latencies[-1] * 1000, 3),
        },
        "in_flight": min(GROUP_MOST, students) if together else 1,
        "commits": sum(groups.values()) if together else turns,
        "turns_per_commit": {"p50": _median_group(groups), "max": max(groups, default=1)}
        if together
        else {"p50": 1, "max": 1},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _one_by_one(engine: Engine, people: list[Person], at: datetime, latencies: list[float]) -> None:
    while people:
        for person in people:
            event = person.student.next_event(person.state, at)
            t0 = time.perf_counter()
            result = process_turn(engine, person.who, event)
            latencies.append(time.perf_counter() - t0)
            person.student.see(result.replies)
            person.state = result.state
        people = [p for p in people if p.state != "klaar"]


async def _together(
    engine: Engine, writer: Writer, people: list[Person], at: datetime, latencies: list[float]
) -> None:
    """As many turns in flight as a group holds, taken round robin from all students (each
    student one turn at a time), so the database holds every student while it is measured."""
    waiting = deque(people)

    async def lane() -> None:
        while waiting:
            person = waiting.popleft()
            event = person.student.next_event(person.state, at)
            t0 = time.perf_counter()
            result = await asyncio.wrap_future(
                writer.submit(process_turn, engine, person.who, event)
            )
            latencies.append(time.perf_counter() - t0)
            person.student.see(result.replies)
            person.state = result.state
            if person.state != "klaar":
                waiting.append(person)

    await asyncio.gather(*(lane() for _ in range(min(writer.most, len(people)))))


def _median_group(groups: dict[int, int]) -> int:
    """The group size the median turn was committed in."""
    turns = sorted(size for size, count in groups.items() for _ in range(count * size))
    return turns[len(turns) // 2] if turns else 1


@dataclass
class Person:
    """One simulated student and where their conversation is."""

    who: Identity
    student: SimulatedStudent
    state: str = "start"
