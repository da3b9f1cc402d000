"""What the stand-in accepts, method by method: each field's types and whether it is required.

The types are named as the official Bot API description names them ("Integer", "String",
"Array of BotCommand" …), so a test can hold these rules against that description. Only the
methods lobbot (and python-telegram-bot's start-up) use are served; anything else is a 404, as
for a method Telegram does not know.
"""

from __future__ import annotations

Field = tuple[tuple[str, ...], bool]  # (accepted types, required)

_CHAT: Field = (("Integer", "String"), True)
_MARKUP = ("InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply")

RULES: dict[str, dict[str, Field]] = {
    "getMe": {},
    "logOut": {},
    "close": {},
    "getUpdates": {
        "offset": (("Integer",), False),
        "limit": (("Integer",), False),
        "timeout": (("Integer",), False),
        "allowed_updates": (("Array of String",), False),
    },
    "setWebhook": {
        "url": (("String",), True),
        "certificate": (("InputFile",), False),
        "ip_address": (("String",), False),
        "max_connections": (("Integer",), False),
        "allowed_updates": (("Array of String",), False),
        "drop_pending_updates": (("Boolean",), False),
        "secret_token": (("String",), False),
    },
    "deleteWebhook": {"drop_pending_updates": (("Boolean",), False)},
    "getWebhookInfo": {},
    "sendMessage": {
        "chat_id": _CHAT,
        "text": (("String",), True),
        "parse_mode": (("String",), False),
        "disable_notification": (("Boolean",), False),
        "protect_content": (("Boolean",), False),
        "reply_markup": (_MARKUP, False),
    },
    "sendPhoto": {
        "chat_id": _CHAT,
        "photo": (("InputFile", "String"), True),
        "caption": (("String",), False),
        "parse_mode": (("String",), False),
        "reply_markup": (_MARKUP, False),
    },
    "sendDocument": {
        "chat_id": _CHAT,
        "document": (("InputFile", "String"), True),
        "caption": (("String",), False),
        "reply_markup": (_MARKUP, False),
    },
    "sendChatAction": {
        "chat_id": _CHAT,
        "action": (("String",), True),
    },
    "editMessageText": {
        "chat_id": (("Integer", "String"), False),
        "message_id": (("Integer",), False),
        "inline_message_id": (("String",), False),
        "text": (("String",), False),
        "parse_mode": (("String",), False),
        "reply_markup": (("InlineKeyboardMarkup",), False),
    },
    "editMessageReplyMarkup": {
        "chat_id": (("Integer", "String"), False),
        "message_id": (("Integer",), False),
        "inline_message_id": (("String",), False),
        "reply_markup": (("InlineKeyboardMarkup",), False),
    },
    "deleteMessage": {"chat_id": _CHAT, "message_id": (("Integer",), True)},
    "answerCallbackQuery": {
        "callback_query_id": (("String",), True),
        "text": (("String",), False),
        "show_alert": (("Boolean",), False),
        "url": (("String",), False),
        "cache_time": (("Integer",), False),
    },
    "setMyCommands": {
        "commands": (("Array of BotCommand",), True),
        "scope": (("BotCommandScope",), False),
        "language_code": (("String",), False),
    },
    "getMyCommands": {
        "scope": (("BotCommandScope",), False),
        "language_code": (("String",), False),
    },
    "deleteMyCommands": {
        "scope": (("BotCommandScope",), False),
        "language_code": (("String",), False),
    },
    "getFile": {"file_id": (("String",), True)},
}

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
PARSE_MODES = {"HTML", "Markdown", "MarkdownV2"}
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
