"""What a person did, as the channels report it to a flow.

Every event carries the moment it happened, so a flow can reason about dates ("volgende week")
without reading a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Bericht:
    """Typed text (may be empty, huge, or emoji only)."""

    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Knop:
    """A button press: the button's value and the question number it was shown with."""

    value: str
    vraagnr: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Commando:
    """A slash command such as ``/terug``; ``arg`` is what followed it."""

    name: str
    at: datetime
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Foto:
    """A photo; ``ref`` is the channel's reference to it (a Telegram file_id, a path)."""

    ref: str
    at: datetime
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Spraak:
    """A voice note, kept as an attachment."""

    ref: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Anders:
    """Something a flow cannot use as an answer: a sticker, a location, a document …"""

    kind: str
    at: datetime


Event = Bericht | Knop | Commando | Foto | Spraak | Anders
