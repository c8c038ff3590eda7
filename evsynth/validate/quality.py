"""Data-quality findings that belong to the sources, not the editor (warnings, exit 0).

Each finding is a `Discrepancy` with every value involved and its provenance; the site
publishes them as the discrepancy report. Nothing here is a hand-written list: every
finding is computed from the study file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from evsynth.core.model import READING_SECTIONS, Study, Value, months
from evsynth.core.records import Complication, Duration, Population, Record, Response, Score
from evsynth.validate.case_rules import case_doses, described_patients, protocol_delivered
from evsynth.validate.discrepancy import Discrepancy, _disc, _entry, _fmt, _leaves, _time_key, _what, decimals
from evsynth.validate.percents import entry_mistake, percent_possible, percent_readings, printed_places, rounding
from evsynth.validate.quality_rows import _covers, _rows
from evsynth.validate.quality_rules import (
    grim_counts,
    grim_possible,
    grim_scores,
    same_duration,
    sd_bounds,
    span_magnitude,
    unit_slip,
)
from evsynth.validate.statement_rules import cited_years, metastases_sites, naming_drift

# --- printed percentages -------------------------------------------------------------


def _percent_checks(study: Study, node: Any) -> Iterator[Discrepancy]:
    """The printed percentages that disagree with their count or no whole count can give, except
    entry mistakes (`percents.entry_mistake`), which are the editor's errors, not the source's."""
    for n, pct, of in percent_readings(node):
        if entry_mistake(n, pct, of) is not None:
            continue
        if n is not None:
            yield from _percent_count(study, n, pct, of)
        elif not percent_possible(float(pct), int(of.value)):
            yield _disc(
                study,
                "percent-impossible",
                "printed percentage",
                f"{_fmt(float(pct))}% is not a whole number of patients out of {of.value}",
                _entry(pct, f"{_fmt(float(pct))}%"),
                _entry(of),
            )


def _percent_count(study: Study, n: Value, pct: Value, of: Value) -> Iterator[Discrepancy]:
    """A percentage printed beside its count: a mismatch (a point or more), or the truncation of n/N
    where rounding was expected (information: the two agree)."""
    exact, p = 100 * float(n) / float(of), float(pct)
    how = rounding(p, float(n), float(of), printed_places(pct))
    if how not in ("mismatch", "truncated"):
        return
    said = "which is" if how == "mismatch" else "which is truncated, not rounded, from"
    yield _disc(
        study,
        "percent-mismatch" if how == "mismatch" else "percent-truncated",
        "printed percentage",
        f"{_fmt(p)}% printed for {n.value}/{of.value}, {said} {_fmt(exact)}%",
        _entry(pct, f"{_fmt(p)}%"),
        _entry(n, f"{n.value}/{of.value}"),
    )


# --- GRIM: a mean impossible for its n -------------------------------------------------


def _grim(study: Study) -> Iterator[Discrepancy]:
    for r in study.population:
        mean, n = r.age.mean if r.age else None, r.patients
        if mean is not None and n is not None and not grim_possible(float(mean), int(n.value), decimals(mean)):
            yield _disc(
                study,
                "grim-impossible",
                "mean age",
                f"a mean age of {mean.value} is impossible for {n.value} whole-year ages",
                _entry(mean),
                _entry(n),
            )


# --- the same measure from two reports (or two places) ---------------------------------


def _derived(r: Record) -> Iterator[tuple[tuple[str, ...], float, Value, str]]:
    """Totals a reading implies without printing them (responders from categories, site sums)."""
    if isinstance(r, Response) and r.responders is None and r.exhaustive:
        resp = [(c.n, c.name) for c in r.categories if c.response and c.n is not None]
        if resp:
            names = " + ".join(f"{n.value} {name}" for n, name in resp)
            yield ("responders", "n"), sum(float(n) for n, _ in resp), resp[0][0], names
    if isinstance(r, Population):
        yield from _population_sums(r)


def _population_sums(r: Population) -> Iterator[tuple[tuple[str, ...], float, Value, str]]:
    prims = r.primaries
    counts = [p.n for p in prims if p.n is not None]
    if prims and len(counts) == len(prims):
        if r.patients is None:
            yield ("patients",), sum(float(n) for n in counts), counts[0], "sum of the primary tumour rows"
        for key in ("solitary", "multiple"):
            vals = [v for p in prims if (v := getattr(p, key)) is not None]
            if vals and r.metastases is None:
                yield ("metastases", key), sum(float(v) for v in vals), vals[0], f"sum of the {key} column"
        if not r.sites and all(p.sites for p in prims):
            totals: dict[str, list[Value]] = defaultdict(list)
            for p in prims:
                for s in p.sites:
                    if s.n is not None:
                        totals[s.site].append(s.n)
            for site, vals in totals.items():
                words = site.replace("-", " ")
                yield ("sites", site, "n"), sum(float(v) for v in vals), vals[0], f"sum of the {words} column"


def _group_key(r: Record) -> tuple[str, ...]:
    if isinstance(r, Response):
        subset = r.analysed.label.casefold() if r.analysed else ""  # a subgroup is not the whole series
        return (r.section, r.kind, _time_key(r.time_point or ""), r.per or "patients", subset)
    if isinstance(r, Duration):
        return (r.section, r.kind)
    if isinstance(r, Complication):
        return (r.section, re.sub(r"\W+", " ", r.event.casefold()).strip(), r.per or "patients")
    if isinstance(r, Score):
        return (r.section, r.domain, r.scale.casefold(), (r.label or "").casefold())
    return (r.section,)


def _title(r: Record) -> str:
    """How a group of readings is named in messages: 'radiological response at 1 month', 'survival'."""
    if isinstance(r, Response):
        when = f" at {_time_key(r.time_point)}" if r.time_point is not None else ""
        return f"{r.kind.replace('-', ' ')} response{when}"
    if isinstance(r, Duration):
        return f"{r.kind.replace('-', ' ')} duration"
    if isinstance(r, Complication):
        return f"complication '{r.event}'"
    if isinstance(r, Score):
        return f"{r.scale} {r.label or ''}".strip()
    return r.section


def _compare(study: Study, readings: list[Record]) -> Iterator[Discrepancy]:
    table: dict[tuple[str, ...], list[tuple[float, Value, Record, str]]] = defaultdict(list)
    for r in readings:
        timed = r.section == "durations"
        for path, x, v in _leaves(r.tree, (), None, timed):
            table[path].append((x, v, r, ""))
        for path, x, v, how in _derived(r):
            table[path].append((x, v, r, how))
    if readings[0].section == "durations":
        _central(readings, table)
    for path, found in table.items():
        if len({round(x, 6) for x, *_ in found}) < 2 or len({id(r) for *_, r, _ in found}) < 2:
            continue
        if readings[0].section == "durations" and _restated(found):
            continue
        reports = {r.source.report.id for _, _, r, _ in found}
        code = "reports-disagree" if len(reports) > 1 else "internal-inconsistency"
        slip = _slip(found) if readings[0].section == "durations" else None
        code = "duration-unit" if slip else code
        shown = [
            (
                _printed(x, v, r) + (f" ({how})" if how else "") + _stat(path, v),
                v,
                v.locator if not how else f"{v.source.label}, derived: {how}",
            )
            for x, v, r, how in found
        ]
        values = " vs ".join(f"{s} in {loc}" for s, _, loc in shown)
        what = _what(readings[0].section, path if path[0] != "central" else (), _title(readings[0]))
        yield _disc(study, code, what, f"{what} differs: {values}" + (f" ({slip})" if slip else ""), *shown)


def _slip(found: list[tuple[float, Value, Record, str]]) -> str | None:
    """The first pair of printed durations of two readings that look like one restated (`unit_slip`)."""
    for i, (_, a, ra, _) in enumerate(found):
        for _, b, rb, _ in found[i + 1 :]:
            if ra is not rb:
                unit_a, unit_b = a.unit or _unit(ra), b.unit or _unit(rb)
                if (why := unit_slip(a, unit_a, b, unit_b)) is not None:
                    return why
    return None


def _restated(found: list[tuple[float, Value, Record, str]]) -> bool:
    """Whether every printed duration is the first one restated in another unit (`same_duration`)."""
    _, a, ra, _ = found[0]
    rest = [(b, rb) for x, b, rb, _ in found[1:] if round(x, 6) != round(found[0][0], 6)]
    return all(same_duration(a, a.unit or _unit(ra), b, b.unit or _unit(rb)) for b, rb in rest)


def _printed(x: float, v: Value, r: Record) -> str:
    """A compared number as shown: in months, with the number as printed when in another unit."""
    unit = v.unit or _unit(r)
    if isinstance(r, Duration) and unit != "months":
        return f"{_fmt(float(v))} {unit} ({_fmt(x)} months)"
    return _fmt(x)


def _unit(r: Record) -> str:
    return (r.unit if isinstance(r, Duration) else None) or "months"


def _stat(path: tuple[str, ...], v: Value) -> str:
    return f" months ({v.path[-1]})" if path and path[0] == "central" else ""


def _central(readings: list[Record], table: dict[tuple[str, ...], list[tuple[float, Value, Record, str]]]) -> None:
    """Durations reported with different statistics (median in one report, mean in another)."""
    stats: dict[int, tuple[str, Value, Duration]] = {}
    for r in readings:
        assert isinstance(r, Duration)
        for key in ("median", "mean", "value"):
            v = getattr(r, key)
            if v is not None:
                stats[id(r)] = (key, v, r)
                break
    if len({k for k, _, _ in stats.values()}) < 2:
        return
    for key, v, r in stats.values():
        table[("central", key)].append((months(v, r.unit), v, r, ""))
    merged = [e for k in list(table) if k[0] == "central" for e in table.pop(k)]
    table[("central", "mean or median")] = merged


def _comparisons(study: Study) -> Iterator[Discrepancy]:
    groups: dict[tuple[str, ...], list[Record]] = defaultdict(list)
    for section in READING_SECTIONS:
        if section == "cases":  # each described patient is one patient: compared with the rows instead
            continue
        for r in getattr(study, section):
            groups[_group_key(r)].append(r)
    for readings in groups.values():
        if len(readings) > 1:
            yield from _compare(study, readings)


# --- printed changes against the means they come from ----------------------------------


def _changes(study: Study) -> Iterator[Discrepancy]:
    for r in study.scores:
        base = next((p.mean for p in r.points if p.time_point == "baseline" and p.mean is not None), None)
        if base is None:
            continue
        for p in r.points:
            change = p.change.mean if p.change else None
            if p.mean is base or change is None or p.mean is None:
                continue
            diff = float(base) - float(p.mean)
            tol = sum(0.5 * 10 ** -decimals(v) for v in (base, p.mean, change)) + 1e-9
            if abs(abs(diff) - abs(float(change))) > tol:
                when = _time_key(p.time_point)
                yield _disc(
                    study,
                    "change-mismatch",
                    f"{r.scale} change at {when}",
                    f"{r.scale} change at {when} printed as {change.value}, but the means "
                    f"give {base.value} - {p.mean.value} = {_fmt(diff)}",
                    _entry(change),
                    _entry(base),
                    _entry(p.mean),
                )


# --- patient-level rows against the summary ------------------------------------------


def find_discrepancies(study: Study, vocab: Any = None) -> list[Discrepancy]:
    from evsynth.load.vocabulary import load_vocabularies

    covers = _covers(vocab or load_vocabularies())
    found: list[Discrepancy] = []
    for r in study.readings():
        found += _percent_checks(study, r.tree)
    found += [*_grim(study), *_comparisons(study), *_changes(study), *_rows(study, covers), *sd_bounds(study)]
    found += [*grim_counts(study), *grim_scores(study), *span_magnitude(study)]
    found += [*described_patients(study), *case_doses(study), *protocol_delivered(study)]
    vocabularies = vocab or load_vocabularies()
    found += [*metastases_sites(study), *cited_years(study), *naming_drift(study, vocabularies)]
    return found
