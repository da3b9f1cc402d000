"""The bot's HTTP client: python-telegram-bot's requests carried by aiohttp instead of httpx.

PTB lets a bot bring its own networking (``telegram.request.BaseRequest``). Under ``lobbot bench
telegram`` the httpx client took more of the bot's CPU than anything lobbot does itself: on every
request its pool asks each pooled connection whether the server closed it, and each asking goes
through several layers (anyio, sniffio) to a system call. aiohttp parses HTTP in C and checks a
connection only when it takes it from the pool; lobbot already depends on it for the webhook
route. The mapping of PTB's four timeouts is below, in ``_timeout``.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

_DEFAULT = BaseRequest.DEFAULT_NONE


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on one aiohttp session with at most ``connections`` connections."""

    def __init__(
        self,
        connections: int,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 30.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read, self._write, self._connect, self._pool = (
            read_timeout,
            write_timeout,
            connect_timeout,
            pool_timeout,
        )
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        # made here, not in __init__: a session belongs to the event loop it was made in
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = _DEFAULT,  # type: ignore[assignment]
        write_timeout: float | None = _DEFAULT,  # type: ignore[assignment]
        connect_timeout: float | None = _DEFAULT,  # type: ignore[assignment]
        pool_timeout: float | None = _DEFAULT,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        files = bool(request_data and request_data.contains_files)
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, files)
        try:
            body, content_type = _body(request_data)
            headers = {"User-Agent": self.USER_AGENT}
            if content_type:
                headers["Content-Type"] = content_type
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise TimedOut("no free connection, or no answer to connecting") from error
        except TimeoutError as error:  # asyncio.TimeoutError is the same class from 3.11 on
            raise TimedOut() from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error

    def _timeout(
        self,
        read: float | None,
        write: float | None,
        connect: float | None,
        pool: float | None,
        files: bool,
    ) -> aiohttp.ClientTimeout:
        """PTB's timeouts in aiohttp's terms: ``connect`` bounds opening a connection
        (``sock_connect``), ``read`` a pause in the answer (``sock_read``). The rest has no
        timer of its own: aiohttp has no write timeout, and a timer on taking a connection from
        the pool, started and cancelled for every request, cost more than the request's own
        parsing. They bound the whole request together instead (``total``), which also stops an
        upload that hangs."""
        read = self._read if read is _DEFAULT else read
        connect = self._connect if connect is _DEFAULT else connect
        pool = self._pool if pool is _DEFAULT else pool
        if write is _DEFAULT:
            write = self._media_write if files else self._write
        parts = (read, write, connect, pool)
        total = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


def _body(request_data: RequestData | None) -> tuple[bytes | aiohttp.FormData | None, str | None]:
    """The parameters as one JSON object (which Telegram takes, and which is cheaper to build
    than a form), or multipart form data when there are files."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return json.dumps(request_data.parameters).encode(), "application/json"
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None


Received = tuple[Update, dict[str, Any]]  # an update parsed, and as Telegram sent it


class LobbotBot(ExtBot[None]):
    """PTB's bot, plus fetching updates with their JSON and sending a message as the Bot API
    takes it."""

    async def fetch_updates(
        self, offset: int | None, timeout: int, allowed_updates: list[str]
    ) -> list[Received]:
        """``getUpdates`` as ``get_updates`` does it (the read timeout waits the long poll out),
        keeping each update's JSON beside the parsed update: that is what the inbox stores, and
        making it again from the update (``to_dict``) cost about as much as parsing it."""
        data = {"offset": offset, "timeout": timeout, "allowed_updates": allowed_updates}
        read_timeout = (self._request[0].read_timeout or 0) + timeout
        raw = await self._post("getUpdates", data, read_timeout=read_timeout)
        return [(Update.de_json(item, self), item) for item in raw]

    async def send_payload(self, method: str, payload: dict[str, Any]) -> None:
        """Call ``method`` with the outbox payload as it is (its ``reply_markup`` already the
        API's JSON), through the same rate limiter, timeouts and errors as ``send_message``;
        Telegram's answer is not parsed into a ``Message``: nobody reads it, and building one
        cost about as much as sending."""
        await self._post(method, dict(payload))
