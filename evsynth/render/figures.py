"""Figures as static SVG (matplotlib): forest plots, the timeline (the evidence map is an HTML table,
`evidence_map`).

Each figure has a <title> and a <desc> text alternative, keeps its text as text, is byte-for-byte
reproducible (fixed hash salt, no date), and comes in two variants: wide (desktop, print) and
narrow (phones), switched by a media query on the page (`<picture>`).
"""

from __future__ import annotations

import functools
from typing import Any

from evsynth.core.memo import Memo
from evsynth.core.vocab import Vocabularies
from evsynth.render import forest, prisma_figure, timeline
from evsynth.render.forest_data import Forest, figure_name, forests
from evsynth.render.incremental import figure
from evsynth.render.plotting import VARIANTS, short_group, svg
from evsynth.synthesis import tables
from evsynth.synthesis.synthesize import Synthesis

_svg = svg  # the shared SVG writer, under its old name


def forest_figures(plots: list[Forest], groups: dict[str, str], memo: Memo | None = None) -> dict[str, str]:
    """Each outcome's plot with every intervention, and each intervention's own, in both variants."""
    out = {}

    def plot(name: str, f: Forest, v: str, title: str) -> None:
        out[name] = figure(memo, name, {"forest": f, "variant": v, "title": title}, lambda: forest.draw(f, v, title))

    for f in plots:
        for v in VARIANTS:
            plot(figure_name(f.key, None, v), f, v, f.title)
            for g in f.groups:
                plot(figure_name(f.key, g, v), f.only(g), v, f"{f.title}: {short_group(groups[g])}")
    return out


def draw(
    syn: Synthesis, vocab: Vocabularies, plots: list[Forest] | None = None, memo: Memo | None = None
) -> dict[str, str]:
    """Every figure of the site by file name: forest plots, the timeline and the search's PRISMA flow."""
    out = forest_figures(forests(syn, vocab.groups) if plots is None else plots, vocab.groups, memo)
    patients = {s.id: tables.patients(s) for s in syn.studies}
    for v in VARIANTS:
        name = "timeline.svg" if v == "wide" else "timeline-narrow.svg"
        inputs: dict[str, Any] = {"studies": syn.studies, "patients": patients, "groups": vocab.groups, "variant": v}
        out[name] = figure(memo, name, inputs, functools.partial(timeline.draw, syn.studies, patients, vocab.groups, v))
    flows = [(v, syn.flow) for v in VARIANTS] if syn.flow is not None else []
    for v, flow in flows:
        name = "prisma.svg" if v == "wide" else "prisma-narrow.svg"
        inputs = {"flow": flow, "groups": vocab.groups, "variant": v}
        out[name] = figure(memo, name, inputs, functools.partial(prisma_figure.draw, flow, vocab.groups, v))
    return out
