"""The loopbaandossier in plain words: what a reflection showed, and its entry in the C2 form.

A dossier entry records, for one activity: the activity itself, the intended goals (when asked),
the results, the evaluation and conclusion, and the follow-up — the four parts the vmbo exam
programme (kerndeel C2) asks for. Entries are append-only: a correction is a new version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.bank import Competentie
from flows.text import Text, _

NAAM: Mapping[str, Text] = {
    Competentie.KWALITEITEN: _("kwaliteitenreflectie"),
    Competentie.MOTIEVEN: _("motievenreflectie"),
    Competentie.WERKEXPLORATIE: _("werkexploratie"),
    Competentie.LOOPBAANSTURING: _("loopbaansturing"),
    Competentie.NETWERKEN: _("netwerken"),
    Competentie.VERWACHTINGEN: _("omgaan met verwachtingen"),
}

_UITLEG: Mapping[str, Text] = {
    Competentie.KWALITEITEN: _("Je vertelde wat je goed kunt: {woorden}. Dat heet {naam}."),
    Competentie.MOTIEVEN: _(
        "Je vertelde wat je leuk of belangrijk vindt: {woorden}. Dat heet {naam}."
    ),
    Competentie.WERKEXPLORATIE: _("Je ontdekte hoe het werk is: {woorden}. Dat heet {naam}."),
    Competentie.LOOPBAANSTURING: _("Je koos wat je hierna gaat doen: {woorden}. Dat heet {naam}."),
    Competentie.NETWERKEN: _("Je noemde wie je kan helpen: {woorden}. Dat heet {naam}."),
    Competentie.VERWACHTINGEN: _(
        "Je dacht na over wat anderen van je verwachten: {woorden}. Dat heet {naam}."
    ),
}

# Which answers belong in which part of the C2 entry.
RESULTATEN = ("wat", "taak", "moment", "foto")
EVALUATIE = ("gevoel", "goed", "leuk", "anderen", "past", "waarom")
VERVOLG = ("ontdekken", "stap", "wanneer", "wie", "obstakel")


def uitleg(competentie: str, woorden: list[str]) -> Text:
    """One competency in plain words, with the student's own words as the example."""
    return _UITLEG[competentie].with_params(
        woorden="“" + "”, “".join(woorden[:3]) + "”", naam=NAAM[competentie]
    )


def gevonden(antwoorden: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """Per competency the words that showed it, over all answers of a reflection."""
    per: dict[str, list[str]] = {}
    for antwoord in antwoorden.values():
        for competentie, woorden in (antwoord.get("tags") or {}).items():
            for woord in woorden:
                if woord not in per.setdefault(competentie, []):
                    per[competentie].append(woord)
    return {c.value: per[c.value] for c in Competentie if c.value in per}


def entry(
    ervaring: Mapping[str, Any],
    antwoorden: Mapping[str, Mapping[str, Any]],
    competenties: list[str],
    bijlagen: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """The C2 entry of a finished reflection, as data (JSON) for the dossier and its exports.

    ``competenties`` are the ones the student confirmed; what the tagger proposed is kept beside
    them, so it stays visible where the student changed it."""

    def deel(keys: tuple[str, ...]) -> dict[str, Any]:
        return {
            k: _waarde(antwoorden[k]) for k in keys if k in antwoorden and _waarde(antwoorden[k])
        }

    return {
        "activiteit": {
            "soort": ervaring.get("soort"),
            "plek": ervaring.get("plek"),
            "datum": ervaring.get("datum"),
        },
        "doelen": deel(("doel",)),
        "resultaten": deel(RESULTATEN),
        "evaluatie": deel(EVALUATIE),
        "conclusie": {
            "competenties": competenties,
            "voorgesteld": list(gevonden(antwoorden)),
            "past": _waarde(antwoorden.get("past", {})),
            "rode_draad": _waarde(antwoorden.get("rodedraad", {})),
        },
        "bijlagen": list(bijlagen),
        "vervolg": deel(VERVOLG),
    }


def _waarde(antwoord: Mapping[str, Any]) -> Any:
    """What an answer says, as stored: the words, the choice, the date or that a photo exists."""
    if antwoord.get("due"):
        return antwoord["due"]
    if antwoord.get("text"):
        return antwoord["text"]
    if antwoord.get("choice"):
        return antwoord["choice"]
    if antwoord.get("foto"):
        return "foto"
    return None
