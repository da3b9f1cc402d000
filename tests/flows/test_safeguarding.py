"""Safeguarding in both directions: clear signals are caught with the right category, ordinary
stage talk ("dood moe", "spijkers slaan", "brood snijden") is not, and through the engine a
signal pauses the reflection with the help numbers instead of asking on.

A missed signal or a false alarm is fixed in ``flows/data/signalen.toml``, not here.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows import bank, reflectie
from flows.bank import Vorm
from flows.events import Bericht, Commando, Foto, Knop
from flows.replies import Antwoord, Reply, RondErvaringAf, Signaal
from flows.safeguarding import CATEGORIEEN, normaliseer, signaal, zorgbericht
from tests.flows.helpers import Chat

ZELFBESCHADIGING = [
    "ik wil niet meer leven",
    "Ik wil niet meer leven.",
    "De stage was oké maar eigenlijk wil ik niet meer leven",
    "soms wil ik dood",
    "Soms wil ik gewoon dood.",
    "ik wil dood",
    "IK WIL DOOD!!!",
    "eerlijk gezegd wil ik dood, alles is kut",
    "ik wil gewoon doodgaan",
    "ik wou dat ik dood was",
    "ik wil er niet meer zijn",
    "ik snij mezelf",
    "ik snij mezelf soms als het thuis ruzie is",
    "soms snij ik in mijn arm",
    "ik kras mezelf",
    "soms kras ik mezelf",
    "ik denk aan zelfmoord",
    "Ik denk soms aan zelfmoord.",
    "ik heb zelfmoordgedachten",
    "ik denk aan zelfmoort",  # d/t slip
    "ik wil zelfmoord plegen",
    "ik wil mezelf iets aandoen",
    "ik denk erover om mezelf iets aan te doen",
    "ik wil mezelf pijn doen",
    "ik doe mezelf pijn",
    "ik wil mezelf van kant maken",
    "ik wil me ophangen",
    "mijn leven heeft geen zin",
    "m’n leven heeft geen zin",  # curly apostrophe from a phone keyboard
    "mn leven heeft geen zin meer",
    "ik heb geen zin meer in het leven",
    "ik wil er een eind aan maken",
    "ik ben het leven zat",
    "i want to die",
    "ik was dood moe en ik wil dood",  # an idiom does not hide a signal
]
MISBRUIK = [
    "mijn vader slaat me",
    "Mijn vader slaat me.",
    "MIJN VADER SLAAT ME",
    "mn vader slaat me als hij dronken is",
    "thuis slaat mijn stiefvader mij",
    "ze slaan me thuis",
    "mijn moeder schopt me",
    "ik word thuis geslagen",
    "thuis word ik geslagen",
    "ik word geslagen door mijn moeder",
    "mijn vader heeft me geslagen",
    "ik krijg klappen thuis",
    "ik krijg thuis klappen van mijn vader",
    "mijn vader slaat mijn moeder",
    "mijn broer mishandelt mij",
    "mijn oom zit aan me",
    "mijn oom zit aan mij en ik wil dat niet",
    "hij heeft aan me gezeten",
    "mijn oom raakt me aan",
    "ik ben ongewenst aangeraakt op mijn stage",
    "ik word misbruikt door mijn buurman",
    "ik ben aangerand",
    "we lachten ons dood maar thuis slaat mijn vader me",
]
GEVAAR = [
    "ik word bedreigd",
    "ik word bedreigd door jongens uit mijn wijk",
    "ze hebben me bedreigd",
    "iemand chanteert me",
    "ik word gechanteerd met fotos",
    "ik word achtervolgd",
    "ze gaan me in elkaar slaan",
    "ze willen me in elkaar slaan na school",
    "hij zei dat hij me gaat vermoorden",
    "iemand wil me neersteken",
    "ze hebben me in elkaar geslagen",
    "ik voel me niet veilig thuis",
    "ik voel me thuis niet veilig",
    "Ik voel me niet veilig op school.",
    "ik ben niet veilig thuis",
    "ik voel me onveilig",
    "ik word elke dag gepest",
    "ik word gepest",
    "Ik word gepest op school",
    "ze pesten me elke dag",
    "ik durf niet naar huis",
    "ik durf niet meer naar school",
    "ik ben bang voor mijn vader",
]
GEWOON = [
    # the examples the signal list was written for
    "ik was dood moe",
    "Ik was echt dood moe na de stage",
    "DOODMOE",
    "ik was doodop",
    "ik schrok me dood van de machine",
    "we lachten ons dood",
    "we lachten ons dood om de klant",
    "ik lach me dood",
    "ik verveelde me dood",
    "ik schaamde me dood toen ik viel",
    "ik werkte me kapot",
    "ik ging bijna dood van de honger",
    "ik ging bijna dood van het lachen",
    "het was doodsaai",
    "het was dood saai",
    "dodelijk saai",
    "het was dodelijk vermoeiend",
    "het was moordend heet in de keuken",
    # strong words at a bliksemstage
    "we moesten spijkers slaan",
    "we sloegen met de hamer op de plank",
    "ik sloeg de spijker mis en raakte mijn duim",
    "de klant sloeg op de bel",
    "brood snijden",
    "ik moest brood snijden",
    "ik moest hout zagen en snijden",
    "ik moest vlees snijden bij de slager",
    "Ik sneed me per ongeluk in mijn vinger",
    "de bakker sneed het brood voor me",
    "ik moest de kippen slachten",
    "de kip was dood",
    "de hond ging dood",
    "ik moest de dode bladeren opruimen",
    "ik was bang voor de grote machine",
    "ik ben bang voor mijn examen",
    "ik ben bang voor mijn eerste werkdag",
    "mijn baas was streng",
    "de trainer schopte de bal naar me",
    "hij gooide de bal naar me",
    "hij zat aan mijn telefoon",
    "de monteur liet me zien hoe je een band verwisselt",
    # "niet meer" and "er niet" that are about the stage
    "ik wou dat ik er niet bij was geweest",
    "ik wil er niet meer over praten",
    "ik wil niet meer terug naar die stage",
    "ik heb geen zin meer in school",
    "mijn leven lang wil ik al kok worden",
    "ik wil later bij de politie werken",
    "",
    "😀",
]


@pytest.mark.parametrize("text", ZELFBESCHADIGING)
def test_self_harm_is_caught(text: str) -> None:
    assert signaal(text) == "zelfbeschadiging"


@pytest.mark.parametrize("text", MISBRUIK)
def test_abuse_is_caught(text: str) -> None:
    assert signaal(text) == "misbruik"


@pytest.mark.parametrize("text", GEVAAR)
def test_danger_is_caught(text: str) -> None:
    assert signaal(text) == "gevaar"


@pytest.mark.parametrize("text", GEWOON)
def test_ordinary_words_are_not_alarmed(text: str) -> None:
    assert signaal(text) is None


@pytest.mark.parametrize("text", ["ik wil dood", "mijn vader slaat me", "ik word bedreigd"])
@pytest.mark.parametrize(
    "around",
    [
        "{}",
        "Hoi. {}",
        "de stage was wel oké. {} maar dat zeg ik nooit",
        "{}...",
        "  {}  ",
        "{}\nsorry",
    ],
)
def test_a_signal_inside_a_longer_message_is_caught(text: str, around: str) -> None:
    assert signaal(around.format(text)) == signaal(text) is not None


def test_normaliseer() -> None:
    assert normaliseer("  M’n  Vader\n‘slaat’  ") == "m'n vader 'slaat'"


@given(st.text(max_size=200))
def test_any_text_gets_a_category_or_none(text: str) -> None:
    assert signaal(text) in (None, *CATEGORIEEN)


# --- through the engine -------------------------------------------------------------------------

HULP = ("0800-0432", "0800-0113", "112")


def said(replies: list[Reply]) -> str:
    return "\n".join(
        line.render(None)
        for r in replies
        for line in ((r.header, *r.lines) if r.header else r.lines)
    )


def cooperative(chat: Chat) -> Bericht | Knop:
    """What a cooperative student sends at the current question."""
    vraag = reflectie.vraag_van(chat.where)
    nr = chat.state["vraagnr"]
    if chat.where == "samenvatting":
        return Knop(reflectie.KLOPT, nr, chat.at)
    if vraag is None or vraag.vorm is Vorm.TEKST:
        return Bericht("ik hielp klanten bij de kassa", chat.at)
    keuzes = bank.SCHAAL if vraag.vorm is Vorm.SCHAAL else vraag.choices
    return Knop(keuzes[0].value, nr, chat.at)


def advance(chat: Chat, target: str) -> None:
    """Answer like a cooperative student until the conversation is at ``target``."""
    chat.start()
    for _ in range(40):
        if chat.where == target:
            return
        chat.send(cooperative(chat))
    raise AssertionError(f"never reached {target}")


def next_question(chat: Chat) -> str:
    """What the engine would ask after an ordinary answer here (stap is pure: a dry run)."""
    turn = reflectie.stap(chat.state, cooperative(chat))
    assert turn.state["state"] != chat.where
    return said(reflectie.toon(turn.state))


TARGETS = [
    "plek",
    "terugkijken_wat",
    "terugkijken_moment",
    "reflecteren_gevoel",  # a rating: typed text is checked before it is read as a number
    "reflecteren_anderen",
    "vooruitkijken_past",  # a choice
    "vooruitkijken_waarom",
    "activeren_wanneer",  # a date
    "activeren_obstakel",
]
SIGNALEN = [
    ("Soms wil ik gewoon dood.", "zelfbeschadiging"),
    ("mijn vader slaat me", "misbruik"),
    ("ik word elke dag gepest", "gevaar"),
]


@pytest.mark.parametrize(("text", "category"), SIGNALEN)
@pytest.mark.parametrize("target", TARGETS)
def test_a_signal_at_a_question_pauses_with_help(target: str, text: str, category: str) -> None:
    chat = Chat()
    if target == "plek":
        chat.command("start")
        chat.press("bliksemstage")
    else:
        advance(chat, target)
    before = chat.state
    vraag = reflectie.vraag_van(target)
    volgende = next_question(chat)

    turn = reflectie.stap(before, Bericht(text, chat.at))
    shown = said(turn.replies)
    for number in HULP:
        assert number in shown
    assert [line.msgid for r in turn.replies for line in r.lines] == [
        line.msgid for line in zorgbericht()
    ]
    assert not any(r.buttons for r in turn.replies)
    assert volgende not in shown  # the next question is not asked
    answers = [e for e in turn.effects if isinstance(e, Antwoord)]
    assert len(answers) == 1
    assert (answers[0].question_key, answers[0].text, answers[0].flagged, answers[0].tags) == (
        vraag.key,
        text,
        True,
        (),
    )
    assert [e for e in turn.effects if isinstance(e, Signaal)] == [Signaal(category, vraag.key)]
    assert turn.effects.index(answers[0]) < turn.effects.index(Signaal(category, vraag.key))
    state = turn.state
    assert (state["state"], state["gepauzeerd"]) == (target, "zorg")
    assert state["vraagnr"] == before["vraagnr"]
    assert vraag.key not in state["antwoorden"]  # never in the summary, not evidence of anything

    # the next message offers to continue, and stores nothing
    later = reflectie.stap(state, Bericht("hoi", chat.at))
    assert "verder" in said(later.replies).lower()
    assert {b.value for r in later.replies for b in r.buttons} == {
        reflectie.VERDER,
        reflectie.LATER,
    }
    assert later.effects == [] and later.state == state

    # /verder resumes at the same question
    verder = reflectie.stap(later.state, Commando("verder", chat.at))
    assert verder.state["state"] == target and verder.state["gepauzeerd"] is None
    assert vraag.tekst_voor("bliksemstage").msgid in said(verder.replies)
    assert verder.effects == []


def test_the_continue_button_resumes_too_and_later_keeps_waiting() -> None:
    chat = Chat()
    advance(chat, "reflecteren_leuk")
    chat.text("ik voel me niet veilig thuis")
    assert chat.state["gepauzeerd"] == "zorg"
    chat.text("ok")
    chat.press(reflectie.LATER)
    assert chat.state["gepauzeerd"] == "zorg" and "/verder" in chat.said()
    chat.text("nu wel")
    chat.press(reflectie.VERDER)
    assert chat.where == "reflecteren_leuk" and chat.state["gepauzeerd"] is None
    chat.text("ik vond het leuk om met mensen te werken")
    assert chat.where == "reflecteren_anderen"


def test_a_signal_in_the_answer_to_a_probe_is_caught() -> None:
    chat = Chat()
    advance(chat, "terugkijken_moment")
    chat.text("leuk")  # short: one follow-up question
    assert chat.state["geprobed"]
    chat.text("maar thuis slaat mijn vader me")
    assert chat.state["gepauzeerd"] == "zorg"
    assert chat.effects[-1] == Signaal("misbruik", "moment")
    assert chat.answers()[-1].flagged


@pytest.mark.parametrize("text", ["ik was dood moe maar het was leuk", "we moesten spijkers slaan"])
def test_an_ordinary_answer_goes_on(text: str) -> None:
    chat = Chat()
    advance(chat, "terugkijken_wat")
    chat.text(text)
    assert chat.state["gepauzeerd"] is None and chat.where != "terugkijken_wat"
    assert not any(isinstance(e, Signaal) for e in chat.effects)
    assert not any(a.flagged for a in chat.answers())
    assert not any(n in chat.said() for n in ("0800-0113", "0800-0432"))


# --- gaps the tests found, now closed ------------------------------------------------------------


def test_a_worrying_correction_is_flagged() -> None:
    chat = Chat()
    advance(chat, "samenvatting")
    chat.press(reflectie.AANPASSEN)
    chat.press("wat")
    assert chat.where == "herschrijven"
    chat.text("ik wil niet meer leven")
    assert Signaal("zelfbeschadiging", "wat") in chat.effects
    assert chat.state["gepauzeerd"] == "zorg"


def test_a_worrying_caption_is_flagged() -> None:
    chat = Chat()
    advance(chat, "terugkijken_foto")
    turn = reflectie.stap(chat.state, Foto("foto-1", chat.at, "ik snij mezelf"))
    assert Signaal("zelfbeschadiging", "foto") in turn.effects
    assert turn.state["gepauzeerd"] == "zorg"


def test_a_worrying_answer_never_reaches_the_summary_or_the_dossier() -> None:
    chat = Chat()
    advance(chat, "terugkijken_moment")
    chat.text("leuk")  # a probe follows
    chat.text("ik wil dood")
    assert chat.state["gepauzeerd"] == "zorg"
    chat.command("verder")
    chat.command("overslaan")  # after a probe, the first answer is supposed to stand
    while chat.where != "samenvatting":
        chat.send(cooperative(chat))
    assert "ik wil dood" not in chat.said()
    chat.press(reflectie.KLOPT)
    chat.press(reflectie.OPSLAAN)
    entry = next(e.entry for e in chat.effects if isinstance(e, RondErvaringAf))
    assert "ik wil dood" not in str(entry)


def test_a_stale_button_after_the_pause_changes_nothing() -> None:
    chat = Chat()
    advance(chat, "reflecteren_gevoel")
    old = chat.state["vraagnr"]
    chat.text("ik word bedreigd")
    state = chat.state
    turn = reflectie.stap(state, Knop("4", old - 1, chat.at))
    assert turn.state == state and turn.effects == []


@pytest.mark.parametrize("where", ["ervaring", "samenvatting", "competenties"])
def test_a_worrying_message_outside_a_question_is_answered_with_care(where: str) -> None:
    chat = Chat()
    if where == "ervaring":
        chat.command("start")
    else:
        advance(chat, where)
    chat.text("ik wil niet meer leven")
    assert "0800-0113" in chat.said()
    assert Signaal("zelfbeschadiging", where) in chat.effects


def test_a_second_worrying_message_while_paused_gets_care_again_not_a_welcome() -> None:
    chat = Chat()
    advance(chat, "reflecteren_anderen")
    chat.text("mijn vader slaat mij")
    chat.text("en ik ben bang om naar huis te gaan")
    assert "0800-0432" in chat.said() and "Welkom terug" not in chat.said()
    assert chat.state["gepauzeerd"] == "zorg"
