"""The translations: every catalog complete and consistent with the code, and the checks able
to fail (a deliberately broken catalog); right-to-left and bilingual rendering."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n_check import check_all, check_catalog, extract
from bot.telegram import render
from flows.replies import Button, Reply
from flows.text import _, verbatim

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = {"nl", "en", "ar", "uk", "ti", "tr", "pl", "bg", "so", "fa"}


def test_every_language_has_a_catalog() -> None:
    assert set(i18n.available()) == LANGUAGES


def test_every_catalog_is_complete_consistent_and_up_to_date() -> None:
    problems = check_all(ROOT)
    assert problems == [], "\n".join(problems[:20]) + f"\n… {len(problems)} problems"


def test_the_checks_catch_a_broken_catalog() -> None:
    problems = check_catalog(ROOT / "tests/locales/fixtures/broken.po")
    text = "\n".join(problems)
    assert "'Hoi {naam}!': placeholders ['imie'] ≠ ['naam']" in text
    assert "'Wat heb je gedaan?': not translated" in text
    assert "'Top gedaan!': fuzzy" in text
    assert "'{n} reflectie': 2 of 3 plural forms" in text
    assert "'Volgende stap': the Dutch copied over" in text
    assert "redenen" not in text  # layout only: the same in every language is fine
    assert len(problems) == 5


def test_a_catalog_behind_the_code_is_caught(tmp_path: Path) -> None:
    template = extract(ROOT)
    with (ROOT / "tests/locales/fixtures/broken.po").open("rb") as file:
        assert read_po(file)
    problems = check_catalog(ROOT / "tests/locales/fixtures/broken.po", template)
    assert any("missing" in p for p in problems) and any("obsolete" in p for p in problems)


def test_right_to_left_messages_start_rtl_and_isolate_inserted_values() -> None:
    text = _("Fijn, {naam}! Eerst even dit:", naam="Sam")
    rendered = i18n.tr(text, "ar")
    assert rendered.startswith(i18n.RLM)
    assert "\u2068Sam\u2069" in rendered
    assert not i18n.tr(text, "nl").startswith(i18n.RLM) and "\u2068" not in i18n.tr(text, "nl")
    assert i18n.tr(text, "fa").startswith(i18n.RLM)


def test_rtl_buttons_and_every_message_of_a_reply() -> None:
    reply = Reply((_("Wat heb je gedaan?"), verbatim("3B")), (Button(_("Ja 👍"), "ja"),))
    with i18n.language("ar", bilingual=False):
        (message,) = render.messages(reply)
    for line in message["text"].split("\n"):
        assert line.startswith(i18n.RLM)
    assert message["reply_markup"]["inline_keyboard"][0][0]["text"].startswith(i18n.RLM)


def test_bilingual_display_shows_the_dutch_underneath() -> None:
    reply = Reply((_("Wat heb je gedaan?"),), (Button(_("Ja 👍"), "ja"),))
    with i18n.language("uk"):
        (on,) = render.messages(reply)
    with i18n.language("uk", bilingual=False):
        (off,) = render.messages(reply)
    with i18n.language("nl"):
        (dutch,) = render.messages(reply)
    assert on["text"].endswith("<i>Wat heb je gedaan?</i>")
    assert not off["text"].endswith("<i>Wat heb je gedaan?</i>")
    assert on["text"].split("\n")[0] != "Wat heb je gedaan?"  # Ukrainian first
    assert dutch["text"] == "Wat heb je gedaan?"
    assert " · Ja 👍" in on["reply_markup"]["inline_keyboard"][0][0]["text"]
