"""The timeline: one line per study (so no label can print over another), a dot at its year of
publication sized by its patients, coloured by intervention group, the patients printed at the right."""

from __future__ import annotations

from typing import Any

from matplotlib.ticker import MaxNLocator

from evsynth.core.model import Study
from evsynth.render.plotting import (
    GROUP_COLOURS,
    INK,
    LINE,
    MUTED,
    NARROW,
    RULE,
    WIDE,
    canvas,
    clip,
    plain,
    short_group,
    svg,
    text_width,
)

PAD, GAP = 4.0, 8.0
TITLE = "Studies by year and size"


def _legend(ax: Any, groups: dict[str, str], width: float, y: float) -> float:
    """Coloured dots with the groups' short names, wrapped over lines; returns the next free y."""
    x = PAD
    for g, title in groups.items():
        name = short_group(title)
        item = 12 + text_width(name) + GAP * 1.5
        if x > PAD and x + item > width - PAD:
            x, y = PAD, y + LINE
        ax.scatter([x + 4], [y], s=40, color=GROUP_COLOURS.get(g, "#777"), edgecolors="none")
        ax.text(x + 12, y, name, va="center", color=INK)
        x += item
    return y + LINE


def draw(studies: list[Study], patients: dict[str, int | None], groups: dict[str, str], variant: str) -> str:
    """Studies by year of publication, one line each."""
    width = WIDE if variant == "wide" else NARROW
    shown = sorted((s for s in studies if s.year), key=lambda s: (s.year or 0, plain(s.label)))
    labels = [plain(s.label) for s in shown]
    counts = [f"{patients.get(s.id)}" if patients.get(s.id) else "n/r" for s in shown]
    left = min(max([text_width(t) for t in labels] + [text_width("Study", True)]), width * 0.4)
    right = max([text_width(t) for t in counts] + [text_width("Patients", True)])
    x0, x1 = PAD + left + GAP + 8, width - PAD - right - GAP - 8
    years = [s.year or 0 for s in shown] or [2000]
    locator = MaxNLocator(nbins=5 if variant == "wide" else 3, integer=True)
    ticks = [float(t) for t in locator.tick_values(min(years), max(years))]
    lo, hi = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1
    height = (len(shown) + 6) * LINE
    fig, ax = canvas(width, height)
    ax.text(PAD, LINE / 2 + 2, TITLE, weight="bold", va="center", color=INK)
    y = _legend(ax, groups, width, LINE * 1.5 + 2)
    ax.text(PAD, y, "Study", weight="bold", va="center", color=INK)
    ax.text(width - PAD, y, "Patients", weight="bold", va="center", ha="right", color=INK)
    top = y + LINE / 2
    ax.plot([PAD, width - PAD], [top, top], color=INK, lw=0.8)
    biggest = max([patients.get(s.id) or 0 for s in shown] + [1])

    def x_of(year: float) -> float:
        return x0 + (year - lo) / (hi - lo) * (x1 - x0)

    for t in ticks:
        ax.plot([x_of(t), x_of(t)], [top, top + LINE * len(shown)], color=RULE, lw=0.5, zorder=0)
        ax.text(x_of(t), top + LINE * (len(shown) + 0.8), f"{t:.0f}", ha="center", va="center", color=INK)
    rows = [top + LINE * (i + 0.5) for i in range(len(shown))]
    for yy, label, count in zip(rows, labels, counts, strict=True):
        ax.text(PAD, yy, clip(label, left), va="center", color=INK)
        ax.text(width - PAD, yy, count, va="center", ha="right", color=INK if count != "n/r" else MUTED)
    if shown:  # one collection of dots, in the studies' order (a scatter call each cost ~5 ms a study)
        area = [16 + 130 * (patients.get(s.id) or 0) / biggest for s in shown]  # points²: largest 146, one 16
        colours = [GROUP_COLOURS.get(s.group, "#777") for s in shown]
        ax.scatter([x_of(s.year or 0) for s in shown], rows, s=area, c=colours, edgecolors="white")
    ax.plot([x0 - 8, x1 + 8], [top + LINE * len(shown)] * 2, color=INK, lw=0.8)
    ax.text((x0 + x1) / 2, top + LINE * (len(shown) + 1.9), "Year of publication (dot area: patients)", ha="center",
            va="center", color=INK)  # fmt: skip
    return svg(fig, TITLE, description(shown, patients, groups))


def description(shown: list[Study], patients: dict[str, int | None], groups: dict[str, str]) -> str:
    rows = "; ".join(
        f"{plain(s.label)}: {patients.get(s.id) or 'patients not reported'} patients, {groups.get(s.group, s.group)}"
        for s in shown
    )
    return f"Timeline, one line per study by year of publication. {rows}."
