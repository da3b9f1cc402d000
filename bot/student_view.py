"""A student's answers to what lobbot asked on its own: "Is het gelukt?" on the day of their
next step, and /herinneringen to turn reminders and check-ins off or on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from flows.events import Commando, Event, Knop
from flows.replies import Reply
from flows.text import _
from storage import dossier
from storage.models import Job, Student

CHECKIN = "k:"  # k:<job id>:<ja|beetje|nee>
ANSWERS = {"ja", "beetje", "nee"}


def wants(event: Event, state: dict[str, Any] | None) -> bool:
    if isinstance(event, Commando):
        return event.name == "herinneringen"
    return isinstance(event, Knop) and event.value.startswith(CHECKIN)


def handle(
    session: Session,
    student_id: int,
    account_id: int,
    event: Event,
    state: dict[str, Any],
    at: datetime,
) -> tuple[list[Reply], dict[str, Any]]:
    if isinstance(event, Commando):
        on = event.arg.strip().lower() not in ("uit", "off", "nee")
        session.execute(update(Student).where(Student.id == student_id).values(reminders=on))
        text = (
            _("Herinneringen staan aan. 🔔 Typ /herinneringen uit om ze uit te zetten.")
            if on
            else _("Herinneringen staan uit. 🔕 Typ /herinneringen aan om ze weer aan te zetten.")
        )
        return [Reply((text,))], state
    assert isinstance(event, Knop)
    _prefix, job_id, answer = [*event.value.split(":"), "", ""][:3]
    job = session.get(Job, int(job_id)) if job_id.isdecimal() else None
    if job is None or job.account_id != account_id or answer not in ANSWERS:
        return [Reply((_("Deze vraag is al voorbij. 🙂"),), notice=True)], state
    entry_id = job.payload.get("entry_id")
    if any(
        e.content.get("checkin", {}).get("job") == job.id
        for e in dossier.entries_of_student(session, student_id)
    ):
        return [Reply((_("Dat had je al laten weten. Dank je!"),), notice=True)], state
    content = {
        "checkin": {
            "job": job.id,
            "entry": entry_id,
            "stap": job.payload.get("stap"),
            "gelukt": answer,
        }
    }
    dossier.add_entry(session, student_id, "leerling", content, ["loopbaansturing"], at)
    reply = {
        "ja": _("Super! 🎉 Dat staat nu in je dossier. Typ /start voor een nieuwe reflectie."),
        "beetje": _("Een begin is gemaakt! 💪 Het staat in je dossier. Je mentor kan helpen."),
        "nee": _("Dat geeft niet. Het staat in je dossier, en je mentor kan je helpen."),
    }[answer]
    return [Reply((reply,))], state
