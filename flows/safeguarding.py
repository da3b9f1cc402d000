"""Safeguarding: does a free-text answer suggest danger or distress?

The phrase lists are data (``data/signalen.toml``, with the reasoning written beside them).
Idioms such as "dood moe" and "ik schrok me dood" are removed before matching, and a strong word
on its own never raises a signal: it has to be aimed at the student.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from flows.text import Text, _

CATEGORIEEN = ("zelfbeschadiging", "misbruik", "gevaar")


@cache
def _patronen() -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    data = tomllib.loads(resources.files("flows").joinpath("data/signalen.toml").read_text("utf-8"))
    idioom = re.compile("|".join(f"(?:{p})" for p in data["idioom"]["patterns"]))
    signalen = {
        cat: re.compile("|".join(f"(?:{p})" for p in data[cat]["patterns"])) for cat in CATEGORIEEN
    }
    return idioom, signalen


def normaliseer(text: str) -> str:
    """Lower case, one kind of apostrophe, single spaces."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def signaal(text: str) -> str | None:
    """The category of the first safeguarding signal in the text, or None."""
    idioom, signalen = _patronen()
    schoon = idioom.sub(" ", normaliseer(text))
    for categorie, patroon in signalen.items():
        if patroon.search(schoon):
            return categorie
    return None


def zorgbericht() -> tuple[Text, ...]:
    """The caring reply: take it seriously, point to help, say the mentor can help."""
    return (
        _("Wat je schrijft vind ik belangrijk. Fijn dat je het vertelt. 💛"),
        _("Je hoeft dit niet alleen te dragen. Praat erover met iemand die je vertrouwt."),
        _(
            "📞 Kindertelefoon: 0800-0432 (gratis, anoniem)\n"
            "📞 113 Zelfmoordpreventie: 0800-0113 (gratis, dag en nacht)\n"
            "🚨 In gevaar? Bel meteen 112."
        ),
        _("Je mentor kan je ook helpen. We stoppen nu even met de vragen."),
    )
