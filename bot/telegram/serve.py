"""Running the Telegram bot until it is told to stop (SIGTERM or Ctrl-C)."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
import signal
import sys
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.settings import Settings
from bot.telegram.app import Lobbot
from bot.telegram.webhook import start_webhook

log = logging.getLogger("lobbot.telegram")
# The database thread lets go of the GIL in every SQL statement and must then wait for it while
# the event loop runs; by default the loop keeps it up to 5 ms, so a turn of twenty statements
# could wait longer than it works. Measured with ``lobbot bench telegram``: p99 latency and CPU
# per turn both fell (see the README); shorter still gained nothing.
SWITCH_INTERVAL = 0.0005


def settle_heap() -> None:
    """Keep what start-up loaded out of the garbage collector's way.

    The lexicons, lemma dictionaries, language models and SQLAlchemy's caches are some 350,000
    objects that live as long as the process. Every full collection walked all of them: about
    a fifth of a second, several times a minute under load, in which no update moved. Frozen,
    they are never walked again, and a full collection looks only at what was made since."""
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class WebhookOptions:
    url: str
    listen: str = "0.0.0.0"
    port: int = 8443
    register: bool = True


def configure_logging() -> None:
    """Ids and error types only. httpx logs request URLs, which contain the bot token; the
    state machine logs every step of every conversation (lines, and time, nobody reads)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "httpcore", "telegram", "aiohttp.access", "transitions"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def serve(engine: Engine, settings: Settings, webhook: WebhookOptions | None) -> None:
    """Start, run until a stop signal, stop cleanly."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    lobbot = Lobbot(engine, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await lobbot.start()  # loads everything a turn needs (``warm_up``)
    settle_heap()
    web_runner = None
    if webhook is None:
        await lobbot.run_polling()
        log.info("lobbot is running (long polling)")
    else:
        secret = settings.telegram_webhook_secret
        token = secret.get_secret_value() if secret else secrets.token_urlsafe(32)
        web_runner = await start_webhook(
            lobbot, webhook.url, webhook.listen, webhook.port, token, webhook.register
        )
        log.info("lobbot is running (webhook on port %d)", webhook.port)
    await stop.wait()
    log.info("stopping")
    if web_runner is not None:
        await web_runner.cleanup()
    await lobbot.stop()
