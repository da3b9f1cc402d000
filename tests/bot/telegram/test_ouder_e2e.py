"""Parents in Telegram: a child's invite link, the parent's own language, the five
thuisopdrachten answered with buttons, words and a voice note, and the child told — through the
real Application against the Bot API stand-in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.telegram.app import Lobbot
from flows.stille_uren import uit_instellingen
from flows.talen import NAMEN
from flows.thuisopdrachten import THUISOPDRACHTEN
from storage import dossier, reflecties
from storage.db import transaction
from tests.bot.telegram.harness import Phone, class_code, running
from tests.standin import StandIn

pytestmark = pytest.mark.slow  # end to end: real HTTP

CHILD, PARENT = 801, 900


async def press(phone: Phone, prefix: str) -> None:
    """Press the button whose callback data starts with ``prefix`` on the last keyboard."""
    found = phone.api.last_keyboard(phone.chat)
    assert found is not None, phone.said()[-300:]
    message_id, buttons = found
    data = next(b["callback_data"] for b in buttons if value(b).startswith(prefix))
    await after(phone, phone.api.user_presses_button(phone.chat, message_id, data))


def value(button: dict) -> str:
    """The flow's value of a button (its callback data also names the question number)."""
    return button["callback_data"].partition("|")[2]


async def after(phone: Phone, action: Any) -> None:
    """Do something in the chat and wait until the bot has answered it."""
    before = len(phone.api.sent.get(phone.chat, []))
    await action
    await phone.api.wait_until(lambda: len(phone.api.sent.get(phone.chat, [])) > before)
    await phone.settle()


async def deliver_due(bot: Lobbot) -> None:
    """Run the scheduler at the first moment outside quiet hours (tests run at any hour)."""
    await bot.run_scheduled(
        uit_instellingen(None).volgende(datetime.now(UTC) + timedelta(minutes=1))
    )


WORDS = {
    "nl": "Ze werkt graag met mensen en helpt haar oom in zijn winkel",
    "ar": "تحب العمل مع الناس وتساعد خالها في محله",  # the parent answers in their own language
}


async def answer(parent: Phone, with_voice: bool, taal: str) -> None:
    """Answer the thuisopdracht on screen: a button where offered, else words or a voice note."""
    for number in range(4):
        last = parent.api.transcript(parent.chat)[-1]  # the prompt on screen, not an older one
        rows = (last.get("reply_markup") or {}).get("inline_keyboard") or []
        choices = [value(b) for row in rows for b in row if value(b).startswith("o:")]
        if choices and choices[0].split(":")[2] == str(number):
            await press(parent, choices[0])
        elif with_voice and number == 1:
            await after(parent, parent.api.user_sends_voice(parent.chat))
        else:
            await parent.send(WORDS[taal])
        if (
            "Dank" in parent.api.texts(parent.chat)[-1]
            or "شكر" in parent.api.texts(parent.chat)[-1]
        ):
            return


@pytest.mark.parametrize("taal", ["nl", "ar"])
async def test_a_parent_answers_all_five_thuisopdrachten_over_telegram(
    engine: Engine, now: datetime, taal: str
) -> None:
    code = class_code(engine, now)
    async with StandIn() as api, running(engine, api) as bot:
        child, parent = Phone(api, CHILD), Phone(api, PARENT)
        await child.join(code, "Sara")
        await child.send("/ouder")
        await press(child, "u:n")
        await press(child, "u:n:moeder")
        link = re.search(
            r"https://t\.me/lobbot_standin_bot\?start=([A-Za-z0-9_-]{8,64})", child.said()
        )
        assert link, child.said()[-400:]
        await parent.send(f"/start {link[1]}")
        await parent.send(f"[{list(NAMEN).index(taal) + 1}]")
        notice = api.texts(PARENT)[-1]
        assert "Sara" in notice and (taal != "ar" or notice.startswith("\u200f"))
        await parent.send("[1]")  # the privacy notice: understood
        assert "Sara" in api.texts(PARENT)[-1]  # the first prompt is on screen
        await answer(parent, with_voice=True, taal=taal)
        for opdracht in THUISOPDRACHTEN[1:]:
            await child.send("/ouder")
            await press(child, "u:t")
            await press(child, f"u:t:{opdracht.key}")
            await after(parent, deliver_due(bot))
            if taal == "ar":
                assert re.sub("<[^>]+>", "", api.texts(PARENT)[-1]).startswith("\u200f")
            await answer(parent, with_voice=False, taal=taal)
        await deliver_due(bot)
        await api.wait_until(lambda: sum("👪" in t for t in api.texts(CHILD)) >= 5)
    with transaction(engine) as session:
        student = reflecties.student_of_chat(session, "telegram", str(CHILD))
        assert student is not None
        entries = [e for e in dossier.entries_of_student(session, student) if e.source == "ouder"]
    assert [e.content["thuisopdracht"]["opdracht"] for e in entries] == [
        t.key for t in THUISOPDRACHTEN
    ]
    first = entries[0].content["thuisopdracht"]["antwoorden"]
    assert "spraak" in first["voorbeeld"]  # the voice note, kept as an attachment
    assert first["leuk"]["tekst"] == WORDS[taal]  # stored as written, in the parent's language
    for entry, opdracht in zip(entries, THUISOPDRACHTEN, strict=True):
        assert {c.value for c in opdracht.competenties} <= set(entry.competencies)
        assert entry.content["thuisopdracht"]["taal"] == taal
    assert api.rejected == []
