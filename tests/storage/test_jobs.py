"""Scheduled work: a job with a dedupe key is planned once, however often it is asked for."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from storage import accounts, jobs
from storage.db import transaction


def test_a_dedupe_key_plans_a_job_once_and_jobs_without_one_each_count(
    engine: Engine, now: datetime
) -> None:
    with transaction(engine) as session:
        who = accounts.create_account(session, "telegram", "7", "student", "nl", now).id
        first = jobs.schedule(session, "checkin", who, now, now, {"stap": "bellen"}, "checkin:1")
        again = jobs.schedule(session, "checkin", who, now, now, {"stap": "anders"}, "checkin:1")
        loose = [jobs.schedule(session, "herinnering", who, now, now) for _ in range(2)]
    assert first is not None and again is None
    assert None not in loose and len(set(loose)) == 2
    with transaction(engine) as session:
        due = jobs.claim_due(session, now + timedelta(minutes=1))
    assert sorted(job.id for job in due) == sorted([first, *loose])
    assert next(job for job in due if job.id == first).payload == {"stap": "bellen"}


def test_a_refused_duplicate_leaves_the_rest_of_the_transaction_alone(
    engine: Engine, now: datetime
) -> None:
    with transaction(engine) as session:
        who = accounts.create_account(session, "telegram", "8", "student", "nl", now).id
        jobs.schedule(session, "checkin", who, now, now, {}, "checkin:2")
    with transaction(engine) as session:
        assert jobs.schedule(session, "checkin", who, now, now, {}, "checkin:2") is None
        later = jobs.schedule(session, "herinnering", who, now, now, {}, "herinnering:8")
    with transaction(engine) as session:
        due = jobs.claim_due(session, now + timedelta(minutes=1))
    assert later in {job.id for job in due} and len(due) == 2
