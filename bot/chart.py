"""The competency chart in a mentor's summary: which competencies have evidence, which none."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no screen: render straight to PNG

from matplotlib import pyplot as plt


@dataclass(frozen=True)
class Chart:
    """A picture to send with a reply."""

    png: bytes
    caption: str


def evidence_chart(counts: Mapping[str, int], labels: Mapping[str, str], title: str) -> bytes:
    """A small horizontal bar chart; competencies without evidence are shown in grey."""
    names = [labels[c] for c in counts]
    values = list(counts.values())
    figure, axes = plt.subplots(figsize=(5, 2.6), dpi=120)
    colours = ["#2a9d8f" if v else "#c9c9c9" for v in values]
    axes.barh(names[::-1], [max(v, 0.05) for v in values[::-1]], color=colours[::-1])
    axes.set_title(title, fontsize=10)
    axes.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
