"""Random conversations against the pure engine: whatever a student sends, ``stap`` answers.

A hypothesis state machine plays a student who types anything (empty, control characters, emoji,
10,000 characters, Arabic, Chinese, "weet ik niet", "ja", safeguarding phrases), sends commands
(known, unknown, with junk after them), presses buttons (shown ones, stale ones, made-up ones),
and sends photos, voice notes and stickers. After every turn the invariants below must hold, and
from wherever the student got to, a simple student can still finish the reflection.

The bugs it found have regression tests at the end of this file and in test_safeguarding.py.
"""

from __future__ import annotations

import copy
import json
import string
import unicodedata
from datetime import datetime, timedelta
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from flows import bank, invoer, reflectie
from flows.bank import Competentie, Vorm
from flows.events import Anders, Bericht, Commando, Event, Foto, Knop, Spraak
from flows.replies import (
    Antwoord,
    BeginErvaring,
    BreekErvaringAf,
    LegErvaringVast,
    Reply,
    RondErvaringAf,
    Signaal,
    Turn,
)
from flows.safeguarding import CATEGORIEEN, signaal
from tests.conftest import NOW
from tests.flows.helpers import Chat


def _bladeren(states: list[Any]) -> set[str]:
    """The machine's leaf states: nested ones are named "fase_vraag"."""
    namen: set[str] = set()
    for s in states:
        if isinstance(s, str):
            namen.add(s)
        elif s.get("children"):
            namen.update(f"{s['name']}_{kind}" for kind in s["children"])
        else:
            namen.add(s["name"])
    return namen


LEAF_STATES = _bladeren(reflectie.STATES)
EFFECT_TYPES = (BeginErvaring, LegErvaringVast, Antwoord, Signaal, RondErvaringAf, BreekErvaringAf)
SPECIAL = (
    reflectie.KLOPT,
    reflectie.AANPASSEN,
    reflectie.TERUG,
    reflectie.VERDER,
    reflectie.LATER,
    reflectie.NIEUW,
    reflectie.WEET_NIET,
    reflectie.OPSLAAN,
)
MAX_CALLBACK_DATA = 64  # Telegram: "<vraagnr>|<value>" must fit in 64 bytes
ANTWOORD = "ik hielp klanten"  # long enough not to be probed, no signal

# --- what the student sends ----------------------------------------------------------------------

VOORBEELDEN = (
    "",
    " ",
    "\n\n\t  \n",
    "\x00\x01\x02\x1b[31m\x7f",
    "\u200b\u200d\ufeff",
    "\u202eekaf",  # right-to-left override
    "😀",
    "👍👍👍",
    "🤷",
    "🤷‍♀️",
    "?",
    "...",
    "ja",
    "ok",
    "nee",
    "leuk",
    "Ja.",
    "weet ik niet",
    "Weet ik echt niet",
    "geen idee",
    "idk",
    "ik hielp klanten bij de kassa",
    "bliksemstage",
    "Open dag",
    "gastles",
    "1",
    "4",
    "😄",
    "vijf",
    "0",
    "6",
    "ja hoor",
    "misschien",
    "vrijdag",
    "morgen",
    "12-12",
    "31-02",
    "29-2",
    "3 maart 2027",
    "over twee weken",
    "مرحبا، كنت في المخبز وساعدت الخباز",
    "我在面包店帮忙，很有意思",
    "שלום",
    "ik was dood moe",
    "we lachten ons dood",
    "/start",
    "{answer}",
    "{0} {} %s %(x)s",
    "<b>vet</b> &amp;",
    "x" * invoer.MAX_ANTWOORD,
    "x" * (invoer.MAX_ANTWOORD + 1),
    "a " * 5000,
    "😀" * 10_000,
)
_lang = st.builds(
    lambda stuk, n: (stuk * n)[:n],
    st.text(min_size=1, max_size=4),
    st.sampled_from([invoer.MAX_ANTWOORD - 1, invoer.MAX_ANTWOORD + 1, 10_000]),
)
ZORG = (
    "ik wil dood",
    "Soms wil ik niet meer leven.",
    "mijn vader slaat me",
    "ik word bedreigd door een jongen uit mijn klas",
    "IK SNIJ MEZELF",
)
teksten = st.one_of(
    st.sampled_from(VOORBEELDEN),
    st.sampled_from(ZORG),
    st.text(max_size=60),
    # every code point, lone surrogates and private use included
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.text(st.sampled_from("عربيةالنص中文字符 \u200f\u200e\n\t"), max_size=40),
    _lang,
)
bijschriften = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.text(st.characters(exclude_categories=()), max_size=1100),
    st.sampled_from(["de taart die ik maakte", "😀", "mijn werkplek", "\x00\x1b", "x" * 3000]),
    st.sampled_from(ZORG),
)
COMMANDO_NAMEN = (
    *reflectie.COMMANDS,
    "START",
    "/start",
    "start@lobbot_bot",
    "Terug",
    "/verder@iemand_anders_bot",
    "",
    "/",
    "help",
    "foo",
    "stöp",
    "😀",
    "overslaan overslaan",
)
commando_namen = st.one_of(st.sampled_from(COMMANDO_NAMEN), st.text(max_size=15))
junk = st.one_of(st.just(""), st.text(max_size=40), st.sampled_from(["1", "alles", "x" * 5000]))
# a Telegram file_id or a file path, or junk from a broken channel
refs = st.one_of(
    st.text(
        st.sampled_from(string.ascii_letters + string.digits + "-_./"), min_size=1, max_size=90
    ),
    st.text(max_size=30),
    st.just("x" * 1000),
)
ANDERS = ("sticker", "location", "document", "contact", "poll", "animation", "video", "")


def _geldige_waarden(saved: dict[str, Any] | None) -> list[str]:
    """Button values that mean something at the current place in the conversation."""
    waarden = [*SPECIAL, *bank.ERVARING]
    waarden += [reflectie.COMPETENTIE + c.value for c in Competentie]
    waarden += list(bank.VRAAG)  # the lines of the summary (aanpassen)
    vraag = reflectie.vraag_van(saved["state"]) if saved else None
    if vraag is not None:
        keuzes = bank.SCHAAL if vraag.vorm is Vorm.SCHAAL else vraag.choices
        waarden += [k.value for k in (*keuzes, *vraag.scaffold)]
    return waarden


# --- the simple student who always finishes ------------------------------------------------------


def beleid(saved: dict[str, Any], at: datetime) -> Event:
    """What a cooperative student does next."""
    waar, nr = saved["state"], saved["vraagnr"]
    if saved["gepauzeerd"]:
        return Commando("verder", at)
    if waar in ("start", "klaar"):
        return Commando("start", at)
    knoppen = {
        "ervaring": "bliksemstage",
        "samenvatting": reflectie.KLOPT,
        "competenties": reflectie.OPSLAAN,  # the first buttons only toggle competencies
        "aanpassen": reflectie.TERUG,
    }
    if waar in knoppen:
        return Knop(knoppen[waar], nr, at)
    vraag = reflectie.vraag_van(waar)
    if vraag is None or vraag.vorm is Vorm.TEKST:  # herschrijven, or a text question
        return Bericht(ANTWOORD, at)
    keuzes = bank.SCHAAL if vraag.vorm is Vorm.SCHAAL else vraag.choices
    return Knop(keuzes[0].value, nr, at)


def afmaken(saved: dict[str, Any] | None, at: datetime, limit: int = 60) -> list[str]:
    """Play the cooperative student on a copy until "klaar"; returns the states passed."""
    state = copy.deepcopy(saved) if saved else reflectie.nieuw()
    pad = [state["state"]]
    for _ in range(limit):
        if state["state"] == "klaar" and not state["gepauzeerd"]:
            return pad
        state = reflectie.stap(state, beleid(state, at)).state
        pad.append(state["state"])
    raise AssertionError(f"not finished in {limit} steps: {pad}")


def _gezegd(replies: list[Reply]) -> str:
    return "\n".join(
        line.render(None)
        for r in replies
        for line in ((r.header, *r.lines) if r.header else r.lines)
    )


# --- the state machine ---------------------------------------------------------------------------


class Gesprek(RuleBasedStateMachine):
    """One student, one saved state, a random sequence of events."""

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[str, Any] | None = None
        self.at = NOW
        self.vraagnr = 0
        self.antwoorden: list[Antwoord] = []  # every Antwoord effect so far, in order
        self.open = False  # a BeginErvaring has been emitted and not yet ended
        self.bewaard: set[str] = set()  # questions with an Antwoord effect in this reflection
        self.zorgelijk: set[str] = set()  # flagged texts: for the mentor, never in the dossier
        self.turn: Turn | None = None

    # the one place where the engine is called --------------------------------------------------

    def stap(self, event: Event) -> Turn:
        argument = copy.deepcopy(self.saved)
        turn = reflectie.stap(argument, event)
        assert argument == self.saved, "stap changed the state it was given"
        self.controleer(event, turn)
        hervat = isinstance(event, Commando) or (
            isinstance(event, Knop) and event.value == reflectie.VERDER
        )
        if self.saved and self.saved["gepauzeerd"] and not hervat:  # paused: nothing is an answer
            assert all(isinstance(e, Signaal) for e in turn.effects)  # only a new worry counts
            assert turn.state["state"] == self.saved["state"]
        self.saved, self.turn = turn.state, turn
        return turn

    def controleer(self, event: Event, turn: Turn) -> None:
        state = turn.state
        # every event is answered, with something that can be shown
        assert turn.replies, "no reply"
        for reply in turn.replies:
            assert reply.lines, reply
            assert _gezegd([reply]).strip(), reply
            for button in reply.buttons:
                assert button.label.render(None).strip()
                data = f"{reply.vraagnr}|{button.value}".encode()
                assert len(data) <= MAX_CALLBACK_DATA, button.value
            if reply.buttons and not reply.notice:  # buttons belong to the current question
                assert reply.vraagnr == state["vraagnr"], (reply.vraagnr, state["vraagnr"])
        # a valid place, a saved state storage can keep
        assert state["state"] in LEAF_STATES, state["state"]
        assert set(reflectie.nieuw()) <= set(state)
        encoded = json.dumps(state, ensure_ascii=False)
        assert json.loads(encoded) == state, "saved state does not round-trip through JSON"
        encoded.encode("utf-8")  # no lone surrogates: PostgreSQL stores UTF-8
        assert "\\u0000" not in json.dumps(state), "NUL in the saved state (PostgreSQL rejects it)"
        # question numbers only go up
        assert state["vraagnr"] >= self.vraagnr, (self.vraagnr, state["vraagnr"])
        self.vraagnr = state["vraagnr"]
        # effects: only appends, of the known kinds, in an order storage can follow
        signalen_verwacht: list[str] = []
        for effect in turn.effects:
            assert isinstance(effect, EFFECT_TYPES), effect
            if isinstance(effect, BeginErvaring):
                assert not self.open, "a reflection began while another was still open"
                assert effect.kind in bank.ERVARING and effect.place
                self.open = True
                self.bewaard.add("plek")
            elif isinstance(effect, LegErvaringVast):
                assert self.open and effect.place
                self.bewaard.add("plek")
            elif isinstance(effect, Antwoord):
                self.controleer_antwoord(effect, state)
                if effect.flagged:
                    signalen_verwacht.append(effect.question_key)
            elif isinstance(effect, Signaal):
                assert effect.category in CATEGORIEEN
                if not (signalen_verwacht and signalen_verwacht[-1] == effect.question_key):
                    # typed outside a question (choosing, summary, paused): no answer is
                    # stored; the signal names the state it came in
                    assert effect.question_key in LEAF_STATES, effect
                    signalen_verwacht.append(effect.question_key)
            elif isinstance(effect, RondErvaringAf):
                assert self.open, "a reflection was completed that never began"
                entry = json.dumps(effect.entry, ensure_ascii=False, default=str)
                assert not [t for t in self.zorgelijk if t in entry], "flagged text in the dossier"
                assert state["state"] == "klaar"
                self.open = False
                self.bewaard = set(state["antwoorden"])  # shown at klaar, stored before
            elif isinstance(effect, BreekErvaringAf):
                assert self.open, "a reflection was abandoned that never began"
                self.open = False
                self.bewaard = set()
        assert len(signalen_verwacht) == sum(isinstance(e, Signaal) for e in turn.effects)
        # what the summary will show was stored as an answer first (never only in the state),
        # and never shows a flagged text
        assert set(state["antwoorden"]) <= self.bewaard, (set(state["antwoorden"]), self.bewaard)
        getoond = [a.get("text") or "" for a in state["antwoorden"].values()]
        assert not [t for t in self.zorgelijk for g in getoond if t in g], "flagged text kept"
        hypothesis.event(f"state {state['state']}")
        if signalen_verwacht:
            in_reflectie = state["ervaring"] is not None and state["state"] != "klaar"
            assert state["gepauzeerd"] == "zorg" or not in_reflectie
            assert "0800-0113" in _gezegd(turn.replies)

    def controleer_antwoord(self, antwoord: Antwoord, state: dict[str, Any]) -> None:
        self.antwoorden.append(antwoord)
        assert antwoord.question_key in bank.VRAAG or antwoord.question_key == "plek"
        assert antwoord.part in ("antwoord", "doorvraag", "correctie", "bijlage"), antwoord.part
        if antwoord.text is not None:
            assert 0 < len(antwoord.text) <= invoer.MAX_ANTWOORD
            assert all(ch == "\n" or unicodedata.category(ch) != "Cc" for ch in antwoord.text)
        if antwoord.media_ref is not None:  # a reference storage and the channel can use
            ref = antwoord.media_ref
            assert ref.strip()
            assert all(ch == "\n" or unicodedata.category(ch) != "Cc" for ch in ref)
        leeg = ("overgeslagen", "weetniet", "geen")  # kinds that are an answer without content
        assert antwoord.text or antwoord.choice or antwoord.media_ref or antwoord.kind in leeg
        if antwoord.part != "bijlage":
            self.bewaard.add(antwoord.question_key)
        if not antwoord.flagged and antwoord.part != "bijlage":
            assert self.open, f"answer outside a reflection: {antwoord}"
        if antwoord.flagged:
            assert antwoord.tags == ()  # a worried message is not evidence of a competency
            assert antwoord.text and signaal(antwoord.text) is not None
            self.zorgelijk.add(antwoord.text)
        elif antwoord.text:  # answers, follow-ups, corrections and captions alike
            assert signaal(antwoord.text) is None, f"signal not flagged: {antwoord.text!r}"

    # rules --------------------------------------------------------------------------------------

    @initialize(nieuw=st.booleans())
    def begin(self, nieuw: bool) -> None:
        """Either a student never seen (None), or the saved state of a fresh one."""
        if nieuw:
            self.saved = reflectie.nieuw()

    @rule(text=teksten)
    def typ(self, text: str) -> None:
        before = copy.deepcopy(self.saved)
        turn = self.stap(Bericht(text, self.at))
        schoon = invoer.schoon(text)
        waar = before["state"] if before else "start"
        vraag = reflectie.vraag_van(waar)
        if (
            before is not None
            and vraag is not None
            and not before["gepauzeerd"]
            and (not schoon or len(schoon) > invoer.MAX_ANTWOORD)
        ):  # nothing usable: the same question again, nothing stored
            assert turn.state == before and turn.effects == []

    @rule(name=commando_namen, arg=junk)
    def commando(self, name: str, arg: str) -> None:
        self.stap(Commando(name, self.at, arg))

    @rule(name=st.sampled_from(reflectie.COMMANDS))
    def bekend_commando(self, name: str) -> None:
        self.stap(Commando(name, self.at))

    @precondition(
        lambda self: (
            self.saved is not None
            and self.saved["state"] == "samenvatting"
            and not self.saved["gepauzeerd"]
        )
    )
    @rule(data=st.data(), text=teksten)
    def aanpassen(self, data: st.DataObject, text: str) -> None:
        """The cooperative student confirms; this one changes a line of the summary first."""
        self.stap(Knop(reflectie.AANPASSEN, self.vraagnr, self.at))
        regels = [v for v in self.knoppen() if v != reflectie.TERUG]
        assert self.saved["state"] == "aanpassen" and regels
        self.stap(Knop(data.draw(st.sampled_from(regels)), self.vraagnr, self.at))
        assert self.saved["state"] == "herschrijven"
        self.stap(Bericht(text, self.at))

    @precondition(lambda self: self.turn is not None and self.knoppen())
    @rule(data=st.data())
    def druk_getoonde_knop(self, data: st.DataObject) -> None:
        """Press a button that is on the screen now."""
        value = data.draw(st.sampled_from(self.knoppen()))
        turn = self.stap(Knop(value, self.vraagnr, self.at))
        assert "Die knop ken ik niet" not in _gezegd(turn.replies), value

    @rule(data=st.data())
    def druk_geldige_knop(self, data: st.DataObject) -> None:
        """A value that means something somewhere, pressed now (shown or not)."""
        value = data.draw(st.sampled_from(_geldige_waarden(self.saved)))
        self.stap(Knop(value, self.vraagnr, self.at))

    @rule(value=st.one_of(st.text(max_size=30), st.sampled_from(["", "c:", "c:bestaatniet"])))
    def druk_onzin_knop(self, value: str) -> None:
        self.stap(Knop(value, self.vraagnr, self.at))

    @rule(data=st.data(), value=st.one_of(st.sampled_from(SPECIAL), st.text(max_size=10)))
    def druk_oude_knop(self, data: st.DataObject, value: str) -> None:
        """A button from an earlier (or a made-up later) question: nothing changes."""
        nr = data.draw(
            st.one_of(
                st.integers(min_value=-3, max_value=self.vraagnr - 1),
                st.integers(min_value=self.vraagnr + 1, max_value=self.vraagnr + 10**6),
            )
        )
        before = copy.deepcopy(self.saved) if self.saved else reflectie.nieuw()
        turn = self.stap(Knop(value, nr, self.at))
        assert turn.state == before and turn.effects == []
        assert all(r.notice for r in turn.replies)
        assert "al voorbij" in _gezegd(turn.replies)

    @rule(ref=refs, caption=bijschriften)
    def foto(self, ref: str, caption: str) -> None:
        self.stap(Foto(ref, self.at, caption))

    @rule(ref=refs)
    def spraak(self, ref: str) -> None:
        self.stap(Spraak(ref, self.at))

    @rule(kind=st.sampled_from(ANDERS))
    def anders(self, kind: str) -> None:
        self.stap(Anders(kind, self.at))

    @rule(n=st.integers(min_value=1, max_value=12))
    def meewerken(self, n: int) -> None:
        """A few cooperative steps, so random input also happens deep in the conversation."""
        for _ in range(n):
            self.stap(beleid(self.saved or reflectie.nieuw(), self.at))

    @rule(delta=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
    def tijd(self, delta: timedelta) -> None:
        self.at += delta

    @rule()
    def kan_afmaken(self) -> None:
        """From wherever we are, a cooperative student finishes (on a copy: stap is pure)."""
        afmaken(self.saved, self.at)

    # invariants ---------------------------------------------------------------------------------

    @invariant()
    def zichtbaar(self) -> None:
        """The current question can be shown again at any time (after a restart, say)."""
        if self.saved is not None and self.saved["state"] != "start":  # no question yet
            assert reflectie.toon(self.saved)

    def teardown(self) -> None:
        afmaken(self.saved, self.at)

    def knoppen(self) -> list[str]:
        assert self.turn is not None
        return [b.value for r in self.turn.replies if not r.notice for b in r.buttons]


def test_random_conversations() -> None:
    run_state_machine_as_test(
        Gesprek,
        settings=settings(
            max_examples=300,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@pytest.mark.slow
def test_random_conversations_long() -> None:
    run_state_machine_as_test(
        Gesprek,
        settings=settings(
            max_examples=250,  # about two minutes on the CI machine
            stateful_step_count=80,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_the_cooperative_student_finishes_from_a_new_state() -> None:
    pad = afmaken(None, NOW)
    assert pad[-1] == "klaar" and "samenvatting" in pad and "competenties" in pad


# --- nothing usable at a question ----------------------------------------------------------------

VRAAG_STATES = [
    "plek",
    *(v for v in reflectie.VRAGEN if reflectie.vraag_van(v).geldt_voor("bliksemstage")),
]
LEEG = {
    "10.000 tekens": ("woord " * 2000)[:10_000],
    "alleen stuurtekens": "\x00\x01\x02\x03\x07\x08\x0b\x0c\x0e\x1b\x7f\x85",
    "leeg": "",
    "spaties": "  \n\t \n ",
    "onzichtbaar": "\u200b\u200d\ufeff\n\u200f",  # zero-width characters only
}


def _bij(target: str) -> Chat:
    chat = Chat()
    chat.start()
    for _ in range(40):
        if chat.where == target:
            return chat
        chat.send(beleid(chat.state, chat.at))
    raise AssertionError(f"never reached {target}")


@pytest.mark.parametrize("target", VRAAG_STATES)
@pytest.mark.parametrize("soort", list(LEEG))
def test_nothing_usable_asks_the_same_question_again(target: str, soort: str) -> None:
    chat = Chat()
    if target == "plek":
        chat.command("start")
        chat.press("bliksemstage")
    else:
        chat = _bij(target)
    before = copy.deepcopy(chat.state)
    answers = copy.deepcopy(before["antwoorden"])
    turn = reflectie.stap(chat.state, Bericht(LEEG[soort], chat.at))
    said = _gezegd(turn.replies)
    expected = "lang verhaal" if soort == "10.000 tekens" else "Ik zie geen tekst"
    assert expected in said
    vraag = reflectie.vraag_van(target)
    assert vraag.tekst_voor("bliksemstage").msgid in said  # the question, asked again
    assert turn.state == before  # same question, same number, nothing stored
    assert turn.state["antwoorden"] == answers
    assert turn.effects == []
    buttons = [r for r in turn.replies if r.buttons]
    assert all(r.vraagnr == before["vraagnr"] for r in buttons)


# --- found by the fuzzer: regressions -----------------------------------------------------------


def test_a_voice_note_where_the_place_is_asked_begins_the_reflection() -> None:
    chat = Chat()
    chat.command("start")
    chat.press("bliksemstage")
    chat.send(Spraak("voice-1", chat.at))
    assert chat.where == "plek" or any(isinstance(e, BeginErvaring) for e in chat.effects)


def test_stap_does_not_change_the_state_it_was_given() -> None:
    chat = _bij("competenties")
    saved = chat.state
    before = copy.deepcopy(saved)
    nieuw = next(c.value for c in Competentie if c.value not in saved["competenties"])
    turn = reflectie.stap(saved, Knop(reflectie.COMPETENTIE + nieuw, saved["vraagnr"], chat.at))
    assert nieuw in turn.state["competenties"]  # the toggle worked …
    assert saved == before  # … on a copy


def test_a_caption_is_cleaned_and_capped_like_typed_text() -> None:
    chat = _bij("terugkijken_foto")
    turn = reflectie.stap(chat.state, Foto("f", chat.at, "mijn\x00 taart " + "x" * 3000))
    texts = [e.text for e in turn.effects if isinstance(e, Antwoord)]
    assert texts == [("mijn taart " + "x" * 3000)[: invoer.MAX_ANTWOORD]]


def test_changing_the_kind_after_going_back_is_recorded() -> None:
    chat = Chat()
    chat.start("bliksemstage", "Bij de bakker")
    chat.command("terug")  # to plek
    chat.command("terug")  # to ervaring
    assert chat.where == "ervaring"
    chat.press("gastles")
    chat.text("Een kok kwam vertellen")
    kinds = [e.kind for e in chat.effects if isinstance(e, BeginErvaring)]
    assert chat.state["ervaring"] == "gastles"
    assert kinds[-1] == "gastles"
