"""Sending what the outbox holds, in order per chat, and coping with Telegram's refusals.

Every send happens under the chat's lock (shared with the other workers on PostgreSQL), and
what was sent is marked in the database before the lock is let go (on SQLite: queued to be
marked, ahead of any later read): so no other worker, nor this one's retry loop, reads a message
as unsent while it is on its way.

- 403 (the person blocked the bot): the account is marked inactive; its messages are dropped.
- 429: PTB's AIORateLimiter waits the ``retry_after`` Telegram asks for and tries again.
- Network trouble: the message stays in the outbox and is tried again with back-off.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import UTC, datetime

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.telegram.request import LobbotBot
from bot.telegram.runtime import ChatLocks, DatabaseRunner
from storage import accounts, outbox
from storage.db import transaction

log = logging.getLogger("lobbot.telegram")
CHANNEL = "telegram"


class Sender:
    """Delivers outbox messages; the same per-chat lock as the turns keeps the order."""

    def __init__(self, bot: LobbotBot, runner: DatabaseRunner, locks: ChatLocks) -> None:
        self.bot = bot
        self.runner = runner
        self.locks = locks

    async def send(self, chat: str, queued: list[outbox.Pending], behind: bool = False) -> None:
        """Send a turn's messages straight away (call with the chat lock held).

        They were committed to the outbox with the turn and are marked sent right after, so a
        crash in between can send a message twice (rarely), never lose one. ``behind``: the turn
        found older messages of this chat still unsent (a failed send, here or in another
        worker), so everything goes out from the outbox, oldest first."""
        if behind:
            await self.flush(chat)
        else:
            await self._deliver(chat, queued)

    async def flush(self, chat: str) -> bool:
        """Send this chat's waiting messages; True when none is left. Call with the chat lock."""
        return await self._deliver(chat, await self.runner.run(self._unsent, chat))

    async def _deliver(self, chat: str, messages: list[outbox.Pending]) -> bool:
        """Send in order, then mark what went out (this chat's own messages, and before the
        chat lock is let go); False when something must be tried again later."""
        done: list[int] = []
        complete = True
        for position, message in enumerate(messages):
            try:
                await self._send(message.chat, message.payload)
            except Forbidden:
                log.info("chat blocked the bot; marking the account inactive")
                await self.runner.run(self._blocked, chat)
                done += [m.id for m in messages[position:]]  # nothing more can reach them
                break
            except BadRequest as error:
                log.error("Telegram refused a message (%s); dropping it", type(error).__name__)
            except (RetryAfter, NetworkError) as error:  # it and the rest stay in the outbox
                log.warning("sending failed (%s); will retry", type(error).__name__)
                complete = False
                break
            done.append(message.id)
        if done and self.runner.in_order:
            # Nobody needs to wait for it: every later database call (this chat's next turn,
            # a retry of the outbox) runs after it. A crash before it is committed sends these
            # again after the restart, as a crash between sending and marking always could.
            self.runner.later(self._mark_sent, done)
        elif done:
            await self.runner.run(self._mark_sent, done)
        return complete

    async def flush_all(self) -> None:
        """Send everything still waiting (after a restart, or what failed before)."""
        chats = sorted({m.chat for m in await self.runner.run(self._unsent, None)})
        for chat in chats:
            async with self.locks(chat):
                await self.flush(chat)

    async def keep_flushing(self, interval: float = 5.0) -> None:
        """Retry what is left over, with growing pauses while Telegram cannot be reached."""
        pause = interval
        while True:
            await asyncio.sleep(pause)
            try:
                await self.flush_all()
                pause = interval
            except Exception:
                log.exception("retrying the outbox failed")
                pause = min(pause * 2, 300)

    async def _send(self, chat: str, payload: dict) -> None:
        if "photo_b64" in payload:
            await self.bot.send_photo(
                chat_id=int(chat),
                photo=base64.b64decode(payload["photo_b64"]),
                caption=payload.get("caption"),
            )
            return
        await self.bot.send_payload("sendMessage", {**payload, "chat_id": int(chat)})

    def _unsent(self, chat: str | None) -> list[outbox.Pending]:
        with transaction(self.runner.engine) as session:
            return outbox.unsent(session, CHANNEL, chat)

    def _mark_sent(self, ids: list[int]) -> None:
        with transaction(self.runner.engine) as session:
            outbox.mark_sent(session, ids, datetime.now(UTC))

    def _blocked(self, chat: str) -> None:
        with transaction(self.runner.engine) as session:
            accounts.set_active(session, CHANNEL, chat, False)
