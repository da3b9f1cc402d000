"""ISK: a full reflection in Arabic, Ukrainian and Tigrinya, in the console and in Telegram, with
right-to-left checks on every Arabic message and the Dutch underneath."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import i18n
from flows.talen import NAMEN
from tests.bot.scripts import full_script
from tests.bot.telegram.harness import Phone, class_code, running
from tests.standin import StandIn

pytestmark = pytest.mark.slow  # end to end: real processes and HTTP

LOBBOT = Path(sys.executable).with_name("lobbot")
LANGUAGES = ["ar", "uk", "ti"]
SCRIPTS = {"ar": "\u0600-\u06ff", "uk": "\u0400-\u04ff", "ti": "\u1200-\u137f"}


def _own_script(text: str, lang: str) -> bool:
    return re.search(f"[{SCRIPTS[lang]}]", text) is not None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_full_reflection_in_the_console(
    lang: str, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    script = tmp_path / "s.txt"
    script.write_text("\n".join(full_script("bliksemstage")) + "\n", encoding="utf-8")
    done = subprocess.run(
        [
            str(LOBBOT),
            "chat",
            "--lang",
            lang,
            "--user",
            f"isk-{lang}",
            "--script",
            str(script),
            "--json",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    messages = [json.loads(line) for line in done.stdout.splitlines()]
    assert messages[-1]["state"] == "klaar"
    for message in messages:
        assert _own_script(message["text"], lang), message["text"][:80]
        assert "🇳🇱" in message["text"]  # the Dutch underneath, on by default for ISK
        if lang in i18n.RTL:
            assert message["text"].startswith(i18n.RLM), message["text"][:40]


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_full_reflection_in_telegram(lang: str, engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    chat = 900 + LANGUAGES.index(lang)
    async with StandIn() as api, running(engine, api):
        phone = Phone(api, chat)
        await phone.join(code, "Amal", language=list(NAMEN).index(lang) + 1)
        for line in full_script("gastles")[1:]:
            found = api.last_keyboard(chat)
            if found and any(b["callback_data"].endswith("|t:nee") for b in found[1]):
                # they wrote Dutch, so lobbot offered Dutch once: "no thanks", stay in their own
                await phone.send(f"[{len(found[1])}]")
            await phone.send(line)
        messages = api.transcript(chat)
    assert api.rejected == []
    after_choice = messages[2:]  # from the first message in the chosen language on
    assert "Top" in phone.said() or _own_script(after_choice[-1]["text"], lang)
    for message in after_choice:
        text = message.get("text") or message.get("caption") or ""
        visible = re.sub(r"<[^>]+>", "", text)
        assert _own_script(visible, lang), visible[:80]
        if lang in i18n.RTL:
            assert visible.startswith(i18n.RLM), visible[:40]
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    assert button["text"].startswith(i18n.RLM) or not _own_script(
                        button["text"], lang
                    )


async def test_writing_another_language_offers_a_switch(engine: Engine, now) -> None:  # type: ignore[no-untyped-def]
    code = class_code(engine, now)
    async with StandIn() as api, running(engine, api):
        phone = Phone(api, 950)
        await phone.join(code, "Olena")  # chose Dutch
        await phone.send("[1]")
        await phone.send("bakkerij")
        await phone.send("Я допомагала клієнтам і пекла хліб разом з пекарем")

        def offered() -> list[str]:
            found = api.last_keyboard(950)
            return [b["text"] for b in found[1]] if found else []

        await api.wait_until(lambda: "Українська" in offered())
        labels = offered()
        assert "Українська" in labels
        await phone.send(f"[{labels.index('Українська') + 1}]")
        assert _own_script(api.texts(950)[-1], "uk")
        await phone.send("/taal")
        assert "Nederlands" in [b["text"] for b in api.last_keyboard(950)[1]]
