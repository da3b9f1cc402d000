"""Which language did a student actually write? Short phone answers in each ISK language."""

from __future__ import annotations

import pytest

from bot import i18n

WRITTEN = {
    "nl": [
        "ik hielp klanten bij de kassa en vulde vakken",
        "het was druk maar ik bleef rustig",
        "mijn moeder wil dat ik naar de havo ga",
        "ik wil later iets met auto's doen",
    ],
    "en": [
        "I helped the customers at the till",
        "it was busy but I stayed calm",
        "my mother wants me to go to college",
    ],
    "tr": [
        "müşterilere kasada yardım ettim",
        "çok yoğundu ama sakin kaldım",
        "annem üniversiteye gitmemi istiyor",
    ],
    "pl": [
        "pomagałem klientom przy kasie",
        "było dużo pracy ale byłem spokojny",
        "moja mama chce żebym poszedł do szkoły",
    ],
    "so": [
        "waxaan caawiyay macaamiisha dukaanka",
        "aad bay u mashquul ahayd laakiin waan degganaa",
        "hooyaday waxay rabtaa inaan dugsi aado",
    ],
    "ar": ["ساعدت الزبائن عند الصندوق", "كان العمل كثيرا لكنني بقيت هادئا"],
    "fa": ["به مشتری‌ها در صندوق کمک کردم", "خیلی شلوغ بود ولی آرام ماندم"],
    "uk": ["я допомагав клієнтам біля каси", "було багато роботи, але я був спокійний"],
    "bg": ["помагах на клиентите на касата", "беше много натоварено, но останах спокоен"],
    "ti": ["ንዓማዊል ኣብ ካሻ ሓጊዘ", "ብዙሕ ስራሕ ነይሩ ግን ህዱእ ጸኒሐ"],
}


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in WRITTEN.items() for text in texts]
)
def test_the_written_language_is_recognised(language: str, text: str) -> None:
    assert i18n.detect(text) == language


def test_too_little_to_tell_is_no_guess() -> None:
    assert i18n.detect("ok top") is None
    assert i18n.detect("😀😀😀 👍") is None
