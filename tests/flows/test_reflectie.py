"""The reflection machine: full runs, every state reachable, every side path from every phase."""

from __future__ import annotations

import json

import pytest

from flows import reflectie
from flows.bank import ERVARINGEN, FASEN, MET_EEN_TAAK, VRAAG, Vorm
from flows.events import Anders, Knop, Spraak
from flows.replies import Antwoord, BeginErvaring, BreekErvaringAf, RondErvaringAf, Signaal
from tests.flows.helpers import Chat

KINDS = [e.key for e in ERVARINGEN]


def answer_current(chat: Chat, text: str = "ik hielp klanten bij de kassa") -> None:
    """Answer the current question the way a student would."""
    where = chat.where
    if where in ("start", "klaar"):
        chat.command("start")
    elif where == "ervaring":
        chat.press("bliksemstage")
    elif where == "samenvatting":
        chat.press(reflectie.KLOPT)
    elif where == "competenties":
        chat.press(reflectie.OPSLAAN)
    else:
        vraag = reflectie.vraag_van(where)
        assert vraag is not None, where
        if vraag.vorm is Vorm.TEKST:
            chat.text(text)
        elif vraag.vorm is Vorm.FOTO:
            chat.photo()
        elif vraag.vorm is Vorm.SCHAAL:
            chat.press("4")
        else:
            chat.press(vraag.choices[0].value)


def advance_to(chat: Chat, target: str, limit: int = 40) -> None:
    for _ in range(limit):
        if chat.where == target:
            return
        answer_current(chat)
    raise AssertionError(f"never reached {target}, stuck at {chat.where}")


def first_question(fase: str, kind: str = "bliksemstage") -> str:
    phase = next(f for f in FASEN if f.key == fase)
    return f"{fase}_{next(v.key for v in phase.vragen if v.geldt_voor(kind))}"


@pytest.mark.parametrize("kind", KINDS)
def test_a_full_reflection_for_every_experience_type(kind: str) -> None:
    chat = Chat()
    chat.start(kind, "Bij het ROC in Zwolle")
    visited = [chat.where]
    while chat.where != "samenvatting":
        answer_current(chat)
        visited.append(chat.where)
    summary = chat.said()
    assert "Bij het ROC in Zwolle" in summary and "ik hielp klanten bij de kassa" in summary
    chat.press(reflectie.KLOPT)
    assert chat.where == "competenties"
    chat.press(reflectie.OPSLAAN)
    assert chat.where == "klaar"  # a first reflection has no earlier one to compare with
    phases = [s.split("_")[0] for s in visited if "_" in s]
    assert phases == sorted(phases, key=[f.key for f in FASEN].index)  # phases in order
    assert set(phases) == {f.key for f in FASEN}
    assert ("terugkijken_taak" in visited) == (kind in MET_EEN_TAAK)
    begun = [e for e in chat.effects if isinstance(e, BeginErvaring)]
    assert begun == [BeginErvaring(kind, "Bij het ROC in Zwolle")]
    assert sum(isinstance(e, RondErvaringAf) for e in chat.effects) == 1
    keys = [a.question_key for a in chat.answers()]
    assert len(keys) == len(set(keys))  # each question answered once


def test_every_state_of_the_machine_is_reachable() -> None:
    reached: set[str] = set()
    for kind in KINDS:
        chat = Chat()
        chat.command("start")
        reached.add(chat.where)
        chat.press(kind)
        reached.add(chat.where)
        chat.text("ergens")
        while chat.where != "samenvatting":
            reached.add(chat.where)
            answer_current(chat)
        reached.add(chat.where)
        chat.press(reflectie.AANPASSEN)
        reached.add(chat.where)
        chat.press("plek")
        reached.add(chat.where)
        chat.text("ergens anders")
        chat.press(reflectie.KLOPT)
        reached.add(chat.where)
        chat.press(reflectie.OPSLAAN)
        reached.add(chat.where)
    second = Chat()
    for _ in range(2):  # the second reflection asks about the first one's next step
        second.command("start")
        second.press("bliksemstage")
        second.text("bij de bakker")
        reached.add(second.where)
        advance_to(second, "competenties")
        second.press(reflectie.OPSLAAN)
        reached.add(second.where)
        advance_to(second, "klaar")
    leaves = {
        "start",
        "ervaring",
        "plek",
        "vorige",
        *reflectie.VRAGEN,
        "samenvatting",
        "aanpassen",
        "herschrijven",
        "competenties",
        "rodedraad",
        "klaar",
    }
    assert reached - {"start"} == leaves - {"start"}
    assert reflectie.stap(None, Anders("sticker", Chat().at)).state["state"] == "ervaring"


def test_each_question_shows_phase_and_progress() -> None:
    chat = Chat()
    chat.start()
    for nr, fase in enumerate(FASEN, start=1):
        advance_to(chat, first_question(fase.key))
        said = chat.said()
        assert f"{nr}/4 {'●' * nr}{'○' * (4 - nr)}" in said
        assert str(fase.label.msgid) in said


PHASES = [f.key for f in FASEN]


@pytest.mark.parametrize("fase", PHASES)
def test_terug_goes_one_question_back_from_every_phase(fase: str) -> None:
    chat = Chat()
    chat.start()
    target = first_question(fase)
    advance_to(chat, target)
    chain = [
        "plek",
        *[s for s in reflectie.VRAGEN if VRAAG[s.split("_")[1]].geldt_voor("bliksemstage")],
    ]
    previous = chain[chain.index(target) - 1]
    chat.command("terug")
    assert chat.where == previous
    before = len(chat.answers())
    answer_current(chat, "nieuw antwoord")
    assert chat.where == target
    if previous != "plek":
        assert chat.answers()[before].question_key == previous.split("_")[1]


def test_terug_at_the_start_and_from_the_summary() -> None:
    chat = Chat()
    chat.command("start")
    chat.command("terug")
    assert chat.where == "ervaring" and "Wat heb je gedaan?" in chat.said()
    chat.press("gastles")
    chat.command("terug")
    assert chat.where == "ervaring"
    advance_to(chat, "samenvatting")
    chat.command("terug")
    assert chat.where == reflectie.VRAGEN[-1]


@pytest.mark.parametrize("fase", PHASES)
def test_overslaan_skips_from_every_phase(fase: str) -> None:
    chat = Chat()
    chat.start()
    target = first_question(fase)
    advance_to(chat, target)
    nummer = chat.state["vraagnr"]
    chat.command("overslaan")
    skipped = chat.answers()[-1]
    assert (skipped.question_key, skipped.kind) == (target.split("_")[1], "overgeslagen")
    assert chat.where != target and chat.state["vraagnr"] == nummer + 1


def text_question_in(fase: str) -> str:
    phase = next(f for f in FASEN if f.key == fase)
    vraag = next(v for v in phase.vragen if v.vorm is Vorm.TEKST and v.geldt_voor("bliksemstage"))
    return f"{fase}_{vraag.key}"


@pytest.mark.parametrize("fase", PHASES)
def test_weet_ik_niet_scaffolds_once_then_accepts_in_every_phase(fase: str) -> None:
    chat = Chat()
    chat.start()
    target = text_question_in(fase)
    advance_to(chat, target)
    vraag = reflectie.vraag_van(target)
    chat.text("weet ik niet")
    assert chat.where == target and not any(
        isinstance(a, Antwoord) and a.kind == "weetniet" for a in chat.answers()
    )
    if vraag.scaffold:
        shown = {b.value for b in chat.replies[-1].buttons}
        assert shown == {k.value for k in vraag.scaffold}
    chat.press(reflectie.WEET_NIET) if chat.buttons_reply and any(
        b.value == reflectie.WEET_NIET for b in chat.buttons_reply.buttons
    ) else chat.text("geen idee")
    assert chat.answers()[-1].kind == "weetniet"
    assert chat.where != target


def test_a_scaffold_button_is_an_answer() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "reflecteren_goed")
    chat.press(reflectie.WEET_NIET)
    chat.press("klanten")
    last = chat.answers()[-1]
    assert (last.question_key, last.kind, last.choice) == ("goed", "scaffold", "klanten")
    assert chat.where == "reflecteren_leuk"


@pytest.mark.parametrize("fase", PHASES)
def test_stop_and_resume_at_the_same_question_from_every_phase(fase: str) -> None:
    chat = Chat()
    chat.start()
    target = first_question(fase)
    advance_to(chat, target)
    answers = len(chat.answers())
    chat.command("stop")
    assert chat.state["gepauzeerd"] == "stop" and "bewaard" in chat.said()
    saved = json.loads(json.dumps(chat.state))  # what storage keeps
    chat.state = saved
    chat.text("hoi, ik ben er weer")
    assert "verder" in chat.said().lower() and chat.where == target
    chat.press(reflectie.VERDER)
    assert chat.where == target and chat.state["gepauzeerd"] is None
    assert len(chat.answers()) == answers  # "hoi" was not taken as an answer
    question = reflectie.vraag_van(target)
    assert question.tekst_voor("bliksemstage").msgid in chat.said()


@pytest.mark.parametrize("fase", PHASES)
def test_opnieuw_abandons_but_keeps_from_every_phase(fase: str) -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, first_question(fase))
    chat.command("opnieuw")
    assert chat.where == "ervaring"
    assert sum(isinstance(e, BreekErvaringAf) for e in chat.effects) == 1
    assert chat.state["antwoorden"] == {} and chat.state["ervaring"] is None
    chat.press("gastles")
    chat.text("Een kok kwam vertellen")
    assert [e.kind for e in chat.effects if isinstance(e, BeginErvaring)] == [
        "bliksemstage",
        "gastles",
    ]


def test_a_short_answer_gets_one_probe_never_a_loop() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "terugkijken_moment")
    chat.text("leuk")
    assert chat.where == "terugkijken_moment" and "“leuk”" in chat.said()
    chat.text("ok")  # still short: accepted, and on we go
    assert chat.where == "terugkijken_foto"
    parts = [(a.question_key, a.part) for a in chat.answers()[-2:]]
    assert parts == [("moment", "antwoord"), ("moment", "doorvraag")]


def test_a_stale_button_does_not_change_anything() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "reflecteren_gevoel")
    old = chat.buttons_reply
    chat.press("4")
    state = dict(chat.state)
    chat.send(Knop("2", old.vraagnr, chat.at))
    assert "al voorbij" in chat.said()
    assert chat.state == state


def test_an_unknown_button_value_is_answered_kindly() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "vooruitkijken_past")
    chat.send(Knop("bestaat-niet", chat.state["vraagnr"], chat.at))
    assert chat.where == "vooruitkijken_past" and "knop" in chat.said().lower()


def test_photo_where_text_was_asked_is_kept_and_the_question_stays() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "terugkijken_wat")
    chat.photo("foto-x")
    assert chat.where == "terugkijken_wat"
    kept = chat.answers()[-1]
    assert (kept.kind, kept.part, kept.media_ref) == ("foto", "bijlage", "foto-x")


def test_voice_note_and_sticker() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "terugkijken_wat")
    chat.send(Anders("sticker", chat.at))
    assert chat.where == "terugkijken_wat" and "niet lezen" in chat.said()
    chat.send(Spraak("voice-1", chat.at))
    assert chat.answers()[-1].kind == "spraak" and "Typen helpt" in chat.said()


def test_a_command_mid_question_keeps_the_question() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "reflecteren_leuk")
    chat.command("hulp")
    assert "/terug" in chat.said() and chat.where == "reflecteren_leuk"
    chat.command("bestaatniet")
    assert "ken ik niet" in chat.said() and chat.where == "reflecteren_leuk"


def test_dates_typed_or_chosen_become_due_dates(now) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(now)
    chat.start()
    advance_to(chat, "activeren_wanneer")
    chat.text("morgenochtend misschien")
    assert chat.where == "activeren_wanneer" and "datum" in chat.said()
    chat.text("vrijdag")
    assert str(chat.answers()[-1].due) == "2026-11-27"


def test_summary_correction_is_a_new_answer_not_an_overwrite() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "samenvatting")
    chat.press(reflectie.AANPASSEN)
    chat.press("goed")
    chat.text("ik kon goed uitleggen aan klanten")
    assert chat.where == "samenvatting"
    assert "ik kon goed uitleggen aan klanten" in chat.said()
    goed = [a for a in chat.answers() if a.question_key == "goed"]
    assert [a.part for a in goed] == ["antwoord", "correctie"]


def test_after_klaar_a_new_reflection_can_start() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "klaar")
    chat.text("hoi")
    assert chat.where == "klaar" and chat.buttons_reply.buttons[0].value == reflectie.NIEUW
    chat.press(reflectie.NIEUW)
    assert chat.where == "ervaring" and chat.state["antwoorden"] == {}


def test_safeguarding_pauses_instead_of_asking_on() -> None:
    chat = Chat()
    chat.start()
    advance_to(chat, "reflecteren_anderen")
    chat.text("thuis slaat mijn vader mij als ik iets fout doe")
    said = chat.said()
    assert "0800-0432" in said and "0800-0113" in said and "112" in said
    assert chat.where == "reflecteren_anderen" and chat.state["gepauzeerd"] == "zorg"
    assert chat.answers()[-1].flagged and isinstance(chat.effects[-1], Signaal)
    assert "Past dit soort werk" not in said
