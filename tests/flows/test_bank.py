"""The question bank is well-formed data: the machine and the wording depend on it."""

from __future__ import annotations

from collections import Counter

from flows import bank
from flows.bank import ERVARINGEN, FASEN, VRAAG, Competentie, Vorm


def test_four_phases_in_order_each_with_a_few_questions() -> None:
    assert [f.key for f in FASEN] == ["terugkijken", "reflecteren", "vooruitkijken", "activeren"]
    for fase in FASEN:
        assert 2 <= len(fase.vragen) <= 5, fase.key


def test_keys_are_unique_and_usable_as_state_names() -> None:
    keys = [v.key for f in FASEN for v in f.vragen]
    assert len(keys) == len(set(keys))
    assert all(k.isalpha() and k.islower() for k in keys)  # "_" separates nested states


def test_every_experience_type_the_issue_names_exists() -> None:
    assert {e.key for e in ERVARINGEN} == {
        "bliksemstage",
        "bedrijfsbezoek",
        "gastles",
        "opendag",
        "meeloopdag",
        "praktijkles",
        "anders",
    }


def test_every_question_aims_at_competencies_and_is_short() -> None:
    for vraag in VRAAG.values():
        assert vraag.aims and all(isinstance(c, Competentie) for c in vraag.aims)
        for text in (vraag.text, *vraag.per_ervaring.values()):
            assert len(text.msgid) <= 110, text.msgid  # one short question per message
            assert text.msgid.count("?") <= 2


def test_wording_variants_only_name_known_experience_types() -> None:
    kinds = {e.key for e in ERVARINGEN}
    for vraag in VRAAG.values():
        assert set(vraag.per_ervaring) <= kinds
        assert vraag.alleen_bij is None or vraag.alleen_bij <= kinds


def test_a_gastles_has_no_boss() -> None:
    for vraag in VRAAG.values():
        if vraag.geldt_voor("gastles"):
            assert "begeleider" not in vraag.tekst_voor("gastles").msgid


def test_choice_questions_have_choices_and_scaffold_values_are_distinct() -> None:
    for vraag in VRAAG.values():
        if vraag.vorm in (Vorm.KEUZE, Vorm.DATUM, Vorm.FOTO):
            assert vraag.choices, vraag.key
        values = Counter(k.value for k in (*vraag.choices, *vraag.scaffold))
        assert all(n == 1 for n in values.values()), vraag.key


def test_all_six_competencies_are_aimed_at_somewhere() -> None:
    aimed = {c for v in VRAAG.values() for c in v.aims}
    assert aimed == set(Competentie)


def test_scale_has_five_faces() -> None:
    assert [k.value for k in bank.SCHAAL] == ["1", "2", "3", "4", "5"]
