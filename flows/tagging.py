"""Which loopbaancompetenties does an answer give evidence of?

Three sources, kept apart so a mentor can see why a tag is there:
- ``woorden``: words of the answer found in the competency lexicons (``data/lexicon_<lang>.toml``),
  compared as lemmas and stems, so "hielp", "geholpen" and "helpen" match, and with a little
  fuzziness for typos;
- ``vraag``: the question's own aim (from the question bank), which only strengthens a tag the
  words already suggest — an empty answer to a question about qualities shows no quality;
- ``leerling``: the student's confirmation at the end of a reflection (added by the flow).
Answers without content ("ja", "ok", "weet ik niet", emoji only) claim nothing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import simplemma
import snowballstemmer
from rapidfuzz import fuzz
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

from flows import invoer
from flows.bank import Competentie

CLAIM = 0.5  # a tag is claimed from this confidence on
WOORD = 0.6  # one lexicon hit
EXTRA = 0.15  # each further distinct hit
VRAAG = 0.15  # the question aims at this competency (strengthens, never claims alone)
FUZZY = 88  # similarity (0–100) for a typo to count as the word; words of 5+ letters only

_SNOWBALL = {"nl": "dutch", "en": "english", "ar": "arabic", "tr": "turkish", "pl": "polish",
             "fa": "persian", "uk": "russian", "bg": "russian"}  # fmt: skip
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Tag:
    """A competency with its confidence, the words that showed it and where it came from."""

    competency: str
    confidence: float
    evidence: tuple[str, ...] = ()
    sources: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Entry:
    competency: str
    words: str  # as written in the lexicon
    keys: tuple[str, ...]  # normalised, one per word


class _Normaliser:
    """Lemma (simplemma) then stem (Snowball), per language, cached per word."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.lemmas = lang in SUPPORTED_LANGUAGES
        name = _SNOWBALL.get(lang)
        self.stemmer = snowballstemmer.stemmer(name) if name else None
        self.cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        key = self.cache.get(word)
        if key is None:
            lemma = simplemma.lemmatize(word, lang=self.lang) if self.lemmas else word
            key = self.stemmer.stemWord(lemma.lower()) if self.stemmer else lemma.lower()
            self.cache[word] = key
        return key


@cache
def _lexicon(lang: str) -> tuple[_Normaliser, tuple[_Entry, ...]]:
    path = resources.files("flows").joinpath(f"data/lexicon_{lang}.toml")
    if not path.is_file():
        raise LookupError(f"no lexicon for language {lang!r}")
    data = tomllib.loads(path.read_text("utf-8"))
    normalise = _Normaliser(lang)
    entries = tuple(
        _Entry(competency, words, tuple(normalise(w) for w in _words(words)))
        for competency in Competentie
        for words in data.get(competency.value, {}).get("woorden", [])
    )
    return normalise, entries


def languages() -> list[str]:
    """Languages that have a lexicon."""
    folder = resources.files("flows").joinpath("data")
    return sorted(
        p.name[len("lexicon_") : -len(".toml")]
        for p in folder.iterdir()
        if p.name.startswith("lexicon_")
    )


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def zonder_inhoud(text: str) -> bool:
    """ "ja", "ok", "weet ik niet", emoji only: nothing to tag."""
    schoon = invoer.schoon(text)
    words = _words(schoon)
    return not words or invoer.weet_niet(schoon) or all(w in invoer.KORT for w in words)


def tag(text: str, lang: str = "nl", aims: Iterable[str] = ()) -> list[Tag]:
    """The competencies this answer gives evidence of, strongest first."""
    if zonder_inhoud(text):
        return []
    normalise, entries = _lexicon(lang)
    words = _words(invoer.schoon(text))
    keys = [normalise(w) for w in words]
    hits: dict[str, dict[tuple[int, int], str]] = {}
    for entry in entries:
        for start in _found(entry.keys, keys):
            span = (start, start + len(entry.keys))
            covered = hits.setdefault(entry.competency, {})
            if not any(a <= span[0] and span[1] <= b for a, b in covered):
                covered[span] = " ".join(words[span[0] : span[1]])
    aimed = set(aims)
    tags = []
    for competency, spans in hits.items():
        evidence = [spans[span] for span in sorted(spans)]
        words_score = min(0.95, WOORD + EXTRA * (len(evidence) - 1))
        sources = {"woorden": round(words_score, 2)}
        if competency in aimed:
            sources["vraag"] = VRAAG
        confidence = min(0.99, sum(sources.values()))
        if confidence >= CLAIM:
            tags.append(Tag(competency, round(confidence, 2), tuple(evidence), sources))
    return sorted(tags, key=lambda t: (-t.confidence, t.competency))


def _found(entry: tuple[str, ...], keys: list[str]) -> list[int]:
    """Where the entry's words stand next to each other in the answer (typos forgiven a little)."""
    n = len(entry)
    return [
        start
        for start in range(len(keys) - n + 1)
        if all(_same(entry[i], keys[start + i]) for i in range(n))
    ]


def _same(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    return len(expected) >= 5 and len(actual) >= 4 and fuzz.ratio(expected, actual) >= FUZZY
