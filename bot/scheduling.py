"""Scheduled work: what is planned when, and the worker step that sends what is due.

Planning happens inside the turn that causes it (a safeguarding signal, a finished reflection
with a date, a planned gesprek). ``run_due`` claims due jobs and, in one transaction, hands their
messages to the channel (the outbox) and marks them done, so each is sent once even when the bot
restarts or two workers race.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot import i18n, mentor_view, thuis
from bot.chart import Chart
from bot.student_view import CHECKIN
from flows import mentor
from flows.bank import ERVARING
from flows.replies import Button, Reply
from flows.text import _
from storage import jobs, mentors, reflecties
from storage.db import transaction
from storage.models import Conversation, Experience, SafeguardingFlag, School, Student

TIMEZONE = ZoneInfo("Europe/Amsterdam")
CHECKIN_HOUR = time(16, 0)  # after school, on the day the student planned their step
REMIND_AFTER = timedelta(days=2)  # an unfinished reflection gets one reminder after this

# (session, channel, chat, messages) -> None: the channel's way of queueing messages.
Deliver = Callable[[Session, str, str, list[Reply | Chart]], None]


def alert_mentor(session: Session, student_id: int, flag_id: int, at: datetime) -> None:
    """A safeguarding signal goes to the student's mentor at once."""
    found = mentors.mentor_account_of_student(session, student_id)
    if found is not None:
        _mentor_id, account_id = found
        jobs.schedule(
            session,
            "signaal",
            account_id,
            at.astimezone(UTC),
            at,
            {"flag_id": flag_id, "student_id": student_id},
            f"signaal:{flag_id}",
        )


def check_in_later(
    session: Session, account_id: int, entry_id: int, entry: dict[str, Any], at: datetime
) -> None:
    """On the day of the chosen next step, ask whether it happened."""
    vervolg = entry.get("vervolg") or {}
    due, step = vervolg.get("wanneer"), vervolg.get("stap")
    if not isinstance(due, str) or not isinstance(step, str):
        return
    when = datetime.combine(date.fromisoformat(due), CHECKIN_HOUR, TIMEZONE)
    jobs.schedule(
        session,
        "checkin",
        account_id,
        max(when, at).astimezone(UTC),
        at,
        {"entry_id": entry_id, "stap": step},
        f"checkin:{entry_id}",
    )


def plan_reminders(session: Session, now: datetime, after: timedelta = REMIND_AFTER) -> None:
    """One gentle reminder for each reflection left half-way (never a second one)."""
    rows = session.execute(
        select(Conversation.account_id, Conversation.experience_id)
        .join(Student, Student.account_id == Conversation.account_id)
        .where(Conversation.experience_id.is_not(None), Student.reminders.is_(True))  # type: ignore[union-attr]
        .where(Conversation.updated_at < now - after)
    )
    for account_id, experience_id in rows:
        jobs.schedule(
            session,
            "herinnering",
            account_id,
            now.astimezone(UTC),
            now,
            {"experience_id": experience_id},
            f"herinnering:{experience_id}",
        )


def run_due(
    engine: Engine,
    now: datetime,
    deliver: Deliver,
    channel: str = "telegram",
    remind_after: timedelta = REMIND_AFTER,
) -> list[str]:
    """Send what is due; returns the chats that got messages (to flush them)."""
    chats: list[str] = []
    with transaction(engine) as session:
        plan_reminders(session, now, remind_after)
    with transaction(engine) as session:
        for job in jobs.claim_due(session, now):
            if thuis.postpone_if_quiet(session, job, now):
                continue
            try:
                with session.begin_nested():  # one job that cannot run now leaves the others
                    if chat := _run_job(session, job, now, deliver, channel):
                        chats.append(chat)
            except reflecties.VersionConflict:
                continue  # the person's own turn changed their conversation: next round
    return chats


def _run_job(
    session: Session, job: jobs.DueJob, now: datetime, deliver: Deliver, channel: str
) -> str | None:
    chat = None
    target = mentors.account_chat(session, job.account_id)
    if target is not None and target[0] == channel:
        language, bilingual = mentors.account_language(session, job.account_id)
        with i18n.language(language, bilingual):
            messages = _messages(session, job, now)
            if messages:
                deliver(session, target[0], target[1], messages)
                chat = target[1]
    jobs.finish(session, job.id, now)
    return chat


def _messages(session: Session, job: jobs.DueJob, now: datetime) -> list[Reply | Chart]:
    if job.kind in thuis.KINDS:
        return list(thuis.messages(session, job, now))
    if job.kind == "signaal":
        flag = session.get(SafeguardingFlag, job.payload["flag_id"])
        student = reflecties.student_by_id(session, job.payload["student_id"])
        if flag is None or student is None or flag.seen_at is not None:
            return []
        school = session.get(School, student.school_id) if student.school_id else None
        policy = (school.settings if school else {}).get("zorgbeleid")
        return [mentor.signaal(student.name, flag.category, policy, flag.id)]
    if job.kind == "samenvatting":
        leader = mentors.mentor_of_account(session, job.account_id)
        student_id = job.payload["student_id"]
        if leader is None or not mentors.can_read(session, leader, student_id):
            return []
        return mentor_view.summary(session, leader, student_id, now)
    student = (
        session.exec(select(Student).where(Student.account_id == job.account_id)).scalars().first()
    )  # type: ignore[call-overload]
    if student is None or not student.reminders:
        return []
    if job.kind == "checkin":
        step = job.payload.get("stap", "")
        return [
            Reply(
                (
                    _(
                        "Hoi {naam}! Je wilde dit doen: “{stap}”. Is het gelukt?",
                        naam=student.name,
                        stap=step,
                    ),
                ),
                tuple(
                    Button(label, f"{CHECKIN}{job.id}:{value}")
                    for value, label in (
                        ("ja", _("Ja 🎉")),
                        ("beetje", _("Een beetje")),
                        ("nee", _("Nee, nog niet")),
                    )
                ),
                columns=3,
            )
        ]
    if job.kind == "herinnering":
        experience = session.get(Experience, job.payload.get("experience_id"))
        if experience is None or experience.status != "bezig":
            return []
        soort = ERVARING.get(experience.kind)
        return [
            Reply(
                (
                    _(
                        "Hoi {naam}! Je was nog bezig met je reflectie over je {soort}.",
                        naam=student.name,
                        soort=soort.label if soort else experience.kind,
                    ),
                    _(
                        "Zin om hem af te maken? Typ /verder."
                        " (Geen herinneringen meer? Typ /herinneringen uit.)"
                    ),
                )
            )
        ]
    return []
