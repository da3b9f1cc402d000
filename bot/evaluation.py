"""``lobbot eval tagging``: precision, recall and F1 of the tagger on a labelled JSONL file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from flows import bank, tagging
from flows.bank import Competentie


def evaluate(path: Path, use_question: bool = True) -> dict[str, Any]:
    """Scores per language and competency, micro-averaged; plus contentless answers tagged."""
    counts: dict[str, Counter[str]] = {}
    contentless_claimed = contentless = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        lang = item.get("lang", "nl")
        question = bank.VRAAG.get(item.get("question", "")) if use_question else None
        aims = [c.value for c in question.aims] if question else []
        toont = question.toont.value if question and question.toont else None
        key = question.key if question else None
        predicted = {t.competency for t in tagging.tag(item["text"], lang, aims, toont, vraag=key)}
        expected = set(item["tags"])
        if not expected:
            contentless += 1
            contentless_claimed += bool(predicted)
        count = counts.setdefault(lang, Counter())
        for competency in Competentie:
            c = competency.value
            count[f"{c}:tp"] += c in predicted and c in expected
            count[f"{c}:fp"] += c in predicted and c not in expected
            count[f"{c}:fn"] += c not in predicted and c in expected
        count["items"] += 1
    return {
        "languages": {lang: _scores(count) for lang, count in sorted(counts.items())},
        "without_tags": {"items": contentless, "claimed_anyway": contentless_claimed},
    }


def _scores(count: Counter[str]) -> dict[str, Any]:
    per = {}
    for competency in Competentie:
        c = competency.value
        per[c] = _prf(count[f"{c}:tp"], count[f"{c}:fp"], count[f"{c}:fn"])
    totals = [sum(count[f"{c.value}:{k}"] for c in Competentie) for k in ("tp", "fp", "fn")]
    return {"items": count["items"], "micro": _prf(*totals), "per_competency": per}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "support": tp + fn,
    }
