"""The tables, in one place. Every change to them goes through an Alembic migration.

Privacy by design: a student is a first name or nickname and a channel identity, nothing more.
Answers are appended, never updated: a correction is a new row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Account(SQLModel, table=True):
    """A chat identity and the one role it has: the first thing looked up for every update."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)  # "telegram", "console", "bench"
    external_id: str = Field(max_length=64)  # Telegram chat id, or the console user name
    role: str = Field(default="nieuw", max_length=16)  # nieuw, leerling, mentor, ouder, admin
    language: str = Field(default="nl", max_length=8)
    # Their language first and the Dutch underneath; None: on for any language but Dutch.
    bilingual: bool | None = None
    active: bool = True  # False once the person blocked the bot
    created_at: datetime


class School(SQLModel, table=True):
    """A school; its settings hold what differs per school (such as safeguarding wording)."""

    __tablename__ = "schools"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class Mentor(SQLModel, table=True):
    """A mentor (or decaan) of a school; linked to a chat once they accept their invite."""

    __tablename__ = "mentors"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    name: str = Field(max_length=64)
    decaan: bool = False
    account_id: int | None = Field(default=None, foreign_key="accounts.id", unique=True)
    created_at: datetime


class SchoolClass(SQLModel, table=True):
    """A class (or LOB group) of one mentor; students join it with its class code."""

    __tablename__ = "classes"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    mentor_id: int = Field(foreign_key="mentors.id", index=True)
    name: str = Field(max_length=64)
    created_at: datetime


class Code(SQLModel, table=True):
    """An invite or class code. Only a hash is stored: the code itself is shown once."""

    __tablename__ = "codes"

    id: int | None = Field(default=None, primary_key=True)
    # "klas" (students join a class), "mentor" (an invite), "ouder" (a child invites a parent)
    purpose: str = Field(max_length=16)
    code_hash: str = Field(max_length=64, unique=True)
    hint: str = Field(max_length=8)  # the first characters, so an admin can tell codes apart
    school_id: int = Field(foreign_key="schools.id", index=True)
    class_id: int | None = Field(default=None, foreign_key="classes.id")
    mentor_id: int | None = Field(default=None, foreign_key="mentors.id")
    student_id: int | None = Field(default=None, foreign_key="students.id", index=True)
    label: str | None = Field(default=None, max_length=16)  # a parent invite: moeder, vader …
    uses: int = 0
    max_uses: int | None = None  # a mentor invite is used once; a class code until it expires
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class CodeAttempts(SQLModel, table=True):
    """Wrong codes from one chat, to slow down guessing."""

    __tablename__ = "code_attempts"

    channel: str = Field(primary_key=True, max_length=16)
    external_id: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    blocked_until: datetime | None = None


class Student(SQLModel, table=True):
    """A student, known by a first name or nickname only."""

    __tablename__ = "students"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", unique=True)
    name: str = Field(max_length=64)
    school_id: int | None = Field(default=None, foreign_key="schools.id", index=True)
    class_id: int | None = Field(default=None, foreign_key="classes.id", index=True)
    reminders: bool = True  # the student can turn reminders and check-ins off
    left_at: datetime | None = None  # when the student left school (retention counts from here)
    # Where the school asks a parent's consent under 16 (UAVG art. 5): only whether the student
    # said they are under 16 (no birth date), and when a parent consented.
    under_16: bool | None = None
    consent_at: datetime | None = None
    created_at: datetime


class Experience(SQLModel, table=True):
    """One experience (bliksemstage, gastles …) and the state of its reflection."""

    __tablename__ = "experiences"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    kind: str = Field(max_length=32)
    place: str = Field(max_length=2000)
    status: str = Field(default="bezig", max_length=16)  # bezig, afgerond, afgebroken
    started_at: datetime
    ended_at: datetime | None = None


class Answer(SQLModel, table=True):
    """One answer, appended to the student's record in the order given."""

    __tablename__ = "answers"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    experience_id: int | None = Field(default=None, foreign_key="experiences.id", index=True)
    question_key: str = Field(max_length=32)
    phase: str = Field(max_length=16)
    kind: str = Field(max_length=16)  # tekst, keuze, datum, foto, spraak, weetniet, …
    part: str = Field(default="antwoord", max_length=16)  # antwoord, doorvraag, correctie, bijlage
    text: str | None = Field(default=None, max_length=4096)
    choice: str | None = Field(default=None, max_length=32)
    media_ref: str | None = Field(default=None, max_length=256)
    due: date | None = None
    language: str = Field(default="nl", max_length=8)
    flagged: bool = False
    created_at: datetime


class Conversation(SQLModel, table=True):
    """Where a person is in a flow; saved after every turn, guarded by a version number."""

    __tablename__ = "conversations"

    account_id: int = Field(foreign_key="accounts.id", primary_key=True)
    flow: str = Field(default="reflectie", max_length=32)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    experience_id: int | None = Field(default=None, foreign_key="experiences.id")
    version: int = 0
    updated_at: datetime


class SafeguardingFlag(SQLModel, table=True):
    """A message that suggested danger or distress, for the mentor to see."""

    __tablename__ = "safeguarding_flags"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    answer_id: int | None = Field(default=None, foreign_key="answers.id")
    category: str = Field(max_length=32)
    question_key: str = Field(max_length=32)
    created_at: datetime
    seen_at: datetime | None = None


class InboxItem(SQLModel, table=True):
    """An incoming update or script line, kept so that none is lost or processed twice.

    A Telegram update is stored with its payload before it is processed, so one that arrived
    just before a crash is processed after the restart.
    """

    __tablename__ = "inbox"

    key: str = Field(primary_key=True, max_length=128)
    chat: str | None = Field(default=None, max_length=64, index=True)
    seq: int | None = Field(default=None, sa_type=BigInteger)  # Telegram's update_id: the order
    payload: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON(none_as_null=True), nullable=True),  # None: SQL NULL
    )
    received_at: datetime
    processed_at: datetime | None = Field(default=None, index=True)


class OutboxMessage(SQLModel, table=True):
    """A reply, stored in the turn's transaction and sent after it commits.

    A crash between the commit and the send loses no reply: unsent rows are sent at start-up.
    """

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat: str = Field(max_length=64, index=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime
    sent_at: datetime | None = Field(default=None, index=True)


class AnswerTag(SQLModel, table=True):
    """A competency an answer gives evidence of, from one source: the answer's words, the
    question's aim, or the student's own confirmation."""

    __tablename__ = "answer_tags"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answers.id", index=True)
    competency: str = Field(max_length=32)
    source: str = Field(max_length=16)  # woorden, vraag, leerling
    confidence: float
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class DossierEntry(SQLModel, table=True):
    """An entry of the loopbaandossier (C2 form). Append-only: a correction is a new version
    that points at the one it replaces."""

    __tablename__ = "dossier_entries"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    experience_id: int | None = Field(default=None, foreign_key="experiences.id")
    source: str = Field(max_length=16)  # reflectie, leerling, ouder, mentor
    version: int = 1
    replaces_id: int | None = Field(default=None, foreign_key="dossier_entries.id")
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    competencies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class Job(SQLModel, table=True):
    """Scheduled work (a summary before a gesprek, a check-in, a reminder, an alert).

    A worker claims due jobs and, in the same transaction, puts their messages in the outbox
    and marks them done: a crash undoes both, and two workers never take the same job.
    ``dedupe_key`` makes scheduling the same thing twice a no-op.
    """

    __tablename__ = "jobs"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # samenvatting, checkin, herinnering, signaal
    due_at: datetime = Field(index=True)
    account_id: int = Field(foreign_key="accounts.id")  # who receives it
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedupe_key: str | None = Field(default=None, max_length=128, unique=True)
    created_at: datetime
    done_at: datetime | None = Field(default=None, index=True)
    cancelled_at: datetime | None = None


class MentorMeeting(SQLModel, table=True):
    """A loopbaangesprek a mentor planned with a student (the summary is sent before it)."""

    __tablename__ = "meetings"

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentors.id", index=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    starts_at: datetime
    created_at: datetime


class AuditEntry(SQLModel, table=True):
    """Who read what of a student's dossier, and when."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentors.id", index=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    action: str = Field(max_length=32)  # overzicht, samenvatting, signaal
    created_at: datetime


class ParentLink(SQLModel, table=True):
    """A parent or carer linked to a child, who can end the link at any time.

    The parent is known only by the word the child chose (moeder, vader, verzorger, familie):
    not by name. A revoked link stays as a row (with ``revoked_at``) so nothing reaches it again.
    """

    __tablename__ = "parent_links"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)  # the parent's chat
    label: str = Field(max_length=16)
    created_at: datetime
    revoked_at: datetime | None = None


class HomeAssignment(SQLModel, table=True):
    """A thuisopdracht for one linked parent, and how far it got.

    ``status``: gepland (waiting for a time outside quiet hours), verstuurd (the parent has it),
    bezig (the parent is answering), klaar (the answers are in the dossier: ``entry_id``),
    vervallen (the link was revoked).
    """

    __tablename__ = "home_assignments"

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="parent_links.id", index=True)
    opdracht: str = Field(max_length=32)
    sent_by: str = Field(max_length=16)  # koppeling (the first one), leerling, mentor
    status: str = Field(default="gepland", max_length=16)
    created_at: datetime
    sent_at: datetime | None = None
    done_at: datetime | None = None
    entry_id: int | None = Field(default=None, foreign_key="dossier_entries.id")
