"""The thuisopdrachten: short conversations for a parent or carer at home, as data.

Each opdracht has two to four prompts and names the competencies its answers give evidence of.
Parents are addressed as "u", in plain words (many read little Dutch, and the prompts are
translated). Where writing is hard a prompt offers buttons; a parent may always type instead, or
send a voice note. ``{kind}`` is the child's first name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flows.bank import Competentie, Keuze
from flows.text import Text, _


@dataclass(frozen=True)
class Prompt:
    """One question to the parent; ``kop`` is its short heading in the dossier."""

    key: str
    tekst: Text
    kop: Text
    keuzes: tuple[Keuze, ...] = ()


@dataclass(frozen=True)
class Thuisopdracht:
    """A thuisopdracht and the competencies it gives evidence of."""

    key: str
    naam: Text  # short, without the child's name: for the dossier and lists
    titel: Text
    uitleg: Text
    competenties: tuple[Competentie, ...]
    prompts: tuple[Prompt, ...]


K, M, W, L, N, V = (
    Competentie.KWALITEITEN,
    Competentie.MOTIEVEN,
    Competentie.WERKEXPLORATIE,
    Competentie.LOOPBAANSTURING,
    Competentie.NETWERKEN,
    Competentie.VERWACHTINGEN,
)

THUISOPDRACHTEN: tuple[Thuisopdracht, ...] = (
    Thuisopdracht(
        key="sterk",
        naam=_("Sterke kanten"),
        titel=_("Waar is {kind} goed in?"),
        uitleg=_("U kent {kind} het best. Wat u ziet, helpt {kind} kiezen."),
        competenties=(K, M),
        prompts=(
            Prompt(
                "goed",
                _("Waar is {kind} goed in, denkt u? Kies er een, of typ het zelf."),
                _("Goed in"),
                (
                    Keuze("helpen", _("Anderen helpen 🤝")),
                    Keuze("handen", _("Met de handen werken 🔧")),
                    Keuze("praten", _("Praten met mensen 💬")),
                    Keuze("creatief", _("Creatief zijn 🎨")),
                    Keuze("rekenen", _("Rekenen en computers 💻")),
                    Keuze("sport", _("Sport en bewegen ⚽")),
                ),
            ),
            Prompt(
                "voorbeeld",
                _("Wanneer zag u dat? Vertel een kort voorbeeld."),
                _("Voorbeeld"),
            ),
            Prompt(
                "leuk",
                _("Wat doet {kind} het liefst, thuis of buiten school?"),
                _("Doet het liefst"),
            ),
        ),
    ),
    Thuisopdracht(
        key="beroepen",
        naam=_("Drie beroepen"),
        titel=_("Drie beroepen"),
        uitleg=_(
            "Kies samen met {kind}, en misschien een ander familielid, drie beroepen"
            " die bij {kind} passen."
        ),
        competenties=(W, M, V),
        prompts=(
            Prompt(
                "wie",
                _("Met wie heeft u de beroepen gekozen?"),
                _("Gekozen met"),
                (
                    Keuze("kind", _("Met {kind}")),
                    Keuze("familie", _("Met {kind} en familie")),
                    Keuze("alleen", _("Ik alleen")),
                ),
            ),
            Prompt(
                "welke",
                _("Welke drie beroepen kozen jullie?"),
                _("Beroepen"),
            ),
            Prompt(
                "waarom",
                _("Waarom passen deze beroepen bij {kind}?"),
                _("Waarom"),
            ),
        ),
    ),
    Thuisopdracht(
        key="netwerk",
        naam=_("Het netwerk van de familie"),
        titel=_("Wie kent welk werk?"),
        uitleg=_(
            "Familie en vrienden kunnen {kind} veel vertellen over hun werk."
            " Wie kent u, en wat doen ze?"
        ),
        competenties=(N, W),
        prompts=(
            Prompt(
                "werk",
                _(
                    "Wie in uw familie of kennissen heeft werk? Wat doen ze?"
                    " Bijvoorbeeld: oom Ali is kok."
                ),
                _("Werk in de familie"),
            ),
            Prompt(
                "vertellen",
                _("Kan een van hen {kind} vertellen over dat werk, of laten meekijken?"),
                _("Kan vertellen"),
                (
                    Keuze("ja", _("Ja")),
                    Keuze("misschien", _("Misschien")),
                    Keuze("nee", _("Nee")),
                ),
            ),
            Prompt(
                "vragen",
                _("Wie zou {kind} het eerst kunnen vragen? En wat zou {kind} willen weten?"),
                _("Eerst vragen"),
            ),
        ),
    ),
    Thuisopdracht(
        key="opendag",
        naam=_("Open dag mbo"),
        titel=_("Naar een open dag"),
        uitleg=_(
            "Op een open dag van een mbo-school zien {kind} en u hoe de opleidingen zijn."
            " Samen gaan helpt."
        ),
        competenties=(W, L),
        prompts=(
            Prompt(
                "gaan",
                _("Gaat u met {kind} naar een open dag?"),
                _("Open dag"),
                (
                    Keuze("geweest", _("We zijn al geweest")),
                    Keuze("gepland", _("Ja, we gaan")),
                    Keuze("nog_niet", _("Nog niet gepland")),
                    Keuze("nee", _("Nee, dat lukt niet")),
                ),
            ),
            Prompt(
                "vraag",
                _("Welke vraag wilt u, of {kind}, stellen op de open dag?"),
                _("Vraag voor de open dag"),
            ),
            Prompt(
                "indruk",
                _("Wat viel u op, of waar bent u benieuwd naar?"),
                _("Indruk"),
            ),
        ),
    ),
    Thuisopdracht(
        key="keuze",
        naam=_("Profiel- of mbo-keuze"),
        titel=_("De keuze van {kind}"),
        uitleg=_(
            "In klas 2 kiest {kind} een profiel, in klas 4 een opleiding op het mbo. Wat denkt u?"
        ),
        competenties=(L, V, M),
        prompts=(
            Prompt(
                "welke",
                _("Welk profiel of welke mbo-opleiding wil {kind} kiezen, denkt u?"),
                _("Keuze"),
            ),
            Prompt(
                "mening",
                _("Wat vindt u van die keuze?"),
                _("Mening"),
                (
                    Keuze("past", _("Past goed 👍")),
                    Keuze("twijfel", _("Ik twijfel")),
                    Keuze("zorgen", _("Ik maak me zorgen")),
                    Keuze("weet_niet", _("Weet ik nog niet")),
                ),
            ),
            Prompt(
                "meegeven",
                _("Wat wilt u {kind} meegeven bij deze keuze?"),
                _("Wil meegeven"),
            ),
            Prompt(
                "mentor",
                _("Wilt u met de mentor praten over de keuze?"),
                _("Gesprek met mentor"),
                (Keuze("ja", _("Ja, graag")), Keuze("nee", _("Nee, niet nodig"))),
            ),
        ),
    ),
)
THUISOPDRACHT: Mapping[str, Thuisopdracht] = {t.key: t for t in THUISOPDRACHTEN}
EERSTE = THUISOPDRACHTEN[0].key  # a newly linked parent starts here
