"""``lobbot admin``: schools, mentors, classes and their codes, for the school's coordinator.

A code is printed once, with its t.me link when the bot's username is known
(``TELEGRAM_BOT_USERNAME``); only a hash is stored, so a lost code is revoked and replaced.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings
from flows.stille_uren import DAGEN
from storage import schools
from storage.db import database_url, open_database, transaction

admin_app = typer.Typer(help="Schools, mentors, classes and codes.", no_args_is_help=True)
DbOption = Annotated[Path | None, typer.Option("--db", help="SQLite file (DATABASE_URL wins).")]
DaysOption = Annotated[
    int | None, typer.Option("--days", help="The code stops working after this many days.")
]


def _engine(db: Path | None):  # type: ignore[no-untyped-def]
    return open_database(database_url(db) if db else database_url())


def _show_code(code_id: int, code: str, what: str) -> None:
    username = Settings().telegram_bot_username
    typer.echo(f"{what} (code #{code_id}): {code}")
    if username:
        typer.echo(f"link: https://t.me/{username.lstrip('@')}?start={code}")
    typer.echo("The code is shown only now; keep it, or revoke it and make a new one.")


def _expiry(days: int | None) -> datetime | None:
    return datetime.now(UTC) + timedelta(days=days) if days else None


@admin_app.command("school")
def create_school(name: str, db: DbOption = None) -> None:
    """Create a school."""
    with transaction(_engine(db)) as session:
        school_id = schools.create_school(session, name, datetime.now(UTC))
    typer.echo(f"school #{school_id}: {name}")


@admin_app.command("mentor")
def invite_mentor(
    school: Annotated[int, typer.Option("--school", help="School id.")],
    name: Annotated[str, typer.Option("--name", help="How students know the mentor.")],
    decaan: Annotated[bool, typer.Option("--decaan", help="Sees the whole school.")] = False,
    days: DaysOption = 14,
    db: DbOption = None,
) -> None:
    """Create a mentor and a one-time invite for their Telegram."""
    now = datetime.now(UTC)
    with transaction(_engine(db)) as session:
        mentor_id = schools.create_mentor(session, school, name, now, decaan)
        code_id, code = schools.create_code(
            session, "mentor", school, now, mentor_id=mentor_id, expires_at=_expiry(days)
        )
    typer.echo(f"mentor #{mentor_id}: {name}")
    _show_code(code_id, code, "mentor invite")


@admin_app.command("klas")
def create_class(
    school: Annotated[int, typer.Option("--school", help="School id.")],
    mentor: Annotated[int, typer.Option("--mentor", help="Mentor id.")],
    name: Annotated[str, typer.Option("--name", help="Class name, e.g. 3B.")],
    days: DaysOption = None,
    db: DbOption = None,
) -> None:
    """Create a class and the code its students join with."""
    now = datetime.now(UTC)
    with transaction(_engine(db)) as session:
        class_id = schools.create_class(session, school, mentor, name, now)
        code_id, code = schools.create_code(
            session, "klas", school, now, class_id=class_id, expires_at=_expiry(days)
        )
    typer.echo(f"class #{class_id}: {name}")
    _show_code(code_id, code, "class code")


@admin_app.command("code")
def new_class_code(
    klas: Annotated[int, typer.Option("--klas", help="Class id.")],
    days: DaysOption = None,
    db: DbOption = None,
) -> None:
    """A new code for an existing class (after revoking a leaked one)."""
    now = datetime.now(UTC)
    with transaction(_engine(db)) as session:
        school_class = next((c for c in schools.list_classes(session) if c.id == klas), None)
        if school_class is None:
            raise typer.BadParameter(f"no class #{klas}", param_hint="--klas")
        code_id, code = schools.create_code(
            session, "klas", school_class.school_id, now, class_id=klas, expires_at=_expiry(days)
        )
    _show_code(code_id, code, "class code")


SETTINGS = {
    "zorgbeleid": "what the mentor reads in a safeguarding alert (the school's own policy)",
    "samenvatting_uren_vooraf": "hours before a gesprek that the summary arrives (default 24)",
    "toestemming_onder_16": "aan | uit: students under 16 need a parent's consent (default uit)",
    "stille_uren": "when families get nothing from lobbot, e.g. 20:00-09:00 (the default)",
    "stille_dagen": "whole quiet days, e.g. za,zo (the default); empty for none",
    "bewaartermijn_jaren": "years data is kept after a student left school (default 2)",
}


@admin_app.command("instelling")
def school_setting(
    school: Annotated[int, typer.Option("--school", help="School id.")],
    name: Annotated[str, typer.Argument(help=" | ".join(SETTINGS))],
    value: Annotated[str, typer.Argument(help="The new value.")],
    db: DbOption = None,
) -> None:
    """Set a school setting: the safeguarding wording, or when summaries arrive."""
    if name not in SETTINGS:
        raise typer.BadParameter(f"one of {', '.join(SETTINGS)}", param_hint="NAME")
    if problem := _invalid(name, value):
        raise typer.BadParameter(problem, param_hint="VALUE")
    with transaction(_engine(db)) as session:
        if not schools.set_setting(session, school, name, value):
            raise typer.BadParameter(f"no school #{school}", param_hint="--school")
    typer.echo(f"school #{school}: {name} set")


CLOCK = r"([01]\d|2[0-3]):[0-5]\d"


def _invalid(name: str, value: str) -> str | None:
    """What is wrong with a setting's value, if anything."""
    if name == "samenvatting_uren_vooraf" and not value.isdecimal():
        return "a whole number of hours"
    if name == "toestemming_onder_16" and value not in ("aan", "uit"):
        return "aan or uit"
    if name == "stille_uren" and not re.fullmatch(
        r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value
    ):
        return "HH:MM-HH:MM, for example 20:00-09:00"
    if name == "bewaartermijn_jaren" and not re.fullmatch(r"\d{1,2}([.,]\d+)?", value):
        return "a number of years, for example 2 or 1,5"
    if name == "bewaartermijn_jaren" and float(value.replace(",", ".")) <= 0:
        return "more than 0 years"
    days = [d.strip() for d in value.split(",") if d.strip()]
    if name == "stille_dagen" and (any(d not in DAGEN for d in days) or len(days) == 7):
        return "days from ma,di,wo,do,vr,za,zo (not all seven), for example za,zo"
    return None


@admin_app.command("revoke")
def revoke(code_id: int, db: DbOption = None) -> None:
    """Stop a code from working."""
    with transaction(_engine(db)) as session:
        done = schools.revoke_code(session, code_id, datetime.now(UTC))
    if not done:
        raise typer.BadParameter(f"no working code #{code_id}")
    typer.echo(f"code #{code_id} revoked")


@admin_app.command("list")
def list_all(db: DbOption = None) -> None:
    """Schools, mentors, classes and codes (codes by their first characters only)."""
    now = datetime.now(UTC)
    with transaction(_engine(db)) as session:
        for school in schools.list_schools(session):
            typer.echo(f"school #{school.id}: {school.name}")
        for mentor in schools.list_mentors(session):
            linked = "linked" if mentor.account_id else "not linked yet"
            role = "decaan" if mentor.decaan else "mentor"
            typer.echo(f"{role} #{mentor.id}: {mentor.name} (school #{mentor.school_id}, {linked})")
        for school_class in schools.list_classes(session):
            typer.echo(
                f"class #{school_class.id}: {school_class.name} "
                f"(school #{school_class.school_id}, mentor #{school_class.mentor_id})"
            )
        for code in schools.list_codes(session):
            typer.echo(
                f"code #{code.id}: {code.hint}… {code.purpose} "
                f"{_code_status(code, now)}, used {code.uses}×"
            )


def _code_status(code, now: datetime) -> str:  # type: ignore[no-untyped-def]
    if code.revoked_at:
        return "revoked"
    if code.expires_at and code.expires_at <= now:
        return "expired"
    if code.max_uses is not None and code.uses >= code.max_uses:
        return "used"
    return f"valid until {code.expires_at:%Y-%m-%d}" if code.expires_at else "valid"
