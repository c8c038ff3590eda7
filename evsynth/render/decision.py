"""The home page's decision table: one row per intervention with what a clinician decides from
(pain response, pain score, duration of relief, serious complications, certainty in one line), and
what the evidence is (how each study was read)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from evsynth.core.model import Study
from evsynth.render import views
from evsynth.render.sof import Table
from evsynth.synthesis.harms import Harms
from evsynth.synthesis.outcomes import REPORT_ORDER
from evsynth.synthesis.scores import ScoreAnalysis

md = views.md
# How a study was read: its most direct report.
READ_AS = {
    "full-text": "in full text",
    "abstract": "from an abstract only",
    "secondary-table": "only through another paper's table",
    "secondary-text": "only through another paper's text",
    "metadata": "from bibliographic data only",
}


@dataclass(frozen=True)
class Decision:
    group: str
    title: str
    studies: int
    patients: int
    pain: Markup
    score: Markup
    relief: Markup
    harms: Markup
    symbols: str
    certainty: str
    statement: str


def most_direct(study: Study) -> str:
    """The most direct report of a study, as the kind of reading it allowed."""
    kinds = sorted((r.kind for r in study.reports.values()), key=lambda k: REPORT_ORDER.get(k, 9))
    return kinds[0] if kinds else "metadata"


def reading_basis(studies: list[Study]) -> list[tuple[str, int]]:
    """(how read, number of studies), most direct first; kinds with no study left out."""
    counts = Counter(most_direct(s) for s in studies)
    return [(READ_AS[k], counts[k]) for k in READ_AS if counts[k]]


def _pain(pooled: list[dict[str, Any]], table: Table) -> Markup:
    rows = [r for r in pooled if r["outcome"] == "pain-relief"]
    if not rows:  # the summary of findings says why
        return Markup('<span class="nr">') + table.rows[0].result + Markup("</span>")
    parts = []
    for r in rows:
        p = r["pooled"]
        n, e = sum(s.total for s in p.studies), sum(s.events for s in p.studies)
        if p.k == 1:
            parts.append(md(f"{e}/{n} ({views.pct(p.estimate)}), {r['window_title']}"))
        else:
            ci = f"{views.pct(p.ci_low)} to {views.pct(p.ci_high)}"
            parts.append(md(f"{views.pct(p.estimate)} (95% CI {ci}), {p.k} studies, {n} patients, {r['window_title']}"))
    return Markup("<br>").join(parts)


def _score(analyses: list[ScoreAnalysis]) -> Markup:
    parts = []
    for a in analyses:
        if a.domain != "pain":
            continue
        if len(a.rows) == 1:
            r = a.rows[0]
            arrow = Markup(f"{views.val(r.before.mean)} → {views.val(r.after.mean)}")
            parts.append(md(f"{a.scale} ") + arrow + md(f", {a.window_title}"))
        elif a.change is not None:
            ch = a.change
            text = f"{a.scale} change {ch.estimate:.1f} (95% CI {ch.ci_low:.1f} to {ch.ci_high:.1f}), {ch.k} studies"
            parts.append(md(f"{text}, {a.window_title}"))
    return Markup("<br>").join(parts) if parts else views.NOT_REPORTED


def _harms(h: Harms) -> Markup:
    if h.graded:
        return md(f"{h.serious} in {h.graded_patients} patients ({h.graded} {'study' if h.graded == 1 else 'studies'})")
    if h.studies:
        return Markup('<span class="nr">not graded</span>')
    if h.other_units:
        return Markup('<span class="nr">not counted in patients</span>')
    return views.NOT_REPORTED


def decision(g: dict[str, Any], table: Table) -> Decision:
    """One intervention's row, its certainty and statement taken from its first rated
    summary-of-findings row (pain when pooled), naming that outcome when it is not pain."""
    first = next((r for r in table.rows if r.certainty is not None), table.rows[0])
    of = "" if first is table.rows[0] else f" ({first.outcome.lower()})"
    relief = g["relief"]
    relief_text = views.NOT_REPORTED
    if relief:
        relief_text = md(f"{relief[0]} to {relief[1]} months ({g['relief_studies']} studies)")
    return Decision(
        group=g["group"], title=g["title"], studies=g["n_studies"], patients=g["patients"],
        pain=_pain(g["pooled"], table), score=_score(g["score_analyses"]), relief=relief_text, harms=_harms(g["harms"]),
        symbols=first.symbols, certainty=(first.certainty.words if first.certainty else "not rated") + of,
        statement=first.claim,
    )  # fmt: skip
