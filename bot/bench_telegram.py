"""``lobbot bench telegram``: the real bot as its own process against the Bot API stand-in,
N simulated students reflecting at once; and the same harness with a bare echo bot.

With ``workers``, the bot runs instead as that many ``lobbot run --webhook-url`` processes on
one database, the stand-in handing the webhooks round robin to them (as a load balancer would),
once for each worker count asked for, each on a fresh database.

Latency is measured from the moment a student's message is handed to the stand-in to the moment
the bot's reply arrives there. CPU is the bot processes' own (user + system), per turn. Students
think a while between messages, as people do (``--think``); the stand-in enforces none of
Telegram's flood limits, so the bot's rate limiter is opened up for the run. The stand-in keeps
every call it saw, so its heap grows through a run, and a full garbage collection of it held up
every student in flight for up to 175 ms; the harness's collector is off while it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOBBOT = Path(sys.executable).with_name("lobbot")


def _checkout() -> None:
    """The stand-in and the throwaway PostgreSQL server live with the tests."""
    if not (ROOT / "tests" / "standin").is_dir():
        raise SystemExit("lobbot bench telegram needs the source checkout (tests/standin)")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def _standin() -> Any:
    _checkout()
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
) -> bool:
    """One student's script; False when the chat went out of step (the button the next line
    presses is not on screen: a reply doubled, lost or overtaken), after which it stops."""
    for line in lines:
        await asyncio.sleep(rng.uniform(0, 2 * think))
        before = len(api.sent.get(chat, []))
        started = time.perf_counter()
        found = api.last_keyboard(chat)
        if line == "[foto]":
            await api.user_sends_photo(chat)
        elif line.startswith("[") and found:
            message_id, buttons = found
            if int(line[1:-1]) > len(buttons):
                return False
            await api.user_presses_button(
                chat, message_id, buttons[int(line[1:-1]) - 1]["callback_data"]
            )
        else:
            await api.user_sends_text(chat, line)
        await api.wait_for_bot_messages(chat, before + 1, timeout=120)
        latencies.append(time.perf_counter() - started)
    return True


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
            cpu0, wall0, calls0 = _cpu(process.pid), time.perf_counter(), len(api.calls)
            gc.disable()  # see the module docstring
            try:
                await asyncio.gather(
                    *(
                        _student(
                            api, chat, plans[chat], think, latencies, random.Random(rng.random())
                        )
                        for chat in chats
                    )
                )
            finally:
                gc.enable()
            wall, cpu = time.perf_counter() - wall0, _cpu(process.pid) - cpu0
            rejected = len(api.rejected)
            methods = Counter(call.method for call in api.calls[calls0:])
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    per_turn = {m: round(n / max(len(latencies), 1), 2) for m, n in sorted(methods.items())}
    return {
        **_figures(latencies, wall, cpu),
        "rejected_calls": rejected,
        "calls_per_turn": per_turn,
    }


def _figures(latencies: list[float], wall: float, cpu: float) -> dict[str, Any]:
    latencies = sorted(latencies)
    return {
        "turns": len(latencies),
        "turns_per_second": round(len(latencies) / wall, 1),
        "cpu_seconds_per_turn": round(cpu / len(latencies), 6),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p99": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        },
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
        await api.wait_for_bot_messages(chat, before + 1, timeout=120)


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


# --- several webhook workers on one database ---------------------------------------------------


def _host_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine, all cores."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # idle and iowait are not busy


def _compile_catalogs() -> None:
    from bot import i18n

    for code in i18n.available():
        i18n.catalog(code)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def listening(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until a worker accepts connections on its port (the workers test uses it too)."""
    for _ in range(1200):
        if process.poll() is not None:
            raise SystemExit(f"a worker exited with {process.returncode} before it listened")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise SystemExit("a worker did not start listening")


def stop(processes: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    """Ask every process to stop (SIGTERM), then kill what has not stopped after ``timeout``."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _outbox_check(db_url: str, sent: dict[int, list[dict[str, Any]]]) -> dict[str, int]:
    """Whether the stand-in got exactly what the outbox holds: unsent rows, and messages sent
    twice or never (counted per chat)."""
    from sqlalchemy import func, select

    from storage.db import make_engine, transaction
    from storage.models import OutboxMessage

    engine = make_engine(db_url)
    with transaction(engine) as session:
        rows = session.execute(
            select(OutboxMessage.chat, func.count(), func.count(OutboxMessage.sent_at)).group_by(
                OutboxMessage.chat
            )
        ).all()
    engine.dispose()
    stored = {int(chat): (total, done) for chat, total, done in rows}
    chats = set(stored) | set(sent)
    return {
        "outbox_unsent": sum(total - done for total, done in stored.values()),
        "messages_doubled_or_lost": sum(
            abs(len(sent.get(chat, [])) - stored.get(chat, (0, 0))[0]) for chat in chats
        ),
    }


async def _run_workers(
    count: int, env: dict[str, str], students: int, think: float, db_url: str
) -> dict[str, Any]:
    """``count`` webhook workers on one database; the stand-in delivers round robin."""
    StandIn = _standin()
    # A bot id and chats of this run's own: a database given by URL may hold earlier runs.
    rng = random.Random()
    token = f"{rng.randrange(10**9, 10**10)}:bench-token"
    first_chat = rng.randrange(10**6, 10**9)
    logs = Path(tempfile.mkdtemp(prefix="lobbot-bench-"))
    async with StandIn(token) as api:
        ports = [_free_port() for _ in range(count)]
        urls = [f"http://127.0.0.1:{port}/telegram" for port in ports]
        child_env = {
            **env,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.root,
            "TELEGRAM_MAX_MESSAGES_PER_SECOND": "100000",
            "TELEGRAM_WEBHOOK_SECRET": "bench-webhook-secret",
            "DATABASE_URL": db_url,
        }
        code = _class_code(db_url)  # migrates the database before any worker starts
        _compile_catalogs()  # once, not by every worker at the same moment
        processes = [
            subprocess.Popen(
                [str(LOBBOT), "run", "--webhook-url", url, "--listen", "127.0.0.1",
                 "--port", str(port), "--register-webhook" if n == 0 else "--no-register-webhook"],
                env=child_env,
                stdout=subprocess.DEVNULL,
                stderr=(logs / f"worker{n}.log").open("wb"),
            )
            for n, (url, port) in enumerate(zip(urls, ports, strict=True))
        ]  # fmt: skip
        try:
            await asyncio.gather(*(listening(p, w) for p, w in zip(ports, processes, strict=True)))
            await api.wait_until(lambda: api.webhook is not None, timeout=60)
            api.set_webhook_targets(urls)
            chats = list(range(first_chat, first_chat + students))
            await asyncio.gather(*(_join(api, chat, code) for chat in chats))
            kinds = ["bliksemstage", "bedrijfsbezoek", "gastles", "opendag", "praktijkles"]
            plans = {chat: _script(kinds[i % len(kinds)]) for i, chat in enumerate(chats)}
            seeds = random.Random(7)
            latencies: list[float] = []
            cpu0, host0 = sum(_cpu(p.pid) for p in processes), _host_cpu()
            driver0, wall0 = time.process_time(), time.perf_counter()
            in_step = await asyncio.gather(
                *(
                    _student(
                        api, chat, plans[chat], think, latencies, random.Random(seeds.random())
                    )
                    for chat in chats
                )
            )
            wall = time.perf_counter() - wall0
            cpu = sum(_cpu(p.pid) for p in processes) - cpu0
            driver = time.process_time() - driver0
            host = [after - before for after, before in zip(_host_cpu(), host0, strict=True)]
            await asyncio.sleep(2)  # let the last replies be marked sent before counting
        finally:
            stop(processes)
        check = await asyncio.to_thread(_outbox_check, db_url, api.sent)
    problems = _log_problems(logs)
    shutil.rmtree(logs, ignore_errors=True)
    return {
        "workers": count,
        **_figures(latencies, wall, cpu),
        # the stand-in, the students and the database share the machine with the workers
        "driver_cpu_seconds": round(driver, 1),
        "host_cpu_busy_percent": round(100 * host[0] / max(host[1], 1), 1),
        "rejected_calls": len(api.rejected),
        **check,
        "students_out_of_step": in_step.count(False),
        "worker_log_problems": problems,
    }


def _log_problems(logs: Path) -> dict[str, int]:
    """The workers' warnings and errors, counted (they name ids and error types, no texts)."""
    seen: Counter[str] = Counter()
    for log in logs.glob("*.log"):
        for line in log.read_text(errors="replace").splitlines():
            for level in (" WARNING ", " ERROR "):
                if level in line:
                    seen[level.strip() + " " + line.split(level, 1)[1][:100]] += 1
    return dict(seen.most_common(10))


@contextlib.contextmanager
def _databases(database: str | None, tmp: Path) -> Iterator[Any]:
    """A function giving each run its database: a fresh SQLite file, a fresh database on a
    throwaway PostgreSQL server (``postgresql``), or the one URL given."""
    if database is None or database == "sqlite":
        names = iter(range(1, 1000))
        yield lambda: f"sqlite:///{tmp / f'bench{next(names)}.db'}"
        return
    if database != "postgresql":
        yield lambda: database.replace("postgresql://", "postgresql+psycopg://", 1)
        return
    _checkout()
    from sqlalchemy import create_engine, text

    from tests.pg import Server

    server = Server()
    server.start()
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    names = iter(range(1, 1000))

    def fresh() -> str:
        name = f"bench{next(names)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return server.url(name)

    try:
        yield fresh
    finally:
        admin.dispose()
        server.stop()


def workers_benchmark(
    students: int, think: float, workers: list[int], database: str | None = None
) -> dict[str, Any]:
    """One run per worker count, each on a fresh database: throughput and latency."""
    env = dict(os.environ)
    chosen = database or env.get("DATABASE_URL") or "sqlite"
    kind = "sqlite" if chosen.startswith("sqlite") else "postgresql"
    if kind == "sqlite" and max(workers) > 1:
        raise SystemExit("several workers need PostgreSQL (--database postgresql)")
    runs = []
    with tempfile.TemporaryDirectory() as tmp, _databases(chosen, Path(tmp)) as fresh:
        for count in workers:
            runs.append(asyncio.run(_run_workers(count, env, students, think, fresh())))
    return {
        "benchmark": "telegram-workers",
        "students": students,
        "think_seconds": think,
        "database": kind,
        "cpus": os.cpu_count(),
        "runs": runs,
    }
