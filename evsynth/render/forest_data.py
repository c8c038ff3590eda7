"""What a forest plot shows, as a view of the synthesis: one plot per outcome, the interventions
(by time window) as subgroups, a row per study with its data, estimate, interval and weight.

Pooling is the synthesis's (per intervention and time window, never across units or windows); this
module only arranges it and adds the random-effects weights (1 / (v_i + tau²), in % of the
subgroup). Rows that are shown but not pooled (counted per embolization, a case report, no SD)
carry a note saying why, as do indirect data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from evsynth.core.model import Study, Value
from evsynth.core.records import Indirectness, TimePoint
from evsynth.render.plotting import plain
from evsynth.render.views import slug
from evsynth.synthesis.continuous import ASSUMED_R, PooledContinuous, effects
from evsynth.synthesis.outcomes import NOT_STATED, POOLED_OUTCOMES, WINDOWS, Outcome, outcomes
from evsynth.synthesis.pool import Pooled, StudyProportion, logit_effects, z_critical
from evsynth.synthesis.scores import ScoreAnalysis, ScoreRow, mean_sd

Scale = Literal["proportion", "score"]
WINDOW_ORDER = [slug for slug, _, _ in WINDOWS] + [NOT_STATED[0]]
LONG_TIME = 16  # a printed timing longer than this goes to a note


@dataclass(frozen=True)
class Row:
    """One study in a subgroup: its data as text, its estimate and 95% CI, its weight in %."""

    study: str
    label: str
    time: str
    data: tuple[str, ...]  # the data columns: ("15/18",) or ("7.7 (0.8)", "2.0 (0.6)", "18")
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    weight: float | None  # % of the subgroup's pooled analysis; None when nothing is pooled
    pooled: bool  # enters the subgroup's analysis
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """A pooled subgroup (k > 1): random-effects estimate, CI, prediction interval, heterogeneity."""

    k: int
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float | None
    pi_high: float | None
    tau2: float
    i2: float
    q: float
    q_p: float | None
    method: str


@dataclass(frozen=True)
class Subgroup:
    group: str
    group_title: str
    window: str
    window_title: str
    rows: tuple[Row, ...]
    summary: Summary | None  # only where something is pooled (k > 1)

    @property
    def status(self) -> str:
        """What the subgroup's last line says when it has no diamond."""
        if self.summary is not None:
            return ""
        if sum(r.pooled for r in self.rows) == 1:
            return "Single study, not pooled"
        return "Not pooled (see the notes)"


@dataclass(frozen=True)
class Forest:
    key: str  # file-name part: 'pain-relief', 'score-pain-vas'
    title: str
    scale: Scale
    axis: str
    headers: tuple[str, ...]  # of the data columns
    subgroups: tuple[Subgroup, ...]
    footer: tuple[str, ...] = field(default=())  # notes on the whole plot (no letter)

    @property
    def notes(self) -> list[tuple[str, str]]:
        """(letter, text) of every row note, lettered in order of first appearance."""
        seen = list(dict.fromkeys(n for sg in self.subgroups for r in sg.rows for n in r.notes))
        return [(chr(ord("a") + i) if i < 26 else str(i + 1), n) for i, n in enumerate(seen)]

    def only(self, group: str) -> Forest:
        """The same plot with only one intervention's subgroups (for its own page)."""
        return replace(self, subgroups=tuple(sg for sg in self.subgroups if sg.group == group))

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(sg.group for sg in self.subgroups))


def weights(v: Sequence[float] | np.ndarray, tau2: float) -> list[float]:
    """Random-effects weights in % (1 / (v_i + tau²), normalised)."""
    w = 1 / (np.asarray(v, dtype=float) + tau2)
    return [float(x) for x in 100 * w / w.sum()]


def _indirect(items: Iterable[Indirectness]) -> list[str]:
    return [f"Indirect ({i.domain}): {plain(i.reason)}" for i in items]


UNIT_WORDS = {"not-stated": "in a unit the paper does not state"}


def _proportion_notes(o: Outcome) -> list[str]:
    notes = []
    if o.per != "patients" and not any(i.domain == "unit" for i in o.reading.indirectness):
        unit = UNIT_WORDS.get(o.per, f"per {plain(o.per).rstrip('s')}, not per patient")
        notes.append(f"Counted {unit}: shown, not pooled.")
    if o.study.design.type == "case-report":
        notes.append("A case report: shown, not pooled.")
    of = o.reading.responders.of if o.reading.responders else None
    if isinstance(of, Value) and of.inferred:
        notes.append("Denominator not printed: the series' patients assumed.")
    if o.how == "from percentage":
        notes.append("Responders back-calculated from the printed percentage.")
    if not isinstance(o.reading.time_point, TimePoint) and len(o.time_label) > LONG_TIME:
        notes.append(f"Time as printed: {plain(o.time_label)}")
    return notes + _indirect(o.study.indirectness + o.reading.indirectness)


def _time(label: str, is_point: bool) -> str:
    return label if is_point or len(label) <= LONG_TIME else "see note"


def proportion_row(o: Outcome, weight: float | None) -> Row:
    assert o.events is not None and o.total is not None
    p = StudyProportion(o.study.id, o.events, o.total, o.study.label)
    lo, hi = p.exact_ci()
    return Row(
        o.study.id, plain(o.study.label), _time(plain(o.time_label), isinstance(o.reading.time_point, TimePoint)),
        (f"{o.events}/{o.total}",), p.proportion, lo, hi, weight, o.poolable, tuple(_proportion_notes(o)),
    )  # fmt: skip


def _summary(p: Pooled | PooledContinuous, n: int) -> Summary | None:
    if p.k < 2:
        return None
    return Summary(p.k, n, p.estimate, p.ci_low, p.ci_high, p.pi_low, p.pi_high, p.tau2, p.i2, p.q, p.q_p,
                   f"{p.tau2_method.upper()}, {p.ci_method.upper()}")  # fmt: skip


def proportion_subgroup(members: list[Outcome], pooled: Pooled | None, group_title: str, window: str) -> Subgroup:
    """A subgroup from the outcomes it shows and the synthesis's analysis of the poolable ones."""
    ws: dict[str, float] = {}
    if pooled is not None and pooled.k > 1:
        ws = dict(zip((s.study for s in pooled.studies), weights(logit_effects(pooled.studies)[1], pooled.tau2)))
    rows = sorted((proportion_row(o, ws.get(o.study.id)) for o in members), key=lambda r: (not r.pooled, r.label))
    words = {s: w for s, w, _ in WINDOWS} | {NOT_STATED[0]: NOT_STATED[1]}
    n = sum(s.total for s in pooled.studies) if pooled else 0
    return Subgroup(members[0].study.group, group_title, window, words[window], tuple(rows),
                    _summary(pooled, n) if pooled else None)  # fmt: skip


def proportion_forests(syn: Any, groups: dict[str, str]) -> list[Forest]:
    """A forest per outcome counted as proportions, subgroups by intervention and time window."""
    analyses = {(r["outcome"], r["group"], r["window"]): r["pooled"] for r in syn.pooled}
    out = []
    for kind, title in POOLED_OUTCOMES.items():
        subgroups = []
        for g, g_title in groups.items():
            studies = [s for s in syn.studies if s.group == g]
            for w in WINDOW_ORDER:
                shown = [o for o in outcomes(studies, kind, w) if o.events is not None and o.total]
                if shown:
                    subgroups.append(proportion_subgroup(shown, analyses.get((kind, g, w)), g_title, w))
        if subgroups:
            axis = f"{title}: % of patients (95% CI)"
            out.append(Forest(kind, title, "proportion", axis, ("Events/N",), tuple(subgroups)))
    return out


def _score_notes(r: ScoreRow) -> list[str]:
    notes = [] if r.poolable else ["No SD or n printed: shown, not pooled."]
    if r.converted:
        notes.append(f"Mean and SD estimated from the median ({r.converted}).")
    if r.n is not None and r.n.inferred:
        notes.append("Number of patients scored not printed: the series' patients assumed.")
    return notes + _indirect(r.study.indirectness + r.score.indirectness)


def number(x: float) -> str:
    """A mean or SD with up to two decimals, at least one: 2.0, 8.23, 45.3."""
    text = f"{x:.2f}".rstrip("0")
    return (text + "0" if text.endswith(".") else text).replace("-", "−")


def score_row(r: ScoreRow, change: PooledContinuous | None, weight: float | None) -> Row:
    """One study's mean score before and after, and its change (before - after) with a normal CI."""
    before, after = mean_sd(r.before, r.n), mean_sd(r.after, r.n)
    cells = []
    for got, point in ((before, r.before), (after, r.after)):
        mean = got[0] if got else (float(point.mean.value) if point.mean is not None else None)
        cells.append("n/r" if mean is None else number(mean) + (f" ({number(got[1])})" if got else ""))
    n = f"{float(r.n.value):g}" if r.n is not None else "n/r"
    est = lo = hi = None
    studies = {s.study: s for s in change.studies} if change else {}
    if change is not None and r.study.id in studies and r.poolable:
        yi, vi = studies[r.study.id].effect(ASSUMED_R if change.assumed_r is None else change.assumed_r)
        est, lo, hi = yi, yi - z_critical(0.95) * math.sqrt(vi), yi + z_critical(0.95) * math.sqrt(vi)
    elif r.before.mean is not None and r.after.mean is not None:
        est = float(r.before.mean.value) - float(r.after.mean.value)
    time = _time(plain(_point_time(r)), True)
    return Row(r.study.id, plain(r.study.label), time, (cells[0], cells[1], n), est, lo, hi, weight,
               r.poolable and r.study.id in studies, tuple(_score_notes(r)))  # fmt: skip


def _point_time(r: ScoreRow) -> str:
    tp = r.after.time_point
    if isinstance(tp, TimePoint):
        return f"{tp.value:g} {tp.unit[:-1] if tp.value == 1 else tp.unit}"
    return "not stated"


def score_subgroup(a: ScoreAnalysis, group_title: str) -> Subgroup:
    ws: dict[str, float] = {}
    change = a.change
    if change is not None and change.k > 1:
        v = effects(change.studies, ASSUMED_R if change.assumed_r is None else change.assumed_r)[1]
        ws = dict(zip((s.study for s in change.studies), weights(v, change.tau2)))
    rows = sorted((score_row(r, change, ws.get(r.study.id)) for r in a.rows), key=lambda r: (not r.pooled, r.label))
    n = sum(s.n for s in change.studies) if change else 0
    return Subgroup(a.group, group_title, a.window, a.window_title, tuple(rows),
                    _summary(change, n) if change else None)  # fmt: skip


def score_forests(analyses: list[ScoreAnalysis], groups: dict[str, str]) -> list[Forest]:
    """A forest per score domain and scale: the mean change before - after, subgroups by intervention
    and time window."""
    by_scale: dict[tuple[str, str], list[ScoreAnalysis]] = {}
    for a in analyses:
        by_scale.setdefault((a.domain, a.scale), []).append(a)
    out = []
    for (domain, scale), items in sorted(by_scale.items()):
        order = {g: i for i, g in enumerate(groups)}
        items.sort(key=lambda a: (order.get(a.group, 99), WINDOW_ORDER.index(a.window)))
        subgroups = tuple(score_subgroup(a, groups.get(a.group, a.group)) for a in items)
        title = f"{domain.capitalize()} score ({plain(scale)})"
        key = "score-" + slug(f"{domain} {scale}")
        footer = (
            "Change = mean before − mean after: above 0 the score fell. Mean (SD) before and after; a change's "
            f"CI assumes a before-after correlation of {ASSUMED_R:g} where none is printed.",
        )
        axis = "Change in score, before − after (95% CI)"
        out.append(Forest(key, title, "score", axis, ("Before", "After", "n"), subgroups, footer))
    return out


def forests(syn: Any, groups: dict[str, str]) -> list[Forest]:
    """Every forest plot of the site: outcomes counted as proportions, then the scores."""
    return proportion_forests(syn, groups) + score_forests(syn.scores, groups)


__all__ = ["Forest", "Row", "Study", "Subgroup", "Summary", "forests", "weights"]


def figure_name(key: str, group: str | None = None, variant: str = "wide") -> str:
    """The file name of a forest plot: the whole outcome, or one intervention's subgroups."""
    return f"forest-{key}" + (f"-{group}" if group else "") + ("-narrow" if variant == "narrow" else "") + ".svg"


def page_forests(plots: list[Forest], group: str | None, analyses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a page prints per forest plot: heading, anchor, both files, and the synthesis's analyses
    of that outcome (for the text under it). `group` None: every intervention (the comparison)."""
    out = []
    for f in plots:
        if group is not None and group not in f.groups:
            continue
        out.append({
            "key": f.key, "title": f.title, "scale": f.scale,
            "wide": figure_name(f.key, group), "narrow": figure_name(f.key, group, "narrow"),
            "analyses": [r for r in analyses if r["outcome"] == f.key and (group is None or r["group"] == group)],
            "pooled_any": any(sg.summary is not None for sg in f.subgroups if group in (None, sg.group)),
        })  # fmt: skip
    return out


def with_forest(plots: list[Forest]) -> dict[str, set[str]]:
    """Per outcome, the interventions that have a forest plot of it."""
    return {f.key: set(f.groups) for f in plots}
