"""The console channel: a student's reflection in a terminal, interactive or from a script.

Script lines: text is an answer; ``/command`` is a command; ``[N]`` presses button N of the last
message; ``[foto]`` sends a photo, ``[spraak]`` a voice note, ``[sticker]`` a sticker. A script
line that was processed before (the same user and script, say after a crash) is skipped, so a
restarted script carries on where it stopped without answering anything twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.chart import Chart
from bot.i18n import language, tr, with_dutch
from bot.turns import Identity, already_processed, current_question, process_turn
from flows.events import Anders, Bericht, Commando, Event, Foto, Knop, Spraak
from flows.replies import Reply
from flows.text import _

TIMEZONE = ZoneInfo("Europe/Amsterdam")
_KNOP = re.compile(r"^\[(\d{1,3})\]$")
_MEDIA = {"[foto]": "foto", "[spraak]": "spraak", "[sticker]": "sticker", "[locatie]": "locatie"}


class Console:
    """One person's console session: remembers the last buttons shown."""

    def __init__(self, engine: Engine, who: Identity, out: TextIO, as_json: bool) -> None:
        self.engine = engine
        self.who = who
        self.out = out
        self.as_json = as_json
        self.last_buttons: Reply | None = None
        self.media_count = 0
        self.language, self.bilingual = who.language, None

    def show_current(self) -> None:
        """After a restart, show where the person is."""
        replies, state = current_question(self.engine, self.who)
        self.show(replies, state)

    def send(self, line: str, key: str | None = None, *, bare_numbers: bool = False) -> None:
        """Turn one input line into an event, run the turn and print the replies."""
        event = self.event_for(line, bare_numbers)
        if event is None:
            return
        result = process_turn(self.engine, self.who, event, key)
        if result.account is not None:
            self.language, self.bilingual = result.account.language, result.account.bilingual
        if not result.duplicate:
            self.show(result.replies, result.state)

    def event_for(self, line: str, bare_numbers: bool) -> Event | None:
        """The event a line stands for; None (after telling the person) for a missing button."""
        at = datetime.now(TIMEZONE)
        stripped = line.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            name, _sep, arg = stripped[1:].partition(" ")
            return Commando(name, at, arg.strip())
        if stripped.lower() in _MEDIA:
            kind = _MEDIA[stripped.lower()]
            self.media_count += 1
            ref = f"console-{kind}-{self.media_count}"
            if kind == "foto":
                return Foto(ref, at)
            return Spraak(ref, at) if kind == "spraak" else Anders(kind, at)
        reply = self.last_buttons
        if match := _KNOP.match(stripped):
            number = int(match[1])
        elif (
            bare_numbers
            and stripped.isdecimal()
            and reply
            and 1 <= int(stripped) <= len(reply.buttons)
        ):
            number = int(stripped)  # interactive: a bare number picks a button when one fits
        else:
            return Bericht(line, at)
        if reply is None or not 1 <= number <= len(reply.buttons):
            self.show_text(tr(_("Er is geen knop {n}. Kies een nummer uit de lijst.", n=number)))
            return None
        return Knop(reply.buttons[number - 1].value, reply.vraagnr, at)

    def show(self, replies: Iterable[Reply | Chart], state: str) -> None:
        """Print replies: as text with numbered buttons, or one JSON object per message."""
        with language(self.language, self.bilingual):
            for reply in replies:
                if isinstance(reply, Chart):
                    self.show_text(f"📊 {reply.caption}: {self._save(reply)}")
                    continue
                if reply.buttons:
                    self.last_buttons = reply
                lines = (reply.header, *reply.lines) if reply.header else reply.lines
                text = "\n".join(tr(line) for line in lines)
                if with_dutch.get():  # the Dutch underneath, as in Telegram
                    text += "\n\n" + "\n".join("🇳🇱 " + tr(line, "nl") for line in reply.lines)
                labels = [tr(button.label) for button in reply.buttons]
                if self.as_json:
                    record = {"text": text, "buttons": labels, "state": state}
                    self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
                else:
                    self.out.write("\n🤖 " + text.replace("\n", "\n   ") + "\n")
                    for number, label in enumerate(labels, start=1):
                        self.out.write(f"   [{number}] {label}\n")
        self.out.flush()

    def _save(self, chart: Chart) -> str:
        """A console cannot show pictures: the chart goes to a PNG file."""
        handle, path = tempfile.mkstemp(prefix="lobbot-grafiek-", suffix=".png")
        with os.fdopen(handle, "wb") as file:
            file.write(chart.png)
        return path

    def show_text(self, text: str) -> None:
        if self.as_json:
            self.out.write(json.dumps({"text": text, "buttons": [], "state": None}) + "\n")
        else:
            self.out.write(f"\n🤖 {text}\n")
        self.out.flush()


def run_script(console: Console, lines: list[str]) -> None:
    """Replay a script; lines processed in an earlier run of the same script are skipped."""
    digest = hashlib.sha256(
        "\n".join([console.who.channel, console.who.external_id, *lines]).encode()
    ).hexdigest()[:24]
    console.show_current()
    for number, line in enumerate(lines, start=1):
        key = f"script:{digest}:{number}"
        if not already_processed(console.engine, key):
            console.send(line, key=key)


def run_interactive(console: Console, stdin: TextIO = sys.stdin, first: str = "/start") -> None:
    """Chat in the terminal until end of input or /exit."""
    console.show_text(
        tr(
            _(
                "Typ je antwoord en druk op Enter. Een knop kies je met zijn nummer."
                " Stoppen met de console: /exit."
            )
        )
    )
    replies, state = current_question(console.engine, console.who)
    if replies:
        console.show(replies, state)
    else:
        console.send(first)
    for line in stdin:
        if line.strip() in ("/exit", "/quit"):
            break
        console.send(line.rstrip("\n"), bare_numbers=True)
