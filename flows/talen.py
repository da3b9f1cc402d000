"""The languages lobbot speaks, each named in its own script (for choosing one)."""

from __future__ import annotations

BRON = "nl"
# Dutch first, then roughly by how many ISK students speak it.
NAMEN: dict[str, str] = {
    "nl": "Nederlands",
    "ar": "العربية",
    "ti": "ትግርኛ",
    "uk": "Українська",
    "pl": "Polski",
    "bg": "Български",
    "tr": "Türkçe",
    "so": "Soomaali",
    "fa": "فارسی",
    "en": "English",
}
