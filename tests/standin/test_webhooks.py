"""The stand-in delivers webhooks as Telegram does: several at once, each chat's in order and
one at a time, round robin over several URLs when it plays the load balancer."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from aiohttp import web

from tests.standin import StandIn


class Receiver:
    """A webhook endpoint that answers slowly and notes what arrived and what overlapped."""

    def __init__(self, name: str, log: list[tuple[str, int, int]], busy: set[int]) -> None:
        self.name, self.log, self.busy = name, log, busy
        self.overlaps = 0
        self.most_at_once = 0
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def _receive(self, request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        chat = update["message"]["chat"]["id"]
        if chat in self.busy:  # an update of this chat still on its way elsewhere
            self.overlaps += 1
        self.busy.add(chat)
        self.most_at_once = max(self.most_at_once, len(self.busy))
        await asyncio.sleep(random.uniform(0, 0.02))
        self.log.append((self.name, chat, update["update_id"]))
        self.busy.discard(chat)
        return web.Response()

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/telegram", self._receive)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{self.port}/telegram"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


async def test_round_robin_over_workers_keeps_each_chat_in_order() -> None:
    log: list[tuple[str, int, int]] = []
    busy: set[int] = set()
    receivers = [Receiver(name, log, busy) for name in "abc"]
    urls = [await r.start() for r in receivers]
    try:
        async with StandIn() as api:
            api.webhook = {"url": urls[0], "secret": None}
            api.set_webhook_targets(urls)
            sent: dict[int, list[int]] = {}
            for n in range(60):
                chat = 100 + n % 4
                update = await api.user_sends_text(chat, f"bericht {n}")
                sent.setdefault(chat, []).append(update["update_id"])
            await api.wait_until(lambda: not api.pending, timeout=10)
    finally:
        for receiver in receivers:
            await receiver.stop()
    assert sorted(api.deliveries.values()) == [20, 20, 20]  # each URL in turn
    for chat, ids in sent.items():
        assert [u for _name, c, u in log if c == chat] == ids  # each chat in order
    assert sum(r.overlaps for r in receivers) == 0  # and one update of a chat at a time,
    assert max(r.most_at_once for r in receivers) > 1  # while other chats' go side by side
    assert len({api.routes[u] for u in sent[100]}) > 1  # one chat's updates reach several URLs
