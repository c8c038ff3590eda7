"""The PRISMA 2020 flow of the literature search, counted from the validated log (numbers only).

Two routes, as PRISMA 2020 draws them: records from the searched source (database-like) and
records from other methods (the project's source papers, their tables and reference lists).
In each: identified (results returned), removed before screening (a result repeating a page
already logged, and another page of a paper already logged: `duplicate`), screened, excluded
(each reason) and included. Studies included count each study once across both routes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from evsynth.core.searchlog import (
    DUPLICATE,
    EXCLUSION_REASONS,
    INCLUDED,
    INTERVENTION_GROUPS,
    LogRecord,
    Search,
    SearchLog,
)


@dataclass(frozen=True)
class Route:
    """One column of the flow diagram."""

    identified: int  # results the searches returned, repeats included
    by_source: tuple[tuple[str, int], ...]  # identified, per source
    repeats: int  # results repeating a page already logged
    duplicates: int  # records excluded as another page of a logged paper
    screened: int
    excluded: tuple[tuple[str, int], ...]  # (reason, records), in the protocol's order, reasons with records
    included: int  # records included or already included
    already_included: int  # of those, studies that were already in the evidence base
    searches: int

    @property
    def removed(self) -> int:
        return self.repeats + self.duplicates

    @property
    def excluded_total(self) -> int:
        return sum(n for _, n in self.excluded)


@dataclass(frozen=True)
class Flow:
    database: Route
    other: Route
    studies: int  # studies included, each once (by study id; a record not yet extracted counts alone)
    extracted: int  # of those, with a study file in evidence/
    by_group: tuple[tuple[str, int], ...]  # studies included per intervention group (protocol order)
    no_group: int  # studies included without a group
    last_search: str | None
    searches: tuple[Search, ...]  # the log's searches, in file order (the searches table)

    @property
    def awaiting(self) -> int:
        """Included studies without a study file yet (awaiting extraction)."""
        return self.studies - self.extracted


def route(log: SearchLog, other: bool) -> Route:
    """The counts of one route: the database-like searches, or the other methods."""
    searches = [s for s in log.searches if s.other_methods == other]
    ids = {s.id for s in searches}
    records = [r for r in log.records if r.search in ids]
    sources: Counter[str] = Counter()
    for s in searches:
        sources[s.source] += s.records
    identified = sum(s.records for s in searches)
    reasons = Counter(r.reason for r in records if r.decision == "excluded")
    duplicates = reasons.pop(DUPLICATE, 0)
    included = [r for r in records if r.decision in INCLUDED]
    return Route(
        identified=identified,
        by_source=tuple(sources.items()),
        repeats=identified - len(records),
        duplicates=duplicates,
        screened=len(records) - duplicates,
        excluded=tuple((code, reasons[code]) for code in EXCLUSION_REASONS if reasons[code]),
        included=len(included),
        already_included=sum(1 for r in included if r.decision == "already-included"),
        searches=len(searches),
    )


def included_studies(log: SearchLog) -> dict[str, LogRecord]:
    """Each included study once: by its study id, or by the record id while it is not extracted."""
    out: dict[str, LogRecord] = {}
    for r in log.records:
        if r.decision in INCLUDED:
            key = r.study or f"record:{r.id}"
            if key not in out or (not out[key].group and r.group):
                out[key] = r
    return out


def flow(log: SearchLog) -> Flow:
    """The PRISMA 2020 flow of the log."""
    studies = included_studies(log)
    groups = Counter(r.group for r in studies.values())
    return Flow(
        database=route(log, other=False),
        other=route(log, other=True),
        studies=len(studies),
        extracted=sum(1 for r in studies.values() if r.study),
        by_group=tuple((g, groups[g]) for g in INTERVENTION_GROUPS),
        no_group=groups[""],
        last_search=log.last_search,
        searches=log.searches,
    )
