"""Which loopbaancompetenties does an answer give evidence of?

Three sources, kept apart so a mentor can see why a tag is there:
- ``woorden``: words of the answer found in the competency lexicons (``data/lexicon_<lang>.toml``),
  compared as lemmas and stems, so "hielp", "geholpen" and "helpen" match, and with a little
  fuzziness for typos;
- ``vraag``: the question's own aim (from the question bank), which only strengthens a tag the
  words already suggest — an empty answer to a question about qualities shows no quality. The
  one exception is a question that asks for a competency straight out (``Vraag.toont``: "what
  did you like?"): there any answer of a few words with content shows it;
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
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import simplemma
import snowballstemmer
from rapidfuzz.distance import OSA
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

from flows import invoer, leermodel
from flows.bank import Competentie

CLAIM = 0.5  # a tag is claimed from this confidence on
STERKTE = {"woorden": 0.6, "zwak": 0.35, "vaag": 0.2}  # weight of one entry, per lexicon list
VAAG_SAMEN = 0.4  # all ``vaag`` entries together; they count only when the question aims here
MAX_WOORDEN = 0.95  # the words alone never give certainty
VRAAG = 0.15  # the question aims at this competency (strengthens, never claims alone)
TOONT_WOORDEN = 3  # an answer to a question that asks straight out shows it from this many words
TOONT_FRASE = 8  # and the words of it shown back as the evidence, at most
# Where a language has a learned model, a tag's confidence is this much the lexicon's and the
# rest the model's probability. Chosen on the fourth and fifth Dutch blind sets, each with a model
# that had not learned from it (0.15 to 0.4 all scored within 0.01; the lexicon alone had been
# tuned on the sets the model learned from, so it cannot choose this on them).
LEXICON_DEEL = 0.25
MODEL_WOORDEN = 4  # the model weighs in on answers of this many words outside [zonder_inhoud]
MODEL_BEWIJS = 3  # the model's evidence: the phrase around its strongest words, at most these
GAT = 4  # "..." in a phrase: at most this many words in between
STAM = 5  # a lexicon word's stem counts from this length: shorter stems join strangers
# ("liefst" → "lief"); a short word in the lexicon ("kat") still matches "katten" (stem "kat")
TIKFOUT = 5  # a word of this many letters or more may have one typo (if it is no known word)
WOORDEN = 50_000  # words remembered per language; answers bring ever new ones, so a bounded cache

_SNOWBALL = {"nl": "dutch", "en": "english", "ar": "arabic", "tr": "turkish", "pl": "polish",
             "fa": "persian", "uk": "russian", "bg": "russian"}  # fmt: skip
# simplemma's Polish and Turkish dictionaries take about 430 and 120 MB in every bot process;
# those lexicons match on word beginnings ("lubi*", "sev*") instead, which measured the same
# held-out F1 (pl 0.843, tr 0.866) without them.
ZONDER_LEMMAS = frozenset({"pl", "tr"})
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
# with the Arabic comma, semicolon and question mark, and the Ethiopic ones (Tigrinya)
_BREAK = re.compile(r"[.,;:!?()\n،؛؟።፣፤፥፦፧]")


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
    """Lemma (simplemma) and stem (Snowball), per language, cached per word (the last
    ``WOORDEN`` words)."""

    def __init__(self, lang: str, spelling: Callable[[str], str] = str) -> None:
        self.lang = lang
        self.spelling = spelling  # a lemma comes back in the dictionary's spelling
        self.lemmas = lang in SUPPORTED_LANGUAGES and lang not in ZONDER_LEMMAS
        name = _SNOWBALL.get(lang)
        self.stemmer = snowballstemmer.stemmer(name) if name else None
        self.cached = lru_cache(maxsize=WOORDEN)(self._word)  # answers repeat their words

    def __call__(self, word: str) -> _Word:
        """A word of an answer: its form, its lemma, and the stems of both."""
        return self.cached(word)

    def _word(self, word: str) -> _Word:
        form = word.lower()
        lemma = form
        if self.lemmas:
            lemma = self.spelling(simplemma.lemmatize(form, lang=self.lang).lower())
        keys = {form, lemma, *self._stem(form, 1), *self._stem(lemma, 1)}
        known = not self.lemmas or simplemma.is_known(form, lang=self.lang)
        return _Word(form, frozenset(keys), lemma, known)

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


class _Index:
    """Entries by one of their atoms, found for a word by looking up its keys, its form, its
    prefixes and its suffixes: asking ``_same`` of every entry for every word is too slow. What
    ``find`` returns is exactly the entries whose atom ``_same`` would match to the word, but for
    one thing: with ``first_letter``, a word atom (alone or in a group of words and exact forms)
    finds a typo only when it keeps the first letter. That is how the first word of an entry has
    always been looked up, and tags must not change; ``_same`` allows a typo anywhere."""

    def __init__(self, atoms: Iterable[tuple[_Atom, int]], first_letter: bool) -> None:
        by_key: dict[str, set[int]] = {}
        by_form: dict[str, set[int]] = {}
        begin: dict[str, set[int]] = {}
        eind: dict[str, set[int]] = {}
        numbers: set[int] = set()
        always: set[int] = set()
        by_letter: dict[str, list[tuple[str, int]]] = {}
        by_length: dict[int, list[tuple[str, int]]] = {}
        for atom, i in atoms:
            members = atom.members if atom.kind == "groep" else (atom,)  # a group: any member
            letter = first_letter and all(one.kind in ("woord", "precies") for one in members)
            for one in members:
                if one.kind == "woord":
                    for key in one.keys:
                        by_key.setdefault(key, set()).add(i)
                    if len(one.text) >= TIKFOUT and letter:
                        by_letter.setdefault(one.text[0], []).append((one.text, i))
                    elif len(one.text) >= TIKFOUT:
                        by_length.setdefault(len(one.text), []).append((one.text, i))
                elif one.kind == "precies":
                    by_form.setdefault(one.text, set()).add(i)
                elif one.kind == "begin":
                    begin.setdefault(one.text, set()).add(i)
                elif one.kind == "eind":
                    eind.setdefault(one.text, set()).add(i)
                elif one.kind == "getal":
                    numbers.add(i)
                elif one.kind == "elk":
                    always.add(i)
                else:
                    raise ValueError(f"a {one.kind} atom cannot be looked up")
        self.by_key = {k: frozenset(v) for k, v in by_key.items()}  # a word key → entries
        self.by_form = {k: frozenset(v) for k, v in by_form.items()}  # an exact form ("=ga")
        self.begin = {k: frozenset(v) for k, v in begin.items()}  # a prefix ("stage*")
        self.eind = {k: frozenset(v) for k, v in eind.items()}  # a suffix ("*bedrijf")
        # a word is cut only at the lengths of the prefixes and suffixes there are (never 0)
        self.begin_lengths = tuple(sorted({len(k) for k in begin}))
        self.eind_lengths = tuple(sorted({len(k) for k in eind}))
        self.numbers = frozenset(numbers)  # "#"
        self.always = frozenset(always)  # "*"
        # for typos: first letter → (form, entry), and length → (form, entry), since a word with
        # one letter wrong, missing, extra or swapped is at most one letter longer or shorter
        self.by_letter = {k: tuple(v) for k, v in by_letter.items()}
        self.by_length = {k: tuple(v) for k, v in by_length.items()}
        self.find: Callable[[_Word], frozenset[int]] = lru_cache(maxsize=WOORDEN)(self._find)

    def _find(self, word: _Word) -> frozenset[int]:
        """The entries whose atom matches this word (``find``: remembered per word)."""
        hit = set(self.always)
        for key in word.keys:
            hit |= self.by_key.get(key, _GEEN)
        hit |= self.by_form.get(word.form, _GEEN)
        for text in {word.form, word.lemma}:
            # text[:n] is a prefix of text even when text is shorter than n: never a false hit
            for n in self.begin_lengths:
                hit |= self.begin.get(text[:n], _GEEN)
            for n in self.eind_lengths:
                hit |= self.eind.get(text[-n:], _GEEN)
        if word.form.isdigit():
            hit |= self.numbers
        if not word.known and len(word.form) >= TIKFOUT:
            near = list(self.by_letter.get(word.form[0], ()))
            for n in {len(text) + d for text in (word.form, word.lemma) for d in (-1, 0, 1)}:
                near.extend(self.by_length.get(n, ()))
            hit.update(i for form, i in near if i not in hit and _typo(form, word))
        return frozenset(hit)


_GEEN: frozenset[int] = frozenset()


@dataclass(frozen=True)
class _Lexicon:
    normalise: _Normaliser
    entries: tuple[_Entry, ...]
    first: _Index  # entries by their first atom
    second: _Index  # entries in ``paired`` by their second atom
    paired: frozenset[int]  # entries whose second atom must match the word after the first
    filler: frozenset[str]  # words that carry no content on their own
    spelling: _Spelling


def _geez_medeklinkers() -> dict[int, str]:
    """Each Ge'ez syllable (fidel) to its consonant (the sixth order): Tigrinya changes the
    vowels inside a word as it inflects (ሰርሐ, ሰሪሐ, ይሰርሕ: "work"), so a lexicon asking for it
    compares words by their consonants, as Arabic is written."""
    table = {}
    for code in range(0x1200, 0x135B):
        consonant = code - (code - 0x1200) % 8 + 5
        if unicodedata.name(chr(code), "") and unicodedata.name(chr(consonant), ""):
            table[code] = chr(consonant)
    return table


_GEEZ_MEDEKLINKER = _geez_medeklinkers()


@dataclass(frozen=True)
class _Spelling:
    """A language's ways of writing one word several ways, from its lexicon's ``[spelling]``:
    letters that are the same letter (Persian ی typed as Arabic ي, a zero-width non-joiner left
    out), prefixes that belong to the next word even when typed apart ("می خوام"), and for
    Tigrinya ``medeklinkers = "geez"``: syllables compared by their consonant."""

    same: dict[int, str] = field(default_factory=dict)  # for ``str.translate``
    prefix: re.Pattern[str] | None = None

    def __call__(self, text: str) -> str:
        text = text.translate(self.same) if self.same else text
        return self.prefix.sub(r"\1", text) if self.prefix else text

    @classmethod
    def of(cls, table: dict[str, Any]) -> _Spelling:
        same = dict(_GEEZ_MEDEKLINKER) if table.get("medeklinkers") == "geez" else {}
        for letter, instead in table.get("gelijk", {}).items():
            if len(letter) != 1:
                raise ValueError(f"[spelling] gelijk: {letter!r} is not one letter")
            same[ord(letter)] = instead
        prefixes = "|".join(re.escape(p) for p in table.get("vast", []))
        # a prefix standing alone before another word is joined to it
        prefix = re.compile(rf"(?<!\w)({prefixes})\s+(?=\w)") if prefixes else None
        return cls(same, prefix)


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
    spelling = _Spelling.of(data.get("spelling", {}))
    normalise = _Normaliser(lang, spelling)
    groups: dict[str, tuple[_Atom, ...]] = {}
    for name, members in data.get("groepen", {}).items():
        groups[name] = tuple(_atom(spelling(m), normalise, {}) for m in members)
        if any(a.kind in ("gat", "groep") for a in groups[name]):
            raise ValueError(f"lexicon_{lang}: group <{name}> holds single words only")
    entries: list[_Entry] = []
    for competency in Competentie:
        lists = data.get(competency.value, {})
        for name in (*STERKTE, "niet"):
            for words in lists.get(name, []):
                atoms = tuple(_atom(t, normalise, groups) for t in _tokens(spelling(words)))
                if not atoms or atoms[0].kind == "gat" or atoms[-1].kind == "gat":
                    raise ValueError(
                        f"lexicon_{lang}: entry {words!r} cannot start or end with ..."
                    )
                entries.append(_Entry(competency.value, words, atoms, name))
    # An entry is found by its first atom. Most phrases start with a common word ("ik ben bang",
    # "* zei dat ik"), so one whose second atom is not a gap must find that in the next word too.
    paired = [i for i, e in enumerate(entries) if len(e.atoms) > 1 and e.atoms[1].kind != "gat"]
    filler = frozenset(
        spelling(w.lower()) for w in data.get("zonder_inhoud", {}).get("woorden", [])
    )
    return _Lexicon(
        normalise,
        tuple(entries),
        _Index(((e.atoms[0], i) for i, e in enumerate(entries)), first_letter=True),
        _Index(((entries[i].atoms[1], i) for i in paired), first_letter=False),
        frozenset(paired),
        filler,
        spelling,
    )


def languages() -> list[str]:
    """Languages that have a lexicon."""
    return list(_languages())


@cache
def _languages() -> tuple[str, ...]:
    # asked with every answer (reflectie); the lexicons ship with the package, as ``_lexicon``
    # assumes too, so the folder is read once
    folder = resources.files("flows").joinpath("data")
    return tuple(
        sorted(
            p.name[len("lexicon_") : -len(".toml")]
            for p in folder.iterdir()
            if p.name.startswith("lexicon_")
        )
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
    return _leeg(_schoon(text, lang), lang)


def _schoon(text: str, lang: str) -> str:
    """The answer cleaned (``invoer.schoon``) and in the spelling its lexicon is written in."""
    schoon = invoer.schoon(text)
    if lang not in _languages():
        return schoon
    return _lexicon(lang).spelling(schoon)


def _leeg(schoon: str, lang: str) -> bool:
    """``zonder_inhoud`` of an answer already cleaned (``tag`` cleans it once for both)."""
    words = _words(schoon)
    if not words or invoer.weet_niet(schoon):
        return True
    try:
        filler = _lexicon(lang).filler
    except LookupError:
        filler = frozenset()
    return all(_vulwoord(w, filler) for w in words)


def _vulwoord(word: str, filler: frozenset[str]) -> bool:
    """A word that carries no content on its own ("ja", "gewoon", "leuk")."""
    return word in invoer.KORT or word in filler


def woorden(text: str, lang: str = "nl") -> list[_Word]:
    """The words of an answer as the tagger compares them (cleaned, lemmas and stems)."""
    lexicon = _lexicon(lang)
    return [lexicon.normalise(w) for w in _words(_schoon(text, lang))]


def tag(
    text: str,
    lang: str = "nl",
    aims: Iterable[str] = (),
    toont: str | None = None,
    *,
    vraag: str | None = None,
) -> list[Tag]:
    """The competencies this answer gives evidence of, strongest first. ``toont``: the question
    asked for this competency straight out (``Vraag.toont``), so an answer of a few words with
    content shows it even when no lexicon entry does; its evidence is those words. ``vraag``:
    the question's key, which the learned model weighs too."""
    schoon = _schoon(text, lang)
    if _leeg(schoon, lang):
        return []
    lexicon = _lexicon(lang)
    forms = _words(schoon)
    words = [lexicon.normalise(w) for w in forms]
    tags, blocked = _uit_lexicon(lexicon, forms, words, _parts(schoon), set(aims))
    inhoud = [i for i, w in enumerate(forms) if not _vulwoord(w, lexicon.filler)]
    model = leermodel.voor(lang)
    if model is not None and len(inhoud) >= MODEL_WOORDEN:
        tags = _met_model(tags, model.kansen(words, vraag), forms, set(inhoud), blocked)
    getoond = tags.get(toont or "", _GEEN_TAG).confidence >= CLAIM
    if toont is not None and len(forms) >= TOONT_WOORDEN and not getoond:
        tags[toont] = _getoond(toont, forms, inhoud)
    claimed = [t for t in tags.values() if t.confidence >= CLAIM]
    return sorted(claimed, key=lambda t: (-t.confidence, t.competency))


_GEEN_TAG = Tag("", 0.0)


def _getoond(toont: str, forms: list[str], inhoud: list[int]) -> Tag:
    """The tag a question asked straight out gets from any answer with content (``inhoud``: the
    positions of its words with content); its evidence is the answer's own phrase, as the
    student reads it back at the end."""
    binnen = [i for i in inhoud if i < inhoud[0] + TOONT_FRASE]
    frase = " ".join(forms[binnen[0] : binnen[-1] + 1])
    return Tag(toont, CLAIM + VRAAG, (frase,), {"vraag": CLAIM + VRAAG})


def _uit_lexicon(
    lexicon: _Lexicon, forms: list[str], words: list[_Word], parts: list[int], aimed: set[str]
) -> tuple[dict[str, Tag], dict[str, list[tuple[int, int]]]]:
    """Per competency the lexicon's tag, also below ``CLAIM`` (the model may lift it), and the
    spans of its ``niet`` phrases, whose words count for neither."""
    found: dict[str, list[tuple[int, int, _Entry]]] = {}
    blocked: dict[str, list[tuple[int, int]]] = {}
    for start, i in _candidates(lexicon, words):
        entry = lexicon.entries[i]
        end = _match(entry.atoms, 1, words, start + 1)  # the first atom matched: a candidate
        if end is None or parts[start] != parts[end - 1]:
            continue
        if entry.strength != "niet":
            found.setdefault(entry.competency, []).append((start, end, entry))
        else:
            blocked.setdefault(entry.competency, []).append((start, end))
    tags = {}
    for competency, hits in found.items():
        counted = _counted(hits, blocked.get(competency, []), competency in aimed)
        if len(counted) < 2 and all(e.strength == "vaag" for e in counted.values()):
            continue  # a ``vaag`` word counts only beside another one, also to the model
        vaag = min(VAAG_SAMEN, sum(e.weight for e in counted.values() if e.strength == "vaag"))
        score = sum(e.weight for e in counted.values() if e.strength != "vaag") + vaag
        sources = {"woorden": round(min(MAX_WOORDEN, score), 2)}
        if competency in aimed:
            sources["vraag"] = VRAAG
        confidence = round(min(0.99, sum(sources.values())), 2)
        evidence = tuple(dict.fromkeys(" ".join(forms[a:b]) for a, b in sorted(counted)))
        tags[competency] = Tag(competency, confidence, evidence, sources)
    return tags, blocked


def _met_model(
    tags: dict[str, Tag],
    kansen: leermodel.Kansen,
    forms: list[str],
    inhoud: set[int],
    blocked: dict[str, list[tuple[int, int]]],
) -> dict[str, Tag]:
    """The lexicon's tags weighed together with the learned model's probabilities. A tag the
    model found alone shows the student's words that weighed most for it, none of them in a
    ``niet`` phrase of the competency: a teacher's "these words show nothing" holds for both."""
    samen = {}
    for competency, kans in kansen.kans.items():
        lexicon_tag = tags.get(competency, _GEEN_TAG)
        confidence = round(LEXICON_DEEL * lexicon_tag.confidence + (1 - LEXICON_DEEL) * kans, 2)
        evidence = lexicon_tag.evidence
        if not evidence:
            if confidence < CLAIM:
                continue
            stops = blocked.get(competency, [])
            sterkst = [
                p
                for p in kansen.woorden(competency)
                if p in inhoud and not any(a <= p < b for a, b in stops)
            ]
            if not sterkst:
                continue  # a tag rests on the student's words, never on the model's habits
            evidence = (_frase(forms, sterkst[:MODEL_BEWIJS]),)
        sources = {**lexicon_tag.sources, "model": round(kans, 2)}
        samen[competency] = Tag(competency, confidence, evidence, sources)
    return samen


def _frase(forms: list[str], sterkst: list[int]) -> str:
    """The student's own phrase around the words that weighed most, strongest first: from the
    first to the last of them when that is short enough to read back, else the strongest."""
    a, b = min(sterkst), max(sterkst)
    return " ".join(forms[a : b + 1]) if b - a < TOONT_FRASE else forms[sterkst[0]]


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
    """(position, entry) pairs where an entry's first atom matches the word at that position and
    (for a paired entry) its second atom the next word, as ``_match`` would find."""
    seconds = [lexicon.second.find(word) for word in words[1:]] + [_GEEN]
    pairs: list[tuple[int, int]] = []
    for pos, word in enumerate(words):
        hit = lexicon.first.find(word)
        hit = (hit - lexicon.paired) | (hit & seconds[pos])
        pairs.extend((pos, i) for i in sorted(hit))
    return pairs


def _match(atoms: tuple[_Atom, ...], k: int, words: list[_Word], pos: int) -> int | None:
    """The end of the shortest match of ``atoms[k:]`` starting at word ``pos``, if any."""
    while k < len(atoms):  # word by word; only a gap needs to try several ways on
        atom = atoms[k]
        if atom.kind == "gat":
            for skip in range(GAT + 1):
                end = _match(atoms, k + 1, words, pos + skip)
                if end is not None:
                    return end
            return None
        if pos >= len(words) or not _same(atom, words[pos]):
            return None
        k, pos = k + 1, pos + 1
    return pos


def _same(atom: _Atom, word: _Word) -> bool:
    kind = atom.kind
    if kind == "woord":
        return not atom.keys.isdisjoint(word.keys) or (
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
