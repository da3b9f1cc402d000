"""Who is this? Decided once per update, in one place, before any flow runs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.identity import Identity
from storage import accounts, reflecties
from storage.reflecties import ChatState, StudentRef

# Which flow each role talks to.
FLOW_OF_ROLE = {
    "nieuw": "aanmelding",
    "leerling": "reflectie",
    "mentor": "mentor",
    "ouder": "ouder",
}

# The console and the benchmarks are for trying lobbot out: there a person is a student at once.
# In Telegram a new chat first joins with a class code.
TRY_OUT_CHANNELS = frozenset({"console", "bench"})


def decide(session: Session, who: Identity, at: datetime) -> ChatState:
    """The account behind this chat (created on first contact), with its conversation and
    student."""
    found = reflecties.chat_state(session, who.channel, who.external_id)
    if found is not None:
        if not found.account.active:  # they unblocked the bot and wrote again
            accounts.set_active(session, who.channel, who.external_id, True)
        return found
    role = "leerling" if who.channel in TRY_OUT_CHANNELS else "nieuw"
    account = accounts.create_account(session, who.channel, who.external_id, role, who.language, at)
    student = None
    if role == "leerling":
        student_id = reflecties.create_student(session, account.id, who.name, at)
        student = StudentRef(student_id, None, waits_for_consent=False)
    return ChatState(account, None, student)
