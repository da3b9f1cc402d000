"""Several ``lobbot run --webhook-url`` workers on one database.

The Bot API stand-in delivers the webhooks round robin over four worker processes while 200
students join and walk a whole reflection, sending two answers at a time as a burst (the second
before the bot answered the first, so the two usually reach different workers), and each
student's check-in becomes due while others are still talking. Afterwards the database and the
stand-in must agree: every update processed, every answer stored once and in the order it was
sent, every outbox message sent once and in order, every button press answered once, every
scheduled check-in claimed once and sent once.

On PostgreSQL, which the CI runs, that is the point: four processes, one database. SQLite has
one writer and no lock shared between processes, so there the same load goes through a single
webhook worker (order and exactly-once on the webhook path, not the sharing).
"""

from __future__ import annotations

import asyncio
import random
import socket
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from bot import i18n
from bot.bench_telegram import listening, stop
from bot.student_view import CHECKIN
from bot.telegram.updates import inbox_key
from storage import reflecties
from storage.db import transaction
from storage.models import Account, InboxItem, Job, OutboxMessage
from tests.bot.scripts import ANTWOORDEN, expected_keys, full_script
from tests.bot.telegram.harness import Phone, class_code
from tests.conftest import ON_POSTGRES
from tests.standin import StandIn

pytestmark = pytest.mark.slow
LOBBOT = Path(sys.executable).with_name("lobbot")
WORKERS = 4 if ON_POSTGRES else 1
STUDENTS = 200
KIND = "bliksemstage"
SECRET = "gedeeld-webhook-geheim"
FIRST_CHAT = 30_000
PATIENCE = 120  # seconds a student waits for an answer before the test calls it lost


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}/telegram"


def _worker(
    api: StandIn, env: dict[str, str], port: int, register: bool, log: Path
) -> subprocess.Popen[bytes]:
    """One ``lobbot run`` in webhook mode. Only the first registers the webhook, as in a real
    deployment; the stand-in then plays the load balancer in front of all of them."""
    command = [
        str(LOBBOT),
        "run",
        "--webhook-url",
        _url(port),
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--register-webhook" if register else "--no-register-webhook",
    ]
    with log.open("wb") as stderr:
        return subprocess.Popen(
            command,
            env={
                **env,
                "TELEGRAM_BOT_TOKEN": api.token,
                "TELEGRAM_API_BASE_URL": api.root,
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_MAX_MESSAGES_PER_SECOND": "100000",  # the stand-in does not limit
                "SCHEDULER_INTERVAL_SECONDS": "0.5",  # all four race for every due job
            },
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def _rounds(script: list[str]) -> list[list[str]]:
    """The script as a student sends it: two typed answers in a row go out as one burst."""
    rounds: list[list[str]] = []
    for line in script:
        if rounds and len(rounds[-1]) == 1 and _typed(rounds[-1][0]) and _typed(line):
            rounds[-1].append(line)
        else:
            rounds.append([line])
    return rounds


def _typed(line: str) -> bool:
    return not line.startswith(("[", "/"))


def _checkins(api: StandIn, chat: int) -> list[dict[str, Any]]:
    """The check-in messages ("Is het gelukt?") the chat received."""
    return [
        message
        for message in api.sent.get(chat, [])
        if any(
            str(button.get("callback_data", "")).partition("|")[2].startswith(CHECKIN)
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        )
    ]


def _checkin_due_now(engine: Engine, chat: int) -> None:
    """Bring the check-in planned for next week forward, so the workers' schedulers race for
    it while other students are still reflecting."""
    with transaction(engine) as session:
        mine = (Account.channel == "telegram", Account.external_id == str(chat))
        account = session.execute(select(Account.id).where(*mine)).scalar_one()
        session.execute(
            update(Job)
            .where(Job.account_id == account, Job.kind == "checkin")
            .values(due_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def _outbox(engine: Engine, chat: int | None = None) -> list[Any]:
    """Outbox rows (of one chat, or all), in the order they were stored."""
    query = select(OutboxMessage.chat, OutboxMessage.sent_at)
    if chat is not None:
        query = query.where(OutboxMessage.chat == str(chat))
    with transaction(engine) as session:
        return list(session.execute(query.order_by(OutboxMessage.id)).all())


def _compare(api: StandIn, stored: list[Any], chat: int) -> str:
    """The chat's messages at the stand-in against its outbox: counts, never texts (a sent
    message keeps no text in the outbox anyway)."""
    unsent = sum(row.sent_at is None for row in stored)
    return (
        f"{len(api.sent.get(chat, []))} messages at the stand-in, {len(stored)} in the outbox "
        f"({unsent} unsent), {'in' if _in_order(stored) else 'out of'} order"
    )


def _in_order(stored: list[Any]) -> bool:
    """Marked sent in the order they were stored: one sender per chat at a time, each marking
    its messages before the next may send (a reply overtaken by a later one shows here)."""
    times = [row.sent_at for row in stored if row.sent_at is not None]
    return times == sorted(times)


async def _student(
    api: StandIn, engine: Engine, chat: int, code: str, bursts: list[tuple[int, int]]
) -> None:
    """Join, reflect (bursts included), wait for the check-in and answer it."""
    phone = Phone(api, chat)
    await asyncio.sleep(random.Random(chat).uniform(0, 3))  # not all at the same moment
    try:
        for line in (f"/start {code}", "[1]", f"L{chat}", "[1]"):
            await phone.send(line, PATIENCE)
        for lines in _rounds(full_script(KIND)[1:]):
            if len(lines) == 1:
                await phone.send(lines[0], PATIENCE)
                continue
            before = len(api.sent.get(chat, []))
            first = await api.user_sends_text(chat, lines[0])
            second = await api.user_sends_text(chat, lines[1])
            bursts.append((first["update_id"], second["update_id"]))
            # each answer is followed by exactly one question
            await api.wait_for_bot_messages(chat, before + 2, PATIENCE)
            await phone.settle()
        assert any("Top gedaan" in text for text in api.texts(chat)), "reflection not finished"
        await asyncio.to_thread(_checkin_due_now, engine, chat)
        await api.wait_until(lambda: bool(_checkins(api, chat)), PATIENCE)
        await phone.send("[1]", PATIENCE)  # "Ja 🎉": the step they planned happened
    except (TimeoutError, IndexError, AssertionError) as error:
        # out of step: a reply lost, doubled or overtaken. Say which, never what was said.
        stored = await asyncio.to_thread(_outbox, engine, chat)
        raise AssertionError(
            f"chat {chat} went out of step ({type(error).__name__}): {_compare(api, stored, chat)}"
        ) from None


async def test_workers_process_every_chat_in_order_and_send_everything_once(
    engine: Engine, now: datetime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    code = class_code(engine, now)
    # Compile the catalogs once before the workers start, as a deployment would: workers that
    # find them missing or stale all compile them at once, through the same temporary file.
    for language in i18n.available():
        i18n.catalog(language)
    ports = [_port() for _ in range(WORKERS)]
    chats = list(range(FIRST_CHAT, FIRST_CHAT + STUDENTS))
    logs = [tmp_path / f"worker{n}.log" for n in range(WORKERS)]
    bursts: list[tuple[int, int]] = []
    async with StandIn() as api:
        workers = [
            _worker(api, cli_env, port, n == 0, log)
            for n, (port, log) in enumerate(zip(ports, logs, strict=True))
        ]
        try:
            await asyncio.gather(*(listening(p, w) for p, w in zip(ports, workers, strict=True)))
            await api.wait_until(lambda: api.webhook is not None, timeout=30)
            assert api.webhook == {"url": _url(ports[0]), "secret": SECRET}
            api.set_webhook_targets([_url(p) for p in ports])
            async with asyncio.TaskGroup() as students:  # the first failure stops them all
                for chat in chats:
                    students.create_task(_student(api, engine, chat, code, bursts))
            await asyncio.sleep(2)  # the schedulers run a few more times: nothing is sent again
        finally:
            stop(workers)

    problems = [
        line
        for log in logs
        for line in log.read_text(errors="replace").splitlines()
        if " ERROR " in line or "Traceback" in line or "chat lock" in line
    ]
    assert problems == []
    assert [w.returncode for w in workers] == [0] * WORKERS
    assert api.rejected == []
    if WORKERS > 1:  # the load balancer spread the updates, and most bursts over two workers
        assert sorted(api.deliveries) == sorted(_url(p) for p in ports)
        assert min(api.deliveries.values()) > STUDENTS
        split = sum(api.routes[a] != api.routes[b] for a, b in bursts)
        assert split > len(bursts) // 2

    keys = expected_keys(KIND)
    with transaction(engine) as session:
        inbox = session.execute(select(InboxItem.key, InboxItem.processed_at)).all()
        jobs = session.execute(select(Job.kind, Job.done_at)).all()
        answers = {
            chat: reflecties.answers_of_student(
                session, reflecties.student_of_chat(session, "telegram", str(chat))
            )
            for chat in chats
        }
    outbox = _outbox(engine)

    # every update stored (once: its key is the inbox's primary key) and processed
    assert {key for key, _at in inbox} == {
        inbox_key(api.bot_id, u["update_id"]) for u in api.delivered
    }
    assert [key for key, at in inbox if at is None] == []
    # every answer stored once, under the question it was sent for: in the order sent
    for chat in chats:
        assert [a.question_key for a in answers[chat]] == keys, f"chat {chat}"
        misplaced = [
            a.question_key
            for a in answers[chat]
            if a.question_key in ANTWOORDEN and a.text != ANTWOORDEN[a.question_key]
        ]
        assert misplaced == [], f"chat {chat}: answers stored under the wrong question"
    # every outbox message sent once and in order: the stand-in got as many as were stored
    assert [row.chat for row in outbox if row.sent_at is None] == []
    for chat in chats:
        stored = [row for row in outbox if row.chat == str(chat)]
        same = len(api.sent.get(chat, [])) == len(stored) and _in_order(stored)
        assert same, f"chat {chat}: {_compare(api, stored, chat)}"
    # every scheduled check-in claimed once and sent once; every button press answered once
    assert Counter(kind for kind, _done in jobs) == {"checkin": STUDENTS}
    assert [kind for kind, done in jobs if done is None] == []
    assert Counter(len(_checkins(api, chat)) for chat in chats) == {1: STUDENTS}
    presses = [u["callback_query"]["id"] for u in api.delivered if "callback_query" in u]
    answered = Counter(a["callback_query_id"] for a in api.callback_answers)
    assert sorted(answered) == sorted(set(presses)) and set(answered.values()) == {1}
