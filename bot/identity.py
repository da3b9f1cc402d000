"""Who is talking, as a channel knows them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    """A chat: the channel, its id there, a display name and the language it asked for."""

    channel: str
    external_id: str
    name: str
    language: str = "nl"
