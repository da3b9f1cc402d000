"""``/dossier`` and ``/notitie``: the student's own dossier, read and corrected in the chat.

Runs inside the turn's transaction, before the reflection flow, and leaves the reflection where
it was. Waiting for the text of a note or a correction is remembered in the conversation state
(``dossier_wacht``), so it survives a restart like everything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from flows import dossier, invoer
from flows.events import Bericht, Commando, Event, Knop
from flows.replies import Button, Reply
from flows.text import _, template, verbatim
from storage import dossier as store

WACHT = "dossier_wacht"


def wants(event: Event, state: dict[str, Any] | None) -> bool:
    """Whether this event is for the dossier view rather than the reflection."""
    if isinstance(event, Commando):
        return event.name in ("dossier", "notitie")
    if isinstance(event, Knop):
        return event.value.startswith(dossier.DOSSIER)
    return isinstance(event, Bericht) and bool((state or {}).get(WACHT))


def handle(
    session: Session,
    student_id: int,
    account_id: int,
    event: Event,
    state: dict[str, Any],
    at: datetime,
) -> tuple[list[Reply], dict[str, Any]]:
    """Show, page, add a note or correct a line; returns the replies and the new state."""
    state = {**state}
    wacht = state.pop(WACHT, None)
    if isinstance(event, Commando) and event.name == "notitie":
        if event.arg.strip():
            return _note(session, student_id, event.arg, at), state
        state[WACHT] = {"actie": "notitie"}
        return [
            Reply((_("Typ je notitie. Bijvoorbeeld iets wat je later nog wilt onthouden."),))
        ], state
    if isinstance(event, Bericht) and wacht:
        return _typed(session, student_id, wacht, event.text, at), state
    if isinstance(event, Knop) and event.value == dossier.NOTITIE:
        state[WACHT] = {"actie": "notitie"}
        return [Reply((_("Typ je notitie."),))], state
    if isinstance(event, Knop) and event.value.startswith(f"{dossier.DOSSIER}v:"):
        return _choose_line(session, student_id, event.value.split(":")[2]), state
    if isinstance(event, Knop) and event.value.startswith(f"{dossier.DOSSIER}r:"):
        _d, _r, entry_id, pad = event.value.split(":", 3)
        state[WACHT] = {"actie": "verbeter", "entry": int(entry_id), "pad": pad}
        return [Reply((_("Wat moet er staan? Typ het nieuwe antwoord."),))], state
    page = 1
    if isinstance(event, Knop) and event.value.startswith(f"{dossier.DOSSIER}p:"):
        page = int(event.value.split(":")[2]) if event.value.split(":")[2].isdecimal() else 1
    return [dossier.pagina(_entries(session, student_id), page)], state


def _entries(session: Session, student_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "source": e.source,
            "version": e.version,
            "content": e.content,
            "competencies": e.competencies,
            "created": f"{e.created_at:%d-%m-%Y}",
        }
        for e in store.entries_of_student(session, student_id)
    ]


def _note(session: Session, student_id: int, text: str, at: datetime) -> list[Reply]:
    text = invoer.schoon(text)[: invoer.MAX_ANTWOORD]
    if not text:
        return [Reply((_("Ik zie geen tekst. Typ /notitie en dan je notitie."),))]
    store.add_entry(session, student_id, "leerling", {"notitie": text}, [], at)
    return [Reply((_("Je notitie staat in je dossier. 📝"),))]


def _typed(
    session: Session, student_id: int, wacht: dict[str, Any], text: str, at: datetime
) -> list[Reply]:
    if wacht.get("actie") == "notitie":
        return _note(session, student_id, text, at)
    entry = next(
        (e for e in store.entries_of_student(session, student_id) if e.id == wacht.get("entry")),
        None,
    )
    text = invoer.schoon(text)[: invoer.MAX_ANTWOORD]
    if entry is None or not text:
        return [Reply((_("Dat lukte niet. Open /dossier en probeer het nog eens."),))]
    content = dossier.verbeterd(entry.content, wacht["pad"], text)
    store.add_entry(
        session,
        student_id,
        entry.source,
        content,
        entry.competencies,
        at,
        entry.experience_id,
        replaces=entry,
    )
    return [Reply((_("Aangepast. De oude versie blijft bewaard. ✏️"),))]


def _choose_line(session: Session, student_id: int, entry_id: str) -> list[Reply]:
    entry = next(
        (e for e in store.entries_of_student(session, student_id) if str(e.id) == entry_id), None
    )
    if entry is None:
        return [Reply((_("Dat stukje van je dossier kan ik niet vinden."),))]
    lines = dossier.regels(entry.content)
    buttons = tuple(
        Button(
            template("{kop}: {woorden}", kop=kop, woorden=verbatim(woorden[:30])),
            f"{dossier.DOSSIER}r:{entry.id}:{pad}",
        )
        for pad, kop, woorden in lines
    )
    return [Reply((_("Welke regel wil je verbeteren?"),), buttons)]
