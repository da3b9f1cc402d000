"""What a flow hands back: replies to show and effects to persist."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.tagging import Tag
from flows.text import Text


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply: what it says and the value it sends back."""

    label: Text
    value: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the person; ``vraagnr`` ties its buttons to the question they belong to.

    ``header`` is where the person is (phase and progress), shown above the text. A ``notice``
    is a short remark about a button press that a channel may show as a pop-up instead.
    """

    lines: tuple[Text, ...]
    buttons: tuple[Button, ...] = ()
    vraagnr: int = 0
    columns: int = 1
    header: Text | None = None
    notice: bool = False


# Effects: facts a turn produced, persisted by storage in the same transaction as the new state.


@dataclass(frozen=True, slots=True)
class BeginErvaring:
    """A new reflection starts: the kind of experience, and where or what it was."""

    kind: str
    place: str


@dataclass(frozen=True, slots=True)
class LegErvaringVast:
    """The student corrected where or what the experience was."""

    place: str


@dataclass(frozen=True, slots=True)
class Antwoord:
    """An answer appended to the student's record (never overwritten).

    ``part`` tells an answer from a follow-up to a probe ("doorvraag") or a correction made at
    the summary ("correctie"); ``kind`` is how it was given.
    """

    question_key: str
    phase: str
    kind: str
    part: str = "antwoord"
    text: str | None = None
    choice: str | None = None
    media_ref: str | None = None
    due: date | None = None
    flagged: bool = False
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True, slots=True)
class Signaal:
    """A safeguarding signal for the mentor (what category, on which question)."""

    category: str
    question_key: str


@dataclass(frozen=True, slots=True)
class RondErvaringAf:
    """The reflection is complete: the competencies the student confirmed, and the dossier
    entry (C2 form) it becomes."""

    competenties: tuple[str, ...] = ()
    entry: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BreekErvaringAf:
    """The student started over: this reflection is kept, marked as abandoned."""


@dataclass(frozen=True, slots=True)
class WordLeerling:
    """Onboarding is done: this chat is a student in this class, with this name."""

    name: str
    code_id: int
    school_id: int
    class_id: int
    onder_16: bool | None = None  # asked only where the school wants a parent's consent


@dataclass(frozen=True, slots=True)
class WordMentor:
    """A mentor accepted their invite: this chat is that mentor."""

    code_id: int
    mentor_id: int


@dataclass(frozen=True, slots=True)
class WordOuder:
    """A parent accepted a child's invite: this chat is linked to that child as a parent."""

    code_id: int
    student_id: int
    label: str
    toestemming: bool = False  # the parent consented (the child is under 16)


@dataclass(frozen=True, slots=True)
class RondThuisopdrachtAf:
    """A parent answered a thuisopdracht: the dossier entry it becomes, and its competencies."""

    assignment_id: int
    entry: dict[str, Any]
    competenties: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KiesTaal:
    """The person chose the language they read."""

    code: str


Effect = (
    BeginErvaring
    | LegErvaringVast
    | Antwoord
    | Signaal
    | RondErvaringAf
    | BreekErvaringAf
    | WordLeerling
    | WordMentor
    | WordOuder
    | RondThuisopdrachtAf
    | KiesTaal
)


@dataclass(slots=True)
class Turn:
    """The outcome of one event: the new saved state, replies and effects."""

    state: dict
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
