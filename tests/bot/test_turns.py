"""A turn through flows and the real database: saved after every turn, nothing doubled."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from bot.simulated import SimulatedStudent
from bot.turns import Identity, current_question, process_turn
from flows.events import Bericht, Commando
from storage import dossier, reflecties
from storage.db import transaction

SARA = Identity("console", "sara", "Sara")


def reflect(engine: Engine, who: Identity, kind: str, now, stop_at: str | None = None) -> str:  # type: ignore[no-untyped-def]
    student = SimulatedStudent(kind, seed=1)
    state = "start"
    for _ in range(60):
        if state == stop_at or (state == "klaar" and stop_at is None):
            return state
        result = process_turn(engine, who, student.next_event(state, now))
        student.see(result.replies)
        state = result.state
    raise AssertionError("the reflection did not finish")


def test_a_full_reflection_is_stored(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, SARA, "bedrijfsbezoek", now)
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "sara")
        experiences = reflecties.experiences_of_student(session, sid)
        answers = reflecties.answers_of_student(session, sid)
    assert [(e.kind, e.status) for e in experiences] == [("bedrijfsbezoek", "afgerond")]
    assert experiences[0].ended_at is not None
    keys = [a.question_key for a in answers]
    assert len(keys) == len(set(keys)) >= 12
    assert all(a.experience_id == experiences[0].id for a in answers)
    assert any(a.media_ref for a in answers) and any(a.due for a in answers)


def test_state_is_saved_after_every_turn(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, SARA, "gastles", now, stop_at="reflecteren_leuk")
    replies, state = current_question(engine, SARA)  # as after a restart
    assert state == "reflecteren_leuk"
    assert "Wat vond je leuk" in "\n".join(line.msgid for line in replies[0].lines)


def test_the_same_inbox_key_is_processed_once(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    process_turn(engine, SARA, Commando("start", now), key="k1")
    first = process_turn(engine, SARA, Commando("start", now), key="k1")
    assert first.duplicate and first.replies == []


def test_a_safeguarding_flag_is_stored_with_its_answer(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, SARA, "bliksemstage", now, stop_at="reflecteren_anderen")
    result = process_turn(engine, SARA, Bericht("ik wil niet meer leven", now))
    assert "0800-0113" in "\n".join(line.render(None) for r in result.replies for line in r.lines)
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "sara")
        (flag,) = reflecties.flags_of_student(session, sid)
        flagged = [a for a in reflecties.answers_of_student(session, sid) if a.flagged]
    assert flag.category == "zelfbeschadiging" and flag.answer_id == flagged[0].id


def test_concurrent_turns_of_one_student_are_serialised(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, SARA, "bliksemstage", now, stop_at="terugkijken_wat")
    errors: list[BaseException] = []

    def send(text: str) -> None:
        try:
            process_turn(engine, SARA, Bericht(text, now))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=send, args=(f"antwoord nummer {i} met genoeg woorden",))
        for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "sara")
        answers = reflecties.answers_of_student(session, sid)
        saved = reflecties.load_conversation(session, sid)
    assert sorted(a.question_key for a in answers[-2:]) == ["taak", "wat"]
    assert saved["state"]["state"] == "terugkijken_moment"


def test_a_finished_reflection_becomes_a_c2_dossier_entry_with_tags(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    from storage import dossier

    reflect(engine, SARA, "bliksemstage", now)
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "sara")
        (entry,) = dossier.entries_of_student(session, sid)
        tags = dossier.tags_of_student(session, sid)
    content = entry.content
    assert set(content) >= {
        "activiteit",
        "doelen",
        "resultaten",
        "evaluatie",
        "conclusie",
        "vervolg",
        "bijlagen",
    }
    assert content["activiteit"]["soort"] == "bliksemstage" and content["activiteit"]["datum"]
    assert content["resultaten"]["wat"] and content["vervolg"]["stap"]
    assert content["bijlagen"] == ["foto-1"]  # the photo is attached
    assert entry.source == "reflectie" and entry.version == 1
    assert entry.competencies == content["conclusie"]["competenties"]
    assert {t.source for t in tags} >= {"woorden", "vraag"}
    assert all(t.evidence for t in tags if t.source == "woorden")


def test_the_second_reflection_asks_about_the_first_next_step(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, SARA, "bliksemstage", now)
    student = SimulatedStudent("gastles", seed=2)
    state = "klaar"
    seen: list[str] = []
    for _ in range(6):
        result = process_turn(engine, SARA, student.next_event(state, now))
        student.see(result.replies)
        state = result.state
        seen.append(state)
        if state == "vorige":
            text = "\n".join(line.render(None) for r in result.replies for line in r.lines)
            assert "Vorige keer wilde je dit doen" in text and "Is dat gelukt?" in text
            break
    assert "vorige" in seen


def test_answers_are_tagged_in_the_language_they_were_written_in(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    olena = Identity("console", "olena", "Olena", "uk")
    reflect(engine, olena, "bliksemstage", now, stop_at="terugkijken_wat")
    for text in (
        "я допомагала клієнтам біля каси і мені дуже сподобалось",  # Ukrainian: her own language
        "ik hielp klanten bij de kassa en dat vond ik heel erg leuk",  # Dutch, as she learns it
    ):
        process_turn(engine, olena, Bericht(text, now))
        process_turn(engine, olena, Commando("terug", now))
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "olena")
        answers = {a.id: a for a in reflecties.answers_of_student(session, sid)}
        tagged = {
            answers[t.answer_id].language
            for t in dossier.tags_of_student(session, sid)
            if t.source == "woorden" and answers[t.answer_id].question_key == "wat"
        }
    assert tagged == {"uk", "nl"}
