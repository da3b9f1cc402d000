"""What a mentor reads: the class overview and the summary before a loopbaangesprek.

Pure renderers: the channel gathers the facts from storage (only for students the mentor may
see) and these functions turn them into replies, in the mentor's language. The student's own
words are quoted as written — there is no machine translation, and the summary says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows import dossier, ouder
from flows.bank import ERVARING, Competentie
from flows.events import Event
from flows.replies import Button, Reply, Turn
from flows.talen import NAMEN
from flows.text import Text, _, joined, ngettext, verbatim
from flows.thuisopdrachten import THUISOPDRACHT, THUISOPDRACHTEN

PER_PAGINA = 10
LANG_GELEDEN = 42  # days without a reflection before the overview marks a student
MENTOR = "m:"  # button values: m:p:<page>, m:gezien:<flag id>, m:s:<student id>

VRAGEN: Mapping[str, Text] = {
    Competentie.KWALITEITEN: _("Wat kun jij goed, en wie heeft dat weleens tegen je gezegd?"),
    Competentie.MOTIEVEN: _("Wat vond je het leukste van wat je deed, en waarom juist dat?"),
    Competentie.WERKEXPLORATIE: _("Hoe ziet een gewone werkdag eruit in het werk dat je bekeek?"),
    Competentie.LOOPBAANSTURING: _("Welke kleine stap kun je deze maand zetten?"),
    Competentie.NETWERKEN: _("Wie ken je die dit werk doet, en wat zou je die willen vragen?"),
    Competentie.VERWACHTINGEN: _(
        "Wat vinden je ouders van je keuze, en wat vind jij daar zelf van?"
    ),
}


@dataclass(frozen=True)
class Stap:
    """A next step the student chose, and what became of it."""

    tekst: str
    wanneer: date | None
    status: str  # open, gelukt, beetje, nee


@dataclass(frozen=True)
class Leerling:
    """The facts about one student that the overview and the summary use."""

    id: int
    naam: str
    klas: str
    laatste: date | None
    dit_jaar: int
    signalen: int
    entries: Sequence[Mapping[str, Any]] = ()  # {"content", "competencies", "created": date}
    stappen: Sequence[Stap] = ()
    taal: str = "nl"
    helpers: Sequence[str] = field(default_factory=list)


def welkom() -> Reply:
    return Reply(
        (
            _("Je bent aangemeld als mentor. 👩‍🏫"),
            _(
                "/leerlingen – je leerlingen, wie aandacht nodig heeft bovenaan\n"
                "/samenvatting <nummer> – wat een leerling vertelde sinds jullie laatste gesprek\n"
                "/gesprek <nummer> <datum> <tijd> – plan een gesprek; de samenvatting komt vooraf\n"
                "/thuisopdracht – stuur een thuisopdracht naar de ouders van een klas"
            ),
        )
    )


def _thuis(content: Mapping[str, Any], created: date) -> list[Text]:
    """A parent's answers to a thuisopdracht, quoted as written."""
    opdracht = THUISOPDRACHT.get(content["thuisopdracht"].get("opdracht") or "")
    lines: list[Text] = [
        _(
            "👪 Thuisopdracht “{naam}”, van een ouder ({datum})",
            naam=opdracht.naam if opdracht else verbatim(""),
            datum=created.strftime("%d-%m"),
        )
    ]
    lines += [
        _("   {kop}: “{woorden}”", kop=kop, woorden=woorden)
        for kop, woorden in ouder.antwoord_regels(content)
    ]
    return lines


def thuisopdracht_keuze() -> Reply:
    """Which thuisopdracht goes to the parents of a class."""
    return Reply(
        (_("Welke thuisopdracht stuur je naar de ouders?"),),
        tuple(Button(t.naam, f"{MENTOR}t:{t.key}") for t in THUISOPDRACHTEN),
    )


def stap(saved: dict[str, Any] | None, event: Event) -> Turn:
    """A mentor's message that no command took: the list of what they can do."""
    return Turn({"state": "welkom"}, [welkom()])


def aandacht(leerling: Leerling, vandaag: date) -> list[Text]:
    """Why a student needs attention first (empty when nothing stands out)."""
    redenen: list[Text] = []
    if leerling.signalen:
        redenen.append(_("🚨 zorgsignaal"))
    if any(s.status == "open" and s.wanneer and s.wanneer < vandaag for s in leerling.stappen):
        redenen.append(_("⏰ stap over tijd"))
    if any(Competentie.VERWACHTINGEN in e.get("competencies", []) for e in leerling.entries[-2:]):
        redenen.append(_("🧱 verwachtingen of drempels genoemd"))
    if leerling.laatste is None or (vandaag - leerling.laatste).days > LANG_GELEDEN:
        redenen.append(_("💤 lang geen reflectie"))
    return redenen


def overzicht(leerlingen: Sequence[Leerling], pagina: int, vandaag: date) -> Reply:
    """The class overview: who needs attention first, then by name; ten per page."""
    gesorteerd = sorted(leerlingen, key=lambda x: (-len(aandacht(x, vandaag)), x.naam.lower()))
    paginas = max(1, -(-len(gesorteerd) // PER_PAGINA))
    pagina = min(max(pagina, 1), paginas)
    lines: list[Text] = [
        ngettext("👥 {n} leerling", "👥 {n} leerlingen", len(gesorteerd)),
    ]
    for x in gesorteerd[(pagina - 1) * PER_PAGINA : pagina * PER_PAGINA]:
        laatste = x.laatste.strftime("%d-%m") if x.laatste else "–"
        open_stappen = sum(1 for s in x.stappen if s.status == "open")
        lines.append(
            _(
                "#{id} {naam} ({klas}) · laatste reflectie {laatste} · {aantal} dit jaar · {open}",
                id=x.id,
                naam=verbatim(x.naam),
                klas=verbatim(x.klas),
                laatste=laatste,
                aantal=x.dit_jaar,
                open=ngettext("{n} open stap", "{n} open stappen", open_stappen),
            )
        )
        if redenen := aandacht(x, vandaag):
            lines.append(_("   {redenen}", redenen=joined(redenen, " · ")))
    knoppen = []
    if pagina > 1:
        knoppen.append(Button(_("◀ Vorige"), f"{MENTOR}p:{pagina - 1}"))
    if pagina < paginas:
        knoppen.append(Button(_("Volgende ▶"), f"{MENTOR}p:{pagina + 1}"))
    lines.append(
        _("Pagina {nummer} van {paginas} · /samenvatting <nummer>", nummer=pagina, paginas=paginas)
    )
    return Reply(tuple(lines), tuple(knoppen), columns=2)


def bewijs(leerling: Leerling) -> dict[str, int]:
    """Per competency, how many entries give evidence of it (the chart shows this)."""
    return {
        c.value: sum(c.value in e.get("competencies", []) for e in leerling.entries)
        for c in Competentie
    }


def samenvatting(leerling: Leerling, sinds: date | None, mentor_taal: str) -> Reply:
    """The summary before a gesprek, in the student's own words where they gave them."""
    lines: list[Text] = [
        _(
            "📋 Voor het gesprek met {naam} ({klas})",
            naam=verbatim(leerling.naam),
            klas=verbatim(leerling.klas),
        ),
        _("Sinds {datum}:", datum=sinds.strftime("%d-%m-%Y")) if sinds else _("Alles tot nu toe:"),
        ngettext("{n} reflectie", "{n} reflecties", len(leerling.entries)),
    ]
    if leerling.taal != mentor_taal:
        lines.append(
            _(
                "🌐 De leerling schrijft in een andere taal ({taal}). Hun eigen woorden staan er"
                " onvertaald bij: automatisch vertalen kan lobbot niet.",
                taal=verbatim(NAMEN.get(leerling.taal, leerling.taal)),
            )
        )
    for entry in leerling.entries:
        content = entry["content"]
        if content.get("thuisopdracht"):
            lines += _thuis(content, entry["created"])
            continue
        activiteit = content.get("activiteit") or {}
        soort = ERVARING.get(activiteit.get("soort") or "")
        lines.append(
            _(
                "📌 {soort} — {plek} ({datum})",
                soort=soort.label if soort else _("Notitie"),
                plek=verbatim(activiteit.get("plek") or ""),
                datum=entry["created"].strftime("%d-%m"),
            )
        )
        for pad, kop, woorden in dossier.regels(content):
            if pad.split(".")[-1] in (
                "moment",
                "goed",
                "leuk",
                "waarom",
                "anderen",
                "obstakel",
                "notitie",
            ):
                lines.append(_("   {kop}: “{woorden}”", kop=kop, woorden=verbatim(woorden)))
    if leerling.stappen:
        lines.append(_("🚀 Volgende stappen:"))
        statussen = {
            "open": _("nog open"),
            "gelukt": _("gelukt"),
            "beetje": _("een beetje gelukt"),
            "nee": _("nog niet gelukt"),
        }
        for s in leerling.stappen:
            wanneer = s.wanneer.strftime("%d-%m") if s.wanneer else "–"
            lines.append(
                _(
                    "   • “{stap}” — {wanneer}, {status}",
                    stap=verbatim(s.tekst),
                    wanneer=wanneer,
                    status=statussen.get(s.status, verbatim(s.status)),
                )
            )
    if leerling.helpers:
        lines.append(
            _("🤝 Wie helpt: {wie}", wie=verbatim("; ".join(f"“{h}”" for h in leerling.helpers)))
        )
    telling = bewijs(leerling)
    met = [dossier.NAAM[c] for c, n in telling.items() if n]
    zonder = [c for c, n in telling.items() if not n]
    lines.append(_("🧭 Bewijs: {met}", met=joined(met) if met else verbatim("–")))
    if zonder:
        namen = joined([dossier.NAAM[c] for c in zonder])
        lines.append(_("   Nog geen bewijs: {zonder}", zonder=namen))
    vragen = [VRAGEN[c] for c in zonder][:3] or [VRAGEN[Competentie.LOOPBAANSTURING]]
    lines.append(_("💬 Vragen voor het gesprek:"))
    lines += [_("   • {vraag}", vraag=v) for v in vragen]
    return Reply(tuple(lines))


def signaal(naam: str, categorie: str, beleid: str | None, flag_id: int) -> Reply:
    """A safeguarding alert for the mentor, with the wording the school configured."""
    soort = {
        "zelfbeschadiging": _("zelfbeschadiging of niet meer willen leven"),
        "misbruik": _("geweld of misbruik"),
        "gevaar": _("bedreiging of onveiligheid"),
    }
    return Reply(
        (
            _("🚨 Zorgsignaal over {naam}", naam=verbatim(naam)),
            _(
                "Een bericht van je leerling wijst mogelijk op: {soort}.",
                soort=soort.get(categorie, verbatim(categorie)),
            ),
            verbatim(beleid)
            if beleid
            else _("Volg het zorgbeleid van je school. Neem vandaag contact op met de leerling."),
            _("De leerling kreeg de nummers van de Kindertelefoon, 113 en 112."),
        ),
        (Button(_("Gezien ✅"), f"{MENTOR}gezien:{flag_id}"),),
    )
