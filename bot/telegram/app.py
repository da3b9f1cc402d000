"""``lobbot run``: the python-telegram-bot Application, fed by our own inbox.

PTB confirms a getUpdates offset as soon as updates are queued, and its webhook server answers
200 before handlers run; either way an update can be lost in a crash. So lobbot fetches updates
itself (a small getUpdates loop, or an aiohttp webhook route), stores each one in the inbox
*before* confirming it, and only then puts it on the Application's update queue. The turn marks
it processed in the same transaction as its effects, and replies go through the outbox. At
start-up, whatever was stored but not processed, or processed but not sent, is finished first.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine
from telegram import BotCommand, Update
from telegram.error import BadRequest, Conflict, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from bot import i18n, links, scheduling
from bot.chart import Chart
from bot.settings import Settings
from bot.telegram import render
from bot.telegram.request import AiohttpRequest, LobbotBot, Received
from bot.telegram.runtime import ChatLocks, DatabaseRunner
from bot.telegram.sender import CHANNEL, Sender
from bot.telegram.updates import inbox_key, incoming
from bot.turns import TurnResult, process_turn, warm_up
from flows.replies import Reply
from flows.text import _
from storage import accounts, inbox, outbox, privacy
from storage.accounts import AccountInfo
from storage.db import transaction

log = logging.getLogger("lobbot.telegram")
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25
CONNECTIONS = 16
RECOVER_INTERVAL = 30.0  # seconds an update may wait before any worker takes it up again
COMMANDS = (
    ("start", _("Beginnen of verdergaan")),
    ("terug", _("Eén vraag terug")),
    ("overslaan", _("Deze vraag overslaan")),
    ("stop", _("Even pauzeren")),
    ("verder", _("Verder waar je was")),
    ("opnieuw", _("Opnieuw beginnen")),
    ("dossier", _("Je loopbaandossier")),
    ("notitie", _("Iets in je dossier zetten")),
    ("ouder", _("Je ouder uitnodigen")),
    ("mijngegevens", _("Wat lobbot over jou bewaart")),
    ("hulp", _("Uitleg")),
)


class PerChatProcessor(BaseUpdateProcessor):
    """Updates of one chat in order, one at a time; different chats side by side.

    The chat lock is taken before PTB's concurrency limit, in the order the updates were queued.
    """

    def __init__(self, locks: ChatLocks, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.locks = locks

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        async with self.locks(str(chat.id) if chat else "-"):
            await super().process_update(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def deliver(
    session: Any, channel: str, chat: str, messages: list[Reply | Chart]
) -> list[outbox.Pending]:
    """Queue messages for a Telegram chat in the outbox (rendered in the current language)."""
    now = datetime.now(UTC)
    queued = []
    for message in messages:
        if isinstance(message, Chart):
            png = base64.b64encode(message.png).decode()
            payload = {"photo_b64": png, "caption": message.caption}
            queued.append(outbox.add(session, channel, chat, payload, now))
        else:
            for payload in render.messages(message):
                queued.append(outbox.add(session, channel, chat, payload, now))
    return queued


class Lobbot:
    """The Telegram channel: turns updates into turns and replies into messages."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.runner = DatabaseRunner(engine)
        self.locks = ChatLocks.for_engine(engine)
        self.application = self._build()
        self.bot = cast(LobbotBot, self.application.bot)  # built in _build
        self.sender = Sender(self.bot, self.runner, self.locks)
        self._tasks: list[asyncio.Task[Any]] = []
        self._retention_day: date | None = None

    def _build(self) -> Application:
        assert self.settings.telegram_bot_token is not None, "TELEGRAM_BOT_TOKEN is not set"
        base = self.settings.telegram_api_base_url.rstrip("/")
        bot = LobbotBot(
            self.settings.telegram_bot_token.get_secret_value(),
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            # a few connections carry far more than Telegram's 30 messages a second; a send
            # waits for a free one rather than fail
            request=AiohttpRequest(CONNECTIONS),
            get_updates_request=AiohttpRequest(1, read_timeout=10.0),
            rate_limiter=AIORateLimiter(
                overall_max_rate=self.settings.telegram_max_messages_per_second, max_retries=3
            ),
        )
        application = (
            ApplicationBuilder()
            .bot(bot)
            .updater(None)  # we fetch updates ourselves, inbox first (see the module docstring)
            .concurrent_updates(PerChatProcessor(self.locks))
            .build()
        )
        application.add_handler(TypeHandler(Update, self.handle))
        application.add_error_handler(self.on_error)
        return application

    @property
    def bot_id(self) -> int:
        return self.bot.id

    # --- one update ---------------------------------------------------------------------------

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every update: one turn (off the event loop), then its replies, in the chat's order.

        It runs under the chat's lock, which on PostgreSQL the other workers respect too. With
        several workers a chat's updates reach different processes, so whoever holds the lock
        first processes the chat's older waiting updates: they are processed in order. That
        check runs in the same database call as the turn, as it almost always finds nothing."""
        chat = update.effective_chat
        in_order = str(chat.id) if chat is not None and chat.type == "private" else None
        for _attempt in range(100):
            older = await self._process(update, in_order)
            if older is None:
                return
            await self._process(Update.de_json(older, self.bot), None)  # the oldest: go
        await self._process(update, None)

    async def _process(self, update: Update, in_order: str | None) -> dict[str, Any] | None:
        """Process the update, unless an older one of the chat ``in_order`` is still waiting:
        then nothing is done and that one is returned, to go first."""
        key = inbox_key(self.bot_id, update.update_id)
        if update.my_chat_member is not None:
            return await self._membership(update, key, in_order)
        return await self._turn(update, key, in_order)

    def _older(self, chat: str | None, key: str) -> dict[str, Any] | None:
        """The payload of an update of this chat waiting longer than ``key``, if any."""
        if chat is None:
            return None
        with transaction(self.engine) as session:
            first = inbox.first_waiting(session, chat)
            return None if first in (None, key) else inbox.payload_of(session, first)

    async def _turn(self, update: Update, key: str, in_order: str | None) -> dict[str, Any] | None:
        item = incoming(update, self.bot_id, datetime.now(UTC))
        notices: list[str] = []
        queued: list[outbox.Pending] = []
        behind: list[bool] = []  # older messages of this chat are still waiting to be sent
        pressed = item is not None and item.callback_query_id is not None

        def store(session: Any, account: AccountInfo, replies: list[Reply | Chart]) -> None:
            # A turn retried after a version conflict stores its replies again: keep only the
            # last attempt's, or the rolled-back attempt's messages would be sent as well.
            assert item is not None
            queued.clear()
            notices.clear()
            behind[:] = [outbox.has_unsent(session, CHANNEL, item.who.external_id)]
            with i18n.language(account.language, account.bilingual):
                for reply in replies:
                    if isinstance(reply, Reply) and reply.notice and pressed:
                        notices.append(" ".join(i18n.tr(line) for line in reply.lines))
                        continue
                    queued.extend(deliver(session, CHANNEL, item.who.external_id, [reply]))

        def run() -> TurnResult | dict[str, Any] | None:
            if (older := self._older(in_order, key)) is not None:
                return older
            if item is None:  # not a turn; done with, so it is not taken up again as "waiting"
                self._claim(key)
                return None
            return process_turn(self.engine, item.who, item.event, item.key, store)

        result = await self.runner.run(run)
        if not isinstance(result, TurnResult):
            return result
        assert item is not None
        if item.callback_query_id is not None and not result.duplicate:
            with contextlib.suppress(BadRequest):  # a redelivered press may be too old to answer
                await self.bot.answer_callback_query(
                    item.callback_query_id, text=notices[0] if notices else None
                )
        await self.sender.send(item.who.external_id, queued, behind=any(behind))
        return None

    def _claim(self, key: str) -> None:
        with transaction(self.engine) as session:
            inbox.claim(session, key, datetime.now(UTC))

    async def _membership(
        self, update: Update, key: str, in_order: str | None
    ) -> dict[str, Any] | None:
        member = update.my_chat_member
        assert member is not None
        active = member.new_chat_member.status not in ("kicked", "left")
        chat = str(member.chat.id)

        def mark() -> dict[str, Any] | None:
            if (older := self._older(in_order, key)) is not None:
                return older
            with transaction(self.engine) as session:
                fresh = inbox.claim(session, key, datetime.now(UTC))
                if fresh and accounts.find_account(session, CHANNEL, chat) is not None:
                    accounts.set_active(session, CHANNEL, chat, active)
            return None

        return await self.runner.run(mark)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed, never what was said."""
        error = context.error
        log.error(
            "update %s failed: %s",
            getattr(update, "update_id", "?"),
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )

    # --- the inbox ----------------------------------------------------------------------------

    def _receive(self, updates: list[Received]) -> list[Update]:
        """Store updates before they are confirmed; returns the ones not seen before."""
        now = datetime.now(UTC)
        fresh = []
        with transaction(self.engine) as session:
            for update, payload in updates:
                chat = update.effective_chat
                key = inbox_key(self.bot_id, update.update_id)
                where = str(chat.id) if chat else None
                if inbox.receive(session, key, now, where, payload, update.update_id):
                    fresh.append(update)
        return fresh

    async def receive(self, updates: list[Received]) -> None:
        """Store, and queue for processing; returns once they are stored.

        With the one SQLite writer, calls run in the order they were started, so the updates
        are queued at once: each turn runs right behind the storing, mostly in the same group
        commit, instead of waiting for that commit first. An update delivered twice then reaches
        a turn twice, and the inbox claim makes the second do nothing. A pool (PostgreSQL) could
        run a turn before the storing, so there only the new ones are queued, once stored."""
        stored = self.runner.start(self._receive, updates)
        if self.runner.in_order:
            for update, _payload in updates:
                await self.application.update_queue.put(update)
            await stored
            return
        for update in await stored:
            await self.application.update_queue.put(update)

    def _left_over(self) -> list[dict[str, Any]]:
        with transaction(self.engine) as session:
            return inbox.unprocessed(session, inbox_key(self.bot_id, 0)[:-1])

    async def recover(self) -> None:
        """Finish what a crash interrupted: stored-but-unprocessed updates, unsent replies."""
        await self.sender.flush_all()
        for payload in await self.runner.run(self._left_over):
            await self.application.update_queue.put(Update.de_json(payload, self.bot))

    async def keep_recovering(self, interval: float = RECOVER_INTERVAL) -> None:
        """Take up updates still waiting after a whole interval.

        With several workers an update is stored by one and queued only there: if that worker
        dies, or its turn failed, nobody else would know until the chat's next message. Taking
        one up twice is harmless: the inbox claim makes the second a no-op."""
        waiting: set[int] = set()
        while True:
            await asyncio.sleep(interval)
            try:
                payloads = await self.runner.run(self._left_over)
            except Exception:
                log.exception("looking for waiting updates failed; trying again later")
                continue
            still = {p["update_id"] for p in payloads}
            for payload in payloads:
                if payload["update_id"] in waiting:
                    await self.application.update_queue.put(Update.de_json(payload, self.bot))
            waiting = still

    # --- running ------------------------------------------------------------------------------

    async def poll(self) -> None:
        """Long polling: the offset is confirmed only after the updates are stored."""
        offset: int | None = None
        pause = 1.0
        while True:
            try:
                updates = await self.bot.fetch_updates(offset, POLL_TIMEOUT, ALLOWED_UPDATES)
                pause = 1.0
            except (NetworkError, Conflict) as error:
                log.warning(
                    "getUpdates failed (%s); retrying in %.0f s", type(error).__name__, pause
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60)
                continue
            if updates:
                try:
                    await self.receive(updates)
                except Exception:  # not stored, so not confirmed: Telegram sends them again
                    log.exception("storing updates failed; fetching them again")
                    await asyncio.sleep(pause)
                    continue
                offset = updates[-1][0].update_id + 1

    async def start(self) -> None:
        """Initialise PTB, register the commands and finish interrupted work."""
        await self.application.initialize()
        await self.application.start()
        links.set_username(self.application.bot.username)  # for the invites children send
        await self.set_commands()
        await self.runner.run(warm_up)
        await self.recover()
        self._tasks.append(asyncio.create_task(self.sender.keep_flushing()))
        self._tasks.append(asyncio.create_task(self.keep_scheduling()))
        self._tasks.append(asyncio.create_task(self.keep_recovering()))

    async def run_scheduled(self, now: datetime | None = None) -> None:
        """Send what is due (summaries, alerts, check-ins, reminders) and flush those chats."""
        chats = await self.runner.run(
            scheduling.run_due,
            self.engine,
            now or datetime.now(UTC),
            deliver,
            CHANNEL,
            timedelta(hours=self.settings.reminder_after_hours),
        )
        for chat in dict.fromkeys(chats):
            async with self.locks(chat):
                await self.sender.flush(chat)
        today = (now or datetime.now(UTC)).date()
        if self._retention_day != today:  # once a day (each worker; a second run finds nothing)
            erased = await self.runner.run(self._erase_past_retention, now or datetime.now(UTC))
            self._retention_day = today
            if erased:
                log.info("retention: erased %d student(s) who left school long ago", erased)

    def _erase_past_retention(self, now: datetime) -> int:
        with transaction(self.engine) as session:
            return len(privacy.erase_past_retention(session, now, self.settings.retention_years))

    async def keep_scheduling(self) -> None:
        while True:
            await asyncio.sleep(self.settings.scheduler_interval_seconds)
            try:
                await self.run_scheduled()
            except Exception:
                log.exception("running scheduled work failed; trying again later")

    async def set_commands(self) -> None:
        """The command menu, in Dutch and in every language that has a catalog."""
        for code in i18n.available():
            commands = [BotCommand(name, i18n.tr(text, code)) for name, text in COMMANDS]
            await self.bot.set_my_commands(
                commands, language_code=None if code == i18n.SOURCE else code
            )

    async def run_polling(self) -> None:
        await self.bot.delete_webhook()
        self._tasks.append(asyncio.create_task(self.poll()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.locks.close()
        self.runner.shutdown()
