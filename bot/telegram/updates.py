"""From a Telegram update to the person and the event a flow understands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Message, Update

from bot import i18n
from bot.identity import Identity
from flows.events import Anders, Bericht, Commando, Event, Foto, Knop, Spraak

TIMEZONE = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Incoming:
    """One update as a turn: who, what, and the inbox key that makes it idempotent."""

    who: Identity
    event: Event
    key: str
    callback_query_id: str | None = None


def inbox_key(bot_id: int, update_id: int) -> str:
    return f"tg:{bot_id}:{update_id}"


def incoming(update: Update, bot_id: int, now: datetime) -> Incoming | None:
    """The turn an update stands for; None for updates that are not a person talking to us
    (edits, group chats, channel posts, membership changes)."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or chat.type != "private" or user.is_bot:
        return None
    language = user.language_code or i18n.SOURCE
    who = Identity(
        "telegram",
        str(chat.id),
        user.first_name or "",
        language if language in i18n.available() else i18n.SOURCE,
    )
    key = inbox_key(bot_id, update.update_id)
    if update.callback_query is not None:
        vraagnr, _sep, value = (update.callback_query.data or "").partition("|")
        number = int(vraagnr) if vraagnr.isdecimal() else -1
        event: Event = Knop(value, number, now.astimezone(TIMEZONE))
        return Incoming(who, event, key, update.callback_query.id)
    if update.message is None:
        return None
    return Incoming(who, _from_message(update.message), key)


def _from_message(message: Message) -> Event:
    at = message.date.astimezone(TIMEZONE)
    if message.text is not None:
        text = message.text
        if text.startswith("/") and len(text) > 1:
            head, _sep, arg = text[1:].partition(" ")
            return Commando(head.split("@", 1)[0], at, arg.strip())
        return Bericht(text, at)
    if message.photo:
        return Foto(message.photo[-1].file_id, at, message.caption or "")
    if message.voice is not None:
        return Spraak(message.voice.file_id, at)
    if message.video_note is not None:
        return Spraak(message.video_note.file_id, at)
    for kind in ("sticker", "location", "document", "video", "audio", "contact", "animation",
                 "poll", "dice", "venue"):  # fmt: skip
        if getattr(message, kind, None) is not None:
            return Anders(kind, at)
    return Anders("onbekend", at)
