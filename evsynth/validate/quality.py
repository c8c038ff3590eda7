"""Data-quality findings that belong to the sources, not the editor (warnings, exit 0).

Each finding is a `Discrepancy` with every value involved and its provenance; the site
publishes them as the discrepancy report. Nothing here is a hand-written list: every
finding is computed from the study file.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from evsynth.core.model import Reading, Study, Value, months
from evsynth.validate.discrepancy import Discrepancy, _disc, _entry, _fmt, _leaves, _time_key, _what, decimals
from evsynth.validate.quality_rows import _covers, _rows

# --- printed percentages -------------------------------------------------------------


def percent_possible(pct: float, of: int) -> bool:
    """Whether some whole count k of `of` gives a percentage within a point of `pct` (constant time:
    the count nearest pct% of `of` is the only candidate worth trying)."""
    k = min(max(round(pct * of / 100), 0), of)
    return abs(100 * k / of - pct) < 1


def _percent_checks(study: Study, node: Any, denominator: Value | None) -> Iterator[Discrepancy]:
    if isinstance(node, dict):
        of = node.get("of") if isinstance(node.get("of"), Value) else denominator
        n, pct = node.get("n"), node.get("percent")
        if isinstance(pct, Value) and isinstance(of, Value) and float(of) > 0:
            if isinstance(n, Value):
                exact = 100 * float(n) / float(of)
                if abs(exact - float(pct)) >= 1:
                    yield _disc(
                        study,
                        "percent-mismatch",
                        "printed percentage",
                        f"{_fmt(float(pct))}% printed for {n.value}/{of.value}, which is {_fmt(exact)}%",
                        _entry(pct, f"{_fmt(float(pct))}%"),
                        _entry(n, f"{n.value}/{of.value}"),
                    )
            elif not percent_possible(float(pct), int(of.value)):
                yield _disc(
                    study,
                    "percent-impossible",
                    "printed percentage",
                    f"{_fmt(float(pct))}% is not a whole number of patients out of {of.value}",
                    _entry(pct, f"{_fmt(float(pct))}%"),
                    _entry(of),
                )
        inner = node.get("n") if isinstance(node.get("n"), Value) and "categories" in node else None
        evaluated = node.get("evaluated")
        for key, v in node.items():
            sub_den = of
            if key == "categories":
                resp = node.get("responders") or {}
                ev_n = evaluated.get("n") if isinstance(evaluated, dict) else None
                sub_den = resp.get("of") if isinstance(resp.get("of"), Value) else ev_n
            elif key == "responders":
                ev_n = evaluated.get("n") if isinstance(evaluated, dict) else None
                sub_den = ev_n if isinstance(ev_n, Value) else None
            elif key == "evaluated":
                sub_den = None
            yield from _percent_checks(study, v, sub_den if isinstance(sub_den, Value) else inner)
    elif isinstance(node, list):
        for v in node:
            yield from _percent_checks(study, v, denominator)


# --- GRIM: a mean impossible for its n -------------------------------------------------


def grim_possible(mean: float, n: int, places: int) -> bool:
    """Whether some whole-number total over n rounds to the printed mean."""
    if n <= 0:
        return True
    target = mean * n
    return any(
        round(s / n, places) == round(mean, places) or abs(s / n - mean) <= 0.5 * 10**-places + 1e-9
        for s in (math.floor(target), math.ceil(target))
    )


def _grim(study: Study) -> Iterator[Discrepancy]:
    for r in study.population:
        age, n = r.data.get("age") or {}, r.data.get("patients")
        mean = age.get("mean")
        if (
            isinstance(mean, Value)
            and isinstance(n, Value)
            and not grim_possible(float(mean), int(n.value), decimals(mean))
        ):
            yield _disc(
                study,
                "grim-impossible",
                "mean age",
                f"a mean age of {mean.value} is impossible for {n.value} whole-year ages",
                _entry(mean),
                _entry(n),
            )


# --- the same measure from two reports (or two places) ---------------------------------


def _derived(r: Reading) -> Iterator[tuple[tuple[str, ...], float, Value, str]]:
    """Totals a reading implies without printing them (responders from categories, site sums)."""
    cats = r.data.get("categories", [])
    if r.section == "responses" and "responders" not in r.data and r.data.get("exhaustive"):
        resp = [c for c in cats if c.get("response") and isinstance(c.get("n"), Value)]
        if resp:
            names = " + ".join(f"{c['n'].value} {c['name']}" for c in resp)
            yield ("responders", "n"), sum(float(c["n"]) for c in resp), resp[0]["n"], names
    prims = r.data.get("primaries", [])
    if r.section == "population" and prims and all(isinstance(p.get("n"), Value) for p in prims):
        if "patients" not in r.data:
            yield ("patients",), sum(float(p["n"]) for p in prims), prims[0]["n"], "sum of the primary tumour rows"
        for key in ("solitary", "multiple"):
            vals = [p[key] for p in prims if isinstance(p.get(key), Value)]
            if vals and "metastases" not in r.data:
                yield ("metastases", key), sum(float(v) for v in vals), vals[0], f"sum of the {key} column"
        if "sites" not in r.data and all(p.get("sites") for p in prims):
            totals: dict[str, list[Value]] = defaultdict(list)
            for p in prims:
                for s in p["sites"]:
                    if isinstance(s.get("n"), Value):
                        totals[s["site"]].append(s["n"])
            for site, vals in totals.items():
                yield ("sites", site, "n"), sum(float(v) for v in vals), vals[0], f"sum of the {site} column"


def _group_key(r: Reading) -> tuple[str, ...]:
    d = r.data
    if r.section == "responses":
        return (r.section, d["kind"], _time_key(d.get("time_point", "")), d.get("per", "patients"))
    if r.section == "durations":
        return (r.section, d["kind"])
    if r.section == "complications":
        return (r.section, re.sub(r"\W+", " ", d["event"].casefold()).strip(), d.get("per", "patients"))
    if r.section == "scores":
        return (r.section, d["domain"], d["scale"].casefold(), str(d.get("label", "")).casefold())
    return (r.section,)


def _title(r: Reading) -> str:
    """How a group of readings is named in messages: 'radiological response at 1 month', 'survival'."""
    d = r.data
    if r.section == "responses":
        when = f" at {_time_key(d['time_point'])}" if "time_point" in d else ""
        return f"{d['kind'].replace('-', ' ')} response{when}"
    if r.section == "durations":
        return f"{d['kind'].replace('-', ' ')} duration"
    if r.section == "complications":
        return f"complication '{d['event']}'"
    if r.section == "scores":
        return f"{d['scale']} {d.get('label', '')}".strip()
    return r.section


def _compare(study: Study, readings: list[Reading]) -> Iterator[Discrepancy]:
    table: dict[tuple[str, ...], list[tuple[float, Value, Reading, str]]] = defaultdict(list)
    for r in readings:
        timed = r.section == "durations"
        for path, x, v in _leaves(r.data, (), None, timed):
            table[path].append((x, v, r, ""))
        for path, x, v, how in _derived(r):
            table[path].append((x, v, r, how))
    if readings[0].section == "durations":
        _central(readings, table)
    for path, found in table.items():
        if len({round(x, 6) for x, *_ in found}) < 2 or len({id(r) for *_, r, _ in found}) < 2:
            continue
        reports = {r.source.report.id for _, _, r, _ in found}
        code = "reports-disagree" if len(reports) > 1 else "internal-inconsistency"
        shown = [
            (
                _fmt(x) + (f" ({how})" if how else "") + _stat(path, v),
                v,
                v.locator if not how else f"{v.source.label}, derived: {how}",
            )
            for x, v, _, how in found
        ]
        values = " vs ".join(f"{s} in {loc}" for s, _, loc in shown)
        what = _what(readings[0].section, path if path[0] != "central" else (), _title(readings[0]))
        yield _disc(study, code, what, f"{what} differs: {values}", *shown)


def _stat(path: tuple[str, ...], v: Value) -> str:
    return f" months ({v.path[-1]})" if path and path[0] == "central" else ""


def _central(readings: list[Reading], table: dict[tuple[str, ...], list[tuple[float, Value, Reading, str]]]) -> None:
    """Durations reported with different statistics (median in one report, mean in another)."""
    stats = {}
    for r in readings:
        for key in ("median", "mean", "value"):
            if isinstance(r.data.get(key), Value):
                stats[id(r)] = (key, r)
                break
    if len({k for k, _ in stats.values()}) < 2:
        return
    for key, r in stats.values():
        v = r.data[key]
        table[("central", key)].append((months(v, r.data.get("unit")), v, r, ""))
    merged = [e for k in list(table) if k[0] == "central" for e in table.pop(k)]
    table[("central", "mean or median")] = merged


def _comparisons(study: Study) -> Iterator[Discrepancy]:
    groups: dict[tuple[str, ...], list[Reading]] = defaultdict(list)
    for section in ("population", "procedures", "responses", "durations", "complications", "scores"):
        for r in getattr(study, section):
            groups[_group_key(r)].append(r)
    for readings in groups.values():
        if len(readings) > 1:
            yield from _compare(study, readings)


# --- printed changes against the means they come from ----------------------------------


def _changes(study: Study) -> Iterator[Discrepancy]:
    for r in study.scores:
        points = r.data["points"]
        base = next((p for p in points if p["time_point"] == "baseline" and isinstance(p.get("mean"), Value)), None)
        if base is None:
            continue
        for p in points:
            change = (p.get("change") or {}).get("mean")
            if p is base or not isinstance(change, Value) or not isinstance(p.get("mean"), Value):
                continue
            diff = float(base["mean"]) - float(p["mean"])
            tol = sum(0.5 * 10 ** -decimals(v) for v in (base["mean"], p["mean"], change)) + 1e-9
            if abs(abs(diff) - abs(float(change))) > tol:
                when = _time_key(p["time_point"])
                yield _disc(
                    study,
                    "change-mismatch",
                    f"{r.data['scale']} change at {when}",
                    f"{r.data['scale']} change at {when} printed as {change.value}, but the means "
                    f"give {base['mean'].value} - {p['mean'].value} = {_fmt(diff)}",
                    _entry(change),
                    _entry(base["mean"]),
                    _entry(p["mean"]),
                )


# --- patient-level rows against the summary ------------------------------------------


def find_discrepancies(study: Study, vocab: Any = None) -> list[Discrepancy]:
    from evsynth.load.vocabulary import load_vocabularies

    covers = _covers(vocab or load_vocabularies())
    found: list[Discrepancy] = []
    for r in study.readings():
        found += _percent_checks(study, r.data, None)
    found += [*_grim(study), *_comparisons(study), *_changes(study), *_rows(study, covers)]
    return found
