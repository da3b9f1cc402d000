"""``lobbot admin instelling``: a school's settings, with values checked before they are stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.db import database_url, open_database, transaction
from storage.models import School

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "school.db"
    assert runner.invoke(app, ["admin", "school", "De Brug", "--db", str(path)]).exit_code == 0
    return path


def settings(path: Path) -> dict:
    engine = open_database(database_url(path))
    with transaction(engine) as session:
        school = session.get(School, 1)
        assert school is not None
        found = dict(school.settings)
    engine.dispose()
    return found


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("toestemming_onder_16", "aan"),
        ("stille_uren", "21:30-08:00"),
        ("stille_dagen", "zo"),
        ("stille_dagen", ""),
        ("samenvatting_uren_vooraf", "48"),
        ("bewaartermijn_jaren", "5"),
        ("bewaartermijn_jaren", "1,5"),
    ],
)
def test_a_good_value_is_stored(db: Path, name: str, value: str) -> None:
    result = runner.invoke(
        app, ["admin", "instelling", "--school", "1", name, value, "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    assert settings(db)[name] == value


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("toestemming_onder_16", "misschien"),
        ("stille_uren", "8-20"),
        ("stille_uren", "25:00-07:00"),
        ("stille_dagen", "zaterdag"),
        ("stille_dagen", "ma,di,wo,do,vr,za,zo"),
        ("samenvatting_uren_vooraf", "een dag"),
        ("bewaartermijn_jaren", "twee"),
        ("bewaartermijn_jaren", "0"),
        ("bewaartermijn_jaren", "-1"),
        ("onbekend", "x"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_changes(db: Path, name: str, value: str) -> None:
    result = runner.invoke(
        app, ["admin", "instelling", "--school", "1", name, value, "--db", str(db)]
    )
    assert result.exit_code != 0
    assert name not in settings(db)
