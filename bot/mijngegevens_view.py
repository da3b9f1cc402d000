"""``/mijngegevens``: what lobbot keeps about the student, and who read their dossier.

The right of access (AVG art. 15) in words a 12-year-old can read; the complete export as a
file is ``lobbot privacy export``, which the school runs on request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from flows.events import Commando, Event
from flows.ouder import WIE
from flows.replies import Reply
from flows.talen import NAMEN
from flows.text import Text, _, joined, ngettext, verbatim
from storage import dossier, mentors, ouders, reflecties, schools
from storage.models import Mentor

TIMEZONE = ZoneInfo("Europe/Amsterdam")


def wants(event: Event, state: dict[str, Any] | None) -> bool:
    return isinstance(event, Commando) and event.name == "mijngegevens"


def handle(
    session: Session,
    student_id: int,
    account_id: int,
    event: Event,
    state: dict[str, Any],
    at: datetime,
) -> tuple[list[Reply], dict[str, Any]]:
    student = reflecties.student_by_id(session, student_id)
    assert student is not None
    klas, _mentor, school = (
        schools.names_for_class(session, student.class_id) if student.class_id else ("", "", "")
    )
    language = mentors.account_language(session, account_id)[0]
    experiences = reflecties.experiences_of_student(session, student_id)
    answers = reflecties.answers_of_student(session, student_id)
    entries = dossier.entries_of_student(session, student_id)
    lines: list[Text] = [
        _("🔒 Wat lobbot over jou bewaart"),
        _(
            "• Naam: {naam} · klas {klas} ({school}) · taal: {taal}",
            naam=verbatim(student.name),
            klas=verbatim(klas or "–"),
            school=verbatim(school or "–"),
            taal=verbatim(NAMEN.get(language, language)),
        ),
        ngettext(
            "• {n} reflectie (afgemaakt of niet)",
            "• {n} reflecties (afgemaakt of niet)",
            len(experiences),
        ),
        ngettext("• {n} antwoord", "• {n} antwoorden", len(answers)),
        ngettext(
            "• {n} stuk in je loopbaandossier (lees het in /dossier)",
            "• {n} stukken in je loopbaandossier (lees ze in /dossier)",
            len(entries),
        ),
    ]
    links = ouders.links_of_student(session, student_id)
    if links:
        wie = joined([WIE.get(link.label, verbatim(link.label)) for link in links])
        lines.append(_("• Gekoppelde ouders: {wie}", wie=wie))
    reads: dict[int, list[datetime]] = {}
    for read in mentors.audit_log(session, student_id):
        reads.setdefault(read.mentor_id, []).append(read.created_at)
    for mentor_id, moments in reads.items():
        mentor = session.get(Mentor, mentor_id)
        lines.append(
            ngettext(
                "• {mentor} las je gegevens {n} keer, het laatst op {datum}",
                "• {mentor} las je gegevens {n} keer, het laatst op {datum}",
                len(moments),
                mentor=verbatim(mentor.name if mentor else "–"),
                datum=max(moments).astimezone(TIMEZONE).strftime("%d-%m-%Y"),
            )
        )
    lines += [
        _("• Herinneringen: aan") if student.reminders else _("• Herinneringen: uit"),
        _("Je achternaam, adres of geboortedatum bewaart lobbot niet."),
        _(
            "Wil je alles als bestand, of iets laten verwijderen? Vraag het je mentor:"
            " de school regelt het."
        ),
    ]
    return [Reply(tuple(lines))], state
