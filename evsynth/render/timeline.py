"""The timeline: one line per study (so no label can print over another), a dot at its year of
publication sized by its patients, coloured by intervention group, the patients printed at the right."""

from __future__ import annotations

from math import sqrt

from matplotlib.ticker import MaxNLocator

from evsynth.core.model import Study
from evsynth.render import views
from evsynth.render.plotting import (
    GROUP_COLOURS,
    INK,
    LINE,
    MUTED,
    NARROW,
    RULE,
    WIDE,
    clip,
    plain,
    short_group,
    text_width,
    widest,
)
from evsynth.render.svgcanvas import Z_PATCH, Canvas

PAD, GAP = 4.0, 8.0
TITLE = "Studies by year and size"


def _legend(cv: Canvas, groups: dict[str, str], width: float, y: float) -> float:
    """Coloured dots with the groups' short names, wrapped over lines; returns the next free y."""
    x = PAD
    for g, title in groups.items():
        name = short_group(title)
        item = 12 + text_width(name) + GAP * 1.5
        if x > PAD and x + item > width - PAD:
            x, y = PAD, y + LINE
        cv.circle(x + 4, y, sqrt(40) / 2, GROUP_COLOURS.get(g, "#777"))
        cv.text(x + 12, y, name)
        x += item
    return y + LINE


def _ticks(years: list[int], variant: str, room: float) -> tuple[list[float], float, float]:
    """The year ticks (matplotlib's choice of round years) and the axis' first and last year: fewer
    ticks while their labels would touch across `room` points."""
    for bins in range(5 if variant == "wide" else 3, 0, -1):
        ticks = [float(t) for t in MaxNLocator(nbins=bins, integer=True).tick_values(min(years), max(years))]
        if len(ticks) < 3 or room / (len(ticks) - 1) >= text_width(f"{ticks[-1]:.0f}") + GAP:
            break
    return ticks, ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1


def draw(studies: list[Study], patients: dict[str, int | None], groups: dict[str, str], variant: str) -> str:
    """Studies by year of publication, one line each (drawn straight to SVG: one text per study)."""
    width = WIDE if variant == "wide" else NARROW
    shown = sorted((s for s in studies if s.year), key=lambda s: (s.year or 0, plain(s.label)))
    labels = [plain(s.label) for s in shown]
    counts = [f"{patients.get(s.id)}" if patients.get(s.id) else "n/r" for s in shown]
    left = min(widest([(t, False) for t in labels] + [("Study", True)]), width * 0.4)
    right = widest([(t, False) for t in counts] + [("Patients", True)])
    x0, x1 = PAD + left + GAP + 8, width - PAD - right - GAP - 8
    ticks, lo, hi = _ticks([s.year or 0 for s in shown] or [2000], variant, x1 - x0)
    n = len(shown)
    cv = Canvas(width, (n + 6) * LINE)
    cv.text(PAD, LINE / 2 + 2, TITLE, weight="bold")
    y = _legend(cv, groups, width, LINE * 1.5 + 2)
    cv.height += y - (LINE * 2.5 + 2)  # a legend over more than one line: the canvas grows with it
    cv.text(PAD, y, "Study", weight="bold")
    cv.text(width - PAD, y, "Patients", ha="right", weight="bold")
    top = y + LINE / 2
    cv.line([PAD, width - PAD], [top, top], INK, 0.8)
    biggest = max([patients.get(s.id) or 0 for s in shown] + [1])

    def x_of(year: float) -> float:
        return x0 + (year - lo) / (hi - lo) * (x1 - x0)

    for t in ticks:
        cv.line([x_of(t), x_of(t)], [top, top + LINE * n], RULE, 0.5, z=0)
        cv.text(x_of(t), top + LINE * (n + 0.8), f"{t:.0f}", ha="center")
    for i, (s, label, count) in enumerate(zip(shown, labels, counts, strict=True)):
        yy = top + LINE * (i + 0.5)
        cv.text(PAD, yy, clip(label, left))
        cv.text(width - PAD, yy, count, ha="right", color=INK if count != "n/r" else MUTED)
        area = 16 + 130 * (patients.get(s.id) or 0) / biggest  # points²: largest 146, one 16
        cv.circle(x_of(s.year or 0), yy, sqrt(area) / 2, GROUP_COLOURS.get(s.group, "#777"), "#ffffff", z=Z_PATCH)
    cv.line([x0 - 8, x1 + 8], [top + LINE * n] * 2, INK, 0.8)
    cv.text((x0 + x1) / 2, top + LINE * (n + 1.9), "Year of publication (dot area: patients)", ha="center")
    return cv.svg(TITLE, description(shown, patients, groups))


def description(shown: list[Study], patients: dict[str, int | None], groups: dict[str, str]) -> str:
    rows = "; ".join(
        f"{plain(s.label)}: {patient_count(patients.get(s.id))}, {groups.get(s.group, s.group)}" for s in shown
    )
    return f"Timeline, one line per study by year of publication. {rows}."


def patient_count(n: int | None) -> str:
    """'1 patient', '12 patients', or 'patients not reported' (the timeline's text alternative)."""
    return "patients not reported" if not n else views.count(n, "patient", "patients")
