"""The learned model: its file, its features, and how its probabilities join the lexicon's."""

from __future__ import annotations

import math

import pytest

from flows import leermodel, tagging

# A model small enough to reason about: "klant" pleads for werkexploratie, "bakken" for motieven.
KLEIN = """\
# a comment line
#kenmerk\tidf\tkwaliteiten\tmotieven\twerkexploratie\tloopbaansturing\tnetwerken\tverwachtingen
(bias)\t0\t-3\t-3\t-3\t-3\t-3\t-3
w:klant\t2.0\t0\t0\t8\t0\t0\t0
w:bakken\t2.0\t0\t6\t0\t0\t0\t0
w:taak\t2.0\t0\t0\t8\t0\t0\t0
q:leuk\t0\t0\t1\t0\t0\t0\t0
"""


@pytest.fixture
def klein(monkeypatch: pytest.MonkeyPatch) -> leermodel.Leermodel:
    model = leermodel.lees(KLEIN.splitlines())
    monkeypatch.setattr(leermodel, "voor", lambda lang: model if lang == "nl" else None)
    return model


def test_features_are_lemmas_stems_and_pairs() -> None:
    found = leermodel.kenmerken(tagging.woorden("ik hielp de klanten", "nl"))
    assert {"w:helpen", "w:klant", "b:helpen de", "b:de klant"} <= set(found)
    assert found["w:klant"] == 3  # the position of the word that shows it
    assert found["b:ik helpen"] == 0


def test_probabilities_follow_the_weights(klein: leermodel.Leermodel) -> None:
    kansen = klein.kansen(tagging.woorden("klant", "nl"))
    # one known feature, scaled to length one: z = -3 + 8
    assert kansen.kans["werkexploratie"] == pytest.approx(1 / (1 + math.exp(-5)))
    assert kansen.woorden("werkexploratie") == (0,)
    assert kansen.kans["motieven"] == pytest.approx(1 / (1 + math.exp(3)))
    assert kansen.woorden("motieven") == ()
    # two known features share the length: each counts 1/sqrt(2)
    two = klein.kansen(tagging.woorden("klant bakken", "nl"))
    assert two.kans["werkexploratie"] == pytest.approx(1 / (1 + math.exp(3 - 8 / math.sqrt(2))))
    assert two.woorden("motieven") == (1,)
    # the question is one more feature, not scaled
    leuk = klein.kansen(tagging.woorden("klant", "nl"), "leuk")
    assert leuk.kans["motieven"] == pytest.approx(1 / (1 + math.exp(2)))


def test_a_broken_model_file_is_refused() -> None:
    with pytest.raises(ValueError, match="six"):
        leermodel.lees(["w:klant\t1.0\t1\t2"])
    with pytest.raises(ValueError, match="bias"):
        leermodel.lees(["w:klant\t1.0\t1\t2\t3\t4\t5\t6"])


def test_the_model_claims_on_the_students_own_words(klein: leermodel.Leermodel) -> None:
    text = "die ene klant lachte heel hard om mijn grap"
    assert "werkexploratie" not in {t.competency for t in _lexicon_alone(text)}
    tags = {t.competency: t for t in tagging.tag(text, "nl")}
    assert tags["werkexploratie"].evidence == ("klant",)
    assert tags["werkexploratie"].sources == {"model": pytest.approx(0.99, abs=0.01)}
    # the lexicon's share and the model's are weighed together
    expected = (1 - tagging.LEXICON_DEEL) * tags["werkexploratie"].sources["model"]
    assert tags["werkexploratie"].confidence == pytest.approx(expected, abs=0.01)


def test_a_short_answer_is_the_lexicons_alone(klein: leermodel.Leermodel) -> None:
    """A bare place ("bij de klant") is no evidence, however often such places were tagged."""
    assert tagging.tag("bij de klant", "nl") == _lexicon_alone("bij de klant")


def test_the_model_never_claims_without_a_word_for_it(klein: leermodel.Leermodel) -> None:
    # only the question pleads for motieven here; none of the student's words does
    text = "de zon scheen en de vogels floten"
    assert all(t.competency != "motieven" for t in tagging.tag(text, "nl", vraag="leuk"))


def test_a_niet_phrase_of_the_lexicon_holds_for_the_model(klein: leermodel.Leermodel) -> None:
    """ "geen idee wat ... taak" is a ``niet`` phrase of werkexploratie: its words show nothing,
    however much the model makes of "taak"."""
    text = "ik had geen idee wat mijn taak daar zou zijn"
    kansen = klein.kansen(tagging.woorden(text, "nl"))
    assert kansen.kans["werkexploratie"] > 0.9  # enough to claim alone
    assert all(t.competency != "werkexploratie" for t in tagging.tag(text, "nl"))
    assert "werkexploratie" in {
        t.competency for t in tagging.tag("mijn taak daar zou elke ochtend anders zijn", "nl")
    }


def test_a_language_without_a_model_is_tagged_by_its_lexicon() -> None:
    assert leermodel.voor("en") is None
    assert leermodel.voor("nl") is not None


def _lexicon_alone(text: str) -> list[tagging.Tag]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(leermodel, "voor", lambda lang: None)
        return tagging.tag(text, "nl")


@pytest.mark.parametrize(
    ("sterkst", "frase"),
    [
        ([2], "klant"),
        ([4, 2], "klant lachte om"),  # from the first to the last, in the student's order
        ([0, 12], "die"),  # too far apart to read back as one phrase: the strongest alone
    ],
)
def test_the_evidence_is_the_students_own_phrase(sterkst: list[int], frase: str) -> None:
    forms = "die ene klant lachte om mijn grap en toen moest ik zelf ook echt heel hard lachen"
    assert tagging._frase(forms.split(), sterkst) == frase


def test_a_lone_vaag_word_gives_the_model_nothing_to_lean_on() -> None:
    """ "supermarkt" is ``vaag`` for werkexploratie: alone it is no evidence, with the model
    either; beside a second word of the competency it counts."""
    lexicon = tagging._lexicon("nl")

    def lexicon_tags(text: str) -> dict[str, tagging.Tag]:
        forms = tagging._words(text)
        words = [lexicon.normalise(w) for w in forms]
        aims = {"werkexploratie"}
        return tagging._uit_lexicon(lexicon, forms, words, tagging._parts(text), aims)[0]

    assert "werkexploratie" not in lexicon_tags("ik was bij de supermarkt")
    assert "werkexploratie" in lexicon_tags("supermarkt, ik stond op de afdeling groente")
