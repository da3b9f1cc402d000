"""``lobbot dossier export``: a student's loopbaandossier for a person (HTML) or another system
(JSON, with a versioned schema), for example to hand it to the mbo.

The JSON format is defined by the pydantic models below; ``bot/dossier.schema.json`` is their
published JSON Schema (a test keeps the two identical and validates every export against it).
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from bot import i18n
from flows import dossier as c2
from flows.bank import ERVARING, Competentie
from flows.text import _
from storage import dossier, reflecties, schools
from storage.models import Account

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).with_name("dossier.schema.json")
RTL = frozenset({"ar", "fa"})


class Entry(BaseModel):
    """One dossier entry in the C2 form, in its newest version."""

    model_config = ConfigDict(extra="forbid")

    id: int
    source: Literal["reflectie", "leerling", "ouder", "mentor"]
    version: int
    replaces: int | None
    created_at: datetime
    competencies: list[str]
    c2: dict[str, Any]


class Student(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    language: str
    school: str | None
    klas: str | None


class DossierExport(BaseModel):
    """The whole dossier of one student."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1.0"]
    generated_at: datetime
    student: Student
    entries: list[Entry]
    earlier_versions: list[Entry]
    competency_evidence: dict[str, list[int]]  # competency -> ids of entries showing it


def build(session: Session, student_id: int, at: datetime) -> DossierExport:
    """Everything in the student's dossier, newest versions first-class, older kept."""
    student = reflecties.student_by_id(session, student_id)
    if student is None:
        raise LookupError(f"no student #{student_id}")
    account_language = _language(session, student.account_id)
    klas = school = None
    if student.class_id is not None:
        klas, _mentor, school = schools.names_for_class(session, student.class_id)
    current = dossier.entries_of_student(session, student_id)
    every = dossier.entries_of_student(session, student_id, current_only=False)
    current_ids = {e.id for e in current}
    evidence = {c.value: [e.id for e in current if c.value in e.competencies] for c in Competentie}
    return DossierExport(
        schema_version=SCHEMA_VERSION,
        generated_at=at,
        student=Student(name=student.name, language=account_language, school=school, klas=klas),
        entries=[_entry(e) for e in current],
        earlier_versions=[_entry(e) for e in every if e.id not in current_ids],
        competency_evidence=evidence,
    )


def _language(session: Session, account_id: int) -> str:
    account = session.get(Account, account_id)
    return account.language if account else i18n.SOURCE


def _entry(e: Any) -> Entry:
    return Entry(
        id=e.id,
        source=e.source,
        version=e.version,
        replaces=e.replaces_id,
        created_at=e.created_at,
        competencies=list(e.competencies),
        c2=dict(e.content),
    )


def to_json(export: DossierExport) -> str:
    return export.model_dump_json(indent=2)


def to_html(export: DossierExport) -> str:
    """One self-contained page: readable on a phone, printable on A4, right-to-left if needed."""
    lang = export.student.language
    with i18n.language(lang):
        t = i18n.tr
        e = html.escape
        names = [c2.NAAM[c] for c in Competentie]
        head_cells = "".join(f"<th>{e(t(n))}</th>" for n in names)
        rows = []
        for entry in export.entries:
            marks = "".join(
                f"<td>{'✓' if c.value in entry.competencies else ''}</td>" for c in Competentie
            )
            rows.append(f"<tr><td>{entry.created_at:%d-%m-%Y}</td>{marks}</tr>")
        sections = "\n".join(_entry_html(entry) for entry in export.entries)
        title = t(_("Loopbaandossier van {naam}", naam=export.student.name))
        school_line = t(
            _(
                "School: {school}, klas {klas}",
                school=export.student.school or "–",
                klas=export.student.klas or "–",
            )
        )
        return f"""<!doctype html>
<html lang="{e(lang)}" dir="{"rtl" if lang in RTL else "ltr"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; line-height: 1.45; color: #222; }}
h1 {{ font-size: 1.4rem; }} h2 {{ font-size: 1.1rem; margin-top: 1.5rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: .85rem; }}
th, td {{ border: 1px solid #bbb; padding: .3rem; text-align: center; }}
section {{ border-top: 2px solid #ddd; padding-top: .5rem; break-inside: avoid; }}
dt {{ font-weight: 600; }} dd {{ margin: 0 0 .4rem 0; }}
@page {{ size: A4; margin: 18mm; }}
@media print {{ body {{ margin: 0; }} }}
</style></head>
<body>
<h1>{e(title)}</h1>
<p>{e(school_line)}</p>
<h2>{e(t(_("Welke competenties hebben bewijs?")))}</h2>
<table><thead><tr><th>{e(t(_("Datum")))}</th>{head_cells}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{sections}
</body></html>
"""


def _entry_html(entry: Entry) -> str:
    e = html.escape
    t = i18n.tr
    activiteit = entry.c2.get("activiteit") or {}
    soort = ERVARING.get(activiteit.get("soort") or "")
    heading = t(soort.label) if soort else t(_("Notitie"))
    parts = [f"<section><h2>{e(heading)} — {e(str(activiteit.get('plek') or ''))} "
             f"({entry.created_at:%d-%m-%Y})</h2><dl>"]  # fmt: skip
    for _pad, kop, woorden in c2.regels(entry.c2):
        parts.append(f"<dt>{e(t(kop))}</dt><dd>{e(woorden)}</dd>")
    if entry.competencies:
        shown = ", ".join(t(c2.NAAM[c]) for c in entry.competencies if c in c2.NAAM)
        parts.append(f"<dt>{e(t(_('Competenties')))}</dt><dd>{e(shown)}</dd>")
    parts.append("</dl></section>")
    return "".join(parts)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the export format (what ``dossier.schema.json`` holds)."""
    schema = DossierExport.model_json_schema()
    schema["$id"] = f"https://lobbot.invalid/schemas/dossier-{SCHEMA_VERSION}.json"
    return schema


def student_ids(session: Session) -> list[int]:
    return reflecties.all_student_ids(session)
