"""The evidence map as a view for an HTML table: interventions by outcome, a circle per cell whose
area grows with the patients in the series reporting it, the number of studies in it, and a link
to the place that shows those numbers. A table (not an image) so each circle can be a link, the
text stays page text at the page's size, and narrow screens can stack it (site.css)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from evsynth.render.plotting import GROUP_COLOURS
from evsynth.synthesis.synthesize import MAP_OUTCOMES

MIN_DIAMETER, MAX_DIAMETER = 26, 60  # px: the smallest holds a two-digit number at the page's size
# Where each outcome is shown: an anchor of the intervention page, or another page.
TARGETS = {
    "pain-relief": "#forest-pain-relief",
    "radiological": "#forest-radiological",
    "scores": "#pain-and-function-scores",
    "relief-duration": "#studies",
    "survival": "compare/index.html",
    "complications": "#complications",
}


@dataclass(frozen=True)
class Cell:
    outcome: str
    column: str
    k: int  # studies reporting the outcome (0: none)
    n: int  # patients in those series
    diameter: int
    href: str  # from the site's root
    label: str
    colour: str


@dataclass(frozen=True)
class MapRow:
    group: str
    title: str
    href: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class EvidenceMap:
    columns: tuple[str, ...]
    rows: tuple[MapRow, ...]
    legend: tuple[tuple[int, int], ...]  # (patients, diameter)


def diameter(n: int, biggest: int) -> int:
    """Circle area = a base (so a number fits) + a part proportional to the patients."""
    extra = (MAX_DIAMETER**2 - MIN_DIAMETER**2) * (n / biggest if biggest else 0)
    return round(math.sqrt(MIN_DIAMETER**2 + extra))


def nice_below(x: float) -> int:
    """The largest of 1, 2, 5, 10, 20, 50, ... not above x (at least 1)."""
    if x < 1:
        return 1
    exp = 10 ** math.floor(math.log10(x))
    return int(max(m * exp for m in (1, 2, 5) if m * exp <= x))


def legend(biggest: int) -> tuple[tuple[int, int], ...]:
    values = sorted({nice_below(biggest / d) for d in (16, 4, 1)})
    return tuple((v, diameter(v, biggest)) for v in values)


def _href(group: str, outcome: str, forests: dict[str, set[str]]) -> str:
    target = TARGETS[outcome]
    if not target.startswith("#"):
        return target
    if target.startswith("#forest-") and group not in forests.get(outcome, set()):
        target = "#studies"  # reported, but with no counts to plot: the studies table shows it
    return f"interventions/{group}/index.html{target}"


def view(syn: Any, groups: dict[str, str], forests: dict[str, set[str]]) -> EvidenceMap:
    """The map of `syn.cells`; `forests` names, per outcome, the interventions with a forest plot."""
    biggest = max((n for _, n in syn.cells.values()), default=0)
    rows = []
    for g, title in groups.items():
        cells = []
        for key, column in MAP_OUTCOMES.items():
            k, n = syn.cells.get((g, column), (0, 0))
            studies = "study" if k == 1 else "studies"
            label = f"{title}, {column}: {k} {studies}, {n} patients in those series" if k else ""
            cells.append(Cell(key, column, k, n, diameter(n, biggest), _href(g, key, forests) if k else "", label,
                              GROUP_COLOURS.get(g, "#555555")))  # fmt: skip
        rows.append(MapRow(g, title, f"interventions/{g}/index.html", tuple(cells)))
    return EvidenceMap(tuple(MAP_OUTCOMES.values()), tuple(rows), legend(biggest))
