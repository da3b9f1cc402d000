"""Onboarding: a class code, a name, the privacy notice; codes that do not work explain why."""

from __future__ import annotations

from flows import aanmelding
from flows.events import Bericht, CodeGecontroleerd, Commando, Knop
from flows.replies import KiesTaal, WordLeerling, WordMentor
from flows.text import render
from tests.conftest import NOW


def said(turn) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(render(line, None) for r in turn.replies for line in r.lines)


def good_class_code() -> CodeGecontroleerd:
    return CodeGecontroleerd(
        "ok",
        NOW,
        "klas",
        code_id=3,
        school_id=1,
        class_id=2,
        klas="3B",
        mentor="mevrouw Yilmaz",
        school="De Brug",
    )


def test_without_a_code_the_student_learns_how_to_get_one() -> None:
    turn = aanmelding.stap(None, Commando("start", NOW))
    assert turn.state["state"] == "code" and "code van je mentor" in said(turn)
    turn = aanmelding.stap(turn.state, Bericht("hoi", NOW))
    assert turn.state["state"] == "code" and "code" in said(turn)


def choose_language(state: dict, code: str = "nl"):  # type: ignore[no-untyped-def]
    assert state["state"] == "taal"
    return aanmelding.stap(state, Knop(f"t:{code}", 0, NOW))


def test_class_code_language_name_privacy_then_a_student() -> None:
    turn = aanmelding.stap(None, good_class_code())
    assert "Kies je taal" in said(turn) and "العربية" in [
        b.label.render(None) for b in turn.replies[0].buttons
    ]
    turn = choose_language(turn.state, "ar")
    assert turn.effects == [KiesTaal("ar")]
    assert turn.state["state"] == "naam" and "3B" in said(turn) and "mevrouw Yilmaz" in said(turn)
    turn = aanmelding.stap(turn.state, Bericht("sara de vries", NOW))
    assert turn.state["state"] == "privacy"
    text = said(turn)
    assert "Ik noem je Sara" in text and "alleen jij en je mentor (mevrouw Yilmaz)" in text
    assert not turn.effects
    turn = aanmelding.stap(turn.state, Knop(aanmelding.AKKOORD, 0, NOW))
    assert turn.effects == [WordLeerling("Sara", 3, 1, 2)]
    assert turn.state["state"] == "klaar"


def test_a_name_must_be_a_name() -> None:
    state = choose_language(aanmelding.stap(None, good_class_code()).state).state
    for bad in ("", "12345", "😀", "https://x.nl", "_"):
        turn = aanmelding.stap(state, Bericht(bad, NOW))
        assert turn.state["state"] == "naam", bad
        assert "voornaam" in said(turn)


def test_another_name_can_be_chosen_at_the_privacy_notice() -> None:
    state = choose_language(aanmelding.stap(None, good_class_code()).state).state
    state = aanmelding.stap(state, Bericht("Sam", NOW)).state
    turn = aanmelding.stap(state, Knop(aanmelding.ANDERE_NAAM, 0, NOW))
    assert turn.state["state"] == "naam"


def test_codes_that_do_not_work_say_why() -> None:
    expected = {
        "onbekend": "ken ik niet",
        "verlopen": "verlopen",
        "ingetrokken": "werkt niet meer",
        "gebruikt": "al gebruikt",
    }
    for status, words in expected.items():
        turn = aanmelding.stap(None, CodeGecontroleerd(status, NOW))
        assert turn.state["state"] == "code" and words in said(turn), status


def test_too_many_wrong_codes_names_the_wait_with_plural_forms() -> None:
    one = said(aanmelding.stap(None, CodeGecontroleerd("te_vaak", NOW, wait_seconds=1)))
    many = said(aanmelding.stap(None, CodeGecontroleerd("te_vaak", NOW, wait_seconds=30)))
    minutes = said(aanmelding.stap(None, CodeGecontroleerd("te_vaak", NOW, wait_seconds=600)))
    assert "1 seconde " in one and "30 seconden" in many and "10 minuten" in minutes


def test_a_mentor_invite_links_the_mentor() -> None:
    turn = aanmelding.stap(
        None,
        CodeGecontroleerd(
            "ok", NOW, "mentor", code_id=9, school_id=1, mentor_id=4, school="De Brug"
        ),
    )
    assert turn.effects == [WordMentor(9, 4)] and "mentor bij De Brug" in said(turn)


def test_what_looks_like_a_code() -> None:
    assert aanmelding.lijkt_code("HYAe4jUth95bl3UG")
    assert not aanmelding.lijkt_code("hoi") and not aanmelding.lijkt_code("ik ben Sam")
