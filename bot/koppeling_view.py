"""``/ouder``: a student invites a parent or carer, sees who is linked, ends a link, sends a
thuisopdracht or shares their latest reflection.

Runs inside the student's turn, before the reflection flow, and leaves the reflection where it
was. Only the student's own links and invites can be touched: every button is checked against
the student's id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import links, thuis
from flows.events import Commando, Event, Knop
from flows.ouder import WIE
from flows.replies import Button, Reply
from flows.text import Text, _, ngettext, verbatim
from flows.thuisopdrachten import THUISOPDRACHT, THUISOPDRACHTEN
from storage import dossier, ouders, reflecties

KOPPELING = "u:"  # u:n (invite), u:n:<wie>, u:t (send), u:t:<opdracht>, u:d (share),
# u:x:<link> (end a link), u:i:<code> (withdraw an invite)
TIMEZONE = ZoneInfo("Europe/Amsterdam")


def wants(event: Event, state: dict[str, Any] | None) -> bool:
    if isinstance(event, Commando):
        return event.name == "ouder"
    return isinstance(event, Knop) and event.value.startswith(KOPPELING)


def handle(
    session: Session,
    student_id: int,
    account_id: int,
    event: Event,
    state: dict[str, Any],
    at: datetime,
) -> tuple[list[Reply], dict[str, Any]]:
    parts = event.value.split(":") if isinstance(event, Knop) else ["u"]
    action, arg = [*parts, "", ""][1:3]
    if action == "n" and arg in WIE:
        return [_invite(session, student_id, arg, at)], state
    if action == "n":
        return [
            Reply(
                (_("Wie wil je uitnodigen?"),),
                tuple(Button(label, f"{KOPPELING}n:{key}") for key, label in WIE.items()),
                columns=2,
            )
        ], state
    if action == "t" and arg in THUISOPDRACHT:
        return [_send(session, student_id, arg, at)], state
    if action == "t":
        student = reflecties.student_by_id(session, student_id)
        name = verbatim(student.name if student else "")
        return [
            Reply(
                (_("Welke thuisopdracht stuur je naar je ouders?"),),
                tuple(
                    Button(t.titel.with_params(kind=name), f"{KOPPELING}t:{t.key}")
                    for t in THUISOPDRACHTEN
                ),
            )
        ], state
    if action == "d":
        return [_share(session, student_id, at)], state
    if action == "x" and arg.isdecimal():
        done = ouders.revoke(session, student_id, int(arg), at)
        text = (
            _("Gestopt. Die ouder krijgt niets meer van lobbot over jou.")
            if done
            else _("Die koppeling bestaat niet (meer).")
        )
        return [Reply((text,)), overview(session, student_id, at)], state
    if action == "i" and arg.isdecimal():
        done = ouders.revoke_invite(session, student_id, int(arg), at)
        text = _("De uitnodiging werkt niet meer.") if done else _("Die uitnodiging bestaat niet.")
        return [Reply((text,)), overview(session, student_id, at)], state
    return [overview(session, student_id, at)], state


def consent_first() -> Reply:
    """A student under 16 whose school asks a parent's consent, before anything is stored."""
    return Reply(
        (
            _("Je bent jonger dan 16. Je school vraagt eerst toestemming van een ouder."),
            _(
                "Nodig je ouder uit. Als je ouder ja zegt, kun je beginnen."
                " Er is nog niets bewaard."
            ),
        ),
        (Button(_("👪 Ouder uitnodigen"), f"{KOPPELING}n"),),
    )


def overview(session: Session, student_id: int, at: datetime) -> Reply:
    """Who is linked, which invites are open, and what the student can do."""
    linked = ouders.links_of_student(session, student_id)
    invites = ouders.open_invites(session, student_id, at)
    lines: list[Text] = [_("👪 Ouders en verzorgers")]
    buttons = [Button(_("➕ Ouder uitnodigen"), f"{KOPPELING}n")]
    for link in linked:
        wie = WIE.get(link.label, verbatim(link.label))
        lines.append(_("✅ Je {wie} (sinds {datum})", wie=wie, datum=_day(link.created_at)))
        buttons.append(Button(_("✖ Stop {wie}", wie=wie), f"{KOPPELING}x:{link.id}"))
    for code in invites:
        wie = WIE.get(code.label or "", verbatim(code.label or ""))
        assert code.expires_at is not None
        lines.append(
            _("⏳ Uitnodiging voor je {wie}, tot {datum}", wie=wie, datum=_day(code.expires_at))
        )
        buttons.append(
            Button(_("✖ Uitnodiging {wie} intrekken", wie=wie), f"{KOPPELING}i:{code.id}")
        )
    if not linked and not invites:
        lines.append(_("Nog niemand gekoppeld."))
    if linked:
        buttons += [
            Button(_("📨 Thuisopdracht sturen"), f"{KOPPELING}t"),
            Button(_("📤 Laatste reflectie delen"), f"{KOPPELING}d"),
        ]
    lines.append(
        _("Je ouder ziet de thuisopdrachten en wat jij deelt. Je reflecties ziet je ouder niet.")
    )
    return Reply(tuple(lines), tuple(buttons))


def _day(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime("%d-%m-%Y")


def _invite(session: Session, student_id: int, wie: str, at: datetime) -> Reply:
    _code_id, code = ouders.invite(session, student_id, wie, at)
    link = links.deep_link(code)
    lines: list[Text] = [
        _("Stuur dit naar je {wie}:", wie=WIE[wie]),
        verbatim(link) if link else _("Open lobbot en typ deze code: {code}", code=verbatim(code)),
    ]
    if link:
        lines.append(_("Of: open lobbot en typ deze code: {code}", code=verbatim(code)))
    lines.append(_("De uitnodiging werkt één keer en 14 dagen lang. Je kunt hem altijd stoppen."))
    return Reply(tuple(lines))


def _send(session: Session, student_id: int, opdracht: str, at: datetime) -> Reply:
    sent = 0
    for link in ouders.links_of_student(session, student_id):
        assignment_id = ouders.assign(session, link.id, opdracht, "leerling", at)
        if assignment_id is not None:
            thuis.send(session, assignment_id, at)
            sent += 1
    if not sent:
        return Reply((_("Je ouders hebben deze thuisopdracht al. Ze staat nog open."),))
    return Reply(
        (
            ngettext(
                "Verstuurd naar {n} ouder. Je krijgt een bericht als er een antwoord is. 👍",
                "Verstuurd naar {n} ouders. Je krijgt een bericht als er een antwoord is. 👍",
                sent,
            ),
        )
    )


def _share(session: Session, student_id: int, at: datetime) -> Reply:
    reflections = [
        e for e in dossier.entries_of_student(session, student_id) if e.source == "reflectie"
    ]
    if not reflections:
        return Reply((_("Je hebt nog geen reflectie om te delen."),))
    assert reflections[-1].id is not None
    shared = thuis.share(session, student_id, reflections[-1].id, at)
    return Reply((ngettext("Gedeeld met {n} ouder. 📤", "Gedeeld met {n} ouders. 📤", shared),))
