"""Console scripts for a full reflection, generated from the question bank."""

from __future__ import annotations

from flows.bank import ERVARINGEN, FASEN, Vorm

ANTWOORDEN = {
    "wat": "ik heb klanten geholpen en vakken gevuld",
    "taak": "ik moest de kassa doen samen met een collega",
    "moment": "toen een klant mij bedankte voor de hulp",
    "goed": "ik kon rustig blijven toen het druk was",
    "leuk": "met mensen praten vond ik leuk, stilstaan niet",
    "anderen": "mijn moeder vindt het goed werk, ik twijfel nog",
    "waarom": "ik hou van afwisseling en mensen helpen",
    "ontdekken": "hoe het is om in een ziekenhuis te werken",
    "stap": "ik ga meelopen bij de zorg op het roc",
    "wie": "mijn mentor, ik vraag het haar maandag",
    "obstakel": "dat ik het vergeet, dus ik zet het in mijn agenda",
}


def full_script(kind: str, place: str = "Bij de Jumbo in Assen") -> list[str]:
    """The lines a student types to finish one reflection on this kind of experience."""
    lines = ["/start", f"[{[e.key for e in ERVARINGEN].index(kind) + 1}]", place]
    for fase in FASEN:
        for vraag in fase.vragen:
            if not vraag.geldt_voor(kind):
                continue
            lines.append(
                {
                    Vorm.TEKST: ANTWOORDEN.get(vraag.key, "dat weet ik nog goed"),
                    Vorm.FOTO: "[foto]",
                    Vorm.SCHAAL: "[4]",
                    Vorm.KEUZE: "[1]",
                    Vorm.DATUM: "[2]",
                }[vraag.vorm]
            )
    lines.append("[1]")  # ✅ Klopt
    lines.append("[7]")  # Opslaan (after the six competency toggles)
    return lines


def expected_keys(kind: str) -> list[str]:
    return [v.key for f in FASEN for v in f.vragen if v.geldt_voor(kind)]
