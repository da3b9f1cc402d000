"""A local stand-in for the Telegram Bot API, so tests drive the real bot over real HTTP.

It serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` on 127.0.0.1, checks every
call against ``rules`` and rejects what Telegram would reject (recording it in ``rejected``),
answers with realistic objects, keeps what the bot sent per chat, lets a test speak as a user,
delivers updates by long polling or webhook, and injects faults.

    async with BotApiStandIn() as api:
        app = ApplicationBuilder().token(api.token).base_url(api.base_url)...
        await api.user_sends_text(42, "hoi")
        [reply] = await api.wait_for_bot_message(42)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import aiohttp
from aiohttp import web

from tests.botapi.rules import METHODS
from tests.botapi.validate import (
    ApiError,
    Upload,
    bad,
    check_params,
    parse_html,
    text_problem,
    utf16_len,
)

Json = dict[str, Any]

# Methods a flood wait (429 with retry_after) does not cover: fetching updates and setup.
_NOT_FLOOD_LIMITED = {
    "getMe", "logOut", "close", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
}  # fmt: skip
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected by the test",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"lobbot-test-photo" + b"\xff\xd9"


@dataclass
class Call:
    """One HTTP call the bot made; ``status`` and ``result`` are filled in when answered."""

    method: str
    params: Json
    time: float
    content_type: str = ""
    status: int | None = None  # None: no answer (dropped, or the client went away)
    result: Any = None


class Rejection(NamedTuple):
    """A call Telegram would have refused."""

    method: str
    params: Json
    description: str


class _Circumstance(ApiError):
    """An error the call itself did not cause (a fault a test injected, a flood wait, a newer
    long poll), so not a rejection."""


@dataclass
class _Fault:
    method: str
    code: int
    description: str
    times: int
    chat_id: int | None
    retry_after: int | None


@dataclass
class _Drop:
    method: str
    times: int
    after_processing: bool


@dataclass
class Webhook:
    """What setWebhook set. max_connections is reported, not enforced: each chat gets one
    delivery at a time, chats are delivered in parallel."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class Delivery:
    """One attempt to POST an update to a webhook; ``status`` is None when it did not connect."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    time: float = field(default_factory=time.time)


@dataclass
class StoredFile:
    """A file the bot uploaded or a user sent, served at /file/bot<token>/<file_path>."""

    file_id: str
    file_unique_id: str
    file_path: str
    kind: str  # photo, document, voice, sticker
    data: bytes
    info: Json  # the PhotoSize / Document / Voice / Sticker object


class BotApiStandIn:
    """The Bot API for one bot, on 127.0.0.1 at a free port."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "lobbot_test_bot",
        bot_first_name: str = "Lobbot",
        allow_unknown_fields: bool = False,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.allow_unknown_fields = allow_unknown_fields
        self.webhook_retry_delay = webhook_retry_delay
        self.bot_user: Json = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        # What tests read.
        self.calls: list[Call] = []
        self.rejected: list[Rejection] = []
        self.callback_answers: list[Json] = []
        self.retry_after_violations: list[Json] = []
        self.webhook_deliveries: list[Delivery] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.commands: dict[tuple[str, str], list[Json]] = {}  # (scope JSON, language) -> list
        self.menu_buttons: dict[int | None, Json] = {}
        # Chats, messages, files.
        self._users: dict[int, Json] = {}
        self._messages: dict[tuple[int, int], Json] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._transcripts: dict[int, list[Json]] = {}
        self._sent: dict[int, list[Json]] = {}  # current state of what the bot sent, per chat
        self._files: dict[str, StoredFile] = {}
        self._photos: dict[str, list[Json]] = {}  # any size's file_id -> all sizes
        self._file_numbers = itertools.count(1)
        self._callback_queries: dict[str, Json] = {}
        self._query_numbers = itertools.count(4_000_000_000_001)
        # Updates: everything ever queued, and what is waiting to be fetched or delivered.
        self._update_ids = itertools.count(1)
        self._updates: dict[int, Json] = {}
        self._pending: dict[int, Json] = {}
        self._allowed_updates: set[str] | None = None
        self._poll_generation = 0
        # Webhook delivery: one task per chat keeps each chat's updates in order.
        self._webhook: Webhook | None = None
        self._targets: list[str] | None = None
        self._round_robin = itertools.count()
        self._chat_queues: dict[int, deque[Json]] = {}
        self._chat_tasks: dict[int, asyncio.Task[None]] = {}
        self._in_flight: set[int] = set()
        # Faults.
        self._faults: list[_Fault] = []
        self._drops: list[_Drop] = []
        self._flood_until: float | None = None
        # Every change sets the current event and replaces it, waking whoever waits.
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0
        self._handlers: dict[str, Callable[[Json], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendVoice": self._send_voice,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
            "setChatMenuButton": self._set_chat_menu_button,
        }
        # Telegram matches method names case-insensitively.
        self._canonical = {name.lower(): name for name in METHODS}

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._on_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._on_file)
        # handler_cancellation: a long poll whose client went away must not linger.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def stop(self) -> None:
        self._closing = True
        self._bump()
        tasks = list(self._chat_tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: it appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- speaking as a user --------------------------------------------------------------------

    async def user_sends_text(
        self,
        chat_id: int,
        text: str,
        *,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> Json:
        """A private message. first_name and language_code set the user's profile for this and
        later updates; a new user is "Sam", speaking "nl"."""
        return self._user_message(chat_id, {"text": text}, first_name, language_code)

    async def user_sends_command(
        self,
        chat_id: int,
        command: str,
        payload: str | None = None,
        *,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> Json:
        """A command such as "/start", with an optional deep-link payload and a bot_command
        entity, as Telegram marks it."""
        if not command.startswith("/"):
            raise ValueError(f"a command starts with '/': {command!r}")
        text = f"{command} {payload}" if payload else command
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        content = {"text": text, "entities": [entity]}
        return self._user_message(chat_id, content, first_name, language_code)

    async def user_presses_button(self, chat_id: int, message_id: int, callback_data: str) -> Json:
        """A callback_query. The data need not be in the message's current keyboard: students
        press stale buttons, and the bot has to cope."""
        message = self._messages.get((chat_id, message_id))
        if message is None or (chat_id, message_id) in self._deleted:
            raise LookupError(f"chat {chat_id} has no message {message_id} to press a button on")
        user = self._user(chat_id, None, None)
        query_id = str(next(self._query_numbers))
        self._callback_queries[query_id] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "data": callback_data,
            "answered": False,
        }
        query = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(message),
            "chat_instance": str(-7_000_000_000 - chat_id),
            "data": callback_data,
        }
        return self._queue({"callback_query": query})

    async def user_sends_photo(
        self, chat_id: int, *, caption: str | None = None, data: bytes = _JPEG
    ) -> Json:
        """A photo in two sizes; getFile and the file URL work for both."""
        content: Json = {"photo": self._store_photo(data)}
        if caption:
            content["caption"] = caption
        return self._user_message(chat_id, content, None, None)

    async def user_sends_voice(
        self, chat_id: int, *, duration: int = 4, data: bytes = b"OggS-lobbot-voice"
    ) -> Json:
        info = {"duration": duration, "mime_type": "audio/ogg"}
        voice = self._store_file("voice", data, "oga", info)
        return self._user_message(chat_id, {"voice": voice}, None, None)

    async def user_sends_sticker(self, chat_id: int, *, emoji: str = "👍") -> Json:
        info = {"type": "regular", "width": 512, "height": 512, "emoji": emoji}
        info |= {"is_animated": False, "is_video": False}
        sticker = self._store_file("sticker", b"RIFF-lobbot-sticker", "webp", info)
        return self._user_message(chat_id, {"sticker": sticker}, None, None)

    async def user_sends_location(
        self, chat_id: int, latitude: float = 52.7792, longitude: float = 6.9069
    ) -> Json:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(chat_id, {"location": location}, None, None)

    async def user_sends_document(
        self,
        chat_id: int,
        *,
        file_name: str = "verslag.pdf",
        mime_type: str = "application/pdf",
        data: bytes = b"%PDF-1.4 lobbot",
        caption: str | None = None,
    ) -> Json:
        info = {"file_name": file_name, "mime_type": mime_type}
        document = self._store_file("document", data, file_name.rpartition(".")[2], info)
        content: Json = {"document": document}
        if caption:
            content["caption"] = caption
        return self._user_message(chat_id, content, None, None)

    # --- observing -----------------------------------------------------------------------------

    def transcript(self, chat_id: int) -> list[Json]:
        """Everything the bot did to the chat, in order: sends, edits and deletions.

        Each entry has method, message_id, text, caption, parse_mode, reply_markup (decoded),
        and photo / document / voice (a file_id) for media.
        """
        return copy.deepcopy(self._transcripts.get(chat_id, []))

    def bot_messages(self, chat_id: int) -> list[Json]:
        """The messages the bot sent to the chat as they are now: edits applied, and
        ``deleted`` / ``edited`` flags."""
        return copy.deepcopy(self._sent.get(chat_id, []))

    async def wait_for_bot_message(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[Json]:
        """Wait until the bot has sent ``count`` messages to the chat; returns bot_messages."""
        try:
            await self.wait_until(lambda: len(self._sent.get(chat_id, [])) >= count, timeout)
        except TimeoutError:
            sent = [m.get("text") or m.get("caption") for m in self._sent.get(chat_id, [])]
            raise TimeoutError(
                f"chat {chat_id}: the bot sent {len(sent)} of {count} messages within "
                f"{timeout}s: {sent!r}; last rejected calls: {self.rejected[-3:]!r}"
            ) from None
        return self.bot_messages(chat_id)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until predicate() holds; it is checked again after every call and update."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                if predicate():
                    return
                await changed.wait()

    @property
    def pending_updates(self) -> list[Json]:
        """Updates queued and not yet confirmed (polling) or delivered (webhook)."""
        return [self._pending[i] for i in sorted(self._pending)]

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a file the bot uploaded or a user sent."""
        return self._files[file_id].data

    # --- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int = 403,
        description: str | None = None,
        *,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` valid calls of ``method`` (to ``chat_id``, if given) fail.

        With ``retry_after`` the answer carries ``parameters.retry_after`` and, as Telegram's
        flood control does, every sending call before that time is refused again and recorded
        in ``retry_after_violations``.
        """
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after or 1}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            )
        if error_code == 429 and retry_after is None:
            retry_after = 1
        name = self._canonical.get(method.lower(), method)
        self._faults.append(_Fault(name, error_code, description, times, chat_id, retry_after))

    def drop_next_connection(
        self, method: str, *, times: int = 1, after_processing: bool = False
    ) -> None:
        """Close the connection of the next call of ``method`` without answering. With
        ``after_processing`` the call takes effect first (the message is sent, the bot never
        hears so), which is what makes retries send doubles."""
        name = self._canonical.get(method.lower(), method)
        self._drops.append(_Drop(name, times, after_processing))

    def redeliver(self, update_ids: Iterable[int]) -> None:
        """Queue already-delivered updates again, with their own update_ids, as Telegram does
        when a bot restarts without having confirmed them. A bot that keeps polling with a
        higher offset forgets them at once, as it would with Telegram."""
        for update_id in update_ids:
            self._pending[update_id] = self._updates[update_id]
        self._schedule_webhook()
        self._bump()

    def redeliver_last(self, n: int = 1) -> None:
        self.redeliver(sorted(self._updates)[-n:])

    def set_webhook_targets(self, urls: list[str] | None) -> None:
        """Deliver round robin over these URLs instead of the one the bot set (for several
        workers behind one webhook). Deliveries still only happen while a webhook is set."""
        self._targets = list(urls) if urls else None
        self._schedule_webhook()

    # --- HTTP ----------------------------------------------------------------------------------

    async def _on_method(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        method = self._canonical.get(name.lower(), name)
        params: Json = dict(request.query)
        call = Call(method, params, time.time(), request.content_type)
        self.calls.append(call)
        try:
            params.update(await self._read_body(request, method))
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if method not in METHODS:
                raise ApiError(404, "Not Found")
            drop = self._take_drop(method)
            if drop and not drop.after_processing:
                return await self._drop(request)
            self._check_flood(method, params)
            checked = check_params(METHODS[method], params, allow_unknown=self.allow_unknown_fields)
            self._check_formatting(method, checked)
            call.params = checked
            self._inject_fault(method, checked)
            result = await self._handlers[method](checked)
            if drop:
                return await self._drop(request)
            call.status, call.result = 200, result
            return web.json_response({"ok": True, "result": result})
        except ApiError as error:
            call.status = error.code
            if not isinstance(error, _Circumstance):
                self.rejected.append(Rejection(method, params, error.description))
            return web.json_response(error.body(), status=error.code)
        finally:
            self._bump()

    async def _read_body(self, request: web.Request, method: str) -> Json:
        """JSON, urlencoded or multipart; uploaded files become Upload values."""
        if request.content_type == "application/json":
            raw = await request.read()
            if not raw.strip():
                return {}
            try:
                body = json.loads(raw)
            except ValueError:
                raise bad("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad("can't parse JSON object")
            return body
        if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {}
        params: Json = {}
        attached: dict[str, Upload] = {}
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                attached[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                params[key] = value
        rules = METHODS.get(method, {})
        for key, value in list(params.items()):  # "attach://<name>" points at an uploaded part
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = attached.get(value.removeprefix("attach://"), value)
        params.update({key: upload for key, upload in attached.items() if key in rules})
        return params

    async def _drop(self, request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.abort()
        await asyncio.sleep(0)  # the handler is cancelled here: the client gets no answer
        return web.Response(status=500)

    async def _on_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # --- checks and faults ---------------------------------------------------------------------

    def _check_formatting(self, method: str, params: Json) -> None:
        """Text and caption limits count characters after entity parsing."""
        for name, rule in METHODS[method].items():
            if rule.after_parsing and name in params:
                plain, _ = _formatted(params[name], params.get(rule.after_parsing))
                if rule.missing and not plain.strip():
                    raise bad(rule.missing)
                if text_problem(rule, plain):
                    raise bad(rule.error or f'field "{name}" is too long')

    def _take_drop(self, method: str) -> _Drop | None:
        for drop in self._drops:
            if drop.method == method:
                drop.times -= 1
                if drop.times <= 0:
                    self._drops.remove(drop)
                return drop
        return None

    def _check_flood(self, method: str, params: Json) -> None:
        if self._flood_until is None or method in _NOT_FLOOD_LIMITED:
            return
        left = self._flood_until - time.monotonic()
        if left <= 0.01:  # the event loop may wake a sleeper a clock tick early
            self._flood_until = None
            return
        self.retry_after_violations.append(
            {"method": method, "params": params, "seconds_early": left, "time": time.time()}
        )
        wait = math.ceil(left)
        raise _Circumstance(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _inject_fault(self, method: str, params: Json) -> None:
        for fault in self._faults:
            if fault.method != method:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            extra = None
            if fault.retry_after is not None:
                extra = {"retry_after": fault.retry_after}
                self._flood_until = time.monotonic() + fault.retry_after
            raise _Circumstance(fault.code, fault.description, extra)

    # --- updates -------------------------------------------------------------------------------

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _queue(self, payload: Json) -> Json:
        update = {"update_id": next(self._update_ids), **payload}
        self._updates[update["update_id"]] = update
        kind = next(iter(payload))
        # Like Telegram, allowed_updates decides which updates are created at all.
        if self._allowed_updates is None or kind in self._allowed_updates:
            self._pending[update["update_id"]] = update
            self._schedule_webhook()
        self._bump()
        return update

    async def _get_updates(self, p: Json) -> list[Json]:
        if self._webhook is not None:
            raise _conflict_webhook()
        self._poll_generation += 1
        generation = self._poll_generation
        self._bump()  # an older long poll still waiting now ends with 409, as in Telegram
        if "allowed_updates" in p:
            self._allowed_updates = set(p["allowed_updates"]) or None
        offset = p.get("offset", 0)
        if offset > 0:  # confirms every update before it
            self._pending = {i: u for i, u in self._pending.items() if i >= offset}
        elif offset < 0:  # keeps the last -offset updates
            keep = sorted(self._pending)[offset:]
            self._pending = {i: self._pending[i] for i in keep}
        limit = min(max(p.get("limit", 100), 1), 100)
        deadline = time.monotonic() + min(max(p.get("timeout", 0), 0), 50)
        while True:
            changed = self._changed
            if generation != self._poll_generation:
                raise _Circumstance(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if self._webhook is not None:
                raise _conflict_webhook()
            left = deadline - time.monotonic()
            if self._pending or left <= 0 or self._closing:
                return self.pending_updates[:limit]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), left)

    async def _set_webhook(self, p: Json) -> bool:
        url = p["url"]
        if p.get("drop_pending_updates"):
            self._pending.clear()
        if "allowed_updates" in p:
            self._allowed_updates = set(p["allowed_updates"]) or None
        if not url:
            self._webhook = None
            return True
        # Telegram insists on HTTPS; the stand-in also takes http:// so tests need no TLS.
        if not url.startswith(("https://", "http://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = Webhook(
            url, p.get("secret_token"), p.get("max_connections", 40), p.get("ip_address")
        )
        self._schedule_webhook()
        return True

    async def _delete_webhook(self, p: Json) -> bool:
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self._webhook = None
        return True

    async def _get_webhook_info(self, p: Json) -> Json:
        hook = self._webhook
        info: Json = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if hook:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if self._allowed_updates:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _schedule_webhook(self) -> None:
        if self._webhook is None or self._closing:
            return
        for update_id in sorted(self._pending):
            if update_id in self._in_flight:
                continue
            self._in_flight.add(update_id)
            update = self._pending[update_id]
            chat_id = _chat_of(update)
            self._chat_queues.setdefault(chat_id, deque()).append(update)
            task = self._chat_tasks.get(chat_id)
            if task is None or task.done():
                self._chat_tasks[chat_id] = asyncio.create_task(self._deliver(chat_id))

    async def _deliver(self, chat_id: int) -> None:
        """POST this chat's updates one at a time, retrying each until it is taken."""
        queue = self._chat_queues[chat_id]
        while queue:
            update = queue[0]
            update_id = update["update_id"]
            delay = self.webhook_retry_delay
            while self._webhook is not None and update_id in self._pending:
                if await self._post(self._webhook, update):
                    break
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
            queue.popleft()
            self._in_flight.discard(update_id)

    async def _post(self, hook: Webhook, update: Json) -> bool:
        targets = self._targets or [hook.url]
        url = targets[next(self._round_robin) % len(targets)]
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        status, error = None, None
        assert self._session is not None
        try:
            async with self._session.post(url, data=json.dumps(update), headers=headers) as resp:
                status = resp.status
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {resp.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        self.webhook_deliveries.append(Delivery(update["update_id"], url, status, error))
        if error:
            hook.last_error_date, hook.last_error_message = int(time.time()), error
        else:
            self._pending.pop(update["update_id"], None)
        self._bump()
        return error is None

    # --- chats, messages, files ----------------------------------------------------------------

    def _user(self, chat_id: int, first_name: str | None, language_code: str | None) -> Json:
        user = self._users.setdefault(
            chat_id, {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "nl"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        return copy.deepcopy(user)

    def _chat(self, chat_id: int | str) -> int:
        """A private chat a user has opened, or "chat not found"."""
        if isinstance(chat_id, str):  # "@username"
            for user in self._users.values():
                if user.get("username") and f"@{user['username']}" == chat_id:
                    return int(user["id"])
            raise bad("chat not found")
        if chat_id not in self._users:
            raise bad("chat not found")
        return chat_id

    def _new_message(self, chat_id: int, sender: Json, content: Json) -> Json:
        numbers = self._message_ids.setdefault(chat_id, itertools.count(1))
        user = self._users[chat_id]
        chat = {"id": chat_id, "first_name": user["first_name"], "type": "private"}
        message = {
            "message_id": next(numbers),
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _user_message(
        self, chat_id: int, content: Json, first_name: str | None, language_code: str | None
    ) -> Json:
        user = self._user(chat_id, first_name, language_code)
        message = self._new_message(chat_id, user, content)
        return self._queue({"message": copy.deepcopy(message)})

    def _bot_sends(self, method: str, p: Json, content: Json, shown: Json) -> Json:
        """Store a message from the bot and note it in the chat's transcript."""
        chat_id = self._chat(p["chat_id"])
        reply = p.get("reply_parameters")
        if reply:
            replied = self._messages.get((chat_id, reply["message_id"]))
            if replied is not None:
                content["reply_to_message"] = copy.deepcopy(replied)
            elif not reply.get("allow_sending_without_reply"):
                raise bad("message to be replied not found")
        markup = p.get("reply_markup")
        if markup and "inline_keyboard" in markup:  # Messages only carry inline keyboards
            content["reply_markup"] = markup
        bot_from = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        message = self._new_message(chat_id, bot_from, content)
        keys = ("text", "caption", "parse_mode", "reply_markup")
        entry = _entry(method, message["message_id"], {k: p.get(k) for k in keys} | shown)
        self._transcripts.setdefault(chat_id, []).append(dict(entry))
        self._sent.setdefault(chat_id, []).append({**entry, "edited": False, "deleted": False})
        return message

    def _bot_message(self, p: Json, action: str) -> tuple[int, int, Json]:
        """The bot's own message an edit* call targets."""
        if "inline_message_id" in p:
            raise bad("MESSAGE_ID_INVALID")  # the stand-in has no inline messages
        chat_id = self._chat(p["chat_id"])
        key = (chat_id, p["message_id"])
        message = self._messages.get(key)
        if message is None or key in self._deleted:
            raise bad(f"message to {action} not found")
        if message["from"]["id"] != self.bot_id:
            raise bad(f"message can't be {action}ed")
        return chat_id, p["message_id"], message

    def _record_change(self, method: str, chat_id: int, message_id: int, change: Json) -> None:
        """Note an edit or deletion in the transcript and apply it to bot_messages."""
        self._transcripts[chat_id].append(_entry(method, message_id, change))
        for sent in self._sent[chat_id]:
            if sent["message_id"] == message_id:
                flag = "deleted" if method == "deleteMessage" else "edited"
                sent.update(change, **{flag: True})

    def _store_file(self, kind: str, data: bytes, extension: str, info: Json) -> Json:
        number = next(self._file_numbers)
        file_id, unique_id = f"{kind}-{number:05d}-{self.bot_id}", f"u{number:05d}"
        info = {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data), **info}
        path = f"{kind}s/file_{number}.{extension or 'bin'}"
        self._files[file_id] = StoredFile(file_id, unique_id, path, kind, data, info)
        return dict(info)

    def _store_photo(self, data: bytes) -> list[Json]:
        sizes = [
            self._store_file("photo", data, "jpg", {"width": 90, "height": 68}),
            self._store_file("photo", data, "jpg", {"width": 800, "height": 600}),
        ]
        for size in sizes:
            self._photos[size["file_id"]] = sizes
        return sizes

    def _media(self, value: Upload | str, kind: str, upload: Callable[[Upload], Any]) -> Any:
        """An uploaded file, or one referred to by file_id or URL, as Telegram returns it."""
        if isinstance(value, Upload):
            return upload(value)
        if value.startswith(("http://", "https://")):
            return upload(Upload(value.rsplit("/", 1)[-1] or "file", "", b""))
        stored = self._files.get(value)
        if stored is None:
            raise bad("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return copy.deepcopy(self._photos[value]) if kind == "photo" else dict(stored.info)

    # --- methods -------------------------------------------------------------------------------

    async def _true(self, p: Json) -> bool:
        return True

    async def _get_me(self, p: Json) -> Json:
        return dict(self.bot_user)

    async def _send_message(self, p: Json) -> Json:
        text, entities = _formatted(p["text"], p.get("parse_mode"), p.get("entities"))
        content: Json = {"text": text}
        if entities:
            content["entities"] = entities
        return self._bot_sends("sendMessage", p, content, {})

    async def _edit_message_text(self, p: Json) -> Json:
        chat_id, message_id, message = self._bot_message(p, "edit")
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        text, entities = _formatted(p.get("text", ""), p.get("parse_mode"), p.get("entities"))
        markup = p.get("reply_markup")
        current = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if (text, entities, markup) == current:
            raise bad(_NOT_MODIFIED)
        _set_or_drop(message, "entities", entities)
        _set_or_drop(message, "reply_markup", markup)  # an edit without a keyboard removes it
        message.update(text=text, edit_date=int(time.time()))
        change = {"text": p.get("text"), "parse_mode": p.get("parse_mode"), "reply_markup": markup}
        self._record_change("editMessageText", chat_id, message_id, change)
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, p: Json) -> Json:
        chat_id, message_id, message = self._bot_message(p, "edit")
        markup = p.get("reply_markup")
        if markup == message.get("reply_markup"):
            raise bad(_NOT_MODIFIED)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        change = {"reply_markup": markup}
        self._record_change("editMessageReplyMarkup", chat_id, message_id, change)
        return copy.deepcopy(message)

    async def _delete_message(self, p: Json) -> bool:
        chat_id = self._chat(p["chat_id"])
        key = (chat_id, p["message_id"])
        message = self._messages.get(key)
        if message is None or key in self._deleted:
            raise bad("message to delete not found")
        self._deleted.add(key)  # bots may delete the user's messages in private chats too
        if message["from"]["id"] == self.bot_id:
            self._record_change("deleteMessage", chat_id, key[1], {})
        return True

    async def _answer_callback_query(self, p: Json) -> bool:
        query = self._callback_queries.get(p["callback_query_id"])
        if query is None or query["answered"]:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        query["answered"] = True
        self.callback_answers.append(
            {
                "callback_query_id": p["callback_query_id"],
                "chat_id": query["chat_id"],
                "message_id": query["message_id"],
                "data": query["data"],
                "text": p.get("text"),
                "show_alert": p.get("show_alert", False),
                "url": p.get("url"),
                "cache_time": p.get("cache_time"),
            }
        )
        return True

    async def _send_photo(self, p: Json) -> Json:
        self._chat(p["chat_id"])
        photo = self._media(p["photo"], "photo", lambda up: self._store_photo(up.data))
        return self._bot_sends(
            "sendPhoto", p, {"photo": photo, **_caption(p)}, {"photo": photo[-1]["file_id"]}
        )

    async def _send_document(self, p: Json) -> Json:
        self._chat(p["chat_id"])

        def upload(up: Upload) -> Json:
            info = {"file_name": up.filename, "mime_type": up.content_type or "text/plain"}
            return self._store_file("document", up.data, up.filename.rpartition(".")[2], info)

        document = self._media(p["document"], "document", upload)
        content = {"document": document, **_caption(p)}
        return self._bot_sends("sendDocument", p, content, {"document": document["file_id"]})

    async def _send_voice(self, p: Json) -> Json:
        self._chat(p["chat_id"])

        def upload(up: Upload) -> Json:
            info = {"duration": p.get("duration", 1), "mime_type": "audio/ogg"}
            return self._store_file("voice", up.data, "oga", info)

        voice = self._media(p["voice"], "voice", upload)
        content = {"voice": voice, **_caption(p)}
        return self._bot_sends("sendVoice", p, content, {"voice": voice["file_id"]})

    async def _send_chat_action(self, p: Json) -> bool:
        self.chat_actions.append((self._chat(p["chat_id"]), p["action"]))
        return True

    async def _set_my_commands(self, p: Json) -> bool:
        self.commands[_scope_key(p)] = p["commands"]
        return True

    async def _get_my_commands(self, p: Json) -> list[Json]:
        return self.commands.get(_scope_key(p), [])

    async def _delete_my_commands(self, p: Json) -> bool:
        self.commands.pop(_scope_key(p), None)
        return True

    async def _get_file(self, p: Json) -> Json:
        stored = self._files.get(p["file_id"])
        if stored is None:
            raise bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _set_chat_menu_button(self, p: Json) -> bool:
        chat_id = self._chat(p["chat_id"]) if "chat_id" in p else None
        self.menu_buttons[chat_id] = p.get("menu_button", {"type": "default"})
        return True


def _formatted(
    text: str, parse_mode: str | None, entities: list[Json] | None = None
) -> tuple[str, list[Json]]:
    """The text as Telegram stores it: HTML parsed into entities. Markdown is passed through
    unparsed (the stand-in does not check Markdown)."""
    if parse_mode and parse_mode.lower() == "html":
        return parse_html(text)
    return text, list(entities or [])


def _caption(p: Json) -> Json:
    if not p.get("caption"):
        return {}
    caption, entities = _formatted(p["caption"], p.get("parse_mode"), p.get("caption_entities"))
    return {"caption": caption, "caption_entities": entities} if entities else {"caption": caption}


def _entry(method: str, message_id: int, change: Json) -> Json:
    """A transcript entry: every entry has these keys; None where the call did not set them."""
    base = {"text": None, "caption": None, "parse_mode": None, "reply_markup": None}
    return {"method": method, "message_id": message_id, **base, **change}


def _set_or_drop(message: Json, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _scope_key(p: Json) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.get("language_code", "")


def _chat_of(update: Json) -> int:
    if "callback_query" in update:
        query = update["callback_query"]
        return int(query["message"]["chat"]["id"] if "message" in query else query["from"]["id"])
    return int(update["message"]["chat"]["id"])


def _conflict_webhook() -> ApiError:
    return ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first",
    )
