"""Reads and writes for reflections: students, experiences, answers, conversation state, flags.

Plain functions taking the session; the hot path of a turn uses Core statements (no ORM unit of
work) because a turn must cost well under a millisecond of database time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from storage.accounts import AccountInfo
from storage.models import Account, Answer, Conversation, Experience, SafeguardingFlag, Student

_students = Student.__table__
_experiences = Experience.__table__
_answers = Answer.__table__
_conversations = Conversation.__table__
_flags = SafeguardingFlag.__table__


# Built once: a statement built per call costs more than the SQLite work it asks for.
_STUDENT_OF_ACCOUNT = select(
    _students.c.id, _students.c.under_16, _students.c.consent_at, _students.c.school_id
).where(_students.c.account_id == bindparam("aid"))
_LOAD_CONVERSATION = (
    select(
        _conversations.c.flow,
        _conversations.c.state,
        _conversations.c.version,
        _conversations.c.experience_id,
    )
    .where(_conversations.c.account_id == bindparam("aid"))
    .with_for_update()
)
_SAVE_CONVERSATION = (
    update(_conversations)
    .where(_conversations.c.account_id == bindparam("aid"))
    .where(_conversations.c.version == bindparam("old_version"))
)
_accounts = Account.__table__
# What a turn reads before it runs, in one statement: the account, its saved conversation and
# the student behind it. On PostgreSQL the account row is locked until the turn commits, so two
# turns of one chat take turns (the conversation row may not exist yet, and an outer join's
# missing side cannot be locked); SQLite's ``BEGIN IMMEDIATE`` already gives one writer.
_CHAT_STATE = (
    select(
        _accounts.c.id,
        _accounts.c.role,
        _accounts.c.language,
        _accounts.c.active,
        _accounts.c.bilingual,
        _conversations.c.flow,
        _conversations.c.state,
        _conversations.c.version,
        _conversations.c.experience_id,
        _students.c.id.label("student_id"),
        _students.c.under_16,
        _students.c.consent_at,
        _students.c.school_id,
    )
    .select_from(
        _accounts.outerjoin(
            _conversations, _conversations.c.account_id == _accounts.c.id
        ).outerjoin(_students, _students.c.account_id == _accounts.c.id)
    )
    .where(
        _accounts.c.channel == bindparam("channel"),
        _accounts.c.external_id == bindparam("external_id"),
    )
    .with_for_update(of=_accounts)
)
_NEW_CONVERSATION = insert(_conversations)
_APPEND_ANSWER = insert(_answers)


class VersionConflict(Exception):
    """Another worker saved this conversation first; the turn must be retried."""


@dataclass(frozen=True)
class StudentRef:
    """What a turn needs of the student behind a chat, read in one query."""

    id: int
    school_id: int | None
    waits_for_consent: bool  # under 16 and no parent consented yet (if the school asks it)


@dataclass(frozen=True)
class ChatState:
    """Everything a turn reads before it runs: the account, its saved conversation (flow,
    state, version, current experience) and the student behind it, if any."""

    account: AccountInfo
    conversation: dict[str, Any] | None
    student: StudentRef | None


def chat_state(session: Session, channel: str, external_id: str) -> ChatState | None:
    """The chat's account, conversation and student in one query; None for a new chat."""
    row = session.execute(_CHAT_STATE, {"channel": channel, "external_id": external_id}).first()
    if row is None:
        return None
    account = AccountInfo(row.id, row.role, row.language, row.active, row.bilingual)
    conversation = None
    if row.version is not None:
        conversation = {
            "flow": row.flow,
            "state": row.state,
            "version": row.version,
            "experience_id": row.experience_id,
        }
    student = None
    if row.student_id is not None:
        waits = row.under_16 is True and row.consent_at is None
        student = StudentRef(row.student_id, row.school_id, waits)
    return ChatState(account, conversation, student)


def student_of_account(session: Session, account_id: int) -> int | None:
    """The student id behind a chat account, if it belongs to a student."""
    ref = student_ref(session, account_id)
    return ref.id if ref else None


def student_ref(session: Session, account_id: int) -> StudentRef | None:
    row = session.execute(_STUDENT_OF_ACCOUNT, {"aid": account_id}).first()
    if row is None:
        return None
    return StudentRef(row.id, row.school_id, row.under_16 is True and row.consent_at is None)


def student_of_chat(session: Session, channel: str, external_id: str) -> int | None:
    """The student id behind a chat (console user name, Telegram chat id), if any."""
    accounts = Account.__table__
    return session.execute(
        select(_students.c.id)
        .join(accounts, accounts.c.id == _students.c.account_id)
        .where(accounts.c.channel == channel, accounts.c.external_id == external_id)
    ).scalar_one_or_none()


def create_student(
    session: Session,
    account_id: int,
    name: str,
    at: datetime,
    school_id: int | None = None,
    class_id: int | None = None,
    under_16: bool | None = None,
) -> int:
    """A new student with a first name or nickname only; returns the student id."""
    result = session.execute(
        insert(_students).values(
            account_id=account_id,
            name=name,
            school_id=school_id,
            class_id=class_id,
            under_16=under_16,
            created_at=at,
        )
    )
    return int(result.inserted_primary_key[0])


def student_by_id(session: Session, student_id: int) -> Student | None:
    """One student."""
    return session.get(Student, student_id)


def load_conversation(session: Session, account_id: int) -> dict[str, Any] | None:
    """The saved conversation (flow, state, version, current experience), locked for the turn.

    On PostgreSQL the row is locked (``FOR UPDATE``) until the turn commits; SQLite's
    ``BEGIN IMMEDIATE`` already gives one writer at a time.
    """
    row = session.execute(_LOAD_CONVERSATION, {"aid": account_id}).first()
    return None if row is None else dict(row._mapping)


def save_conversation(
    session: Session,
    account_id: int,
    flow: str,
    state: dict[str, Any],
    experience_id: int | None,
    version: int | None,
    at: datetime,
) -> None:
    """Save the state after a turn; ``version`` is what was loaded (None: a new conversation)."""
    values = {"flow": flow, "state": state, "experience_id": experience_id, "updated_at": at}
    if version is None:
        session.execute(_NEW_CONVERSATION, {"account_id": account_id, "version": 1, **values})
        return
    result = session.execute(
        _SAVE_CONVERSATION,
        {"aid": account_id, "old_version": version, "version": version + 1, **values},
    )
    if result.rowcount != 1:
        raise VersionConflict(account_id)


def start_experience(session: Session, student_id: int, kind: str, place: str, at: datetime) -> int:
    """A new experience in progress; returns its id."""
    result = session.execute(
        insert(_experiences).values(
            student_id=student_id, kind=kind, place=place, status="bezig", started_at=at
        )
    )
    return int(result.inserted_primary_key[0])


def set_experience_place(session: Session, experience_id: int, place: str) -> None:
    """The student corrected where or what the experience was."""
    session.execute(
        update(_experiences).where(_experiences.c.id == experience_id).values(place=place)
    )


def end_experience(session: Session, experience_id: int, status: str, at: datetime) -> None:
    """Mark a reflection ``afgerond`` (confirmed) or ``afgebroken`` (started over)."""
    session.execute(
        update(_experiences)
        .where(_experiences.c.id == experience_id)
        .values(status=status, ended_at=at)
    )


def append_answer(
    session: Session,
    *,
    student_id: int,
    experience_id: int | None,
    question_key: str,
    phase: str,
    kind: str,
    part: str,
    language: str,
    at: datetime,
    text: str | None = None,
    choice: str | None = None,
    media_ref: str | None = None,
    due: date | None = None,
    flagged: bool = False,
) -> int:
    """Append one answer; returns its id. Answers are never updated."""
    result = session.execute(
        _APPEND_ANSWER,
        {"student_id": student_id, "experience_id": experience_id,
         "question_key": question_key, "phase": phase, "kind": kind, "part": part,
         "text": text, "choice": choice, "media_ref": media_ref, "due": due,
         "language": language, "flagged": flagged, "created_at": at},
    )  # fmt: skip
    return int(result.inserted_primary_key[0])


def flag_safeguarding(
    session: Session,
    student_id: int,
    answer_id: int | None,
    category: str,
    question_key: str,
    at: datetime,
) -> int:
    """Record a safeguarding signal for the mentor."""
    result = session.execute(
        insert(_flags).values(
            student_id=student_id,
            answer_id=answer_id,
            category=category,
            question_key=question_key,
            created_at=at,
        )
    )
    return int(result.inserted_primary_key[0])


def answers_of_student(session: Session, student_id: int) -> list[Answer]:
    """All of a student's answers, in the order given."""
    return list(
        session.exec(select(Answer).where(Answer.student_id == student_id).order_by(Answer.id))  # type: ignore[call-overload]
        .scalars()
        .all()
    )


def experiences_of_student(session: Session, student_id: int) -> list[Experience]:
    """A student's experiences, oldest first."""
    return list(
        session.exec(  # type: ignore[call-overload]
            select(Experience).where(Experience.student_id == student_id).order_by(Experience.id)
        )
        .scalars()
        .all()
    )


def flags_of_student(session: Session, student_id: int) -> list[SafeguardingFlag]:
    """A student's safeguarding flags, oldest first."""
    return list(
        session.exec(  # type: ignore[call-overload]
            select(SafeguardingFlag)
            .where(SafeguardingFlag.student_id == student_id)
            .order_by(SafeguardingFlag.id)
        )
        .scalars()
        .all()
    )


def count_answers(session: Session) -> int:
    """How many answers are stored (benchmarks and health checks)."""
    return int(session.execute(select(func.count()).select_from(_answers)).scalar_one())


def all_student_ids(session: Session) -> list[int]:
    """Every student's id (exports, retention)."""
    return list(session.execute(select(_students.c.id).order_by(_students.c.id)).scalars())
