"""``lobbot bench engine``: simulated students reflecting through flows and storage."""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.simulated import SimulatedStudent
from bot.turns import Identity, process_turn, warm_up
from flows.bank import ERVARINGEN
from storage import reflecties
from storage.db import database_url, open_database, transaction


def engine_benchmark(students: int, db: Path | None = None) -> dict[str, object]:
    """Every student completes one full reflection, turns interleaved across students so the
    database holds all of them while it is measured. Every turn is its own committed
    transaction (``synchronous=FULL`` on SQLite: durable, not just written)."""
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
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        while people:
            for person in people:
                event = person.student.next_event(person.state, at)
                t0 = time.perf_counter()
                result = process_turn(engine, person.who, event)
                latencies.append(time.perf_counter() - t0)
                person.student.see(result.replies)
                person.state = result.state
            people = [p for p in people if p.state != "klaar"]
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
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


@dataclass
class Person:
    """One simulated student and where their conversation is."""

    who: Identity
    student: SimulatedStudent
    state: str = "start"
