"""The inbox: every incoming update or script line is processed at most once.

The key is stored in the same transaction as the turn's effects, so after a crash an update is
either fully processed (and its key present) or not at all (and processed again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from storage.db import InsertNew
from storage.models import InboxItem

_inbox = InboxItem.__table__
# Built once: these run for every update, and building a statement costs more than running it.
_NEW = InsertNew(_inbox, "key", _inbox.c.key)
_CLAIM = (
    update(_inbox)
    .where(_inbox.c.key == bindparam("k"), _inbox.c.processed_at.is_(None))
    .values(processed_at=bindparam("at"), payload=None)
)


def _insert_new(session: Session, **row: Any) -> bool:
    """Insert the row unless its key is there already; True when it was inserted."""
    columns = {"chat": None, "payload": None, "seq": None, "processed_at": None, **row}
    return _NEW.run(session, columns) is not None


def receive(
    session: Session,
    key: str,
    at: datetime,
    chat: str | None = None,
    payload: dict[str, Any] | None = None,
    seq: int | None = None,
) -> bool:
    """Note that an item arrived, before it is processed; False if it was already there."""
    return _insert_new(session, key=key, received_at=at, chat=chat, payload=payload, seq=seq)


def unprocessed(session: Session, prefix: str) -> list[dict[str, Any]]:
    """Payloads that arrived but were never processed (a crash came in between), oldest first."""
    rows = session.execute(
        select(_inbox.c.payload)
        .where(_inbox.c.key.startswith(prefix), _inbox.c.processed_at.is_(None))
        .where(_inbox.c.payload.is_not(None))
        .order_by(_inbox.c.received_at, _inbox.c.key)
    )
    return [row.payload for row in rows]


def claim(session: Session, key: str, at: datetime) -> bool:
    """Mark the item processed within the current turn's transaction.

    True when this turn is the first to process it; False for a duplicate, whose turn must
    then do nothing. The payload (the student's words, as Telegram sent them) is dropped: once
    processed only the key is needed, to recognise a second delivery.
    """
    if session.execute(_CLAIM, {"k": key, "at": at}).rowcount == 1:
        return True
    return receive_processed(session, key, at)


def receive_processed(session: Session, key: str, at: datetime) -> bool:
    """Insert the key as processed at once (items that were not noted on arrival)."""
    return _insert_new(session, key=key, received_at=at, processed_at=at)


def is_processed(session: Session, key: str) -> bool:
    """Whether an item with this key was processed already."""
    row = session.execute(select(_inbox.c.processed_at).where(_inbox.c.key == key)).first()
    return row is not None and row.processed_at is not None


_FIRST_WAITING = (
    select(_inbox.c.key)
    .where(_inbox.c.chat == bindparam("chat"), _inbox.c.processed_at.is_(None))
    .where(_inbox.c.payload.is_not(None))
    .order_by(_inbox.c.seq, _inbox.c.key)
    .limit(1)
)


def oldest_unprocessed(session: Session, chat: str) -> tuple[str, dict[str, Any]] | None:
    """The first update of a chat still waiting (several workers process a chat in order)."""
    key = first_waiting(session, chat)
    return None if key is None else (key, payload_of(session, key))


def first_waiting(session: Session, chat: str) -> str | None:
    """The key of the first update of a chat still waiting; only the key, as that is usually
    the update at hand and its payload is not needed again."""
    return session.execute(_FIRST_WAITING, {"chat": chat}).scalar()


def payload_of(session: Session, key: str) -> dict[str, Any]:
    """What arrived under this key (as Telegram sent it), while it waits."""
    return session.execute(select(_inbox.c.payload).where(_inbox.c.key == key)).scalar_one()
