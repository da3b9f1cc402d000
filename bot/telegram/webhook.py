"""Webhook mode: an aiohttp route that checks Telegram's secret header, stores the update in
the inbox and only then answers 200 (so Telegram redelivers anything a crash interrupted)."""

from __future__ import annotations

import hmac
import logging
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update

from bot.telegram.app import ALLOWED_UPDATES, Lobbot

log = logging.getLogger("lobbot.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(lobbot: Lobbot, path: str, secret: str) -> web.Application:
    """The web application serving Telegram's POSTs at ``path``."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call without the right secret token")
            return web.Response(status=401)
        try:
            payload = await request.json()
            update = Update.de_json(payload, lobbot.bot)
        except ValueError:
            return web.Response(status=400)
        await lobbot.receive([(update, payload)])
        return web.Response(status=200)

    application = web.Application(client_max_size=1 << 20)
    application.router.add_post(path, receive)
    return application


async def start_webhook(
    lobbot: Lobbot, url: str, listen: str, port: int, secret: str, register: bool = True
) -> web.AppRunner:
    """Serve the webhook and (unless another worker does it) tell Telegram where it is."""
    path = urlparse(url).path or "/telegram"
    runner = web.AppRunner(webhook_app(lobbot, path, secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    if register:
        await lobbot.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    return runner
