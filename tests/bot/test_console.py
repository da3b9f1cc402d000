"""``lobbot chat``: the console channel, run as a real program on a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from flows.bank import ERVARINGEN
from storage import reflecties
from storage.db import transaction
from tests.bot.scripts import expected_keys, full_script

LOBBOT = Path(sys.executable).with_name("lobbot")


def lobbot(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LOBBOT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def run_script(
    tmp_path: Path, lines: list[str], env: dict[str, str], user: str = "sara"
) -> list[dict]:
    script = tmp_path / f"{user}.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = lobbot("chat", "--user", user, "--script", str(script), "--json", env=env)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize("kind", [e.key for e in ERVARINGEN])
def test_a_full_reflection_by_script_for_every_experience_type(
    tmp_path: Path, kind: str, engine: Engine, cli_env: dict[str, str]
) -> None:
    messages = run_script(tmp_path, full_script(kind), cli_env)
    assert messages[-1]["state"] == "klaar"
    assert any("Dit heb je verteld" in m["text"] for m in messages)
    assert all(set(m) == {"text", "buttons", "state"} for m in messages)
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "sara")
        answers = reflecties.answers_of_student(session, sid)
        (experience,) = reflecties.experiences_of_student(session, sid)
    assert [a.question_key for a in answers] == expected_keys(kind)
    assert (experience.kind, experience.status) == (kind, "afgerond")


def test_buttons_are_numbered_and_bad_button_numbers_are_answered(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    messages = run_script(tmp_path, ["/start", "[9]", "[0]", "[2]"], cli_env)
    assert messages[0]["buttons"][0].endswith("Bliksemstage")
    assert "Er is geen knop 9" in messages[1]["text"]
    assert "Er is geen knop 0" in messages[2]["text"]
    assert messages[-1]["state"] == "plek"


def test_bad_input_gets_a_clear_reply_and_nothing_is_lost(
    tmp_path: Path, engine: Engine, cli_env: dict[str, str]
) -> None:
    lines = full_script("gastles")[:4]  # up to the first question answered
    lines += ["", "x" * 10_000, "\x00\x07\x1b", "😀😀😀", "[sticker]", "/onzin"]
    messages = run_script(tmp_path, lines, cli_env)
    assert "geen tekst" in messages[-6]["text"]
    assert "lang verhaal" in messages[-5]["text"]
    assert "geen tekst" in messages[-4]["text"]
    assert "niet lezen" in messages[-2]["text"]
    assert "ken ik niet" in messages[-1]["text"]
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "console", "sara")
        answers = reflecties.answers_of_student(session, sid)
    assert answers[0].text == full_script("gastles")[3]
    assert all(a.text is None or len(a.text) <= 2000 for a in answers)


def test_interactive_chat_reads_typed_lines(cli_env: dict[str, str]) -> None:
    done = lobbot("chat", "--user", "noor", env=cli_env, stdin="1\nBij de kapper\n/stop\n/exit\n")
    assert done.returncode == 0, done.stderr
    assert "[1] ⚡ Bliksemstage" in done.stdout
    assert "Waar was je?" in done.stdout and "We stoppen even" in done.stdout


def test_a_rerun_of_the_same_script_changes_nothing(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    lines = full_script("praktijkles")
    run_script(tmp_path, lines, cli_env)
    again = run_script(tmp_path, lines, cli_env)
    assert [m["state"] for m in again] == ["klaar"]  # only "where you are" is shown


def test_mentor_commands_work_in_the_console(
    tmp_path: Path, engine: Engine, cli_env: dict[str, str], now
) -> None:  # type: ignore[no-untyped-def]
    from bot.turns import Identity, process_turn
    from flows.events import Bericht, Commando, Knop
    from storage import schools

    with transaction(engine) as session:
        school = schools.create_school(session, "De Brug", now)
        mentor = schools.create_mentor(session, school, "Meneer Bos", now)
        klas = schools.create_class(session, school, mentor, "2C", now)
        code = schools.create_code(session, "klas", school, now, class_id=klas)[1]
    who = Identity("telegram", "77", "")
    for event in (Commando("start", now, code), Knop("t:nl", 0, now), Bericht("Ilse", now),
                  Knop("!akkoord", 0, now)):  # fmt: skip
        process_turn(engine, who, event)
    with transaction(engine) as session:
        sid = reflecties.student_of_chat(session, "telegram", "77")
    script = tmp_path / "mentor.txt"
    script.write_text(f"/leerlingen\n/samenvatting {sid}\n/samenvatting 9999\n", encoding="utf-8")
    done = lobbot(
        "chat",
        "--role",
        "mentor",
        "--mentor",
        str(mentor),
        "--user",
        "bos",
        "--script",
        str(script),
        env=cli_env,
    )
    assert done.returncode == 0, done.stderr
    assert "Ilse (2C)" in done.stdout and "Voor het gesprek met Ilse" in done.stdout
    assert "lobbot-grafiek-" in done.stdout  # the chart, saved as a PNG file
    assert "niet in jouw klassen" in done.stdout
