"""Figures as static SVG (matplotlib): forest plots, a timeline, an evidence map.

Each figure has a <title> and a <desc> text alternative, keeps its text as text, and is
byte-for-byte reproducible (fixed hash salt, no date).
"""

from __future__ import annotations

import io
import re
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from evsynth.core.model import Study
from evsynth.core.vocab import Vocabularies
from evsynth.synthesis import tables
from evsynth.synthesis.pool import Pooled
from evsynth.synthesis.synthesize import MAP_OUTCOMES, Synthesis

# Labels come from study files: never read `$...$` as mathtext (it crashes on `$\\frac$`).
plt.rcParams.update(
    {
        "text.parse_math": False,
        "text.usetex": False,
        "svg.hashsalt": "evsynth",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
GROUP_COLOURS = {"tae": "#1f77b4", "tace-tai": "#d62728", "pvp": "#2ca02c", "pvp-tai-tace": "#9467bd"}


def _svg(fig: Any, title: str, desc: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<svg ", '<svg role="img" aria-labelledby="fig-title fig-desc" ', svg, count=1)
    head = f'<title id="fig-title">{escape(title)}</title><desc id="fig-desc">{escape(desc)}</desc>'
    svg = svg.replace(">", ">" + head, 1)
    return re.sub(r'width="([\d.]+)pt" height="([\d.]+)pt"', r'width="100%" style="max-width:\1pt"', svg, count=1)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def forest_plot(result: dict[str, Any]) -> str:
    """Study rows with exact 95% CIs, the pooled diamond and the prediction interval."""
    pooled: Pooled = result["pooled"]
    studies = sorted(pooled.studies, key=lambda s: s.label)
    n = len(studies)
    fig, ax = plt.subplots(figsize=(7.2, 0.42 * (n + 3) + 0.6))
    right: dict[str, Any] = {"ha": "left", "va": "center", "transform": ax.get_yaxis_transform()}
    left: dict[str, Any] = {"ha": "right", "va": "center", "transform": ax.get_yaxis_transform()}
    for i, s in enumerate(studies):
        y = n + 1 - i
        lo, hi = s.exact_ci()
        ax.plot([lo, hi], [y, y], color="#333", lw=1.2)
        ax.plot([s.proportion], [y], "s", color="#333", ms=4 + min(8, s.total / 8))
        ax.text(-0.02, y, f"{s.label}  {s.events}/{s.total}", **left)
        ax.text(1.02, y, f"{_pct(s.proportion)} [{_pct(lo)}, {_pct(hi)}]", **right)
    est, lo, hi = pooled.estimate, pooled.ci_low, pooled.ci_high
    if pooled.k > 1:  # a diamond means a pooled estimate: a single study has none
        ax.fill([lo, est, hi, est], [0.5, 0.8, 0.5, 0.2], color="#444")
        if pooled.pi_low is not None and pooled.pi_high is not None:
            ax.plot([pooled.pi_low, pooled.pi_high], [0.5, 0.5], color="#444", lw=0.8, ls="--")
        method = f"Pooled (k={pooled.k}, {pooled.tau2_method.upper()}, {pooled.ci_method.upper()})"
        ax.text(-0.02, 0.5, method, weight="bold", **left)
        ax.text(1.02, 0.5, f"{_pct(est)} [{_pct(lo)}, {_pct(hi)}]", weight="bold", **right)
    else:
        ax.text(-0.02, 0.5, "Single study: not pooled", style="italic", **left)
    _percent_axis(ax, n, f"{result['outcome_title']} (proportion of patients, 95% CI)")
    title = f"{result['outcome_title']}, {result['window_title']}: {result['group_title']}"
    ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, title, _forest_description(pooled, studies))


def _percent_axis(ax: Any, n: int, label: str) -> None:
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.2, n + 1.8)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(label)


def _forest_description(pooled: Pooled, studies: list[Any]) -> str:
    """The plot in words: its text alternative."""
    rows = "; ".join(f"{s.label} {s.events} of {s.total} ({_pct(s.proportion)})" for s in studies)
    pi = ""
    if pooled.pi_low is not None and pooled.pi_high is not None:
        pi = f", prediction interval {_pct(pooled.pi_low)} to {_pct(pooled.pi_high)}"
    caution = " Caution: " + "; ".join(pooled.cautions) + "." if pooled.cautions else ""
    ci = f"95% CI {_pct(pooled.ci_low)} to {_pct(pooled.ci_high)}"
    if pooled.k == 1:
        return f"Forest plot. {rows}. A single study: not pooled.{caution}"
    return f"Forest plot. {rows}. Pooled {_pct(pooled.estimate)}, {ci}{pi}.{caution}"


def timeline(studies: list[Study], patients: dict[str, int | None], groups: dict[str, str]) -> str:
    """Studies by year and size, coloured by intervention group."""
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    shown = [s for s in studies if s.year]
    for g, title in groups.items():
        xs = [s.year or 0 for s in shown if s.group == g]
        ys = [patients.get(s.id) or 0 for s in shown if s.group == g]
        ax.scatter(
            xs,
            ys,
            s=[20 + 3 * y for y in ys],
            color=GROUP_COLOURS.get(g, "#777"),
            alpha=0.7,
            label=title,
            edgecolors="white",
        )
    for s in shown:
        ax.annotate(
            s.label.rsplit(" ", 1)[0],
            (s.year, patients.get(s.id) or 0),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.set_xlabel("Year of publication")
    ax.set_ylabel("Patients")
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    title = "Studies by year and size"
    desc = (
        "Timeline. "
        + "; ".join(
            f"{s.label}: {patients.get(s.id) or 'patients not reported'} patients, {s.category}"
            for s in sorted(shown, key=lambda s: (s.year or 0, s.id))
        )
        + "."
    )
    ax.set_title(title, loc="left", fontsize=10)
    return _svg(fig, title, desc)


def evidence_map(cells: dict[tuple[str, str], tuple[int, int]], groups: dict[str, str], outcomes: list[str]) -> str:
    """Intervention x outcome; bubble area = patients in the studies reporting it."""
    fig, ax = plt.subplots(figsize=(7.2, 0.6 * len(groups) + 1.6))
    names = list(groups)
    for yi, g in enumerate(names):
        for xi, o in enumerate(outcomes):
            k, n = cells.get((g, o), (0, 0))
            if k:
                ax.scatter([xi], [yi], s=30 + 4 * n, color=GROUP_COLOURS.get(g, "#777"), alpha=0.6)
                ax.text(xi, yi, f"{k}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(outcomes)))
    ax.set_xticklabels(outcomes, rotation=20, ha="right")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([groups[g] for g in names], fontsize=8)
    ax.set_xlim(-0.6, len(outcomes) - 0.4)
    ax.set_ylim(-0.6, len(names) - 0.4)
    title = "Evidence map: interventions by outcome"
    ax.set_title(title, loc="left", fontsize=10)
    desc = (
        "Evidence map (number in bubble = studies; area = patients in those series, not the patients analysed). "
        + "; ".join(
            f"{groups[g]}, {o}: {cells[(g, o)][0]} studies, {cells[(g, o)][1]} patients in those series"
            for g in names
            for o in outcomes
            if cells.get((g, o), (0, 0))[0]
        )
        + "."
    )
    return _svg(fig, title, desc)


def draw(syn: Synthesis, vocab: Vocabularies) -> dict[str, str]:
    """Every figure of the site by file name: forest plots, the timeline and the evidence map."""
    out = {r["figure"]: forest_plot(r) for r in syn.pooled}
    out["timeline.svg"] = timeline(syn.studies, {s.id: tables.patients(s) for s in syn.studies}, vocab.groups)
    out["evidence-map.svg"] = evidence_map(syn.cells, vocab.groups, list(MAP_OUTCOMES.values()))
    return out
