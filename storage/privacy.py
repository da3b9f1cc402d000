"""The AVG duties: everything stored about a student, and erasing all of it.

Erasure removes the student, their answers (with tags), experiences, dossier entries, safeguarding
flags, meetings, audit entries that name them, their jobs, their conversation, their inbox and
outbox rows, their parent links, invites and thuisopdrachten (and a parent's unfinished answers
about them) and their chat account, so that no row refers to them any more. A parent's chat
account goes as well when no other child of theirs uses lobbot; with a brother or sister it stays.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from storage.models import (
    Account,
    Answer,
    AnswerTag,
    AuditEntry,
    Code,
    CodeAttempts,
    Conversation,
    DossierEntry,
    Experience,
    HomeAssignment,
    InboxItem,
    Job,
    MentorMeeting,
    OutboxMessage,
    ParentLink,
    SafeguardingFlag,
    School,
    Student,
)

# The law keeps a leerlingdossier at most two years after the student left, unless the school
# sets another period (school setting ``bewaartermijn_jaren``).
DEFAULT_RETENTION_YEARS = 2.0


def erase_past_retention(
    session: Session, now: datetime, default_years: float = DEFAULT_RETENTION_YEARS
) -> dict[int, dict[str, int]]:
    """Erase every student past their school's retention period; what went, per student."""
    return {sid: erase(session, sid, now) for sid in past_retention(session, now, default_years)}


def _rows(session: Session, model: Any, *where: Any) -> list[dict[str, Any]]:
    table = model.__table__
    return [dict(r._mapping) for r in session.execute(select(table).where(*where))]


def everything(session: Session, student_id: int) -> dict[str, Any]:
    """All rows about one student, table by table (the right of access)."""
    student = session.get(Student, student_id)
    if student is None:
        raise LookupError(f"no student #{student_id}")
    account = session.get(Account, student.account_id)
    answer_ids = select(Answer.id).where(Answer.student_id == student_id)
    links = select(ParentLink.id).where(ParentLink.student_id == student_id)
    return {
        "student": _rows(session, Student, Student.id == student_id),
        "account": _rows(session, Account, Account.id == student.account_id),
        "conversation": _rows(session, Conversation, Conversation.account_id == student.account_id),
        "experiences": _rows(session, Experience, Experience.student_id == student_id),
        "answers": _rows(session, Answer, Answer.student_id == student_id),
        "answer_tags": _rows(session, AnswerTag, AnswerTag.answer_id.in_(answer_ids)),  # type: ignore[attr-defined]
        "dossier_entries": _rows(session, DossierEntry, DossierEntry.student_id == student_id),
        "safeguarding_flags": _rows(
            session, SafeguardingFlag, SafeguardingFlag.student_id == student_id
        ),
        "meetings": _rows(session, MentorMeeting, MentorMeeting.student_id == student_id),
        "audit_log": _rows(session, AuditEntry, AuditEntry.student_id == student_id),
        "jobs": _rows(session, Job, Job.account_id == student.account_id),
        "parent_links": _rows(session, ParentLink, ParentLink.student_id == student_id),
        "parent_invites": [
            {k: v for k, v in row.items() if k != "code_hash"}
            for row in _rows(session, Code, Code.student_id == student_id)
        ],
        "home_assignments": _rows(
            session,
            HomeAssignment,
            HomeAssignment.link_id.in_(links),  # type: ignore[attr-defined]
        ),
        "messages_waiting": _rows(
            session, OutboxMessage, OutboxMessage.chat == (account.external_id if account else "")
        ),
    }


def erase(session: Session, student_id: int, at: datetime) -> dict[str, int]:
    """Remove the student and every row that refers to them; returns counts per table."""
    student = session.get(Student, student_id)
    if student is None:
        raise LookupError(f"no student #{student_id}")
    account_id = student.account_id
    account = session.get(Account, account_id)
    chat = (account.channel, account.external_id) if account else None
    answer_ids = select(Answer.id).where(Answer.student_id == student_id)
    links = select(ParentLink.id).where(ParentLink.student_id == student_id)
    parents = set(
        session.execute(
            select(ParentLink.account_id).where(ParentLink.student_id == student_id)
        ).scalars()
    )
    _forget_in_parent_chats(session, student_id)
    steps: list[tuple[str, Any]] = [
        (
            "home_assignments",
            delete(HomeAssignment).where(HomeAssignment.link_id.in_(links)),  # type: ignore[attr-defined]
        ),
        ("parent_links", delete(ParentLink).where(ParentLink.student_id == student_id)),
        ("parent_invites", delete(Code).where(Code.student_id == student_id)),
        ("answer_tags", delete(AnswerTag).where(AnswerTag.answer_id.in_(answer_ids))),  # type: ignore[attr-defined]
        (
            "safeguarding_flags",
            delete(SafeguardingFlag).where(SafeguardingFlag.student_id == student_id),
        ),
        ("dossier_entries", delete(DossierEntry).where(DossierEntry.student_id == student_id)),
        ("answers", delete(Answer).where(Answer.student_id == student_id)),
        (
            "conversations",
            delete(Conversation).where(Conversation.account_id == student.account_id),
        ),
        ("experiences", delete(Experience).where(Experience.student_id == student_id)),
        ("meetings", delete(MentorMeeting).where(MentorMeeting.student_id == student_id)),
        ("audit_log", delete(AuditEntry).where(AuditEntry.student_id == student_id)),
        ("jobs", delete(Job).where(Job.account_id == account_id)),
        ("jobs_about", delete(Job).where(Job.payload["student_id"].as_integer() == student_id)),
        ("students", delete(Student).where(Student.id == student_id)),
    ]
    if chat is not None:
        steps += [
            *_chat_rows(*chat),
            ("accounts", delete(Account).where(Account.id == student.account_id)),
        ]
    counts: dict[str, int] = {}
    for name, statement in steps:  # children before parents, for the foreign keys
        counts[name] = counts.get(name, 0) + int(session.execute(statement).rowcount or 0)
    counts["parent_accounts"] = sum(_forget_lone_parent(session, p) for p in sorted(parents))
    return counts


def _forget_lone_parent(session: Session, account_id: int) -> int:
    """A parent's chat account goes too once no child of theirs is left: with no child there is
    nothing to keep it for. A parent of a brother or sister keeps theirs."""
    if session.execute(
        select(ParentLink.id).where(ParentLink.account_id == account_id).limit(1)
    ).first():
        return 0
    account = session.get(Account, account_id)
    if account is None or account.role != "ouder":
        return 0
    for _table, statement in (
        ("jobs", delete(Job).where(Job.account_id == account_id)),
        ("conversations", delete(Conversation).where(Conversation.account_id == account_id)),
        *_chat_rows(account.channel, account.external_id),
        ("accounts", delete(Account).where(Account.id == account_id)),
    ):
        session.execute(statement)
    return 1


def _chat_rows(channel: str, external_id: str) -> list[tuple[str, Any]]:
    """What is kept about a chat itself: messages in and out, and wrong-code attempts."""
    return [
        (
            "outbox",
            delete(OutboxMessage).where(
                OutboxMessage.channel == channel, OutboxMessage.chat == external_id
            ),
        ),
        ("inbox", delete(InboxItem).where(InboxItem.chat == external_id)),
        (
            "code_attempts",
            delete(CodeAttempts).where(
                CodeAttempts.channel == channel, CodeAttempts.external_id == external_id
            ),
        ),
    ]


def _forget_in_parent_chats(session: Session, student_id: int) -> None:
    """A parent half-way through a thuisopdracht about this child: the answers so far go too."""
    assignment_ids = set(
        session.execute(
            select(HomeAssignment.id)
            .join(ParentLink, ParentLink.id == HomeAssignment.link_id)
            .where(ParentLink.student_id == student_id)
        ).scalars()
    )
    parents = select(ParentLink.account_id).where(ParentLink.student_id == student_id)
    for conversation in session.execute(
        select(Conversation).where(Conversation.account_id.in_(parents))  # type: ignore[attr-defined]
    ).scalars():
        opdracht = conversation.state.get("opdracht") or {}
        if opdracht.get("id") in assignment_ids:
            conversation.state = {**conversation.state, "state": "wacht", "opdracht": None}
            conversation.version += 1
            session.add(conversation)
    session.flush()


def past_retention(session: Session, now: datetime, default_years: float) -> list[int]:
    """Students who left school longer ago than their school keeps data (the school's setting
    ``bewaartermijn_jaren``, else ``default_years``), oldest leaver first."""
    rows = session.execute(
        select(Student.id, Student.left_at, School.settings)
        .outerjoin(School, School.id == Student.school_id)  # type: ignore[arg-type]
        .where(Student.left_at.is_not(None))  # type: ignore[union-attr]
        .order_by(Student.left_at)
    )
    due = []
    for student_id, left_at, settings in rows:
        years = retention_years((settings or {}).get("bewaartermijn_jaren"), default_years)
        if _aware(left_at) < now - timedelta(days=365.25 * years):
            due.append(student_id)
    return due


def retention_years(setting: object, default_years: float) -> float:
    """A school's retention period in years; the default when unset or unreadable."""
    try:
        years = float(str(setting).replace(",", "."))
    except ValueError:
        return default_years
    return years if years > 0 else default_years


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite keeps no zone
