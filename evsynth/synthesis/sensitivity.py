"""Sensitivity to a data-quality finding (part of stage 3): the computed number with the other reading.

When a finding's values come from two readings of the same section (the abstract and a table, the
text and another paper's table) and the synthesis uses one of them, the number it computes is
recomputed with the other reading instead: the pooled proportion of the intervention group for that
outcome and window, or the group's pain-relief duration range. Numbers only; render words them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from evsynth.core.model import Study, months
from evsynth.core.records import Duration, Record, Response
from evsynth.synthesis.outcomes import Outcome, choose_outcome
from evsynth.synthesis.pool import Pooled, pool_proportions
from evsynth.synthesis.tables import relief_duration

SECTIONS = {Response: "responses", Duration: "durations"}
# Time budget: an analysis of more studies than this is not pooled again for one finding (pooling is
# O(k) per finding, so a huge evidence base would otherwise pay findings x studies).
MAX_STUDIES = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    """One computed number: a pooled proportion (estimate, 95% CI, k) or a range in months (low, high)."""

    estimate: float
    low: float
    high: float
    k: int


Both = tuple[Result | None, Result | None]  # with the reading used, and with the other


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


def _pool(found: list[Outcome]) -> Result | None:
    """The pooled proportion of poolable outcomes (None past the time budget, or with none)."""
    if len(found) > MAX_STUDIES:
        return None
    p: Pooled | None = pool_proportions([o.proportion() for o in found]) if found else None
    return Result(p.estimate, p.ci_low, p.ci_high, p.k) if p is not None else None


def _relief(ranges: list[tuple[float, float]]) -> Result | None:
    if not ranges or len(ranges) > MAX_STUDIES:
        return None
    return Result(0.0, min(lo for lo, _ in ranges), max(hi for _, hi in ranges), len(ranges))


def _range(s: Study) -> tuple[float, float] | None:
    d = relief_duration(s)
    if d is None:
        return None
    ends = [months(v, d.unit) for v in (d.min, d.max, d.mean, d.median) if v is not None]
    return (min(ends), max(ends)) if ends else None


Placed = list[tuple[int, T]]  # (the study's place in its group, what it gives), in the group's order


class Index:
    """The studies by id and by group, each group's poolable outcomes and relief ranges worked out
    once: a finding then costs one study's readings (and at most MAX_STUDIES to pool again), never a
    pass over the whole evidence, so findings x studies does not grow with the evidence base."""

    def __init__(self, studies: list[Study]) -> None:
        self.by_id: dict[str, Study] = {}
        self.groups: dict[str, list[Study]] = {}
        self.place: dict[int, int] = {}
        for s in studies:
            self.by_id.setdefault(s.id, s)
            members = self.groups.setdefault(s.group, [])
            self.place[id(s)] = len(members)
            members.append(s)
        self._found: dict[tuple[str, str, str], Placed[Outcome]] = {}
        self._ranges: dict[str, Placed[tuple[float, float]]] = {}

    def found(self, group: str, kind: str, window: str) -> Placed[Outcome]:
        key = (group, kind, window)
        if key not in self._found:
            members = enumerate(self.groups.get(group, []))
            chosen = ((i, choose_outcome(s, kind, window)) for i, s in members)
            self._found[key] = [(i, o) for i, o in chosen if o is not None and o.poolable]
        return self._found[key]

    def ranges(self, group: str) -> Placed[tuple[float, float]]:
        if group not in self._ranges:
            placed = ((i, _range(s)) for i, s in enumerate(self.groups.get(group, [])))
            self._ranges[group] = [(i, r) for i, r in placed if r is not None]
        return self._ranges[group]

    def recompute(self, study: Study, used: Record, key: tuple[str, str] | None) -> Both:
        """The number with the used reading and with it left out (the study's other reading then
        counts); (None, None) when there is no number with the used reading."""
        here, alone = self.place[id(study)], without(study, used)
        if isinstance(used, Response) and key is not None:
            found = self.found(study.group, *key)
            mine = choose_outcome(alone, *key)
            swap = [(here, mine)] if mine is not None and mine.poolable else []
            return _recomputed(found, here, swap, _pool)
        r = _range(alone)
        return _recomputed(self.ranges(study.group), here, [(here, r)] if r else [], _relief)


def _recomputed(placed: Placed[T], here: int, swap: Placed[T], result: Callable[[list[T]], Result | None]) -> Both:
    """`result` of the group's values, and of them with the study's own replaced by `swap`."""
    used = result([x for _, x in placed])
    if used is None:  # nothing to compare with; past the time budget this skips the second pass
        return None, None
    other = sorted([(i, x) for i, x in placed if i != here] + swap, key=lambda p: p[0])
    return used, result([x for _, x in other])


def recompute(studies: list[Study], study: Study, used: Record, key: tuple[str, str] | None) -> Both:
    """`Index.recompute` for one finding (an index of `studies` made for it)."""
    return Index(studies).recompute(study, used, key)


__all__ = ["MAX_STUDIES", "Index", "Result", "Sensitivity", "recompute", "without"]
