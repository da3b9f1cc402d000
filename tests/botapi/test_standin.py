"""The Bot API stand-in: the real PTB client against it, its rejections, updates, webhooks and
faults, and its rules held against the official Bot API description."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.botapi import BotApiStandIn
from tests.botapi.rules import ACTIONS, METHODS, OBJECTS, PRIMITIVES, UNIONS, Field
from tests.botapi.validate import ApiError, parse_html

TOKEN = "123:ABC"
SAM = 4242  # a private chat: chat id == user id
API_JSON = Path(__file__).resolve().parents[2].parent / "shared" / "telegram-bot-api" / "api.json"


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN) as api:
        yield api


@pytest.fixture
async def bot(api: BotApiStandIn) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN, base_url=api.base_url, base_file_url=api.base_file_url
    ) as bot:  # initialize() calls getMe
        yield bot


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, api: BotApiStandIn, method: str, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    """A raw JSON call, as any HTTP client could make it."""
    async with http.post(f"{api.base_url}{token}/{method}", json=params) as response:
        return response.status, await response.json()


# --- the real PTB client ------------------------------------------------------------------------


async def test_ptb_bot_sends_edits_answers_and_sets_commands(
    api: BotApiStandIn, bot: telegram.Bot
) -> None:
    assert bot.username == "lobbot_test_bot"
    await api.user_sends_command(SAM, "/start")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("⚡ Bliksemstage", callback_data="soort:stage")]]
    )
    sent = await bot.send_message(SAM, "Wat heb je <b>gedaan</b>?", "HTML", reply_markup=keyboard)
    assert sent.text == "Wat heb je gedaan?"  # parsed, as Telegram returns it
    assert sent.entities[0].type == "bold" and (
        sent.entities[0].offset,
        sent.entities[0].length,
    ) == (11, 6)
    assert sent.reply_markup == keyboard

    edited = await bot.edit_message_text("Top!", SAM, sent.message_id)
    assert edited.text == "Top!" and edited.reply_markup is None  # no keyboard: it goes

    press = await api.user_presses_button(SAM, sent.message_id, "soort:stage")  # a stale button
    assert await bot.answer_callback_query(press["callback_query"]["id"], text="Genoteerd")
    assert api.callback_answers[0]["data"] == "soort:stage"
    assert api.callback_answers[0]["text"] == "Genoteerd"
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(press["callback_query"]["id"])  # only once

    photo = (await api.user_sends_photo(SAM))["message"]["photo"][-1]["file_id"]
    message = await bot.send_photo(SAM, photo, caption="Jouw foto")
    assert message.photo[-1].file_id == photo and message.caption == "Jouw foto"

    commands = [telegram.BotCommand("start", "Begin"), telegram.BotCommand("stop", "Stop")]
    assert await bot.set_my_commands(commands, language_code="nl")
    assert await bot.get_my_commands(language_code="nl") == tuple(commands)
    assert await bot.get_my_commands() == ()  # another language is another list

    assert [entry["method"] for entry in api.transcript(SAM)] == [
        "sendMessage", "editMessageText", "sendPhoto",
    ]  # fmt: skip
    first = api.transcript(SAM)[0]
    assert first["reply_markup"] == {
        "inline_keyboard": [[{"text": "⚡ Bliksemstage", "callback_data": "soort:stage"}]]
    }
    assert api.bot_messages(SAM)[0]["text"] == "Top!"
    assert api.bot_messages(SAM)[0]["edited"] is True
    assert [c.method for c in api.rejected] == ["answerCallbackQuery"]
    # PTB posts form fields and JSON-encodes nested objects as text inside them.
    send = next(c for c in api.calls if c.method == "sendMessage")
    assert send.content_type == "application/x-www-form-urlencoded"


async def test_ptb_uploads_and_downloads_files(api: BotApiStandIn, bot: telegram.Bot) -> None:
    await api.user_sends_text(SAM, "hoi")
    chart = b"\x89PNG\r\n\x1a\n-a-chart-"
    message = await bot.send_photo(SAM, chart, caption="Je grafiek")
    upload = next(c for c in api.calls if c.method == "sendPhoto")
    assert upload.content_type == "multipart/form-data"
    file_id = message.photo[-1].file_id
    assert api.file_bytes(file_id) == chart
    assert bytes(await (await bot.get_file(file_id)).download_as_bytearray()) == chart

    voice_id = (await api.user_sends_voice(SAM))["message"]["voice"]["file_id"]
    assert await (await bot.get_file(voice_id)).download_as_bytearray() == b"OggS-lobbot-voice"
    with pytest.raises(
        telegram.error.BadRequest, match=r"(?i)can.t use file of type voice as photo"
    ):
        await bot.send_photo(SAM, voice_id)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("no-such-file")


async def test_every_method_through_ptb_is_accepted(api: BotApiStandIn, bot: telegram.Bot) -> None:
    """PTB's own encoding of each served method passes the rules."""
    await api.user_sends_command(SAM, "/start", "klas-3A")
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)chat not found"):
        await bot.send_chat_action(SAM + 1, "typing")
    api.rejected.clear()
    voice = (await api.user_sends_voice(SAM))["message"]["voice"]["file_id"]
    await bot.send_voice(SAM, voice, caption="<b>terug</b>", parse_mode="HTML", duration=4)
    await bot.send_voice(SAM, b"OggS-upload", duration=2)
    sent = await bot.send_document(SAM, b"inhoud", filename="dossier.html", caption="Dossier")
    await bot.send_message(SAM, "Zie hierboven", reply_parameters=telegram.ReplyParameters(1))
    assert sent.document.file_name == "dossier.html"
    await bot.edit_message_reply_markup(
        SAM,
        sent.message_id,
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("Open", url="https://example.org")
        ),
    )
    assert await bot.send_chat_action(SAM, "upload_document")
    assert await bot.set_chat_menu_button(SAM, telegram.MenuButtonCommands())
    assert await bot.set_my_commands([("start", "Begin")], telegram.BotCommandScopeChat(SAM))
    assert await bot.delete_my_commands(telegram.BotCommandScopeChat(SAM))
    nobody = "http://127.0.0.1:1/hook"  # nothing listens there: deliveries keep failing
    assert await bot.set_webhook(nobody, secret_token="s3cr3t_-x", max_connections=10)
    await api.wait_until(lambda: len(api.webhook_deliveries) >= 2)
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (nobody, 2, 10)
    assert info.last_error_message.startswith("Connection failed")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == ()  # dropped
    assert await bot.log_out() and await bot.close()

    covered_above = {"sendPhoto", "getFile", "deleteMessage", "getMyCommands",
                     "answerCallbackQuery", "editMessageText"}  # fmt: skip
    assert {c.method for c in api.calls} | covered_above == set(METHODS)
    assert api.rejected == []
    assert api.chat_actions == [(SAM, "upload_document")]
    assert api.menu_buttons == {SAM: {"type": "commands"}}
    assert [e["method"] for e in api.transcript(SAM)] == [
        "sendVoice", "sendVoice", "sendDocument", "sendMessage", "editMessageReplyMarkup",
    ]  # fmt: skip


async def test_user_updates_are_what_ptb_expects(api: BotApiStandIn, bot: telegram.Bot) -> None:
    made = [
        await api.user_sends_text(SAM, "hoi", first_name="Aylin", language_code="tr"),
        await api.user_sends_command(SAM, "/start", "klas-3A"),
        await api.user_sends_photo(SAM, caption="stage"),
        await api.user_sends_voice(SAM),
        await api.user_sends_sticker(SAM),
        await api.user_sends_location(SAM),
        await api.user_sends_document(SAM),
    ]
    updates = [Update.de_json(u, bot) for u in made]
    assert [u.update_id for u in updates] == sorted({u.update_id for u in updates})
    text, command, photo, voice, sticker, location, document = (u.message for u in updates)
    assert text.from_user.first_name == "Aylin" and text.from_user.language_code == "tr"
    assert text.chat.id == text.from_user.id == SAM and text.chat.type == "private"
    assert command.text == "/start klas-3A"
    assert command.parse_entities(["bot_command"]) == {command.entities[0]: "/start"}
    assert photo.caption == "stage" and photo.photo[-1].width > photo.photo[0].width
    assert voice.voice.mime_type == "audio/ogg" and sticker.sticker.emoji == "👍"
    assert location.location.latitude == pytest.approx(52.7792)
    assert document.document.file_name == "verslag.pdf"
    assert command.from_user.first_name == "Aylin"  # the profile sticks
    assert [m.message_id for m in (text, command, photo)] == [1, 2, 3]


async def test_edits_deletions_and_not_modified(api: BotApiStandIn, bot: telegram.Bot) -> None:
    await api.user_sends_text(SAM, "hoi")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="ja")]])
    message = await bot.send_message(SAM, "Klaar?", reply_markup=keyboard)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Klaar?", SAM, message.message_id, reply_markup=keyboard)
    await bot.edit_message_reply_markup(SAM, message.message_id)  # removes the keyboard
    assert await bot.delete_message(SAM, message.message_id)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("Te laat", SAM, message.message_id)
    assert [(e["method"], e["reply_markup"]) for e in api.transcript(SAM)] == [
        ("sendMessage", keyboard.to_dict()),
        ("editMessageReplyMarkup", None),
        ("deleteMessage", None),
    ]
    [state] = api.bot_messages(SAM)
    assert state["deleted"] and state["reply_markup"] is None


# --- rejections --------------------------------------------------------------------------------

BUTTON = {"text": "Ja", "callback_data": "x" * 64}
HI = {"chat_id": SAM, "text": "hoi"}


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {**HI, "reply_markup": {"inline_keyboard": [list(buttons)]}}


def commands(*pairs: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"commands": [{"command": c, "description": d} for c, d in pairs], **extra}


# name: (method, parameters, Telegram's description without "Bad Request: ")
REJECTED: dict[str, tuple[str, dict[str, Any], str]] = {
    "unknown method": ("sendMesage", HI, "Not Found"),
    "no chat_id": ("sendMessage", {"text": "hoi"}, "chat_id is empty"),
    "unknown chat": ("sendMessage", {**HI, "chat_id": 99}, "chat not found"),
    "4097 characters": ("sendMessage", {**HI, "text": "x" * 4097}, "message is too long"),
    "blank text": ("sendMessage", {**HI, "text": " "}, "message text is empty"),
    "65-byte callback_data": (
        "sendMessage",
        keyboard({**BUTTON, "callback_data": "é" * 33}),
        "BUTTON_DATA_INVALID",
    ),
    "unclosed HTML tag": (
        "sendMessage",
        {**HI, "text": "a <b>b", "parse_mode": "HTML"},
        "can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    ),
    "unknown parse_mode": ("sendMessage", {**HI, "parse_mode": "html5"}, "unsupported parse_mode"),
    "Boolean as text": (
        "sendMessage",
        {**HI, "disable_notification": "yes"},
        'field "disable_notification" must be of type Boolean',
    ),
    "misspelt field": (
        "sendMessage",
        {**HI, "parse_mod": "HTML"},
        'unknown parameter "parse_mod"',
    ),
    "row not an array": (
        "sendMessage",
        {**HI, "reply_markup": {"inline_keyboard": [BUTTON]}},
        'field "reply_markup.inline_keyboard[0]" must be of type Array of InlineKeyboardButton',
    ),
    "button without action": (
        "sendMessage",
        keyboard({"text": "Ja"}),
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    ),
    "button with two actions": (
        "sendMessage",
        keyboard({**BUTTON, "url": "https://x.nl"}),
        "can't parse reply_markup.inline_keyboard[0][0]: only one of url, callback_data may be "
        "used",
    ),
    "unknown markup": (
        "sendMessage",
        {**HI, "reply_markup": {"keys": []}},
        "can't parse reply_markup JSON object",
    ),
    "1025-character caption": (
        "sendPhoto",
        {"chat_id": SAM, "photo": "nope", "caption": "x" * 1025},
        "message caption is too long",
    ),
    "unknown file_id": (
        "sendPhoto",
        {"chat_id": SAM, "photo": "nope"},
        "wrong file identifier/HTTP URL specified",
    ),
    "unknown chat action": (
        "sendChatAction",
        {"chat_id": SAM, "action": "dancing"},
        "wrong parameter action in request",
    ),
    "capital in command": ("setMyCommands", commands(("Start", "Begin")), "BOT_COMMAND_INVALID"),
    "empty description": (
        "setMyCommands",
        commands(("start", "")),
        "BOT_COMMAND_DESCRIPTION_INVALID",
    ),
    "101 commands": (
        "setMyCommands",
        commands(*[(f"c{i}", "d") for i in range(101)]),
        "BOT_COMMANDS_TOO_MUCH",
    ),
    "bad language code": ("setMyCommands", commands(language_code="dutch"), "LANG_CODE_INVALID"),
    "unknown message": (
        "deleteMessage",
        {"chat_id": SAM, "message_id": 999},
        "message to delete not found",
    ),
}


@pytest.mark.parametrize(("method", "params", "description"), REJECTED.values(), ids=REJECTED)
async def test_rejects_what_telegram_rejects(
    api: BotApiStandIn,
    http: aiohttp.ClientSession,
    method: str,
    params: dict[str, Any],
    description: str,
) -> None:
    await api.user_sends_text(SAM, "hoi")
    status, body = await call(http, api, method, **params)
    if description != "Not Found":
        description = f"Bad Request: {description}"
    code = 404 if description == "Not Found" else 400
    assert (status, body) == (code, {"ok": False, "error_code": code, "description": description})
    assert [(r.method, r.description) for r in api.rejected] == [(method, description)]
    assert not api.transcript(SAM)


async def test_accepts_the_limits_themselves(
    api: BotApiStandIn, http: aiohttp.ClientSession
) -> None:
    """The counterpart of the rejections: exactly at each limit is fine."""
    await api.user_sends_text(SAM, "hoi")
    markup = {"inline_keyboard": [[BUTTON], [{**BUTTON, "callback_data": "é" * 32}]]}
    for params in (
        {"text": "x" * 4096},
        {"text": f"<b>{'x' * 4096}</b>", "parse_mode": "HTML"},  # counted after parsing
        {"text": "hoi", "reply_markup": markup},
        {"text": "a &lt; b &amp; c &gt; d &quot;e&quot; &#128512;", "parse_mode": "html"},
    ):
        status, body = await call(http, api, "sendMessage", chat_id=SAM, **params)
        assert (status, body["ok"]) == (200, True), body
    assert api.rejected == []


async def test_wrong_token_is_unauthorized(api: BotApiStandIn, http: aiohttp.ClientSession) -> None:
    status, body = await call(http, api, "getMe", token="123:WRONG")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert api.rejected[0].description == "Unauthorized"


async def test_reads_form_multipart_and_query_bodies(
    api: BotApiStandIn, http: aiohttp.ClientSession
) -> None:
    await api.user_sends_text(SAM, "hoi")
    markup = json.dumps({"inline_keyboard": [[{"text": "Ja", "callback_data": "ja"}]]})
    url = f"{api.base_url}{TOKEN}/SENDMESSAGE"  # method names are case-insensitive
    form = {"chat_id": str(SAM), "text": "form", "reply_markup": markup}
    async with http.post(url, data=form) as response:
        assert (await response.json())["result"]["reply_markup"]["inline_keyboard"][0][0][
            "text"
        ] == "Ja"
    multipart = aiohttp.FormData({"chat_id": str(SAM), "caption": "doc"})
    multipart.add_field("document", b"inhoud", filename="dossier.txt", content_type="text/plain")
    async with http.post(f"{api.base_url}{TOKEN}/sendDocument", data=multipart) as response:
        document = (await response.json())["result"]["document"]
    assert (
        document["file_name"] == "dossier.txt" and api.file_bytes(document["file_id"]) == b"inhoud"
    )
    async with http.get(url, params={"chat_id": SAM, "text": "query"}) as response:
        assert response.status == 200
    assert [e["text"] for e in api.transcript(SAM)] == ["form", None, "query"]
    assert api.transcript(SAM)[0]["reply_markup"] == json.loads(markup)


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<blink>hoi</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("<b><i>hoi</b></i>", 'Unmatched end tag "b", expected "</i>" at byte offset 9'),
        ("1 < 2", 'Unescaped "<"; write &lt; at byte offset 2'),
        ("jij & ik", 'Unescaped "&"; write &amp; at byte offset 4'),
        ("é > e", 'Unescaped ">"; write &gt; at byte offset 3'),
        ('<span class="x">hoi</span>', 'Unsupported start tag "span" at byte offset 0'),
        ("<a>link</a>", 'Unsupported start tag "a" at byte offset 0'),
        ("&#1114112;", "Invalid character reference at byte offset 0"),
    ],
)
def test_malformed_html_is_refused(html: str, problem: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_html(html)
    assert refused.value.description == f"Bad Request: can't parse entities: {problem}"


def test_html_becomes_text_and_utf16_entities() -> None:
    text, entities = parse_html(
        '😀 <b>vet <i>schuin</i></b> <a href="https://x.nl">link</a> '
        '<pre><code class="language-python">x</code></pre><tg-spoiler>!</tg-spoiler>'
    )
    assert text == "😀 vet schuin link x!"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 10},
        {"type": "italic", "offset": 7, "length": 6},
        {"type": "text_link", "url": "https://x.nl", "offset": 14, "length": 4},
        {"type": "pre", "language": "python", "offset": 19, "length": 1},
        {"type": "spoiler", "offset": 20, "length": 1},
    ]


# --- updates: long polling ----------------------------------------------------------------------


async def test_get_updates_offset_confirms_and_forgets(
    api: BotApiStandIn, http: aiohttp.ClientSession
) -> None:
    ids = [(await api.user_sends_text(SAM, f"bericht {i}"))["update_id"] for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3

    _, body = await call(http, api, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == ids  # unconfirmed: all of them
    _, body = await call(http, api, "getUpdates", limit=1)
    assert [u["update_id"] for u in body["result"]] == ids[:1]
    _, body = await call(http, api, "getUpdates", offset=ids[1])  # confirms ids[0]
    assert [u["update_id"] for u in body["result"]] == ids[1:]
    _, body = await call(http, api, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == ids[1:]  # ids[0] is gone for good
    _, body = await call(http, api, "getUpdates", offset=-1)  # only the last one is kept
    assert [u["update_id"] for u in body["result"]] == ids[2:]
    _, body = await call(http, api, "getUpdates", offset=ids[2] + 1)
    assert body == {"ok": True, "result": []}
    assert api.pending_updates == []

    api.redeliver_last(2)  # as after a restart without confirming
    _, body = await call(http, api, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == ids[1:]
    assert body["result"][0]["message"]["text"] == "bericht 1"


async def test_long_poll_wakes_when_a_user_writes(
    api: BotApiStandIn, http: aiohttp.ClientSession
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(call(http, api, "getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()  # it waits
    await api.user_sends_text(SAM, "hallo?")
    _, body = await poll
    assert [u["message"]["text"] for u in body["result"]] == ["hallo?"]
    assert time.monotonic() - started < 2

    started = time.monotonic()
    _, body = await call(
        http, api, "getUpdates", offset=body["result"][0]["update_id"] + 1, timeout=1
    )
    assert body["result"] == [] and 0.9 < time.monotonic() - started < 3


async def test_a_newer_poll_ends_the_older_with_conflict(
    api: BotApiStandIn, http: aiohttp.ClientSession
) -> None:
    older = asyncio.create_task(call(http, api, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    status, _ = await call(http, api, "getUpdates")
    assert status == 200
    status, body = await older
    assert status == 409 and body["description"].startswith("Conflict: terminated by other")


# --- updates: webhooks --------------------------------------------------------------------------


class Receiver:
    """A webhook endpoint that answers with the given statuses, then 200."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
            self.received.append((await request.json(), secret))
        return web.Response(status=status)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def test_webhook_delivers_in_order_with_the_secret_and_retries(
    api: BotApiStandIn, http: aiohttp.ClientSession
) -> None:
    async with Receiver(statuses=[500]) as hook:
        status, _ = await call(http, api, "setWebhook", url=hook.url, secret_token="geheim-1")
        assert status == 200
        for text in ("een", "twee", "drie"):
            await api.user_sends_text(SAM, text)
        await api.wait_until(lambda: len(hook.received) == 3)
        assert [u["message"]["text"] for u, _ in hook.received] == ["een", "twee", "drie"]
        assert {secret for _, secret in hook.received} == {"geheim-1"}
        assert [d.status for d in api.webhook_deliveries][:2] == [500, 200]  # retried

        status, body = await call(http, api, "getUpdates")
        assert status == 409 and "webhook is active" in body["description"]
        _, info = await call(http, api, "getWebhookInfo")
        assert info["result"]["url"] == hook.url
        assert info["result"]["pending_update_count"] == 0
        assert "500" in info["result"]["last_error_message"]

        await call(http, api, "deleteWebhook")
        await api.user_sends_text(SAM, "vier")
        _, body = await call(http, api, "getUpdates")
        assert [u["message"]["text"] for u in body["result"]] == ["vier"]


async def test_webhook_round_robin_over_workers(
    api: BotApiStandIn, http: aiohttp.ClientSession
) -> None:
    async with Receiver() as first, Receiver() as second:
        api.set_webhook_targets([first.url, second.url])
        await call(http, api, "setWebhook", url=first.url)
        for chat in (1, 2, 3, 4):
            await api.user_sends_text(chat, "hoi")
        await api.wait_until(lambda: len(first.received) + len(second.received) == 4)
        assert len(first.received) == len(second.received) == 2


# --- faults ------------------------------------------------------------------------------------


# PTB 22 warns that RetryAfter.retry_after will become a timedelta.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fault_injection_403_429_and_dropped_connections(
    api: BotApiStandIn, bot: telegram.Bot
) -> None:
    await api.user_sends_text(SAM, "hoi")
    await api.user_sends_text(7, "ik ook")

    api.fail_next("sendMessage", chat_id=7)
    await bot.send_message(SAM, "jij niet")  # another chat: unaffected
    with pytest.raises(telegram.error.Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(7, "geblokkeerd")
    await bot.send_message(7, "weer goed")

    api.fail_next("sendMessage", 429, retry_after=1)
    with pytest.raises(telegram.error.RetryAfter) as flood:
        await bot.send_message(SAM, "te snel")
    assert flood.value.retry_after in (1, timedelta(seconds=1))
    with pytest.raises(telegram.error.RetryAfter):
        await bot.send_chat_action(SAM, "typing")  # not waiting is a violation
    assert [v["method"] for v in api.retry_after_violations] == ["sendChatAction"]
    await asyncio.sleep(1.05)
    await bot.send_message(SAM, "netjes gewacht")
    assert len(api.retry_after_violations) == 1

    api.drop_next_connection("sendMessage")
    with pytest.raises(telegram.error.NetworkError):
        await bot.send_message(SAM, "kwijt")
    api.drop_next_connection("sendMessage", after_processing=True)
    with pytest.raises(telegram.error.NetworkError):
        await bot.send_message(SAM, "aangekomen, maar geen antwoord")

    assert [e["text"] for e in api.transcript(SAM)] == [
        "jij niet", "netjes gewacht", "aangekomen, maar geen antwoord",
    ]  # fmt: skip
    assert api.rejected == []  # injected faults are not the bot's mistakes


# --- the real Application -----------------------------------------------------------------------


async def test_application_polling_answers_a_student(api: BotApiStandIn) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Nog eens", callback_data="nog")]])
        await update.effective_message.reply_text(
            f"Je zei: <i>{update.effective_message.text}</i>",
            parse_mode="HTML",
            reply_markup=keyboard,
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer(f"Knop {update.callback_query.data}")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await api.user_sends_text(SAM, "ik was bij de garage")
        [reply] = await api.wait_for_bot_message(SAM, count=1)
        assert reply["text"] == "Je zei: <i>ik was bij de garage</i>"
        await api.user_presses_button(SAM, reply["message_id"], "nog")
        await api.wait_until(lambda: len(api.callback_answers) == 1)
        assert api.callback_answers[0]["text"] == "Knop nog"
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert api.rejected == []
    assert api.pending_updates == []  # stopping confirmed what was handled


def test_every_rule_has_a_handler() -> None:
    handlers = BotApiStandIn()._handlers
    assert set(handlers) == set(METHODS)


# --- the rules against the official description -------------------------------------------------


def _types_used(field: Field) -> set[str]:
    return {t.removeprefix("Array of ").removeprefix("Array of ") for t in field.types}


def test_rules_match_the_official_bot_api_description() -> None:
    if not API_JSON.exists():
        pytest.skip("official Bot API description not found beside the project (present in CI)")
    spec = json.loads(API_JSON.read_text(encoding="utf-8"))

    def compare(kind: str, name: str, ours: dict[str, Field], theirs: dict[str, Any]) -> None:
        official = {f["name"]: f for f in theirs.get("fields", [])}
        assert set(ours) <= set(official), (
            f"{kind} {name} accepts unknown {set(ours) - set(official)}"
        )
        required = {n for n, f in official.items() if f["required"]}
        assert {n for n, f in ours.items() if f.required} == required, f"{kind} {name}"
        for field_name, field in ours.items():
            assert set(field.types) == set(official[field_name]["types"]), f"{name}.{field_name}"
            if field.required_unless:
                assert field.required_unless in official[field_name]["description"]
            for used in _types_used(field) - PRIMITIVES:
                assert used in spec["types"], f"{name}.{field_name} uses unknown type {used}"

    for method, fields in METHODS.items():
        assert method in spec["methods"], f"Telegram has no method {method}"
        compare("method", method, fields, spec["methods"][method])
    for type_name, fields in OBJECTS.items():
        assert type_name in spec["types"], f"Telegram has no type {type_name}"
        compare("type", type_name, fields, spec["types"][type_name])
    for union, members in UNIONS.items():
        assert set(members.values()) == set(spec["types"][union]["subtypes"])
        for value, member in members.items():
            type_field = next(f for f in spec["types"][member]["fields"] if f["name"] == "type")
            assert f"must be {value}" in type_field["description"], member
    for type_name, (_, actions) in ACTIONS.items():
        assert set(actions) <= set(OBJECTS[type_name])
