"""Reading what a student typed: cleaning, short answers, "weet ik niet", ratings and dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.invoer import datum, is_kort, schaal, schoon, weet_niet, zonder_inhoud

# --- schoon ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  hallo  ", "hallo"),
        ("ik   hielp\tmee", "ik hielp mee"),
        ("regel een\n\n\nregel twee", "regel een\nregel twee"),
        ("regel een\r\nregel twee", "regel een\nregel twee"),
        ("regel een\rregel twee", "regel een\nregel twee"),  # old Mac line ends: not glued
        ("a\x00b\x07c", "abc"),
        ("\x1b[31mrood\x1b[0m", "[31mrood[0m"),
        ("\x00\x01\x02\x7f\x85", ""),
        ("", ""),
        (" \n\t \n ", ""),
        ("\u200b", ""),  # a zero-width space alone is nothing
        ("\ufeff\u200b\u200f\n\u200e", ""),
        ("cafe\u0301", "café"),  # NFC: one é, as typed on another keyboard
        ("ik \ud800 ook", "ik ook"),  # a lone surrogate
        ("priv\ue000é", "privé"),  # private use
        ("😀 👍", "😀 👍"),
        ("🤷\u200d♀️", "🤷\u200d♀️"),  # the joiner inside an emoji stays
        ("مرحبا  بك", "مرحبا بك"),
        ("我 在 面包店", "我 在 面包店"),
    ],
)
def test_schoon(raw: str, clean: str) -> None:
    assert schoon(raw) == clean


@given(st.text(st.characters(exclude_categories=())))
def test_schoon_leaves_no_control_characters_and_is_idempotent(raw: str) -> None:
    clean = schoon(raw)
    odd = [
        ch for ch in clean if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
    ]
    assert odd == []
    assert "\t" not in clean and "  " not in clean and "\n\n" not in clean
    assert clean == clean.strip()
    assert schoon(clean) == clean


# --- zonder_inhoud and is_kort --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "😀", "👍👍", "...", "?!", "🤷\u200d♀️", "❤️ 🔥"])
def test_zonder_inhoud(text: str) -> None:
    assert zonder_inhoud(text)


@pytest.mark.parametrize("text", ["a", "3", "ja", "中", "مرحبا", "😀 top"])
def test_met_inhoud(text: str) -> None:
    assert not zonder_inhoud(text)


KORT = ["ja", "Ja.", "ok", "oké", "leuk", "LEUK!", "niet leuk", "nee, niks", "gwn", "idk", "?"]
KORT += ["😀", "", "ja hoor", "was fijn", "k"]


@pytest.mark.parametrize("text", KORT)
def test_is_kort(text: str) -> None:
    assert is_kort(text)


@pytest.mark.parametrize(
    "text",
    [
        "ik hielp klanten",
        "ik hielp bij de kassa",
        "vakken vullen",  # two words, but 13 characters: an answer
        "timmeren en zagen",
        "supercalifragilistisch",
        "Ik vond het leuk omdat ik met mijn handen werkte.",
    ],
)
def test_niet_kort(text: str) -> None:
    assert not is_kort(text)


# --- weet_niet ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "weet ik niet",
        "Weet ik niet.",
        "WEET IK NIET",
        "weet ik echt niet",
        "ik weet het niet",
        "ik weet niet",
        "ik weet het echt niet",
        "weet ik nie",
        "weet nt",
        "wist ik niet",
        "weetniet",
        "wt nt",
        "geen idee",
        "Geen idee!",
        "gn idee",
        "geen flauw idee",
        "idk",
        "IDK lol",
        "🤷",
        "🤷\u200d♂️",
        "i don't know",
        "i dont know",
        "dunno",
        "  weet ik niet  ",
        "weet ik niet hoor",
        "geen idee eigenlijk sorry",
        "ik weet het niet zo goed",
    ],
)
def test_weet_niet(text: str) -> None:
    assert weet_niet(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ja",
        "ik weet wat ik wil",
        "ik weet het wel",
        "niet leuk",
        "ik wist niet dat bakken zo leuk was",
        "ik weet niet meer hoe het heette maar ik hielp bij de kassa",  # an answer after all
        "weet ik niet precies, ik ruimde vakken in en hielp klanten",
        "mijn broer weet het niet",
        "idkfa",
        "geen ideeën meer over",  # not "geen idee" followed by a word boundary
    ],
)
def test_niet_weet_niet(text: str) -> None:
    assert not weet_niet(text)


# --- schaal ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cijfer"),
    [
        ("1", 1),
        ("5", 5),
        (" 3 ", 3),
        ("een", 1),
        ("één", 1),
        ("Drie", 3),
        ("vijf", 5),
        ("😣", 1),
        ("🙁", 2),
        ("😐", 3),
        ("🙂", 4),
        ("😄", 5),
        ("٣", 3),  # an Arabic-Indic three is still a three
    ],
)
def test_schaal(text: str, cijfer: int) -> None:
    assert schaal(text) == cijfer


@pytest.mark.parametrize(
    "text",
    ["", "0", "6", "10", "-1", "3.5", "3/5", "zes", "drie!", "🙂🙂", "³", "²", "Ⅲ", "heel goed"],
)
def test_geen_schaal(text: str) -> None:
    assert schaal(text) is None


@given(st.text(st.characters(exclude_categories=()), max_size=6))
def test_schaal_never_fails(text: str) -> None:
    assert schaal(text) in (None, 1, 2, 3, 4, 5)


# --- datum ----------------------------------------------------------------------------------------

MAANDAG = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vandaag", date(2026, 11, 23)),
        ("morgen", date(2026, 11, 24)),
        ("Overmorgen", date(2026, 11, 25)),
        ("deze week", date(2026, 11, 27)),  # Friday
        ("volgende week", date(2026, 11, 30)),  # next Monday
        ("VOLGENDE   WEEK", date(2026, 11, 30)),
        ("deze maand", date(2026, 11, 30)),
        ("eind van de maand", date(2026, 11, 30)),
        ("vrijdag", date(2026, 11, 27)),
        ("a.s. vrijdag", date(2026, 11, 27)),
        ("aanstaande vrijdag", date(2026, 11, 27)),
        ("volgende vrijdag", date(2026, 12, 4)),
        ("maandag", date(2026, 11, 30)),  # today's weekday means next week's
        ("zondag", date(2026, 11, 29)),
        ("over 2 dagen", date(2026, 11, 25)),
        ("over een week", date(2026, 11, 30)),
        ("over drie weken", date(2026, 12, 14)),
        ("12-12", date(2026, 12, 12)),
        ("12/12", date(2026, 12, 12)),
        ("12.12", date(2026, 12, 12)),
        ("12 12", date(2026, 12, 12)),
        ("23-11", date(2026, 11, 23)),  # today
        ("22-11", date(2027, 11, 22)),  # yesterday: next year's
        ("1-1", date(2027, 1, 1)),  # year wrap
        ("12-12-2027", date(2027, 12, 12)),
        ("12-12-27", date(2027, 12, 12)),
        ("3 maart", date(2027, 3, 3)),
        ("3 mrt", date(2027, 3, 3)),
        ("15 december", date(2026, 12, 15)),
        ("15 dec.", date(2026, 12, 15)),
        ("1 oct", date(2027, 10, 1)),
        ("3 maart 2028", date(2028, 3, 3)),
    ],
)
def test_datum(text: str, expected: date) -> None:
    assert datum(text, MAANDAG) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ooit",
        "morgenochtend",
        "misschien morgen",
        "31-02",  # no such day
        "30-2",
        "31-04",
        "31 april",
        "29-2",  # 2027 has no 29 February
        "29-02-2027",
        "13-13",
        "0-5",
        "5-0",
        "00-00",
        "12-12-123",  # a typo, not the year 123
        "12-12-20271",
        "3 xyz",
        "3 maart 0000",
        "over 100 dagen",
        "over zes weken",
        "²-3",
    ],
)
def test_geen_datum(text: str) -> None:
    assert datum(text, MAANDAG) is None


@pytest.mark.parametrize(
    ("vandaag", "text", "expected"),
    [
        (date(2026, 12, 31), "morgen", date(2027, 1, 1)),
        (date(2026, 12, 25), "over 2 weken", date(2027, 1, 8)),
        (date(2026, 12, 15), "deze maand", date(2026, 12, 31)),
        (date(2026, 12, 27), "volgende week", date(2026, 12, 28)),  # a Sunday
        (date(2026, 12, 28), "volgende week", date(2027, 1, 4)),
        (date(2026, 12, 31), "vrijdag", date(2027, 1, 1)),
        (date(2026, 12, 31), "1-1", date(2027, 1, 1)),
        (date(2026, 12, 31), "31-12", date(2026, 12, 31)),
        (date(2026, 12, 31), "30-12", date(2027, 12, 30)),
        (date(2026, 12, 31), "2 jan", date(2027, 1, 2)),
        (date(2027, 2, 1), "29-2", date(2028, 2, 29)),  # no 29-2 in 2027: the leap year's
        (date(2027, 3, 1), "29-2", date(2028, 2, 29)),
        (date(2028, 2, 1), "29-2", date(2028, 2, 29)),
        (date(2028, 3, 1), "29-2", None),  # the next one is four years away
        (date(2028, 2, 29), "deze maand", date(2028, 2, 29)),
        (date(2027, 2, 10), "eind van de maand", date(2027, 2, 28)),
        (date(2026, 11, 27), "vrijdag", date(2026, 12, 4)),  # on a Friday: next Friday
        (date(2026, 11, 27), "deze week", date(2026, 11, 27)),
        (date(2026, 11, 28), "volgende week", date(2026, 11, 30)),  # a Saturday
    ],
)
def test_datum_from_other_days(vandaag: date, text: str, expected: date | None) -> None:
    assert datum(text, vandaag) == expected


@given(st.text(max_size=20), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_datum_never_fails_and_only_a_written_year_lies_in_the_past(text: str, vandaag: date):
    result = datum(text, vandaag)
    assert result is None or isinstance(result, date)
    if result is not None and not re.search(r"\d\d$", text.strip()):
        assert result >= vandaag


@given(
    st.integers(min_value=0, max_value=32),
    st.integers(min_value=0, max_value=13),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
)
def test_a_day_and_month_is_the_first_such_day_from_today(dag: int, maand: int, vandaag: date):
    eind = date(vandaag.year + 1, 12, 31)  # this year or the next, never further
    dagen = (vandaag + timedelta(days=n) for n in range((eind - vandaag).days + 1))
    expected = next((d for d in dagen if (d.day, d.month) == (dag, maand)), None)
    assert datum(f"{dag}-{maand}", vandaag) == expected
