"""Views of the literature search for the pages: the searches table, the reasons, the home page's
sentence, what is new. Numbers come from `synthesis.prisma.Flow`; here they are only formatted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evsynth.core.model import Study
from evsynth.core.searchlog import EXCLUSION_REASONS
from evsynth.load.history import Change
from evsynth.synthesis.prisma import Flow


@dataclass(frozen=True)
class SearchRow:
    date: str
    source: str
    query: str
    records: str


@dataclass(frozen=True)
class ReasonRow:
    code: str
    meaning: str
    records: str


@dataclass(frozen=True)
class Summary:
    """The figures the home page and the search page print."""

    last_search: str
    searches: str  # searches of the searched source
    other_searches: str
    identified: str
    screened: str
    excluded: str
    studies: str
    extracted: str
    awaiting: str


@dataclass(frozen=True)
class Added:
    date: str
    study: Study


@dataclass(frozen=True)
class SourceSearches:
    """The searches of one source, in the log's order."""

    source: str
    searches: str
    rows: list[SearchRow]


def search_rows(flow: Flow) -> list[SourceSearches]:
    """The searches table, one per source (the searched source first, then other methods)."""
    by_source: dict[str, list[SearchRow]] = {}
    for s in sorted(flow.searches, key=lambda s: s.other_methods):
        by_source.setdefault(s.source, []).append(SearchRow(s.date, s.source, s.query, f"{s.records:,}"))
    return [SourceSearches(source, f"{len(rows):,}", rows) for source, rows in by_source.items()]


def reason_rows(flow: Flow) -> list[ReasonRow]:
    """Every reason of the protocol's fixed list, in its order, with the records excluded for it."""
    counts = dict(flow.database.excluded)
    for code, k in flow.other.excluded:
        counts[code] = counts.get(code, 0) + k
    duplicates = flow.database.duplicates + flow.other.duplicates
    return [
        ReasonRow(code, meaning, f"{duplicates if code == 'duplicate' else counts.get(code, 0):,}")
        for code, meaning in EXCLUSION_REASONS.items()
    ]


def summary(flow: Flow) -> Summary:
    db = flow.database
    return Summary(
        last_search=flow.last_search or "never",
        searches=f"{db.searches:,}",
        other_searches=f"{flow.other.searches:,}",
        identified=f"{db.identified:,}",
        screened=f"{db.screened:,}",
        excluded=f"{db.excluded_total:,}",
        studies=f"{flow.studies:,}",
        extracted=f"{flow.extracted:,}",
        awaiting=f"{flow.awaiting:,}",
    )


def page_context(flow: Flow | None) -> dict[str, Any]:
    """What the literature search page prints (`s` is None without a log)."""
    if flow is None:
        return {"s": None, "searches": [], "reasons": []}
    return {"s": summary(flow), "searches": search_rows(flow), "reasons": reason_rows(flow)}


def footer(flow: Flow | None) -> str | None:
    """The line every page's footer carries (site and PDF)."""
    return f"Last literature search: {flow.last_search}" if flow and flow.last_search else None


def added(history: list[Change] | None, studies: list[Study]) -> list[Added]:
    """Each study with the date it was added (its first commit; else its extraction date), newest first."""
    first: dict[str, str] = {}
    for c in history or []:  # newest first: the last 'added' seen is the first time
        if c.action == "added":
            first[c.study] = c.date
    rows = sorted((Added(first.get(s.id, str(s.extraction.date)), s) for s in studies), key=lambda a: a.study.label)
    return sorted(rows, key=lambda a: a.date, reverse=True)
