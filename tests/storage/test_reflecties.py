"""Reads and writes: answers are appended, conversations are guarded by their version."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from storage import accounts, inbox, reflecties
from storage.db import transaction


def _student(engine: Engine, now, name: str = "Sara") -> int:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        account = accounts.create_account(session, "console", name, "leerling", "nl", now)
        return reflecties.create_student(session, account.id, name, now)


def test_answers_are_appended_in_order(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    sid = _student(engine, now)
    with transaction(engine) as session:
        eid = reflecties.start_experience(session, sid, "gastles", "Een kok", now)
        for i, text in enumerate(["eerste", "tweede", "derde"]):
            reflecties.append_answer(
                session,
                student_id=sid,
                experience_id=eid,
                question_key=f"q{i}",
                phase="terugkijken",
                kind="tekst",
                part="antwoord",
                language="nl",
                at=now,
                text=text,
            )
    with transaction(engine) as session:
        texts = [a.text for a in reflecties.answers_of_student(session, sid)]
        assert texts == ["eerste", "tweede", "derde"]
        assert reflecties.experiences_of_student(session, sid)[0].status == "bezig"


def test_a_stale_version_is_refused(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        aid = accounts.create_account(session, "console", "x", "leerling", "nl", now).id
        reflecties.save_conversation(session, aid, "reflectie", {"state": "start"}, None, None, now)
    with transaction(engine) as session:
        saved = reflecties.load_conversation(session, aid)
        assert saved is not None and saved["version"] == 1
        reflecties.save_conversation(session, aid, "reflectie", {"state": "ervaring"}, None, 1, now)
    with pytest.raises(reflecties.VersionConflict), transaction(engine) as session:
        reflecties.save_conversation(session, aid, "reflectie", {"state": "plek"}, None, 1, now)
    with transaction(engine) as session:
        assert reflecties.load_conversation(session, aid)["state"] == {"state": "ervaring"}


def test_an_inbox_key_is_claimed_once(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        assert inbox.receive(session, "tg:1", now)
        assert not inbox.receive(session, "tg:1", now)
    with transaction(engine) as session:
        assert inbox.claim(session, "tg:1", now)
        assert inbox.claim(session, "script:a:1", now)
    with transaction(engine) as session:
        assert not inbox.claim(session, "tg:1", now)
        assert not inbox.claim(session, "script:a:1", now)


def test_a_claim_rolled_back_with_its_turn_can_be_claimed_again(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction(engine) as session:
        assert inbox.claim(session, "tg:7", now)
        raise RuntimeError("crash in the middle of a turn")
    with transaction(engine) as session:
        assert inbox.claim(session, "tg:7", now)
