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


@dataclass(frozen=True, slots=True)
class CodeGecontroleerd:
    """A class code or invite the person typed or opened, as the channel looked it up.

    ``status``: ok, onbekend, verlopen, ingetrokken, gebruikt, te_vaak. For a good code the
    names are filled in, so the flow can say whose class the student joins.
    """

    status: str
    at: datetime
    purpose: str | None = None
    code_id: int | None = None
    school_id: int | None = None
    class_id: int | None = None
    mentor_id: int | None = None
    klas: str = ""
    mentor: str = ""
    school: str = ""
    wait_seconds: int = 0
    student_id: int | None = None  # a parent invite: the child who sent it
    leerling: str = ""  # … and the child's first name
    label: str = ""  # … and who the child invited (moeder, vader, verzorger, familie)
    # A class code: the school asks a parent's consent under 16. A parent invite: the child
    # is under 16 and still waits for that consent.
    toestemming: bool = False


Event = Bericht | Knop | Commando | Foto | Spraak | Anders | CodeGecontroleerd
