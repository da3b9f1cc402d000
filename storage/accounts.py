"""Chat accounts: who is behind a chat, and in which role. Looked up once per update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from storage.models import Account

_accounts = Account.__table__
_BY_CHAT = select(
    _accounts.c.id,
    _accounts.c.role,
    _accounts.c.language,
    _accounts.c.active,
    _accounts.c.bilingual,
).where(
    _accounts.c.channel == bindparam("channel"), _accounts.c.external_id == bindparam("external_id")
)


@dataclass(frozen=True)
class AccountInfo:
    """What a turn needs to know about the person."""

    id: int
    role: str
    language: str
    active: bool
    bilingual: bool | None = None


def find_account(session: Session, channel: str, external_id: str) -> AccountInfo | None:
    """The account of this chat, if it was seen before."""
    row = session.execute(_BY_CHAT, {"channel": channel, "external_id": external_id}).first()
    if row is None:
        return None
    return AccountInfo(row.id, row.role, row.language, row.active, row.bilingual)


def create_account(
    session: Session, channel: str, external_id: str, role: str, language: str, at: datetime
) -> AccountInfo:
    """A chat seen for the first time."""
    result = session.execute(
        insert(_accounts).values(
            channel=channel,
            external_id=external_id,
            role=role,
            language=language,
            active=True,
            created_at=at,
        )
    )
    return AccountInfo(int(result.inserted_primary_key[0]), role, language, True)


def set_role(session: Session, account_id: int, role: str) -> None:
    """The person became a student, a mentor, a parent."""
    session.execute(update(_accounts).where(_accounts.c.id == account_id).values(role=role))


def set_language(session: Session, account_id: int, language: str) -> None:
    """The language the person reads."""
    session.execute(update(_accounts).where(_accounts.c.id == account_id).values(language=language))


def set_active(session: Session, channel: str, external_id: str, active: bool) -> None:
    """Inactive: the person blocked the bot, so nothing more is sent to them."""
    session.execute(
        update(_accounts)
        .where(_accounts.c.channel == channel, _accounts.c.external_id == external_id)
        .values(active=active)
    )


def set_bilingual(session: Session, account_id: int, bilingual: bool) -> None:
    """Show the Dutch under each message (or not)."""
    session.execute(
        update(_accounts).where(_accounts.c.id == account_id).values(bilingual=bilingual)
    )
