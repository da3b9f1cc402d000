"""Migrations upgrade a database that is already full of data, from the oldest revision on.

The other migration tests start from an empty database. A school that has used lobbot for a
year does not: every new migration runs against its students, answers and half-finished
conversations. On SQLite most migrations rebuild the table they change (batch mode copies every
row into a new table), and a wrong copy or a dropped column loses what students wrote.

So this test builds the oldest schema (revision 0001), fills every one of its tables with plain
SQL written against that schema only (not against today's models), upgrades to head through the
app's own ``migrate``, and checks that every row is still there with the same values, that the
columns added later have sensible defaults, and that the app carries on with the old rows.
It works for any number of later migrations; a migration that means to drop or rewrite one of
the oldest columns has to say so here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Engine,
    MetaData,
    Table,
    bindparam,
    inspect,
    select,
    text,
)
from sqlalchemy.types import TypeEngine
from sqlmodel.sql.sqltypes import UTCDateTime

from storage import reflecties
from storage.db import alembic_config, make_engine, migrate, transaction

OLDEST_REVISION = "0001"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The first week of the school year; odd microseconds, so a migration that rounds times shows.
SEPTEMBER = datetime(2025, 9, 1, 8, 15, 0, 123456, tzinfo=AMSTERDAM)

# Tables whose primary key is not a generated ``id``.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "code_attempts": ("channel", "external_id"),
    "inbox": ("key",),
    "conversations": ("account_id",),
}

# Columns that later migrations added to the oldest tables, and the value an old row gets.
# A later column not listed here is still checked: if it is NOT NULL it needs a server default.
ADDED_LATER: dict[str, dict[str, Any]] = {
    "accounts": {"bilingual": None},  # 0004: None is "on for any language but Dutch"
    "students": {"reminders": True, "left_at": None},  # 0003, 0005
    "inbox": {"seq": None},  # 0006: rows from before it have no Telegram update_id
}

Rows = dict[str, list[dict[str, Any]]]


def at(days: int, hours: float = 0) -> datetime:
    """A moment some days (and hours) into the school year."""
    return SEPTEMBER + timedelta(days=days, hours=hours)


def column_type(value: object) -> TypeEngine[Any] | None:
    """The type 0001 declares for a column holding this value (None: leave it to the driver)."""
    if isinstance(value, datetime):
        return UTCDateTime()
    if isinstance(value, date):
        return Date()
    if isinstance(value, bool):
        return Boolean()
    if isinstance(value, dict | list):
        return JSON()
    return None


def typed(row: dict[str, Any]) -> dict[str, TypeEngine[Any]]:
    return {name: kind for name, value in row.items() if (kind := column_type(value)) is not None}


def key_of(table: str) -> tuple[str, ...]:
    return NATURAL_KEYS.get(table, ("id",))


def insert_row(connection: Connection, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """One plain ``INSERT``; returns the row as stored, with its generated id if it has one."""
    generated = table not in NATURAL_KEYS
    statement = text(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(f':{c}' for c in row)})"
        + (" RETURNING id" if generated else "")
    ).bindparams(*(bindparam(name, type_=kind) for name, kind in typed(row).items()))
    result = connection.execute(statement, row)
    return {"id": result.scalar_one(), **row} if generated else dict(row)


def as_stored_now(
    connection: Connection, table: str, written: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The table's rows now, in key order, read as the columns (and types) that were written."""
    types: dict[str, TypeEngine[Any]] = {}
    for row in written:
        types = typed(row) | types
    columns, order = ", ".join(written[0]), ", ".join(key_of(table))
    statement = text(f"SELECT {columns} FROM {table} ORDER BY {order}").columns(**types)
    return [dict(row._mapping) for row in connection.execute(statement)]


def in_key_order(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: tuple(row[name] for name in key_of(table)))


def fill_oldest_schema(connection: Connection) -> Rows:
    """A school in use, written against the 0001 columns; returns every row as stored."""
    rows: Rows = {}

    def add(table: str, **values: Any) -> dict[str, Any]:
        stored = insert_row(connection, table, values)
        rows.setdefault(table, []).append(stored)
        return stored

    school = add(
        "schools",
        name="Vmbo De Brug",
        settings={"signaal_tekst": "Bel de vertrouwenspersoon: 06-12345678", "uren": [8, 17]},
        created_at=at(0),
    )
    mentor_chat = add(
        "accounts", channel="telegram", external_id="5550001", role="mentor",
        language="nl", active=True, created_at=at(0, 1),
    )  # fmt: skip
    fatima_chat = add(
        "accounts", channel="telegram", external_id="5550002", role="leerling",
        language="ar", active=True, created_at=at(1),
    )  # fmt: skip
    daan_chat = add(
        "accounts", channel="console", external_id="daan", role="leerling",
        language="nl", active=False, created_at=at(1, 2),
    )  # fmt: skip
    mentor = add(
        "mentors", school_id=school["id"], name="Mevrouw Jansen", decaan=False,
        account_id=mentor_chat["id"], created_at=at(0, 1),
    )  # fmt: skip
    add(
        "mentors", school_id=school["id"], name="Meneer Bakker", decaan=True,
        account_id=None, created_at=at(0, 2),
    )  # fmt: skip
    klas = add(
        "classes", school_id=school["id"], mentor_id=mentor["id"], name="3B",
        created_at=at(0, 3),
    )  # fmt: skip
    add(
        "codes", purpose="klas", code_hash="9f2c" + "a" * 60, hint="KL3B",
        school_id=school["id"], class_id=klas["id"], mentor_id=None, uses=2, max_uses=None,
        created_at=at(0, 3), expires_at=at(30), revoked_at=None,
    )  # fmt: skip
    add(
        "codes", purpose="mentor", code_hash="41d7" + "b" * 60, hint="MEN7",
        school_id=school["id"], class_id=None, mentor_id=mentor["id"], uses=1, max_uses=1,
        created_at=at(0), expires_at=None, revoked_at=at(0, 1),
    )  # fmt: skip
    add(
        "code_attempts", channel="telegram", external_id="5550099", failures=3,
        blocked_until=at(2, 1),
    )  # fmt: skip
    add("code_attempts", channel="console", external_id="gast", failures=1, blocked_until=None)
    fatima = add(
        "students", account_id=fatima_chat["id"], name="Fatima", school_id=school["id"],
        class_id=klas["id"], created_at=at(1),
    )  # fmt: skip
    daan = add(
        "students", account_id=daan_chat["id"], name="Daan", school_id=None, class_id=None,
        created_at=at(1, 2),
    )  # fmt: skip
    stage = add(
        "experiences", student_id=fatima["id"], kind="bliksemstage",
        place="Bakkerij Öztürk, Rotterdam-Zuid", status="afgerond", started_at=at(7),
        ended_at=at(7, 3),
    )  # fmt: skip
    add(
        "experiences", student_id=daan["id"], kind="gastles", place="", status="bezig",
        started_at=at(8), ended_at=None,
    )  # fmt: skip

    def answer(student: dict[str, Any], minutes: int, **values: Any) -> dict[str, Any]:
        blank = {"experience_id": None, "phase": "terugkijken", "part": "antwoord", "text": None,
                 "choice": None, "media_ref": None, "due": None, "language": "nl",
                 "flagged": False}  # fmt: skip
        return add("answers", student_id=student["id"], created_at=at(7, 4) + timedelta(
            minutes=minutes), **(blank | values))  # fmt: skip

    at_stage = {"experience_id": stage["id"], "language": "ar"}
    answer(fatima, 0, **at_stage, question_key="leukste", kind="tekst",
           text="Brood vlechten met de bakker. كان ممتعًا جدًا")  # fmt: skip
    answer(fatima, 1, **at_stage, question_key="leukste", kind="tekst", part="doorvraag",
           text="Dat ik het zelf mocht doen 😊")  # fmt: skip
    answer(fatima, 2, **at_stage, question_key="gevoel", kind="keuze", choice="trots")
    answer(fatima, 3, **at_stage, question_key="actie", phase="activeren", kind="datum",
           due=date(2025, 10, 15))  # fmt: skip
    signal = answer(fatima, 4, **at_stage, question_key="lastig", kind="tekst",
                    text="Ze lachten me uit in de pauze", flagged=True)  # fmt: skip
    answer(daan, 60 * 24, question_key="foto", kind="foto", part="bijlage",
           media_ref="telegram:AgACAgQAAxkBAAIB")  # fmt: skip
    add(
        "safeguarding_flags", student_id=fatima["id"], answer_id=signal["id"],
        category="pesten", question_key="lastig", created_at=signal["created_at"], seen_at=None,
    )  # fmt: skip
    add(
        "safeguarding_flags", student_id=daan["id"], answer_id=None, category="somber",
        question_key="buiten_vraag", created_at=at(8, 2), seen_at=at(9),
    )  # fmt: skip
    add(
        "conversations", account_id=fatima_chat["id"], flow="reflectie",
        state={"toestand": "vooruitkijken_wat", "vorige": ["leukste", "gevoel"],
               "doorvragen": 1, "plek": "Bakkerij Öztürk", "pauze": None, "taal": "ar"},
        experience_id=stage["id"], version=7, updated_at=at(7, 4.4),
    )  # fmt: skip
    add(
        "conversations", account_id=daan_chat["id"], flow="aanmelding", state={},
        experience_id=None, version=1, updated_at=at(1, 2),
    )  # fmt: skip
    add(
        "inbox", key="telegram:81234567", chat="5550002",
        payload={"update_id": 81234567, "message": {"text": "Hoi!", "chat": {"id": 5550002}}},
        received_at=at(7, 4), processed_at=at(7, 4),
    )  # fmt: skip
    add(
        "inbox", key="telegram:81234568", chat="5550002",
        payload={"update_id": 81234568, "message": {"text": "nog iets", "chat": {"id": 5550002}}},
        received_at=at(7, 5), processed_at=None,
    )  # fmt: skip
    add(
        "inbox", key="console:daan:3", chat=None, payload=None, received_at=at(8),
        processed_at=at(8),
    )  # fmt: skip
    add(
        "outbox", channel="telegram", chat="5550002",
        payload={"text": "Wat vond je het leukst?", "buttons": [["Weet ik niet"]]},
        created_at=at(7, 4), sent_at=at(7, 4),
    )  # fmt: skip
    add(
        "outbox", channel="telegram", chat="5550001",
        payload={"text": "Signaal bij Fatima (3B): pesten", "parse_mode": None},
        created_at=at(7, 4.4), sent_at=None,
    )  # fmt: skip
    return rows


@dataclass
class UpgradedSchool:
    """A database filled at the oldest revision and then upgraded to head."""

    engine: Engine
    rows: Rows  # every row as it was written at the oldest revision
    oldest_columns: dict[str, set[str]]  # the columns of each table at the oldest revision


def columns_of(engine: Engine) -> dict[str, set[str]]:
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    return {table: {c["name"] for c in inspect(engine).get_columns(table)} for table in tables}


@pytest.fixture
def upgraded_school(db_url: str) -> Iterator[UpgradedSchool]:
    """The test's database, built at the oldest revision, filled, then migrated to head."""
    engine = make_engine(db_url)
    if engine.dialect.name == "postgresql":
        # The fixture's PostgreSQL database is a copy of a migrated template: empty it first.
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    assert inspect(engine).get_table_names() == [], "the test needs a database without tables"

    migrate(engine, OLDEST_REVISION)
    oldest_columns = columns_of(engine)
    with engine.begin() as connection:
        rows = fill_oldest_schema(connection)
    assert set(rows) == set(oldest_columns), "fill every table of the oldest schema"
    for table, stored in rows.items():
        assert all(set(row) == oldest_columns[table] for row in stored), f"every column of {table}"

    migrate(engine)  # to head, the way the app does at every start
    yield UpgradedSchool(engine, rows, oldest_columns)
    engine.dispose()


def test_the_upgrade_reaches_head(upgraded_school: UpgradedSchool) -> None:
    script = ScriptDirectory.from_config(alembic_config(str(upgraded_school.engine.url)))
    assert script.get_base() == OLDEST_REVISION
    with upgraded_school.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == script.get_current_head()


def test_every_old_row_keeps_its_values(upgraded_school: UpgradedSchool) -> None:
    head_columns = columns_of(upgraded_school.engine)
    for table, old_columns in upgraded_school.oldest_columns.items():
        assert old_columns <= head_columns.get(table, set()), f"{table} lost columns"
    with upgraded_school.engine.connect() as connection:
        for table, written in upgraded_school.rows.items():
            now = as_stored_now(connection, table, written)
            assert now == in_key_order(table, written), f"{table} changed"


def test_columns_added_later_have_sensible_defaults(upgraded_school: UpgradedSchool) -> None:
    head_columns = columns_of(upgraded_school.engine)
    with upgraded_school.engine.connect() as connection:
        for table, old_columns in upgraded_school.oldest_columns.items():
            added = head_columns[table] - old_columns
            assert set(ADDED_LATER.get(table, {})) <= added, f"{table} lost a column added later"
            if not added:
                continue
            reflected = Table(table, MetaData(), autoload_with=connection)
            in_order = select(reflected).order_by(*(reflected.c[k] for k in key_of(table)))
            old_rows = [dict(row._mapping) for row in connection.execute(in_order)]
            assert len(old_rows) == len(upgraded_school.rows[table])
            for name in added:
                values = [row[name] for row in old_rows]
                if not reflected.c[name].nullable:
                    assert reflected.c[name].server_default is not None, f"{table}.{name}"
                    assert None not in values, f"{table}.{name}"
                if name in ADDED_LATER.get(table, {}):
                    assert values == [ADDED_LATER[table][name]] * len(values), f"{table}.{name}"


def one(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    [found] = [row for row in rows if match.items() <= row.items()]
    return found


def test_the_app_carries_on_with_the_old_rows(upgraded_school: UpgradedSchool) -> None:
    rows = upgraded_school.rows
    fatima_chat = one(rows["accounts"], external_id="5550002")["id"]
    fatima = one(rows["students"], name="Fatima")["id"]
    conversation = one(rows["conversations"], account_id=fatima_chat)
    later = at(14)
    with transaction(upgraded_school.engine) as session:
        saved = reflecties.load_conversation(session, fatima_chat)
        assert saved is not None
        assert (saved["flow"], saved["state"], saved["version"], saved["experience_id"]) == (
            conversation["flow"], conversation["state"], 7, conversation["experience_id"],
        )  # fmt: skip
        reflecties.save_conversation(
            session, fatima_chat, saved["flow"], saved["state"] | {"toestand": "klaar"},
            saved["experience_id"], saved["version"], later,
        )  # fmt: skip
        new_answer = reflecties.append_answer(
            session, student_id=fatima, experience_id=saved["experience_id"],
            question_key="trots", phase="vooruitkijken", kind="tekst", part="antwoord",
            language="nl", at=later, text="Ik wil daar echt stage lopen",
        )  # fmt: skip
    assert new_answer > max(row["id"] for row in rows["answers"])
    with transaction(upgraded_school.engine) as session:
        saved_again = reflecties.load_conversation(session, fatima_chat)
        answers = reflecties.answers_of_student(session, fatima)
    assert saved_again is not None
    assert (saved_again["version"], saved_again["state"]["toestand"]) == (8, "klaar")
    assert [(a.id, a.text, a.choice, a.due, a.created_at) for a in answers] == [
        *((a["id"], a["text"], a["choice"], a["due"], a["created_at"])
          for a in rows["answers"] if a["student_id"] == fatima),
        (new_answer, "Ik wil daar echt stage lopen", None, None, later),
    ]  # fmt: skip
