"""The tables, in one place. Every change to them goes through an Alembic migration.

Privacy by design: a student is a first name or nickname and a channel identity, nothing more.
Answers are appended, never updated: a correction is a new row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Student(SQLModel, table=True):
    """A student, known by a first name or nickname and the chat they use."""

    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)  # "console" or "telegram"
    external_id: str = Field(max_length=64)  # console user name or Telegram chat id
    name: str = Field(max_length=64)
    language: str = Field(default="nl", max_length=8)
    active: bool = True
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

    student_id: int = Field(foreign_key="students.id", primary_key=True)
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
    """An incoming update or script line, kept so that none is processed twice."""

    __tablename__ = "inbox"

    key: str = Field(primary_key=True, max_length=128)
    received_at: datetime
    processed_at: datetime | None = None
