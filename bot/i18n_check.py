"""Checks that keep the translations true as the project grows (run by the tests, and by
``lobbot i18n check``): complete, no fuzzy entries, placeholders as in the Dutch, plural forms
complete, no Dutch copied over, and every catalog up to date with the strings in the code."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

PLACEHOLDER = re.compile(r"\{(\w*)\}")
# Messages that may read the same in Dutch and another language: names, layout, shared terms.
SAME_ALLOWED = re.compile(r"^[\W\d_]*$|^(LOB|mbo|ROC|Oké|Top\.|Ok|Mentor)[\W]*$", re.IGNORECASE)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check_catalog(path: Path, template: Catalog | None = None) -> list[str]:
    """Problems in one .po file (empty when it is fine)."""
    with path.open("rb") as file:
        catalog = read_po(file)
    problems: list[str] = []
    nplurals = catalog.num_plurals
    for message in catalog:
        if not message.id:
            continue
        where = (
            f"{path}: {str(message.id if isinstance(message.id, str) else message.id[0])[:50]!r}"
        )
        if message.fuzzy:
            problems.append(f"{where}: fuzzy")
        if isinstance(message.id, tuple):
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if len(forms) != nplurals or not all(forms):
                problems.append(
                    f"{where}: {sum(bool(f) for f in forms)} of {nplurals} plural forms"
                )
            expected = placeholders(message.id[1])
            for form in forms:
                if form and placeholders(form) != expected:
                    problems.append(
                        f"{where}: placeholders {sorted(placeholders(form))} ≠ {sorted(expected)}"
                    )
            continue
        if not message.string:
            problems.append(f"{where}: not translated")
            continue
        got, expected = sorted(placeholders(message.string)), sorted(placeholders(message.id))
        if got != expected:
            problems.append(f"{where}: placeholders {got} ≠ {expected}")
        if message.string == message.id and not SAME_ALLOWED.match(PLACEHOLDER.sub("", message.id)):
            problems.append(f"{where}: the Dutch copied over")
    if template is not None:
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
        for missing in sorted(wanted - ids):
            problems.append(f"{path}: missing {missing[:50]!r} (run make i18n and translate it)")
        for extra in sorted(ids - wanted):
            problems.append(f"{path}: obsolete {extra[:50]!r} (run make i18n)")
    return problems


def extract(root: Path) -> Catalog:
    """The current Dutch source strings, straight from the code."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "lobbot.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                str(root / "locales" / "babel.cfg"),
                "-k",
                "_",
                "-k",
                "N_",
                "-k",
                "ngettext:1,2",
                "--no-location",
                "-o",
                str(pot),
                str(root),
            ],
            check=True,
            capture_output=True,
            cwd=root,
        )
        with pot.open("rb") as file:
            return read_po(file)


def check_all(root: Path) -> list[str]:
    """Every catalog against the code."""
    template = extract(root)
    problems: list[str] = []
    for po in sorted((root / "locales").glob("*/LC_MESSAGES/lobbot.po")):
        problems += check_catalog(po, template)
    return problems
