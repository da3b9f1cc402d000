"""What a mentor may see: their own classes' students (a decaan: the whole school), with every
read of a student's dossier written to the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from storage.models import (
    Account,
    AuditEntry,
    Mentor,
    MentorMeeting,
    SafeguardingFlag,
    SchoolClass,
    Student,
)


def mentor_of_account(session: Session, account_id: int) -> Mentor | None:
    return session.exec(select(Mentor).where(Mentor.account_id == account_id)).scalars().first()  # type: ignore[call-overload]


def mentor_account_of_student(session: Session, student_id: int) -> tuple[int, int] | None:
    """(mentor id, the mentor's chat account id) of the student's class, if the mentor joined."""
    row = session.execute(
        select(Mentor.id, Mentor.account_id)
        .join(SchoolClass, SchoolClass.mentor_id == Mentor.id)
        .join(Student, Student.class_id == SchoolClass.id)
        .where(Student.id == student_id)
    ).first()
    return (row.id, row.account_id) if row and row.account_id else None


def _scope(mentor: Mentor):  # type: ignore[no-untyped-def]
    query = select(Student.id).join(SchoolClass, SchoolClass.id == Student.class_id)
    if mentor.decaan:
        return query.where(SchoolClass.school_id == mentor.school_id)
    return query.where(SchoolClass.mentor_id == mentor.id)


def can_read(session: Session, mentor: Mentor, student_id: int) -> bool:
    """Whether this student is in the mentor's classes (or school, for a decaan)."""
    return session.execute(_scope(mentor).where(Student.id == student_id)).first() is not None


def student_ids(session: Session, mentor: Mentor) -> list[int]:
    """Every student the mentor may see."""
    return list(session.execute(_scope(mentor).order_by(Student.id)).scalars())


def classes_of(session: Session, mentor: Mentor) -> list[SchoolClass]:
    """The mentor's classes (a decaan: every class of the school)."""
    query = select(SchoolClass).order_by(SchoolClass.id)
    if mentor.decaan:
        query = query.where(SchoolClass.school_id == mentor.school_id)
    else:
        query = query.where(SchoolClass.mentor_id == mentor.id)
    return list(session.execute(query).scalars())


def students_of_class(session: Session, class_id: int) -> list[int]:
    return list(session.execute(select(Student.id).where(Student.class_id == class_id)).scalars())


def audit(session: Session, mentor_id: int, student_id: int, action: str, at: datetime) -> None:
    session.execute(
        insert(AuditEntry).values(
            mentor_id=mentor_id, student_id=student_id, action=action, created_at=at
        )
    )


def audit_log(session: Session, student_id: int) -> list[AuditEntry]:
    return list(
        session.exec(  # type: ignore[call-overload]
            select(AuditEntry).where(AuditEntry.student_id == student_id).order_by(AuditEntry.id)
        ).scalars()
    )


def add_meeting(
    session: Session, mentor_id: int, student_id: int, starts_at: datetime, at: datetime
) -> int:
    result = session.execute(
        insert(MentorMeeting).values(
            mentor_id=mentor_id, student_id=student_id, starts_at=starts_at, created_at=at
        )
    )
    return int(result.inserted_primary_key[0])


def previous_meeting(session: Session, student_id: int, before: datetime) -> datetime | None:
    """When the student last had a gesprek (so a summary covers what came after)."""
    return session.execute(
        select(func.max(MentorMeeting.starts_at)).where(
            MentorMeeting.student_id == student_id, MentorMeeting.starts_at < before
        )
    ).scalar_one_or_none()


def flag_seen(session: Session, flag_id: int, mentor: Mentor, at: datetime) -> bool:
    """The mentor confirmed a safeguarding alert about one of their students."""
    flag = session.get(SafeguardingFlag, flag_id)
    if flag is None or not can_read(session, mentor, flag.student_id):
        return False
    session.execute(
        update(SafeguardingFlag).where(SafeguardingFlag.id == flag_id).values(seen_at=at)
    )
    return True


def account_language(session: Session, account_id: int) -> tuple[str, bool | None]:
    """The language an account reads, and its bilingual setting."""
    account = session.get(Account, account_id)
    return (account.language, account.bilingual) if account else ("nl", None)


def account_chat(session: Session, account_id: int) -> tuple[str, str] | None:
    """(channel, chat id) of an account, for sending."""
    account = session.get(Account, account_id)
    return (account.channel, account.external_id) if account and account.active else None
