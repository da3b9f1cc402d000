"""Mentor commands: /leerlingen, /samenvatting, /gesprek, and confirming an alert.

Every student is looked up through the mentor's scope first (own classes; a decaan: the school),
and every read of a student's dossier is written to the audit log.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import i18n, thuis
from bot.chart import Chart, evidence_chart
from flows import dossier as c2
from flows import invoer, mentor
from flows.events import Commando, Event, Knop
from flows.replies import Button, Reply
from flows.text import _, ngettext, verbatim
from flows.thuisopdrachten import THUISOPDRACHT
from storage import dossier, jobs, mentors, ouders, reflecties, schools
from storage.models import Mentor, School

TIMEZONE = ZoneInfo("Europe/Amsterdam")
HOURS_BEFORE = 24  # default; a school can set "samenvatting_uren_vooraf"


def school_year_start(today: date) -> date:
    return date(today.year if today.month >= 8 else today.year - 1, 8, 1)


def handle(session: Session, account_id: int, event: Event, at: datetime) -> list[Reply | Chart]:
    """A mentor's command or button; anything else gets the list of commands."""
    leader = mentors.mentor_of_account(session, account_id)
    if leader is None:
        return [mentor.welkom()]
    today = at.astimezone(TIMEZONE).date()
    if isinstance(event, Commando) and event.name == "leerlingen":
        return [
            _overview(session, leader, int(event.arg) if event.arg.isdecimal() else 1, today, at)
        ]
    if isinstance(event, Knop) and event.value.startswith(f"{mentor.MENTOR}p:"):
        page = event.value.rsplit(":", 1)[1]
        return [_overview(session, leader, int(page) if page.isdecimal() else 1, today, at)]
    if isinstance(event, Knop) and event.value.startswith(f"{mentor.MENTOR}gezien:"):
        flag = event.value.rsplit(":", 1)[1]
        ok = flag.isdecimal() and mentors.flag_seen(session, int(flag), leader, at)
        return [
            Reply(
                (
                    _("Dank je. Gemarkeerd als gezien. ✅")
                    if ok
                    else _("Dat signaal kan ik niet vinden."),
                )
            )
        ]
    if isinstance(event, Commando) and event.name == "thuisopdracht":
        return [mentor.thuisopdracht_keuze()]
    if isinstance(event, Knop) and event.value.startswith(f"{mentor.MENTOR}t:"):
        return [_thuisopdracht(session, leader, event.value.split(":")[2:], at)]
    if isinstance(event, Commando) and event.name == "samenvatting":
        student_id = _student(session, leader, event.arg)
        if student_id is None:
            return [_not_yours()]
        return summary(session, leader, student_id, at)
    if isinstance(event, Commando) and event.name == "gesprek":
        return [_plan(session, leader, event.arg, at)]
    return [mentor.welkom()]


def _thuisopdracht(session: Session, leader: Mentor, args: list[str], at: datetime) -> Reply:
    """Send a thuisopdracht to every linked parent of one of the mentor's classes."""
    key = args[0] if args else ""
    classes = mentors.classes_of(session, leader)
    if key not in THUISOPDRACHT:
        return mentor.thuisopdracht_keuze()
    chosen = [c for c in classes if len(args) > 1 and str(c.id) == args[1]]
    if not chosen and len(classes) != 1:
        return Reply(
            (_("Naar welke klas?"),),
            tuple(Button(verbatim(c.name), f"{mentor.MENTOR}t:{key}:{c.id}") for c in classes),
            columns=2,
        )
    school_class = (chosen or classes)[0]
    assert school_class.id is not None
    sent, children = 0, set()
    for link in ouders.links_of_class(session, school_class.id):
        assignment_id = ouders.assign(session, link.id, key, "mentor", at)
        children.add(link.student_id)
        if assignment_id is not None:
            thuis.send(session, assignment_id, at)
            sent += 1
    total = len(mentors.students_of_class(session, school_class.id))
    return Reply(
        (
            ngettext(
                "Verstuurd naar {n} ouder, buiten de stille uren.",
                "Verstuurd naar {n} ouders, buiten de stille uren.",
                sent,
            ),
            ngettext(
                "{n} leerling van {klas} heeft nog geen ouder gekoppeld (/ouder in lobbot).",
                "{n} leerlingen van {klas} hebben nog geen ouder gekoppeld (/ouder in lobbot).",
                total - len(children),
                klas=verbatim(school_class.name),
            ),
        )
    )


def _not_yours() -> Reply:
    return Reply(
        (_("Die leerling staat niet in jouw klassen. Kijk in /leerlingen voor de nummers."),)
    )


def _student(session: Session, leader: Mentor, arg: str) -> int | None:
    number = arg.strip().lstrip("#").split(" ")[0]
    if number.isdecimal() and mentors.can_read(session, leader, int(number)):
        return int(number)
    return None


def facts(
    session: Session, student_id: int, since: datetime | None, today: date
) -> mentor.Leerling:
    """What the overview and the summary need to know about one student."""
    student = reflecties.student_by_id(session, student_id)
    assert student is not None
    klas = schools.names_for_class(session, student.class_id)[0] if student.class_id else ""
    entries = dossier.entries_of_student(session, student_id)
    shown = [e for e in entries if since is None or e.created_at >= since]
    checkins = {
        e.content["checkin"].get("entry"): e.content["checkin"].get("gelukt")
        for e in entries
        if "checkin" in e.content
    }
    steps, helpers = [], []
    for e in entries:
        vervolg = e.content.get("vervolg") or {}
        if isinstance(vervolg.get("stap"), str):
            due = vervolg.get("wanneer")
            steps.append(
                mentor.Stap(
                    vervolg["stap"],
                    date.fromisoformat(due) if _iso(due) else None,
                    checkins.get(e.id, "open"),
                )
            )
        if isinstance(vervolg.get("wie"), str):
            helpers.append(vervolg["wie"])
    finished = [
        e for e in reflecties.experiences_of_student(session, student_id) if e.status == "afgerond"
    ]
    last = max((e.ended_at for e in finished if e.ended_at), default=None)
    year = school_year_start(today)
    return mentor.Leerling(
        id=student_id,
        naam=student.name,
        klas=klas,
        laatste=last.astimezone(TIMEZONE).date() if last else None,
        dit_jaar=sum(1 for e in finished if e.started_at.date() >= year),
        signalen=sum(
            1 for f in reflecties.flags_of_student(session, student_id) if f.seen_at is None
        ),
        entries=[
            {
                "content": e.content,
                "competencies": e.competencies,
                "created": e.created_at.astimezone(TIMEZONE).date(),
            }
            for e in shown
        ],
        stappen=steps,
        taal=mentors.account_language(session, student.account_id)[0],
        helpers=helpers,
    )


def _iso(value: Any) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def _overview(session: Session, leader: Mentor, page: int, today: date, at: datetime) -> Reply:
    ids = mentors.student_ids(session, leader)
    people = [facts(session, student_id, None, today) for student_id in ids]
    for student_id in ids:
        mentors.audit(session, leader.id, student_id, "overzicht", at)
    return mentor.overzicht(people, page, today)


def summary(session: Session, leader: Mentor, student_id: int, at: datetime) -> list[Reply | Chart]:
    """The summary and its chart; written to the audit log."""
    today = at.astimezone(TIMEZONE).date()
    since = mentors.previous_meeting(session, student_id, at)
    person = facts(session, student_id, since, today)
    mentors.audit(session, leader.id, student_id, "samenvatting", at)
    language = i18n.current_language.get()
    labels = {c: i18n.tr(name) for c, name in c2.NAAM.items()}
    png = evidence_chart(mentor.bewijs(person), labels, i18n.tr(_("Bewijs per competentie")))
    caption = i18n.tr(_("{naam}: bewijs per competentie", naam=person.naam))
    return [
        mentor.samenvatting(person, since.date() if since else None, language),
        Chart(png, caption),
    ]


def _plan(session: Session, leader: Mentor, arg: str, at: datetime) -> Reply:
    parts = arg.split()
    if len(parts) < 3:
        return Reply(
            (
                _(
                    "Zo plan je een gesprek: /gesprek <nummer> <datum> <tijd>,"
                    " bijvoorbeeld /gesprek 12 vrijdag 14:30"
                ),
            )
        )
    student_id = _student(session, leader, parts[0])
    if student_id is None:
        return _not_yours()
    local_now = at.astimezone(TIMEZONE)
    day = invoer.datum(" ".join(parts[1:-1]), local_now.date())
    clock = re.fullmatch(r"(\d{1,2})[:.](\d{2})", parts[-1])
    if day is None or clock is None or int(clock[1]) > 23 or int(clock[2]) > 59:
        return Reply((_("Die datum of tijd snap ik niet. Bijvoorbeeld: /gesprek 12 25-11 14:30"),))
    starts = datetime.combine(day, time(int(clock[1]), int(clock[2])), TIMEZONE)
    school = session.get(School, leader.school_id)
    hours = int((school.settings if school else {}).get("samenvatting_uren_vooraf", HOURS_BEFORE))
    meeting = mentors.add_meeting(session, leader.id, student_id, starts.astimezone(UTC), at)
    due = max(starts - timedelta(hours=hours), at)
    assert leader.account_id is not None
    jobs.schedule(
        session,
        "samenvatting",
        leader.account_id,
        due.astimezone(UTC),
        at,
        {"student_id": student_id, "mentor_id": leader.id, "meeting_id": meeting},
        dedupe_key=f"samenvatting:{meeting}",
    )
    name = reflecties.student_by_id(session, student_id).name  # type: ignore[union-attr]
    return Reply(
        (
            _(
                "Gepland: gesprek met {naam} op {datum} om {tijd}."
                " De samenvatting komt {uren} uur vooraf.",
                naam=name,
                datum=starts.strftime("%d-%m-%Y"),
                tijd=starts.strftime("%H:%M"),
                uren=hours,
            ),
        )
    )
