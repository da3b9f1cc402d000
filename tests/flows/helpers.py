"""Driving the pure engine in tests: a tiny student that remembers the last buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flows import reflectie
from flows.events import Bericht, Commando, Event, Foto, Knop
from flows.replies import Effect, Reply
from flows.text import render
from tests.conftest import NOW


class Chat:
    """One conversation with the engine; keeps state, replies and all effects so far."""

    def __init__(self, at: datetime = NOW) -> None:
        self.state: dict[str, Any] | None = None
        self.at = at
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.buttons_reply: Reply | None = None

    @property
    def where(self) -> str:
        return self.state["state"] if self.state else "start"

    def send(self, event: Event) -> list[Reply]:
        turn = reflectie.stap(self.state, event)
        self.state = turn.state
        self.replies = turn.replies
        self.effects.extend(turn.effects)
        for reply in turn.replies:
            if reply.buttons:
                self.buttons_reply = reply
        return turn.replies

    def text(self, text: str) -> list[Reply]:
        return self.send(Bericht(text, self.at))

    def command(self, name: str) -> list[Reply]:
        return self.send(Commando(name, self.at))

    def photo(self, ref: str = "foto-1") -> list[Reply]:
        return self.send(Foto(ref, self.at))

    def press(self, value: str) -> list[Reply]:
        """Press the button with this value on the last message that had buttons."""
        assert self.buttons_reply is not None, "no buttons on screen"
        values = [b.value for b in self.buttons_reply.buttons]
        assert value in values, f"{value!r} not among {values}"
        return self.send(Knop(value, self.buttons_reply.vraagnr, self.at))

    def said(self) -> str:
        """Everything the last turn said, rendered in Dutch."""
        return "\n".join(
            render(line, None)
            for r in self.replies
            for line in ((r.header, *r.lines) if r.header else r.lines)
        )

    def answers(self) -> list[Any]:
        from flows.replies import Antwoord

        return [e for e in self.effects if isinstance(e, Antwoord)]

    def start(self, kind: str = "bliksemstage", place: str = "Bij de bakker") -> None:
        self.command("start")
        self.press(kind)
        self.text(place)
