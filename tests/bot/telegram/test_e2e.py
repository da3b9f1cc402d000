"""The real python-telegram-bot Application over real HTTP against the Bot API stand-in."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import Engine

from bot.telegram.updates import inbox_key
from storage import reflecties
from storage.db import transaction
from tests.bot.scripts import expected_keys, full_script
from tests.bot.telegram.harness import Phone, class_code, running
from tests.standin import StandIn

pytestmark = pytest.mark.slow  # end to end: real processes and HTTP


def _answers(engine: Engine, chat: int) -> list:
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "telegram", str(chat))
        return reflecties.answers_of_student(session, sid) if sid else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_student_joins_and_reflects_in_polling_mode(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    async with StandIn() as api, running(engine, api):
        phone = Phone(api, 501)
        await phone.join(code, "Sara")
        assert "Wat heb je gedaan?" in api.texts(501)[-1]
        for line in full_script("bliksemstage")[1:]:
            await phone.send(line)
        assert "Top gedaan" in phone.said() and "Opslaan" in phone.said()
        assert {c["command"] for c in api.commands[""]} >= {"start", "terug", "stop", "dossier"}
    assert api.rejected == []
    answers = _answers(engine, 501)
    assert [a.question_key for a in answers] == expected_keys("bliksemstage")
    photo = next(a for a in answers if a.question_key == "foto")
    assert photo.media_ref and photo.media_ref.startswith("photo-501-")  # the largest size's id


async def test_webhook_mode_checks_the_secret_and_loses_nothing(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    port = _free_port()
    async with StandIn() as api, running(engine, api, webhook_port=port):
        assert api.webhook == {
            "url": f"http://127.0.0.1:{port}/telegram",
            "secret": "geheim-webhook-token",
        }
        phone = Phone(api, 502)
        await phone.join(code, "Noor")
        for line in full_script("gastles")[1:6]:
            await phone.send(line)
        import aiohttp

        async with aiohttp.ClientSession() as client:
            forged = {
                "update_id": 999999,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "text": "hack",
                    "chat": {"id": 502, "type": "private"},
                    "from": {"id": 502, "is_bot": False, "first_name": "x"},
                },
            }
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "fout"}):
                async with client.post(
                    f"http://127.0.0.1:{port}/telegram", json=forged, headers=headers
                ) as r:
                    assert r.status == 401
    assert api.rejected == []
    assert len(_answers(engine, 502)) == 3 and all(a.text != "hack" for a in _answers(engine, 502))


async def test_redelivered_updates_are_not_stored_twice(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    async with StandIn() as api, running(engine, api):
        phone = Phone(api, 503)
        await phone.join(code, "Lin")
        for line in full_script("bedrijfsbezoek")[1:5]:
            await phone.send(line)
        seen = len(api.sent[503])
        await api.redeliver([u["update_id"] for u in api.delivered])
        await api.wait_until(lambda: not api.pending)
        await phone.send(full_script("bedrijfsbezoek")[5])
        assert len(api.sent[503]) == seen + 1  # only the new message was answered
    keys = [a.question_key for a in _answers(engine, 503)]
    assert keys == expected_keys("bedrijfsbezoek")[:3]


async def test_two_updates_of_one_chat_arriving_together_are_kept_in_order(
    engine: Engine, now
) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    async with StandIn() as api, running(engine, api):
        phone = Phone(api, 504)
        await phone.join(code, "Yara")
        await phone.send("[1]")
        await phone.send("bij de bakker")
        before = len(api.sent[504])
        await api.user_sends_text(504, "eerst dit antwoord met genoeg woorden")
        await api.user_sends_text(504, "en daarna dit antwoord met genoeg woorden")
        await api.wait_until(lambda: len(api.sent[504]) >= before + 2)
    answers = _answers(engine, 504)
    assert [a.text for a in answers[-2:]] == [
        "eerst dit antwoord met genoeg woorden",
        "en daarna dit antwoord met genoeg woorden",
    ]
    assert [a.question_key for a in answers[-2:]] == ["wat", "taak"]


async def test_a_stale_button_gets_a_short_notice(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    async with StandIn() as api, running(engine, api):
        phone = Phone(api, 505)
        await phone.join(code, "Sam")
        old_id, old_buttons = api.last_keyboard(505)
        await phone.send("[1]")
        before = len(api.sent[505])
        await api.user_presses_button(505, old_id, old_buttons[2]["callback_data"])
        await api.wait_until(lambda: any(a.get("text") for a in api.callback_answers))
        assert len(api.sent[505]) == before  # no new message, state untouched
    assert any("al voorbij" in (a.get("text") or "") for a in api.callback_answers)


async def test_blocked_bot_and_rate_limits_are_survived(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    async with StandIn() as api, running(engine, api) as bot:
        phone = Phone(api, 506)
        await phone.join(code, "Ali")
        api.fail_next("sendMessage", 403, chat=506)
        await api.user_sends_text(506, "ik ga even weg")
        await api.wait_until(lambda: not api.faults.get("sendMessage"))
        with transaction(engine) as session:
            from storage import accounts

            await_account = accounts.find_account(session, "telegram", "506")
        assert await_account is not None and not await_account.active
        api.fail_next("sendMessage", 429, retry_after=1, chat=506)
        await phone.send("[1]", timeout=20)  # the bot waits out retry_after, then it goes through
        assert api.retry_after_violations == []
        assert bot.application.running
    assert inbox_key(api.bot_id, 1).startswith("tg:")


async def test_wrong_expired_and_guessed_codes(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    expired = class_code(engine, now - timedelta(days=30), expires=now - timedelta(days=1))
    async with StandIn() as api, running(engine, api):
        phone = Phone(api, 507)
        await phone.send("/start")
        assert "code van je mentor" in phone.said()
        await phone.send(f"/start {expired}")
        assert "verlopen" in api.texts(507)[-1]
        for guess in range(4):
            await phone.send(f"/start gok{guess:013d}")
        assert "Te vaak een verkeerde code" in api.texts(507)[-1]
    assert api.rejected == []
