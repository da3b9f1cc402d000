"""Onboarding: a new chat joins with a class code (or a mentor invite), picks a name, reads who
sees their answers, and then the first reflection starts. A parent joins with the invite their
child sent: language first (each named in its own script), then what a parent sees, then the
first thuisopdracht.

Codes are looked up by the channel (the flow does no I/O); the outcome arrives as a
``CodeGecontroleerd`` event.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from transitions import Machine

from flows import invoer
from flows.events import Bericht, CodeGecontroleerd, Commando, Event, Knop
from flows.replies import (
    Button,
    Effect,
    KiesTaal,
    Reply,
    Turn,
    WordLeerling,
    WordMentor,
    WordOuder,
)
from flows.talen import NAMEN
from flows.text import Text, _, ngettext, verbatim

STATES = ["code", "taal", "naam", "leeftijd", "privacy", "ouder_privacy", "klaar"]
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "klas_gevonden", "source": "code", "dest": "taal"},
    {"trigger": "ouder_gevonden", "source": "code", "dest": "taal"},
    {
        "trigger": "taal_gekozen",
        "source": "taal",
        "dest": "ouder_privacy",
        "conditions": "is_ouder",
    },
    {"trigger": "taal_gekozen", "source": "taal", "dest": "naam"},
    {"trigger": "akkoord", "source": "ouder_privacy", "dest": "klaar"},
    {
        "trigger": "naam_gekozen",
        "source": "naam",
        "dest": "leeftijd",
        "conditions": "vraagt_leeftijd",
    },
    {"trigger": "naam_gekozen", "source": "naam", "dest": "privacy"},
    {"trigger": "leeftijd_gekozen", "source": "leeftijd", "dest": "privacy"},
    {"trigger": "akkoord", "source": "privacy", "dest": "klaar"},
    {"trigger": "mentor_gekoppeld", "source": "code", "dest": "klaar"},
    {"trigger": "terug", "source": "privacy", "dest": "naam"},
]
AKKOORD, ANDERE_NAAM, TOESTEMMING = "!akkoord", "!naam", "!toestemming"
OUDER, JONGER = "!16plus", "!onder16"
TAAL = "t:"
# What a code looks like, so typed codes are told apart from "hoi" (a deep link payload is
# at most 64 characters of A-Z a-z 0-9 _ -).
CODE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_NAAM = re.compile(r"^[^\W\d_][\w'’-]{0,29}$")


def nieuw() -> dict[str, Any]:
    return {"state": "code", "klas": None, "naam": None, "ouder": None}


class Aanmelding:
    """A new person during one turn: the onboarding machine's model."""

    state: str

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.trigger: Any

    def vraagt_leeftijd(self, event: Any = None) -> bool:
        return bool((self.data.get("klas") or {}).get("toestemming"))

    def is_ouder(self, event: Any = None) -> bool:
        return bool(self.data.get("ouder"))

    def na_overgang(self, event: Any) -> None:
        """Entering a state asks its question."""
        self.vraag()

    def verwerk(self, event: Event) -> None:
        if isinstance(event, CodeGecontroleerd):
            self._code(event)
        elif self.state == "code":
            self.zeg(*_zonder_code())
        elif self.state == "taal" and isinstance(event, Knop) and event.value.startswith(TAAL):
            code = event.value.removeprefix(TAAL)
            if code in NAMEN:
                self.effects.append(KiesTaal(code))
                self.trigger("taal_gekozen")
            else:
                self.vraag()
        elif self.state == "naam" and isinstance(event, Bericht):
            self._naam(invoer.schoon(event.text))
        elif (
            self.state == "leeftijd" and isinstance(event, Knop) and event.value in (OUDER, JONGER)
        ):
            self.data["onder_16"] = event.value == JONGER
            self.trigger("leeftijd_gekozen")
        elif self.state == "privacy" and isinstance(event, Knop) and event.value == AKKOORD:
            klas = self.data["klas"]
            self.effects.append(
                WordLeerling(
                    self.data["naam"],
                    klas["code_id"],
                    klas["school_id"],
                    klas["class_id"],
                    self.data.get("onder_16"),
                )
            )
            self.trigger("akkoord")
        elif (
            self.state == "ouder_privacy"
            and isinstance(event, Knop)
            and event.value
            in (
                AKKOORD,
                TOESTEMMING,
            )
        ):
            ouder = self.data["ouder"]
            self.effects.append(
                WordOuder(
                    ouder["code_id"],
                    ouder["student_id"],
                    ouder["label"],
                    toestemming=event.value == TOESTEMMING and bool(ouder.get("toestemming")),
                )
            )
            self.trigger("akkoord")
        elif self.state == "privacy" and isinstance(event, Knop) and event.value == ANDERE_NAAM:
            self.trigger("terug")
        elif isinstance(event, Commando) and event.name == "hulp":
            self.zeg(_("Eerst even aanmelden, dan kunnen we beginnen."))
            self.vraag()
        else:
            self.vraag()

    def _code(self, event: CodeGecontroleerd) -> None:
        if self.state != "code":
            self.vraag()  # a link opened again half-way: carry on where we were
        elif event.status == "ok" and event.purpose == "mentor":
            assert event.code_id is not None and event.mentor_id is not None
            self.effects.append(WordMentor(event.code_id, event.mentor_id))
            self.data["school"] = event.school
            self.trigger("mentor_gekoppeld")
        elif event.status == "ok" and event.purpose == "ouder" and event.student_id is not None:
            self.data["ouder"] = {
                "code_id": event.code_id,
                "student_id": event.student_id,
                "kind": event.leerling,
                "label": event.label,
                "school": event.school,
                "toestemming": event.toestemming,
            }
            self.trigger("ouder_gevonden")
        elif event.status == "ok" and event.purpose == "klas":
            self.data["klas"] = {
                "code_id": event.code_id,
                "school_id": event.school_id,
                "class_id": event.class_id,
                "klas": event.klas,
                "mentor": event.mentor,
                "school": event.school,
                "toestemming": event.toestemming,
            }
            self.trigger("klas_gevonden")
        else:
            self.zeg(_code_probleem(event))

    def _naam(self, text: str) -> None:
        woorden = text.split()
        naam = woorden[0] if woorden else ""
        if not _NAAM.match(naam):
            self.zeg(_("Typ alleen je voornaam of een bijnaam, met letters. Bijvoorbeeld: Sam."))
            return
        self.data["naam"] = naam[:1].upper() + naam[1:]
        if len(woorden) > 1:
            self.zeg(
                _("Ik noem je {naam}. Je achternaam hoef ik niet te weten.", naam=self.data["naam"])
            )
        self.trigger("naam_gekozen")

    def zeg(self, *lines: Text, buttons: tuple[Button, ...] = ()) -> None:
        self.replies.append(Reply(lines, buttons, columns=2 if len(buttons) > 3 else 1))

    def vraag(self) -> None:
        """Show what this state asks."""
        klas = self.data.get("klas") or {}
        if self.state == "code":
            self.zeg(*_zonder_code())
        elif self.state == "taal":
            self.zeg(
                verbatim("🌍 Kies je taal · Choose your language · اختر لغتك"),
                buttons=tuple(
                    Button(verbatim(naam), f"{TAAL}{code}") for code, naam in NAMEN.items()
                ),
            )
        elif self.state == "naam":
            self.zeg(
                _(
                    "Welkom bij lobbot! 👋 Je hoort bij klas {klas} van {mentor}.",
                    klas=klas.get("klas", ""),
                    mentor=klas.get("mentor", ""),
                ),
                _("Hoe wil je heten? Je voornaam of een bijnaam is genoeg."),
            )
        elif self.state == "privacy":
            self.zeg(
                _("Fijn, {naam}! Eerst even dit:", naam=self.data["naam"]),
                _(
                    "🔒 Wat je hier vertelt, lezen alleen jij en je mentor ({mentor})."
                    " Het komt in je loopbaandossier.",
                    mentor=klas.get("mentor", ""),
                ),
                _("Je achternaam, adres of geboortedatum vraag ik nooit."),
                buttons=(
                    Button(_("Oké, begrijp ik ✅"), AKKOORD),
                    Button(_("Andere naam ✏️"), ANDERE_NAAM),
                ),
            )
        elif self.state == "ouder_privacy":
            ouder = self.data["ouder"]
            kind = verbatim(ouder["kind"])
            self.zeg(
                _(
                    "Welkom! 👋 {kind} nodigt u uit voor lobbot, van {school}.",
                    kind=kind,
                    school=verbatim(ouder["school"]),
                ),
                _(
                    "🔒 U ziet de thuisopdrachten, en wat {kind} zelf met u deelt."
                    " De reflecties van {kind} ziet u niet.",
                    kind=kind,
                ),
                _(
                    "Uw antwoorden komen in het loopbaandossier van {kind}."
                    " {kind} en de mentor kunnen ze lezen.",
                    kind=kind,
                ),
                _("Uw naam, adres of telefoonnummer vraag ik niet."),
                *_toestemming_vraag(kind, bool(ouder.get("toestemming"))),
                buttons=(
                    (
                        Button(_("Ja, ik geef toestemming ✅"), TOESTEMMING),
                        Button(_("Nee, nu niet"), AKKOORD),
                    )
                    if ouder.get("toestemming")
                    else (Button(_("Oké, begrijp ik ✅"), AKKOORD),)
                ),
            )
        elif self.state == "leeftijd":
            self.zeg(
                _("Ben je 16 jaar of ouder?"),
                _("Dat vraagt je school: onder de 16 geeft eerst een ouder toestemming."),
                buttons=(
                    Button(_("Ja, 16 of ouder"), OUDER),
                    Button(_("Nee, jonger dan 16"), JONGER),
                ),
            )
        elif self.state == "klaar" and self.data.get("school"):
            self.zeg(
                _(
                    "Welkom! Je bent nu aangemeld als mentor bij {school}. 👩‍🏫",
                    school=self.data["school"],
                ),
                _("Hier krijg je straks de samenvattingen van je leerlingen."),
            )


def _toestemming_vraag(kind: Text, nodig: bool) -> tuple[Text, ...]:
    if not nodig:
        return ()
    return (
        _(
            "{kind} is jonger dan 16. De school vraagt uw toestemming: mogen de antwoorden"
            " van {kind} in het loopbaandossier bewaard worden?",
            kind=kind,
        ),
    )


def _zonder_code() -> tuple[Text, ...]:
    return (
        _("Hoi! 👋 Ik ben lobbot. Ik help je terugkijken op een stage, bezoek of gastles."),
        _(
            "Om te beginnen heb je een link of code van je mentor nodig."
            " Heb je een code? Typ hem dan hier."
        ),
    )


def te_vaak(wait_seconds: int) -> Text:
    """Too many wrong codes from this chat: how long to wait."""
    if wait_seconds >= 120:
        return ngettext(
            "Te vaak een verkeerde code geprobeerd. Probeer het over {n} minuut opnieuw.",
            "Te vaak een verkeerde code geprobeerd. Probeer het over {n} minuten opnieuw.",
            wait_seconds // 60,
        )
    return ngettext(
        "Te vaak een verkeerde code geprobeerd. Probeer het over {n} seconde opnieuw.",
        "Te vaak een verkeerde code geprobeerd. Probeer het over {n} seconden opnieuw.",
        wait_seconds,
    )


def _code_probleem(event: CodeGecontroleerd) -> Text:
    if event.status == "te_vaak":
        return te_vaak(event.wait_seconds)
    return {
        "verlopen": _("Deze code is verlopen. Vraag je mentor om een nieuwe."),
        "ingetrokken": _("Deze code werkt niet meer. Vraag je mentor om een nieuwe."),
        "gebruikt": _("Deze uitnodiging is al gebruikt. Vraag om een nieuwe als dat niet klopt."),
    }.get(
        event.status, _("Die code ken ik niet. Kijk nog eens goed, of vraag je mentor om de link.")
    )


MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=TRANSITIONS,
    initial="code",
    auto_transitions=False,
    send_event=True,
    after_state_change="na_overgang",
)
_MACHINE_LOCK = threading.Lock()


def stap(saved: dict[str, Any] | None, event: Event) -> Turn:
    """One turn of onboarding."""
    data = {**nieuw(), **(saved or {})}
    model = Aanmelding(data)
    with _MACHINE_LOCK:
        MACHINE.add_model(model, initial=data["state"])
        try:
            model.verwerk(event)
        finally:
            MACHINE.remove_model(model)
    data["state"] = model.state
    if not model.replies:
        model.vraag()
    return Turn(data, model.replies, model.effects)


def lijkt_code(text: str) -> bool:
    """Whether typed text could be a code (so the channel looks it up)."""
    return bool(CODE.match(text.strip()))
