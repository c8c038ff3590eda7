"""The pure rules behind the newer data-quality findings, on exact numbers (fixtures in
tests/fixtures/warnings show them on study files, with near misses that must not fire)."""

from __future__ import annotations

import math

import pytest

from evsynth.core.values import Report, Source, Value
from evsynth.validate.percents import printed_places, rounding
from evsynth.validate.quality_rules import max_sd, same_duration, sd_possible, unit_slip

SOURCE = Source(Report("text", "mini2020", "full-text"), None)


def v(x: float, printed: str | None = None, unit: str | None = None) -> Value:
    return Value(x, SOURCE, 1, 1, ("x",), printed=printed, unit=unit)


@pytest.mark.parametrize(
    ("pct", "n", "of", "places", "how"),
    [
        (55, 10, 18, "0", "truncated"),  # 55.56: cut, not rounded
        (56, 10, 18, "0", "rounded"),
        (55.5, 10, 18, "1", "truncated"),  # 55.56 cut after one place
        (55.6, 10, 18, "1", "rounded"),
        (31, 5, 16, "0", "rounded"),  # 31.25: rounding and truncation agree, so rounded
        (30, 5, 16, "0", "mismatch"),
        (65, 16, 25, "0", "mismatch"),  # 64 exactly: a point away
        (32, 5, 16, "0", "close"),  # rounded up: neither, under a point
        (50, 1, 2, "0", "rounded"),
    ],
)
def test_rounding_of_a_printed_percentage(pct: float, n: int, of: int, places: str, how: str) -> None:
    assert rounding(pct, n, of, int(places)) == how


def test_printed_places_reads_the_text_as_printed() -> None:
    assert printed_places(v(55)) == 0
    assert printed_places(v(55.6)) == 1
    assert printed_places(v(55.0, printed="55.0%")) == 1
    assert printed_places(v(55.0, printed="55%")) == 0


def test_max_sd_is_the_two_point_spread() -> None:
    assert max_sd(5, 0, 10, None) == pytest.approx(math.sqrt(50))  # n unknown: n = 2
    assert max_sd(1, 0, 10, 20) == pytest.approx(math.sqrt(9 * 20 / 19))
    assert max_sd(0, 0, 10, 20) == 0  # every score at the floor


def test_sd_possible_allows_for_rounding() -> None:
    assert sd_possible(v(1.0), v(3.1), 0, 10, 20)  # 3.05 under the bound at a mean of 1.05
    assert not sd_possible(v(1.0), v(3.2), 0, 10, 20)
    assert sd_possible(v(5), v(5.1), 0, 10, 20)  # the bound peaks mid-scale


def test_unit_slip() -> None:
    assert unit_slip(v(13), "months", v(13), "weeks") is not None
    assert unit_slip(v(1.2), "months", v(12), "months") is not None
    assert unit_slip(v(1.25), "months", v(12), "months") is not None  # within 5% of ten times
    assert unit_slip(v(1.5), "months", v(12), "months") is None
    assert unit_slip(v(13), "months", v(13), "months") is None
    assert unit_slip(v(6), "months", v(9), "months") is None


def test_same_duration_in_another_unit() -> None:
    assert same_duration(v(4), "weeks", v(1), "months")
    assert same_duration(v(52), "weeks", v(12), "months")
    assert same_duration(v(13), "weeks", v(3), "months")
    assert same_duration(v(8), "weeks", v(2), "months")
    assert not same_duration(v(6), "weeks", v(1), "months")  # 1.38 months: rounds to 1, but 38% off
    assert not same_duration(v(13), "weeks", v(13), "months")
    assert not same_duration(v(3), "months", v(3), "months")  # one unit: compared as numbers
