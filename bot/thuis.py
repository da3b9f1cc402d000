"""Scheduled work for families: a thuisopdracht reaching a parent, at most two reminders, the
child hearing that their parent answered, and an entry the child shared.

All of it waits for the school's quiet hours to end (evenings, nights and weekends by default),
both when it is planned and again when it is due, so nothing arrives in quiet hours even after
the bot was down. Like all jobs these are rows, sent once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from flows import ouder
from flows.dossier import samenvatting_regels
from flows.replies import Reply
from flows.stille_uren import StilleUren, uit_instellingen
from flows.text import Text, _, verbatim
from flows.thuisopdrachten import THUISOPDRACHT
from storage import dossier, jobs, ouders, reflecties
from storage.models import School, Student

KINDS = frozenset({"thuisopdracht", "thuisherinnering", "ouderantwoord", "gedeeld", "toestemming"})
REMINDERS = (timedelta(days=2), timedelta(days=5))  # after it reached the parent; never more


def quiet_hours(session: Session, student_id: int) -> StilleUren:
    """The quiet hours of the child's school."""
    student = session.get(Student, student_id)
    school = session.get(School, student.school_id) if student and student.school_id else None
    return uit_instellingen(school.settings if school else None)


def _plan(
    session: Session, kind: str, account_id: int, student_id: int, due: datetime, at: datetime,
    payload: dict[str, Any], dedupe_key: str,
) -> None:  # fmt: skip
    when = quiet_hours(session, student_id).volgende(due)
    jobs.schedule(
        session, kind, account_id, when.astimezone(UTC), at,
        {**payload, "student_id": student_id}, dedupe_key,
    )  # fmt: skip


def send(session: Session, assignment_id: int, at: datetime) -> None:
    """A thuisopdracht from the child or the mentor goes out, outside quiet hours."""
    task = ouders.assignment(session, assignment_id)
    if task is not None:
        _plan(
            session, "thuisopdracht", task.link.account_id, task.link.student_id, at, at,
            {"assignment_id": assignment_id}, f"thuisopdracht:{assignment_id}",
        )  # fmt: skip


def reached_parent(session: Session, assignment_id: int, at: datetime) -> None:
    """The parent has the thuisopdracht now: plan its (at most two) reminders."""
    task = ouders.assignment(session, assignment_id)
    if task is None:
        return
    ouders.set_status(session, assignment_id, "verstuurd", at)
    for number, after in enumerate(REMINDERS, start=1):
        _plan(
            session, "thuisherinnering", task.link.account_id, task.link.student_id, at + after,
            at, {"assignment_id": assignment_id, "nummer": number},
            f"thuisherinnering:{assignment_id}:{number}",
        )  # fmt: skip


def tell_child(session: Session, task: ouders.Assignment, entry_id: int, at: datetime) -> None:
    """The child hears that their parent answered (outside quiet hours: children too)."""
    student = session.get(Student, task.link.student_id)
    if student is not None:
        _plan(
            session, "ouderantwoord", student.account_id, student.id, at, at,
            {"assignment_id": task.id, "entry_id": entry_id}, f"ouderantwoord:{task.id}",
        )  # fmt: skip


def tell_consent(session: Session, student_id: int, link_id: int, at: datetime) -> None:
    """The child hears that a parent consented, so they can start."""
    student = session.get(Student, student_id)
    if student is not None:
        _plan(
            session, "toestemming", student.account_id, student_id, at, at, {"link_id": link_id},
            f"toestemming:{student_id}",
        )  # fmt: skip


def share(session: Session, student_id: int, entry_id: int, at: datetime) -> int:
    """The child shares one dossier entry with every linked parent; returns how many."""
    links = ouders.links_of_student(session, student_id)
    for link in links:
        _plan(
            session, "gedeeld", link.account_id, student_id, at, at,
            {"entry_id": entry_id, "link_id": link.id}, f"gedeeld:{entry_id}:{link.id}",
        )  # fmt: skip
    return len(links)


def postpone_if_quiet(session: Session, job: jobs.DueJob, now: datetime) -> bool:
    """A family job due in quiet hours (the bot was down, a setting changed) waits again."""
    student_id = job.payload.get("student_id")
    if job.kind not in KINDS or not isinstance(student_id, int):
        return False
    rules = quiet_hours(session, student_id)
    if not rules.stil(now):
        return False
    jobs.postpone(session, job.id, rules.volgende(now).astimezone(UTC))
    return True


def messages(session: Session, job: jobs.DueJob, now: datetime) -> list[Reply]:
    """What a due family job says; nothing when its link or thuisopdracht is gone."""
    if job.kind == "gedeeld":
        return _shared(session, job)
    if job.kind == "toestemming":
        return [Reply((_("👪 Je ouder gaf toestemming. Typ /start om te beginnen! 🚀"),))]
    task = ouders.assignment(session, job.payload.get("assignment_id", -1))
    if task is None:
        return []
    opdracht = THUISOPDRACHT[task.opdracht]
    titel = opdracht.titel.with_params(kind=verbatim(task.link.child))
    if job.kind == "ouderantwoord":
        return [
            Reply(
                (
                    _(
                        "👪 Je {wie} heeft de thuisopdracht “{titel}” beantwoord."
                        " Lees het in /dossier.",
                        wie=ouder.WIE.get(task.link.label, verbatim(task.link.label)),
                        titel=opdracht.naam,
                    ),
                )
            )
        ]
    if task.link.account_id != job.account_id:
        return []
    if job.kind == "thuisopdracht":
        return _deliver(session, task, now)
    if job.kind == "thuisherinnering" and task.status in ("verstuurd", "bezig"):
        saved = reflecties.load_conversation(session, job.account_id)
        state = saved["state"] if saved and saved["flow"] == "ouder" else None
        return [
            Reply(
                (
                    _(
                        "Een vriendelijke herinnering: de thuisopdracht “{titel}” staat nog open."
                        " Wanneer het u uitkomt. 🙂",
                        titel=titel,
                    ),
                )
            ),
            *ouder.toon(state),
        ]
    return []


def _deliver(session: Session, task: ouders.Assignment, now: datetime) -> list[Reply]:
    """The thuisopdracht reaches the parent: its first prompt, or a note if one is open."""
    if task.status != "gepland":
        return []
    saved = reflecties.load_conversation(session, task.link.account_id)
    busy = saved is not None and saved["flow"] == "ouder" and saved["state"].get("opdracht")
    reached_parent(session, task.id, now)
    if busy:
        return [
            Reply(
                (
                    _(
                        "Er is een nieuwe thuisopdracht over {kind}. Die komt na de vraag"
                        " waar u nu mee bezig bent.",
                        kind=verbatim(task.link.child),
                    ),
                )
            )
        ]
    ouders.set_status(session, task.id, "bezig", now)
    state = saved["state"] if saved and saved["flow"] == "ouder" else None
    turn = ouder.begin(state, task.id, task.opdracht, task.link.child, task.link.label)
    reflecties.save_conversation(
        session, task.link.account_id, "ouder", turn.state, None,
        saved["version"] if saved else None, now,
    )  # fmt: skip
    return turn.replies


def _shared(session: Session, job: jobs.DueJob) -> list[Reply]:
    link = next(
        (
            link
            for link in ouders.links_of_parent(session, job.account_id)
            if link.id == job.payload.get("link_id")
        ),
        None,
    )
    entry = next(
        (
            e
            for e in dossier.entries_of_student(session, link.student_id)
            if e.id == job.payload.get("entry_id")
        ),
        None,
    ) if link else None  # fmt: skip
    if link is None or entry is None:
        return []
    lines: list[Text] = [
        _("📤 {kind} deelt dit uit het loopbaandossier met u:", kind=verbatim(link.child)),
        *samenvatting_regels(entry.content),
    ]
    return [Reply(tuple(lines))]
