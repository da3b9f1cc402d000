"""What the stand-in accepts: the Bot API methods it serves and the objects inside them, as data.

Types are spelled the way the Bot API documentation spells them ("Integer or String",
"Array of MessageEntity", "InputFile or String"), so ``test_standin`` can hold these rules
against the official description (``api.json``) field by field. Limits are the documented
ones; ``error`` is the description Telegram answers with when one is broken.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One parameter of a method, or one field of an object."""

    types: tuple[str, ...]
    required: bool = False
    required_unless: str | None = None  # "Required if <that field> is not specified"
    min_len: int | None = None  # characters
    max_len: int | None = None
    min_bytes: int | None = None  # UTF-8 bytes (callback_data is limited in bytes)
    max_bytes: int | None = None
    pattern: str | None = None  # a full-match regular expression
    choices: tuple[str, ...] | None = None  # compared case-insensitively, as Telegram does
    min_value: int | None = None
    max_value: int | None = None
    max_items: int | None = None
    after_parsing: str | None = None  # limits count the text after parsing with this parse_mode
    error: str | None = None  # Telegram's description when a limit is broken
    missing: str | None = None  # Telegram's description when the field is absent or empty


def f(types: str, required: bool = False, **limits: object) -> Field:
    """``f("Integer or String", True)`` reads like the documentation's table row."""
    return Field(tuple(t.strip() for t in types.split(" or ")), required, **limits)  # type: ignore[arg-type]


PARSE_MODE = f("String", choices=("HTML", "Markdown", "MarkdownV2"), error="unsupported parse_mode")
CHAT_ID = f("Integer or String", True, missing="chat_id is empty")
REPLY_MARKUP = f("InlineKeyboardMarkup or ReplyKeyboardMarkup or ReplyKeyboardRemove or ForceReply")
TEXT = f(
    "String",
    True,
    max_len=4096,
    after_parsing="parse_mode",
    error="message is too long",
    missing="message text is empty",
)
CAPTION = f("String", max_len=1024, after_parsing="parse_mode", error="message caption is too long")
LANGUAGE_CODE = f("String", pattern="[a-z]{2}|", error="LANG_CODE_INVALID")
CHAT_ACTIONS = (
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
)  # fmt: skip

# Parameters every send* method shares.
_SENDING = {
    "business_connection_id": f("String"),
    "chat_id": CHAT_ID,
    "message_thread_id": f("Integer"),
    "direct_messages_topic_id": f("Integer"),
    "disable_notification": f("Boolean"),
    "protect_content": f("Boolean"),
    "allow_paid_broadcast": f("Boolean"),
    "message_effect_id": f("String"),
    "suggested_post_parameters": f("SuggestedPostParameters"),
    "reply_parameters": f("ReplyParameters"),
    "reply_markup": REPLY_MARKUP,
}
_CAPTIONED = {
    "caption": CAPTION,
    "parse_mode": PARSE_MODE,
    "caption_entities": f("Array of MessageEntity"),
}
_EDITED = {  # which message an edit* call targets
    "business_connection_id": f("String"),
    "chat_id": f("Integer or String", required_unless="inline_message_id"),
    "message_id": f("Integer", required_unless="inline_message_id"),
    "inline_message_id": f("String"),
}
_SCOPED = {"scope": f("BotCommandScope"), "language_code": LANGUAGE_CODE}

METHODS: dict[str, dict[str, Field]] = {
    "getMe": {},
    "logOut": {},
    "close": {},
    "getUpdates": {
        # Telegram clamps limit and timeout instead of refusing them.
        "offset": f("Integer"),
        "limit": f("Integer"),
        "timeout": f("Integer"),
        "allowed_updates": f("Array of String"),
    },
    "setWebhook": {
        "url": f("String", True),
        "certificate": f("InputFile"),
        "ip_address": f("String"),
        "max_connections": f("Integer", min_value=1, max_value=100),
        "allowed_updates": f("Array of String"),
        "drop_pending_updates": f("Boolean"),
        "secret_token": f(
            "String",
            pattern="[A-Za-z0-9_-]{1,256}",
            error="secret token contains unallowed characters",
        ),
    },
    "deleteWebhook": {"drop_pending_updates": f("Boolean")},
    "getWebhookInfo": {},
    "sendMessage": {
        **_SENDING,
        "text": TEXT,
        "parse_mode": PARSE_MODE,
        "entities": f("Array of MessageEntity"),
        "link_preview_options": f("LinkPreviewOptions"),
    },
    "editMessageText": {
        **_EDITED,
        "text": f(
            "String",
            required_unless="rich_message",
            max_len=4096,
            after_parsing="parse_mode",
            error="message is too long",
            missing="message text is empty",
        ),
        "parse_mode": PARSE_MODE,
        "entities": f("Array of MessageEntity"),
        "link_preview_options": f("LinkPreviewOptions"),
        "rich_message": f("InputRichMessage"),
        "reply_markup": f("InlineKeyboardMarkup"),
    },
    "editMessageReplyMarkup": {**_EDITED, "reply_markup": f("InlineKeyboardMarkup")},
    "deleteMessage": {"chat_id": CHAT_ID, "message_id": f("Integer", True)},
    "answerCallbackQuery": {
        "callback_query_id": f("String", True),
        "text": f("String", max_len=200, error="MESSAGE_TOO_LONG"),
        "show_alert": f("Boolean"),
        "url": f("String"),
        "cache_time": f("Integer"),
    },
    "sendPhoto": {
        **_SENDING,
        **_CAPTIONED,
        "photo": f("InputFile or String", True),
        "show_caption_above_media": f("Boolean"),
        "has_spoiler": f("Boolean"),
    },
    "sendDocument": {
        **_SENDING,
        **_CAPTIONED,
        "document": f("InputFile or String", True),
        "thumbnail": f("InputFile or String"),
        "disable_content_type_detection": f("Boolean"),
    },
    "sendVoice": {
        **_SENDING,
        **_CAPTIONED,
        "voice": f("InputFile or String", True),
        "duration": f("Integer"),
    },
    "sendChatAction": {
        "business_connection_id": f("String"),
        "chat_id": CHAT_ID,
        "message_thread_id": f("Integer"),
        "action": f(
            "String", True, choices=CHAT_ACTIONS, error="wrong parameter action in request"
        ),
    },
    "setMyCommands": {
        "commands": f("Array of BotCommand", True, max_items=100, error="BOT_COMMANDS_TOO_MUCH"),
        **_SCOPED,
    },
    "getMyCommands": _SCOPED,
    "deleteMyCommands": _SCOPED,
    "getFile": {"file_id": f("String", True)},
    "setChatMenuButton": {"chat_id": f("Integer"), "menu_button": f("MenuButton")},
}

_BUTTON_STYLE = f("String", choices=("danger", "success", "primary"))
_PLACEHOLDER = f("String", min_len=1, max_len=64)
_SCOPE_CHAT = {"type": f("String", True), "chat_id": f("Integer or String", True)}

# Objects the stand-in looks inside. Any other object type only has to be a JSON object.
OBJECTS: dict[str, dict[str, Field]] = {
    "InlineKeyboardMarkup": {"inline_keyboard": f("Array of Array of InlineKeyboardButton", True)},
    "InlineKeyboardButton": {
        "text": f("String", True),
        "icon_custom_emoji_id": f("String"),
        "style": _BUTTON_STYLE,
        "url": f("String"),
        "callback_data": f("String", min_bytes=1, max_bytes=64, error="BUTTON_DATA_INVALID"),
        "web_app": f("WebAppInfo"),
        "login_url": f("LoginUrl"),
        "switch_inline_query": f("String"),
        "switch_inline_query_current_chat": f("String"),
        "switch_inline_query_chosen_chat": f("SwitchInlineQueryChosenChat"),
        "copy_text": f("CopyTextButton"),
        "callback_game": f("CallbackGame"),
        "pay": f("Boolean"),
    },
    "ReplyKeyboardMarkup": {
        "keyboard": f("Array of Array of KeyboardButton", True),
        "is_persistent": f("Boolean"),
        "resize_keyboard": f("Boolean"),
        "one_time_keyboard": f("Boolean"),
        "input_field_placeholder": _PLACEHOLDER,
        "selective": f("Boolean"),
    },
    "KeyboardButton": {
        "text": f("String", True),
        "icon_custom_emoji_id": f("String"),
        "style": _BUTTON_STYLE,
        "request_users": f("KeyboardButtonRequestUsers"),
        "request_chat": f("KeyboardButtonRequestChat"),
        "request_managed_bot": f("KeyboardButtonRequestManagedBot"),
        "request_contact": f("Boolean"),
        "request_location": f("Boolean"),
        "request_poll": f("KeyboardButtonPollType"),
        "web_app": f("WebAppInfo"),
    },
    "ReplyKeyboardRemove": {"remove_keyboard": f("Boolean", True), "selective": f("Boolean")},
    "ForceReply": {
        "force_reply": f("Boolean", True),
        "input_field_placeholder": _PLACEHOLDER,
        "selective": f("Boolean"),
    },
    "WebAppInfo": {"url": f("String", True)},
    "LoginUrl": {
        "url": f("String", True),
        "forward_text": f("String"),
        "bot_username": f("String"),
        "request_write_access": f("Boolean"),
    },
    "CopyTextButton": {"text": f("String", True, min_len=1, max_len=256)},
    "SwitchInlineQueryChosenChat": {
        "query": f("String"),
        "allow_user_chats": f("Boolean"),
        "allow_bot_chats": f("Boolean"),
        "allow_group_chats": f("Boolean"),
        "allow_channel_chats": f("Boolean"),
    },
    "CallbackGame": {},
    "BotCommand": {
        "command": f("String", True, pattern="[a-z0-9_]{1,32}", error="BOT_COMMAND_INVALID"),
        "description": f(
            "String", True, min_len=1, max_len=256, error="BOT_COMMAND_DESCRIPTION_INVALID"
        ),
    },
    "MessageEntity": {
        "type": f("String", True),
        "offset": f("Integer", True),
        "length": f("Integer", True),
        "url": f("String"),
        "user": f("User"),
        "language": f("String"),
        "custom_emoji_id": f("String"),
        "unix_time": f("Integer"),
        "date_time_format": f("String"),
    },
    "LinkPreviewOptions": {
        "is_disabled": f("Boolean"),
        "url": f("String"),
        "prefer_small_media": f("Boolean"),
        "prefer_large_media": f("Boolean"),
        "show_above_text": f("Boolean"),
    },
    "ReplyParameters": {
        "message_id": f("Integer", True),
        "chat_id": f("Integer or String"),
        "allow_sending_without_reply": f("Boolean"),
        "quote": f("String"),
        "quote_parse_mode": PARSE_MODE,
        "quote_entities": f("Array of MessageEntity"),
        "quote_position": f("Integer"),
        "checklist_task_id": f("Integer"),
        "poll_option_id": f("String"),
    },
    "BotCommandScopeDefault": {"type": f("String", True)},
    "BotCommandScopeAllPrivateChats": {"type": f("String", True)},
    "BotCommandScopeAllGroupChats": {"type": f("String", True)},
    "BotCommandScopeAllChatAdministrators": {"type": f("String", True)},
    "BotCommandScopeChat": _SCOPE_CHAT,
    "BotCommandScopeChatAdministrators": _SCOPE_CHAT,
    "BotCommandScopeChatMember": {**_SCOPE_CHAT, "user_id": f("Integer", True)},
    "MenuButtonCommands": {"type": f("String", True)},
    "MenuButtonWebApp": {
        "type": f("String", True),
        "text": f("String", True),
        "web_app": f("WebAppInfo", True),
    },
    "MenuButtonDefault": {"type": f("String", True)},
}

# Abstract types: the value of their "type" field says which concrete object it is.
UNIONS: dict[str, dict[str, str]] = {
    "BotCommandScope": {
        "default": "BotCommandScopeDefault",
        "all_private_chats": "BotCommandScopeAllPrivateChats",
        "all_group_chats": "BotCommandScopeAllGroupChats",
        "all_chat_administrators": "BotCommandScopeAllChatAdministrators",
        "chat": "BotCommandScopeChat",
        "chat_administrators": "BotCommandScopeChatAdministrators",
        "chat_member": "BotCommandScopeChatMember",
    },
    "MenuButton": {
        "commands": "MenuButtonCommands",
        "web_app": "MenuButtonWebApp",
        "default": "MenuButtonDefault",
    },
}

# Buttons do one thing: (how many of these fields at least, the fields); at most one is allowed.
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_REPLY_ACTIONS = (
    "request_users", "request_chat", "request_managed_bot", "request_contact",
    "request_location", "request_poll", "web_app",
)  # fmt: skip
ACTIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    "InlineKeyboardButton": (1, _INLINE_ACTIONS),
    "KeyboardButton": (0, _REPLY_ACTIONS),
}

PRIMITIVES = frozenset({"Integer", "String", "Boolean", "Float", "InputFile"})

# Telegram HTML: tag -> entity type. span is only allowed as <span class="tg-spoiler">.
HTML_TAGS: dict[str, str] = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
