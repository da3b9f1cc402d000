"""``/taal`` and ``/tweetalig``: the language a person reads, and whether the Dutch is shown
underneath. Works for every role, at any moment, and leaves their conversation where it was."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import Session

from bot import i18n
from flows.events import Commando, Event, Knop
from flows.replies import Button, Reply
from flows.text import _, verbatim
from storage import accounts
from storage.accounts import AccountInfo

TAAL = "t:"  # t:<code> chooses a language; t:nee declines an offer


def choices() -> tuple[Button, ...]:
    """Every language, named in its own script."""
    return tuple(Button(verbatim(i18n.NAMES.get(c, c)), f"{TAAL}{c}") for c in i18n.available())


def wants(event: Event) -> bool:
    if isinstance(event, Commando):
        return event.name in ("taal", "tweetalig")
    return isinstance(event, Knop) and event.value.startswith(TAAL)


def handle(session: Session, account: AccountInfo, event: Event) -> tuple[list[Reply], AccountInfo]:
    """Change the language or the bilingual setting; replies come in the new language."""
    if isinstance(event, Commando) and event.name == "taal":
        return [Reply((_("Kies je taal:"),), choices(), columns=2)], account
    if isinstance(event, Commando):
        on = event.arg.strip().lower() not in ("uit", "off", "nee")
        accounts.set_bilingual(session, account.id, on)
        text = (
            _("Je ziet nu ook het Nederlands onder elk bericht.")
            if on
            else _("Je ziet nu alleen je eigen taal.")
        )
        return [Reply((text,))], replace(account, bilingual=on)
    assert isinstance(event, Knop)
    code = event.value.removeprefix(TAAL)
    if code not in i18n.available():
        return [Reply((_("Oké, we houden dezelfde taal."),))], account
    accounts.set_language(session, account.id, code)
    account = replace(account, language=code)
    return [Reply((_("Vanaf nu praat ik {taal} met je. Terug? Typ /taal.",
                     taal=verbatim(i18n.NAMES.get(code, code))),))], account  # fmt: skip


def offer(state: dict[str, Any], account: AccountInfo, written: str | None) -> Reply | None:
    """Someone writes in another language than they chose: offer to switch, once per language."""
    offered = state.setdefault("aangeboden", [])
    if written in (None, account.language) or written not in i18n.available() or written in offered:
        return None
    offered.append(written)
    name = verbatim(i18n.NAMES.get(written, written))
    return Reply(
        (_("Je schrijft in het {taal}. Wil je dat ik ook {taal} praat?", taal=name),),
        (Button(name, f"{TAAL}{written}"), Button(_("Nee, bedankt"), f"{TAAL}nee")),
        columns=2,
    )
