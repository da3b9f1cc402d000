"""Mentors: their own students only, a summary before the gesprek, alerts, check-ins, reminders —
scheduled work sent once, even with two schedulers racing."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot import scheduling
from bot.chart import Chart
from bot.simulated import SimulatedStudent
from bot.turns import Identity, process_turn
from flows.events import Bericht, Commando, Knop
from flows.replies import Reply
from storage import dossier, mentors, reflecties, schools
from storage.db import transaction


def render(messages: list[Any]) -> str:
    return "\n".join(
        line.render(None)
        for m in messages
        if isinstance(m, Reply)
        for line in ((m.header, *m.lines) if m.header else m.lines)
    )


class Outbox:
    """Collects what the scheduler hands to the channel."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Any]]] = []
        self.lock = threading.Lock()

    def __call__(self, session: Any, channel: str, chat: str, messages: list[Any]) -> None:
        with self.lock:
            self.sent.append((chat, messages))

    def to(self, chat: str) -> list[list[Any]]:
        return [m for c, m in self.sent if c == chat]


@pytest.fixture
def school(engine: Engine, now) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two mentors with a class each; both mentors and three students joined through Telegram."""
    with transaction(engine) as session:
        sid = schools.create_school(session, "De Brug", now)
        a = schools.create_mentor(session, sid, "Mevrouw Aydın", now)
        b = schools.create_mentor(session, sid, "Meneer Bos", now)
        codes = {}
        for mentor_id, klas in ((a, "3A"), (b, "3B")):
            class_id = schools.create_class(session, sid, mentor_id, klas, now)
            codes[klas] = schools.create_code(session, "klas", sid, now, class_id=class_id)[1]
        invites = {
            m: schools.create_code(session, "mentor", sid, now, mentor_id=m)[1] for m in (a, b)
        }
    people = {"a": Identity("telegram", "900", ""), "b": Identity("telegram", "901", "")}
    process_turn(engine, people["a"], Commando("start", now, invites[a]))
    process_turn(engine, people["b"], Commando("start", now, invites[b]))
    for chat, name, klas in (("1", "Sara", "3A"), ("2", "Yusuf", "3A"), ("3", "Lotte", "3B")):
        who = Identity("telegram", chat, "")
        process_turn(engine, who, Commando("start", now, codes[klas]))
        process_turn(engine, who, Knop("t:nl", 0, now))
        process_turn(engine, who, Bericht(name, now))
        joined = process_turn(engine, who, Knop("!akkoord", 0, now))
        assert joined.state == "ervaring", render(joined.replies)
        people[name] = who
    return people


def reflect(engine: Engine, who: Identity, now, kind: str = "bliksemstage") -> None:  # type: ignore[no-untyped-def]
    student, state = SimulatedStudent(kind, seed=3), "start"
    for _ in range(60):
        result = process_turn(engine, who, student.next_event(state, now))
        student.see([r for r in result.replies if isinstance(r, Reply)])
        state = result.state
        if state == "klaar":
            return
    raise AssertionError(state)


def student_id(engine: Engine, who: Identity) -> int:
    with transaction(engine) as session:
        return reflecties.student_of_chat(session, who.channel, who.external_id)


def test_a_mentor_sees_only_their_own_students(engine: Engine, now, school) -> None:  # type: ignore[no-untyped-def]
    overview = render(process_turn(engine, school["a"], Commando("leerlingen", now)).replies)
    assert "Sara" in overview and "Yusuf" in overview and "Lotte" not in overview
    lotte = student_id(engine, school["Lotte"])
    for command in (Commando("samenvatting", now, str(lotte)),
                    Commando("gesprek", now, f"{lotte} vrijdag 14:30")):  # fmt: skip
        answer = render(process_turn(engine, school["a"], command).replies)
        assert "niet in jouw klassen" in answer
    sara = student_id(engine, school["Sara"])
    with transaction(engine) as session:
        assert mentors.audit_log(session, lotte) == []  # nothing of hers was read
        assert {e.action for e in mentors.audit_log(session, sara)} == {"overzicht"}
    students_of_b = render(process_turn(engine, school["b"], Commando("leerlingen", now)).replies)
    assert "Lotte" in students_of_b and "Sara" not in students_of_b


def test_the_summary_before_a_gesprek_is_sent_once(engine: Engine, now, school) -> None:  # type: ignore[no-untyped-def]
    for kind in ("bliksemstage", "gastles", "opendag"):
        reflect(engine, school["Sara"], now, kind)
    sara = student_id(engine, school["Sara"])
    planned = render(
        process_turn(engine, school["a"], Commando("gesprek", now, f"{sara} vrijdag 14:30")).replies
    )
    assert "Gepland" in planned and "24 uur vooraf" in planned
    outbox = Outbox()
    assert scheduling.run_due(engine, now, outbox) == []  # not due yet
    friday = now + timedelta(days=4)
    assert scheduling.run_due(engine, friday, outbox) == ["900"]
    assert scheduling.run_due(engine, friday + timedelta(hours=1), outbox) == []  # once
    (messages,) = outbox.to("900")
    text = render(messages)
    assert "Voor het gesprek met Sara (3A)" in text and "3 reflecties" in text
    assert "ik hielp klanten bij de kassa" in text or "vakken" in text  # her own words
    assert "Volgende stappen" in text and "Vragen voor het gesprek" in text
    charts = [m for m in messages if isinstance(m, Chart)]
    assert len(charts) == 1 and charts[0].png.startswith(b"\x89PNG")
    with transaction(engine) as session:
        assert "samenvatting" in {e.action for e in mentors.audit_log(session, sara)}


def test_two_schedulers_racing_send_each_job_once(engine: Engine, now, school) -> None:  # type: ignore[no-untyped-def]
    sara = student_id(engine, school["Sara"])
    yusuf = student_id(engine, school["Yusuf"])
    for sid in (sara, yusuf):
        process_turn(engine, school["a"], Commando("gesprek", now, f"{sid} morgen 09:00"))
    outbox = Outbox()
    later = now + timedelta(days=2)
    threads = [
        threading.Thread(target=scheduling.run_due, args=(engine, later, outbox)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outbox.to("900")) == 2  # two summaries, each once


def test_a_safeguarding_signal_reaches_the_mentor_who_confirms_it(
    engine: Engine, now, school
) -> None:  # type: ignore[no-untyped-def]
    who = school["Yusuf"]
    process_turn(engine, who, Knop("bliksemstage", 1, now))
    process_turn(engine, who, Bericht("bij de slager", now))
    process_turn(engine, who, Bericht("ik word thuis geslagen door mijn stiefvader", now))
    outbox = Outbox()
    scheduling.run_due(engine, now, outbox)
    (alert,) = outbox.to("900")
    assert "Zorgsignaal over Yusuf" in render(alert) and "geweld of misbruik" in render(alert)
    assert "stiefvader" not in render(alert)  # the mentor is told there is a signal, not the words
    button = alert[0].buttons[0].value
    assert "Gemarkeerd als gezien" in render(
        process_turn(engine, school["a"], Knop(button, 0, now)).replies
    )
    yusuf = student_id(engine, who)
    with transaction(engine) as session:
        assert all(f.seen_at for f in reflecties.flags_of_student(session, yusuf))
    other = render(process_turn(engine, school["b"], Knop(button, 0, now)).replies)
    assert "kan ik niet vinden" in other  # another mentor cannot touch it


def test_the_check_in_on_the_day_of_the_step_becomes_dossier_evidence(
    engine: Engine, now, school
) -> None:  # type: ignore[no-untyped-def]
    reflect(engine, school["Sara"], now)
    outbox = Outbox()
    scheduling.run_due(engine, now + timedelta(days=10), outbox)
    (question,) = outbox.to("1")
    assert "Is het gelukt?" in render(question)
    yes = next(b.value for b in question[0].buttons if b.value.endswith(":ja"))
    thanks = render(process_turn(engine, school["Sara"], Knop(yes, 0, now)).replies)
    assert "Super" in thanks
    again = render(process_turn(engine, school["Sara"], Knop(yes, 0, now)).replies)
    assert "al laten weten" in again
    sara = student_id(engine, school["Sara"])
    with transaction(engine) as session:
        entries = dossier.entries_of_student(session, sara)
    (checkin,) = [e for e in entries if "checkin" in e.content]
    assert checkin.content["checkin"]["gelukt"] == "ja" and checkin.competencies == [
        "loopbaansturing"
    ]
    forged = f"k:{yes.split(':')[1]}:ja"
    assert "voorbij" in render(process_turn(engine, school["Yusuf"], Knop(forged, 0, now)).replies)


def test_a_half_finished_reflection_gets_one_reminder_unless_turned_off(
    engine: Engine, now, school
) -> None:  # type: ignore[no-untyped-def]
    for name in ("Sara", "Yusuf"):
        process_turn(engine, school[name], Knop("gastles", 1, now))
        process_turn(engine, school[name], Bericht("een kok kwam vertellen", now))
    process_turn(engine, school["Yusuf"], Commando("herinneringen", now, "uit"))
    outbox = Outbox()
    scheduling.run_due(engine, now + timedelta(hours=1), outbox)
    assert outbox.sent == []  # too soon
    for days in (3, 4, 9):
        scheduling.run_due(engine, now + timedelta(days=days), outbox)
    assert [chat for chat, _m in outbox.sent] == ["1"]  # Sara once; Yusuf turned them off
    assert "Gastles" in render(outbox.to("1")[0])


def test_the_school_s_own_safeguarding_wording_reaches_the_mentor(
    engine: Engine, now, school, cli_env
) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from pathlib import Path

    lobbot = Path(sys.executable).with_name("lobbot")
    done = subprocess.run(
        [
            str(lobbot),
            "admin",
            "instelling",
            "--school",
            "1",
            "zorgbeleid",
            "Bel de zorgcoördinator, mevrouw Jansen, op 06-12345678.",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    who = school["Sara"]
    process_turn(engine, who, Knop("gastles", 1, now))
    process_turn(engine, who, Bericht("ik wil niet meer leven", now))
    outbox = Outbox()
    scheduling.run_due(engine, now, outbox)
    (alert,) = outbox.to("900")
    assert "mevrouw Jansen, op 06-12345678" in render(alert)
