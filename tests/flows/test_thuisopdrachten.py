"""The thuisopdrachten as data, and a parent's conversation through one (pure, no database)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flows import ouder
from flows.bank import Competentie
from flows.events import Anders, Bericht, Commando, Knop, Spraak
from flows.replies import RondThuisopdrachtAf
from flows.thuisopdrachten import THUISOPDRACHTEN

AT = datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_five_thuisopdrachten_of_two_to_four_prompts_naming_their_competencies() -> None:
    assert [t.key for t in THUISOPDRACHTEN] == ["sterk", "beroepen", "netwerk", "opendag", "keuze"]
    for opdracht in THUISOPDRACHTEN:
        assert 2 <= len(opdracht.prompts) <= 4, opdracht.key
        assert opdracht.competenties and set(opdracht.competenties) <= set(Competentie)
        assert len({p.key for p in opdracht.prompts}) == len(opdracht.prompts)
        assert any(p.keuzes for p in opdracht.prompts), f"{opdracht.key}: no buttons at all"
        for prompt in opdracht.prompts:
            for keuze in prompt.keuzes:  # o:<id>:<nr>:<value> stays within Telegram's 64 bytes
                assert len(f"{ouder.OPDRACHT}999999999:3:{keuze.value}".encode()) <= 64


def started(key: str = "sterk") -> dict:
    turn = ouder.begin(None, 41, key, "Sara", "moeder")
    assert turn.state["state"] == "vraag"
    return json.loads(json.dumps(turn.state))  # the state survives being saved as JSON


def test_a_parent_answers_by_button_text_and_voice_and_the_entry_keeps_each() -> None:
    state = started()
    turn = ouder.stap(state, Knop("o:41:0:helpen", 0, AT))
    turn = ouder.stap(turn.state, Spraak("voice-1", AT))
    turn = ouder.stap(turn.state, Bericht("Ze tekent graag en helpt haar oma met koken", AT))
    assert turn.state["state"] == "wacht" and turn.state["opdracht"] is None
    [done] = [e for e in turn.effects if isinstance(e, RondThuisopdrachtAf)]
    answers = done.entry["thuisopdracht"]["antwoorden"]
    assert answers["goed"] == {"keuze": "helpen"}
    assert answers["voorbeeld"] == {"spraak": "voice-1"}
    assert answers["leuk"]["tekst"].startswith("Ze tekent")
    assert {"kwaliteiten", "motieven"} <= set(done.competenties)


def test_bad_input_gets_a_kind_reply_and_loses_nothing() -> None:
    state = ouder.stap(started(), Knop("o:41:0:sport", 0, AT)).state
    for event in (
        Bericht("", AT),
        Bericht("😀😀", AT),
        Anders("sticker", AT),
        Knop("o:41:0:helpen", 0, AT),  # a stale button of the first prompt
        Knop("o:7:1:helpen", 0, AT),  # another thuisopdracht's button
        Commando("hulp", AT),
    ):
        turn = ouder.stap(state, event)
        assert turn.replies, event
        assert turn.state["opdracht"]["nr"] == 1, event
        assert turn.state["opdracht"]["antwoorden"] == {"goed": {"keuze": "sport"}}, event
        assert not turn.effects
    long = ouder.stap(state, Bericht("woord " * 600, AT))
    assert long.state["opdracht"]["nr"] == 1 and "lang antwoord" in long.replies[0].lines[0].msgid


def test_back_and_skip_and_a_fully_skipped_thuisopdracht_makes_no_entry() -> None:
    state = ouder.stap(started("netwerk"), Bericht("Mijn broer is monteur", AT)).state
    back = ouder.stap(state, Commando("terug", AT))
    assert back.state["opdracht"]["nr"] == 0
    assert back.state["opdracht"]["antwoorden"]["werk"]["tekst"] == "Mijn broer is monteur"
    skipped = started("opendag")
    for _ in range(3):
        turn = ouder.stap(skipped, Commando("overslaan", AT))
        skipped = turn.state
    [done] = turn.effects
    assert isinstance(done, RondThuisopdrachtAf) and done.entry == {}


def test_nothing_open_says_so() -> None:
    turn = ouder.stap(None, Bericht("hallo", AT))
    assert turn.state["state"] == "wacht" and "geen thuisopdracht" in turn.replies[0].lines[0].msgid
