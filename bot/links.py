"""t.me deep links: the bot's username comes from the settings, or from Telegram at start-up."""

from __future__ import annotations

from bot.settings import Settings

_known: list[str] = []  # the username Telegram reported (a process-wide fact once known)


def set_username(name: str | None) -> None:
    """Remember the bot's username (the Telegram channel calls this after getMe)."""
    _known[:] = [name.lstrip("@")] if name else []


def deep_link(code: str) -> str | None:
    """``https://t.me/<bot>?start=<code>``, or None where the bot has no username (console)."""
    name = _known[0] if _known else (Settings().telegram_bot_username or "").lstrip("@")
    return f"https://t.me/{name}?start={code}" if name else None
