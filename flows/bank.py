"""The question bank: experience types and the questions of the four phases, as data.

The reflection machine's states are generated from ``FASEN``; adding a question or an experience
type is an edit here, not in the handlers. Questions are short (B1 Dutch or simpler) and ask one
thing each. A question may word itself differently per experience type (a gastles has no boss)
or apply to some experience types only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from flows.text import Text, _, verbatim


class Competentie(StrEnum):
    """The six loopbaancompetenties an answer can give evidence of."""

    KWALITEITEN = "kwaliteiten"
    MOTIEVEN = "motieven"
    WERKEXPLORATIE = "werkexploratie"
    LOOPBAANSTURING = "loopbaansturing"
    NETWERKEN = "netwerken"
    VERWACHTINGEN = "verwachtingen"


class Vorm(StrEnum):
    """How a question is answered."""

    TEKST = "tekst"
    KEUZE = "keuze"
    SCHAAL = "schaal"  # 1–5 with emoji
    FOTO = "foto"  # a photo, or the "geen foto" button
    DATUM = "datum"


@dataclass(frozen=True)
class Keuze:
    """A choice button: a stable value and its label."""

    value: str
    label: Text


@dataclass(frozen=True)
class Ervaring:
    """An experience type a student can reflect on."""

    key: str
    label: Text
    emoji: str


@dataclass(frozen=True)
class Vraag:
    """One question of the loopbaangesprek."""

    key: str
    text: Text
    aims: tuple[Competentie, ...]
    vorm: Vorm = Vorm.TEKST
    choices: tuple[Keuze, ...] = ()
    probe: Text | None = None
    scaffold: tuple[Keuze, ...] = ()
    per_ervaring: Mapping[str, Text] = field(default_factory=dict)
    alleen_bij: frozenset[str] | None = None
    varianten: tuple[Text, ...] = ()  # other wordings, so the fifth reflection is not the first
    # Asked straight out, so any answer with content shows it: whatever a student names when
    # asked what they liked ("deeg kneden", "op de tractor rijden") is a motive.
    toont: Competentie | None = None

    def tekst_voor(self, ervaring: str | None, aantal: int = 0) -> Text:
        """The wording for this experience type, varied by how many reflections came before."""
        keuzes = (self.per_ervaring.get(ervaring or "", self.text), *self.varianten)
        return keuzes[aantal % len(keuzes)]

    def geldt_voor(self, ervaring: str | None) -> bool:
        """Whether this question is asked after this experience type."""
        return self.alleen_bij is None or ervaring in self.alleen_bij


@dataclass(frozen=True)
class Fase:
    """One of the four phases, with its questions in order."""

    key: str
    label: Text
    emoji: str
    vragen: tuple[Vraag, ...]


ERVARINGEN: tuple[Ervaring, ...] = (
    Ervaring("bliksemstage", _("Bliksemstage"), "⚡"),
    Ervaring("bedrijfsbezoek", _("Bedrijfsbezoek"), "🏢"),
    Ervaring("gastles", _("Gastles"), "🎤"),
    Ervaring("opendag", _("Open dag"), "🏫"),
    Ervaring("meeloopdag", _("Meeloopdag (mbo)"), "🚶"),
    Ervaring("praktijkles", _("Praktijkles"), "🛠️"),
    Ervaring("anders", _("Iets anders"), "✨"),
)
ERVARING = {e.key: e for e in ERVARINGEN}

MET_EEN_TAAK = frozenset({"bliksemstage", "meeloopdag", "praktijkles"})

PLEK = Vraag(
    key="plek",
    text=_("Waar was je? Noem het bedrijf of de plek."),
    aims=(Competentie.WERKEXPLORATIE,),
    per_ervaring={
        "gastles": _("Wie gaf de gastles, en over welk beroep ging het?"),
        "opendag": _("Bij welke school was de open dag? En welke opleiding bekeek je?"),
        "meeloopdag": _("Bij welke mbo-school liep je mee? En bij welke opleiding?"),
        "praktijkles": _("Welke praktijkles was het? Noem het vak of de opdracht."),
        "anders": _("Wat heb je gedaan, en waar was het?"),
    },
)

# Continuity: asked before the first question when the previous reflection chose a next step.
VORIGE = Vraag(
    key="vorige",
    text=_("Vorige keer wilde je dit doen: “{stap}”. Is dat gelukt?"),
    aims=(Competentie.LOOPBAANSTURING,),
    vorm=Vorm.KEUZE,
    choices=(
        Keuze("ja", _("Ja, gelukt 🎉")),
        Keuze("beetje", _("Een beetje")),
        Keuze("nee", _("Nee, nog niet")),
    ),
)

# A common thread with an earlier experience (same competency or same kind of work).
RODE_DRAAD = Vraag(
    key="rodedraad",
    text=_("Zie je iets terugkomen? Wat is hetzelfde, wat is anders?"),
    aims=(Competentie.KWALITEITEN, Competentie.MOTIEVEN),
    probe=_("Wat past daarbij het best bij jou?"),
)

KWALITEITEN = (
    Keuze("samenwerken", _("samenwerken")),
    Keuze("netjes", _("netjes werken")),
    Keuze("klanten", _("klanten helpen")),
    Keuze("doorzetten", _("doorzetten")),
    Keuze("luisteren", _("goed luisteren")),
    Keuze("maken", _("iets maken met mijn handen")),
    Keuze("uitleggen", _("iets uitleggen")),
    Keuze("optijd", _("op tijd zijn")),
)

VOLGENDE_STAPPEN = (
    Keuze("beroep", _("een ander beroep bekijken")),
    Keuze("opendag", _("naar een open dag gaan")),
    Keuze("meelopen", _("meelopen bij een bedrijf")),
    Keuze("praten", _("praten met iemand die dit werk doet")),
    Keuze("keuzevak", _("een keuzevak of profiel uitzoeken")),
)

TERUGKIJKEN = Fase(
    "terugkijken",
    _("Terugkijken"),
    "🔙",
    (
        Vraag(
            key="wat",
            text=_("Wat heb je gedaan? Noem twee of drie dingen."),
            aims=(Competentie.WERKEXPLORATIE,),
            probe=_("Vertel er iets meer over. Wat deed je bijvoorbeeld als eerste?"),
            scaffold=(
                Keuze("meegeholpen", _("Ik hielp mee")),
                Keuze("meegekeken", _("Ik keek mee")),
                Keuze("uitleg", _("Ik kreeg uitleg")),
                Keuze("opdracht", _("Ik deed een opdracht")),
                Keuze("vragen", _("Ik stelde vragen")),
            ),
            per_ervaring={
                "gastles": _("Waar ging de gastles over? Wat vertelde de gastspreker?"),
                "bedrijfsbezoek": _("Wat heb je gezien bij het bedrijf? Wat deden de mensen daar?"),
                "opendag": _("Wat heb je gezien en gedaan op de open dag?"),
            },
        ),
        Vraag(
            key="taak",
            text=_("Wat was jouw taak? Wat moest je van je begeleider doen?"),
            aims=(Competentie.WERKEXPLORATIE, Competentie.VERWACHTINGEN),
            probe=_("Hoe wist je wat je moest doen? Legde iemand het uit?"),
            per_ervaring={
                "praktijkles": _("Wat was jouw taak in de les? Wat moest je van de docent doen?"),
            },
            alleen_bij=MET_EEN_TAAK,
        ),
        Vraag(
            key="moment",
            text=_("Welk moment is je het meest bijgebleven? Iets leuks of juist iets stoms."),
            aims=(Competentie.WERKEXPLORATIE, Competentie.MOTIEVEN),
            probe=_("Wat gebeurde er precies? Vertel het alsof ik erbij was."),
        ),
        Vraag(
            key="foto",
            text=_("Heb je een foto van het leukste moment? Stuur hem maar!"),
            aims=(Competentie.WERKEXPLORATIE,),
            vorm=Vorm.FOTO,
            choices=(Keuze("geen", _("Geen foto")),),
        ),
    ),
)

REFLECTEREN = Fase(
    "reflecteren",
    _("Reflecteren"),
    "🤔",
    (
        Vraag(
            key="gevoel",
            text=_("Hoe vond je het? Kies een gezicht."),
            aims=(Competentie.MOTIEVEN,),
            vorm=Vorm.SCHAAL,
        ),
        Vraag(
            key="goed",
            text=_("Wat deed jij goed? Ook kleine dingen tellen."),
            aims=(Competentie.KWALITEITEN,),
            probe=_("Hoe merkte je dat? Zei iemand er iets over?"),
            scaffold=KWALITEITEN,
            per_ervaring={
                "gastles": _("Wat ontdekte je over jezelf in de gastles? Wat zou jij goed kunnen?"),
                "opendag": _("Wat zou jij goed kunnen in deze opleiding?"),
            },
        ),
        Vraag(
            key="leuk",
            text=_("Wat vond je leuk, en wat niet? Waarom?"),
            aims=(Competentie.MOTIEVEN,),
            toont=Competentie.MOTIEVEN,
            probe=_("Waarom vond je dat leuk, of juist niet?"),
            scaffold=(
                Keuze("mensen", _("met mensen werken")),
                Keuze("handen", _("met mijn handen werken")),
                Keuze("buiten", _("buiten zijn")),
                Keuze("leren", _("iets nieuws leren")),
                Keuze("afwisseling", _("afwisseling")),
                Keuze("rust", _("rust en regelmaat")),
                Keuze("helpen", _("anderen helpen")),
            ),
        ),
        Vraag(
            key="anderen",
            text=_(
                "Wat vinden anderen, zoals je ouders of vrienden, van dit werk?"
                " Past dat bij wat jij wilt?"
            ),
            aims=(Competentie.VERWACHTINGEN,),
            probe=_("Wat zouden je ouders zeggen als je dit werk later wilt doen?"),
        ),
    ),
)

VOORUITKIJKEN = Fase(
    "vooruitkijken",
    _("Vooruitkijken"),
    "🔭",
    (
        Vraag(
            key="past",
            text=_("Past dit soort werk bij jou?"),
            aims=(Competentie.WERKEXPLORATIE, Competentie.MOTIEVEN),
            vorm=Vorm.KEUZE,
            choices=(
                Keuze("ja", _("Ja 👍")),
                Keuze("misschien", _("Misschien 🤔")),
                Keuze("nee", _("Nee 👎")),
            ),
            per_ervaring={"opendag": _("Past deze opleiding bij jou?")},
        ),
        Vraag(
            key="waarom",
            text=_("Waarom denk je dat?"),
            aims=(Competentie.MOTIEVEN, Competentie.KWALITEITEN),
            probe=_("Wat maakt dat je dat denkt? Noem één ding."),
        ),
        Vraag(
            key="ontdekken",
            text=_("Wat wil je hierna nog ontdekken of proberen?"),
            aims=(Competentie.LOOPBAANSTURING,),
            scaffold=VOLGENDE_STAPPEN,
        ),
    ),
)

ACTIVEREN = Fase(
    "activeren",
    _("Activeren"),
    "🚀",
    (
        Vraag(
            key="stap",
            text=_("Wat is je volgende kleine stap? Maak het concreet."),
            aims=(Competentie.LOOPBAANSTURING,),
            probe=_("Wat ga je dan precies doen?"),
            scaffold=VOLGENDE_STAPPEN,
        ),
        Vraag(
            key="wanneer",
            text=_("Wanneer ga je dat doen?"),
            aims=(Competentie.LOOPBAANSTURING,),
            vorm=Vorm.DATUM,
            choices=(
                Keuze("dezeweek", _("Deze week")),
                Keuze("volgendeweek", _("Volgende week")),
                Keuze("dezemaand", _("Deze maand")),
                Keuze("onbekend", _("Weet ik nog niet")),
            ),
        ),
        Vraag(
            key="wie",
            text=_("Wie kan je daarbij helpen? En hoe vraag je het?"),
            aims=(Competentie.NETWERKEN,),
            probe=_("Hoe ga je die persoon vragen? Via een appje, of als je hem of haar ziet?"),
            scaffold=(
                Keuze("mentor", _("mijn mentor")),
                Keuze("ouders", _("mijn ouders")),
                Keuze("decaan", _("de decaan")),
                Keuze("vriend", _("een vriend of vriendin")),
                Keuze("bedrijf", _("iemand van het bedrijf")),
            ),
        ),
        Vraag(
            key="obstakel",
            text=_("Wat kan er misgaan? En wat doe je dan?"),
            aims=(Competentie.VERWACHTINGEN, Competentie.LOOPBAANSTURING),
            probe=_("Wie of wat kan je dan helpen?"),
        ),
    ),
)

FASEN: tuple[Fase, ...] = (TERUGKIJKEN, REFLECTEREN, VOORUITKIJKEN, ACTIVEREN)
EXTRA = (PLEK, VORIGE, RODE_DRAAD)
VRAAG: dict[str, Vraag] = {v.key: v for f in FASEN for v in f.vragen} | {v.key: v for v in EXTRA}
FASE_VAN: dict[str, Fase] = {v.key: f for f in FASEN for v in f.vragen} | {
    VORIGE.key: TERUGKIJKEN,
    RODE_DRAAD.key: REFLECTEREN,
}

SCHAAL = (
    Keuze("1", verbatim("😣 1")),
    Keuze("2", verbatim("🙁 2")),
    Keuze("3", verbatim("😐 3")),
    Keuze("4", verbatim("🙂 4")),
    Keuze("5", verbatim("😄 5")),
)
