"""Schools, mentors, classes and the codes that link a chat to them.

Codes are random (96 bits), shown once and stored only as a hash, for one purpose each (a class
code lets students join one class; a mentor invite links one mentor, once). Wrong codes from a
chat are counted, and after a few the chat has to wait longer and longer before trying again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import Code, CodeAttempts, Mentor, School, SchoolClass

FREE_ATTEMPTS = 3
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    """96 random bits in the characters a Telegram deep link allows (A-Z a-z 0-9 _ -)."""
    return secrets.token_urlsafe(12)


def create_school(session: Session, name: str, at: datetime) -> int:
    school = School(name=name, created_at=at)
    session.add(school)
    session.flush()
    assert school.id is not None
    return school.id


def create_mentor(
    session: Session, school_id: int, name: str, at: datetime, decaan: bool = False
) -> int:
    mentor = Mentor(school_id=school_id, name=name, decaan=decaan, created_at=at)
    session.add(mentor)
    session.flush()
    assert mentor.id is not None
    return mentor.id


def create_class(session: Session, school_id: int, mentor_id: int, name: str, at: datetime) -> int:
    mentor = session.get(Mentor, mentor_id)
    if mentor is None or mentor.school_id != school_id:
        raise ValueError("that mentor does not work at that school")
    school_class = SchoolClass(school_id=school_id, mentor_id=mentor_id, name=name, created_at=at)
    session.add(school_class)
    session.flush()
    assert school_class.id is not None
    return school_class.id


def create_code(
    session: Session,
    purpose: str,
    school_id: int,
    at: datetime,
    *,
    class_id: int | None = None,
    mentor_id: int | None = None,
    student_id: int | None = None,
    label: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[int, str]:
    """A new code; returns its id and the code itself, which is not stored and shown once."""
    if purpose == "klas" and class_id is None:
        raise ValueError("a class code needs a class")
    if purpose == "mentor" and mentor_id is None:
        raise ValueError("a mentor invite needs a mentor")
    if purpose == "ouder" and student_id is None:
        raise ValueError("a parent invite comes from a student")
    code = new_code()
    row = Code(
        purpose=purpose,
        code_hash=hash_code(code),
        hint=code[:4],
        school_id=school_id,
        class_id=class_id,
        mentor_id=mentor_id,
        student_id=student_id,
        label=label,
        max_uses=1 if purpose in ("mentor", "ouder") else None,
        created_at=at,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id, code


def revoke_code(session: Session, code_id: int, at: datetime) -> bool:
    """Stop a code from working; False if there is no such code."""
    result = session.execute(
        update(Code).where(Code.id == code_id, Code.revoked_at.is_(None)).values(revoked_at=at)  # type: ignore[union-attr]
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code someone typed or opened through a link."""

    status: str  # ok, onbekend, verlopen, ingetrokken, gebruikt, te_vaak
    code_id: int | None = None
    purpose: str | None = None
    school_id: int | None = None
    class_id: int | None = None
    mentor_id: int | None = None
    wait_seconds: int = 0


def check_code(
    session: Session, code: str, at: datetime, channel: str, external_id: str
) -> CodeCheck:
    """Look a code up for a chat, counting wrong ones and slowing that chat down."""
    attempts = session.get(CodeAttempts, (channel, external_id))
    if attempts and attempts.blocked_until and attempts.blocked_until > at:
        return CodeCheck("te_vaak", wait_seconds=_seconds(attempts.blocked_until - at))
    row = session.exec(select(Code).where(Code.code_hash == hash_code(code.strip()))).first()
    status = _status(row, at)
    if status == "ok":
        if attempts:
            attempts.failures, attempts.blocked_until = 0, None
        return CodeCheck("ok", row.id, row.purpose, row.school_id, row.class_id, row.mentor_id)
    if attempts is None:
        attempts = CodeAttempts(channel=channel, external_id=external_id, failures=0)
        session.add(attempts)
    attempts.failures += 1
    if attempts.failures >= FREE_ATTEMPTS:
        wait = min(FIRST_WAIT * 2 ** (attempts.failures - FREE_ATTEMPTS), LONGEST_WAIT)
        attempts.blocked_until = at + wait
    session.flush()
    return CodeCheck(status)


def _status(row: Code | None, at: datetime) -> str:
    if row is None:
        return "onbekend"
    if row.revoked_at is not None:
        return "ingetrokken"
    if row.expires_at is not None and row.expires_at <= at:
        return "verlopen"
    if row.max_uses is not None and row.uses >= row.max_uses:
        return "gebruikt"
    return "ok"


def use_code(session: Session, code_id: int) -> None:
    """Count one use (a mentor invite then stops working)."""
    session.execute(update(Code).where(Code.id == code_id).values(uses=Code.uses + 1))


def link_mentor(session: Session, mentor_id: int, account_id: int) -> None:
    session.execute(update(Mentor).where(Mentor.id == mentor_id).values(account_id=account_id))


def names_for_class(session: Session, class_id: int) -> tuple[str, str, str]:
    """The class, its mentor and its school, by name (for the privacy notice)."""
    school_class = session.get(SchoolClass, class_id)
    assert school_class is not None
    mentor = session.get(Mentor, school_class.mentor_id)
    school = session.get(School, school_class.school_id)
    assert mentor is not None and school is not None
    return school_class.name, mentor.name, school.name


def school_name(session: Session, school_id: int) -> str:
    school = session.get(School, school_id)
    return school.name if school else ""


def list_schools(session: Session) -> list[School]:
    return list(session.exec(select(School).order_by(School.id)))


def list_mentors(session: Session) -> list[Mentor]:
    return list(session.exec(select(Mentor).order_by(Mentor.id)))


def list_classes(session: Session) -> list[SchoolClass]:
    return list(session.exec(select(SchoolClass).order_by(SchoolClass.id)))


def list_codes(session: Session) -> list[Code]:
    return list(session.exec(select(Code).order_by(Code.id)))


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))


def set_setting(session: Session, school_id: int, name: str, value: str) -> bool:
    """Change one school setting; False if there is no such school."""
    school = session.get(School, school_id)
    if school is None:
        return False
    school.settings = {**school.settings, name: value}
    session.add(school)
    return True
