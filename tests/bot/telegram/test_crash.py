"""``lobbot run`` killed with SIGKILL mid-reflection and started again: the student carries on at
the same question, and every earlier answer is stored exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage import outbox, reflecties
from storage.db import transaction
from tests.bot.scripts import expected_keys, full_script
from tests.bot.telegram.harness import Phone, class_code
from tests.standin import StandIn

LOBBOT = Path(sys.executable).with_name("lobbot")
KIND = "bliksemstage"


def _start(api: StandIn, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(LOBBOT), "run"],
        env={
            **env,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.root,
            "TELEGRAM_MAX_MESSAGES_PER_SECOND": "1000",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _until(condition, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the restarted bot did not catch up")


def _unsent(engine: Engine) -> list:
    with transaction(engine) as session:
        return outbox.unsent(session, "telegram")


def _answers(engine: Engine, chat: int) -> list:
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "telegram", str(chat))
        return reflecties.answers_of_student(session, sid) if sid else []


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
async def test_sigkill_and_restart_lose_and_double_nothing(
    engine: Engine, now, cli_env: dict[str, str], seed: int
) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    script = full_script(KIND)[1:]
    kill_at = random.Random(seed).randint(1, len(script) - 3)
    async with StandIn() as api:
        bot = _start(api, cli_env)
        try:
            phone = Phone(api, 600 + seed)
            await phone.join(code, "Sam")
            for line in script[:kill_at]:
                await phone.send(line)
            # one more message is on its way when the plug is pulled
            before = len(api.sent[phone.chat])
            in_flight = script[kill_at]
            if in_flight.startswith("["):
                message_id, buttons = api.last_keyboard(phone.chat)
                data = (
                    buttons[int(in_flight[1:-1]) - 1]["callback_data"]
                    if in_flight != "[foto]"
                    else None
                )
                if data:
                    await api.user_presses_button(phone.chat, message_id, data)
                else:
                    await api.user_sends_photo(phone.chat)
            else:
                await api.user_sends_text(phone.chat, in_flight)
            await asyncio.sleep(random.Random(seed).uniform(0, 0.05))
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=30)
            assert bot.returncode == -signal.SIGKILL
            bot = _start(api, cli_env)
            await api.wait_until(lambda: len(api.sent[phone.chat]) > before, timeout=30)
            # the restarted bot finishes what was in flight: the answer, then every reply
            answered = sum(1 for line in script[1 : kill_at + 1]) - 1  # place is no answer
            await _until(
                lambda: len(_answers(engine, phone.chat)) >= answered and not _unsent(engine)
            )
            for line in script[kill_at + 1 :]:
                await phone.send(line)
            assert "Top gedaan" in phone.said()
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(bot.pid, signal.SIGKILL)
    keys = [a.question_key for a in _answers(engine, 600 + seed)]
    assert Counter(keys) == Counter(expected_keys(KIND))  # each exactly once
    assert keys == expected_keys(KIND)  # and in order
    assert api.rejected == []
