"""The mentor's conversation. For now it tells a linked mentor what lobbot will bring them;
class overviews, summaries and alerts arrive with the mentor features."""

from __future__ import annotations

from typing import Any

from flows.events import Event
from flows.replies import Reply, Turn
from flows.text import _


def stap(saved: dict[str, Any] | None, event: Event) -> Turn:
    """Every message from a mentor gets the same short explanation."""
    return Turn(
        {"state": "welkom"},
        [
            Reply(
                (
                    _("Je bent aangemeld als mentor. 👩‍🏫"),
                    _("Hier krijg je de samenvattingen van je leerlingen voor jullie gesprek."),
                )
            )
        ],
    )
