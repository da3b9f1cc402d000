"""A parent's turn: answering thuisopdrachten for the children who linked them, nothing else.

Every thuisopdracht is looked up through the parent's own live links, so a parent reaches only
their own children, and a revoked link ends what was open on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import thuis
from flows import aanmelding, ouder
from flows.events import CodeGecontroleerd, Event, Knop
from flows.replies import Reply, RondThuisopdrachtAf, Turn
from flows.text import _, verbatim
from flows.thuisopdrachten import EERSTE
from storage import dossier, ouders, schools


def handle(
    session: Session, account_id: int, language: str, event: Event, saved: dict[str, Any] | None,
    at: datetime,
) -> tuple[list[Reply], dict[str, Any]]:  # fmt: skip
    """Run the parent's event; returns the replies and the state to save."""
    state = {**ouder.nieuw(), **(saved or {}), "taal": language}
    replies: list[Reply] = []
    if isinstance(event, CodeGecontroleerd):
        return _another_child(session, account_id, event, state, at)
    current = state.get("opdracht")
    if (
        state["state"] == "vraag"
        and current
        and not _still_open(session, account_id, current["id"])
    ):
        replies.append(Reply((_("Deze thuisopdracht is gestopt. U hoeft niets meer te doen."),)))
        state = {**state, "state": "wacht", "opdracht": None}
    if not ouders.links_of_parent(session, account_id):
        replies.append(
            Reply((_("U bent niet gekoppeld aan een leerling. Vraag uw kind om een uitnodiging."),))
        )
        return replies, state
    if state["state"] == "wacht":
        chosen = _chosen(event)
        started = start_next(session, account_id, state, at, chosen)
        if started is not None:
            if chosen is None:  # a typed message while nothing was open: show, don't consume
                return replies + started.replies, started.state
            state = started.state
    turn = ouder.stap(state, event)
    replies += turn.replies
    state = turn.state
    for effect in turn.effects:
        if isinstance(effect, RondThuisopdrachtAf):
            _finish(session, effect, at)
            following = start_next(session, account_id, state, at)
            if following is not None:
                replies += following.replies
                state = following.state
    return replies, state


def _chosen(event: Event) -> int | None:
    """The thuisopdracht a button belongs to (a first prompt pressed while none was open)."""
    if isinstance(event, Knop) and event.value.startswith(ouder.OPDRACHT):
        number = event.value.split(":")[1]
        return int(number) if number.isdecimal() else None
    return None


def _still_open(session: Session, account_id: int, assignment_id: int) -> bool:
    found = ouders.assignment(session, assignment_id)
    return found is not None and found.link.account_id == account_id and found.status in ouders.OPEN


def start_next(
    session: Session, account_id: int, state: dict[str, Any], at: datetime,
    chosen: int | None = None,
) -> Turn | None:  # fmt: skip
    """Begin the parent's oldest waiting thuisopdracht (or the one a button named), if any."""
    waiting = ouders.waiting_for(session, account_id)
    if chosen is not None:
        waiting = [a for a in waiting if a.id == chosen]
    if not waiting:
        return None
    task = waiting[0]
    ouders.set_status(session, task.id, "bezig", at)
    return ouder.begin(state, task.id, task.opdracht, task.link.child, task.link.label)


def _finish(session: Session, effect: RondThuisopdrachtAf, at: datetime) -> None:
    """The answers become a dossier entry of the child, and the child hears about it."""
    task = ouders.assignment(session, effect.assignment_id)
    if task is None:
        return
    if not effect.entry:
        ouders.finish(session, task.id, None, at)
        return
    entry_id = dossier.add_entry(
        session, task.link.student_id, "ouder", effect.entry, list(effect.competenties), at
    )
    ouders.finish(session, task.id, entry_id, at)
    thuis.tell_child(session, task, entry_id, at)


def _another_child(
    session: Session, account_id: int, event: CodeGecontroleerd, state: dict[str, Any],
    at: datetime,
) -> tuple[list[Reply], dict[str, Any]]:  # fmt: skip
    """A linked parent opens a second child's invite: link that child too."""
    if event.status == "te_vaak":
        return [Reply((aanmelding.te_vaak(event.wait_seconds),))], state
    if event.status != "ok" or event.purpose != "ouder" or event.student_id is None:
        return [
            Reply((_("Die uitnodiging werkt niet (meer). Vraag uw kind om een nieuwe."),))
        ], state
    assert event.code_id is not None
    schools.use_code(session, event.code_id)
    link_id = ouders.link(session, event.student_id, account_id, event.label, at)
    replies = [Reply((_("U bent nu ook gekoppeld aan {kind}. 👪", kind=verbatim(event.leerling)),))]
    assignment_id = ouders.assign(session, link_id, EERSTE, "koppeling", at)
    if assignment_id is not None:
        thuis.reached_parent(session, assignment_id, at)
    if state["state"] == "wacht" and (started := start_next(session, account_id, state, at)):
        return replies + started.replies, started.state
    return replies, state
