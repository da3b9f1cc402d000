"""The learned part of tagging: per competency, a weight for each word an answer can hold.

The lexicons say what a teacher would look for; on answers the tagger had never seen they found
about four in five of the tags (micro-F1 0.78 on the third and fourth Dutch blind sets). Students
say the same thing in more ways than a list can hold, so a logistic regression learned from the
labelled answers in ``tests/data`` (``lobbot train tagging``) adds what the lexicon misses. Its
weights ship as data beside the lexicon (``data/leermodel_<lang>.tsv``): one line a word, readable
("w:klant" weighs 1.4 for werkexploratie), and made again from the labelled sets by the command
named in the file's head, so nobody edits it by hand.

A word counts by its lemma, its stems, and the lemma pairs it stands in; each weighs by how rare
it is (idf), and the answer's weights are scaled to length one, so a long answer does not claim
more than a short one. The question asked counts as one more feature, unscaled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from flows.bank import Competentie

COMPETENTIES = tuple(c.value for c in Competentie)
BIAS = "(bias)"  # the line with each competency's intercept
VRAAG = "q:"  # the question asked, as a feature


class Woord(Protocol):
    """A word of an answer as the tagger normalised it."""

    form: str
    lemma: str
    keys: frozenset[str]


def kenmerken(woorden: Sequence[Woord]) -> dict[str, int]:
    """The features of an answer's words, each with the position of the word that shows it
    (a pair: its first word), so a feature can be read back as the student's own word."""
    found: dict[str, int] = {}
    for i, woord in enumerate(woorden):
        found.setdefault(f"w:{woord.lemma}", i)
        for key in sorted(woord.keys - {woord.lemma, woord.form}):  # stems
            found.setdefault(f"s:{key}", i)
    for i, (a, b) in enumerate(itertools.pairwise(woorden)):
        found.setdefault(f"b:{a.lemma} {b.lemma}", i)
    return found


@dataclass(frozen=True)
class Kansen:
    """How likely the model finds each competency in one answer."""

    kans: dict[str, float]
    _gevonden: dict[str, tuple[int, float]]  # feature → (position, its scaled value)
    _model: Leermodel

    def woorden(self, competency: str) -> tuple[int, ...]:
        """Positions of the words that pleaded for the competency, strongest first (asked only
        for a tag the lexicon found no words for, so not worked out for every answer)."""
        c = COMPETENTIES.index(competency)
        per_pos: dict[int, float] = {}
        for feature, (pos, value) in self._gevonden.items():
            per_pos[pos] = per_pos.get(pos, 0.0) + value * self._model.gewichten[feature][c]
        return tuple(p for p, w in sorted(per_pos.items(), key=lambda x: -x[1]) if w > 0)


@dataclass(frozen=True)
class Leermodel:
    idf: dict[str, float]  # the text features the model knows
    gewichten: dict[str, tuple[float, ...]]  # feature → weight per competency
    bias: tuple[float, ...]

    def kansen(self, woorden: Sequence[Woord], vraag: str | None = None) -> Kansen:
        """Per competency, the probability that the answer shows it."""
        found = {f: i for f, i in kenmerken(woorden).items() if f in self.idf}
        norm = math.sqrt(sum(self.idf[f] ** 2 for f in found)) or 1.0
        gevonden = {f: (i, self.idf[f] / norm) for f, i in found.items()}
        z = list(self.bias)
        for feature, (_pos, value) in gevonden.items():
            for c, weight in enumerate(self.gewichten[feature]):
                z[c] += value * weight
        if vraag and (VRAAG + vraag) in self.gewichten:
            z = [a + b for a, b in zip(z, self.gewichten[VRAAG + vraag], strict=True)]
        kans = {c: 1.0 / (1.0 + math.exp(-z[k])) for k, c in enumerate(COMPETENTIES)}
        return Kansen(kans, gevonden, self)


def lees(lines: Iterable[str]) -> Leermodel:
    """A model from its TSV lines: ``kenmerk, idf, weight per competency``; ``#`` comments."""
    idf: dict[str, float] = {}
    gewichten: dict[str, tuple[float, ...]] = {}
    bias: tuple[float, ...] | None = None
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        feature, feature_idf, *weights = line.rstrip("\n").split("\t")
        if len(weights) != len(COMPETENTIES):
            raise ValueError(f"leermodel: {feature!r} has {len(weights)} weights, not six")
        values = tuple(float(w) for w in weights)
        if feature == BIAS:
            bias = values
        else:
            gewichten[feature] = values
            if not feature.startswith(VRAAG):
                idf[feature] = float(feature_idf)
    if bias is None:
        raise ValueError("leermodel: no (bias) line")
    return Leermodel(idf, gewichten, bias)


@cache
def voor(lang: str) -> Leermodel | None:
    """The model of a language, if it has one."""
    path = resources.files("flows").joinpath(f"data/leermodel_{lang}.tsv")
    if not path.is_file():
        return None
    return lees(path.read_text("utf-8").splitlines())
