"""Several ``lobbot run --webhook`` workers share one database; the stand-in delivers webhooks
round robin while many students reflect, with two messages per chat in a burst. Afterwards every
answer is stored once and in order, and every scheduled message was sent once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage import jobs, reflecties
from storage.db import transaction
from storage.models import Account
from tests.bot.telegram.harness import Phone, class_code
from tests.conftest import ON_POSTGRES
from tests.standin import StandIn

pytestmark = pytest.mark.slow
LOBBOT = Path(sys.executable).with_name("lobbot")
WORKERS = 4
STUDENTS = 200 if ON_POSTGRES else 40  # SQLite has one writer: the point is PostgreSQL


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(api: StandIn, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(LOBBOT),
            "run",
            "--webhook-url",
            f"http://127.0.0.1:{port}/telegram",
            "--listen",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-register-webhook",
        ],
        env={
            **env,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.root,
            "TELEGRAM_WEBHOOK_SECRET": "gedeeld-geheim",
            "TELEGRAM_MAX_MESSAGES_PER_SECOND": "100000",
            "SCHEDULER_INTERVAL_SECONDS": "0.5",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _student(api: StandIn, chat: int, code: str) -> None:
    phone = Phone(api, chat)
    await phone.join(code, f"L{chat}")
    await phone.send("[1]")  # bliksemstage
    before = len(api.sent[chat])
    await api.user_sends_text(chat, f"eerste antwoord van leerling {chat} over de kassa")
    await api.user_sends_text(chat, f"tweede antwoord van leerling {chat} over de baas")
    await api.wait_until(lambda: len(api.sent[chat]) >= before + 2, timeout=120)
    for text in ("het moment met de klant", "[foto]"):
        await phone.send(text, timeout=120)


async def test_four_workers_keep_every_chat_in_order(
    engine: Engine, now, cli_env: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    ports = [_port() for _ in range(WORKERS)]
    async with StandIn() as api:
        workers = [_worker(api, cli_env, port) for port in ports]
        try:
            for port in ports:
                for _ in range(100):
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                        break
                    except OSError:
                        await asyncio.sleep(0.1)
            api.webhook = {
                "url": f"http://127.0.0.1:{ports[0]}/telegram",
                "secret": "gedeeld-geheim",
            }
            api.set_webhook_targets([f"http://127.0.0.1:{p}/telegram" for p in ports])
            chats = list(range(20_000, 20_000 + STUDENTS))
            await asyncio.gather(*(_student(api, chat, code) for chat in chats))
            with transaction(engine) as session:  # one check-in job per student, due now
                for account in session.exec(select(Account)).all():
                    jobs.schedule(
                        session,
                        "checkin",
                        account.id,
                        datetime.now(UTC) - timedelta(minutes=1),
                        datetime.now(UTC),
                        {"stap": "bellen", "entry_id": 0},
                        f"test:{account.id}",
                    )
            await api.wait_until(
                lambda: all(any("bellen" in t for t in api.texts(c)) for c in chats), timeout=120
            )
            await asyncio.sleep(2)  # every worker's scheduler has had its turns
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.kill(worker.pid, signal.SIGKILL)
    assert api.rejected == []
    for chat in chats:
        with transaction(engine) as session:
            sid = reflecties.student_of_chat(session, "telegram", str(chat))
            answers = reflecties.answers_of_student(session, sid)
        assert [a.question_key for a in answers] == ["wat", "taak", "moment", "foto"], (
            chat, [t[:50] for t in api.texts(chat)][-6:])
        assert answers[0].text.startswith("eerste") and answers[1].text.startswith("tweede")
        assert sum("bellen" in t for t in api.texts(chat)) == 1  # the scheduled message, once
