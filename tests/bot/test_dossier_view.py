"""/dossier: the student reads their dossier, adds a note, corrects a line as a new version."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.turns import Identity, process_turn
from flows import dossier
from flows.events import Bericht, Commando, Knop
from storage import dossier as store
from storage import reflecties
from storage.db import transaction
from tests.bot.test_turns import reflect

NOOR = Identity("console", "noor", "Noor")


def said(result) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(line.render(None) for r in result.replies for line in r.lines)


def buttons(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(b.label.render(None), b.value) for r in result.replies for b in r.buttons]


def test_dossier_shows_entries_and_who_reads_them(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, NOOR, "bedrijfsbezoek", now)
    result = process_turn(engine, NOOR, Commando("dossier", now))
    text = said(result)
    assert "Alleen jij en je mentor" in text and "Bedrijfsbezoek" in text
    assert "Je volgende stap" in text and "Pagina 1 van 1" in text


def test_a_correction_is_a_new_version_and_the_old_one_stays(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, NOOR, "gastles", now)
    shown = process_turn(engine, NOOR, Commando("dossier", now))
    edit = next(v for label, v in buttons(shown) if v.startswith("d:v:"))
    lines = process_turn(engine, NOOR, Knop(edit, 0, now))
    line = next(v for label, v in buttons(lines) if v.endswith("vervolg.stap"))
    process_turn(engine, NOOR, Knop(line, 0, now))
    done = process_turn(engine, NOOR, Bericht("ik ga op zaterdag meelopen bij de brandweer", now))
    assert "oude versie blijft bewaard" in said(done)
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "noor")
        current = store.entries_of_student(session, sid)
        everything = store.entries_of_student(session, sid, current_only=False)
    assert len(current) == 1 and len(everything) == 2
    assert current[0].version == 2 and current[0].replaces_id == everything[0].id
    assert current[0].content["vervolg"]["stap"] == "ik ga op zaterdag meelopen bij de brandweer"
    assert everything[0].content["vervolg"]["stap"] != current[0].content["vervolg"]["stap"]
    again = said(process_turn(engine, NOOR, Commando("dossier", now)))
    assert "(versie 2)" in again and "brandweer" in again


def test_a_note_is_added_and_the_reflection_carries_on(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, NOOR, "bliksemstage", now, stop_at="reflecteren_leuk")
    process_turn(engine, NOOR, Commando("notitie", now, "vragen of ik in de zomer kan werken"))
    result = process_turn(engine, NOOR, Commando("dossier", now))
    assert "vragen of ik in de zomer kan werken" in said(result)
    process_turn(engine, NOOR, Knop(dossier.NOTITIE, 0, now))
    process_turn(engine, NOOR, Bericht("tweede notitie", now))
    back = process_turn(engine, NOOR, Bericht("met mijn handen werken vind ik leuk", now))
    assert back.state == "reflecteren_anderen"  # the reflection went on where it was
