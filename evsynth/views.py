"""Helpers the templates use: numbers with their provenance, durations, certainty ratings.

Everything returned here is HTML or Markdown that is safe to insert: text from study files
is escaped (`md` for Markdown, `attr` for attribute values).
"""

from __future__ import annotations

import html
import re
from typing import Any

from .model import Reading, Study, Value
from .pool import Pooled
from .tables import NR, duration_months, duration_text, fmt

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def md(text: Any) -> str:
    """Untrusted text as inert Markdown: no HTML, no links, no emphasis, one line."""
    s = html.escape(_INVISIBLE.sub(" ", str(text)), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", s)


def attr(text: Any) -> str:
    """Untrusted text for an HTML attribute value."""
    return html.escape(_INVISIBLE.sub(" ", str(text)), quote=True)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def provenance(v: Value) -> str:
    parts = [v.locator]
    if v.printed:
        parts.append(f"printed as {v.printed}")
    if v.note:
        parts.append(v.note)
    if v.ambiguous:
        parts.append(f"uncertain reading: {v.ambiguous}")
    return "; ".join(parts)


def val(v: Any, suffix: str = "") -> str:
    """A number with its provenance on hover (title) and in print (data-prov)."""
    if not isinstance(v, Value):
        return f'<span class="nr">{NR}</span>' if v is None else md(v)
    mark = '<sup class="amb" title="uncertain reading">?</sup>' if v.ambiguous else ""
    prov = attr(provenance(v))
    unit = f" {md(v.unit)}" if v.unit else ""
    own = " own" if v.where or v.note or v.printed or v.ambiguous else ""
    return f'<span class="prov{own}" title="{prov}" data-prov="{prov}">{fmt(v.value)}{unit}{md(suffix)}</span>{mark}'


def prop(p: dict[str, Any] | None) -> str:
    """'15/18 (83%)' with provenance on each printed number."""
    if not p:
        return f'<span class="nr">{NR}</span>'
    n, of, pct = p.get("n"), p.get("of"), p.get("percent")
    text = val(n) if isinstance(n, Value) else ""
    if isinstance(of, Value):
        text = f"{text}/{val(of)}" if text else f"of {val(of)}"
    if isinstance(pct, Value):
        text += f" ({val(pct, '%')})"
    elif isinstance(n, Value) and isinstance(of, Value) and float(of) > 0:
        text += f" ({100 * float(n) / float(of):.0f}%, computed)"
    return text.strip() or f'<span class="nr">{NR}</span>'


def dur(d: dict[str, Any], source: Any = None) -> str:
    """A duration as printed, with its range in months and its provenance."""
    text = duration_text(d)
    if text == NR:
        return f'<span class="nr">{NR}</span>'
    lo, hi = duration_months(d)
    where = source.label if source is not None else ""
    values = [v for v in d.values() if isinstance(v, Value)]
    notes = "; ".join(x for v in values for x in (v.note, v.ambiguous) if x)
    title = attr("; ".join(x for x in (where, notes) if x))
    months = ""
    if lo is not None and hi is not None and (d.get("unit") != "months" or any(v.unit for v in values)):
        months = f" ({fmt(round(lo, 1))}{'–' + fmt(round(hi, 1)) if hi != lo else ''} months)"
    mark = '<sup class="amb" title="uncertain reading">?</sup>' if any(v.ambiguous for v in values) else ""
    return f'<span class="prov" title="{title}" data-prov="{title}">{md(text)}{months}</span>{mark}'


def time_point(r: Reading | dict[str, Any]) -> str:
    d = r.data if isinstance(r, Reading) else r
    tp = d.get("time_point")
    if isinstance(tp, dict):
        unit = str(tp["unit"])
        return f"{fmt(tp['value'])} {unit[:-1] if tp['value'] == 1 else unit}"
    if tp == "baseline":
        return "baseline"
    return md(d.get("timing", "not stated"))


def pct(x: float | None) -> str:
    return NR if x is None else f"{100 * x:.0f}%"


def certainty(pooled: Pooled | None, studies: list[Study]) -> tuple[str, list[str]]:
    """A GRADE-style certainty rating for a body of case series, with the reasons for it."""
    reasons = ["no comparison group: case series and case reports start at very low certainty"]
    designs = {s.design.data["type"] for s in studies}
    if designs & {"retrospective-case-series", "case-series", "not-reported"}:
        reasons.append("risk of bias: retrospective or unstated design, selected patients, unblinded outcomes")
    if pooled is not None:
        total = sum(s.total for s in pooled.studies)
        if total < 300 or pooled.ci_high - pooled.ci_low > 0.3:
            reasons.append(f"imprecision: {total} patients, 95% CI {pct(pooled.ci_low)} to {pct(pooled.ci_high)}")
        if pooled.k > 1 and pooled.i2 > 50:
            reasons.append(f"inconsistency: I² = {pooled.i2:.0f}%")
        if pooled.k == 1:
            reasons.append("a single study")
    reasons.append("indirectness: mixed primary tumours, sites and outcome definitions across studies")
    return "very low", reasons


def footnote_id(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", key)
