"""Median with IQR or range to mean and SD, only by a named published method.

Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard deviation from the sample
size, median, range and/or interquartile range. BMC Med Res Methodol 2014;14:135.

- median, quartiles q1, q3 and n (their scenario C3): mean ≈ (q1 + median + q3) / 3,
  SD ≈ (q3 − q1) / η(n), η(n) = 2 Φ⁻¹((0.75 n − 0.125) / (n + 0.25));
- median, minimum a, maximum b and n (scenario C1): mean ≈ (a + 2 median + b) / 4,
  SD ≈ (b − a) / ξ(n), ξ(n) = 2 Φ⁻¹((n − 0.375) / (n + 0.25)).

Every value comes back with the method's name so a caller can mark it as converted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WAN_IQR = "Wan et al. 2014 (median and IQR)"
WAN_RANGE = "Wan et al. 2014 (median and range)"


@dataclass(frozen=True)
class Converted:
    mean: float
    sd: float
    method: str


def _check(low: float, median: float, high: float, n: int, what: str) -> None:
    if not all(math.isfinite(x) for x in (low, median, high)):
        raise ValueError(f"the median and {what} must be finite numbers")
    if not low <= median <= high:
        raise ValueError(f"the median must lie within its {what}: {low} ≤ {median} ≤ {high} does not hold")
    if n < 2:
        raise ValueError(f"n must be at least 2, not {n}")


def eta(n: int) -> float:
    """Wan's η(n): expected interquartile range of n standard normal values (approximation)."""
    from scipy import stats  # imported when first used

    return 2 * float(stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25)))


def xi(n: int) -> float:
    """Wan's ξ(n): expected range of n standard normal values (Blom's approximation)."""
    from scipy import stats  # imported when first used

    return 2 * float(stats.norm.ppf((n - 0.375) / (n + 0.25)))


def from_median_iqr(q1: float, median: float, q3: float, n: int) -> Converted:
    """Mean and SD from the median, first and third quartiles and n (Wan et al. 2014)."""
    _check(q1, median, q3, n, "interquartile range")
    return Converted((q1 + median + q3) / 3, (q3 - q1) / eta(n), WAN_IQR)


def from_median_range(minimum: float, median: float, maximum: float, n: int) -> Converted:
    """Mean and SD from the median, minimum, maximum and n (Wan et al. 2014)."""
    _check(minimum, median, maximum, n, "range")
    return Converted((minimum + 2 * median + maximum) / 4, (maximum - minimum) / xi(n), WAN_RANGE)
