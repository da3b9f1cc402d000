"""The reflection conversation: a state machine generated from the question bank.

``stap(saved, event)`` is the whole interface: the saved state (a JSON-able dict, or None for a
new student) and one event in; the new state, the replies and the effects out. No I/O.

One ``HierarchicalMachine`` is built at import; each turn adds a ``Gesprek`` model with its saved
state, fires triggers and removes it again, which costs far less than building a machine per turn.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from transitions.extensions import HierarchicalMachine

from flows import bank, dossier, invoer, safeguarding, tagging
from flows.bank import ERVARING, FASE_VAN, FASEN, PLEK, Competentie, Vorm, Vraag
from flows.events import Anders, Bericht, Commando, Event, Foto, Knop, Spraak
from flows.replies import (
    Antwoord,
    BeginErvaring,
    BreekErvaringAf,
    Button,
    Effect,
    LegErvaringVast,
    Reply,
    RondErvaringAf,
    Signaal,
    Turn,
)
from flows.tagging import Tag
from flows.text import Text, _, template, verbatim

VRAGEN: tuple[str, ...] = tuple(f"{f.key}_{v.key}" for f in FASEN for v in f.vragen)
STATES: list[Any] = [
    "start",
    "ervaring",
    "plek",
    "vorige",
    *({"name": f.key, "children": [v.key for v in f.vragen]} for f in FASEN),
    "samenvatting",
    "aanpassen",
    "herschrijven",
    "competenties",
    "rodedraad",
    {"name": "klaar", "on_enter": "rond_af"},
]
# States where typed text is an answer (and checked as one, in _tekst_antwoord).
VRAGEN_MET_TEKST = frozenset({"plek", "rodedraad", *VRAGEN})
COMMANDS = (
    "start",
    "terug",
    "overslaan",
    "stop",
    "verder",
    "opnieuw",
    "dossier",
    "notitie",
    "ouder",
    "mijngegevens",
    "hulp",
)

# Scaffold and pause buttons carry values that cannot be a question's own choice value.
WEET_NIET, VERDER, LATER, NIEUW = "?weetniet", "!verder", "!later", "!nieuw"
KLOPT, AANPASSEN, TERUG, OPSLAAN = "!klopt", "!aanpassen", "!terug", "!opslaan"
COMPETENTIE = "c:"  # a competency toggle on the confirmation screen: "c:kwaliteiten"
GESCHIEDENIS = ("aantal", "vorige", "eerder", "taal")  # kept from one reflection to the next


def vraag_van(state: str) -> Vraag | None:
    """The question asked in a machine state (None outside the questions)."""
    if state in ("plek", "vorige", "rodedraad"):
        return bank.VRAAG[state]
    if "_" in state:
        return bank.VRAAG[state.split("_", 1)[1]]
    return None


def _geldt(dest: str, event: Any) -> bool:
    data = event.model.data
    if dest == "vorige":
        return bool(data.get("vorige"))
    vraag = vraag_van(dest)
    return vraag is None or vraag.geldt_voor(data.get("ervaring"))


def _heeft_rode_draad(event: Any) -> bool:
    return rode_draad(event.model.data) is not None


def _keten_overgangen() -> list[dict[str, Any]]:
    """``volgende``/``terug`` along plek → questions → samenvatting, skipping questions that do
    not apply to this experience type (the first destination whose condition holds wins)."""
    keten = ["plek", "vorige", *VRAGEN, "samenvatting"]
    overgangen: list[dict[str, Any]] = []
    for i, bron in enumerate(keten[:-1]):
        for dest in keten[i + 1 :]:
            overgangen.append(
                {
                    "trigger": "volgende",
                    "source": bron,
                    "dest": dest,
                    "conditions": partial(_geldt, dest),
                }
            )
    for i, bron in enumerate(keten[1:], start=1):
        for dest in reversed(keten[:i]):
            overgangen.append(
                {
                    "trigger": "terug",
                    "source": bron,
                    "dest": dest,
                    "conditions": partial(_geldt, dest),
                }
            )
    return overgangen


TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "begin", "source": "*", "dest": "ervaring"},  # also /opnieuw, from anywhere
    {"trigger": "kies_ervaring", "source": "ervaring", "dest": "plek"},
    {"trigger": "terug", "source": "plek", "dest": "ervaring"},
    *_keten_overgangen(),
    {"trigger": "bevestig", "source": "samenvatting", "dest": "competenties"},
    {"trigger": "terug", "source": "competenties", "dest": "samenvatting"},
    {
        "trigger": "opslaan",
        "source": "competenties",
        "dest": "rodedraad",
        "conditions": _heeft_rode_draad,
    },
    {"trigger": "opslaan", "source": "competenties", "dest": "klaar"},
    {"trigger": "volgende", "source": "rodedraad", "dest": "klaar"},
    {"trigger": "terug", "source": "rodedraad", "dest": "competenties"},
    {"trigger": "aanpassen", "source": "samenvatting", "dest": "aanpassen"},
    {"trigger": "kies_regel", "source": "aanpassen", "dest": "herschrijven"},
    {"trigger": "herschreven", "source": "herschrijven", "dest": "samenvatting"},
    {"trigger": "terug", "source": "aanpassen", "dest": "samenvatting"},
    {"trigger": "terug", "source": "herschrijven", "dest": "aanpassen"},
]


def nieuw() -> dict[str, Any]:
    """The saved state of a student who has not started yet."""
    return {
        "state": "start",
        "ervaring": None,
        "begonnen": False,
        "antwoorden": {},
        "vraagnr": 0,
        "geprobed": False,
        "gescaffold": False,
        "gepauzeerd": None,
        "regel": None,
        "competenties": None,
        "datum": None,
        "bijlagen": [],
        # history, kept across reflections (see GESCHIEDENIS)
        "aantal": 0,
        "vorige": None,
        "eerder": [],
        "taal": "nl",
    }


class Gesprek:
    """One student's reflection during one turn: the machine's model."""

    state: str

    def __init__(self, data: dict[str, Any], at: datetime | None) -> None:
        self.data = data
        self.at = at
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.trigger: Any  # set by the machine

    # --- callbacks named in the machine -------------------------------------------------------

    def na_overgang(self, event: Any) -> None:
        """A new place in the conversation: a fresh question number, then ask it."""
        self.data.update(vraagnr=self.data["vraagnr"] + 1, geprobed=False, gescaffold=False)
        self.stel_vraag()

    def rond_af(self, event: Any) -> None:
        """The reflection is complete: it becomes a dossier entry, and history for the next."""
        data = self.data
        antwoorden = data["antwoorden"]
        competenties = list(data["competenties"] or [])
        ervaring = {
            "soort": data["ervaring"],
            "plek": antwoorden.get("plek", {}).get("text"),
            "datum": data["datum"],
        }
        self.effects.append(
            RondErvaringAf(
                tuple(competenties),
                dossier.entry(ervaring, antwoorden, competenties, data["bijlagen"]),
            )
        )
        stap = antwoorden.get("stap", {}).get("text")
        self.zeg(
            _("Top gedaan! 🎉"),
            *((_("Succes met je volgende stap: {stap}", stap=stap),) if stap else ()),
        )
        data["aantal"] += 1
        data["vorige"] = (
            {"stap": stap, "wanneer": antwoorden.get("wanneer", {}).get("due")} if stap else None
        )
        data["eerder"] = [*data["eerder"], {**ervaring, "competenties": competenties}][-10:]

    # --- the turn -----------------------------------------------------------------------------

    def verwerk(self, event: Event) -> None:
        """Route one event: commands first, then a paused conversation, then the current state."""
        if isinstance(event, Commando):
            self._commando(event)
        elif isinstance(event, Knop) and event.vraagnr != self.data["vraagnr"]:
            self.replies.append(
                Reply(
                    (_("Deze vraag is al voorbij. 🙂"),), vraagnr=self.data["vraagnr"], notice=True
                )
            )
        elif isinstance(event, Bericht) and self._zorg_buiten_vraag(event.text):
            pass  # danger or distress outside a question: answered with care, reflection paused
        elif self.data["gepauzeerd"]:
            self._gepauzeerd(event)
        elif self.state in ("start", "klaar"):
            self._buiten_reflectie(isinstance(event, Knop) and event.value == NIEUW)
        elif self.state == "ervaring":
            self._kies_ervaring(event)
        elif self.state == "samenvatting":
            self._samenvatting(event)
        elif self.state == "competenties":
            self._competenties(event)
        elif self.state == "aanpassen":
            self._aanpassen(event)
        elif self.state == "herschrijven":
            self._herschrijven(event)
        else:
            self._antwoord(event, vraag_van(self.state))  # type: ignore[arg-type]

    def _commando(self, event: Commando) -> None:
        naam = event.name.lower().lstrip("/").split("@", 1)[0]
        in_reflectie = self._in_reflectie
        if naam == "start" and not in_reflectie:
            self._begin()
        elif naam in ("start", "verder"):
            self._hervat()
        elif naam == "hulp":
            self.zeg(*_hulp())
            if in_reflectie and not self.data["gepauzeerd"]:
                self.stel_vraag()
        elif naam == "stop":
            self._pauzeer()
        elif naam == "opnieuw":
            self._opnieuw()
        elif not in_reflectie and naam in ("terug", "overslaan"):
            self.zeg(_("Er is nog geen vraag om naar terug te gaan of over te slaan."))
            self._buiten_reflectie(nieuw=False)
        elif naam == "terug":
            self.data["gepauzeerd"] = None
            if self.state == "ervaring":
                self.zeg(_("Dit is het begin. Kies eerst wat je hebt gedaan."))
                self.stel_vraag()
            else:
                self.trigger("terug")
        elif naam == "overslaan":
            self._overslaan()
        else:
            self.zeg(_("Dat commando ken ik niet."), *_hulp())
            if in_reflectie and not self.data["gepauzeerd"]:
                self.stel_vraag()

    def _overslaan(self) -> None:
        self.data["gepauzeerd"] = None
        vraag = vraag_van(self.state)
        if vraag is None or vraag is PLEK:
            self.zeg(_("Deze stap kun je niet overslaan."))
            self.stel_vraag()
            return
        if not self.data["geprobed"]:  # after a probe the first answer stands
            self._bewaar(vraag, "overgeslagen")
        self.zeg(_("Oké, die slaan we over."))
        self.trigger("volgende")

    def _pauzeer(self) -> None:
        if not self._in_reflectie:
            self.zeg(_("Oké! Typ /start als je een reflectie wilt beginnen."))
            return
        self.data["gepauzeerd"] = "stop"
        self.zeg(
            _("We stoppen even. Alles wat je vertelde is bewaard. 💾"),
            _("Typ /verder als je verder wilt gaan. Je begint dan bij dezelfde vraag."),
        )

    def _hervat(self) -> None:
        if not self._in_reflectie:
            self.data["gepauzeerd"] = None
            self._buiten_reflectie(nieuw=True)
            return
        self.data["gepauzeerd"] = None
        self.zeg(_("Fijn! We gaan verder waar je was."))
        self.stel_vraag()

    def _opnieuw(self) -> None:
        if self.data["begonnen"] and self.state != "klaar":
            self.effects.append(BreekErvaringAf())
            self.zeg(_("Oké, we beginnen opnieuw. Je vorige antwoorden blijven bewaard."))
        self._begin()

    def _gepauzeerd(self, event: Event) -> None:
        if isinstance(event, Knop) and event.value == VERDER:
            self._hervat()
        elif isinstance(event, Knop) and event.value == LATER:
            self.zeg(_("Prima. Typ /verder wanneer je wilt. Alles blijft bewaard."))
        else:
            self.zeg(
                _("Welkom terug! Wil je verder met je reflectie?"),
                buttons=(Button(_("Ja, verder ▶️"), VERDER), Button(_("Nog niet"), LATER)),
            )

    def _buiten_reflectie(self, nieuw: bool) -> None:
        if self.state == "klaar" and not nieuw:
            self.stel_vraag()
        else:
            self._begin()

    def _begin(self) -> None:
        """A fresh reflection: what was said before belongs to the previous one; the history
        (how many reflections, the last next step, earlier experiences) stays."""
        geschiedenis = {k: self.data[k] for k in GESCHIEDENIS}
        vraagnr = self.data["vraagnr"]
        self.data.clear()
        self.data.update(nieuw(), **geschiedenis, vraagnr=vraagnr)
        self.trigger("begin")

    def _kies_ervaring(self, event: Event) -> None:
        gekozen = None
        if isinstance(event, Knop) and event.value in ERVARING:
            gekozen = event.value
        elif isinstance(event, Bericht):
            gekozen = _herken_ervaring(event.text)
        if gekozen is None:
            self.zeg(_("Kies een van de knoppen, dan weet ik waar het over gaat."))
            self.stel_vraag()
            return
        if self.data["begonnen"] and gekozen != self.data["ervaring"]:
            # back at the start, another kind chosen: the begun one is kept as abandoned
            self.effects.append(BreekErvaringAf())
            self.data.update(begonnen=False, antwoorden={}, bijlagen=[])
        self.data["ervaring"] = gekozen
        self.trigger("kies_ervaring")

    def _antwoord(self, event: Event, vraag: Vraag) -> None:
        """An answer to the current question, in whatever form it came."""
        if isinstance(event, Knop):
            self._knop_antwoord(event, vraag)
        elif isinstance(event, Foto | Spraak) and _referentie(event.ref) is None:
            self.zeg(_("Dat bestand kon ik niet openen. Probeer het nog eens, of typ je antwoord."))
            self.stel_vraag()
        elif isinstance(event, Foto):
            ref = _referentie(event.ref)
            caption = invoer.schoon(event.caption)[: invoer.MAX_ANTWOORD] or None
            if caption and self._zorgelijk(vraag, caption, part="bijlage"):
                self._bewaar(vraag, "foto", part="bijlage", media_ref=ref)
            elif vraag.vorm is Vorm.FOTO:
                self._bewaar(vraag, "foto", media_ref=ref, text=caption)
                self.zeg(_("Mooie foto! Hij zit in je dossier. 📸"))
                self.trigger("volgende")
            else:
                self._bewaar(vraag, "foto", part="bijlage", media_ref=ref)
                self.zeg(_("Mooie foto, ik heb hem bewaard! 📸 Vertel het ook even in woorden?"))
                self.stel_vraag()
        elif isinstance(event, Spraak) and vraag is PLEK:  # kept, but the place must be typed
            self._bewaar(vraag, "spraak", part="bijlage", media_ref=_referentie(event.ref))
            self.zeg(_("Dat kan ik helaas niet lezen. Typ je antwoord, of kies een knop. 🙂"))
            self.stel_vraag()
        elif isinstance(event, Spraak):
            self._bewaar(vraag, "spraak", media_ref=_referentie(event.ref))
            self.zeg(
                _(
                    "Je spraakbericht is bewaard. 🎙️ Typen helpt je mentor wel om het te lezen,"
                    " dus typ gerust ook een paar woorden als dat lukt."
                )
            )
            self.trigger("volgende")
        elif isinstance(event, Anders):
            self.zeg(_("Dat kan ik helaas niet lezen. Typ je antwoord, of kies een knop. 🙂"))
            self.stel_vraag()
        else:
            self._tekst_antwoord(invoer.schoon(event.text), vraag)  # type: ignore[union-attr]

    def _knop_antwoord(self, event: Knop, vraag: Vraag) -> None:
        if event.value == WEET_NIET:
            self._weet_niet(vraag)
            return
        keuze = next((k for k in _keuzes_van(vraag) if k.value == event.value), None)
        if keuze is None:
            self.zeg(_("Die knop ken ik niet. Kies een van de knoppen bij de vraag."))
            self.stel_vraag()
        elif vraag.vorm is Vorm.DATUM:
            self._datum_antwoord(vraag, keuze.value, event)
        elif vraag.vorm is Vorm.FOTO:
            self._bewaar(vraag, "geen")
            self.trigger("volgende")
        else:
            soort = "scaffold" if keuze in vraag.scaffold else "keuze"
            self._bewaar(vraag, soort, choice=keuze.value)
            self._bedank()
            self.trigger("volgende")

    def _tekst_antwoord(self, text: str, vraag: Vraag) -> None:
        if not text:
            self.zeg(_("Ik zie geen tekst. Typ je antwoord, of kies een knop."))
            self.stel_vraag()
            return
        if len(text) > invoer.MAX_ANTWOORD:
            self.zeg(
                _(
                    "Wauw, dat is een lang verhaal! Kun je het in een paar zinnen zeggen?"
                    " Dan past het goed in je dossier."
                )
            )
            self.stel_vraag()
            return
        if self._zorgelijk(vraag, text):
            return
        if invoer.weet_niet(text):
            self._weet_niet(vraag)
        elif vraag is PLEK:
            if self.data["begonnen"]:
                self.effects.append(LegErvaringVast(text))
            else:
                self.effects.append(BeginErvaring(self.data["ervaring"], text))
                self.data["begonnen"] = True
                self.data["datum"] = self.at.date().isoformat() if self.at else None
            self.data["antwoorden"]["plek"] = {"text": text}
            self.trigger("volgende")
        elif vraag.vorm is Vorm.SCHAAL:
            if (cijfer := invoer.schaal(text)) is None:
                self.zeg(_("Kies een gezicht, of typ een cijfer van 1 tot 5."))
                self.stel_vraag()
            else:
                self._bewaar(vraag, "keuze", choice=str(cijfer))
                self.trigger("volgende")
        elif vraag.vorm is Vorm.KEUZE:
            keuze = _herken_keuze(text, vraag)
            if keuze is None:
                self.zeg(_("Kies een van de knoppen."))
                self.stel_vraag()
            else:
                self._bewaar(vraag, "keuze", choice=keuze, text=text)
                self.trigger("volgende")
        elif vraag.vorm is Vorm.DATUM:
            self._datum_antwoord(vraag, None, None, text)
        elif self.data["geprobed"]:
            self._bewaar(vraag, "tekst", part="doorvraag", text=text)
            self._bedank()
            self.trigger("volgende")
        else:
            self._bewaar(vraag, "tekst", text=text)
            if vraag.probe is not None and invoer.is_kort(text):
                self.data["geprobed"] = True
                self.zeg(_("Je zei: “{answer}”.", answer=text), vraag.probe)
                return
            self._bedank()
            self.trigger("volgende")

    def _datum_antwoord(
        self, vraag: Vraag, keuze: str | None, knop: Knop | None, text: str = ""
    ) -> None:
        assert self.at is not None, "an answer always comes with its moment"
        at = self.at.date()
        if keuze == "onbekend":
            self._bewaar(vraag, "keuze", choice="onbekend")
            self.trigger("volgende")
            return
        if keuze is not None:
            due = invoer.datum(
                {
                    "dezeweek": "deze week",
                    "volgendeweek": "volgende week",
                    "dezemaand": "deze maand",
                }[keuze],
                at,
            )
            self._bewaar(vraag, "datum", choice=keuze, due=due)
            self.trigger("volgende")
            return
        due = invoer.datum(text, at)
        if due is None:
            self.zeg(
                _(
                    "Die datum snap ik niet. Kies een knop,"
                    " of typ bijvoorbeeld “vrijdag” of “12-12”."
                )
            )
            self.stel_vraag()
            return
        self._bewaar(vraag, "datum", text=text, due=due)
        self.trigger("volgende")

    def _weet_niet(self, vraag: Vraag) -> None:
        if vraag is PLEK:
            self.zeg(_("Geen probleem. Typ gewoon wat je nog weet, bijvoorbeeld de plaats."))
            self.stel_vraag()
        elif not self.data["gescaffold"]:
            self.data["gescaffold"] = True
            if scaffold := _scaffold(vraag, self.data["aantal"]):
                self.zeg(
                    _("Geen probleem! Misschien helpt dit. Kies er een, of typ zelf iets."),
                    buttons=tuple(Button(k.label, k.value) for k in scaffold),
                    columns=2,
                )
            else:
                self.zeg(_("Geen probleem. Denk aan één klein ding. Het mag heel kort."))
                self.stel_vraag()
        else:
            self._bewaar(vraag, "weetniet")
            self.zeg(_("Helemaal oké. We gaan door."))
            self.trigger("volgende")

    def _samenvatting(self, event: Event) -> None:
        if isinstance(event, Knop) and event.value == KLOPT:
            self.data["competenties"] = list(dossier.gevonden(self.data["antwoorden"]))
            self.trigger("bevestig")
        elif isinstance(event, Knop) and event.value == AANPASSEN:
            self.trigger("aanpassen")
        else:
            self.zeg(_("Klopt dit? Kies ✅ of ✏️ onder de samenvatting."))
            self.stel_vraag()

    def _competenties(self, event: Event) -> None:
        """The student confirms or changes which competencies the reflection showed."""
        gekozen: list[str] = self.data["competenties"]
        if isinstance(event, Knop) and event.value.startswith(COMPETENTIE):
            competentie = event.value.removeprefix(COMPETENTIE)
            if competentie in {c.value for c in Competentie}:
                if competentie in gekozen:
                    gekozen.remove(competentie)
                else:
                    gekozen.append(competentie)
                gekozen.sort(key=[c.value for c in Competentie].index)
            self.stel_vraag()
        elif isinstance(event, Knop) and event.value == OPSLAAN:
            self.trigger("opslaan")
        else:
            self.zeg(_("Tik op een onderdeel om het aan of uit te zetten, en dan op Opslaan."))
            self.stel_vraag()

    def _aanpassen(self, event: Event) -> None:
        regels = [key for key, _label in _samenvatting_regels(self.data)]
        if isinstance(event, Knop) and event.value in regels:
            self.data["regel"] = event.value
            self.trigger("kies_regel")
        elif isinstance(event, Knop) and event.value == TERUG:
            self.trigger("terug")
        else:
            self.zeg(_("Kies met een knop wat je wilt aanpassen."))
            self.stel_vraag()

    def _herschrijven(self, event: Event) -> None:
        text = invoer.schoon(event.text) if isinstance(event, Bericht) else ""
        regel = self.data["regel"]
        if not text or len(text) > invoer.MAX_ANTWOORD:
            self.zeg(_("Typ wat er moet staan, in een paar woorden."))
            self.stel_vraag()
            return
        vraag = PLEK if regel == "plek" else bank.VRAAG[regel]
        if self._zorgelijk(vraag, text, part="correctie"):
            return
        if vraag is PLEK:
            self.effects.append(LegErvaringVast(text))
            self.data["antwoorden"]["plek"] = {"text": text}
        else:
            self._bewaar(vraag, "tekst", part="correctie", text=text)
        self.data["regel"] = None
        self.zeg(_("Aangepast. ✏️"))
        self.trigger("herschreven")

    # --- helpers ------------------------------------------------------------------------------

    def _zorg_buiten_vraag(self, text: str) -> bool:
        """A worrying message where no free-text answer was asked (choosing, summary, paused,
        just after the caring reply): flagged for the mentor all the same."""
        if (self.state not in VRAGEN_MET_TEKST and self.state != "herschrijven") or self.data[
            "gepauzeerd"
        ]:
            categorie = safeguarding.signaal(invoer.schoon(text))
            if categorie is not None:
                self.effects.append(Signaal(categorie, self.state))
                if self._in_reflectie:
                    self.data["gepauzeerd"] = "zorg"
                self.zeg(*safeguarding.zorgbericht())
                return True
        return False

    def _zorgelijk(self, vraag: Vraag, text: str, part: str = "antwoord") -> bool:
        """Danger or distress in what the student wrote: keep it (flagged, for the mentor, never
        in the summary or the dossier), answer with care and pause instead of asking on."""
        categorie = safeguarding.signaal(text)
        if categorie is None:
            return False
        self._bewaar(vraag, "tekst", part=part, text=text, flagged=True)
        self.effects.append(Signaal(categorie, vraag.key))
        self.data["gepauzeerd"] = "zorg"
        self.zeg(*safeguarding.zorgbericht())
        return True

    @property
    def _in_reflectie(self) -> bool:
        """An experience has been chosen and the reflection is not yet confirmed."""
        return self.data["ervaring"] is not None and self.state != "klaar"

    def _bewaar(self, vraag: Vraag, kind: str, part: str = "antwoord", **velden: Any) -> None:
        """Append an answer (an effect), tagged, and keep its short form for the summary."""
        fase = "plek" if vraag is PLEK else FASE_VAN[vraag.key].key
        if velden.get("media_ref"):  # photos and voice notes go into the dossier entry
            self.data["bijlagen"] = [*self.data["bijlagen"], velden["media_ref"]]
        tags = _tags(vraag, velden.get("text"), velden.get("choice"), self.data["taal"])
        flagged = velden.get("flagged", False)
        self.effects.append(
            Antwoord(vraag.key, fase, kind, part, tags=() if flagged else tags, **velden)
        )
        if part == "bijlage" or flagged:  # a worrying text is for the mentor, not the summary
            return
        vorig = self.data["antwoorden"].get(vraag.key, {})
        text = velden.get("text")
        if part == "doorvraag" and vorig.get("text"):
            text = f"{vorig['text']} — {text}"
        due = velden.get("due")
        self.data["antwoorden"][vraag.key] = {
            "kind": kind,
            "text": text,
            "choice": velden.get("choice"),
            "due": due.isoformat() if due else None,
            "foto": bool(velden.get("media_ref")) or vorig.get("foto", False),
            "tags": _samen(vorig.get("tags") if part == "doorvraag" else None, tags, flagged),
        }

    def _bedank(self) -> None:
        bedankjes = (_("Dank je! 👍"), _("Helder."), _("Goed dat je dat vertelt."), _("Top."))
        self.zeg(bedankjes[self.data["vraagnr"] % len(bedankjes)])

    def zeg(
        self,
        *lines: Text,
        buttons: tuple[Button, ...] = (),
        columns: int = 1,
        header: Text | None = None,
    ) -> None:
        """Add a reply; its buttons belong to the current question."""
        self.replies.append(Reply(lines, buttons, self.data["vraagnr"], columns, header))

    def stel_vraag(self) -> None:
        """Show the question of the current state (again)."""
        if self.state == "klaar":
            self.zeg(
                _("Je reflectie staat in je loopbaandossier. 📁"),
                _("Alleen jij en je mentor kunnen hem lezen."),
                _("Heb je weer iets meegemaakt? Begin dan een nieuwe reflectie."),
                buttons=(Button(_("Nieuwe reflectie ➕"), NIEUW),),
            )
        elif self.state == "ervaring":
            self.zeg(
                _("Hoi! 👋 Fijn dat je even terugkijkt."),
                _("Wat heb je gedaan?"),
                buttons=tuple(
                    Button(template("{emoji} {label}", emoji=e.emoji, label=e.label), e.key)
                    for e in bank.ERVARINGEN
                ),
                columns=2,
            )
        elif self.state == "samenvatting":
            self.zeg(
                _("📝 Dit heb je verteld:"),
                *(regel for _key, regel in _samenvatting_regels(self.data)),
                _("Klopt dit?"),
                buttons=(Button(_("✅ Klopt"), KLOPT), Button(_("✏️ Aanpassen"), AANPASSEN)),
            )
        elif self.state == "aanpassen":
            self.zeg(
                _("Wat wil je aanpassen?"),
                buttons=(
                    *(Button(regel, key) for key, regel in _samenvatting_regels(self.data)),
                    Button(_("↩️ Niets, terug"), TERUG),
                ),
            )
        elif self.state == "herschrijven":
            self.zeg(_("Wat moet er staan? Typ het nieuwe antwoord."))
        elif self.state == "competenties":
            self._toon_competenties()
        elif self.state == "rodedraad":
            eerder, competentie = rode_draad(self.data) or ({}, "")
            soort = ERVARING[eerder["soort"]].label if eerder.get("soort") in ERVARING else ""
            self.zeg(
                _(
                    "Bij je {soort} ({plek}) ging het ook over {naam}.",
                    soort=soort,
                    plek=eerder.get("plek") or "",
                    naam=dossier.NAAM.get(competentie, ""),
                ),
                vraag_van("rodedraad").text,  # type: ignore[union-attr]
                buttons=(Button(_("Weet ik niet 🤷"), WEET_NIET),),
            )
        elif (vraag := vraag_van(self.state)) is not None:
            self._stel(vraag)

    def _toon_competenties(self) -> None:
        gevonden = dossier.gevonden(self.data["antwoorden"])
        gekozen = self.data["competenties"] or []
        regels = [dossier.uitleg(c, gevonden[c]) for c in gekozen if c in gevonden]
        if not regels:
            regels = [
                _("Ik zag nog niet goed wat je over jezelf ontdekte. Kies hieronder wat past.")
            ]
        self.zeg(
            _("🧭 Dit liet je zien over jezelf:"),
            *regels,
            _("Klopt dit? Tik aan wat past, en dan op Opslaan."),
            buttons=(
                *(
                    Button(
                        template(
                            "{vinkje} {naam}",
                            vinkje="✅" if c.value in gekozen else "⬜",
                            naam=dossier.NAAM[c],
                        ),
                        COMPETENTIE + c.value,
                    )
                    for c in Competentie
                ),
                Button(_("Opslaan 💾"), OPSLAAN),
            ),
            columns=2,
        )

    def _stel(self, vraag: Vraag) -> None:
        ervaring = self.data["ervaring"]
        header = None if vraag is PLEK or vraag.key == "vorige" else _voortgang(vraag, ervaring)
        tekst = vraag.tekst_voor(ervaring, self.data["aantal"])
        if vraag.key == "vorige":
            tekst = tekst.with_params(stap=(self.data["vorige"] or {}).get("stap") or "")
        knoppen = _knoppen_van(vraag)
        if vraag.vorm is Vorm.TEKST and vraag is not PLEK:
            knoppen = (*knoppen, Button(_("Weet ik niet 🤷"), WEET_NIET))
        columns = 5 if vraag.vorm is Vorm.SCHAAL else 2 if len(knoppen) > 3 else len(knoppen) or 1
        self.zeg(tekst, buttons=knoppen, columns=columns, header=header)


def _tags(vraag: Vraag, text: str | None, choice: str | None, taal: str) -> tuple[Tag, ...]:
    """Tag an answer: the words written, or the label of the chosen button."""
    aims = [c.value for c in vraag.aims]
    if text:
        lang = taal if taal in tagging.languages() else "nl"
        toont = vraag.toont.value if vraag.toont else None
        return tuple(tagging.tag(text, lang, aims, toont, vraag=vraag.key))
    keuze = next((k for k in (*vraag.choices, *vraag.scaffold) if k.value == choice), None)
    if keuze is not None and vraag.scaffold and keuze in vraag.scaffold:
        return tuple(tagging.tag(keuze.label.msgid, "nl", aims, vraag=vraag.key))
    return ()


def _samen(eerder: dict[str, list[str]] | None, tags: tuple[Tag, ...], flagged: bool) -> dict:
    """Competency → evidence words, for the answer and (after a probe) its follow-up."""
    per = {k: list(v) for k, v in (eerder or {}).items()}
    if not flagged:
        for tag in tags:
            per.setdefault(tag.competency, []).extend(
                w for w in tag.evidence if w not in per[tag.competency]
            )
    return per


def _scaffold(vraag: Vraag, aantal: int) -> tuple[bank.Keuze, ...]:
    """Example answers fade as the dossier grows: all at first, half later, none after six."""
    if aantal < 3:
        return vraag.scaffold
    return vraag.scaffold[: len(vraag.scaffold) // 2] if aantal < 6 else ()


def rode_draad(data: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """An earlier experience with a competency in common (the most recent), if any."""
    nu = data.get("competenties") or []
    for eerder in reversed(data.get("eerder") or []):
        gedeeld = [c for c in nu if c in (eerder.get("competenties") or [])]
        if gedeeld:
            return eerder, gedeeld[0]
        if eerder.get("soort") == data.get("ervaring") and nu:
            return eerder, nu[0]
    return None


def _referentie(ref: str) -> str | None:
    """A channel's media reference, kept only if it is plain printable text (a file id)."""
    return invoer.schoon(ref)[:256] or None


def _knoppen_van(vraag: Vraag) -> tuple[Button, ...]:
    """The buttons shown with a question (scaffold buttons come only after "weet ik niet")."""
    keuzes = bank.SCHAAL if vraag.vorm is Vorm.SCHAAL else vraag.choices
    return tuple(Button(k.label, k.value) for k in keuzes)


def _keuzes_van(vraag: Vraag) -> tuple[bank.Keuze, ...]:
    """Every button value a question accepts, scaffold included."""
    keuzes = bank.SCHAAL if vraag.vorm is Vorm.SCHAAL else vraag.choices
    return (*keuzes, *vraag.scaffold)


def _voortgang(vraag: Vraag, ervaring: str | None) -> Text:
    """Where the student is: the phase, "2/4 ●●○○", and the question within the phase."""
    fase = FASE_VAN[vraag.key]
    nr = FASEN.index(fase) + 1
    vragen = [v for v in fase.vragen if v.geldt_voor(ervaring)]
    return _(
        "{emoji} {fase} · {nr}/{totaal} {bolletjes} · vraag {vraag} van {vragen}",
        emoji=fase.emoji,
        fase=fase.label,
        nr=nr,
        totaal=len(FASEN),
        bolletjes="●" * nr + "○" * (len(FASEN) - nr),
        vraag=vragen.index(vraag) + 1,
        vragen=len(vragen),
    )


def _samenvatting_regels(data: dict[str, Any]) -> list[tuple[str, Text]]:
    """The summary in the student's own words, one line per answer that has content."""
    regels: list[tuple[str, Text]] = []
    antwoorden = data["antwoorden"]
    labels = {
        "plek": _("📍 Waar: {answer}"),
        "wat": _("🔙 Wat je deed: {answer}"),
        "taak": _("🧰 Je taak: {answer}"),
        "moment": _("⭐ Wat je bijbleef: {answer}"),
        "goed": _("💪 Wat je goed deed: {answer}"),
        "leuk": _("❤️ Wat je leuk vond (of niet): {answer}"),
        "anderen": _("👪 Wat anderen vinden: {answer}"),
        "past": _("🧭 Past het werk bij je? {answer}"),
        "waarom": _("💭 Waarom: {answer}"),
        "ontdekken": _("🔎 Wat je nog wilt ontdekken: {answer}"),
        "stap": _("🚀 Je volgende stap: {answer}"),
        "wanneer": _("📅 Wanneer: {answer}"),
        "wie": _("🤝 Wie helpt: {answer}"),
        "obstakel": _("🧱 Wat kan misgaan: {answer}"),
    }
    for key, label in labels.items():
        antwoord = antwoorden.get(key)
        if not antwoord:
            continue
        weergave = _weergave(key, antwoord)
        if weergave is not None:
            regels.append((key, label.with_params(answer=weergave)))
    return regels


def _weergave(key: str, antwoord: dict[str, Any]) -> Text | None:
    """How one answer reads in the summary: the student's words, or the chosen button."""
    if antwoord.get("due"):
        dag, maand, jaar = reversed(antwoord["due"].split("-"))
        return verbatim(f"{dag}-{maand}-{jaar}")
    if antwoord.get("text"):
        return verbatim(antwoord["text"])
    if antwoord.get("choice"):
        vraag = PLEK if key == "plek" else bank.VRAAG[key]
        for k in (*vraag.choices, *vraag.scaffold):
            if k.value == antwoord["choice"]:
                return k.label
    return None


def _herken_ervaring(text: str) -> str | None:
    """An experience type typed instead of tapped ("bliksemstage", "open dag")."""
    t = "".join(ch for ch in invoer.schoon(text).lower() if ch.isalnum())
    for ervaring in bank.ERVARINGEN:
        label = "".join(ch for ch in ervaring.label.msgid.lower() if ch.isalnum())
        if len(t) >= 4 and (t == ervaring.key or label.startswith(t)):
            return ervaring.key
    return None


def _herken_keuze(text: str, vraag: Vraag) -> str | None:
    eerste = invoer.schoon(text).lower().split(maxsplit=1)
    if not eerste:
        return None
    woord = eerste[0].strip(",.!")
    for k in vraag.choices:
        if woord == k.value or woord == k.label.msgid.lower().split()[0]:
            return k.value
    return None


def _hulp() -> tuple[Text, ...]:
    return (
        _(
            "Zo werkt het:\n"
            "/terug – één vraag terug\n"
            "/overslaan – deze vraag overslaan\n"
            "/stop – even pauzeren (alles blijft bewaard)\n"
            "/verder – verder waar je was\n"
            "/opnieuw – opnieuw beginnen met een andere ervaring\n"
            "/dossier – je loopbaandossier bekijken\n"
            "/notitie – iets in je dossier zetten\n"
            "/ouder – je ouder of verzorger uitnodigen\n"
            "/mijngegevens – wat lobbot over jou bewaart\n"
            "/hulp – deze uitleg"
        ),
    )


MACHINE = HierarchicalMachine(
    model=None,
    states=STATES,
    transitions=TRANSITIONS,
    initial="start",
    auto_transitions=False,
    send_event=True,
    after_state_change="na_overgang",
)
# One turn at a time runs through the machine (its nested-state bookkeeping is not
# thread-safe), so one model is enough: it is added once and bound to each turn's data. Adding
# and removing a model per turn costs more than the turn itself (the machine has 300+
# transitions); setting the state is cheap, and the model keeps nothing between turns.
_MACHINE_LOCK = threading.Lock()
_GESPREK = Gesprek({}, None)
MACHINE.add_model(_GESPREK, initial="start")


def stap(saved: dict[str, Any] | None, event: Event) -> Turn:
    """One turn of the reflection: saved state and event in; new state, replies, effects out."""
    # A copy, so the caller's state stays untouched; the state is JSON by contract, and a JSON
    # round trip copies it several times faster than copy.deepcopy.
    data = json.loads(json.dumps({**nieuw(), **(saved or {})}))
    with _MACHINE_LOCK:
        gesprek = _GESPREK
        gesprek.__init__(data, event.at)  # type: ignore[misc]  # a fresh turn on the bound model
        MACHINE.set_state(data["state"], model=gesprek)
        try:
            gesprek.verwerk(event)
            data["state"] = gesprek.state
            if not gesprek.replies:  # every event is answered, if only by repeating the question
                gesprek.stel_vraag()
            replies, effects = gesprek.replies, gesprek.effects
        finally:
            gesprek.__init__({}, None)  # type: ignore[misc]  # hold no student's data after the turn
    return Turn(data, _samengevoegd(replies), effects)


def _samengevoegd(replies: list[Reply]) -> list[Reply]:
    """Fold a reply without buttons into the next one: one message per turn reads best on a
    phone ("Dank je! 👍" and the next question arrive together)."""
    merged: list[Reply] = []
    wachtend: tuple[Text, ...] = ()
    for reply in replies:
        if reply.notice:
            merged.append(reply)
        elif not reply.buttons and reply is not replies[-1]:
            wachtend += reply.lines
        else:
            merged.append(replace(reply, lines=wachtend + reply.lines))
            wachtend = ()
    if wachtend:  # a notice came last: what was waiting still has to be said
        merged.append(Reply(wachtend))
    return merged


def toon(saved: dict[str, Any]) -> list[Reply]:
    """The current question as the person would see it now, without taking a turn."""
    data = {**nieuw(), **saved}
    gesprek = Gesprek(data, None)
    gesprek.state = data["state"]
    gesprek.stel_vraag()
    return gesprek.replies
