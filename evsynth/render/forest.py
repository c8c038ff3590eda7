"""Forest plots as RevMan and metafor draw them: study, time, data, estimate [95% CI], weight;
interventions by time window as subgroups; a diamond only where something is pooled, with the
prediction interval under it and the heterogeneity printed.

Two variants of each plot: `wide` (columns side by side, for the desktop column and the print
page) and `narrow` (each study's text stacked at the left, for phones). Every text is FONT points on
a canvas of a known width (see `plotting`), so its displayed size is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.ticker import MaxNLocator

from evsynth.render.forest_data import Forest, Row, Subgroup, Summary
from evsynth.render.plotting import FONT, INK, LINE, MUTED, NARROW, WIDE, clip, widest, wrap
from evsynth.render.svgcanvas import Canvas

PAD, GAP = 4.0, 8.0  # canvas edge and column gap, points
MIN_PLOT = {"wide": 110.0, "narrow": 75.0}


@dataclass
class Col:
    header: str
    align: str  # "left", "right", or "plot"
    width: float = 0.0
    x: float = 0.0  # left edge


@dataclass
class Line:
    """One line of the figure: texts by column, or a text across the figure, and what to draw."""

    cells: dict[int, str]
    span: str | None = None  # text from the left edge across the table (subgroup heads, notes)
    bold: bool = False
    italic: bool = False
    muted: bool = False
    mark: tuple[str, float, float, float, float | None] | None = None  # kind, est, lo, hi, weight


def fmt(forest: Forest, x: float, tick: bool = False) -> str:
    text = f"{100 * x:.0f}" if forest.scale == "proportion" else f"{x:g}" if tick else f"{x:.1f}"
    return text.replace("-", "−")


def estimate(forest: Forest, est: float | None, lo: float | None, hi: float | None) -> str:
    if est is None:
        return "not estimable"
    if lo is None or hi is None:
        return f"{fmt(forest, est)} (no CI)"
    return f"{fmt(forest, est)} [{fmt(forest, lo)}, {fmt(forest, hi)}]"


def note_letters(forest: Forest) -> dict[str, str]:
    """Each row note's letter (worked out once per plot: every row looks its notes up here)."""
    return {text: letter for letter, text in forest.notes}


def marks(letters: dict[str, str], row: Row) -> str:
    return f" [{', '.join(letters[n] for n in row.notes)}]" if row.notes else ""


def columns(forest: Forest, variant: str) -> list[Col]:
    est = "% [95% CI]" if forest.scale == "proportion" else "Change [95% CI]"
    if variant == "narrow":
        return [Col("Study", "left"), Col("", "plot"), Col(est, "right")]
    data = [Col(h, "right") for h in forest.headers]
    weight = [Col("Weight", "right")] if weighted(forest) else []  # no column of dashes when nothing is pooled
    return [Col("Study", "left"), Col("Time", "left"), *data, Col("", "plot"), Col(est, "right"), *weight]


def weighted(forest: Forest) -> bool:
    return any(sg.summary is not None for sg in forest.subgroups)


def row_lines(forest: Forest, row: Row, variant: str, letters: dict[str, str]) -> list[Line]:
    """A study's line(s): its texts by column and its square and CI."""
    label = row.label + marks(letters, row)
    est = estimate(forest, row.estimate, row.ci_low, row.ci_high)
    weight = f"{row.weight:.1f}%" if row.weight is not None else "–"
    mark = ("square" if row.pooled else "hollow", row.estimate, row.ci_low, row.ci_high, row.weight)
    mark_or_none = mark if row.estimate is not None else None
    if variant == "wide":
        cells = {0: label, 1: row.time} | {2 + i: d for i, d in enumerate(row.data)}
        n = len(cells)
        cells |= {n + 1: est} | ({n + 2: weight} if weighted(forest) else {})
        return [Line(cells, muted=not row.pooled, mark=mark_or_none)]  # type: ignore[arg-type]
    second = f"{row.time}, n {row.data[2]}" if forest.scale == "score" else f"{row.time}, {row.data[0]}"
    lines = [
        Line({0: label, 2: est}, muted=not row.pooled, mark=mark_or_none),  # type: ignore[arg-type]
        Line({0: second, 2: f"weight {weight}" if row.weight is not None else ""}, muted=not row.pooled),
    ]
    if forest.scale == "score":
        lines.append(Line({0: f"{row.data[0]} → {row.data[1]}"}, muted=not row.pooled))
    return lines  # fmt: skip


def summary_lines(forest: Forest, sg: Subgroup, variant: str, est_col: int) -> list[Line]:
    s = sg.summary
    if s is None:
        return [Line({}, span=sg.status, italic=True)]
    weight = {est_col + 1: "100%"} if variant == "wide" else {}
    lines = [
        Line({est_col: estimate(forest, s.estimate, s.ci_low, s.ci_high)} | weight,
             span=f"Pooled (k = {s.k}, n = {s.n})", bold=True,
             mark=("diamond", s.estimate, s.ci_low, s.ci_high, None)),
    ]  # fmt: skip
    if s.pi_low is not None and s.pi_high is not None:
        pi = f"[{fmt(forest, s.pi_low)}, {fmt(forest, s.pi_high)}]"
        lines.append(
            Line({est_col: pi}, span="95% prediction interval", mark=("pi", s.estimate, s.pi_low, s.pi_high, None))
        )
    lines.append(Line({}, span=heterogeneity(s)))
    return lines


def heterogeneity(s: Summary) -> str:
    p = "" if s.q_p is None else f", p = {s.q_p:.2f}" if s.q_p >= 0.01 else ", p < 0.01"
    q = f"Q = {s.q:.2f}, df = {s.k - 1}{p}"
    return f"Heterogeneity: τ² = {s.tau2:.3f}; I² = {s.i2:.0f}%; {q} (random effects, {s.method})"


def body(forest: Forest, variant: str, est_col: int) -> list[Line]:
    lines: list[Line] = []
    letters = note_letters(forest)
    for sg in forest.subgroups:
        lines.append(Line({}, span=f"{sg.group_title}, {sg.window_title}", bold=True))
        for row in sg.rows:
            lines += row_lines(forest, row, variant, letters)
        lines += summary_lines(forest, sg, variant, est_col)
        lines.append(Line({}))
    return lines[:-1]


def fit(cols: list[Col], lines: list[Line], width: float, min_plot: float) -> None:
    """Column widths from their widest text (the study column clipped if the plot would be too narrow)."""
    for i, c in enumerate(cols):
        if c.align != "plot":
            texts = [ln.cells.get(i, "") for ln in lines] + [c.header]
            c.width = widest([(t, t == c.header) for t in texts])
    fixed = sum(c.width for c in cols if c.align != "plot") + GAP * (len(cols) - 1) + 2 * PAD
    plot = next(c for c in cols if c.align == "plot")
    plot.width = max(min_plot, width - fixed)
    if plot.width + fixed > width:  # clip the study column
        cols[0].width -= plot.width + fixed - width
        for ln in lines:
            if 0 in ln.cells:
                ln.cells[0] = clip(ln.cells[0], cols[0].width)
    x = PAD
    for c in cols:
        c.x, x = x, x + c.width + GAP


def scale_range(forest: Forest) -> tuple[float, float, list[float]]:
    if forest.scale == "proportion":
        return 0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    values = [0.0]
    for sg in forest.subgroups:
        values += [v for r in sg.rows for v in (r.estimate, r.ci_low, r.ci_high) if v is not None]
        if sg.summary is not None:
            values += [v for v in (sg.summary.pi_low, sg.summary.pi_high) if v is not None]
    ticks = [float(t) for t in MaxNLocator(nbins=4).tick_values(min(values), max(values))]
    return ticks[0], ticks[-1], ticks


def expand(lines: list[Line], width: float, left: float) -> list[Line]:
    """Span texts wrapped: across the left columns when the line also draws or prints, else across all."""
    out = []
    for ln in lines:
        if ln.span is None:
            out.append(ln)
            continue
        room = left if (ln.mark or ln.cells) else width
        parts = wrap(ln.span, room, ln.bold)
        out.append(Line(ln.cells, parts[0], ln.bold, ln.italic, ln.muted, ln.mark))
        out += [Line({}, p, ln.bold, ln.italic, ln.muted) for p in parts[1:]]
    return out


def draw(forest: Forest, variant: str, title: str) -> str:
    """The forest plot as SVG (variant 'wide' or 'narrow')."""
    width = WIDE if variant == "wide" else NARROW
    cols = columns(forest, variant)
    plot_i = next(i for i, c in enumerate(cols) if c.align == "plot")
    est_col = plot_i + 1
    lines = body(forest, variant, est_col)
    fit(cols, lines, width, MIN_PLOT[variant])
    lines = expand(lines, width - 2 * PAD, cols[plot_i].x - GAP - PAD)
    notes = [f"[{letter}] {text}" for letter, text in forest.notes] + list(forest.footer)
    foot = [Line({}, span=p, muted=True) for n in notes for p in wrap(n, width - 2 * PAD)]
    axis = wrap(forest.axis, max(cols[plot_i].width + 2 * GAP, 150))
    height = (len(lines) + len(foot) + len(axis) + 5) * LINE
    cv = Canvas(width, height)
    y = _header(cv, forest, cols, title, width)
    lo, hi, ticks = scale_range(forest)
    plot = cols[plot_i]

    def x_of(v: float) -> float:
        return plot.x + (min(max(v, lo), hi) - lo) / (hi - lo) * plot.width

    top = y
    for ln in lines:
        _line(cv, ln, cols, y, x_of)
        y += LINE
    _axis(cv, forest, plot, top, y, ticks, x_of, axis)
    y += LINE * (2 + len(axis))
    for ln in foot:
        _line(cv, ln, cols, y, x_of)
        y += LINE
    return cv.svg(title, description(forest, title))


def _header(cv: Canvas, forest: Forest, cols: list[Col], title: str, width: float) -> float:
    cv.text(PAD, LINE / 2 + 2, clip(title, width - 2 * PAD, True), weight="bold")
    y = LINE * 1.5 + 2
    for c in cols:
        if c.header:
            x = c.x if c.align == "left" else c.x + c.width
            cv.text(x, y, c.header, ha=c.align, weight="bold")
    cv.line([PAD, width - PAD], [y + LINE / 2, y + LINE / 2], INK, 0.8)
    return y + LINE


def _line(cv: Canvas, ln: Line, cols: list[Col], y: float, x_of: Any) -> None:
    colour = MUTED if ln.muted else INK
    style = "italic" if ln.italic else "normal"
    weight = "bold" if ln.bold else "normal"
    if ln.span is not None:  # on white, so a reference line passes behind it
        cv.text(PAD, y, ln.span, "left", weight, style, colour, box=True)
    for i, text in ln.cells.items():
        c = cols[i]
        x = c.x if c.align == "left" else c.x + c.width
        cv.text(x, y, text, c.align, weight, style, colour)
    if ln.mark is not None:
        _mark(cv, ln.mark, y, x_of)


def _mark(cv: Canvas, mark: tuple[str, float, float, float, float | None], y: float, x_of: Any) -> None:
    kind, est, lo, hi, weight = mark
    if kind == "diamond":
        cv.polygon([(x_of(lo), y), (x_of(est), y - 5), (x_of(hi), y), (x_of(est), y + 5)], INK, INK, 0.5, "diamond")
        return
    if kind == "pi":
        cv.line([x_of(lo), x_of(hi)], [y, y], INK, 2.2, butt=True, gid="prediction-interval")
        return
    muted = kind == "hollow"
    if lo is not None and hi is not None:
        cv.line([x_of(lo), x_of(hi)], [y, y], MUTED if muted else INK, 1.1, dashed=muted)
    side = 3.0 + 7.0 * (weight / 100) ** 0.5 if weight is not None else 6.0
    cv.rect(x_of(est) - side / 2, y - side / 2, side, side, "#ffffff" if muted else INK, MUTED if muted else INK, 1.0,
            "study")  # fmt: skip


def _axis(cv: Canvas, forest: Forest, plot: Col, top: float, bottom: float, ticks: list[float], x_of: Any,
          label: list[str]) -> None:  # fmt: skip
    for t in ticks:
        if forest.scale == "score" and t == 0:  # no change: the reference line
            cv.line([x_of(t), x_of(t)], [top, bottom], MUTED, 0.8, z=0)
        cv.line([x_of(t), x_of(t)], [bottom, bottom + 3], INK, 0.8)
        cv.text(x_of(t), bottom + 3 + LINE / 2, fmt(forest, t, tick=True), ha="center")
    cv.line([plot.x, plot.x + plot.width], [bottom, bottom], INK, 0.8)
    for i, text in enumerate(label):
        cv.text(plot.x + plot.width / 2, bottom + 3 + LINE * (1.5 + i), text, ha="center")


def _pooled_words(forest: Forest, sg: Subgroup) -> str:
    s = sg.summary
    if s is None:
        return f" {sg.status}."
    pi = ""
    if s.pi_low is not None and s.pi_high is not None:
        pi = f", prediction interval {fmt(forest, s.pi_low)} to {fmt(forest, s.pi_high)}"
    return f" Pooled {estimate(forest, s.estimate, s.ci_low, s.ci_high)}, {heterogeneity(s)}{pi}."


def description(forest: Forest, title: str) -> str:
    """The plot in words: its text alternative."""
    parts = [f"Forest plot: {title}."]
    for sg in forest.subgroups:
        rows = "; ".join(
            f"{r.label}, {r.time}, {' '.join(r.data)}: {estimate(forest, r.estimate, r.ci_low, r.ci_high)}"
            + ("" if r.pooled else " (not pooled)")
            + (f", weight {r.weight:.1f}%" if r.weight is not None else "")
            for r in sg.rows
        )
        parts.append(f"{sg.group_title}, {sg.window_title}: {rows}.{_pooled_words(forest, sg)}")
    parts += [f"[{letter}] {text}" for letter, text in forest.notes]
    return " ".join(parts + list(forest.footer))


__all__ = ["FONT", "draw"]
