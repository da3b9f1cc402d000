"""Replies become messages Telegram accepts: escaped HTML, small callback data, split text."""

from __future__ import annotations

import html
import re

import pytest

from bot.telegram import render
from flows import bank, reflectie
from flows.replies import Button, Reply
from flows.text import verbatim


def test_student_text_is_escaped_and_the_header_is_bold() -> None:
    reply = Reply((verbatim("<b>ik</b> & jij <script>"),), header=verbatim("Fase 1 < 2"))
    (message,) = render.messages(reply)
    assert message["parse_mode"] == "HTML"
    assert message["text"] == "<b>Fase 1 &lt; 2</b>\n&lt;b&gt;ik&lt;/b&gt; &amp; jij &lt;script&gt;"


def test_buttons_carry_the_question_number_and_fit_in_64_bytes() -> None:
    reply = Reply(
        (verbatim("?"),),
        (Button(verbatim("Ja"), "ja"), Button(verbatim("Nee"), "nee")),
        vraagnr=12,
        columns=2,
    )
    (message,) = render.messages(reply)
    assert message["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Ja", "callback_data": "12|ja"}, {"text": "Nee", "callback_data": "12|nee"}]
        ]
    }


def test_every_button_value_in_the_bank_fits_telegram_s_limit() -> None:
    values = {k.value for v in bank.VRAAG.values() for k in (*v.choices, *v.scaffold)}
    values |= {e.key for e in bank.ERVARINGEN} | {k.value for k in bank.SCHAAL}
    values |= {
        reflectie.KLOPT,
        reflectie.AANPASSEN,
        reflectie.TERUG,
        reflectie.VERDER,
        reflectie.LATER,
        reflectie.NIEUW,
        reflectie.WEET_NIET,
    }
    for value in values:
        assert len(render.callback_data(10**9, value).encode()) <= 64


def test_too_long_callback_data_is_refused() -> None:
    with pytest.raises(ValueError):
        render.callback_data(1, "x" * 64)


@pytest.mark.parametrize("text", ["woord " * 2000, "&" * 9000, "a" * 10000, "regel\n" * 1500])
def test_long_text_is_split_under_the_limit_without_breaking_entities(text: str) -> None:
    reply = Reply((verbatim(text),), (Button(verbatim("Ok"), "ok"),))
    messages = render.messages(reply)
    assert len(messages) > 1
    assert all(0 < len(m["text"]) <= render.MAX_TEXT for m in messages)
    assert all(not re.search(r"&[a-z]*$", m["text"]) for m in messages)  # no cut entity
    assert "reply_markup" in messages[-1] and all("reply_markup" not in m for m in messages[:-1])
    joined = html.unescape("".join(m["text"] for m in messages))
    assert joined.replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
