"""Parents: invites from a child, links, and the thuisopdrachten sent over them.

Every read starts from a link that is not revoked, so a revoked parent gets nothing more and a
parent reaches only the children who invited them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from storage import schools
from storage.models import Code, HomeAssignment, ParentLink, School, SchoolClass, Student

INVITE_VALID = timedelta(days=14)
CONSENT_SETTING = "toestemming_onder_16"
OPEN = ("gepland", "verstuurd", "bezig")


@dataclass(frozen=True)
class Link:
    """A parent link as the views need it."""

    id: int
    student_id: int
    account_id: int
    label: str
    child: str  # the child's first name or nickname
    created_at: datetime


@dataclass(frozen=True)
class Assignment:
    """A thuisopdracht for one parent, with the link it came over."""

    id: int
    opdracht: str
    status: str
    link: Link
    sent_at: datetime | None


def invite(session: Session, student_id: int, label: str, at: datetime) -> tuple[int, str]:
    """A one-use code the child sends to a parent; returns its id and the code (shown once)."""
    student = session.get(Student, student_id)
    if student is None or student.school_id is None:
        raise ValueError("only a student of a school can invite a parent")
    return schools.create_code(
        session,
        "ouder",
        student.school_id,
        at,
        student_id=student_id,
        label=label,
        expires_at=at + INVITE_VALID,
    )


def open_invites(session: Session, student_id: int, at: datetime) -> list[Code]:
    """The child's invites that a parent can still use."""
    return list(
        session.execute(
            select(Code)
            .where(Code.student_id == student_id, Code.purpose == "ouder", Code.uses == 0)
            .where(Code.revoked_at.is_(None), Code.expires_at > at)  # type: ignore[union-attr,operator]
            .order_by(Code.id)
        ).scalars()
    )


def invite_of_code(session: Session, code_id: int) -> tuple[int, str] | None:
    """(child, label) of a parent invite."""
    code = session.get(Code, code_id)
    if code is None or code.student_id is None:
        return None
    return code.student_id, code.label or "ouder"


def link(session: Session, student_id: int, account_id: int, label: str, at: datetime) -> int:
    """Link a parent's chat to a child (again: an existing live link is reused)."""
    existing = session.execute(
        select(ParentLink.id).where(
            ParentLink.student_id == student_id,
            ParentLink.account_id == account_id,
            ParentLink.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    ).scalar()
    if existing is not None:
        return int(existing)
    result = session.execute(
        insert(ParentLink).values(
            student_id=student_id, account_id=account_id, label=label, created_at=at
        )
    )
    return int(result.inserted_primary_key[0])


def _links(session: Session, *where: object) -> list[Link]:
    rows = session.execute(
        select(ParentLink, Student.name)
        .join(Student, Student.id == ParentLink.student_id)
        .where(ParentLink.revoked_at.is_(None), *where)  # type: ignore[union-attr]
        .order_by(ParentLink.id)
    )
    return [
        Link(p.id, p.student_id, p.account_id, p.label, name, p.created_at)  # type: ignore[arg-type]
        for p, name in rows
    ]


def links_of_student(session: Session, student_id: int) -> list[Link]:
    return _links(session, ParentLink.student_id == student_id)


def links_of_parent(session: Session, account_id: int) -> list[Link]:
    return _links(session, ParentLink.account_id == account_id)


def links_of_class(session: Session, class_id: int) -> list[Link]:
    """Every live parent link of the students of one class."""
    return _links(session, Student.class_id == class_id)


def revoke(session: Session, student_id: int, link_id: int, at: datetime) -> bool:
    """The child ends a link: its open thuisopdrachten lapse. False if it is not theirs."""
    result = session.execute(
        update(ParentLink)
        .where(ParentLink.id == link_id, ParentLink.student_id == student_id)
        .where(ParentLink.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=at)
    )
    if result.rowcount != 1:
        return False
    session.execute(
        update(HomeAssignment)
        .where(HomeAssignment.link_id == link_id, HomeAssignment.status.in_(OPEN))  # type: ignore[attr-defined]
        .values(status="vervallen", done_at=at)
    )
    return True


def revoke_invite(session: Session, student_id: int, code_id: int, at: datetime) -> bool:
    """The child withdraws an invite nobody used yet."""
    code = session.get(Code, code_id)
    if code is None or code.student_id != student_id or code.purpose != "ouder":
        return False
    return schools.revoke_code(session, code_id, at)


def assign(session: Session, link_id: int, opdracht: str, sent_by: str, at: datetime) -> int | None:
    """A thuisopdracht for a parent; None when that parent has it open already."""
    already = session.execute(
        select(HomeAssignment.id).where(
            HomeAssignment.link_id == link_id,
            HomeAssignment.opdracht == opdracht,
            HomeAssignment.status.in_(OPEN),  # type: ignore[attr-defined]
        )
    ).first()
    if already is not None:
        return None
    result = session.execute(
        insert(HomeAssignment).values(
            link_id=link_id, opdracht=opdracht, sent_by=sent_by, status="gepland", created_at=at
        )
    )
    return int(result.inserted_primary_key[0])


def _assignments(session: Session, *where: object) -> list[Assignment]:
    rows = session.execute(
        select(HomeAssignment, ParentLink, Student.name)
        .join(ParentLink, ParentLink.id == HomeAssignment.link_id)
        .join(Student, Student.id == ParentLink.student_id)
        .where(ParentLink.revoked_at.is_(None), *where)  # type: ignore[union-attr]
        .order_by(HomeAssignment.id)
    )
    return [
        Assignment(
            a.id,
            a.opdracht,
            a.status,
            Link(p.id, p.student_id, p.account_id, p.label, name, p.created_at),
            a.sent_at,
        )
        for a, p, name in rows
    ]


def assignment(session: Session, assignment_id: int) -> Assignment | None:
    """One thuisopdracht over a live link (None once the link is revoked)."""
    found = _assignments(session, HomeAssignment.id == assignment_id)
    return found[0] if found else None


def waiting_for(session: Session, account_id: int) -> list[Assignment]:
    """The parent's thuisopdrachten that reached them and are not answered, oldest first."""
    return _assignments(
        session,
        ParentLink.account_id == account_id,
        HomeAssignment.status.in_(("verstuurd", "bezig")),  # type: ignore[attr-defined]
    )


def assignments_of_student(session: Session, student_id: int) -> list[Assignment]:
    return _assignments(session, ParentLink.student_id == student_id)


def set_status(session: Session, assignment_id: int, status: str, at: datetime) -> None:
    values: dict[str, object] = {"status": status}
    if status == "verstuurd":
        values["sent_at"] = at
    session.execute(
        update(HomeAssignment)
        .where(HomeAssignment.id == assignment_id, HomeAssignment.status.in_(OPEN))  # type: ignore[attr-defined]
        .values(**values)
    )


def finish(session: Session, assignment_id: int, entry_id: int | None, at: datetime) -> None:
    session.execute(
        update(HomeAssignment)
        .where(HomeAssignment.id == assignment_id)
        .values(status="klaar", done_at=at, entry_id=entry_id)
    )


def school_asks_consent(session: Session, school_id: int | None) -> bool:
    """Whether the school set that students under 16 need a parent's consent (off by default)."""
    school = session.get(School, school_id) if school_id is not None else None
    setting = str((school.settings if school else {}).get(CONSENT_SETTING, "uit")).lower()
    return setting in ("aan", "ja", "on", "true", "1")


# Asked on every turn of a student, so built once and kept to one small Core query.
_UNDER_16_WITHOUT_CONSENT = select(Student.school_id).where(
    Student.id == bindparam("sid"),
    Student.under_16.is_(True),  # type: ignore[union-attr]
    Student.consent_at.is_(None),  # type: ignore[union-attr]
)


def needs_consent(session: Session, student_id: int) -> bool:
    """The student said they are under 16, their school asks consent, and no parent gave it."""
    row = session.execute(_UNDER_16_WITHOUT_CONSENT, {"sid": student_id}).first()
    return row is not None and school_asks_consent(session, row.school_id)


def give_consent(session: Session, student_id: int, at: datetime) -> None:
    session.execute(
        update(Student)
        .where(Student.id == student_id, Student.consent_at.is_(None))  # type: ignore[union-attr]
        .values(consent_at=at)
    )


def school_of_class(session: Session, class_id: int) -> int | None:
    return session.execute(select(SchoolClass.school_id).where(SchoolClass.id == class_id)).scalar()
