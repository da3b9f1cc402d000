"""Quiet hours: the next allowed moment is never quiet, never earlier, and not later than needed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from flows.stille_uren import TIJDZONE, StilleUren, uit_instellingen

moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
rules = st.builds(
    StilleUren,
    van=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    tot=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    dagen=st.frozensets(st.integers(1, 7), max_size=6),
)


@given(moments, rules)
def test_the_next_allowed_moment_is_allowed_and_nothing_earlier_was(
    moment: datetime, regels: StilleUren
) -> None:
    allowed = regels.volgende(moment)
    assert allowed >= moment
    assert not regels.stil(allowed)
    if allowed > moment:  # every minute in between was quiet
        probe = moment
        while probe < allowed:
            assert regels.stil(probe), (probe, allowed)
            probe += timedelta(minutes=37)


def test_defaults_are_evenings_nights_and_the_weekend() -> None:
    regels = uit_instellingen(None)
    friday_evening = datetime(2026, 11, 27, 20, 30, tzinfo=TIJDZONE)
    assert regels.stil(friday_evening)
    assert regels.volgende(friday_evening) == datetime(2026, 11, 30, 9, 0, tzinfo=TIJDZONE)
    assert not regels.stil(datetime(2026, 11, 24, 19, 59, tzinfo=TIJDZONE))


def test_a_school_sets_its_own_and_a_broken_setting_falls_back() -> None:
    regels = uit_instellingen({"stille_uren": "22:00-07:30", "stille_dagen": "zo"})
    assert (regels.van, regels.tot, regels.dagen) == (time(22), time(7, 30), frozenset({7}))
    broken = uit_instellingen({"stille_uren": "laat", "stille_dagen": "ma,di,wo,do,vr,za,zo"})
    assert (broken.van, broken.tot, broken.dagen) == (time(20), time(9), frozenset())
