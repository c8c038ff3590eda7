"""Small rules over printed numbers that say *why* two numbers cannot both be right: an SD no score on
the scale could give, and a duration restated in another unit or a power of ten away. Pure functions
of printed values; `quality` runs them on every study."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

from evsynth.core.model import MONTHS_PER_UNIT, Study, Value
from evsynth.core.records import Span
from evsynth.validate.discrepancy import Discrepancy, _disc, _entry, _fmt, _time_key, decimals

# --- GRIM: a mean impossible for its n of whole numbers ------------------------------


def grim_possible(mean: float, n: int, places: int) -> bool:
    """Whether some whole-number total over n rounds to the printed mean."""
    if n <= 0:
        return True
    target = mean * n
    return any(
        round(s / n, places) == round(mean, places) or abs(s / n - mean) <= 0.5 * 10**-places + 1e-9
        for s in (math.floor(target), math.ceil(target))
    )


def _count_means(study: Study) -> Iterator[tuple[str, Value, Value]]:
    """(what, mean, n) of every mean of whole counts with its n: procedures per patient over the
    patients of the same report, arteries per procedure over the procedures."""
    for r in study.procedures:
        patients = next(
            (p.patients for p in study.population if p.patients and p.source.report is r.source.report), None
        )
        if r.per_patient and r.per_patient.mean is not None and patients is not None:
            yield "procedures per patient", r.per_patient.mean, patients
        if r.arteries_per_procedure and r.arteries_per_procedure.mean is not None and r.total is not None:
            yield "arteries per procedure", r.arteries_per_procedure.mean, r.total


def grim_counts(study: Study) -> Iterator[Discrepancy]:
    """GRIM for means of whole counts (sessions, arteries): no total of whole numbers gives the mean."""
    for what, mean, n in _count_means(study):
        if not grim_possible(float(mean), int(n.value), decimals(mean)):
            found = _disc(
                study,
                "grim-impossible",
                f"mean {what}",
                f"a mean of {mean.value} {what} is impossible for {n.value} whole counts",
                _entry(mean),
                _entry(n),
            )
            yield replace(found, anchor=mean.line)


# --- an SD larger than any set of scores on a bounded scale can have ------------------


def max_sd(mean: float, low: float, high: float, n: int | None) -> float:
    """The largest sample SD n scores within [low, high] can have with this mean: the population SD
    sqrt((mean - low)(high - mean)) when every score sits at an end, times sqrt(n / (n - 1)) for the
    sample SD (n unknown: n = 2, the most lenient)."""
    spread = max(mean - low, 0.0) * max(high - mean, 0.0)
    k = n if n is not None and n > 1 else 2
    return math.sqrt(spread * k / (k - 1))


def sd_possible(mean: Value, sd: Value, low: float, high: float, n: int | None) -> bool:
    """Whether the printed SD fits some mean that rounds to the printed one (the bound is largest
    nearest the middle of the scale) once the SD's own rounding is allowed for."""
    half_mean, half_sd = 0.5 * 10 ** -decimals(mean), 0.5 * 10 ** -decimals(sd)
    m = min(max((low + high) / 2, float(mean) - half_mean), float(mean) + half_mean)
    return bool(float(sd) - half_sd <= max_sd(m, low, high, n) + 1e-9)


def sd_bounds(study: Study) -> Iterator[Discrepancy]:
    """Every printed SD of a score with a stated range that no scores on the scale could give."""
    for sc in study.scores:
        rng = sc.scale_range
        if rng is None or rng.min is None or rng.max is None:
            continue
        for p in sc.points:
            n_value = p.n or sc.n
            n = int(n_value.value) if n_value is not None else None
            if p.mean is None or p.sd is None or sd_possible(p.mean, p.sd, rng.min, rng.max, n):
                continue
            bound = max_sd(float(p.mean), rng.min, rng.max, n)
            when = _time_key(p.time_point)
            found = _disc(
                study,
                "sd-impossible",
                f"{sc.scale} SD at {when}",
                f"{sc.scale} SD of {p.sd.value} at {when} is impossible on a {_fmt(rng.min)}-{_fmt(rng.max)} "
                f"scale with a mean of {p.mean.value}" + (f" and n = {n}" if n else "") + f": at most {_fmt(bound)}",
                _entry(p.sd),
                _entry(p.mean),
                *([_entry(n_value)] if n_value is not None else []),
            )
            yield replace(found, anchor=p.sd.line)


# --- a duration restated in another unit or a power of ten away -----------------------


def unit_slip(a: Value, unit_a: str, b: Value, unit_b: str) -> str | None:
    """Why two printed durations of the same thing look like one number restated wrongly: the same
    number under two units (13 months, 13 weeks), or numbers a factor of ten apart (1.3 and 13,
    allowing 5% for rounding); None when neither."""
    x, y = float(a), float(b)
    if x == y and unit_a != unit_b:
        return f"the same number {_fmt(x)} printed in {unit_a} and in {unit_b}"
    if x > 0 and y > 0:
        ratio = max(x, y) / min(x, y)
        for power in (10, 100):
            if abs(ratio / power - 1) <= 0.05:
                return f"{_fmt(x)} and {_fmt(y)} differ by a factor of {power}"
    return None


def same_duration(a: Value, unit_a: str, b: Value, unit_b: str) -> bool:
    """Whether two durations printed in different units are one duration: converted to the other's
    unit, one rounds to the other as printed (4 weeks and 1 month, 52 weeks and 12 months) and they
    are within 10% (6 weeks is not 1 month)."""
    if unit_a == unit_b:
        return False
    x, y = float(a) * MONTHS_PER_UNIT[unit_a], float(b) * MONTHS_PER_UNIT[unit_b]
    if max(x, y) <= 0 or abs(x - y) > 0.1 * max(x, y):
        return False
    a_in_b, b_in_a = x / MONTHS_PER_UNIT[unit_b], y / MONTHS_PER_UNIT[unit_a]
    return round(a_in_b, decimals(b)) == float(b) or round(b_in_a, decimals(a)) == float(a)


# --- GRIM for means of whole-number scales ---------------------------------------------


def grim_scores(study: Study) -> Iterator[Discrepancy]:
    """A mean score on a scale of whole numbers (`scale_range.integer`) no total of n scores gives."""
    for r in study.scores:
        if r.scale_range is None or not r.scale_range.integer:
            continue
        for p in r.points:
            n = p.n or r.n
            if p.mean is None or n is None or grim_possible(float(p.mean), int(n.value), decimals(p.mean)):
                continue
            found = _disc(
                study,
                "grim-impossible",
                f"mean {r.scale}",
                f"a mean {r.scale} of {p.mean.value} is impossible for {n.value} whole-number scores",
                _entry(p.mean),
                _entry(n),
            )
            yield replace(found, anchor=p.mean.line)


# --- one duration printed as a range in one place and a single number elsewhere -----------


def _spans(study: Study) -> Iterator[tuple[str, Span, str]]:
    for c in study.complications:
        if c.duration is not None:
            yield f"complication '{c.event}': duration", c.duration, c.source.label
    for d in study.durations:
        yield f"{d.kind} duration", Span(d.value, d.mean, d.sd, d.median, d.min, d.max, d.unit), d.source.label


def span_magnitude(study: Study) -> Iterator[Discrepancy]:
    """A single number for a duration that another reading gives as a range, ten times or more outside
    it (a lost dash: '310-day' for 3-10 days, or a unit slip)."""
    by_what: dict[str, list[tuple[Span, str]]] = {}
    for what, span, where in _spans(study):
        by_what.setdefault(what, []).append((span, where))
    for what, spans in by_what.items():
        ranges = [s for s, _ in spans if s.min is not None and s.max is not None]
        for single, _ in spans:
            v = single.value
            for rng in ranges if v is not None else []:
                assert v is not None and rng.min is not None and rng.max is not None
                x = float(v) * MONTHS_PER_UNIT[v.unit or single.unit or "months"]
                lo = float(rng.min) * MONTHS_PER_UNIT[rng.min.unit or rng.unit or "months"]
                hi = float(rng.max) * MONTHS_PER_UNIT[rng.max.unit or rng.unit or "months"]
                if x >= 10 * hi or x * 10 <= lo:
                    yield _disc(
                        study,
                        "duration-unit",
                        what,
                        f"{what}: {_entry(v)[0]} {v.unit or single.unit or 'months'} in one place, "
                        f"{_entry(rng.min)[0]} to {_entry(rng.max)[0]} {rng.unit or 'months'} in another: "
                        "a factor of ten or more apart",
                        _entry(v),
                        _entry(rng.min),
                        _entry(rng.max),
                    )
