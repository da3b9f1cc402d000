"""Replies as Telegram messages: HTML with every piece of text escaped, inline keyboards whose
callback data names the question they belong to, and long text split under Telegram's limit."""

from __future__ import annotations

import html
from typing import Any

from bot.i18n import SOURCE, tr, with_dutch
from flows.replies import Reply
from flows.text import Text

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64  # bytes


def callback_data(vraagnr: int, value: str) -> str:
    """``<question number>|<value>``: a press on an old question's button is recognised."""
    data = f"{vraagnr}|{value}"
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {value!r}")
    return data


def messages(reply: Reply) -> list[dict[str, Any]]:
    """The sendMessage parameters for one reply (more than one when it is very long)."""
    parts = [f"<b>{html.escape(tr(reply.header))}</b>"] if reply.header else []
    parts += [html.escape(tr(line)) for line in reply.lines]
    dutch = with_dutch.get()
    if dutch:  # their language first, the Dutch underneath, so they learn the words
        parts.append("")
        parts += [f"<i>{html.escape(tr(line, SOURCE))}</i>" for line in reply.lines]
    chunks = _split("\n".join(parts))
    payloads: list[dict[str, Any]] = [{"text": chunk, "parse_mode": "HTML"} for chunk in chunks]
    if reply.buttons:
        buttons = [
            {"text": _label(b.label, dutch), "callback_data": callback_data(reply.vraagnr, b.value)}
            for b in reply.buttons
        ]
        rows = [buttons[i : i + reply.columns] for i in range(0, len(buttons), reply.columns)]
        payloads[-1]["reply_markup"] = {"inline_keyboard": rows}
    return payloads


def _label(label: Text, dutch: bool) -> str:
    own = tr(label)
    source = tr(label, SOURCE)
    return f"{own} · {source}" if dutch and source not in own else own


def _split(text: str) -> list[str]:
    """Cut at line breaks (or spaces) so that each piece fits; never inside an HTML entity."""
    chunks: list[str] = []
    while len(text) > MAX_TEXT:
        cut = text.rfind("\n", 0, MAX_TEXT)
        if cut <= 0:
            cut = text.rfind(" ", 0, MAX_TEXT)
        if cut <= 0:
            cut = MAX_TEXT
            amp = text.rfind("&", cut - 8, cut)
            if amp != -1 and ";" not in text[amp:cut]:
                cut = amp  # do not cut "&amp;" in two
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    if text or not chunks:
        chunks.append(text)
    return chunks
