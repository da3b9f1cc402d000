"""The reader's language: one context variable, set once per update, and the catalogs.

Like aiogram's i18n middleware, the channel sets the locale when an update arrives; rendering
reads it from here instead of every function passing it along. Dutch is the source language and
needs no catalog. Catalogs are ``locales/<lang>/LC_MESSAGES/lobbot.po``; the compiled ``.mo`` is
made at start-up when missing or older than its ``.po``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from flows.talen import NAMEN
from flows.text import Text, render

SOURCE = "nl"
RTL = frozenset({"ar", "fa"})
RLM = "\u200f"  # starts a message right-to-left even when its first word is Dutch or a name
NAMES = NAMEN  # each language named in its own script
DOMAIN = "lobbot"
LOCALES = Path(__file__).resolve().parent.parent / "locales"

current_language: ContextVar[str] = ContextVar("current_language", default=SOURCE)
# Show the Dutch under each message too (ISK students and parents, unless they turned it off).
with_dutch: ContextVar[bool] = ContextVar("with_dutch", default=False)


@contextmanager
def language(code: str, bilingual: bool | None = None) -> Iterator[None]:
    """Render in ``code`` within this block (one update, one person). ``bilingual`` None means
    the default: the Dutch underneath for anyone reading another language."""
    dutch = (bilingual_default(code) if bilingual is None else bilingual) and code != SOURCE
    tokens = current_language.set(code), with_dutch.set(dutch)
    try:
        yield
    finally:
        current_language.reset(tokens[0])
        with_dutch.reset(tokens[1])


@cache
def available() -> list[str]:
    """Dutch plus every language with a catalog."""
    found = sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [SOURCE, *(code for code in found if code != SOURCE)]


def _compile(po_path: Path) -> Path:
    """Compile a .po next to itself when its .mo is missing or stale."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name, domain=DOMAIN)
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")  # workers may compile at once
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
    return mo_path


@cache
def catalog(code: str) -> NullTranslations | None:
    """The compiled catalog for a language (None for Dutch, the source)."""
    if code == SOURCE:
        return None
    po_path = LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return None
    with _compile(po_path).open("rb") as mo_file:
        return Translations(mo_file, domain=DOMAIN)


def tr(text: Text | str, code: str | None = None) -> str:
    """Render text in the given language, or the current one; right-to-left languages get an
    RLM in front and their inserted values wrapped in isolates."""
    code = code or current_language.get()
    rtl = code in RTL
    rendered = render(text, catalog(code), isolate=rtl)
    return RLM + rendered if rtl else rendered


def bilingual_default(code: str) -> bool:
    """ISK students and parents read their own language with the Dutch underneath."""
    return code != SOURCE


def detect(text: str) -> str | None:
    """The language a text is written in, if clear enough.

    The script narrows the choice first (Tigrinya is the only one in Ge'ez; Arabic or Farsi;
    Ukrainian or Bulgarian; else one of the Latin-script languages), so the detector weighs two to
    five languages, not nine: several times faster, which matters as it runs on every answer.
    """
    if len(_LETTER.findall(text)) < 12:
        return None
    if text.isascii():  # most answers: no need to count letters per script
        script = "latin"
    else:
        script = max(_SCRIPTS, key=lambda name: len(_SCRIPTS[name].findall(text)))
    if script == "ethiopic":
        return "ti"
    confidence = _detector(script).compute_language_confidence_values(text)
    if not confidence or confidence[0].value < 0.6:
        return None
    return _LINGUA.get(confidence[0].language.name)


_LETTER = re.compile(r"[^\W\d_]")
_SCRIPTS = {
    "ethiopic": re.compile("[\u1200-\u137f]"),
    "arabic": re.compile("[\u0600-\u06ff\ufb50-\ufeff]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
}
_LINGUA = {
    "DUTCH": "nl",
    "ENGLISH": "en",
    "ARABIC": "ar",
    "UKRAINIAN": "uk",
    "TURKISH": "tr",
    "POLISH": "pl",
    "BULGARIAN": "bg",
    "SOMALI": "so",
    "PERSIAN": "fa",
}
_PER_SCRIPT = {
    "arabic": ("ARABIC", "PERSIAN"),
    "cyrillic": ("UKRAINIAN", "BULGARIAN"),
    "latin": ("DUTCH", "ENGLISH", "TURKISH", "POLISH", "SOMALI"),
}


@cache
def _detector(script: str):  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _PER_SCRIPT[script]]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
