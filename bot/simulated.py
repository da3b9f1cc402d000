"""A simulated student who answers every question sensibly: for benchmarks and tests.

It reads the state and the last buttons like a person reads the screen, and answers each kind
of question the way students do (a tap on a button, a short sentence, a photo).
"""

from __future__ import annotations

import random
from datetime import datetime

from flows import reflectie
from flows.bank import Vorm
from flows.events import Bericht, Commando, Event, Foto, Knop
from flows.replies import Reply

ZINNEN = (
    "ik hielp klanten bij de kassa en vulde vakken",
    "samen met een collega de machine schoonmaken",
    "ik vond het leuk om met mensen te praten",
    "het was druk maar ik bleef rustig",
    "mijn moeder wil dat ik naar de havo ga maar ik wil liever iets met mijn handen",
    "ik ga mijn mentor vragen of ik kan meelopen",
    "mijn oom werkt in de bouw, ik bel hem zaterdag",
    "dat ik geen plek vind, dan vraag ik de decaan",
)


class SimulatedStudent:
    """Chooses the next event from the state and the last replies."""

    def __init__(self, kind: str, seed: int = 0) -> None:
        self.kind = kind
        self.random = random.Random(seed)
        self.last: Reply | None = None
        self.photos = 0

    def see(self, replies: list[Reply]) -> None:
        """Remember the last reply with buttons, as a person would see it on screen."""
        for reply in replies:
            if reply.buttons:
                self.last = reply

    def next_event(self, state: str, at: datetime) -> Event:
        """What this student sends now."""
        vraagnr = self.last.vraagnr if self.last else 0
        if state in ("start", "klaar"):
            return Commando("start", at)
        if state == "ervaring":
            return Knop(self.kind, vraagnr, at)
        if state == "samenvatting":
            return Knop(reflectie.KLOPT, vraagnr, at)
        if state == "competenties":
            return Knop(reflectie.OPSLAAN, vraagnr, at)
        vraag = reflectie.vraag_van(state)
        if vraag is None or vraag.vorm is Vorm.TEKST:
            return Bericht(self.random.choice(ZINNEN), at)
        if vraag.vorm is Vorm.FOTO:
            self.photos += 1
            return Foto(f"foto-{self.photos}", at)
        if vraag.vorm is Vorm.SCHAAL:
            return Knop(str(self.random.randint(1, 5)), vraagnr, at)
        return Knop(vraag.choices[0].value, vraagnr, at)
