"""``lobbot dossier export``: HTML a person can read, JSON another system can read."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
from sqlalchemy import Engine

from bot import export
from bot.turns import Identity, process_turn
from flows.events import Bericht, Commando, Knop
from storage import reflecties
from storage.db import transaction
from tests.bot.test_turns import reflect

LOBBOT = Path(sys.executable).with_name("lobbot")


class _Page(HTMLParser):
    """Collects the document's direction, its text and that every tag it opens it closes."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = ""
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.dir = dict(attrs).get("dir") or ""
        if tag not in ("meta", "br", "link", "!doctype"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _dossier(engine: Engine, now, who: Identity) -> int:  # type: ignore[no-untyped-def]
    reflect(engine, who, "bliksemstage", now)
    process_turn(engine, who, Commando("notitie", now, "<b>vet</b> & meer"))
    with transaction(engine) as session:
        return reflecties.student_of_chat(session, who.channel, who.external_id)


def test_json_export_validates_against_the_published_schema_and_round_trips(
    engine: Engine, now
) -> None:  # type: ignore[no-untyped-def]
    sid = _dossier(engine, now, Identity("console", "sara", "Sara"))
    shown = process_turn(engine, Identity("console", "sara", "Sara"), Commando("dossier", now))
    edit = next(b.value for r in shown.replies for b in r.buttons if b.value.startswith("d:v:"))
    lines = process_turn(engine, Identity("console", "sara", "Sara"), Knop(edit, 0, now))
    first_line = lines.replies[0].buttons[0].value
    process_turn(engine, Identity("console", "sara", "Sara"), Knop(first_line, 0, now))
    process_turn(engine, Identity("console", "sara", "Sara"), Bericht("verbeterd antwoord", now))
    with transaction(engine) as session:
        built = export.build(session, sid, datetime.now(UTC))
    text = export.to_json(built)
    document = json.loads(text)
    schema = json.loads(export.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert export.DossierExport.model_validate_json(text).model_dump_json(indent=2) == text
    assert document["schema_version"] == "1.0"
    assert len(document["earlier_versions"]) == 1  # the correction kept the old version
    sources = {e["source"] for e in document["entries"]}
    assert sources == {"reflectie", "leerling"}
    for broken in ({**document, "schema_version": "2.0"}, {**document, "entries": "x"}):
        try:
            jsonschema.validate(broken, schema)
        except jsonschema.ValidationError:
            continue
        raise AssertionError("the schema accepted a broken export")


def test_the_published_schema_is_the_one_the_code_writes() -> None:
    on_disk = json.loads(export.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert on_disk == export.json_schema()


def test_html_export_is_well_formed_escaped_and_left_to_right_for_dutch(
    engine: Engine, now
) -> None:  # type: ignore[no-untyped-def]
    sid = _dossier(engine, now, Identity("console", "sam", "Sam"))
    with transaction(engine) as session:
        page = export.to_html(export.build(session, sid, datetime.now(UTC)))
    parser = _Page()
    parser.feed(page)
    assert parser.stack == [] and parser.dir == "ltr"
    text = "".join(parser.text)
    assert "<b>vet</b> & meer" in text  # shown as typed, not interpreted as HTML
    assert "Loopbaandossier van Sam" in text and "Bliksemstage" in text
    assert "@page { size: A4" in page and 'name="viewport"' in page


def test_html_export_runs_right_to_left_for_arabic(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    sid = _dossier(engine, now, Identity("console", "amal", "Amal", language="ar"))
    with transaction(engine) as session:
        page = export.to_html(export.build(session, sid, datetime.now(UTC)))
    parser = _Page()
    parser.feed(page)
    assert parser.dir == "rtl" and '<html lang="ar" dir="rtl">' in page


def _lobbot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LOBBOT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_export_command(engine: Engine, now, cli_env: dict[str, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sid = str(_dossier(engine, now, Identity("console", "lin", "Lin")))
    as_json = _lobbot(cli_env, "dossier", "export", "--student", sid, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["entries"]
    out = tmp_path / "dossier.html"
    as_html = _lobbot(cli_env, "dossier", "export", "--student", sid, "--out", str(out))
    assert as_html.returncode == 0, as_html.stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    missing = _lobbot(cli_env, "dossier", "export", "--student", "999")
    assert missing.returncode != 0 and "no student #999" in missing.stderr
