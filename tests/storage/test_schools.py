"""Codes: random, stored as a hash, single-purpose, expiring, revocable, and slow to guess."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, text

from storage import schools
from storage.db import transaction


def _class(engine: Engine, now):  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        school = schools.create_school(session, "De Brug", now)
        mentor = schools.create_mentor(session, school, "Meneer Bakker", now)
        klas = schools.create_class(session, school, mentor, "3B", now)
    return school, mentor, klas


def test_codes_are_random_long_and_not_stored(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    school, _mentor, klas = _class(engine, now)
    with transaction(engine) as session:
        codes = [
            schools.create_code(session, "klas", school, now, class_id=klas)[1] for _ in range(50)
        ]
    assert len(set(codes)) == 50
    assert all(
        len(c) >= 16
        and set(c) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        for c in codes
    )
    with engine.connect() as connection:
        stored = " ".join(str(r) for r in connection.execute(text("SELECT * FROM codes")))
    assert not any(code in stored for code in codes)


def test_a_class_code_works_until_it_expires_or_is_revoked(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    school, _mentor, klas = _class(engine, now)
    with transaction(engine) as session:
        code_id, code = schools.create_code(
            session, "klas", school, now, class_id=klas, expires_at=now + timedelta(days=1)
        )
    with transaction(engine) as session:
        assert schools.check_code(session, code, now, "telegram", "1").status == "ok"
        assert schools.check_code(session, code, now, "telegram", "2").class_id == klas
        later = now + timedelta(days=2)
        assert schools.check_code(session, code, later, "telegram", "3").status == "verlopen"
        assert schools.revoke_code(session, code_id, now)
        assert schools.check_code(session, code, now, "telegram", "4").status == "ingetrokken"


def test_a_mentor_invite_is_used_once(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    school, mentor, _klas = _class(engine, now)
    with transaction(engine) as session:
        code_id, code = schools.create_code(session, "mentor", school, now, mentor_id=mentor)
        check = schools.check_code(session, code, now, "telegram", "1")
        assert (check.status, check.purpose, check.mentor_id) == ("ok", "mentor", mentor)
        schools.use_code(session, code_id)
        assert schools.check_code(session, code, now, "telegram", "2").status == "gebruikt"


def test_guessing_is_slowed_down_per_chat(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    school, _mentor, klas = _class(engine, now)
    with transaction(engine) as session:
        _id, code = schools.create_code(session, "klas", school, now, class_id=klas)
        statuses = [
            schools.check_code(session, f"gok{i:013d}", now, "telegram", "9").status
            for i in range(schools.FREE_ATTEMPTS + 1)
        ]
        assert statuses[: schools.FREE_ATTEMPTS] == ["onbekend"] * schools.FREE_ATTEMPTS
        assert statuses[-1] == "te_vaak"
        blocked = schools.check_code(session, code, now, "telegram", "9")
        assert blocked.status == "te_vaak" and blocked.wait_seconds > 0  # even the right code
        assert schools.check_code(session, code, now, "telegram", "8").status == "ok"  # others
        waits = []
        for i in range(4):
            later = now + timedelta(hours=2 * (i + 1))
            schools.check_code(session, "fout", later, "telegram", "9")
            waits.append(schools.check_code(session, "fout", later, "telegram", "9").wait_seconds)
        assert waits == sorted(waits) and waits[-1] > waits[0]  # longer and longer
        assert max(waits) <= schools.LONGEST_WAIT.total_seconds()
