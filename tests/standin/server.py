"""A local stand-in for the Telegram Bot API, so the real bot is tested over real HTTP.

It serves ``/bot<token>/<method>`` like Telegram (JSON, form or multipart bodies), checks every
request against ``rules.RULES`` and Telegram's limits and rejects what Telegram would reject,
keeps what the bot sent per chat, lets a test speak as a user (text, commands, button presses,
photos, voice notes, stickers), and injects faults: error codes, 429 with ``retry_after``,
dropped connections and redelivered updates. Long polling (getUpdates with offset
confirmation) and webhooks both work. Webhooks go out like Telegram sends them: several at once
(up to ``max_connections``), but one chat's next update only after its previous one was answered
with 2xx; with several URLs the stand-in plays the load balancer in front of several workers and
hands each update to the next URL in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

from tests.standin.rules import (
    HTML_TAGS,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_TEXT,
    PARSE_MODES,
    RULES,
)

WEBHOOK_CONNECTIONS = 40  # Telegram's default max_connections
SENDING = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendChatAction",
}


class Rejected(Exception):
    """A request Telegram would refuse."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class Fault:
    code: int
    description: str
    chat: int | None = None
    retry_after: int | None = None
    drop: bool = False


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class StandIn:
    """One fake Bot API server for one bot token."""

    def __init__(self, token: str = "123456789:stand-in-token", *, poll_limit: int = 100) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "lobbot",
            "username": "lobbot_standin_bot",
        }
        self.poll_limit = poll_limit
        self.webhook_connections = WEBHOOK_CONNECTIONS
        self.pending: list[dict[str, Any]] = []  # updates not yet confirmed or delivered
        self.delivered: list[dict[str, Any]] = []  # every update ever handed over
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._watchers: dict[int, list[tuple[int, asyncio.Future[None]]]] = {}
        self.sent: dict[int, list[dict[str, Any]]] = {}  # chat -> the bot's messages
        self.users: dict[int, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.rejected: list[tuple[str, dict[str, Any], str]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.retry_until = 0.0
        self.retry_after_violations: list[Call] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_targets: list[str] = []
        self.deliveries: Counter[str] = Counter()  # URL -> updates it answered with 2xx
        self.routes: dict[int, str] = {}  # update id -> the URL that accepted it
        self._rr = itertools.count()
        self._posting: set[int] = set()  # update ids on their way to the webhook
        self._busy_chats: set[int] = set()  # chats with an update on its way
        self._posts: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.closing = False
        self._delivery: asyncio.Task[None] | None = None
        self.port = 0

    # --- running ------------------------------------------------------------------------------

    async def start(self) -> StandIn:
        app = web.Application(client_max_size=20 << 20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._delivery = asyncio.create_task(self._deliver_webhooks())
        return self

    async def stop(self) -> None:
        async with self._changed:  # end long polls now, instead of waiting out their timeout
            self.closing = True
            self._changed.notify_all()
        for task in [*self._posts, *([self._delivery] if self._delivery else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> StandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def root(self) -> str:
        """What ``TELEGRAM_API_BASE_URL`` should be."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's ``base_url`` should be."""
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root}/file/bot"

    # --- a test speaks as a user --------------------------------------------------------------

    def _user(
        self, chat: int, first_name: str = "Sam", language_code: str = "nl"
    ) -> dict[str, Any]:
        user = {
            "id": chat,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.users[chat] = user
        return user

    def _message(self, chat: int, **content: Any) -> dict[str, Any]:
        user = self.users.get(chat) or self._user(chat)
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": user,
            "chat": {"id": chat, "type": "private", "first_name": user["first_name"]},
            **content,
        }

    async def _queue(self, **update: Any) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **update}
        async with self._changed:
            self.pending.append(update)
            self._changed.notify_all()
        return update

    async def user_sends_text(self, chat: int, text: str, **user: Any) -> dict[str, Any]:
        if user:
            self._user(chat, **user)
        return await self._queue(message=self._message(chat, text=text))

    async def user_sends_command(
        self, chat: int, command: str, payload: str | None = None, **user: Any
    ) -> dict[str, Any]:
        if user:
            self._user(chat, **user)
        text = f"{command} {payload}" if payload else command
        entity = {"type": "bot_command", "offset": 0, "length": len(command)}
        return await self._queue(message=self._message(chat, text=text, entities=[entity]))

    async def user_presses_button(self, chat: int, message_id: int, data: str) -> dict[str, Any]:
        message = next((m for m in self.sent.get(chat, []) if m["message_id"] == message_id), None)
        if message is None:
            raise KeyError(f"no bot message {message_id} in chat {chat}")
        query = {
            "id": str(next(self._callback_ids)),
            "from": self.users.get(chat) or self._user(chat),
            "message": message,
            "chat_instance": f"ci{chat}",
            "data": data,
        }
        return await self._queue(callback_query=query)

    async def user_sends_photo(self, chat: int, caption: str | None = None) -> dict[str, Any]:
        n = next(self._message_ids)
        sizes = [
            {
                "file_id": f"photo-{chat}-{n}-{w}",
                "file_unique_id": f"u{n}{w}",
                "width": w,
                "height": w,
                "file_size": w * 10,
            }
            for w in (90, 320, 1280)
        ]
        extra = {"caption": caption} if caption else {}
        return await self._queue(message=self._message(chat, photo=sizes, **extra))

    async def user_sends_voice(self, chat: int) -> dict[str, Any]:
        voice = {
            "file_id": f"voice-{chat}-{next(self._message_ids)}",
            "file_unique_id": "v",
            "duration": 3,
            "mime_type": "audio/ogg",
        }
        return await self._queue(message=self._message(chat, voice=voice))

    async def user_sends_sticker(self, chat: int) -> dict[str, Any]:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self._queue(message=self._message(chat, sticker=sticker))

    async def user_sends_location(self, chat: int) -> dict[str, Any]:
        return await self._queue(
            message=self._message(chat, location={"latitude": 52.1, "longitude": 5.1})
        )

    async def user_blocks_bot(self, chat: int) -> dict[str, Any]:
        member = {
            "chat": {"id": chat, "type": "private"},
            "from": self.users.get(chat) or self._user(chat),
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": self.bot_user},
            "new_chat_member": {"status": "kicked", "user": self.bot_user, "until_date": 0},
        }
        return await self._queue(my_chat_member=member)

    async def redeliver(self, update_ids: list[int]) -> None:
        """Hand out already-delivered updates again, as Telegram does after a lost confirmation."""
        again = [u for u in self.delivered if u["update_id"] in update_ids]
        async with self._changed:
            self.pending = sorted(again + self.pending, key=lambda u: u["update_id"])
            self._changed.notify_all()

    # --- a test watches -----------------------------------------------------------------------

    def transcript(self, chat: int) -> list[dict[str, Any]]:
        return list(self.sent.get(chat, []))

    def texts(self, chat: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent.get(chat, [])]

    def last_keyboard(self, chat: int) -> tuple[int, list[dict[str, Any]]] | None:
        """The newest bot message with buttons: its id and its buttons in order."""
        for message in reversed(self.sent.get(chat, [])):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return message["message_id"], [b for row in rows for b in row]
        return None

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the stand-in waited in vain")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_for_bot_messages(self, chat: int, count: int, timeout: float = 10) -> None:
        """Until the bot has sent ``count`` messages to the chat. Woken only by that chat's
        messages: with a thousand students waiting, waking all of them on every message would
        make the stand-in, not the bot, what a benchmark measures."""
        if len(self.sent.get(chat, [])) >= count:
            return
        arrived: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        watch = (count, arrived)
        self._watchers.setdefault(chat, []).append(watch)
        try:
            await asyncio.wait_for(arrived, timeout)
        except TimeoutError:
            raise TimeoutError("the stand-in waited in vain") from None
        finally:
            watchers = self._watchers.get(chat, [])
            if watch in watchers:
                watchers.remove(watch)
            if not watchers:
                self._watchers.pop(chat, None)

    # --- faults -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        code: int,
        description: str = "",
        *,
        times: int = 1,
        chat: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        text = description or {
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
        }.get(code, "Error")
        self.faults.setdefault(method, []).extend(
            Fault(code, text, chat, retry_after) for _ in range(times)
        )

    def drop_next_connection(self, method: str, times: int = 1) -> None:
        self.faults.setdefault(method, []).extend(Fault(0, "", drop=True) for _ in range(times))

    def set_webhook_targets(self, urls: list[str]) -> None:
        """Deliver webhooks round robin over several workers' URLs."""
        self.webhook_targets = list(urls)

    # --- the HTTP side ------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                if part.filename:  # type: ignore[union-attr]
                    await part.read()  # type: ignore[union-attr]
                    params[part.name] = {"__file__": part.filename}  # type: ignore[union-attr]
                else:
                    params[part.name] = _decoded(await part.text())  # type: ignore[union-attr]
            return params
        for key, value in (await request.post()).items():
            params[key] = _decoded(value) if isinstance(value, str) else value
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        name = request.match_info["method"]
        method = next((m for m in RULES if m.lower() == name.lower()), None)
        params = await self._params(request)
        if method is None:
            self.rejected.append((name, params, "Not Found"))
            return _error(404, "Not Found")
        call = Call(method, params)
        self.calls.append(call)
        try:
            fault = self._fault(method, params)
            if fault and fault.drop:
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            if fault:
                extra = {"retry_after": fault.retry_after} if fault.retry_after else None
                if fault.retry_after:
                    self.retry_until = time.monotonic() + fault.retry_after
                raise Rejected(fault.code, fault.description, extra)
            if method in SENDING and time.monotonic() < self.retry_until:
                self.retry_after_violations.append(call)
                left = max(1, int(self.retry_until - time.monotonic() + 1))
                raise Rejected(429, f"Too Many Requests: retry after {left}", {"retry_after": left})
            _validate(method, params)
            result = await getattr(self, f"_{method}")(params)
        except Rejected as refused:
            if refused.code == 400:
                self.rejected.append((method, params, refused.description))
            return _error(refused.code, refused.description, refused.parameters)
        return web.json_response({"ok": True, "result": result})

    def _fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        queue = self.faults.get(method) or []
        for i, fault in enumerate(queue):
            if fault.chat is None or str(fault.chat) == str(params.get("chat_id")):
                return queue.pop(i)
        return None

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        return web.Response(body=b"\x89PNG stand-in file")

    # --- methods ------------------------------------------------------------------------------

    async def _getMe(self, params: dict[str, Any]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _logOut(self, params: dict[str, Any]) -> Any:
        return True

    async def _close(self, params: dict[str, Any]) -> Any:
        return True

    async def _getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook:
            raise Rejected(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), self.poll_limit)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            if offset:  # confirmation: everything before the offset is forgotten
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
            if not self.pending and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self.pending) or self.closing), timeout
                    )
            batch = self.pending[:limit]
        self.delivered += [u for u in batch if u not in self.delivered]
        return batch

    async def _setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": params["url"], "secret": params.get("secret_token")}
        self.webhook_connections = int(params.get("max_connections") or WEBHOOK_CONNECTIONS)
        if params.get("drop_pending_updates"):
            self.pending.clear()
        async with self._changed:
            self._changed.notify_all()
        return True

    async def _deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    async def _getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }

    def _chat(self, params: dict[str, Any]) -> int:
        chat = int(params["chat_id"])
        if chat not in self.users:
            raise Rejected(400, "Bad Request: chat not found")
        return chat

    async def _store(self, chat: int, message: dict[str, Any]) -> dict[str, Any]:
        async with self._changed:
            self.sent.setdefault(chat, []).append(message)
            self._changed.notify_all()
        for count, arrived in self._watchers.get(chat, []):
            if len(self.sent[chat]) >= count and not arrived.done():
                arrived.set_result(None)
        return message

    def _bot_message(self, chat: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": self.bot_user,
            "chat": {"id": chat, "type": "private"},
            **content,
        }

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        extra = {"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {}
        return await self._store(chat, self._bot_message(chat, text=params["text"], **extra))

    async def _sendPhoto(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        photo = [
            {
                "file_id": f"bot-photo-{next(self._message_ids)}",
                "file_unique_id": "bp",
                "width": 600,
                "height": 300,
            }
        ]
        extra = {"caption": params["caption"]} if params.get("caption") else {}
        return await self._store(chat, self._bot_message(chat, photo=photo, **extra))

    async def _sendDocument(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        document = {"file_id": f"bot-doc-{next(self._message_ids)}", "file_unique_id": "bd"}
        return await self._store(chat, self._bot_message(chat, document=document))

    async def _sendChatAction(self, params: dict[str, Any]) -> Any:
        self._chat(params)
        return True

    def _find(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        for message in self.sent.get(chat, []):
            if str(message["message_id"]) == str(params.get("message_id")):
                return message
        raise Rejected(400, "Bad Request: message to edit not found")

    async def _editMessageText(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        message["text"] = params["text"]
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def _deleteMessage(self, params: dict[str, Any]) -> Any:
        message = self._find(params)
        self.sent[int(params["chat_id"])].remove(message)
        return True

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if any(
            a["callback_query_id"] == params["callback_query_id"] for a in self.callback_answers
        ):
            raise Rejected(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.callback_answers.append(params)
        return True

    async def _setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params["commands"]
        if len(commands) > 100:
            raise Rejected(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise Rejected(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise Rejected(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[params.get("language_code") or ""] = commands
        return True

    async def _getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(params.get("language_code") or "", [])

    async def _deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(params.get("language_code") or "", None)
        return True

    async def _getFile(self, params: dict[str, Any]) -> Any:
        file_id = params["file_id"]
        return {
            "file_id": file_id,
            "file_unique_id": "f",
            "file_size": 100,
            "file_path": f"files/{file_id}",
        }

    # --- webhooks -----------------------------------------------------------------------------

    async def _deliver_webhooks(self) -> None:
        """POST pending updates to the webhook until each is answered with 2xx: several at once,
        each chat's in order (its next update waits until the previous one was accepted)."""
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as client:
            while True:
                async with self._changed:
                    await self._changed.wait_for(lambda: self._next_webhook() is not None)
                    update = self._next_webhook()
                    assert update is not None and self.webhook is not None
                    chat = _chat_of(update)
                    self._posting.add(update["update_id"])
                    if chat is not None:
                        self._busy_chats.add(chat)
                    targets = self.webhook_targets or [self.webhook["url"]]
                    url = targets[next(self._rr) % len(targets)]
                    secret = self.webhook["secret"]
                task = asyncio.create_task(self._post(client, url, secret, update, chat))
                self._posts.add(task)
                task.add_done_callback(self._posts.discard)

    def _next_webhook(self) -> dict[str, Any] | None:
        """The oldest pending update whose chat has none on its way, if a connection is free."""
        if not self.webhook or len(self._posting) >= self.webhook_connections:
            return None
        for update in self.pending:
            if update["update_id"] in self._posting:
                continue
            if _chat_of(update) not in self._busy_chats:
                return update
        return None

    async def _post(
        self,
        client: aiohttp.ClientSession,
        url: str,
        secret: str | None,
        update: dict[str, Any],
        chat: int | None,
    ) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            async with client.post(
                url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                ok = 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if not ok:
            await asyncio.sleep(0.2)  # Telegram, too, waits a while before it tries again
        async with self._changed:
            if ok:
                if update in self.pending:
                    self.pending.remove(update)
                self.delivered.append(update)
                self.deliveries[url] += 1
                self.routes[update["update_id"]] = url
            self._posting.discard(update["update_id"])
            if chat is not None:
                self._busy_chats.discard(chat)
            self._changed.notify_all()


def _chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (Telegram keeps each chat's updates in order)."""
    for kind in ("message", "my_chat_member"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    if "callback_query" in update:
        return int(update["callback_query"]["message"]["chat"]["id"])
    return None


def _decoded(value: str) -> Any:
    """Form fields carry nested objects as JSON text (PTB sends reply_markup that way)."""
    if value[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


def _validate(method: str, params: dict[str, Any]) -> None:
    """Refuse what Telegram refuses: missing or mistyped fields, and the limits lobbot meets."""
    rules = RULES[method]
    for name, (_types, required) in rules.items():
        if required and params.get(name) in (None, ""):
            raise Rejected(400, f"Bad Request: {name} is required")
    for name, value in params.items():
        if name not in rules:
            raise Rejected(400, f"Bad Request: unknown parameter {name}")
        if not any(_is(value, kind) for kind in rules[name][0]):
            raise Rejected(400, f"Bad Request: {name} has the wrong type")
    text = params.get("text")
    if text is not None and not 1 <= len(str(text)) <= MAX_TEXT:
        raise Rejected(
            400,
            "Bad Request: message is too long" if text else "Bad Request: message text is empty",
        )
    if len(str(params.get("caption") or "")) > MAX_CAPTION:
        raise Rejected(400, "Bad Request: message caption is too long")
    mode = params.get("parse_mode")
    if mode is not None and mode not in PARSE_MODES:
        raise Rejected(400, "Bad Request: unsupported parse_mode")
    if mode == "HTML":
        for key in ("text", "caption"):
            if params.get(key):
                _check_html(str(params[key]))
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        _check_keyboard(markup["inline_keyboard"])


def _is(value: Any, kind: str) -> bool:
    if kind == "Integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
        )
    if kind == "Float":
        return isinstance(value, int | float) or (isinstance(value, str) and _float(value))
    if kind == "Boolean":
        return isinstance(value, bool) or value in ("true", "false", "True", "False")
    if kind == "String":
        return isinstance(value, str | int) and not isinstance(value, bool)
    if kind == "InputFile":
        return isinstance(value, dict) and "__file__" in value
    if kind.startswith("Array of "):
        return isinstance(value, list)
    return isinstance(value, dict)  # an object type such as InlineKeyboardMarkup


def _float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _check_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise Rejected(400, "Bad Request: inline keyboard must be an array of arrays")
    actions = {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "pay",
        "switch_inline_query_current_chat",
        "callback_game",
        "copy_text",
    }
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise Rejected(400, "Bad Request: button text is empty")
        if len(actions & set(button)) != 1:
            raise Rejected(400, "Bad Request: a button needs exactly one action")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
            raise Rejected(400, "Bad Request: BUTTON_DATA_INVALID")


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise Rejected(
                400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"'
            )
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            raise Rejected(400, f'Bad Request: can\'t parse entities: unexpected end tag "{tag}"')


def _check_html(text: str) -> None:
    if re.search(r"&(?!(amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        raise Rejected(400, "Bad Request: can't parse entities: unescaped &")
    if re.search(r"<(?![a-zA-Z/])", text):
        raise Rejected(400, "Bad Request: can't parse entities: unescaped <")
    parser = _Html()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise Rejected(400, "Bad Request: can't parse entities: unclosed tag")
