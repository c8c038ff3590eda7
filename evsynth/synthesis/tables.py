"""Stage 3, pool: comparison tables with pandas, from validated studies only.

The seed tables of Chiras 2004 (Tables 2-4) are regenerated from the study files in their
printed layout; the comparisons then extend to every study and intervention. Durations are
shown as printed and normalised to months; "not reported" stays visible.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from evsynth.core.model import Study, Value, months
from evsynth.core.records import Complication, Duration, Population, Span
from evsynth.core.vocab import Vocabularies
from evsynth.load.vocabulary import load_vocabularies
from evsynth.synthesis.outcomes import (
    NOT_STATED,
    POOLED_OUTCOMES,
    RULES,
    WINDOWS,
    choose_outcome,
    outcomes,
    strict_events,
)
from evsynth.synthesis.pool import Pooled, pool_proportions

NR = "not reported"
DASH = "–"


def fmt(x: float | int | None) -> str:
    if x is None:
        return NR
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def _unit(v: Value, default: str | None) -> str:
    unit = v.unit or default or "months"
    return unit[:-1] if float(v.value) == 1 else unit


def duration_text(d: Duration | Span, words: bool = True) -> str:
    """A duration as printed: '2.5 months', '1–6 months', '3.5 months–1 year'; 'not reported'."""
    unit = d.unit
    lo, hi = d.min, d.max
    if isinstance(lo, Value) and isinstance(hi, Value):
        if (lo.unit or unit) == (hi.unit or unit):
            text = f"{fmt(lo.value)}{DASH}{fmt(hi.value)} {_unit(hi, unit)}"
        else:
            text = f"{fmt(lo.value)} {_unit(lo, unit)}{DASH}{fmt(hi.value)} {_unit(hi, unit)}"
    elif isinstance(hi, Value):
        text = f"up to {fmt(hi.value)} {_unit(hi, unit)}"
    else:
        text = ""
    for v, word in ((d.value, ""), (d.mean, "mean "), (d.median, "median ")):
        if v is not None:
            one = f"{word if words else ''}{fmt(v.value)} {_unit(v, unit)}"
            sd = getattr(d, "sd", None)
            if v is d.mean and isinstance(sd, Value):
                one = f"{one}, SD {fmt(sd.value)}"
            text = one if not text else f"{text} ({one})"
    return text or NR


def duration_months(d: Duration | Span) -> tuple[float | None, float | None]:
    """(shortest, longest) in months, a single value counting as both."""
    given = {"min": d.min, "max": d.max, "value": d.value, "mean": d.mean, "median": d.median}
    vals = {k: months(v, d.unit) for k, v in given.items() if v is not None}
    lo = vals.get("min", vals.get("value", vals.get("median", vals.get("mean"))))
    hi = vals.get("max", vals.get("value", vals.get("median", vals.get("mean"))))
    return lo, hi


# --- the seed tables of Chiras 2004 -----------------------------------------------------


# --- comparisons across every study --------------------------------------------------------


def primary_population(study: Study) -> Population | None:
    """The population reading of the most direct report that counts patients."""
    from evsynth.synthesis.outcomes import REPORT_ORDER

    with_n = [r for r in study.population if r.patients is not None]
    return min(with_n, key=lambda r: REPORT_ORDER.get(r.source.report.kind, 9)) if with_n else None


def patients(study: Study) -> int | None:
    r = primary_population(study)
    return int(r.patients.value) if r and r.patients else None


def relief_duration(study: Study) -> Duration | None:
    from evsynth.synthesis.outcomes import REPORT_ORDER

    rs = [r for r in study.durations if r.kind == "pain-relief"]
    return min(rs, key=lambda r: REPORT_ORDER.get(r.source.report.kind, 9)) if rs else None


def comparison_table(studies: list[Study], vocab: Vocabularies | None = None) -> pd.DataFrame:
    """One row per study: the comparison of Chiras' Tables 3 and 4, for every intervention."""
    vocab = vocab or load_vocabularies()
    rows = []
    for s in studies:
        pain = choose_outcome(s, "pain-relief")
        radio = choose_outcome(s, "radiological")
        relief = relief_duration(s)
        surv = next((r for r in s.durations if r.kind == "survival"), None)
        lo, hi = duration_months(relief) if relief else (None, None)
        rows.append(
            {
                "study": s.id,
                "label": s.label,
                "year": s.year,
                "group": s.group,
                "intervention": s.category,
                "design": s.design.type.replace("-", " "),
                "patients": patients(s),
                "pain_relief": _prop_text(pain),
                "pain_relief_events": pain.events if pain else None,
                "pain_relief_total": pain.total if pain else None,
                "relief_duration": duration_text(relief) if relief else NR,
                "relief_min_months": lo,
                "relief_max_months": hi,
                "survival": duration_text(surv) if surv else NR,
                "radiological_response": _prop_text(radio),
                "complications": "; ".join(_complication(c) for c in s.complications) or NR,
                "extraction": s.extraction.status,
            }
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


COMPARISON_COLUMNS = [
    "study",
    "label",
    "year",
    "group",
    "intervention",
    "design",
    "patients",
    "pain_relief",
    "pain_relief_events",
    "pain_relief_total",
    "relief_duration",
    "relief_min_months",
    "relief_max_months",
    "survival",
    "radiological_response",
    "complications",
    "extraction",
]


def _prop_text(o: Any) -> str:
    if o is None:
        return NR
    if o.events is None:
        pct = o.reading.responders.percent if o.reading.responders else None
        return f"{fmt(pct.value)}%" if pct is not None else NR
    if not o.total:
        return f"{o.events} (denominator not reported)"
    derived = {"from percentage": ", back-calculated from the printed %", "categories": ", sum of categories"}
    return f"{o.events}/{o.total} ({100 * o.events / o.total:.0f}%{derived.get(o.how, '')})" + (
        "" if o.per == "patients" else " (unit not stated)" if o.per == "not-stated" else f" {o.per}"
    )


def _complication(c: Complication) -> str:
    n, pct = c.n, c.percent
    count = fmt(n.value) if n is not None else (f"{fmt(pct.value)}%" if pct is not None else "n not reported")
    return f"{c.event}: {count}"


def pooled_results(studies: list[Study], vocab: Vocabularies | None = None) -> list[dict[str, Any]]:
    """Pooled proportion per outcome, time window and intervention group (and across all groups):
    never across windows, units (only per-patient counts are pooled) or outcome kinds."""
    vocab = vocab or load_vocabularies()
    out = []
    for kind, title in POOLED_OUTCOMES.items():
        for slug, words in [(slug, words) for slug, words, _ in WINDOWS] + [NOT_STATED]:
            found = [o for o in outcomes(studies, kind, slug) if o.poolable]
            groups: dict[str, list[Any]] = defaultdict(list)
            for o in found:
                groups[o.study.group].append(o)
            if len({o.study.group for o in found}) > 1:
                groups["all"] = found
            for group, members in sorted(groups.items()):
                out.append({
                    "outcome": kind, "outcome_title": title, "window": slug, "window_title": words,
                    "group": group, "group_title": vocab.groups.get(group, "All interventions (mixed)"),
                    "pooled": pool_proportions([o.proportion() for o in members]), "outcomes": members,
                    "figure": f"forest-{kind}-{group}-{slug}.svg", "strict": _strict(members),
                    "definitions_differ": len({o.reading.definition or o.reading.criterion for o in members}) > 1,
                })  # fmt: skip
    return out


def _strict(members: list[Any]) -> Pooled | None:
    """The sensitivity analysis by the strict rule (best category only), over the studies whose
    graded categories allow it."""
    graded = [(o, e) for o in members if (e := strict_events(o)) is not None]
    return pool_proportions([o.proportion(e) for o, e in graded]) if graded else None


def pooled_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per analysis: the main rule, then (for graded outcomes) the strict-rule sensitivity."""
    rows = []
    for r in results:
        for rule, p in (("main", r["pooled"]), ("strict", r["strict"])):
            if p is not None:
                rows.append(_pooled_row(r, rule, p))
    return pd.DataFrame(rows, columns=POOLED_COLUMNS)


def _pooled_row(r: dict[str, Any], rule: str, p: Pooled) -> dict[str, Any]:
    return {
        "intervention": r["group"], "outcome": r["outcome"], "measure": "PLO", "unit": "patients",
        "timepoint": r["window_title"], "rule": RULES[rule], "k": p.k, "n": sum(s.total for s in p.studies),
        "events": sum(s.events for s in p.studies), "estimate": p.estimate, "ci_low": p.ci_low, "ci_high": p.ci_high,
        "pi_low": p.pi_low, "pi_high": p.pi_high, "tau2": p.tau2, "i2": p.i2, "q": p.q, "tau2_method": p.tau2_method,
        "ci_method": p.ci_method, "studies": " ".join(s.study for s in p.studies), "cautions": " | ".join(p.cautions),
    }  # fmt: skip


POOLED_COLUMNS = [
    "intervention",
    "outcome",
    "measure",
    "unit",
    "timepoint",
    "rule",
    "k",
    "n",
    "events",
    "estimate",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "tau2",
    "i2",
    "q",
    "tau2_method",
    "ci_method",
    "studies",
    "cautions",
]


def duration_span(studies: list[Study]) -> dict[str, Any]:
    """Range of pain-relief duration across studies, with the studies that set each end."""
    spans: list[tuple[Study, float, float]] = []
    for s in studies:
        r = relief_duration(s)
        lo, hi = duration_months(r) if r else (None, None)
        if lo is not None and hi is not None:
            spans.append((s, lo, hi))
    if not spans:
        return {"low": None, "high": None, "low_studies": [], "high_studies": [], "ambiguous": []}
    low = min(lo for _, lo, _ in spans)
    high = max(hi for _, _, hi in spans)
    return {
        "low": low,
        "high": high,
        "low_studies": [s for s, lo, _ in spans if lo == low],
        "high_studies": [s for s, _, hi in spans if hi == high],
        "ambiguous": [s for s, _, _ in spans if (r := relief_duration(s)) and r.ambiguous],
    }


def group_summary(studies: list[Study], vocab: Vocabularies | None = None) -> pd.DataFrame:
    vocab = vocab or load_vocabularies()
    rows = []
    for group, title in vocab.groups.items():
        members = [s for s in studies if s.group == group]
        span = duration_span(members)
        rows.append(
            {
                "group": group,
                "intervention": title,
                "studies": len(members),
                "patients": sum(patients(s) or 0 for s in members),
                "relief_from_months": span["low"],
                "relief_to_months": span["high"],
                "set_by": ", ".join(s.label for s in span["low_studies"] + span["high_studies"]),
            }
        )
    return pd.DataFrame(rows)


def scores_frame(analyses: list[Any]) -> pd.DataFrame:
    """The pooled scores as rows of pooled.csv: MN (mean after) and MC (mean change, before - after)."""
    rows = []
    for a in analyses:
        for p in (a.after, a.change):
            if p is None:
                continue
            rows.append({
                "intervention": a.group, "outcome": f"{a.domain}-score", "measure": p.measure,
                "unit": f"points ({a.scale})", "timepoint": a.window_title, "rule": None, "k": p.k,
                "n": sum(getattr(st, "n", 0) for st in p.studies), "events": None, "estimate": p.estimate,
                "ci_low": p.ci_low, "ci_high": p.ci_high, "pi_low": p.pi_low, "pi_high": p.pi_high, "tau2": p.tau2,
                "i2": p.i2, "q": p.q, "tau2_method": p.tau2_method, "ci_method": p.ci_method,
                "studies": " ".join(st.study for st in p.studies), "cautions": " | ".join(p.cautions),
            })  # fmt: skip
    return pd.DataFrame(rows, columns=POOLED_COLUMNS)
