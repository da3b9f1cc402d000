"""The loopbaandossier in plain words: what a reflection showed, and its entry in the C2 form.

A dossier entry records, for one activity: the activity itself, the intended goals (when asked),
the results, the evaluation and conclusion, and the follow-up — the four parts the vmbo exam
programme (kerndeel C2) asks for. Entries are append-only: a correction is a new version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows import ouder
from flows.bank import ERVARING, Competentie
from flows.replies import Button, Reply
from flows.text import Text, _, joined, verbatim
from flows.thuisopdrachten import THUISOPDRACHT

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


# --- the student's own view: /dossier ---------------------------------------------------------

PER_PAGINA = 3
DOSSIER = "d:"  # button values of the dossier view: d:p:<page>, d:v:<entry>, d:r:<entry>:<line>
NOTITIE = "d:n"

_KOPPEN: Mapping[str, Text] = {
    "wat": _("Wat je deed"),
    "taak": _("Je taak"),
    "moment": _("Wat je bijbleef"),
    "goed": _("Wat je goed deed"),
    "leuk": _("Wat je leuk vond (of niet)"),
    "anderen": _("Wat anderen vinden"),
    "waarom": _("Waarom"),
    "ontdekken": _("Wat je nog wilt ontdekken"),
    "stap": _("Je volgende stap"),
    "wie": _("Wie helpt"),
    "obstakel": _("Wat kan misgaan"),
    "notitie": _("Notitie"),
}
_DELEN = ("resultaten", "evaluatie", "vervolg")


def regels(content: Mapping[str, Any]) -> list[tuple[str, Text, str]]:
    """The lines of an entry a student can read and correct: (path, heading, words)."""
    found = []
    for deel in _DELEN:
        for key, waarde in (content.get(deel) or {}).items():
            if key in _KOPPEN and isinstance(waarde, str):
                found.append((f"{deel}.{key}", _KOPPEN[key], waarde))
    if isinstance(content.get("notitie"), str):
        found.append(("notitie", _KOPPEN["notitie"], content["notitie"]))
    return found


def verbeterd(content: Mapping[str, Any], pad: str, tekst: str) -> dict[str, Any]:
    """A copy of the entry with one line replaced (stored as a new version)."""
    nieuw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in content.items()}
    if "." in pad:
        deel, key = pad.split(".", 1)
        nieuw.setdefault(deel, {})[key] = tekst
    else:
        nieuw[pad] = tekst
    return nieuw


def pagina(entries: list[Mapping[str, Any]], nummer: int) -> Reply:
    """One page of the dossier, newest first, with paging and editing buttons.

    Each entry is ``{"id", "source", "version", "content", "competencies", "created"}``.
    """
    nieuwste = list(reversed(entries))
    paginas = max(1, -(-len(nieuwste) // PER_PAGINA))
    nummer = min(max(nummer, 1), paginas)
    deze = nieuwste[(nummer - 1) * PER_PAGINA : nummer * PER_PAGINA]
    lines: list[Text] = [
        _("📁 Je loopbaandossier"),
        _("🔒 Alleen jij en je mentor kunnen dit lezen."),
    ]
    if not deze:
        lines.append(_("Er staat nog niets in. Na je eerste reflectie komt het hier."))
    knoppen: list[Button] = []
    for entry in deze:
        lines.append(_kop(entry))
        if entry["source"] == "ouder":
            lines += [
                _("• {kop}: {woorden}", kop=kop, woorden=w)
                for kop, w in ouder.antwoord_regels(entry["content"])
            ]
            if entry["competencies"]:
                lines.append(
                    _(
                        "🧭 {namen}",
                        namen=joined([NAAM[c] for c in entry["competencies"] if c in NAAM]),
                    )
                )
            continue  # a parent's words are theirs: the child does not correct them
        lines += [
            _("• {kop}: {woorden}", kop=kop, woorden=verbatim(w))
            for _p, kop, w in regels(entry["content"])
        ]
        if entry["competencies"]:
            namen = [NAAM[c] for c in entry["competencies"] if c in NAAM]
            lines.append(_("🧭 {namen}", namen=joined(namen)))
        knoppen.append(
            Button(_("✏️ Verbeter {datum}", datum=entry["created"]), f"{DOSSIER}v:{entry['id']}")
        )
    if nummer < paginas:
        knoppen.append(Button(_("◀ Ouder"), f"{DOSSIER}p:{nummer + 1}"))
    if nummer > 1:
        knoppen.append(Button(_("Nieuwer ▶"), f"{DOSSIER}p:{nummer - 1}"))
    knoppen.append(Button(_("📝 Notitie toevoegen"), NOTITIE))
    lines.append(_("Pagina {nummer} van {paginas}", nummer=nummer, paginas=paginas))
    return Reply(tuple(lines), tuple(knoppen), columns=2)


def samenvatting_regels(content: Mapping[str, Any]) -> list[Text]:
    """An entry in a few lines, for sharing it with a parent."""
    if content.get("thuisopdracht"):
        return [
            _("• {kop}: {woorden}", kop=kop, woorden=w) for kop, w in ouder.antwoord_regels(content)
        ]
    activiteit = content.get("activiteit") or {}
    soort = ERVARING.get(activiteit.get("soort") or "")
    lines: list[Text] = []
    if soort:
        lines.append(
            _("📌 {soort} — {plek}", soort=soort.label, plek=verbatim(activiteit.get("plek") or ""))
        )
    lines += [
        _("• {kop}: {woorden}", kop=kop, woorden=verbatim(w)) for _p, kop, w in regels(content)
    ]
    return lines


def _kop(entry: Mapping[str, Any]) -> Text:
    activiteit = entry["content"].get("activiteit") or {}
    if entry["source"] == "ouder":
        thuis = entry["content"].get("thuisopdracht") or {}
        opdracht = THUISOPDRACHT.get(thuis.get("opdracht") or "")
        door = ouder.WIE.get(thuis.get("door") or "", _("ouder"))
        return _(
            "👪 Thuisopdracht “{titel}” — je {wie}, {datum}",
            titel=opdracht.naam if opdracht else verbatim(""),
            wie=door,
            datum=entry["created"],
        )
    if entry["source"] == "leerling":
        return _("📝 Notitie van {datum}", datum=entry["created"])
    versie = (
        _(" (versie {versie})", versie=entry["version"]) if entry["version"] > 1 else verbatim("")
    )
    soort = ERVARING.get(activiteit.get("soort") or "")
    return _(
        "📌 {soort} — {plek}, {datum}{versie}",
        soort=soort.label if soort else verbatim(activiteit.get("soort") or ""),
        plek=verbatim(activiteit.get("plek") or ""),
        datum=entry["created"],
        versie=versie,
    )
