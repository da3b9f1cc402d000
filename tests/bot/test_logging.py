"""No answer text, name or secret in any log line during a full reflection."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from bot.turns import Identity, process_turn
from flows.events import Bericht, Commando
from tests.bot.test_turns import reflect


def test_a_full_reflection_logs_no_answer_text_or_name(
    engine: Engine, now, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    who = Identity("console", "geheimnaam", "Geheimnaam")
    with caplog.at_level(logging.DEBUG):
        reflect(engine, who, "bliksemstage", now)
        process_turn(engine, who, Commando("notitie", now, "mijn geheime notitie"))
        process_turn(engine, who, Commando("start", now))
        process_turn(engine, who, Bericht("ik word gepest op school en thuis", now))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("geheimnaam", "Geheimnaam", "geheime notitie", "gepest", "klanten", "kassa"):
        assert secret not in logged
