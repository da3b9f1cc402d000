"""Reading what a student typed: clean it, and recognise short, empty and "weet ik niet" answers.

Pure functions; dates are computed from the moment the event happened, never from a clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

MAX_ANTWOORD = 2000  # a phone answer is a few sentences; past this we ask for the short version

# Answers so short that one follow-up question ("probe") is worth it.
KORT = frozenset({
    "ja", "nee", "jawel", "neu", "ok", "oke", "oké", "okay", "k", "leuk", "goed", "prima",
    "saai", "niks", "niets", "nvt", "gwn", "gewoon", "mwah", "mwa", "wel", "niet", "tof",
    "top", "chill", "cool", "vet", "boeiend", "idk", "?",
})  # fmt: skip
_WEET_NIET = re.compile(
    r"^(ik )?(weet|wist) (het |ik )?(echt )?(niet|nie|nt)\b|^(geen|gn) (flauw )?idee\b|^idk\b"
    r"|^weetniet$|^wt nt$|^geen idee$|^🤷|^i don'?t know\b|^dunno\b",
)
_WEEKDAGEN = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4,
    "zaterdag": 5, "zondag": 6,
}  # fmt: skip
_MAANDEN = {
    "jan": 1, "feb": 2, "mrt": 3, "maa": 3, "apr": 4, "mei": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_TELWOORDEN = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5}
_GEZICHTEN = {
    "😣": 1, "😖": 1, "😢": 1, "🙁": 2, "😕": 2, "😐": 3,
    "🙂": 4, "😊": 4, "😄": 5, "😁": 5, "🤩": 5,
}  # fmt: skip


def schoon(text: str) -> str:
    """Drop control characters (keeping line breaks), normalise Unicode, trim.

    A line of only invisible format characters (a zero-width space, a byte order mark) is empty.
    """
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():  # no line breaks, control or format characters: most answers
        return " ".join(text.split())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch if ch == "\n" else " " if ch == "\t" else ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
    )
    lines = (" ".join(line.split()) for line in kept.splitlines())
    return "\n".join(line for line in lines if not _onzichtbaar(line)).strip()


def _onzichtbaar(line: str) -> bool:
    return all(unicodedata.category(ch) == "Cf" for ch in line)


def zonder_inhoud(text: str) -> bool:
    """Only emoji, punctuation or symbols: no words."""
    return not any(unicodedata.category(ch)[0] in "LN" for ch in text)


def is_kort(text: str) -> bool:
    """A very short answer ("ja", "leuk", "ok", an emoji) that is worth one probe."""
    woorden = re.findall(r"\w+", text.lower())
    if zonder_inhoud(text) or not woorden:
        return True
    if len(woorden) <= 2 and all(w in KORT for w in woorden):
        return True
    return len(woorden) <= 2 and len(text) < 12


def weet_niet(text: str) -> bool:
    """The student says they do not know (and not much more: "ik weet niet meer hoe het heette,
    maar ik hielp bij de kassa" is an answer)."""
    t = text.strip().lower()
    m = _WEET_NIET.match(t)
    return m is not None and len(re.findall(r"\w+", t[m.end() :])) <= 3


def schaal(text: str) -> int | None:
    """A 1–5 rating typed as a digit, a word or a face."""
    t = text.strip().lower()
    if t in _GEZICHTEN:
        return _GEZICHTEN[t]
    if t.isdecimal() and 1 <= int(t) <= 5:  # not isdigit(): "³" is a digit int() rejects
        return int(t)
    return _TELWOORDEN.get(t)


def datum(text: str, vandaag: date) -> date | None:
    """A day the student names: "vrijdag", "morgen", "volgende week", "12-12", "3 maart"."""
    t = " ".join(text.strip().lower().split())
    vaste = {
        "vandaag": 0, "morgen": 1, "overmorgen": 2,
        "deze week": (4 - vandaag.weekday()) % 7,
        "volgende week": 7 - vandaag.weekday(),
        "deze maand": None, "eind van de maand": None,
    }  # fmt: skip
    if t in vaste:
        dagen = vaste[t]
        return _einde_maand(vandaag) if dagen is None else vandaag + timedelta(days=dagen)
    for naam, nr in _WEEKDAGEN.items():
        if t in (naam, f"a.s. {naam}", f"aanstaande {naam}", f"volgende {naam}"):
            verschil = (nr - vandaag.weekday()) % 7 or 7
            return vandaag + timedelta(days=verschil + (7 if t.startswith("volgende") else 0))
    if m := re.fullmatch(r"over (\d{1,2}|een|één|twee|drie|vier|vijf) (dag|dagen|week|weken)", t):
        n = int(m[1]) if m[1].isdecimal() else _TELWOORDEN[m[1]]
        return vandaag + timedelta(days=n * (7 if m[2].startswith("we") else 1))
    if m := re.fullmatch(r"(\d{1,2})[-/. ](\d{1,2})(?:[-/. ](\d{4}|\d{2}))?", t):
        return _kalenderdag(int(m[1]), int(m[2]), m[3], vandaag)
    if m := re.fullmatch(r"(\d{1,2}) ([a-z]{3})[a-z]*\.?(?: (\d{4}))?", t):
        maand = _MAANDEN.get(m[2])
        return _kalenderdag(int(m[1]), maand, m[3], vandaag) if maand else None
    return None


def _kalenderdag(dag: int, maand: int, jaar: str | None, vandaag: date) -> date | None:
    """A day and month; without a year, the first such day from today on."""
    if jaar:
        jaren = [int(jaar) + (2000 if len(jaar) == 2 else 0)]
    else:
        jaren = [vandaag.year, vandaag.year + 1]  # typed in March 2027, 29-2 is 29-2-2028
    for j in jaren:
        try:
            kandidaat = date(j, maand, dag)
        except ValueError:
            continue
        if jaar or kandidaat >= vandaag:
            return kandidaat
    return None


def _einde_maand(vandaag: date) -> date:
    volgende = date(vandaag.year + vandaag.month // 12, vandaag.month % 12 + 1, 1)
    return volgende - timedelta(days=1)
