"""Competency tagging: matching words, contentless answers, the question's aim, held-out floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation import evaluate
from flows import bank, leermodel, tagging
from flows.bank import Competentie

DATA = Path(__file__).parents[1] / "data"
ALLE = [c.value for c in Competentie]


def _matches(entry: str, text: str) -> bool:
    """Does this lexicon entry (as a teacher would write it) occur in the answer?"""
    lexicon = tagging._lexicon("nl")
    atoms = tuple(tagging._atom(t, lexicon.normalise, {}) for t in tagging._tokens(entry))
    words = [lexicon.normalise(w) for w in tagging._words(text)]
    parts = tagging._parts(text)
    for start in range(len(words)):
        end = tagging._match(atoms, 0, words, start)
        if end is not None and parts[start] == parts[end - 1]:
            return True
    return False


def _competencies(text: str, aims: list[str] | tuple[str, ...] = ()) -> set[str]:
    return {t.competency for t in tagging.tag(text, "nl", aims)}


# --- matching words -------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["helpen", "geholpen", "hielp", "helpt", "help", "hielpen"])
def test_forms_of_a_verb_match_its_base_form(form: str) -> None:
    assert _matches("helpen", f"ik {form} de klant")


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        ("klant", "de klanten waren aardig"),  # plural
        ("klant", "een klantn geholpen"),  # typo: a letter too many
        ("klant", "een kalnt geholpen"),  # typo: two letters swapped
        ("collega", "met de colega's"),  # typo in a plural
        ("kat", "veel katten"),  # a short word of the lexicon still finds its plural
        ("werk", "ik werkte hard"),
    ],
)
def test_inflections_and_typos_match(entry: str, text: str) -> None:
    assert _matches(entry, text)


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        ("tillen", "ik wil willen"),  # a real word is no typo of another
        ("genieten", "ik weet het niet"),  # the stemmer cuts "genieten" to "niet"
        ("liefst", "ze was lief"),  # short stems join strangers
        ("klant", "de kant op"),  # words under five letters get no typo
    ],
)
def test_strangers_do_not_match(entry: str, text: str) -> None:
    assert not _matches(entry, text)


@pytest.mark.parametrize(
    ("entry", "text", "found"),
    [
        ("ik =ga", "ik ga bellen", True),
        ("ik =ga", "ik ging mee", False),  # "=" holds the exact form
        ("zeggen dat", "hij zei dat", True),  # a verb in its base form finds all its forms
        ("=zegt dat", "hij zei dat", False),
        ("moeder ... zegt", "mijn moeder werkt hard en zegt", True),
        ("moeder ... zegt", "mijn moeder werkt daar al heel lang en zegt", False),  # too far apart
        ("goed in", "ik ben goed in rekenen", True),
        ("goed in", "het ging goed, in de winkel", False),  # a phrase never crosses a comma
        ("wil ik", "in de zorg wil. ik kan niet", False),  # nor the end of a sentence
        ("*bedrijf", "bij een schildersbedrijf", True),
        ("*bedrijf", "bij het bedrijf", True),
        ("stage*", "mijn stagebegeleider", True),
        ("om # uur", "we begonnen om 6 uur", True),
        ("om # uur", "we begonnen om zes uur", False),
        ("ik * graag", "ik werk graag buiten", True),
        ("'s nachts", "soms 's nachts", True),
    ],
)
def test_phrases(entry: str, text: str, found: bool) -> None:
    assert _matches(entry, text) is found


# --- contentless answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ja", "ok", "nee", "weet ik niet", "geen idee", "idk", "👍", "😂😂", "...", "leuk",
        "goed", "saai", "niks", "ja leuk", "ja hoor", "alles wel", "ik vond het echt leuk",
        "past wel", "later", "ooit", "weet nog niet", "mwah weet niet", "geen", "lol", "  ",
        "",
    ],
)  # fmt: skip
def test_contentless_answers_claim_nothing(text: str) -> None:
    assert tagging.zonder_inhoud(text)
    assert tagging.tag(text, "nl", ALLE) == []


@pytest.mark.parametrize(
    "text", ["bij de supermarkt", "bij de jumbo", "gewoon helpen", "ze zeiden niet zoveel"]
)
def test_naming_a_place_or_a_vague_remark_claims_nothing(text: str) -> None:
    assert tagging.tag(text, "nl", ALLE) == []


# --- the question's aim ---------------------------------------------------------------------------


def test_the_aim_never_claims_alone() -> None:
    text = "de zon scheen en de vogels floten"
    assert not tagging.zonder_inhoud(text)
    assert tagging.tag(text, "nl") == []
    assert tagging.tag(text, "nl", ALLE) == []


def test_every_claimed_tag_rests_on_words() -> None:
    for line in (DATA / "tagging_nl_dev.jsonl").read_text("utf-8").splitlines():
        for tag in tagging.tag(json.loads(line)["text"], "nl", ALLE):
            assert tag.evidence
            # without ``toont``, only words claim: the lexicon's or those the model weighed
            assert tag.sources.get("woorden", 0) > 0 or tag.sources.get("model", 0) > 0
            assert tag.confidence >= tagging.CLAIM


def test_the_aim_strengthens_a_tag_and_is_recorded() -> None:
    text = "ik ben heel geduldig"
    without = {t.competency: t for t in tagging.tag(text, "nl")}
    aimed = {t.competency: t for t in tagging.tag(text, "nl", ["kwaliteiten"])}
    assert "kwaliteiten" in without
    assert aimed["kwaliteiten"].confidence >= without["kwaliteiten"].confidence
    assert aimed["kwaliteiten"].sources["vraag"] == tagging.VRAAG
    assert "vraag" not in without["kwaliteiten"].sources
    assert aimed["kwaliteiten"].sources["woorden"] == without["kwaliteiten"].sources["woorden"]


def test_a_weak_word_needs_the_aim() -> None:
    assert "kwaliteiten" not in _competencies("heel geduldig")
    tags = tagging.tag("heel geduldig", "nl", ["kwaliteiten"])
    assert [t.competency for t in tags] == ["kwaliteiten"]
    assert tags[0].evidence == ("geduldig",)
    assert set(tags[0].sources) == {"woorden", "vraag"}


def test_a_question_asked_straight_out_is_shown_by_any_answer_with_content() -> None:
    """What a student names when asked what they liked is a motive, in whatever words."""
    leuk = bank.VRAAG["leuk"]
    assert leuk.toont is Competentie.MOTIEVEN
    text = "deeg kneden en die geur van brood"
    assert "motieven" not in _competencies(text, ["motieven"])  # no lexicon entry in it
    tags = {t.competency: t for t in tagging.tag(text, "nl", ["motieven"], "motieven")}
    assert tags["motieven"].sources == {"vraag": tagging.CLAIM + tagging.VRAAG}
    assert tags["motieven"].evidence == ("deeg kneden en die geur van brood",)
    for contentless in ("was allemaal leuk", "nee niks egt", "idkk", "alles eigenlijk wel"):
        assert tagging.tag(contentless, "nl", ["motieven"], "motieven") == [], contentless
    assert tagging.tag("de pauze", "nl", ["motieven"], "motieven") == []  # too short to say
    assert [q.key for q in bank.VRAAG.values() if q.toont] == ["leuk"]


# --- the label rules of tests/data/README.md ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "aims", "has", "has_not"),
    [
        ("ik wil later iets met dieren", ["loopbaansturing"], "motieven", "loopbaansturing"),
        ("volgend jaar ga ik naar de open dag", [], "loopbaansturing", "motieven"),
        ("de baas zei dat ik netjes werk", ["kwaliteiten"], "kwaliteiten", "verwachtingen"),
        ("ik moest vakken vullen", ["werkexploratie"], "werkexploratie", "kwaliteiten"),
        ("mijn ouders willen dat ik naar de havo ga", [], "verwachtingen", "loopbaansturing"),
        ("mijn moeder zegt dat ze trots op me is", [], "verwachtingen", "kwaliteiten"),
        ("de reis kost veel geld", ["verwachtingen"], "verwachtingen", "motieven"),
        ("ik ben niet bang voor paarden", [], "kwaliteiten", "verwachtingen"),
        ("saai vond ik het stilzitten", ["motieven"], "motieven", "kwaliteiten"),
        ("ik ken niemand in de bouw", [], "netwerken", "verwachtingen"),
    ],
)
def test_label_rules(text: str, aims: list[str], has: str, has_not: str) -> None:
    found = _competencies(text, aims)
    assert has in found
    assert has_not not in found


# --- the lexicon and speed ------------------------------------------------------------------------


def test_languages_and_an_unknown_one() -> None:
    assert set(tagging.languages()) == {"nl", "en", "tr", "pl", "uk", "ar", "ti", "bg", "so", "fa"}
    with pytest.raises(LookupError):
        tagging.tag("ik hielp de klant", "xx")


@pytest.mark.parametrize("lang", tagging.languages())
def test_every_competency_has_a_lexicon_section(lang: str) -> None:
    lexicon = tagging._lexicon(lang)
    for competency in Competentie:
        strengths = {e.strength for e in lexicon.entries if e.competency == competency.value}
        assert {"woorden", "zwak"} <= strengths


def test_a_lexicon_spelling_joins_the_ways_one_word_is_typed() -> None:
    spelling = tagging._Spelling.of({"gelijk": {"ي": "ی", "ك": "ک", "\u200c": ""}, "vast": ["می"]})
    wanted = "میخوام کار کنم"
    for typed in ("میخوام کار کنم", "می\u200cخوام کار کنم", "می خوام کار کنم", "ميخوام كار كنم"):
        assert spelling(typed) == wanted
    assert spelling("می") == "می"  # alone, at the end: nothing to join
    with pytest.raises(ValueError):
        tagging._Spelling.of({"gelijk": {"ab": "c"}})


def test_geez_syllables_can_be_compared_by_their_consonant() -> None:
    spelling = tagging._Spelling.of({"medeklinkers": "geez"})
    forms = {"ሰርሐ", "ሰሪሐ", "ሰሪሑ"}  # worked: he, (she/he, gerund), they
    assert {spelling(form) for form in forms} == {"ስርሕ"}
    assert spelling("ይሰርሕ ። stage") == "ይስርሕ ። stage"  # punctuation and Latin stay


def test_ethiopic_punctuation_ends_a_phrase() -> None:
    assert tagging._parts("ሓጋዚ እየ። ስራሕ") == [0, 0, 1]


# --- Dutch ----------------------------------------------------------------------------------------

# The lexicon alone, on tests/data/tagging_nl_blind4.jsonl: written by someone who had seen neither
# the lexicon nor the other Dutch sets, and measured once before any change: micro-F1 0.781
# (precision 0.799, recall 0.764); F1 kwaliteiten 0.726, motieven 0.825, werkexploratie 0.713,
# loopbaansturing 0.846, netwerken 0.787, verwachtingen 0.845; 6 of 41 contentless lines tagged.
# Only what those six lines showed was then changed: 0.788, none tagged. The floors sit a little
# below (micro -0.01, per competency -0.03, rounded down), so a real drop of the lexicon fails.
LEXICON_BLIND_MICRO_FLOOR = 0.77
LEXICON_BLIND_F1_FLOOR = {
    "kwaliteiten": 0.69,
    "motieven": 0.80,
    "werkexploratie": 0.69,
    "loopbaansturing": 0.81,
    "netwerken": 0.76,
    "verwachtingen": 0.81,
}
# The earlier blind sets, each measured once when it was new (the first 0.754, the second 0.790,
# the third 0.781), on the lexicon alone now: the first was never tuned on (0.774); the second
# and third became tuning data once the next one was written (0.853 and 0.831).
LEXICON_EARLIER_FLOORS = {
    "tagging_nl_blind.jsonl": 0.76,
    "tagging_nl_blind2.jsonl": 0.84,
    "tagging_nl_blind3.jsonl": 0.82,
}
# The first set's two halves were the lexicon's first tuning data (0.955 and 0.954).
TUNED_MICRO_FLOOR = 0.93
# Lexicon and learned model together (flows/leermodel.py): the model learned from all nine sets
# below (0.97 to 0.99 on them, no contentless line tagged). How it does on answers it never saw is
# tested in tests/bot/test_training.py (the fourth set left out) and on the newest blind sets.
TRAINED_SETS = (
    "tagging_nl_dev.jsonl",
    "tagging_nl.jsonl",
    "tagging_nl_blind.jsonl",
    "tagging_nl_blind2.jsonl",
    "tagging_nl_blind3.jsonl",
    "tagging_nl_blind4.jsonl",
    "tagging_nl_blind5.jsonl",
    "tagging_nl_blind6.jsonl",
    "tagging_nl_blind7.jsonl",
)
# The Dutch figures to quote are the blind sets', each written by someone who had seen neither the
# lexicons, the model nor any other set, and measured once when it was new (tests/data/README.md):
# with a model learned from seven sets, the sixth 0.851 and the seventh 0.841; with the model
# learned from all nine above, the ninth 0.841 (precision 0.833, recall 0.849), with 6 of 41
# contentless lines tagged, four by the lexicon alone. Only those four were fixed afterwards:
# 0.846, two contentless lines still tagged, by the model ("de nagels die ik heb gedaan", "lol met
# mn klasgenoten in de bus erheen"). The floors sit a little below (micro -0.01, per competency
# -0.03, rounded down); the contentless lines tagged may not grow.
BLIND_FLOORS = {
    "tagging_nl_blind9.jsonl": (
        0.83,
        {"kwaliteiten": 0.79, "motieven": 0.83, "werkexploratie": 0.77, "loopbaansturing": 0.83,
         "netwerken": 0.82, "verwachtingen": 0.85},
        2,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BLIND_FLOORS))
def test_the_blind_sets(name: str) -> None:
    micro_floor, floors, contentless = BLIND_FLOORS[name]
    result = evaluate(DATA / name)
    nl = result["languages"]["nl"]
    assert nl["micro"]["f1"] >= micro_floor
    for competency, floor in floors.items():
        assert nl["per_competency"][competency]["f1"] >= floor, competency
    assert result["without_tags"]["claimed_anyway"] <= contentless


@pytest.fixture
def lexicon_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leermodel, "voor", lambda lang: None)


@pytest.mark.usefixtures("lexicon_alone")
def test_the_lexicon_alone_on_its_blind_set() -> None:
    nl = evaluate(DATA / "tagging_nl_blind4.jsonl")["languages"]["nl"]
    assert nl["micro"]["f1"] >= LEXICON_BLIND_MICRO_FLOOR
    for competency, floor in LEXICON_BLIND_F1_FLOOR.items():
        assert nl["per_competency"][competency]["f1"] >= floor, competency


@pytest.mark.usefixtures("lexicon_alone")
@pytest.mark.parametrize("name", sorted(LEXICON_EARLIER_FLOORS))
def test_the_lexicon_alone_on_the_earlier_blind_sets(name: str) -> None:
    result = evaluate(DATA / name)
    assert result["languages"]["nl"]["micro"]["f1"] >= LEXICON_EARLIER_FLOORS[name]
    assert result["without_tags"]["claimed_anyway"] == 0


@pytest.mark.usefixtures("lexicon_alone")
@pytest.mark.parametrize("name", ["tagging_nl_dev.jsonl", "tagging_nl.jsonl"])
def test_what_the_lexicon_was_tuned_on_still_works(name: str) -> None:
    result = evaluate(DATA / name)
    assert result["languages"]["nl"]["micro"]["f1"] >= TUNED_MICRO_FLOOR
    assert result["without_tags"]["claimed_anyway"] == 0


@pytest.mark.parametrize("name", TRAINED_SETS)
def test_what_the_model_learned_from_still_works(name: str) -> None:
    result = evaluate(DATA / name)
    assert result["languages"]["nl"]["micro"]["f1"] >= TUNED_MICRO_FLOOR
    assert result["without_tags"]["claimed_anyway"] == 0


# The other languages, each measured on a set its lexicon was not tuned on (tests/data/README.md):
# micro-F1 and how many contentless lines still got a tag. The floors sit a little below what was
# measured (micro −0.01, rounded down), so a real drop fails.
OTHER_LANGUAGES = {
    # language: (the measuring set, micro-F1 measured, floor, contentless lines tagged)
    "ar": ("tagging_ar.jsonl", 0.767, 0.75, 0),
    "bg": ("tagging_bg.jsonl", 0.737, 0.72, 0),
    "en": ("tagging_en.jsonl", 0.857, 0.84, 0),
    "fa": ("tagging_fa_blind.jsonl", 0.758, 0.74, 0),
    "pl": ("tagging_pl.jsonl", 0.850, 0.84, 0),
    "so": ("tagging_so.jsonl", 0.790, 0.78, 0),
    "ti": ("tagging_ti_blind.jsonl", 0.744, 0.73, 0),
    "tr": ("tagging_tr.jsonl", 0.866, 0.85, 0),
    "uk": ("tagging_uk.jsonl", 0.805, 0.79, 0),
}
# Six contentless lines were still tagged on these sets (Arabic 2, Persian 2, Tigrinya 1,
# Turkish 1: "ولا شي جديد", "bişey yapmadık", a bare dislike, ...). Only those were then fixed,
# with ``niet`` phrases and, for Tigrinya, words without content: none is tagged now, and the
# scores went up a little (ar 0.772, fa 0.761, ti 0.745, tr 0.869). The floors stay below the
# figures measured before that fix.
# Measured again after "Wat vond je leuk?" came to show motives in any words (``Vraag.toont``,
# chosen on Dutch sets): every language scored the same or higher (before: ar 0.759, bg 0.734,
# en 0.842, fa 0.749, pl 0.843, so 0.778, ti 0.737, tr 0.866, uk 0.790), with no contentless
# line newly tagged. None of these sets was tuned on since.
# Tigrinya and Persian were then tuned on both halves of their first set (now 0.944 and 0.940 on
# the held-out half, no contentless line tagged): that must keep working.
TUNED_ON_BOTH = ("ti", "fa")


@pytest.mark.parametrize("lang", sorted(OTHER_LANGUAGES))
def test_scores_of_the_other_languages(lang: str) -> None:
    name, _measured, floor, claimed = OTHER_LANGUAGES[lang]
    result = evaluate(DATA / name)
    assert result["languages"][lang]["micro"]["f1"] >= floor
    assert result["without_tags"]["claimed_anyway"] <= claimed


@pytest.mark.parametrize("lang", TUNED_ON_BOTH)
def test_what_the_other_lexicons_were_tuned_on_still_works(lang: str) -> None:
    for name in (f"tagging_{lang}_dev.jsonl", f"tagging_{lang}.jsonl"):
        result = evaluate(DATA / name)
        assert result["languages"][lang]["micro"]["f1"] >= TUNED_MICRO_FLOOR, name
        assert result["without_tags"]["claimed_anyway"] == 0, name
