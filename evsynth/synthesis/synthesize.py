"""The synthesis stage: everything computed from validated studies, numbers only, for the render stage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evsynth.core.model import Study
from evsynth.core.vocab import Vocabularies
from evsynth.load.vocabulary import load_vocabularies
from evsynth.synthesis import groupings, seed_tables, tables
from evsynth.synthesis.impact import Impact, impacts
from evsynth.synthesis.outcomes import POOLED_OUTCOMES
from evsynth.synthesis.prisma import Flow
from evsynth.synthesis.scores import ScoreAnalysis, score_analyses
from evsynth.validate.discrepancy import Discrepancy

MAP_OUTCOMES = {
    "pain-relief": "Pain relief",
    "radiological": "Radiological",
    "scores": "Pain/function scores",
    "relief-duration": "Relief duration",
    "survival": "Survival",
    "complications": "Complications",
}


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
    cells: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # evidence map: studies, patients
    seed_source: str | None = None  # citation key of the paper whose tables the evidence reproduces
    scores: list[ScoreAnalysis] = field(default_factory=list)  # pain and function scores, by window
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # comparison row by study id, built once
    impacts: list[Impact] = field(default_factory=list)  # every finding with what it changes, ranked
    flow: Flow | None = None  # the literature search's PRISMA flow (None: no search log)


def _reports(s: Study, outcome: str) -> bool:
    if outcome in ("pain-relief", "radiological"):
        return any(r.kind == outcome for r in s.responses)
    if outcome == "scores":
        return bool(s.scores)
    if outcome == "relief-duration":
        return any(r.kind == "pain-relief" for r in s.durations)
    if outcome == "survival":
        return any(r.kind == "survival" for r in s.durations)
    return bool(s.complications)


def evidence_cells(studies: list[Study]) -> dict[tuple[str, str], tuple[int, int]]:
    cells = {}
    for g in {s.group for s in studies}:
        for o in MAP_OUTCOMES:
            members = [s for s in studies if s.group == g and _reports(s, o)]
            if members:
                cells[(g, MAP_OUTCOMES[o])] = (len(members), sum(tables.patients(s) or 0 for s in members))
    return cells


def seed_source(studies: list[Study]) -> str | None:
    """The paper whose tables other studies are read from (the citation most studies' secondary-table
    reports point to): its tables are regenerated from the studies and compared cell by cell."""
    cited = Counter(r.citation for s in studies for r in s.reports.values() if r.kind == "secondary-table")
    return cited.most_common(1)[0][0] if cited else None


def synthesize(studies: list[Study], discrepancies: list[Discrepancy], vocab: Vocabularies | None = None) -> Synthesis:
    vocab = vocab or load_vocabularies()
    source = seed_source(studies)
    chiras = next((s for s in studies if s.patients_table is not None and s.citation == source), None)
    seeds = {
        "table3": seed_tables.seed_table3(studies, source or ""),
        "table4": seed_tables.seed_table4(studies, source or ""),
    }
    if chiras:
        seeds["table2"] = seed_tables.seed_table2(chiras, chiras.citation, vocab)
    pooled = tables.pooled_results(studies, vocab)
    syn = Synthesis(
        studies=studies,
        discrepancies=discrepancies,
        comparison=tables.comparison_table(studies, vocab),
        pooled=pooled,
        groups=tables.group_summary(studies, vocab),
        seed_tables=seeds,
        printed_table2=seed_tables.printed_table2(chiras, chiras.citation) if chiras else {},
        agents=groupings.agent_view(studies, vocab),
        primaries=groupings.primary_view(studies),
        regions=groupings.region_view(studies, vocab),
        decades=groupings.decade_view(studies),
        cells=evidence_cells(studies),
        seed_source=source,
        scores=score_analyses(studies),
    )
    syn.impacts = impacts(studies, discrepancies, syn.scores)
    syn.rows = {str(r["study"]): {str(k): v for k, v in r.items()} for r in syn.comparison.to_dict("records")}
    return syn


__all__ = ["MAP_OUTCOMES", "POOLED_OUTCOMES", "Synthesis", "synthesize"]
