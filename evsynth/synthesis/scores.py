"""Pain and function scores as outcomes: before and after per study, pooled where SDs are printed.

Scores are grouped by intervention group, domain, scale and time window (the windows of
`outcomes.WINDOWS`); a study contributes its latest point within the window, against its baseline.
Pooling needs the SD and n printed (or marked inferred): the post-treatment mean (metafor "MN")
and the mean change before - after (metafor "MC", a fall in pain is positive; r assumed 0.5 where
not printed, with the sensitivity range). Without SDs a study is listed, never pooled.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from evsynth.core.model import MONTHS_PER_UNIT, Study, Value
from evsynth.core.records import Point, Score, TimePoint
from evsynth.synthesis.continuous import (
    PooledContinuous,
    StudyChange,
    StudyMean,
    change_sensitivity,
    pool_changes,
    pool_means,
)
from evsynth.synthesis.convert import from_median_iqr, from_median_range
from evsynth.synthesis.outcomes import NOT_STATED, WINDOWS

SD_FROM_SE = "SD = SE × √n"


@dataclass(frozen=True)
class ScoreRow:
    """One study's score in one window: baseline and the latest point in the window."""

    study: Study
    score: Score
    before: Point
    after: Point
    n: Value | None

    @property
    def poolable(self) -> bool:
        return (
            self.n is not None and mean_sd(self.before, self.n) is not None and mean_sd(self.after, self.n) is not None
        )

    @property
    def converted(self) -> str | None:
        """The conversion method, when a mean and SD were estimated from a median (never printed as such)."""
        methods = {m for p in (self.before, self.after) if (m := _conversion(p, self.n)) is not None}
        return ", ".join(sorted(methods)) or None


def _conversion(p: Point, n: Value | None) -> str | None:
    got = mean_sd(p, n) if p.mean is None or p.sd is None else None
    return got[2] if got else None


def mean_sd(p: Point, n: Value | None) -> tuple[float, float, str | None] | None:
    """(mean, SD, conversion method or None) of a point: as printed, else converted from the median
    with the quartiles or the range by Wan et al. 2014 (needs n), else None."""
    if p.mean is not None and p.sd is not None:
        return float(p.mean.value), float(p.sd.value), None
    if p.mean is not None and p.se is not None and n is not None:
        return float(p.mean.value), float(p.se.value) * math.sqrt(float(n.value)), SD_FROM_SE
    if p.median is None or n is None:
        return None
    low, high, convert = (p.q1, p.q3, from_median_iqr) if p.q1 and p.q3 else (p.min, p.max, from_median_range)
    if low is None or high is None:
        return None
    c = convert(float(low.value), float(p.median.value), float(high.value), int(n.value))
    return c.mean, c.sd, c.method


@dataclass(frozen=True)
class ScoreAnalysis:
    group: str
    domain: str
    scale: str
    window: str
    window_title: str
    rows: tuple[ScoreRow, ...]
    after: PooledContinuous | None  # MN of the poolable rows
    change: PooledContinuous | None  # MC of the poolable rows
    sensitivity: tuple[tuple[float, PooledContinuous], ...]  # MC at other assumed r


def _months(p: Point) -> float | None:
    tp = p.time_point
    return float(tp.value) * MONTHS_PER_UNIT[tp.unit] if isinstance(tp, TimePoint) else None


def _window(months: float) -> tuple[str, str]:
    return next((slug, words) for slug, words, upper in WINDOWS if months <= upper)


def score_rows(s: Study, sc: Score) -> dict[tuple[str, str], ScoreRow]:
    """This score's row per window: the latest point in it, against the baseline."""
    before = next((p for p in sc.points if p.time_point == "baseline"), None)
    if before is None:
        return {}
    out: dict[tuple[str, str], ScoreRow] = {}
    for p in sorted((p for p in sc.points if _months(p) is not None), key=lambda p: _months(p) or 0.0):
        out[_window(_months(p) or 0.0)] = ScoreRow(s, sc, before, p, p.n or sc.n)
    return out


def _value(v: Value | None) -> float:
    assert v is not None
    return float(v.value)


def _pooled(
    rows: list[ScoreRow],
) -> tuple[PooledContinuous | None, PooledContinuous | None, tuple[tuple[float, PooledContinuous], ...]]:
    usable = [(r, mean_sd(r.before, r.n), mean_sd(r.after, r.n)) for r in rows if r.poolable]
    if not usable:
        return None, None, ()
    means = [StudyMean(r.study.id, a[0], a[1], int(_value(r.n))) for r, _, a in usable if a]
    changes = [StudyChange(r.study.id, b[0], b[1], a[0], a[1], int(_value(r.n))) for r, b, a in usable if a and b]
    return pool_means(means), pool_changes(changes), tuple(change_sensitivity(changes).items())


def score_analyses(studies: list[Study]) -> list[ScoreAnalysis]:
    """Every (group, domain, scale, window) with at least one study giving before and after."""
    cells: dict[tuple[str, str, str, str, str], list[ScoreRow]] = defaultdict(list)
    for s in studies:
        for sc in s.scores:
            for (slug, words), row in score_rows(s, sc).items():
                cells[(s.group, sc.domain, sc.scale, slug, words)].append(row)
    order = {slug: i for i, (slug, _, _) in enumerate(WINDOWS)}

    def key(cell: tuple[str, str, str, str, str]) -> tuple[str, str, str, int]:  # windows in time order
        return cell[0], cell[1], cell[2], order.get(cell[3], len(order))

    out = []
    for (group, domain, scale, slug, words), rows in sorted(cells.items(), key=lambda c: key(c[0])):
        after, change, sens = _pooled(rows)
        out.append(ScoreAnalysis(group, domain, scale, slug, words, tuple(rows), after, change, sens))
    return out


__all__ = ["NOT_STATED", "ScoreAnalysis", "ScoreRow", "score_analyses"]
