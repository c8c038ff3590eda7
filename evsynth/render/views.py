"""Helpers the templates use: numbers with their provenance, durations, certainty ratings.

Everything returned here is Markdown (with inline HTML) that is safe to insert, marked as such
with `Markup`: text from study files goes through the escaping boundary (`evsynth.escape`).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from markupsafe import Markup

from evsynth.core import escape
from evsynth.core.model import Study, Value
from evsynth.core.records import Complication, Duration, Point, Proportion, Response, Span, TimePoint
from evsynth.synthesis.tables import NR, duration_months, duration_text, fmt

# Text in Markdown and attribute values of raw HTML inside Markdown share one escaping.
md = attr = escape.markdown
NOT_REPORTED = Markup(f'<span class="nr">{NR}</span>')
NOT_POOLED = Markup('<span class="nr">not counted in patients</span>')
AMBIGUOUS = Markup('<sup class="amb" title="uncertain reading">?</sup>')
INFERRED = Markup('<sup class="inf" title="not printed: inferred">inferred</sup>')


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def count(n: int, one: str, many: str) -> str:
    """`n` with the word for one or for many: "1 patient", "12 patients"."""
    return f"{n} {one if n == 1 else many}"


def provenance(v: Value) -> str:
    parts = [v.locator]
    if v.printed:
        parts.append(f"printed as {v.printed}")
    if v.note:
        parts.append(v.note)
    if v.ambiguous:
        parts.append(f"uncertain reading: {v.ambiguous}")
    if v.inferred:
        parts.append(f"not printed, inferred: {v.inferred}")
    return "; ".join(parts)


def val(v: Any, suffix: str = "") -> Markup:
    """A number with its provenance on hover, focus and tap (data-prov: a popover by prov.js, title without
    script) and in print (data-prov in brackets)."""
    if not isinstance(v, Value):
        return NOT_REPORTED if v is None else md(v)
    mark = (AMBIGUOUS if v.ambiguous else "") + (INFERRED if v.inferred else "")
    prov = attr(provenance(v))
    unit = f" {md(v.unit)}" if v.unit else ""
    own = " own" if v.where or v.note or v.printed or v.ambiguous or v.inferred else ""
    own += " inferred" if v.inferred else ""
    number = md(fmt(v.value)) if isinstance(v.value, str) else Markup(fmt(v.value))
    return Markup(f'<span class="prov{own}" title="{prov}" data-prov="{prov}">{number}{unit}{md(suffix)}</span>{mark}')


def prop(p: Proportion | Complication | None) -> Markup:
    """'15/18 (83%)' with provenance on each printed number."""
    if p is None:
        return NOT_REPORTED
    n, of, pct = p.n, p.of, p.percent
    text = val(n) if isinstance(n, Value) else ""
    if isinstance(of, Value):
        text = f"{text}/{val(of)}" if text else f"of {val(of)}"
    if isinstance(pct, Value):
        text += f" ({val(pct, '%')}{'' if isinstance(of, Value) else ', denominator not printed'})"
    elif isinstance(n, Value) and isinstance(of, Value) and float(of) > 0:
        text += f" ({100 * float(n) / float(of):.0f}%, computed)"
    return Markup(text.strip()) if text.strip() else NOT_REPORTED


def dur(d: Duration | Span, source: Any = None) -> Markup:
    """A duration as printed, with its range in months and its provenance."""
    text = duration_text(d)
    if text == NR:
        return NOT_REPORTED
    lo, hi = duration_months(d)
    where = source.label if source is not None else ""
    given = (d.value, d.mean, d.sd, d.median, d.min, d.max)
    values = sorted((v for v in given if v is not None), key=lambda v: (v.line, v.column))  # as written
    notes = "; ".join(x for v in values for x in (v.note, v.ambiguous) if x)
    title = attr("; ".join(x for x in (where, notes) if x))
    months = ""
    if lo is not None and hi is not None and (d.unit != "months" or any(v.unit for v in values)):
        months = f" ({fmt(round(lo, 1))}{'–' + fmt(round(hi, 1)) if hi != lo else ''} months)"
    mark = AMBIGUOUS if any(v.ambiguous for v in values) else ""
    return Markup(f'<span class="prov" title="{title}" data-prov="{title}">{md(text)}{md(months)}</span>{mark}')


def time_point(r: Response | Point) -> Markup:
    tp = r.time_point
    if isinstance(tp, TimePoint):
        return md(f"{fmt(tp.value)} {tp.unit[:-1] if tp.value == 1 else tp.unit}")
    if tp == "baseline":
        return Markup("baseline")
    return md((r.timing if isinstance(r, Response) else None) or "not stated")


def pct(x: float | None) -> str:
    return NR if x is None else f"{100 * x:.0f}%"


def fid(key: str) -> Markup:
    """A footnote or anchor id for a citation key, as template output (letters, digits, - and _)."""
    return Markup(footnote_id(key))


_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


def footnote_id(key: str) -> str:
    return _NOT_ID.sub("-", key)


# --- views of the synthesis the templates print (counts, totals, sorted rows, formatted ranges) ---


def relief_range(span: Any) -> tuple[str, str] | None:
    """A group's pain-relief range in months, each end rounded to 0.1, or None when not reported."""
    if span is None:
        return None
    lo, hi = span["relief_from_months"], span["relief_to_months"]
    if lo is None or lo is pd.NA or (isinstance(lo, float) and lo != lo):
        return None
    return fmt(round(lo, 1)), fmt(round(hi, 1))


def group_view(span: Any, pooled: list[dict[str, Any]], studies: list[Study]) -> dict[str, Any]:
    """What a group's pages print: counts and totals, the relief range, each pooled result's patients."""
    return {
        "n_studies": len(studies),
        "patients": int(span["patients"]) if span is not None else 0,
        "relief": relief_range(span),
        "set_by": span["set_by"] if span is not None else "",
        "pooled": [{**r, "patients": sum(s.total for s in r["pooled"].studies)} for r in pooled],
    }


def studies_rows(comparison: pd.DataFrame) -> list[dict[str, Any]]:
    """The comparison's rows, newest first, then by study label."""
    ordered = comparison.sort_values(["year", "label"], ascending=[False, True])
    return [dict(row) for _, row in ordered.iterrows()]


def primary_rows(primaries: dict[str, list[tuple[Study, int | None]]]) -> list[tuple[str, int, int]]:
    """(primary, studies, patients where counted) per primary tumour."""
    return [(prim, len(rows), sum(n for _, n in rows if n is not None)) for prim, rows in primaries.items()]


def by_extraction_date(studies: list[Study]) -> list[Study]:
    return sorted(studies, key=lambda s: s.extraction.date, reverse=True)


# Display labels of the synthesis tables' columns (identifiers there; words here).
COLUMN_LABELS = {
    "label": "Study", "year": "Year", "intervention": "Intervention", "design": "Design", "patients": "Patients",
    "pain_relief": "Pain relief", "pain_relief_events": "Pain relief n", "pain_relief_total": "Pain relief N",
    "relief_duration": "Duration of pain relief", "relief_min_months": "Relief min (months)",
    "relief_max_months": "Relief max (months)", "survival": "Survival",
    "radiological_response": "Radiological response",
    "complications": "Complications", "extraction": "Extraction", "studies": "Studies",
    "relief_from_months": "Relief from (months)", "relief_to_months": "Relief to (months)", "set_by": "Set by",
}  # fmt: skip


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)


def indirectness(study: Study) -> tuple[Any, ...]:
    """The indirectness recorded on the study and on its responses and scores, for the study page."""
    outcomes = [i for r in study.responses for i in r.indirectness] + [i for r in study.scores for i in r.indirectness]
    return study.indirectness + tuple(outcomes)


def _num(x: float) -> str:
    return f"{x:.1f}"


def _ci(p: Any) -> str:
    return f"{_num(p.estimate)} (95% CI {_num(p.ci_low)} to {_num(p.ci_high)})"


def _with_sd(pt: Any) -> Markup:
    return Markup(f"{val(pt.mean)} (SD {val(pt.sd)})") if pt.sd is not None else val(pt.mean)


def score_view(a: Any) -> dict[str, Any]:
    """One score analysis, formatted: a heading, a row per study, the pooled lines."""
    rows = [{"study": r.study, "before": _with_sd(r.before), "after": _with_sd(r.after), "when": time_point(r.after),
             "n": val(r.n), "pooled": r.poolable, "converted": r.converted} for r in a.rows]  # fmt: skip
    lines = []
    if a.after is not None:
        how = "Pooled mean" if a.after.k > 1 else "Single study, not pooled: mean"
        lines.append(f"{how} score after: {_ci(a.after)}, {a.after.k} {'study' if a.after.k == 1 else 'studies'}")
    if a.change is not None:
        how = "Pooled mean" if a.change.k > 1 else "Single study, not pooled: mean"
        sens = "; ".join(f"r = {r:g}: {_num(p.estimate)}" for r, p in a.sensitivity if r != a.change.assumed_r)
        assumed = f", before-after correlation assumed {a.change.assumed_r:g} ({sens})" if a.change.assumed_r else ""
        lines.append(f"{how} change before − after: {_ci(a.change)}{assumed}")
    first = a.change or a.after
    title = md(f"{a.domain.capitalize()} score ({a.scale}), {a.window_title}")
    return {"title": title, "rows": rows, "lines": lines, "cautions": list(first.cautions) if first else []}


def dose(d: Any) -> Markup:
    """A dose as '10 mg' or '1–2 mg/h', each number with its provenance: one place for every page."""
    amount = val(d.value) if d.value is not None else Markup(f"{val(d.min)}–{val(d.max)}")
    return Markup(f"{amount} {md(d.unit)}")
