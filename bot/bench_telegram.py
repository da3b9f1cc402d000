"""``lobbot bench telegram``: the real bot as its own process against the Bot API stand-in,
N simulated students reflecting at once; and the same harness with a bare echo bot.

Latency is measured from the moment a student's message is handed to the stand-in to the moment
the bot's reply arrives there. CPU is the bot process's own (user + system), per turn. Students
think a while between messages, as people do (``--think``); the stand-in enforces none of
Telegram's flood limits, so the bot's rate limiter is opened up for the run.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _standin() -> Any:
    """The stand-in lives with the tests; the benchmark needs a source checkout."""
    if not (ROOT / "tests" / "standin").is_dir():
        raise SystemExit("lobbot bench telegram needs the source checkout (tests/standin)")
    sys.path.insert(0, str(ROOT))
    from tests.standin import StandIn

    return StandIn


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _script(kind: str) -> list[str]:
    from flows.bank import ERVARINGEN, FASEN, Vorm

    lines = [f"[{[e.key for e in ERVARINGEN].index(kind) + 1}]", "bij een bedrijf in de buurt"]
    for fase in FASEN:
        for vraag in fase.vragen:
            if vraag.geldt_voor(kind):
                lines.append(
                    {
                        Vorm.TEKST: "ik heb klanten geholpen en veel geleerd over het werk",
                        Vorm.FOTO: "[foto]",
                        Vorm.SCHAAL: "[4]",
                        Vorm.KEUZE: "[1]",
                        Vorm.DATUM: "[2]",
                    }[vraag.vorm]
                )
    return [*lines, "[1]", "[7]"]


async def _student(
    api: Any, chat: int, lines: list[str], think: float, latencies: list[float], rng: random.Random
) -> None:
    for line in lines:
        await asyncio.sleep(rng.uniform(0, 2 * think))
        before = len(api.sent.get(chat, []))
        started = time.perf_counter()
        found = api.last_keyboard(chat)
        if line == "[foto]":
            await api.user_sends_photo(chat)
        elif line.startswith("[") and found:
            message_id, buttons = found
            await api.user_presses_button(
                chat, message_id, buttons[int(line[1:-1]) - 1]["callback_data"]
            )
        else:
            await api.user_sends_text(chat, line)
        await api.wait_until(lambda n=before: len(api.sent.get(chat, [])) > n, timeout=60)
        latencies.append(time.perf_counter() - started)


async def _run(
    command: list[str], env: dict[str, str], students: int, think: float, lobbot: bool, db_url: str
) -> dict[str, Any]:
    StandIn = _standin()
    async with StandIn() as api:
        child_env = {
            **env,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.root,
            "TELEGRAM_MAX_MESSAGES_PER_SECOND": "100000",
            "DATABASE_URL": db_url,
        }
        process = subprocess.Popen(
            command, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            chats = list(range(10_000, 10_000 + students))
            if lobbot:
                code = _class_code(db_url)
                await asyncio.gather(*(_join(api, chat, code) for chat in chats))
            await api.user_sends_text(9_999, "warm-up")
            await api.wait_until(lambda: len(api.sent.get(9_999, [])) >= 1, timeout=60)
            latencies: list[float] = []
            rng = random.Random(7)
            kinds = ["bliksemstage", "bedrijfsbezoek", "gastles", "opendag", "praktijkles"]
            plans = {
                chat: _script(kinds[i % len(kinds)]) if lobbot else ["een bericht"] * 20
                for i, chat in enumerate(chats)
            }
            cpu0, wall0 = _cpu(process.pid), time.perf_counter()
            await asyncio.gather(
                *(
                    _student(api, chat, plans[chat], think, latencies, random.Random(rng.random()))
                    for chat in chats
                )
            )
            wall, cpu = time.perf_counter() - wall0, _cpu(process.pid) - cpu0
            rejected = len(api.rejected)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    latencies.sort()
    return {
        "turns": len(latencies),
        "turns_per_second": round(len(latencies) / wall, 1),
        "cpu_seconds_per_turn": round(cpu / len(latencies), 6),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p99": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        },
        "rejected_calls": rejected,
    }


async def _join(api: Any, chat: int, code: str) -> None:
    for step in (f"/start {code}", "[1]", "Sam", "[1]"):
        before = len(api.sent.get(chat, []))
        if step.startswith("/start"):
            await api.user_sends_command(chat, "/start", code)
        elif step.startswith("["):
            message_id, buttons = api.last_keyboard(chat)
            await api.user_presses_button(chat, message_id, buttons[0]["callback_data"])
        else:
            await api.user_sends_text(chat, step)
        await api.wait_until(lambda n=before: len(api.sent.get(chat, [])) > n, timeout=60)


def _class_code(db_url: str) -> str:
    from datetime import UTC, datetime

    from storage import schools
    from storage.db import open_database, transaction

    engine = open_database(db_url)
    now = datetime.now(UTC)
    with transaction(engine) as session:
        school = schools.create_school(session, "Bench", now)
        mentor = schools.create_mentor(session, school, "Mentor", now)
        klas = schools.create_class(session, school, mentor, "B1", now)
        code = schools.create_code(session, "klas", school, now, class_id=klas)[1]
    engine.dispose()
    return code


def telegram_benchmark(students: int, think: float, db_url: str | None = None) -> dict[str, Any]:
    """lobbot and the echo bot under the same load; CPU ratio and latencies."""
    env = dict(os.environ)
    lobbot_bin = str(Path(sys.executable).with_name("lobbot"))
    with tempfile.TemporaryDirectory() as tmp:
        url = db_url or env.get("DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
        ours = asyncio.run(_run([lobbot_bin, "run"], env, students, think, True, url))
        echo = asyncio.run(
            _run([sys.executable, "-m", "bot.bench_echo"], env, students, think, False, url)
        )
    return {
        "benchmark": "telegram",
        "students": students,
        "think_seconds": think,
        "database": url.split(":", 1)[0],
        "lobbot": ours,
        "echo_bot": echo,
        "cpu_per_turn_ratio": round(ours["cpu_seconds_per_turn"] / echo["cpu_seconds_per_turn"], 2),
    }
