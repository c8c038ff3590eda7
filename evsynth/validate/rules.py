"""Semantic rules on a typed study: mistakes an editor can fix (errors, exit status 1).

Counts and ranges must be possible: a subset never exceeds its total, min <= mean <= max,
exhaustive categories add up, and patient-level rows match the patients they describe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evsynth.core.limits import DURATION_MONTHS_MAX
from evsynth.core.model import MONTHS_PER_UNIT, Study, Value, months
from evsynth.core.problems import Problem
from evsynth.core.records import Complication, Proportion, Record, Response
from evsynth.validate.percents import check_percent_entries

DURATION_KEYS = ("durations",)


def _p(study: Study, v: Value | Record, code: str, msg: str) -> Problem:
    line = v.line
    col = v.column if isinstance(v, Value) else 1
    return Problem(study.path, line, col, code, msg)


def _num(node: Any) -> float | None:
    return float(node.value) if isinstance(node, Value) else None


def _name(v: Value) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in v.path).replace(".[", "[")


def patients_of(study: Study, reading: Response | Complication) -> int | None:
    """The patients that bound a record's counts: those of the same report, when counted in patients.

    Another report of the same study may describe a different cohort (an abstract of a larger
    series, a secondary table), so it does not bound this one.
    """
    if (reading.per or "patients") != "patients":
        return None
    counts = [
        int(r.patients.value)
        for r in study.population
        if r.source.report.id == reading.source.report.id and r.patients is not None
    ]
    return max(counts) if counts else None


def _exceeds(study: Study, part: Any, whole: Any, whole_name: str, hint: str = "") -> Iterator[Problem]:
    if isinstance(part, Value) and isinstance(whole, Value | int) and float(part) > float(whole):
        total = int(whole.value) if isinstance(whole, Value) else whole
        yield _p(
            study,
            part,
            "subset-exceeds-total",
            f"`{_name(part)}` is {part.value}, more than {whole_name} ({total}){hint}",
        )


PERCENT_HINT = "; if it is a percentage, put it under `percent:`"


def _proportion(study: Study, prop: Proportion | Complication | None, bound: Any, bound_name: str) -> Iterator[Problem]:
    if prop is None:
        return
    hint = PERCENT_HINT
    if isinstance(prop.percent, Value) and isinstance(prop.n, Value) and float(prop.percent) == float(prop.n):
        hint = "; it is the printed percentage, already under `percent:`: write the count of patients in `n`"
    yield from _exceeds(study, prop.n, prop.of, "its denominator `of`", hint)
    if prop.of is None:
        yield from _exceeds(study, prop.n, bound, bound_name, hint)
    else:
        yield from _exceeds(study, prop.of, bound, bound_name)


def check_responses(study: Study) -> Iterator[Problem]:
    for r in study.responses:
        total = patients_of(study, r)
        evaluated, responders = r.evaluated, r.responders
        yield from _proportion(study, evaluated, total, "the patients in the series")
        ev_n = evaluated.n if evaluated else None
        bound: Value | int | None = ev_n if ev_n is not None else total
        yield from _proportion(study, responders, bound, "those evaluated")
        cat_bound = (responders.of if responders else None) or bound
        cats = r.categories
        for c in cats:
            yield from _exceeds(study, c.n, cat_bound, "those evaluated", PERCENT_HINT)
        if r.exhaustive and isinstance(cat_bound, Value):
            counted = [c.n for c in cats if c.n is not None]
            total_n = sum(float(v) for v in counted)
            if len(counted) < len(cats) or total_n != float(cat_bound):
                yield _p(
                    study,
                    r,
                    "categories-sum",
                    f"categories marked exhaustive add up to {total_n:g}, not {cat_bound.value}: "
                    "fix the counts, or drop `exhaustive: true` and explain in a note",
                )


def check_population(study: Study) -> Iterator[Problem]:
    for r in study.population:
        bound = r.patients
        for part in (r.palliative, r.bone_metastases):
            yield from _exceeds(study, part, bound, "the patients")
        groups = {
            "sex": (r.sex.male, r.sex.female) if r.sex else (),
            "metastases": (r.metastases.solitary, r.metastases.multiple) if r.metastases else (),
        }
        for group, given in groups.items():
            parts = sorted((v for v in given if v is not None), key=lambda v: (v.line, v.column))
            if parts and bound is not None and sum(float(v) for v in parts) > float(bound):
                yield _p(
                    study,
                    parts[0],
                    "subset-exceeds-total",
                    f"{group} counts add up to {sum(float(v) for v in parts):g}, "
                    f"more than the {float(bound):g} patients",
                )
        prim = [p.n for p in r.primaries if p.n is not None]
        if prim and bound is not None and sum(float(v) for v in prim) > float(bound):
            yield _p(
                study,
                prim[0],
                "subset-exceeds-total",
                f"primary tumour counts add up to {sum(float(v) for v in prim):g}, "
                f"more than the {float(bound):g} patients",
            )


def check_complications(study: Study) -> Iterator[Problem]:
    for r in study.complications:
        yield from _proportion(study, r, patients_of(study, r), "the patients in the series")


def _ranges(node: Any, unit: str | None) -> Iterator[tuple[Value, Value, Value | None, str | None]]:
    """(min, max, a central value or None, unit) for every mapping with a range."""
    if isinstance(node, dict):
        unit = node.get("unit", unit) if isinstance(node.get("unit"), str) else unit
        lo, hi = node.get("min"), node.get("max")
        if isinstance(lo, Value) and isinstance(hi, Value):
            yield lo, hi, None, unit
            for key in ("mean", "median", "value"):
                if isinstance(node.get(key), Value):
                    yield lo, hi, node[key], unit
        for v in node.values():
            yield from _ranges(v, unit)
    elif isinstance(node, list):
        for v in node:
            yield from _ranges(v, unit)


def check_ranges(study: Study) -> Iterator[Problem]:
    for r in study.readings():
        for lo, hi, mid, unit in _ranges(r.tree, None):
            is_time = unit in ("days", "weeks", "months", "years") or lo.unit or hi.unit
            conv = (lambda v: months(v, unit)) if is_time else float  # noqa: B023 (used at once, inside the loop)
            if mid is None and conv(lo) > conv(hi):
                yield _p(
                    study, lo, "range-order", f"`{_name(lo)}` ({lo.value}) is above the max ({hi.value}): swap them"
                )
            elif mid is not None and not conv(lo) <= conv(mid) <= conv(hi):
                yield _p(
                    study,
                    mid,
                    "outside-range",
                    f"`{_name(mid)}` ({mid.value}) lies outside its range {lo.value}-{hi.value}",
                )


def _durations_in(node: Any, unit: str | None) -> Iterator[tuple[Value, str | None]]:
    """Every number of a mapping that has a duration unit, with that unit."""
    if isinstance(node, dict):
        unit = node["unit"] if node.get("unit") in MONTHS_PER_UNIT else unit
        for key, v in node.items():
            if isinstance(v, Value) and key in DURATION_NUMBERS and unit is not None:
                yield v, unit
            else:
                yield from _durations_in(v, None if isinstance(v, list) else unit)
    elif isinstance(node, list):
        for v in node:
            yield from _durations_in(v, None)


DURATION_NUMBERS = ("value", "mean", "median", "min", "max", "sd")


def check_durations(study: Study) -> Iterator[Problem]:
    """No duration longer than a lifetime (DURATION_MONTHS_MAX): a unit or a number typed wrong."""
    for r in study.readings():
        for v, unit in _durations_in(r.tree, None):
            if months(v, unit) > DURATION_MONTHS_MAX:
                yield _p(
                    study,
                    v,
                    "out-of-range",
                    f"`{_name(v)}` is {v.value} {v.unit or unit}, more than "
                    f"{DURATION_MONTHS_MAX // 12} years: check the number and its unit",
                )


def check_patients_table(study: Study) -> Iterator[Problem]:
    table = study.patients_table
    if table is None:
        return
    rows = table.rows
    seen: set[int] = set()
    for row in rows:
        if row.no in seen:
            yield _p(study, table, "duplicate-row", f"patient number {row.no} appears twice in the table")
        seen.add(row.no)
    for r in study.population:
        n = r.patients
        if n is not None and r.source.report.id == table.source.report.id and int(n.value) != len(rows):
            yield _p(
                study,
                table,
                "rows-count",
                f"the table has {len(rows)} rows but `patients` from the same report is {n.value}: "
                "add the missing rows or fix the count",
            )


def check_units(study: Study) -> Iterator[Problem]:
    """Every response and complication says what it counts; no unit is ever assumed."""
    records: list[Response | Complication] = [*study.responses, *study.complications]
    unitless = [r for r in records if r.per is None]
    for r in unitless:
        what = r.kind if isinstance(r, Response) else f"complication `{r.event}`"
        fix = (
            "add `per: patients` (or vertebrae, lesions, procedures...; `per: not-stated` when the paper does not say)"
        )
        yield _p(study, r, "unit-missing", f"{what} does not say what it counts: {fix}")


def check_study(study: Study) -> list[Problem]:
    return [
        *check_units(study),
        *check_population(study),
        *check_responses(study),
        *check_complications(study),
        *check_ranges(study),
        *check_durations(study),
        *check_patients_table(study),
        *check_percent_entries(study),
    ]
