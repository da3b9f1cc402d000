"""Which loopbaancompetenties does an answer give evidence of?

Three sources, kept apart so a mentor can see why a tag is there:
- ``woorden``: words of the answer found in the competency lexicons (``data/lexicon_<lang>.toml``),
  compared as lemmas and stems, so "hielp", "geholpen" and "helpen" match, and with a little
  fuzziness for typos;
- ``vraag``: the question's own aim (from the question bank), which only strengthens a tag the
  words already suggest — an empty answer to a question about qualities shows no quality;
- ``leerling``: the student's confirmation at the end of a reflection (added by the flow).
Answers without content ("ja", "ok", "weet ik niet", emoji only) claim nothing.

A lexicon lists, per competency, entries of three strengths (``woorden`` claim alone, ``zwak``
needs the question's aim or a second entry, ``vaag`` counts only when the question aims at the
competency, and then with another entry) and ``niet``: phrases whose words show nothing for that
competency ("niet bang" is no fear). An entry is a word or a
phrase of adjacent words; in a phrase ``...`` stands for up to a few words, ``*`` for any one
word, ``#`` for a number and ``<familie>`` for any word of that group (``[groepen]``);
``stage*`` and ``*bedrijf`` match the beginning or the end of a word (compounds), and ``=ga``
only that exact form. All knowledge of a language lives in its lexicon.
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
from rapidfuzz.distance import OSA
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

from flows import invoer
from flows.bank import Competentie

CLAIM = 0.5  # a tag is claimed from this confidence on
STERKTE = {"woorden": 0.6, "zwak": 0.35, "vaag": 0.2}  # weight of one entry, per lexicon list
VAAG_SAMEN = 0.4  # all ``vaag`` entries together; they count only when the question aims here
MAX_WOORDEN = 0.95  # the words alone never give certainty
VRAAG = 0.15  # the question aims at this competency (strengthens, never claims alone)
GAT = 4  # "..." in a phrase: at most this many words in between
STAM = 5  # a lexicon word's stem counts from this length: shorter stems join strangers
# ("liefst" → "lief"); a short word in the lexicon ("kat") still matches "katten" (stem "kat")
TIKFOUT = 5  # a word of this many letters or more may have one typo (if it is no known word)

_SNOWBALL = {"nl": "dutch", "en": "english", "ar": "arabic", "tr": "turkish", "pl": "polish",
             "fa": "persian", "uk": "russian", "bg": "russian"}  # fmt: skip
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_BREAK = re.compile(r"[.,;:!?()\n]")


@dataclass(frozen=True)
class Tag:
    """A competency with its confidence, the words that showed it and where it came from."""

    competency: str
    confidence: float
    evidence: tuple[str, ...] = ()
    sources: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Word:
    """A word of an answer, with the keys it is compared by."""

    form: str
    keys: frozenset[str]  # form, lemma and (when trustworthy) stem
    lemma: str
    known: bool  # a word of the language, so not a typo


class _Normaliser:
    """Lemma (simplemma) and stem (Snowball), per language, cached per word."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.lemmas = lang in SUPPORTED_LANGUAGES
        name = _SNOWBALL.get(lang)
        self.stemmer = snowballstemmer.stemmer(name) if name else None
        self.cache: dict[str, _Word] = {}

    def __call__(self, word: str) -> _Word:
        """A word of an answer: its form, its lemma, and the stems of both."""
        found = self.cache.get(word)
        if found is None:
            form = word.lower()
            lemma = (simplemma.lemmatize(form, lang=self.lang) if self.lemmas else form).lower()
            keys = {form, lemma, *self._stem(form, 1), *self._stem(lemma, 1)}
            known = not self.lemmas or simplemma.is_known(form, lang=self.lang)
            found = self.cache[word] = _Word(form, frozenset(keys), lemma, known)
        return found

    def entry(self, word: str) -> frozenset[str]:
        """A word of the lexicon is written in its base form: that form and its stem."""
        form = word.lower()
        return frozenset({form, *self._stem(form, STAM)})

    def _stem(self, word: str, shortest: int) -> tuple[str, ...]:
        if not self.stemmer:
            return ()
        stem = self.stemmer.stemWord(word)
        # a stem that no longer starts like the word joins strangers ("genieten" → "niet")
        return (stem,) if len(stem) >= shortest and stem[:3] == word[:3] else ()


@dataclass(frozen=True)
class _Atom:
    """One position of an entry: a word (its keys), an exact form, a prefix, a suffix, a number,
    any word, a word of a group, or a gap."""

    kind: str  # "woord", "precies", "begin", "eind", "getal", "elk", "groep", "gat"
    text: str = ""
    keys: frozenset[str] = frozenset()
    members: tuple[_Atom, ...] = ()


@dataclass(frozen=True)
class _Entry:
    competency: str
    words: str  # as written in the lexicon
    atoms: tuple[_Atom, ...]
    strength: str  # the lexicon list: "woorden", "zwak", "vaag" or "niet"

    @property
    def weight(self) -> float:
        return STERKTE.get(self.strength, 0.0)


@dataclass(frozen=True)
class _Lexicon:
    normalise: _Normaliser
    entries: tuple[_Entry, ...]
    by_key: dict[str, frozenset[int]]  # a word key → entries whose first atom has it
    by_form: dict[str, frozenset[int]]  # an exact form → entries whose first atom is that form
    other: tuple[int, ...]  # entries that start with a prefix, suffix or number
    fuzzy: dict[str, tuple[tuple[str, int], ...]]  # first letter → (form, entry) for typos
    filler: frozenset[str]  # words that carry no content on their own


def _atom(token: str, normalise: _Normaliser, groups: dict[str, tuple[_Atom, ...]]) -> _Atom:
    if token.startswith("<") and token.endswith(">"):
        if token[1:-1] not in groups:
            raise ValueError(f"unknown group {token}")
        return _Atom("groep", token[1:-1], members=groups[token[1:-1]])
    if token == "...":
        return _Atom("gat")
    if token == "*":
        return _Atom("elk")
    if token == "#":
        return _Atom("getal")
    if token.startswith("="):
        return _Atom("precies", token[1:].lower())
    if len(token) > 1 and token.endswith("*"):
        return _Atom("begin", token[:-1].lower())
    if len(token) > 1 and token.startswith("*"):
        return _Atom("eind", token[1:].lower())
    return _Atom("woord", token.lower(), normalise.entry(token))


def _tokens(entry: str) -> list[str]:
    """The positions of an entry; a plain word is cut as an answer would be ("'s" → "s")."""
    tokens = []
    for token in entry.split():
        special = token[0] in "=<*#." or token[-1] == "*"
        tokens.extend([token] if special else _words(token) or [token])
    return tokens


@cache
def _lexicon(lang: str) -> _Lexicon:
    path = resources.files("flows").joinpath(f"data/lexicon_{lang}.toml")
    if not path.is_file():
        raise LookupError(f"no lexicon for language {lang!r}")
    data = tomllib.loads(path.read_text("utf-8"))
    normalise = _Normaliser(lang)
    groups: dict[str, tuple[_Atom, ...]] = {}
    for name, members in data.get("groepen", {}).items():
        groups[name] = tuple(_atom(m, normalise, {}) for m in members)
        if any(a.kind in ("gat", "groep") for a in groups[name]):
            raise ValueError(f"lexicon_{lang}: group <{name}> holds single words only")
    entries: list[_Entry] = []
    for competency in Competentie:
        lists = data.get(competency.value, {})
        for name in (*STERKTE, "niet"):
            for words in lists.get(name, []):
                atoms = tuple(_atom(t, normalise, groups) for t in _tokens(words))
                if not atoms or atoms[0].kind == "gat" or atoms[-1].kind == "gat":
                    raise ValueError(
                        f"lexicon_{lang}: entry {words!r} cannot start or end with ..."
                    )
                entries.append(_Entry(competency.value, words, atoms, name))
    by_key: dict[str, set[int]] = {}
    by_form: dict[str, set[int]] = {}
    other: list[int] = []
    fuzzy: dict[str, list[tuple[str, int]]] = {}
    for i, entry in enumerate(entries):
        first = entry.atoms[0]
        for atom in first.members if first.kind == "groep" else (first,):
            if atom.kind == "woord":
                for key in atom.keys:
                    by_key.setdefault(key, set()).add(i)
                if len(atom.text) >= TIKFOUT:
                    fuzzy.setdefault(atom.text[0], []).append((atom.text, i))
            elif atom.kind == "precies":
                by_form.setdefault(atom.text, set()).add(i)
            elif not other or other[-1] != i:
                other.append(i)
    filler = frozenset(w.lower() for w in data.get("zonder_inhoud", {}).get("woorden", []))
    return _Lexicon(
        normalise,
        tuple(entries),
        {k: frozenset(v) for k, v in by_key.items()},
        {k: frozenset(v) for k, v in by_form.items()},
        tuple(other),
        {k: tuple(v) for k, v in fuzzy.items()},
        filler,
    )


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


def _parts(text: str) -> list[int]:
    """For each word, the part of the answer it stands in: a phrase never crosses a comma or the
    end of a sentence ("in de zorg wil, ik kan" holds no "wil ik")."""
    parts, part, end = [], 0, 0
    for match in _WORD.finditer(text):
        if _BREAK.search(text, end, match.start()):
            part += 1
        parts.append(part)
        end = match.end()
    return parts


def zonder_inhoud(text: str, lang: str = "nl") -> bool:
    """ "ja", "ok", "weet ik niet", emoji only, or only words without content ("ja hoor",
    "later", "alles wel"): nothing to tag."""
    schoon = invoer.schoon(text)
    words = _words(schoon)
    if not words or invoer.weet_niet(schoon):
        return True
    try:
        filler = _lexicon(lang).filler
    except LookupError:
        filler = frozenset()
    return all(w in invoer.KORT or w in filler for w in words)


def tag(text: str, lang: str = "nl", aims: Iterable[str] = ()) -> list[Tag]:
    """The competencies this answer gives evidence of, strongest first."""
    if zonder_inhoud(text, lang):
        return []
    lexicon = _lexicon(lang)
    schoon = invoer.schoon(text)
    forms = _words(schoon)
    parts = _parts(schoon)
    words = [lexicon.normalise(w) for w in forms]
    found: dict[str, list[tuple[int, int, _Entry]]] = {}
    blocked: dict[str, list[tuple[int, int]]] = {}
    for start, i in _candidates(lexicon, words):
        entry = lexicon.entries[i]
        end = _match(entry.atoms, 0, words, start)
        if end is None or parts[start] != parts[end - 1]:
            continue
        if entry.strength != "niet":
            found.setdefault(entry.competency, []).append((start, end, entry))
        else:
            blocked.setdefault(entry.competency, []).append((start, end))
    aimed = set(aims)
    tags = []
    for competency, hits in found.items():
        counted = _counted(hits, blocked.get(competency, []), competency in aimed)
        if not counted:
            continue
        vaag = min(VAAG_SAMEN, sum(e.weight for e in counted.values() if e.strength == "vaag"))
        score = sum(e.weight for e in counted.values() if e.strength != "vaag") + vaag
        sources = {"woorden": round(min(MAX_WOORDEN, score), 2)}
        if competency in aimed:
            sources["vraag"] = VRAAG
        confidence = round(min(0.99, sum(sources.values())), 2)
        if confidence >= CLAIM:
            evidence = tuple(dict.fromkeys(" ".join(forms[a:b]) for a, b in sorted(counted)))
            tags.append(Tag(competency, confidence, evidence, sources))
    return sorted(tags, key=lambda t: (-t.confidence, t.competency))


def _counted(
    hits: list[tuple[int, int, _Entry]], stops: list[tuple[int, int]], aimed: bool
) -> dict[tuple[int, int], _Entry]:
    """The hits that count, by span: not touching a ``niet`` phrase, not inside a longer hit
    that is at least as strong, ``vaag`` only when the question aims here, the strongest entry
    per span, and each entry once."""
    hits = [
        h
        for h in hits
        if (aimed or h[2].strength != "vaag") and not any(h[0] < b and a < h[1] for a, b in stops)
    ]
    best: dict[tuple[int, int], _Entry] = {}
    for start, end, entry in hits:
        inside = any(
            a <= start and end <= b and (a, b) != (start, end) and other.weight >= entry.weight
            for a, b, other in hits
        )
        if not inside and ((start, end) not in best or entry.weight > best[start, end].weight):
            best[start, end] = entry
    counted: dict[tuple[int, int], _Entry] = {}
    seen: set[str] = set()
    for span in sorted(best):
        if best[span].words not in seen:
            seen.add(best[span].words)
            counted[span] = best[span]
    return counted


def _candidates(lexicon: _Lexicon, words: list[_Word]) -> list[tuple[int, int]]:
    """(position, entry) pairs where an entry's first atom matches the word at that position."""
    pairs: list[tuple[int, int]] = []
    for pos, word in enumerate(words):
        hit: set[int] = set()
        for key in word.keys:
            hit |= lexicon.by_key.get(key, frozenset())
        hit |= lexicon.by_form.get(word.form, frozenset())
        if not word.known and len(word.form) >= TIKFOUT:
            hit.update(
                i
                for form, i in lexicon.fuzzy.get(word.form[0], ())
                if i not in hit and _typo(form, word)
            )
        hit.update(i for i in lexicon.other if _same(lexicon.entries[i].atoms[0], word))
        pairs.extend((pos, i) for i in sorted(hit))
    return pairs


def _match(atoms: tuple[_Atom, ...], k: int, words: list[_Word], pos: int) -> int | None:
    """The end of the shortest match of ``atoms[k:]`` starting at word ``pos``, if any."""
    if k == len(atoms):
        return pos
    atom = atoms[k]
    if atom.kind == "gat":
        for skip in range(GAT + 1):
            end = _match(atoms, k + 1, words, pos + skip)
            if end is not None:
                return end
        return None
    if pos < len(words) and _same(atom, words[pos]):
        return _match(atoms, k + 1, words, pos + 1)
    return None


def _same(atom: _Atom, word: _Word) -> bool:
    kind = atom.kind
    if kind == "woord":
        return bool(atom.keys & word.keys) or (
            not word.known and len(atom.text) >= TIKFOUT and _typo(atom.text, word)
        )
    if kind == "precies":
        return word.form == atom.text
    if kind == "begin":
        return word.form.startswith(atom.text) or word.lemma.startswith(atom.text)
    if kind == "eind":
        return word.form.endswith(atom.text) or word.lemma.endswith(atom.text)
    if kind == "getal":
        return word.form.isdigit()
    if kind == "groep":
        return any(_same(member, word) for member in atom.members)
    return kind == "elk"


def _typo(expected: str, word: _Word) -> bool:
    """One letter wrong, missing, extra or swapped ("klantn", "colega")."""
    return len(word.form) >= TIKFOUT and any(
        OSA.distance(expected, w, score_cutoff=1) <= 1 for w in {word.form, word.lemma}
    )
