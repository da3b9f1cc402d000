"""Quiet hours: when lobbot sends nothing to families on its own (evenings, nights, weekends).

A school sets them (``stille_uren`` like "20:00-09:00", ``stille_dagen`` like "za,zo"); a message
planned inside them waits for the first moment after. Pure: the caller passes the moment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TIJDZONE = ZoneInfo("Europe/Amsterdam")
STANDAARD_UREN = "20:00-09:00"
STANDAARD_DAGEN = "za,zo"
DAGEN = {"ma": 1, "di": 2, "wo": 3, "do": 4, "vr": 5, "za": 6, "zo": 7}
_UREN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class StilleUren:
    """From ``van`` to ``tot`` every day (over midnight when ``van`` is later), and whole days."""

    van: time
    tot: time
    dagen: frozenset[int]  # ISO weekdays, 1 = Monday

    def stil(self, moment: datetime) -> bool:
        """Whether a message may not be sent at this moment."""
        lokaal = moment.astimezone(TIJDZONE)
        if lokaal.isoweekday() in self.dagen:
            return True
        nu = lokaal.time()
        if self.van == self.tot:
            return False
        if self.van > self.tot:
            return nu >= self.van or nu < self.tot
        return self.van <= nu < self.tot

    def volgende(self, moment: datetime) -> datetime:
        """The first moment from ``moment`` on that is not quiet (``moment`` itself if allowed)."""
        kandidaat = moment.astimezone(TIJDZONE)
        for _ in range(16):  # at most a week of quiet days and one quiet night in between
            if not self.stil(kandidaat):
                return kandidaat
            if kandidaat.isoweekday() in self.dagen:
                volgende_dag = kandidaat.date() + timedelta(days=1)
                kandidaat = datetime.combine(volgende_dag, time(0), TIJDZONE)
                continue
            dag = kandidaat.date()
            if kandidaat.time() >= self.tot:
                dag += timedelta(days=1)
            kandidaat = datetime.combine(dag, self.tot, TIJDZONE)
        return kandidaat  # every day quiet: a school setting error; send rather than never


def uit_instellingen(settings: Mapping[str, Any] | None) -> StilleUren:
    """The quiet hours a school set, or the defaults; a setting that cannot be read is ignored."""
    settings = settings or {}
    uren = _UREN.match(str(settings.get("stille_uren") or STANDAARD_UREN)) or _UREN.match(
        STANDAARD_UREN
    )
    assert uren is not None
    try:
        van, tot = time(int(uren[1]), int(uren[2])), time(int(uren[3]), int(uren[4]))
    except ValueError:
        van, tot = time(20), time(9)
    dagen_tekst = str(settings.get("stille_dagen", STANDAARD_DAGEN))
    dagen = frozenset(
        DAGEN[d.strip().lower()[:2]]
        for d in dagen_tekst.split(",")
        if d.strip().lower()[:2] in DAGEN
    )
    if len(dagen) == 7:
        dagen = frozenset()
    return StilleUren(van, tot, dagen)
