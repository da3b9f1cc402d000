"""The inbox and the outbox keep a message's words only as long as they are needed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from storage import inbox, outbox
from storage.db import transaction
from storage.models import InboxItem, OutboxMessage


def test_a_processed_update_keeps_its_key_but_not_the_words(engine: Engine, now: datetime) -> None:
    words = {"message": {"text": "ik hielp bij de kassa", "chat": {"id": 5}}}
    with transaction(engine) as session:
        inbox.receive(session, "tg:1", now, chat="5", payload=words, seq=1)
        assert inbox.oldest_unprocessed(session, "5") == ("tg:1", words)
    with transaction(engine) as session:
        assert inbox.claim(session, "tg:1", now)
    with transaction(engine) as session:
        assert not inbox.claim(session, "tg:1", now)  # a second delivery is still recognised
        row = session.execute(select(InboxItem)).scalar_one()
    assert row.processed_at is not None and row.payload is None


def test_a_sent_message_is_never_sent_again_and_its_text_is_gone(
    engine: Engine, now: datetime
) -> None:
    with transaction(engine) as session:
        pending = outbox.add(session, "telegram", "5", {"text": "Sara vertelde …"}, now)
    with transaction(engine) as session:
        outbox.mark_sent(session, [pending.id], now)
    with transaction(engine) as session:
        assert outbox.unsent(session, "telegram") == []
        row = session.execute(select(OutboxMessage)).scalar_one()
    assert row.sent_at is not None and row.payload == {}
