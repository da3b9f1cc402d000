"""A parent answering a thuisopdracht: one prompt per message, buttons where writing is hard.

States: ``wacht`` (nothing to answer now) and ``vraag`` (answering one thuisopdracht). The
channel starts a thuisopdracht with ``begin`` when one reaches the parent; every answer is kept in
the saved state, so a parent can stop and carry on later, and the whole thuisopdracht becomes one
dossier entry (source "ouder") when the last prompt is answered.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from transitions import Machine

from flows import invoer, tagging
from flows.events import Anders, Bericht, Commando, Event, Foto, Knop, Spraak
from flows.replies import Button, Effect, Reply, RondThuisopdrachtAf, Turn
from flows.text import Text, _, verbatim
from flows.thuisopdrachten import THUISOPDRACHT, Prompt, Thuisopdracht

OPDRACHT = "o:"  # button values: o:<assignment id>:<prompt number>:<choice>
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "begin", "source": ["wacht", "vraag"], "dest": "vraag"},
    {"trigger": "klaar", "source": "vraag", "dest": "wacht"},
]
WIE: Mapping[str, Text] = {
    "moeder": _("moeder"),
    "vader": _("vader"),
    "verzorger": _("verzorger"),
    "familie": _("familielid"),
}


def nieuw() -> dict[str, Any]:
    return {"state": "wacht", "opdracht": None}


class Ouder:
    """A parent during one turn: the parent machine's model."""

    state: str

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.trigger: Any

    @property
    def opdracht(self) -> dict[str, Any]:
        return self.data["opdracht"]

    def thuisopdracht(self) -> Thuisopdracht:
        return THUISOPDRACHT[self.opdracht["key"]]

    def prompt(self) -> Prompt:
        return self.thuisopdracht().prompts[self.opdracht["nr"]]

    def verwerk(self, event: Event) -> None:
        if self.state == "wacht":
            self.zeg(*_niets_open())
        elif isinstance(event, Knop):
            self._knop(event)
        elif isinstance(event, Bericht):
            self._tekst(invoer.schoon(event.text))
        elif isinstance(event, Spraak):
            self.bewaar({"spraak": event.ref})
            self.zeg(
                _(
                    "Dank u, uw spraakbericht is bewaard. 🎙️"
                    " Typen mag ook: dan kan de mentor het sneller lezen."
                )
            )
            self.verder()
        elif isinstance(event, Foto):
            self.bewaar({"foto": event.ref, **({"tekst": event.caption} if event.caption else {})})
            self.verder()
        elif isinstance(event, Commando) and event.name == "overslaan":
            self.verder()
        elif isinstance(event, Commando) and event.name == "terug" and self.opdracht["nr"] > 0:
            self.opdracht["nr"] -= 1
            self.vraag()
        elif isinstance(event, Commando) and event.name == "stop":
            self.zeg(
                _(
                    "Goed. Uw antwoorden tot nu toe zijn bewaard."
                    " Stuur later een bericht om verder te gaan."
                )
            )
        elif isinstance(event, Commando) and event.name == "hulp":
            self.zeg(*_hulp())
            self.vraag()
        elif isinstance(event, Anders):
            self.zeg(
                _(
                    "Dat kan ik niet bewaren."
                    " Typ uw antwoord, kies een knop of stuur een spraakbericht."
                )
            )
            self.vraag()
        else:
            self.vraag()

    def _knop(self, event: Knop) -> None:
        _prefix, opdracht_id, nr, keuze = [*event.value.split(":", 3), "", "", ""][:4]
        prompt = self.prompt()
        geldig = {k.value for k in prompt.keuzes}
        if (
            opdracht_id != str(self.opdracht["id"])
            or nr != str(self.opdracht["nr"])
            or keuze not in geldig
        ):
            self.replies.append(Reply((_("Deze vraag is al voorbij. 🙂"),), notice=True))
            return
        self.bewaar({"keuze": keuze})
        self.verder()

    def _tekst(self, tekst: str) -> None:
        if invoer.zonder_inhoud(tekst):
            self.zeg(
                _(
                    "Ik zie nog geen antwoord."
                    " Typ een paar woorden, kies een knop of stuur een spraakbericht."
                )
            )
            self.vraag()
            return
        if len(tekst) > invoer.MAX_ANTWOORD:
            self.zeg(_("Dat is een lang antwoord! Kunt u het korter zeggen, in een paar zinnen?"))
            return
        self.bewaar({"tekst": tekst})
        self.verder()

    def bewaar(self, antwoord: dict[str, Any]) -> None:
        key = self.prompt().key
        self.opdracht["antwoorden"][key] = {**self.opdracht["antwoorden"].get(key, {}), **antwoord}

    def verder(self) -> None:
        """The next prompt, or the end of the thuisopdracht."""
        if self.opdracht["nr"] + 1 < len(self.thuisopdracht().prompts):
            self.opdracht["nr"] += 1
            self.vraag()
            return
        self._rond_af()
        self.trigger("klaar")

    def _rond_af(self) -> None:
        kind = verbatim(self.opdracht["kind"])
        antwoorden = self.opdracht["antwoorden"]
        if antwoorden:
            entry, competenties = dossier_entry(self.opdracht, self.data.get("taal", "nl"))
            self.effects.append(RondThuisopdrachtAf(self.opdracht["id"], entry, competenties))
            self.zeg(
                _(
                    "Dank u wel! 🙏 Uw antwoorden staan nu in het loopbaandossier van {kind}.",
                    kind=kind,
                ),
                _("{kind} en de mentor kunnen ze lezen.", kind=kind),
            )
        else:
            self.effects.append(RondThuisopdrachtAf(self.opdracht["id"], {}, ()))
            self.zeg(_("Deze thuisopdracht is overgeslagen. Dat is goed."))
        self.data["opdracht"] = None

    def zeg(self, *lines: Text, buttons: tuple[Button, ...] = ()) -> None:
        self.replies.append(Reply(lines, buttons))

    def vraag(self) -> None:
        """Show the current prompt, with where the parent is."""
        if self.state != "vraag":
            self.zeg(*_niets_open())
            return
        self.replies.append(toon_prompt(self.opdracht))


def toon_prompt(opdracht: Mapping[str, Any]) -> Reply:
    """The prompt the parent is at, with its buttons."""
    thuis = THUISOPDRACHT[opdracht["key"]]
    nr = opdracht["nr"]
    prompt = thuis.prompts[nr]
    kind = verbatim(opdracht["kind"])
    totaal = len(thuis.prompts)
    header = _(
        "🏠 {titel} · {nr}/{totaal}",
        titel=thuis.titel.with_params(kind=kind),
        nr=nr + 1,
        totaal=totaal,
    )
    return Reply(
        (prompt.tekst.with_params(kind=kind),),
        tuple(
            Button(k.label.with_params(kind=kind), f"{OPDRACHT}{opdracht['id']}:{nr}:{k.value}")
            for k in prompt.keuzes
        ),
        vraagnr=nr,
        columns=2 if len(prompt.keuzes) > 3 else 1,
        header=header,
    )


def dossier_entry(opdracht: Mapping[str, Any], taal: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The dossier entry of an answered thuisopdracht, and the competencies it shows.

    The thuisopdracht's own competencies count when at least one prompt was answered; the
    parent's words may show more (tagged like a student's answer, evidence kept per answer).
    """
    thuis = THUISOPDRACHT[opdracht["key"]]
    antwoorden: dict[str, Any] = {}
    gevonden: list[str] = [c.value for c in thuis.competenties]
    for prompt in thuis.prompts:
        antwoord = dict(opdracht["antwoorden"].get(prompt.key) or {})
        if not antwoord:
            continue
        if isinstance(antwoord.get("tekst"), str) and taal in tagging.languages():
            tags = tagging.tag(antwoord["tekst"], taal, aims=thuis.competenties)
            if tags:
                antwoord["tags"] = {t.competency: list(t.evidence) for t in tags}
                gevonden += [t.competency for t in tags if t.competency not in gevonden]
        antwoorden[prompt.key] = antwoord
    entry = {
        "activiteit": {"soort": "thuisopdracht", "opdracht": thuis.key},
        "thuisopdracht": {
            "opdracht": thuis.key,
            "door": opdracht.get("door", "ouder"),
            "taal": taal,
            "antwoorden": antwoorden,
        },
    }
    return entry, tuple(gevonden)


def antwoord_regels(content: Mapping[str, Any]) -> list[tuple[Text, Text]]:
    """A parent's answers as (heading, words) lines, for the dossier and the mentor."""
    thuis = content.get("thuisopdracht") or {}
    opdracht = THUISOPDRACHT.get(thuis.get("opdracht") or "")
    if opdracht is None:
        return []
    regels = []
    for prompt in opdracht.prompts:
        antwoord = (thuis.get("antwoorden") or {}).get(prompt.key) or {}
        keuzes = {k.value: k.label for k in prompt.keuzes}
        if isinstance(antwoord.get("tekst"), str):
            regels.append((prompt.kop, verbatim(antwoord["tekst"])))
        elif antwoord.get("keuze") in keuzes:
            regels.append((prompt.kop, keuzes[antwoord["keuze"]]))
        elif antwoord.get("spraak"):
            regels.append((prompt.kop, _("🎙️ spraakbericht")))
    return regels


def _niets_open() -> tuple[Text, ...]:
    return (
        _("Er staat nu geen thuisopdracht voor u klaar."),
        _("U krijgt een bericht als er een nieuwe is. Dank u!"),
    )


def _hulp() -> tuple[Text, ...]:
    return (
        _("Zo werkt het: typ uw antwoord, kies een knop of stuur een spraakbericht."),
        _("/overslaan – deze vraag overslaan\n/terug – vorige vraag\n/taal – andere taal"),
    )


MACHINE = Machine(
    model=None,
    states=["wacht", "vraag"],
    transitions=TRANSITIONS,
    initial="wacht",
    auto_transitions=False,
)
_MACHINE_LOCK = threading.Lock()


def _run(saved: dict[str, Any] | None, act: Any) -> Turn:
    data = {**nieuw(), **(saved or {})}
    if data.get("opdracht"):
        data["opdracht"] = {**data["opdracht"], "antwoorden": dict(data["opdracht"]["antwoorden"])}
    model = Ouder(data)
    with _MACHINE_LOCK:
        MACHINE.add_model(model, initial=data["state"])
        try:
            act(model)
        finally:
            MACHINE.remove_model(model)
    data["state"] = model.state
    return Turn(data, model.replies, model.effects)


def stap(saved: dict[str, Any] | None, event: Event) -> Turn:
    """One turn of a parent's conversation."""
    return _run(saved, lambda model: model.verwerk(event))


def begin(saved: dict[str, Any] | None, assignment_id: int, key: str, kind: str, door: str) -> Turn:
    """A thuisopdracht reaches the parent: its title, what it is about and the first prompt."""
    thuis = THUISOPDRACHT[key]

    def start(model: Ouder) -> None:
        model.data["opdracht"] = {
            "id": assignment_id, "key": key, "kind": kind, "door": door, "nr": 0, "antwoorden": {}
        }  # fmt: skip
        model.trigger("begin")
        naam = verbatim(kind)
        model.zeg(
            _("🏠 Thuisopdracht: {titel}", titel=thuis.titel.with_params(kind=naam)),
            thuis.uitleg.with_params(kind=naam),
        )
        model.vraag()

    return _run(saved, start)


def toon(saved: Mapping[str, Any] | None) -> list[Reply]:
    """What the parent sees now: the current prompt, or that nothing is open."""
    if saved and saved.get("state") == "vraag" and saved.get("opdracht"):
        return [toon_prompt(saved["opdracht"])]
    return [Reply(_niets_open())]
