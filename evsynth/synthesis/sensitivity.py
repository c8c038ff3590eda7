"""Sensitivity to a data-quality finding (part of stage 3): the computed number with the other reading.

When a finding's values come from two readings of the same section (the abstract and a table, the
text and another paper's table) and the synthesis uses one of them, the number it computes is
recomputed with the other reading instead: the pooled proportion of the intervention group for that
outcome and window, or the group's pain-relief duration range. Numbers only; render words them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

from evsynth.core.model import Study, months
from evsynth.core.records import Duration, Record, Response
from evsynth.synthesis.outcomes import outcomes
from evsynth.synthesis.pool import Pooled, pool_proportions
from evsynth.synthesis.tables import relief_duration

SECTIONS = {Response: "responses", Duration: "durations"}
# Time budget: an analysis of more studies than this is not pooled again for one finding (pooling is
# O(k) per finding, so a huge evidence base would otherwise pay findings x studies).
MAX_STUDIES = 100


@dataclass(frozen=True)
class Result:
    """One computed number: a pooled proportion (estimate, 95% CI, k) or a range in months (low, high)."""

    estimate: float
    low: float
    high: float
    k: int


@dataclass(frozen=True)
class Sensitivity:
    what: str  # what was recomputed: the Use's words ("radiological response, time not stated")
    used: Result  # with the reading the synthesis uses
    other: Result | None  # with the other reading (None: the other reading gives no number to use)
    other_source: str  # the other reading's source, for the label

    @property
    def changes(self) -> bool:
        return self.other is None or self.other != self.used


def without(study: Study, record: Record) -> Study:
    """The study with one reading left out, so the synthesis' rule falls to the next reading."""
    section = SECTIONS[type(record)]
    out = copy.copy(study)
    setattr(out, section, [r for r in getattr(study, section) if r is not record])
    return out


def _pooled(members: list[Study], kind: str, window: str) -> Result | None:
    found = [o for o in outcomes(members, kind, window) if o.poolable]
    if len(found) > MAX_STUDIES:
        return None
    p: Pooled | None = pool_proportions([o.proportion() for o in found]) if found else None
    return Result(p.estimate, p.ci_low, p.ci_high, p.k) if p is not None else None


def _relief(members: list[Study]) -> Result | None:
    ranges = list(_ranges(members))
    if not ranges or len(ranges) > MAX_STUDIES:
        return None
    return Result(0.0, min(lo for lo, _ in ranges), max(hi for _, hi in ranges), len(ranges))


def _ranges(members: list[Study]) -> Iterator[tuple[float, float]]:
    for s in members:
        d = relief_duration(s)
        if d is None:
            continue
        ends = [months(v, d.unit) for v in (d.min, d.max, d.mean, d.median) if v is not None]
        if ends:
            yield min(ends), max(ends)


def recompute(
    studies: list[Study], study: Study, used: Record, key: tuple[str, str] | None
) -> tuple[Result | None, Result | None]:
    """The number with the used reading and with it left out (the study's other reading then counts)."""
    group = [s for s in studies if s.group == study.group]
    other = [without(s, used) if s is study else s for s in group]
    if isinstance(used, Response) and key is not None:
        return _pooled(group, *key), _pooled(other, *key)
    return _relief(group), _relief(other)


__all__ = ["MAX_STUDIES", "Result", "Sensitivity", "recompute", "without"]
