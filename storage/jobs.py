"""Scheduled work as rows: scheduled once (dedupe key), claimed by one worker, done once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from storage.db import InsertNew
from storage.models import Job

_jobs = Job.__table__
# A dedupe key seen before is skipped by the database: a savepoint catching the error cost,
# at the end of every reflection, about as much as the rest of the turn's database work.
_NEW = InsertNew(_jobs, "dedupe_key", _jobs.c.id)


@dataclass(frozen=True)
class DueJob:
    id: int
    kind: str
    account_id: int
    payload: dict[str, Any]
    due_at: datetime


def schedule(
    session: Session,
    kind: str,
    account_id: int,
    due_at: datetime,
    at: datetime,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Plan a job; None if a job with the same dedupe key exists already."""
    row = _NEW.run(
        session,
        {
            "kind": kind,
            "account_id": account_id,
            "due_at": due_at,
            "payload": payload or {},
            "dedupe_key": dedupe_key,
            "created_at": at,
        },
    )
    return None if row is None else int(row[0])


def claim_due(session: Session, now: datetime, limit: int = 50) -> list[DueJob]:
    """Due jobs for this worker, locked until its transaction ends.

    PostgreSQL skips rows another worker holds (``FOR UPDATE SKIP LOCKED``); SQLite runs one
    writer at a time (``BEGIN IMMEDIATE``), which gives the same guarantee.
    """
    rows = session.execute(
        select(_jobs.c.id, _jobs.c.kind, _jobs.c.account_id, _jobs.c.payload, _jobs.c.due_at)
        .where(_jobs.c.done_at.is_(None), _jobs.c.cancelled_at.is_(None), _jobs.c.due_at <= now)
        .order_by(_jobs.c.due_at, _jobs.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [DueJob(r.id, r.kind, r.account_id, r.payload, r.due_at) for r in rows]


def finish(session: Session, job_id: int, at: datetime) -> None:
    session.execute(update(_jobs).where(_jobs.c.id == job_id).values(done_at=at))


def postpone(session: Session, job_id: int, due_at: datetime) -> None:
    """A claimed job that may not run now (quiet hours) waits until ``due_at``."""
    session.execute(update(_jobs).where(_jobs.c.id == job_id).values(due_at=due_at))


def cancel(session: Session, dedupe_key: str, at: datetime) -> None:
    session.execute(
        update(_jobs)
        .where(_jobs.c.dedupe_key == dedupe_key, _jobs.c.done_at.is_(None))
        .values(cancelled_at=at)
    )


def jobs_for(session: Session, account_id: int) -> list[Job]:
    """Every job for one recipient (tests, privacy export)."""
    from sqlmodel import select as model_select

    return list(
        session.exec(model_select(Job).where(Job.account_id == account_id).order_by(Job.id))
    )
