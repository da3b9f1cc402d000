"""The baseline for ``lobbot bench telegram``: a bare python-telegram-bot echo bot.

It does the least a bot can do per turn — answer a button press, send one message back — with
the same library, so the ratio of lobbot's CPU per turn to this one's shows what lobbot adds.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "?")


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and say which button it was."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await context.bot.send_message(query.message.chat.id, query.data or "?")


def main() -> None:
    base = os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(256)
        .rate_limiter(AIORateLimiter(overall_max_rate=1000))
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    application.run_polling(poll_interval=0, timeout=25)


if __name__ == "__main__":
    main()
