"""Crash safety: ``lobbot chat --script`` killed with SIGKILL mid-reflection, then restarted.

Every turn commits before its reply is printed, so whatever the moment of the kill, each answer
is stored once and the restarted script carries on at the next unanswered question.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage import accounts, reflecties
from storage.db import transaction
from tests.bot.scripts import expected_keys, full_script

LOBBOT = Path(sys.executable).with_name("lobbot")
KIND = "bliksemstage"


def _start(script: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(LOBBOT), "chat", "--user", "sam", "--script", str(script), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stored(engine: Engine) -> tuple[list, dict | None, list]:
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "sam")
        account = accounts.find_account(session, "console", "sam")
        if sid is None or account is None:
            return [], None, []
        answers = reflecties.answers_of_student(session, sid)
        saved = reflecties.load_conversation(session, account.id)
        experiences = reflecties.experiences_of_student(session, sid)
    return answers, saved, experiences


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_sigkill_mid_reflection_loses_nothing_and_doubles_nothing(
    tmp_path: Path, seed: int, engine: Engine, cli_env: dict[str, str]
) -> None:
    script = tmp_path / "script.txt"
    script.write_text("\n".join(full_script(KIND)) + "\n", encoding="utf-8")
    kill_after = random.Random(seed).randint(2, len(full_script(KIND)) - 2)

    process = _start(script, cli_env)
    assert process.stdout is not None
    for _ in range(kill_after):  # wait for that many bot messages, then pull the plug
        assert process.stdout.readline(), process.stderr.read() if process.stderr else ""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    answers, saved, _ = _stored(engine)
    answered = [a.question_key for a in answers]
    assert len(answered) == len(set(answered))  # nothing doubled
    keys = expected_keys(KIND)
    assert answered == keys[: len(answered)]  # nothing skipped
    if saved is not None and len(answered) < len(keys) and saved["state"]["state"] not in (
        "ervaring", "plek",
    ):  # fmt: skip
        assert saved["state"]["state"].split("_")[1] == keys[len(answered)]  # next unanswered

    process = _start(script, cli_env)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    messages = [json.loads(line) for line in out.splitlines()]
    if saved is not None:
        assert messages[0]["state"] == saved["state"]["state"]  # resumes where it was
    assert messages[-1]["state"] == "klaar"

    answers, saved, experiences = _stored(engine)
    assert Counter(a.question_key for a in answers) == Counter(keys)  # each exactly once
    assert [e.status for e in experiences] == ["afgerond"]
    assert saved is not None and saved["state"]["state"] == "klaar"
