"""The loopbaandossier: entries (append-only versions) and the competency tags of answers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from storage.models import Answer, AnswerTag, DossierEntry

_tags = AnswerTag.__table__
_entries = DossierEntry.__table__
_INSERT_TAGS = insert(_tags)


def tag_answer(
    session: Session, answer_id: int, tags: Iterable[tuple[str, str, float, list[str]]]
) -> None:
    """Store an answer's tags: (competency, source, confidence, evidence) each."""
    rows = [
        {"answer_id": answer_id, "competency": c, "source": src, "confidence": conf, "evidence": ev}
        for c, src, conf, ev in tags
    ]
    if rows:
        session.execute(_INSERT_TAGS, rows)


def add_entry(
    session: Session,
    student_id: int,
    source: str,
    content: dict[str, Any],
    competencies: list[str],
    at: datetime,
    experience_id: int | None = None,
    replaces: DossierEntry | None = None,
) -> int:
    """Append an entry; with ``replaces`` it is the next version of that entry."""
    result = session.execute(
        insert(_entries).values(
            student_id=student_id,
            experience_id=experience_id,
            source=source,
            version=replaces.version + 1 if replaces else 1,
            replaces_id=replaces.id if replaces else None,
            content=content,
            competencies=competencies,
            created_at=at,
        )
    )
    return int(result.inserted_primary_key[0])


def entries_of_student(
    session: Session, student_id: int, current_only: bool = True
) -> list[DossierEntry]:
    """A student's entries, oldest first; by default only the newest version of each."""
    entries = list(
        session.exec(
            select(DossierEntry)
            .where(DossierEntry.student_id == student_id)
            .order_by(DossierEntry.id)
        )
    )
    if not current_only:
        return entries
    replaced = {e.replaces_id for e in entries if e.replaces_id is not None}
    return [e for e in entries if e.id not in replaced]


def tags_of_student(session: Session, student_id: int) -> list[AnswerTag]:
    """Every tag on a student's answers."""
    return list(
        session.exec(
            select(AnswerTag)
            .join(Answer, Answer.id == AnswerTag.answer_id)  # type: ignore[arg-type]
            .where(Answer.student_id == student_id)
            .order_by(AnswerTag.id)
        )
    )
