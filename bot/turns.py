"""One turn, shared by every channel: load state, run the flow, apply effects, save.

All of it happens in one database transaction, so a crash at any moment leaves either the whole
turn or none of it. An optional inbox key (a Telegram update id, a script line) makes a turn
idempotent: a second delivery of the same key does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from flows import reflectie
from flows.events import Event
from flows.replies import (
    Antwoord,
    BeginErvaring,
    BreekErvaringAf,
    Effect,
    LegErvaringVast,
    Reply,
    RondErvaringAf,
    Signaal,
)
from storage import inbox, reflecties
from storage.db import transaction

MAX_RETRIES = 5


@dataclass(frozen=True)
class Identity:
    """Who is talking, as the channel knows them."""

    channel: str
    external_id: str
    name: str
    language: str = "nl"


@dataclass
class TurnResult:
    """What a channel needs after a turn: the replies and where the conversation is now."""

    replies: list[Reply]
    state: str
    student_id: int
    duplicate: bool = False
    effects: list[Effect] = field(default_factory=list)


def process_turn(engine: Engine, who: Identity, event: Event, key: str | None = None) -> TurnResult:
    """Run one event through the reflection flow and persist the outcome atomically."""
    for _attempt in range(MAX_RETRIES):
        try:
            with transaction(engine) as session:
                return _turn(session, who, event, key)
        except reflecties.VersionConflict:
            continue  # another worker saved this conversation first: reload and run again
    raise RuntimeError("conversation kept changing under this turn")


def _turn(session: Session, who: Identity, event: Event, key: str | None) -> TurnResult:
    at = event.at
    if key is not None and not inbox.claim(session, key, at):
        return TurnResult([], "", 0, duplicate=True)
    found = reflecties.find_student(session, who.channel, who.external_id)
    if found is None:
        student = reflecties.create_student(
            session, who.channel, who.external_id, who.name, who.language, at
        )
        assert student.id is not None
        found = (student.id, student.language)
    student_id, language = found
    saved = reflecties.load_conversation(session, student_id)
    turn = reflectie.stap(saved["state"] if saved else None, event)
    experience_id = _apply(
        session, student_id, language, saved["experience_id"] if saved else None, turn.effects, at
    )
    reflecties.save_conversation(
        session, student_id, turn.state, experience_id, saved["version"] if saved else None, at
    )
    return TurnResult(turn.replies, turn.state["state"], student_id, effects=turn.effects)


def _apply(
    session: Session,
    student_id: int,
    language: str,
    experience_id: int | None,
    effects: list[Effect],
    at: datetime,
) -> int | None:
    """Persist a turn's effects; returns the experience the conversation is now on."""
    last_answer: int | None = None
    for effect in effects:
        match effect:
            case BeginErvaring(kind=kind, place=place):
                experience_id = reflecties.start_experience(session, student_id, kind, place, at)
            case LegErvaringVast(place=place) if experience_id is not None:
                reflecties.set_experience_place(session, experience_id, place)
            case Antwoord():
                last_answer = reflecties.append_answer(
                    session,
                    student_id=student_id,
                    experience_id=experience_id,
                    language=language,
                    at=at,
                    **_fields(effect),
                )
            case Signaal(category=category, question_key=question_key):
                reflecties.flag_safeguarding(
                    session, student_id, last_answer, category, question_key, at
                )
            case RondErvaringAf() if experience_id is not None:
                reflecties.end_experience(session, experience_id, "afgerond", at)
                experience_id = None
            case BreekErvaringAf() if experience_id is not None:
                reflecties.end_experience(session, experience_id, "afgebroken", at)
                experience_id = None
    return experience_id


def _fields(answer: Antwoord) -> dict[str, Any]:
    return {
        "question_key": answer.question_key,
        "phase": answer.phase,
        "kind": answer.kind,
        "part": answer.part,
        "text": answer.text,
        "choice": answer.choice,
        "media_ref": answer.media_ref,
        "due": answer.due,
        "flagged": answer.flagged,
    }


def current_question(engine: Engine, who: Identity) -> tuple[list[Reply], str]:
    """What the person sees now (after a restart): the current question, without a turn."""
    with transaction(engine) as session:
        found = reflecties.find_student(session, who.channel, who.external_id)
        saved = reflecties.load_conversation(session, found[0]) if found else None
    if saved is None:
        return [], "start"
    return reflectie.toon(saved["state"]), saved["state"]["state"]


def already_processed(engine: Engine, key: str) -> bool:
    """Whether a turn with this inbox key was committed before (a replayed script line)."""
    with transaction(engine) as session:
        return inbox.is_processed(session, key)
