"""A mentor in Telegram: joins with an invite link, sees the class, plans a gesprek, and gets
the summary (with its chart) and a safeguarding alert through the real Application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from storage import reflecties, schools
from storage.db import transaction
from storage.models import Student
from tests.bot.scripts import full_script
from tests.bot.telegram.harness import Phone, running
from tests.standin import StandIn

pytestmark = pytest.mark.slow  # end to end: real processes and HTTP


def _klas(engine: Engine, now, mentor_name: str, name: str) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """A school with a mentor and a class: the school, the mentor and the class code."""
    with transaction(engine) as session:
        school = schools.create_school(session, "De Brug", now)
        mentor = schools.create_mentor(session, school, mentor_name, now)
        klas = schools.create_class(session, school, mentor, name, now)
        code = schools.create_code(session, "klas", school, now, class_id=klas)[1]
    return school, mentor, code


async def test_mentor_summary_and_alert_over_telegram(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    school, mentor, code = _klas(engine, now, "Mevrouw Aydın", "3A")
    with transaction(engine) as session:
        invite = schools.create_code(session, "mentor", school, now, mentor_id=mentor)[1]
    async with StandIn() as api, running(engine, api) as bot:
        teacher = Phone(api, 800)
        await teacher.send(f"/start {invite}")
        assert "/leerlingen" in teacher.said()
        student = Phone(api, 801)
        await student.join(code, "Sara")
        for line in full_script("bliksemstage")[1:]:
            await student.send(line)
        await teacher.send("/leerlingen")
        assert "Sara (3A)" in api.texts(800)[-1]
        number = api.texts(800)[-1].split("#")[1].split(" ")[0]
        await teacher.send(f"/gesprek {number} morgen 10:00")
        assert "Gepland" in api.texts(800)[-1]
        await bot.run_scheduled(datetime.now(UTC) + timedelta(days=2))
        await api.wait_until(lambda: any("photo" in m for m in api.transcript(800)))
        summary = "\n".join(api.texts(800))
        assert "Voor het gesprek met Sara" in summary and "Vragen voor het gesprek" in summary
        await student.send("/start")
        await student.send("[1]")
        await student.send("ik word thuis geslagen")
        assert "0800-0432" in api.texts(801)[-1]
        await bot.run_scheduled()
        await api.wait_until(lambda: "Zorgsignaal over Sara" in api.texts(800)[-1])
        await teacher.send("[1]")
        assert "Gemarkeerd als gezien" in api.texts(800)[-1]
    assert api.rejected == []


async def test_the_bot_erases_leavers_past_retention_daily(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    _school, _mentor, code = _klas(engine, now, "Meneer Kok", "4B")
    async with StandIn() as api, running(engine, api) as bot:
        for chat, name in ((820, "Noor"), (821, "Milan")):
            await Phone(api, chat).join(code, name)
        with transaction(engine) as session:
            noor = reflecties.student_of_chat(session, "telegram", "820")
            milan = reflecties.student_of_chat(session, "telegram", "821")
            assert noor is not None and milan is not None
            session.get(Student, noor).left_at = now - timedelta(days=3 * 365)
            session.get(Student, milan).left_at = now - timedelta(days=200)
        await bot.run_scheduled()
        with transaction(engine) as session:
            assert session.get(Student, noor) is None  # left three years ago: erased
            assert session.get(Student, milan) is not None  # within two years: kept
            session.get(Student, milan).left_at = now - timedelta(days=3 * 365)
        await bot.run_scheduled()  # the same day: retention already ran
        with transaction(engine) as session:
            assert session.get(Student, milan) is not None
        await bot.run_scheduled(datetime.now(UTC) + timedelta(days=1))  # the next day
        with transaction(engine) as session:
            assert session.get(Student, milan) is None
