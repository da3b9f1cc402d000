"""``lobbot train tagging``: learn ``flows/data/leermodel_<lang>.tsv`` from labelled answers.

scikit-learn does the learning (a logistic regression per competency); it is a development
dependency only, because the bot reads the weights it wrote and needs nothing of it to run.
The features and their scaling are those of ``flows.leermodel``, so what was learned is what
the bot computes.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from flows import leermodel, tagging

C = 8.0  # inverse regularisation strength, chosen by leaving out one Dutch set at a time
MIN_DF = 2  # a feature must occur in two answers: one answer's quirk is not a pattern


def _lines(files: list[Path], lang: str) -> list[dict[str, Any]]:
    items = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if item.get("lang", "nl") == lang:
                    items.append(item)
    return items


def train(files: list[Path], lang: str) -> str:
    """The model learned from these JSONL files, as the TSV text the bot reads."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    items = _lines(files, lang)
    if not items:
        raise ValueError(f"no labelled answers in {lang!r}")
    features = [set(leermodel.kenmerken(tagging.woorden(i["text"], lang))) for i in items]
    df = Counter(f for found in features for f in found)
    n = len(items)
    idf = {f: math.log((1 + n) / (1 + k)) + 1 for f, k in df.items() if k >= MIN_DF}
    rows = []
    for found, item in zip(features, items, strict=True):
        known = [f for f in found if f in idf]
        norm = math.sqrt(sum(idf[f] ** 2 for f in known)) or 1.0
        row = {f: idf[f] / norm for f in known}
        if item.get("question"):
            row[leermodel.VRAAG + item["question"]] = 1.0
        rows.append(row)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(rows)
    names = list(vectorizer.get_feature_names_out())
    weights: dict[str, list[float]] = {f: [] for f in names}
    bias = []
    for competency in leermodel.COMPETENTIES:
        y = [competency in item["tags"] for item in items]
        model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)
        bias.append(float(model.intercept_[0]))
        for name, weight in zip(names, model.coef_[0], strict=True):
            weights[name].append(float(weight))
    return _tsv(lang, files, n, idf, weights, bias)


def _tsv(
    lang: str,
    files: list[Path],
    n: int,
    idf: dict[str, float],
    weights: dict[str, list[float]],
    bias: list[float],
) -> str:
    head = [
        f"# Geleerd model voor het taggen van antwoorden ({lang}). Niet met de hand bewerken:",
        f"# gemaakt met `lobbot train tagging --lang {lang} {' '.join(map(Path.as_posix, files))}`",
        f"# uit {n} gelabelde antwoorden. Per regel een kenmerk (w: een woord in zijn gewone",
        "# vorm, s: een stam, b: twee woorden na elkaar, q: de gestelde vraag), hoe zeldzaam het",
        "# is (idf) en per competentie hoe sterk het ervoor (+) of ertegen (-) pleit.",
        "#kenmerk\tidf\t" + "\t".join(leermodel.COMPETENTIES),
        "\t".join([leermodel.BIAS, "0", *(f"{b:.4f}" for b in bias)]),
    ]
    body = [
        "\t".join([name, f"{idf.get(name, 0.0):.4f}", *(f"{w:.4f}" for w in weights[name])])
        for name in sorted(weights)
    ]
    return "\n".join(head + body) + "\n"
