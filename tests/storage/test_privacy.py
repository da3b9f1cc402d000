"""AVG: everything about a student can be exported, and erased until no row refers to them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from bot.turns import Identity, process_turn
from flows.events import Bericht, Commando
from storage import accounts, jobs, mentors, ouders, privacy, reflecties, schools
from storage.db import transaction
from storage.models import Account, Student
from tests.bot.test_turns import reflect

LOBBOT = Path(sys.executable).with_name("lobbot")


def _full_student(engine: Engine, now, name: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    who = Identity("console", name, name)
    reflect(engine, who, "bliksemstage", now)
    process_turn(engine, who, Commando("notitie", now, "een notitie"))
    process_turn(engine, who, Commando("start", now))
    process_turn(engine, who, Commando("opnieuw", now))
    process_turn(engine, who, Bericht("zomaar", now))
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", name)
        student = session.get(Student, sid)
        jobs.schedule(session, "checkin", student.account_id, now, now, {"student_id": sid})
    return sid, student.account_id


def _references(engine: Engine, sid: int, aid: int, chat: str) -> list[str]:
    found = []
    with engine.connect() as connection:
        schema = inspect(connection)
        for table in schema.get_table_names():
            columns = {c["name"] for c in schema.get_columns(table)}
            for column, value in (("student_id", sid), ("account_id", aid), ("chat", chat),
                                  ("external_id", chat)):  # fmt: skip
                if column in columns:
                    n = connection.execute(
                        text(f"SELECT count(*) FROM {table} WHERE {column} = :v"), {"v": value}
                    ).scalar()
                    if n:
                        found.append(f"{table}.{column}")
            if table == "students":
                n = connection.execute(
                    text("SELECT count(*) FROM students WHERE id = :v"), {"v": sid}
                ).scalar()
                found += ["students.id"] * bool(n)
    return found


def test_erase_leaves_no_row_that_refers_to_the_student(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    sid, aid = _full_student(engine, now, "sara")
    other, other_aid = _full_student(engine, now, "noor")
    assert _references(engine, sid, aid, "sara")
    with transaction(engine) as session:
        counts = privacy.erase(session, sid, now)
    assert counts["answers"] > 10 and counts["dossier_entries"] >= 2 and counts["accounts"] == 1
    assert _references(engine, sid, aid, "sara") == []
    assert _references(engine, other, other_aid, "noor")  # the other student is untouched
    with transaction(engine) as session:
        assert len(privacy.everything(session, other)["answers"]) > 10


def test_export_holds_everything_stored(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    sid, _aid = _full_student(engine, now, "lin")
    with transaction(engine) as session:
        data = privacy.everything(session, sid)
        answers = reflecties.answers_of_student(session, sid)
    assert len(data["answers"]) == len(answers)
    assert data["student"][0]["name"] == "lin" and data["jobs"] and data["dossier_entries"]


def test_the_privacy_commands(engine: Engine, now, cli_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    sid, _aid = _full_student(engine, now, "yara")
    old, _ = _full_student(engine, now, "ouder")
    with transaction(engine) as session:
        session.get(Student, old).left_at = now - timedelta(days=3 * 365)

    def lobbot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(LOBBOT), "privacy", *args],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    exported = lobbot("export", "--student", str(sid))
    assert exported.returncode == 0 and json.loads(exported.stdout)["answers"]
    dry = json.loads(lobbot("retention", "--dry-run").stdout)
    assert dry["students"] == [old] and dry["rows"] == {}
    done = json.loads(lobbot("retention").stdout)
    assert done["students"] == [old] and done["rows"][str(old)]["students"] == 1
    erased = lobbot("erase", "--student", str(sid), "--yes")
    assert erased.returncode == 0 and json.loads(erased.stdout)["rows"]["students"] == 1
    assert lobbot("export", "--student", str(sid)).returncode != 0
    with transaction(engine) as session:
        assert mentors.audit_log(session, sid) == []


def test_retention_follows_each_schools_period(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    """Two years after leaving by default; a school's own ``bewaartermijn_jaren`` wins."""
    with transaction(engine) as session:
        default_school = schools.create_school(session, "Standaard", now)
        long_school = schools.create_school(session, "Langer", now)
        schools.set_setting(session, long_school, "bewaartermijn_jaren", "5")
        short_school = schools.create_school(session, "Korter", now)
        schools.set_setting(session, short_school, "bewaartermijn_jaren", "1,5")
    left = {
        "drie jaar, standaard": (default_school, 3),
        "een jaar, standaard": (default_school, 1),
        "drie jaar, vijf jaar bewaren": (long_school, 3),
        "twee jaar, anderhalf jaar bewaren": (short_school, 2),
        "nog op school": (default_school, None),
    }
    ids = {}
    for name, (school, years) in left.items():
        sid, _aid = _full_student(engine, now, name)
        ids[name] = sid
        with transaction(engine) as session:
            student = session.get(Student, sid)
            student.school_id = school
            student.left_at = None if years is None else now - timedelta(days=365 * years + 1)
    with transaction(engine) as session:
        due = privacy.past_retention(session, now, privacy.DEFAULT_RETENTION_YEARS)
    assert set(due) == {ids["drie jaar, standaard"], ids["twee jaar, anderhalf jaar bewaren"]}
    with transaction(engine) as session:
        erased = privacy.erase_past_retention(session, now)
    assert set(erased) == set(due)
    with transaction(engine) as session:
        assert privacy.past_retention(session, now, privacy.DEFAULT_RETENTION_YEARS) == []
        kept = {name for name, sid in ids.items() if session.get(Student, sid) is not None}
    assert kept == {"een jaar, standaard", "drie jaar, vijf jaar bewaren", "nog op school"}


def test_a_parent_without_children_left_goes_too(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    """A parent of one child is erased with that child; a parent of two keeps their account
    (and the link to the other child) until the second goes as well."""
    ayla, _ = _full_student(engine, now, "ayla")
    bram, _ = _full_student(engine, now, "bram")
    with transaction(engine) as session:
        only = accounts.create_account(session, "telegram", "7001", "ouder", "ar", now).id
        both = accounts.create_account(session, "telegram", "7002", "ouder", "nl", now).id
        ouders.link(session, ayla, only, "moeder", now)
        ouders.link(session, ayla, both, "vader", now)
        ouders.link(session, bram, both, "vader", now)
        jobs.schedule(session, "thuisherinnering", only, now, now, {})
    with transaction(engine) as session:
        counts = privacy.erase(session, ayla, now)
    assert counts["parent_accounts"] == 1
    assert _references(engine, -1, only, "7001") == []
    with transaction(engine) as session:
        assert session.get(Account, both) is not None
        assert [link.student_id for link in ouders.links_of_parent(session, both)] == [bram]
        privacy.erase(session, bram, now)
    assert _references(engine, -1, both, "7002") == []
