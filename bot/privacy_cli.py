"""``lobbot privacy``: the right of access, erasure, and the retention period (AVG)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import update

from storage import privacy
from storage.db import database_url, open_database, transaction
from storage.models import Student
from storage.privacy import DEFAULT_RETENTION_YEARS as RETENTION_YEARS

privacy_app = typer.Typer(help="AVG: export, erase, retention.", no_args_is_help=True)
DbOption = Annotated[Path | None, typer.Option("--db", help="SQLite file (DATABASE_URL wins).")]
StudentOption = Annotated[int, typer.Option("--student", help="Student id.")]


def _engine(db: Path | None):  # type: ignore[no-untyped-def]
    return open_database(database_url(db) if db else database_url())


@privacy_app.command("export")
def export_all(student: StudentOption, db: DbOption = None) -> None:
    """Everything stored about a student, as readable JSON (right of access)."""
    with transaction(_engine(db)) as session:
        try:
            data = privacy.everything(session, student)
        except LookupError as error:
            raise typer.BadParameter(str(error), param_hint="--student") from error
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@privacy_app.command("erase")
def erase(
    student: StudentOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Remove a student and everything that refers to them. This cannot be undone."""
    if not yes:
        typer.confirm(f"Erase student #{student} and all their data?", abort=True)
    with transaction(_engine(db)) as session:
        try:
            counts = privacy.erase(session, student, datetime.now(UTC))
        except LookupError as error:
            raise typer.BadParameter(str(error), param_hint="--student") from error
    typer.echo(json.dumps({"erased_student": student, "rows": counts}, indent=2))


@privacy_app.command("left")
def left(student: StudentOption, db: DbOption = None) -> None:
    """Record that a student left the school today (the retention period starts)."""
    with transaction(_engine(db)) as session:
        done = session.execute(
            update(Student).where(Student.id == student).values(left_at=datetime.now(UTC))
        ).rowcount
    if not done:
        raise typer.BadParameter(f"no student #{student}", param_hint="--student")
    typer.echo(f"student #{student} left school today")


@privacy_app.command("retention")
def retention(
    years: Annotated[
        float,
        typer.Option(
            "--years", help="Keep data this long after leaving, where a school set no period."
        ),
    ] = RETENTION_YEARS,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would go.")] = False,
    db: DbOption = None,
) -> None:
    """Erase students who left school longer ago than the retention period (the school's
    ``bewaartermijn_jaren``, else --years); says what it did. The bot also does this daily."""
    now = datetime.now(UTC)
    with transaction(_engine(db)) as session:
        due = privacy.past_retention(session, now, years)
        erased = {} if dry_run else {sid: privacy.erase(session, sid, now) for sid in due}
    typer.echo(
        json.dumps(
            {"default_years": years, "students": due, "dry_run": dry_run, "rows": erased},
            indent=2,
        )
    )
