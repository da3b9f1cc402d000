"""The aiohttp carrier of PTB's requests: bodies as Telegram takes them, PTB's errors on failure."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.request import AiohttpRequest, LobbotBot
from tests.standin import StandIn


def _data(**values: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def _server(handler: web.RequestHandler) -> tuple[web.AppRunner, str]:  # type: ignore[type-arg]
    app = web.Application()
    app.router.add_post("/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def test_a_plain_request_is_one_json_object_with_nested_values() -> None:
    seen: dict[str, object] = {}

    async def echo(request: web.Request) -> web.Response:
        seen["type"] = request.content_type
        seen["body"] = await request.json()
        return web.json_response({"ok": True, "result": True})

    runner, root = await _server(echo)
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "j"}]]}
    try:
        async with AiohttpRequest(2) as request:  # initialize, and shutdown at the end
            status, payload = await request.do_request(
                f"{root}/sendMessage", "POST", _data(chat_id=7, text="hoi", reply_markup=markup)
            )
    finally:
        await runner.cleanup()
    assert status == 200 and json.loads(payload)["ok"] is True
    assert seen["type"] == "application/json"
    assert seen["body"] == {"chat_id": 7, "text": "hoi", "reply_markup": markup}


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again before the request: nobody listens
    async with AiohttpRequest(1) as request:
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{port}/getMe", "POST")


async def test_an_answer_that_does_not_come_times_out() -> None:
    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({"ok": True, "result": True})

    runner, root = await _server(silent)
    try:
        async with AiohttpRequest(1, read_timeout=0.2) as request:
            with pytest.raises(TimedOut):
                await request.do_request(f"{root}/getMe", "POST")
    finally:
        await runner.cleanup()


def test_the_timeouts_bound_the_whole_request_and_each_read() -> None:
    request = AiohttpRequest(1, read_timeout=5, write_timeout=5, connect_timeout=5, pool_timeout=1)
    timeout = request._timeout(
        AiohttpRequest.DEFAULT_NONE,  # type: ignore[arg-type]
        AiohttpRequest.DEFAULT_NONE,  # type: ignore[arg-type]
        AiohttpRequest.DEFAULT_NONE,  # type: ignore[arg-type]
        AiohttpRequest.DEFAULT_NONE,  # type: ignore[arg-type]
        files=False,
    )
    assert (timeout.total, timeout.sock_read, timeout.sock_connect) == (16, 5, 5)
    # a long poll asks for a longer read; no limit at all leaves the total open
    assert request._timeout(35, None, 5, 1, files=False).total is None
    assert request._timeout(35, None, 5, 1, files=False).sock_read == 35


async def test_fetched_updates_keep_the_json_telegram_sent() -> None:
    """What the inbox stores is the update as Telegram sent it, beside PTB's parsed one; the
    offset confirms what came before, as ``get_updates`` does."""
    async with StandIn() as api:
        bot = LobbotBot(api.token, base_url=f"{api.root}/bot", request=AiohttpRequest(2),
                        get_updates_request=AiohttpRequest(1))  # fmt: skip
        async with bot:
            sent = await api.user_sends_text(42, "ik heb klanten geholpen")
            [(update, payload)] = await bot.fetch_updates(None, 0, ["message"])
            assert payload == sent
            assert update.update_id == sent["update_id"]
            assert update.message.text == "ik heb klanten geholpen"
            second = await api.user_sends_text(42, "en vakken gevuld")
            fetched = await bot.fetch_updates(update.update_id + 1, 0, ["message"])
            assert [p for _u, p in fetched] == [second]
