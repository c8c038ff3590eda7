"""Median/IQR and median/range to mean/SD by Wan et al. 2014, checked on hand-computed values."""

from __future__ import annotations

import pytest

from evsynth.synthesis.convert import WAN_IQR, WAN_RANGE, eta, from_median_iqr, from_median_range, xi


def test_median_and_iqr() -> None:
    # n = 50: (0.75·50 − 0.125) / 50.25 = 0.743781; Φ⁻¹(0.743781) = 0.655047 (between Φ(0.65) = 0.74215
    # and Φ(0.66) = 0.74537); SD = (7 − 3) / (2 · 0.655047) = 3.05322; mean = (3 + 5 + 7) / 3 = 5
    got = from_median_iqr(3, 5, 7, 50)
    assert got.mean == pytest.approx(5.0, abs=1e-12)
    assert got.sd == pytest.approx(3.05322, abs=1e-5)
    assert got.method == WAN_IQR


def test_median_and_range() -> None:
    # n = 20: (20 − 0.375) / 20.25 = 0.969136; Φ⁻¹(0.969136) = 1.868242 (between Φ(1.86) = 0.96856
    # and Φ(1.87) = 0.96926); SD = (9 − 1) / (2 · 1.868242) = 2.14105; mean = (1 + 2·4 + 9) / 4 = 4.5
    got = from_median_range(1, 4, 9, 20)
    assert got.mean == pytest.approx(4.5, abs=1e-12)
    assert got.sd == pytest.approx(2.14105, abs=1e-5)
    assert got.method == WAN_RANGE


def test_skewed_quartiles_shift_the_mean_towards_the_long_tail() -> None:
    # (2 + 3 + 8) / 3 = 4.3333: the mean estimate is pulled above the median of 3
    assert from_median_iqr(2, 3, 8, 30).mean == pytest.approx(13 / 3, abs=1e-12)


def test_xi_is_close_to_the_papers_table_of_expected_ranges() -> None:
    # Wan et al. 2014, Table 1 (exact expected range of n standard normals): the approximation is within 1%
    for n, table in ((10, 3.078), (20, 3.735), (50, 4.498)):
        assert xi(n) == pytest.approx(table, rel=0.01)
    # η(n) tends to 2 Φ⁻¹(0.75) = 1.34898 (the IQR / 1.35 rule) as n grows
    assert eta(100_000) == pytest.approx(1.34898, abs=1e-4)


@pytest.mark.parametrize(
    "args",
    [(5, 3, 7, 50), (3, 5, 7, 1), (float("nan"), 5, 7, 10), (3, 8, 7, 10)],
    ids=["q1-above-median", "n-1", "nan", "median-above-q3"],
)
def test_impossible_summaries_are_refused(args: tuple[float, float, float, int]) -> None:
    with pytest.raises(ValueError):
        from_median_iqr(*args)
    with pytest.raises(ValueError):
        from_median_range(*args)
