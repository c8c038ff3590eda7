"""The PRISMA 2020 flow diagram of the literature search, drawn from `synthesis.prisma.Flow`.

Wide (desktop, print): the searched source on the left with its removed and excluded records
beside it, other methods on the right, the included studies across the bottom, then one box per
intervention group. Narrow (phones): the same boxes in one column. Every number is text in the SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.patches import FancyArrowPatch, Rectangle

from evsynth.core.searchlog import EXCLUSION_REASONS
from evsynth.render.plotting import (
    FONT,
    GROUP_COLOURS,
    INK,
    LINE,
    MUTED,
    NARROW,
    WIDE,
    canvas,
    plain,
    short_group,
    svg,
    wrap,
)
from evsynth.synthesis.prisma import Flow

TITLE = "PRISMA 2020 flow of the literature search"
PAD, GAP, INSET = 6.0, 14.0, 5.0  # canvas margin, space between boxes, text inset, in points
STAGE = LINE * 1.3  # height of a stage heading


@dataclass(frozen=True)
class Box:
    key: str
    lines: tuple[tuple[str, bool], ...]  # (text, bold)
    colour: str = INK


def n(x: int) -> str:
    return f"{x:,}"


def _box(key: str, title: str, *lines: str, colour: str = INK) -> Box:
    """A box: its title in bold, then its lines."""
    return Box(key, ((title, True),) + tuple((t, False) for t in lines), colour)


def _reasons(excluded: tuple[tuple[str, int], ...]) -> list[str]:
    return [f"{EXCLUSION_REASONS[c]}: {n(k)}" for c, k in excluded]


def boxes(flow: Flow, groups: dict[str, str]) -> dict[str, Box]:
    """The text of every box, by key."""
    db, other = flow.database, flow.other
    sources = [f"{plain(s)}: n = {n(k)}" for s, k in db.by_source]
    new, already = n(db.included - db.already_included), n(db.already_included)
    out = [
        _box("identified", "Records identified", f"{n(db.searches)} searches, n = {n(db.identified)}", *sources),
        _box("removed", "Removed before screening", f"n = {n(db.removed)}",
             f"same page returned again: {n(db.repeats)}",
             f"another page of a paper already logged: {n(db.duplicates)}"),
        _box("other", "Identified via other methods", "the project's source papers, their tables and reference lists",
             f"n = {n(other.identified)}"),
        _box("screened", "Records screened", f"n = {n(db.screened)}"),
        _box("excluded", "Records excluded", f"n = {n(db.excluded_total)}", *_reasons(db.excluded)),
        _box("assessed", "Records assessed", f"n = {n(other.screened)}", f"excluded: {n(other.excluded_total)}",
             *_reasons(other.excluded)),
        _box("included", "Studies included", f"n = {n(flow.studies)} (each study counted once)",
             f"found by the searches: {n(db.included)} ({new} new, {already} already in the evidence base)",
             f"found by other methods: {n(other.included)}",
             f"with a study file: {n(flow.extracted)}; awaiting extraction: {n(flow.awaiting)}"),
    ]  # fmt: skip
    for g, k in flow.by_group:
        out.append(_box(f"group:{g}", short_group(groups.get(g, g)), f"n = {n(k)}", colour=GROUP_COLOURS.get(g, INK)))
    return {b.key: b for b in out}


def wrapped(box: Box, width: float) -> list[tuple[str, bool]]:
    return [(t, bold) for text, bold in box.lines for t in wrap(text, width - 2 * INSET, bold)]


def height(box: Box, width: float) -> float:
    return len(wrapped(box, width)) * LINE + 2 * INSET


Place = tuple[float, float, float, float]  # x, y, width, height


def _draw_box(ax: Any, box: Box, at: Place) -> None:
    x, y, w, h = at
    ax.add_patch(Rectangle((x, y), w, h, facecolor="white", edgecolor=box.colour, lw=1.2 if box.colour != INK else 0.8))
    for i, (text, bold) in enumerate(wrapped(box, w)):
        colour = box.colour if bold and box.colour != INK else INK
        ax.text(x + INSET, y + INSET + LINE * (i + 0.5), text, va="center", weight="bold" if bold else "normal",
                color=colour)  # fmt: skip


def _arrow(ax: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8, color=MUTED, lw=0.8, shrinkA=0,
                                 shrinkB=0))  # fmt: skip


def _stage(ax: Any, y: float, width: float, name: str) -> float:
    ax.text(PAD, y + STAGE / 2, name, weight="bold", va="center", color=INK, size=FONT)
    ax.plot([PAD, width - PAD], [y + STAGE - 2, y + STAGE - 2], color=MUTED, lw=0.5)
    return y + STAGE


def _rows(b: dict[str, Box], width: float) -> list[tuple[str, list[tuple[str, float, float]]]]:
    """Stages, each with its boxes as (key, x, width), for the wide layout."""
    inner = width - 2 * PAD
    w0, w1 = (inner - 2 * GAP) * 0.29, (inner - 2 * GAP) * 0.42  # the excluded records' reasons get more room
    xs, cols = [PAD, PAD + w0 + GAP, PAD + w0 + w1 + 2 * GAP], [w0, w1, inner - w0 - w1 - 2 * GAP]
    groups = [k for k in b if k.startswith("group:")]
    gw = (inner - GAP * (len(groups) - 1)) / max(len(groups), 1)
    return [
        ("Identification", [(k, xs[i], cols[i]) for i, k in enumerate(("identified", "removed", "other"))]),
        ("Screening", [(k, xs[i], cols[i]) for i, k in enumerate(("screened", "excluded", "assessed"))]),
        ("Included", [("included", PAD, inner)]),
        ("By intervention", [(k, PAD + i * (gw + GAP), gw) for i, k in enumerate(groups)]),
    ]


def _wide(b: dict[str, Box]) -> tuple[Any, dict[str, Place]]:
    rows = _rows(b, WIDE)
    heights = [max(height(b[k], w) for k, _, w in row) for _, row in rows]
    total = PAD + LINE * 1.5 + sum(heights) + len(rows) * (STAGE + GAP) + PAD
    fig, ax = canvas(WIDE, total)
    ax.text(PAD, PAD + LINE / 2, TITLE, weight="bold", va="center", color=INK)
    y, placed = PAD + LINE * 1.5, {}
    for (name, row), h in zip(rows, heights, strict=True):
        y = _stage(ax, y, WIDE, name)
        for key, x, w in row:
            placed[key] = (x, y, w, h if name != "Screening" else height(b[key], w))
            _draw_box(ax, b[key], placed[key])
        y += h + GAP
    _wide_arrows(ax, placed)
    return fig, placed


def _mid(p: Place, side: str) -> tuple[float, float]:
    x, y, w, h = p
    return {"right": (x + w, y + h / 2), "left": (x, y + h / 2), "bottom": (x + w / 2, y + h), "top": (x + w / 2, y)}[
        side
    ]


def _wide_arrows(ax: Any, p: dict[str, Place]) -> None:
    for source, side in (("identified", "removed"), ("screened", "excluded")):
        x, top, w, h = p[source]
        y = top + min(h, p[side][3]) / 2  # level, inside both boxes (they share their top)
        _arrow(ax, (x + w, y), (p[side][0], y))
    _arrow(ax, _mid(p["identified"], "bottom"), _mid(p["screened"], "top"))
    _arrow(ax, _mid(p["other"], "bottom"), _mid(p["assessed"], "top"))
    inc_top = p["included"][1]
    for key in ("screened", "assessed"):
        x, _ = _mid(p[key], "bottom")
        _arrow(ax, _mid(p[key], "bottom"), (x, inc_top))


NARROW_ORDER = ["identified", "removed", "screened", "excluded", "other", "assessed", "included"]


def _narrow(b: dict[str, Box]) -> Any:
    inner = NARROW - 2 * PAD
    side = {"removed", "excluded"}
    keys = NARROW_ORDER + [k for k in b if k.startswith("group:")]
    sizes = [(k, inner - (GAP if k in side else 0)) for k in keys]
    total = PAD + LINE * 1.5 + sum(height(b[k], w) + GAP for k, w in sizes) + PAD
    fig, ax = canvas(NARROW, total)
    ax.text(PAD, PAD + LINE / 2, "PRISMA 2020 flow", weight="bold", va="center", color=INK)
    y, previous = PAD + LINE * 1.5, None
    for key, w in sizes:
        x = PAD + (GAP if key in side else 0)
        place = (x, y, w, height(b[key], w))
        if previous and key in ("screened", "assessed", "included"):
            _arrow(ax, (previous[0] + GAP / 2, previous[1] + previous[3]), (x + GAP / 2, y))
        _draw_box(ax, b[key], place)
        previous = place if key not in side else previous
        y += place[3] + GAP
    return fig


def description(flow: Flow, b: dict[str, Box]) -> str:
    return " ".join(
        "; ".join(text for text, _ in b[k].lines) + "." for k in NARROW_ORDER + [k for k in b if k.startswith("group:")]
    )


def draw(flow: Flow, groups: dict[str, str], variant: str) -> str:
    b = boxes(flow, groups)
    fig = _wide(b)[0] if variant == "wide" else _narrow(b)
    return svg(fig, TITLE, "Flow diagram. " + description(flow, b))
