"""Driving the real Telegram Application against the stand-in, as a student on a phone would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import Engine

from bot.settings import Settings
from bot.telegram.app import Lobbot
from storage import schools
from storage.db import transaction
from tests.standin import StandIn


def class_code(engine: Engine, now: datetime, expires: datetime | None = None) -> str:
    """A school, a mentor and a class; returns the class code students join with."""
    with transaction(engine) as session:
        school = schools.create_school(session, "De Brug", now)
        mentor = schools.create_mentor(session, school, "Mevrouw Aydın", now)
        klas = schools.create_class(session, school, mentor, "3A", now)
        return schools.create_code(session, "klas", school, now, class_id=klas, expires_at=expires)[
            1
        ]


def settings(api: StandIn) -> Settings:
    return Settings(
        telegram_bot_token=api.token,
        telegram_api_base_url=api.root,
        telegram_max_messages_per_second=1000,  # the stand-in does not limit; see the bench note
        scheduler_interval_seconds=3600,
    )


@asynccontextmanager
async def running(
    engine: Engine, api: StandIn, webhook_port: int | None = None
) -> AsyncIterator[Lobbot]:
    """The real Application, polling (or on a webhook), until the block ends."""
    from bot.telegram.webhook import start_webhook

    bot = Lobbot(engine, settings(api))
    await bot.start()
    runner = None
    if webhook_port is None:
        await bot.run_polling()
    else:
        runner = await start_webhook(
            bot,
            f"http://127.0.0.1:{webhook_port}/telegram",
            "127.0.0.1",
            webhook_port,
            "geheim-webhook-token",
        )
    try:
        yield bot
    finally:
        if runner is not None:
            await runner.cleanup()
        await bot.stop()


class Phone:
    """One student's chat: sends like the console script and waits for the bot to answer."""

    def __init__(self, api: StandIn, chat: int) -> None:
        self.api, self.chat = api, chat

    async def send(self, line: str, timeout: float = 15) -> None:
        api, chat = self.api, self.chat
        before = len(api.sent.get(chat, []))
        if line.startswith("[") and line[1:-1].isdecimal():
            found = api.last_keyboard(chat)
            assert found is not None, f"no buttons to press for {line}"
            message_id, buttons = found
            await api.user_presses_button(
                chat, message_id, buttons[int(line[1:-1]) - 1]["callback_data"]
            )
        elif line == "[foto]":
            await api.user_sends_photo(chat)
        elif line.startswith("/"):
            command, _sep, payload = line.partition(" ")
            await api.user_sends_command(chat, command, payload or None)
        else:
            await api.user_sends_text(chat, line)
        await api.wait_for_bot_messages(chat, before + 1, timeout)
        await self.settle()

    async def settle(self) -> None:
        """A turn may answer with two messages (a question and a language offer): wait until
        the chat has been quiet for a moment."""
        count = -1
        while count != len(self.api.sent.get(self.chat, [])):
            count = len(self.api.sent.get(self.chat, []))
            await asyncio.sleep(0.03)

    async def join(self, code: str, name: str, language: int = 1) -> None:
        """Deep link, language, name, privacy notice: then the first question is on screen."""
        await self.send(f"/start {code}")
        await self.send(f"[{language}]")
        await self.send(name)
        await self.send("[1]")

    def said(self) -> str:
        return "\n".join(self.api.texts(self.chat))
