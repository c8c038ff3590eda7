"""Stage 3, pool: everything computed from validated studies, in one record for the render stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evsynth.render import downloads as export

from evsynth.render import figures

from evsynth.synthesis import tables
from evsynth.load.files import Bibliography
from evsynth.core.model import Study
from evsynth.synthesis.outcomes import POOLED_OUTCOMES
from evsynth.validate.quality import Discrepancy
from evsynth.core.vocab import Vocabularies, load_vocabularies

MAP_OUTCOMES = {"pain-relief": "Pain relief", "radiological": "Radiological", "scores": "Pain/function scores",
                "relief-duration": "Relief duration", "survival": "Survival", "complications": "Complications"}


@dataclass
class Synthesis:
    studies: list[Study]
    discrepancies: list[Discrepancy]
    comparison: pd.DataFrame
    pooled: list[dict[str, Any]]
    groups: pd.DataFrame
    seed_tables: dict[str, pd.DataFrame]
    printed_table2: dict[tuple[str, str], int]
    agents: dict[str, list[Study]]
    primaries: dict[str, list[tuple[Study, int | None]]]
    regions: dict[str, list[Study]]
    decades: dict[str, list[Study]]
    figures: dict[str, str] = field(default_factory=dict)
    downloads: dict[str, str] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # comparison row by study id, built once


def _reports(s: Study, outcome: str) -> bool:
    if outcome in ("pain-relief", "radiological"):
        return any(r.data["kind"] == outcome for r in s.responses)
    if outcome == "scores":
        return bool(s.scores)
    if outcome == "relief-duration":
        return any(r.data["kind"] == "pain-relief" for r in s.durations)
    if outcome == "survival":
        return any(r.data["kind"] == "survival" for r in s.durations)
    return bool(s.complications)


def evidence_cells(studies: list[Study]) -> dict[tuple[str, str], tuple[int, int]]:
    cells = {}
    for g in {s.group for s in studies}:
        for o in MAP_OUTCOMES:
            members = [s for s in studies if s.group == g and _reports(s, o)]
            if members:
                cells[(g, MAP_OUTCOMES[o])] = (len(members), sum(tables.patients(s) or 0 for s in members))
    return cells


def synthesize(studies: list[Study], discrepancies: list[Discrepancy], bib: Bibliography,
               vocab: Vocabularies | None = None) -> Synthesis:
    vocab = vocab or load_vocabularies()
    chiras = next((s for s in studies if s.patients_table is not None and s.citation == "chiras2004"), None)
    seeds = {"table3": tables.seed_table3(studies), "table4": tables.seed_table4(studies)}
    if chiras:
        seeds["table2"] = tables.seed_table2(chiras, vocab)
    pooled = tables.pooled_results(studies, vocab)
    syn = Synthesis(
        studies=studies, discrepancies=discrepancies, comparison=tables.comparison_table(studies, vocab),
        pooled=pooled, groups=tables.group_summary(studies, vocab), seed_tables=seeds,
        printed_table2=tables.printed_table2(chiras) if chiras else {},
        agents=tables.agent_view(studies, vocab), primaries=tables.primary_view(studies),
        regions=tables.region_view(studies, vocab), decades=tables.decade_view(studies))
    syn.rows = {str(r["study"]): {str(k): v for k, v in r.items()} for r in syn.comparison.to_dict("records")}
    for r in pooled:
        syn.figures[f"forest-{r['outcome']}-{r['group']}.svg"] = figures.forest_plot(r)
    syn.figures["timeline.svg"] = figures.timeline(studies, {s.id: tables.patients(s) for s in studies},
                                                   vocab.groups)
    syn.figures["evidence-map.svg"] = figures.evidence_map(evidence_cells(studies), vocab.groups,
                                                           list(MAP_OUTCOMES.values()))
    syn.downloads = {
        "studies.csv": export.studies_csv(studies),
        "studies.json": export.studies_json(studies),
        "pooled.csv": export.frame_csv(tables.pooled_frame(pooled)),
        "discrepancies.csv": export.discrepancies_csv(discrepancies),
        "references.bib": export.references_bib(bib),
        "references.ris": export.references_ris(bib),
        "comparison.csv": export.frame_csv(syn.comparison),
    }
    return syn


__all__ = ["Synthesis", "synthesize", "POOLED_OUTCOMES"]
