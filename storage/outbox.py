"""Replies waiting to be sent. Stored in the turn's transaction, marked sent afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from storage.models import OutboxMessage

_outbox = OutboxMessage.__table__
# built once: they run for every message, and building a statement costs more than running it
_ADD = insert(_outbox)
_SENT = (
    update(_outbox)
    .where(_outbox.c.id.in_(bindparam("ids", expanding=True)))
    .values(sent_at=bindparam("at"), payload={})
)


@dataclass(frozen=True)
class Pending:
    """One message still to send."""

    id: int
    chat: str
    payload: dict[str, Any]


def add(
    session: Session, channel: str, chat: str, payload: dict[str, Any], at: datetime
) -> Pending:
    """Queue one message; it is sent after the transaction commits."""
    row = {"channel": channel, "chat": chat, "payload": payload, "created_at": at}
    result = session.execute(_ADD, row)
    return Pending(int(result.inserted_primary_key[0]), chat, payload)


def unsent(
    session: Session, channel: str, chat: str | None = None, limit: int = 500
) -> list[Pending]:
    """Unsent messages in the order they were made (for one chat, or all)."""
    query = select(_outbox.c.id, _outbox.c.chat, _outbox.c.payload).where(
        _outbox.c.channel == channel, _outbox.c.sent_at.is_(None)
    )
    if chat is not None:
        query = query.where(_outbox.c.chat == chat)
    rows = session.execute(query.order_by(_outbox.c.id).limit(limit))
    return [Pending(row.id, row.chat, row.payload) for row in rows]


_ANY_UNSENT = (
    select(_outbox.c.id)
    .where(_outbox.c.channel == bindparam("channel"), _outbox.c.chat == bindparam("chat"))
    .where(_outbox.c.sent_at.is_(None))
    .limit(1)
)


def has_unsent(session: Session, channel: str, chat: str) -> bool:
    """Whether a message for this chat is still waiting to be sent."""
    return session.execute(_ANY_UNSENT, {"channel": channel, "chat": chat}).first() is not None


def mark_sent(session: Session, ids: list[int], at: datetime) -> None:
    """Sent: the row stays (so it is never sent again), its text does not (store the least)."""
    if ids:
        session.execute(_SENT, {"ids": ids, "at": at})
